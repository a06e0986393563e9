package prosecution

import (
	"strings"
	"time"

	"github.com/haven-nrm/haven/internal/ident"
)

// MaxCustodialMonths bounds a custodial sentence given in months (100
// years); a life sentence is recorded as such.
const MaxCustodialMonths = 1200

// checkActor refuses a missing or malformed user id.
func checkActor(by string) error {
	if by == "" {
		return refuse(CodeActorRequired, "by", "")
	}
	if !ident.Valid(by) {
		return refuse(CodeInvalidInput, "by", "")
	}
	return nil
}

// checkWhen refuses a missing time, a time after now, and a time before
// floor (the event it follows).
func checkWhen(field string, at, floor, now time.Time) error {
	if at.IsZero() {
		return refuse(CodeInvalidInput, field, "")
	}
	if at.After(now) {
		return refuse(CodeFutureDate, field, "")
	}
	if at.Before(floor) {
		return refuse(CodeOutOfOrder, field, "")
	}
	return nil
}

func checkLanguage(field, lang string) error {
	if lang == "" {
		return refuse(CodeLanguageRequired, field, "")
	}
	if !ident.Language(lang) {
		return refuse(CodeInvalidLanguage, field, "")
	}
	return nil
}

// iso3166 holds the 249 officially assigned ISO 3166-1 alpha-2 codes, and
// XK (Kosovo: user-assigned, used by the European Union and CLDR, and
// needed by the South-East European TRM).
var iso3166 = func() map[string]bool {
	m := map[string]bool{}
	for _, c := range strings.Fields(`AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO
		BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER
		ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN
		IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH
		MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN
		PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ
		TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW XK`) {
		m[c] = true
	}
	return m
}()

// ValidCountry reports whether code is an officially assigned ISO 3166-1
// alpha-2 code (upper case), or XK. Reserved and withdrawn codes (UK, EU,
// YU, …) are refused.
func ValidCountry(code string) bool { return iso3166[code] }

// ValidCurrency reports whether code has the form of an ISO 4217
// alphabetic code (three upper-case letters) and is not XXX (no currency)
// or XTS (testing). The list of active codes is the deployment's.
func ValidCurrency(code string) bool {
	if len(code) != 3 || code == "XXX" || code == "XTS" {
		return false
	}
	for i := 0; i < 3; i++ {
		if code[i] < 'A' || code[i] > 'Z' {
			return false
		}
	}
	return true
}
