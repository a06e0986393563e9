package intake

import (
	"reflect"
	"testing"

	"github.com/haven-nrm/haven/internal/screening"
	"github.com/haven-nrm/haven/internal/vocab"
)

// Every form of exploitation the engine takes (Protocol art. 3(a) and the
// national forms) has an HTCDS type, and every type named is one HTCDS has.
func TestEveryFormOfExploitationHasAType(t *testing.T) {
	for _, p := range append(screening.ProtocolPurposeCodes(), screening.NationalFormCodes()...) {
		ty, ok := formsOfExploitation[p]
		if !ok {
			t.Errorf("form %s has no HTCDS type", p)
		} else if !vocab.ExploitationTypes.Has(ty) {
			t.Errorf("form %s maps to %s, not an HTCDS type", p, ty)
		}
	}
}

func TestFromFormsOfExploitation(t *testing.T) {
	for _, c := range []struct {
		name  string
		in    Referral
		kind  string
		types []string
	}{
		{"nothing known stays unknown", Referral{}, "", nil},
		{"forced labour: the labour profile", Referral{Purposes: []string{"forced_labour"}}, "labour", []string{"ForcedLabour"}},
		{"sexual exploitation among others: the sexual profile", Referral{Purposes: []string{"forced_labour", "sexual_exploitation"}}, "sexual", []string{"ForcedLabour", "SexualExploitation"}},
		{"servitude forms count once", Referral{Purposes: []string{"slavery", "servitude", "ritual_servitude"}}, "labour", []string{"Servitude"}},
		{"what was said is kept", Referral{Purposes: []string{"sexual_exploitation"}, Exploitation: "labour", ExploitationTypes: []string{"Other"}}, "labour", []string{"Other"}},
		{"an unknown code is left for Check", Referral{Purposes: []string{"nonsense"}}, "labour", nil},
	} {
		got := FromFormsOfExploitation(c.in)
		if got.Exploitation != c.kind || !reflect.DeepEqual(got.ExploitationTypes, c.types) {
			t.Errorf("%s: got %q %v, want %q %v", c.name, got.Exploitation, got.ExploitationTypes, c.kind, c.types)
		}
	}
}
