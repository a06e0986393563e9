package prosecution

import (
	"testing"
)

// Every embedded list parses, and each country's list names at least one
// trafficking provision: without one, a country could only ever record
// substitute offences.
func TestProvisionLists(t *testing.T) {
	if _, err := provisions(); err != nil {
		t.Fatal(err)
	}
	for _, c := range provisionCountries() {
		traffic := false
		for _, p := range Provisions(c) {
			traffic = traffic || p.Offence == OffenceTrafficking
		}
		if !traffic {
			t.Errorf("%s: no trafficking provision", c)
		}
	}
	if len(Provisions("ZZ")) == 0 || Provisions("ZZ")[0] != Provisions("default")[0] {
		t.Error("a country without a list does not get the default list")
	}
}

// TestMisclassificationWarningWorksOnProvisionCodes: a charge recorded by
// provision code counts as that provision's offence, so the warning that a
// case screened as trafficking is charged only with substitute offences
// works on codes (seed ch. 4.2: sex trafficking prosecuted under
// Mongolia's brothel article); a trafficking provision clears it; a code
// from another country's list, or a category that contradicts the
// provision, is refused.
func TestMisclassificationWarningWorksOnProvisionCodes(t *testing.T) {
	list := Provisions("MN")
	inv := withSuspect(t, opened(t), "s1")
	add := func(inv Investigation, id, code string, o OffenceCategory) Investigation {
		t.Helper()
		c, err := ChargeUnder(Charge{ID: id, SuspectID: "s1", Provision: code, Offence: o}, list)
		if err != nil {
			t.Fatalf("%s: %v", code, err)
		}
		out, err := AddCharge(inv, inv.Version, c, officer, now)
		return must(t)(out, err)
	}
	brothel := add(inv, "c1", "mn_cc2002_art124", "")
	if got := brothel.Charges[0].Offence; got != OffencePimping {
		t.Fatalf("the brothel article counts as %q", got)
	}
	if ids := Misclassified(brothel, true); len(ids) != 1 || ids[0] != "c1" {
		t.Fatalf("a brothel charge on a trafficking case: warning %v", ids)
	}
	both := add(brothel, "c2", "mn_cc2015_art13_1", "")
	if ids := Misclassified(both, true); ids != nil {
		t.Fatalf("with a trafficking provision charged too: warning %v", ids)
	}
	if _, err := ChargeUnder(Charge{ID: "c3", SuspectID: "s1", Provision: "ew_msa2015_s2"}, list); CodeOf(err) != CodeUnknownProvision {
		t.Errorf("another country's code: %v", err)
	}
	if _, err := ChargeUnder(Charge{ID: "c3", SuspectID: "s1", Provision: "mn_cc2002_art124", Offence: OffenceTrafficking}, list); CodeOf(err) != CodeProvisionOffence {
		t.Errorf("a category against the provision: %v", err)
	}
	if c, err := ChargeUnder(Charge{ID: "c3", SuspectID: "s1", Offence: OffenceKidnapping}, list); err != nil || c.Offence != OffenceKidnapping {
		t.Errorf("a charge without a provision keeps its category: %+v %v", c, err)
	}
}

// provisionCountries lists the countries with a list of their own, and
// "default".
func provisionCountries() []string {
	all, _ := provisions()
	out := make([]string, 0, len(all))
	for c := range all {
		out = append(out, c)
	}
	return out
}
