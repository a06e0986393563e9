package web

import (
	"testing"

	"github.com/haven-nrm/haven/internal/i18n"
	"github.com/haven-nrm/haven/internal/intake"
	"github.com/haven-nrm/haven/internal/screening"
	"github.com/haven-nrm/haven/internal/vocab"
)

// Keys built at run time from codes (code lists, screening results,
// indicator profiles) must all exist in English; the catalogue test then
// requires them in every language.
func TestDynamicKeysExist(t *testing.T) {
	need := needKeys(t)
	for _, l := range vocab.Lists {
		for _, c := range l.Codes {
			need(l.Key(c))
		}
	}
	for _, c := range screening.ActCodes() {
		need("code.act." + c)
	}
	for _, c := range screening.MeansCodes() {
		need("code.means." + c)
	}
	for _, c := range append(screening.ProtocolPurposeCodes(), screening.NationalFormCodes()...) {
		need("code.purpose." + c)
	}
	for _, c := range []string{screening.ClassPresumedTrafficking, screening.ClassPossibleSmuggling, screening.ClassSmugglingWithTrafficking, screening.ClassNotIndicated} {
		need("screening.classification." + c)
	}
	for _, v := range []string{screening.VerdictMeets, screening.VerdictNotMet, screening.VerdictInsufficient} {
		need("screening.protocol_verdict." + v)
	}
	for _, v := range []string{screening.VerdictVictim, screening.VerdictNotIndicated, screening.VerdictNoProfile} {
		need("screening.indicators_verdict." + v)
	}
	for _, v := range []string{screening.VerdictSmugglingIndicated, screening.VerdictNotIndicated} {
		need("screening.smuggling_verdict." + v)
	}
	for _, w := range []string{screening.WarnPresumedChild, screening.WarnAgeUnknown, screening.WarnAgeGivenMayBeChild, screening.WarnConsentIrrelevant,
		screening.WarnProtocolInsufficient, screening.WarnProfileUnverified, screening.WarnNoSexualProfile, screening.WarnNoProfile,
		screening.WarnNoIndicators, screening.WarnProfilePopulationMismatch, screening.WarnProfileExploitationMismatch,
		screening.WarnJurisdictionUnverified, screening.WarnNationalFormNotCovered, screening.WarnNationalMeansForChild,
		screening.WarnNationalChildSexualMeans, screening.WarnNationalAgeOfMajority, screening.WarnNationalFallsShort,
		screening.WarnSmugglingWithTrafficking, screening.WarnPossibleSmuggling} {
		need("screening.warning." + w)
	}
	eng, err := screening.DefaultEngine()
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range eng.ProfileIDs() {
		p, _ := eng.Profile(id)
		need("profile." + id)
		for _, d := range p.Dimensions {
			need("dimension." + d.ID)
			for _, ind := range d.Indicators {
				need("indicator." + ind.ID)
			}
		}
	}
	for _, k := range []string{"referral_received", "urgent_referral_received", "child_referral", "guardian_requested", "break_glass"} {
		need("notice." + k)
	}
	for _, k := range []string{intake.KindReferral, intake.KindSelfReferral, intake.KindAnonymousNotification} {
		need("referral.kind." + k)
	}
	for _, c := range []string{intake.ConsentGiven, intake.ConsentDeclined, intake.ConsentNotRequired} {
		need("referral.consent." + c)
	}
	for _, f := range []string{"sector", "age", "gender", "citizenship", "languages", "acts", "means", "purposes", "indicators",
		"exploitation", "methods_of_control", "exploitation_types", "industry", "recruiter_relation", "events", "needs", "consent",
		"consent_language", "given_name", "family_name", "birth_date", "document_number", "phone", "address", "narrative", "unknown"} {
		need("intake.field." + f)
	}
}

// englishKeys is the set of the English catalogue's keys.
func englishKeys(t *testing.T) map[string]bool {
	t.Helper()
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	for _, k := range b.Keys() {
		known[k] = true
	}
	return known
}

// needKeys returns a check that reports a key the English catalogue lacks.
func needKeys(t *testing.T) func(string) {
	known := englishKeys(t)
	return func(k string) {
		t.Helper()
		if !known[k] {
			t.Errorf("missing key %s", k)
		}
	}
}
