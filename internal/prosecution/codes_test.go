package prosecution

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/haven-nrm/haven/internal/ident"
	"github.com/haven-nrm/haven/internal/vocab"
)

var lowerSnake = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)

func TestCodeLists(t *testing.T) {
	cases := []struct {
		list, want, rule string
	}{
		{"investigation_status", "open referred_to_prosecution closed_no_action closed_prosecuted", "investigation: the four statuses"},
		{"chain_role", "recruiter transporter harbourer exploiter facilitator financier controller other",
			"Palermo Protocol art. 3(a): the acts of the chain (recruitment, transportation, harbouring) and exploitation, plus those who run it"},
		{"gender", "Feminine Masculine TransgenderFeminine TransgenderMasculine NonConforming NonSpecifiedUnknown", "HTCDS 2.0 field prs_Gender"},
		{"nature", "individual legal_person", "CoE Convention art. 22: corporate liability"},
		{"offence", "trafficking pimping procuring smuggling_of_migrants money_laundering forced_labour labour_law_violation document_fraud kidnapping other",
			"seed ch. 4.2: trafficking and the offences charged in its place"},
		{"stage", "investigation charged trial verdict appeal", "proceedings: the stages in order"},
		{"outcome", "convicted acquitted dismissed withdrawn", "proceedings: verdict outcomes"},
		{"compensation_state", "ordered partially_paid paid unpaid", "CoE Convention art. 15(3): compensation followed until paid"},
		{"willingness", "yes no undecided", "CoE Convention art. 12(6): taking part is voluntary"},
		{"protection_measure", "anonymity screen_in_court video_link witness_protection_programme support_person closed_hearing no_contact_order",
			"CoE Convention art. 28, 30; Directive 2011/36/EU art. 12(4), 15(5): protection in proceedings"},
		{"non_punishment_offence", "immigration document_fraud prostitution_related drug_cultivation_or_trafficking theft_or_begging labour_law other",
			"OSCE 2013 non-punishment recommendations: offences victims are compelled to commit"},
		{"guidance", "notify_prosecutor_of_victim_status assess_link_to_exploitation consider_discontinuance consider_no_penalty do_not_detain_for_immigration_offence extend_to_administrative_liability child_no_compulsion_test",
			"CoE Convention art. 26; Directive 2011/36/EU art. 8: non-punishment guidance"},
	}
	lists := Codes()
	byName := map[string]vocab.List{}
	for _, l := range lists {
		if _, dup := byName[l.Name]; dup {
			t.Errorf("codes: list %s twice", l.Name)
		}
		byName[l.Name] = l
		if !lowerSnake.MatchString(l.Name) {
			t.Errorf("codes: list name %q is not lower_snake", l.Name)
		}
		seen := map[string]bool{}
		for _, c := range l.Codes {
			if seen[c] {
				t.Errorf("codes: %s.%s twice", l.Name, c)
			}
			seen[c] = true
			if l.Name != "gender" && !lowerSnake.MatchString(c) {
				t.Errorf("codes: %s.%s is not lower_snake", l.Name, c)
			}
			if !l.Has(c) || l.Key(c) != "prosecution."+l.Name+"."+c {
				t.Errorf("codes: key of %s.%s", l.Name, c)
			}
		}
	}
	for _, c := range cases {
		l, ok := byName[c.list]
		if !ok {
			t.Errorf("%s: no list %s", c.rule, c.list)
			continue
		}
		if got := strings.Join(l.Codes, " "); got != c.want {
			t.Errorf("%s: %s = %s, want %s", c.rule, c.list, got, c.want)
		}
	}
	if len(lists) != len(cases)+1 {
		t.Errorf("codes: %d lists, every one is in the table (and error)", len(lists))
	}
	// The typed lists agree with their Valid methods.
	for _, r := range ChainRoles() {
		if !r.Valid() || r.HTCDS() == "" {
			t.Errorf("codes: %s", r)
		}
	}
	for _, bad := range []string{"", "Recruiter", "boss"} {
		if ChainRole(bad).Valid() || OffenceCategory(bad).Valid() || Stage(bad).Valid() || Outcome(bad).Valid() ||
			CompensationState(bad).Valid() || Willingness(bad).Valid() || ProtectionMeasure(bad).Valid() ||
			NonPunishmentOffence(bad).Valid() || InvestigationStatus(bad).Valid() || Nature(bad).Valid() {
			t.Errorf("codes: %q is valid somewhere", bad)
		}
	}
	if OffenceTrafficking.Substitute() || OffenceCategory("theft").Substitute() {
		t.Errorf("seed ch. 4.2: trafficking, and unknown codes, are no substitute offence")
	}
	for _, s := range InvestigationStatuses() {
		if s.Closed() != (s == StatusClosedNoAction || s == StatusClosedProsecuted) {
			t.Errorf("investigation: %s closed?", s)
		}
	}
}

func TestChainRoleHTCDS(t *testing.T) {
	// HTCDS 2.0 per_RoleInProcess values, from htcds-2.0-fields.tsv.
	htcds := strings.Fields(`TravellingPartner Transporter RecruiterOrIntermediary BrokerTravelAgent TransferredIndividual
		HarbouredIndividual SoldIndividual BoughtIndividual ReceivedIndividual ControlledIndividual Smuggler Abuser Kidnapper Exploiter Other`)
	cases := []struct {
		role ChainRole
		want string
		rule string
	}{
		{RoleRecruiter, "RecruiterOrIntermediary", "HTCDS 2.0 field per_RoleInProcess: Recruiter Or Intermediary"},
		{RoleTransporter, "Transporter", "HTCDS 2.0 field per_RoleInProcess: Transporter"},
		{RoleHarbourer, "HarbouredIndividual", "HTCDS 2.0 field per_RoleInProcess: Harboured Individual"},
		{RoleExploiter, "Exploiter", "HTCDS 2.0 field per_RoleInProcess: Exploiter"},
		{RoleController, "ControlledIndividual", "HTCDS 2.0 field per_RoleInProcess: Controlled Individual"},
		{RoleFacilitator, "Other", "HTCDS 2.0 field per_RoleInProcess: no value for facilitators"},
		{RoleFinancier, "Other", "HTCDS 2.0 field per_RoleInProcess: no value for financiers"},
		{RoleOther, "Other", "HTCDS 2.0 field per_RoleInProcess: Other"},
		{"boss", "", "codes: an unknown role has no HTCDS value"},
	}
	for _, c := range cases {
		if got := c.role.HTCDS(); got != c.want || (got != "" && !slices.Contains(htcds, got)) {
			t.Errorf("%s: %s → %q, want %q", c.rule, c.role, got, c.want)
		}
	}
	if len(cases)-1 != len(ChainRoles()) {
		t.Errorf("codes: every chain role is in the table")
	}
}

func TestCountriesLanguagesCurrencies(t *testing.T) {
	if n := len(iso3166); n != 250 {
		t.Errorf("ISO 3166-1: 249 assigned codes and XK, got %d", n)
	}
	type codeCase struct {
		code string
		ok   bool
		rule string
	}
	for _, v := range []struct {
		name  string
		valid func(string) bool
		cases []codeCase
	}{
		{"ValidCountry", ValidCountry, []codeCase{
			{"NP", true, "ISO 3166-1 alpha-2: Nepal"}, {"MN", true, "ISO 3166-1 alpha-2: Mongolia"}, {"GB", true, "ISO 3166-1 alpha-2: United Kingdom"},
			{"SS", true, "ISO 3166-1 alpha-2: South Sudan (2011)"}, {"XK", true, "Kosovo (user-assigned, EU usage)"},
			{"UK", false, "ISO 3166-1: UK is exceptionally reserved"}, {"EU", false, "ISO 3166-1: EU is not a country"},
			{"YU", false, "ISO 3166-1: withdrawn"}, {"AN", false, "ISO 3166-1: withdrawn (Netherlands Antilles)"},
			{"np", false, "ISO 3166-1: upper case"}, {"", false, "ISO 3166-1: empty"}, {"NPL", false, "ISO 3166-1: alpha-3"},
		}},
		{"ident.Language", ident.Language, []codeCase{
			{"ne", true, "ISO 639-1: Nepali"}, {"mn", true, "ISO 639-1: Mongolian"}, {"taj", true, "ISO 639-3 form: Eastern Tamang"},
			{"und", false, "ISO 639-2: undetermined is no language"}, {"mul", false, "ISO 639-2: multiple is no language"},
			{"iw", false, "ISO 639-1: withdrawn code"}, {"EN", false, "ISO 639: lower case"}, {"e", false, "ISO 639: too short"},
		}},
		{"ValidCurrency", ValidCurrency, []codeCase{
			{"NPR", true, "ISO 4217: Nepalese rupee"}, {"MNT", true, "ISO 4217: tögrög"}, {"XOF", true, "ISO 4217: CFA franc (an X code)"},
			{"XXX", false, "ISO 4217: no currency"}, {"XTS", false, "ISO 4217: testing"}, {"usd", false, "ISO 4217: upper case"},
			{"US", false, "ISO 4217: three letters"}, {"", false, "ISO 4217: empty"},
		}},
	} {
		for _, c := range v.cases {
			if v.valid(c.code) != c.ok {
				t.Errorf("%s: %s(%q) != %v", c.rule, v.name, c.code, c.ok)
			}
		}
	}
}
