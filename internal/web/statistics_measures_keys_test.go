package web

import (
	"testing"

	"github.com/haven-nrm/haven/internal/i18n"
	"github.com/haven-nrm/haven/internal/prosecution"
	"github.com/haven-nrm/haven/internal/stats"
	"github.com/haven-nrm/haven/internal/support"
)

// The process measures build their labels at run time (measureLabel): every
// dimension heading, value and indicator label they can ask for exists in
// English, so the catalogue test requires it in every language.
func TestMeasureKeysExist(t *testing.T) {
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	for _, k := range b.Keys() {
		known[k] = true
	}
	need := func(k string) {
		if !known[k] {
			t.Errorf("missing key %s", k)
		}
	}
	for _, dims := range stats.UnitDimensions {
		for _, d := range dims {
			need("stats.dim." + d)
		}
	}
	for _, d := range stats.Indicators {
		need(d.LabelKey())
	}
	for _, v := range []string{"yes", "no", "none", "positive", "negative", "trafficking", "substitute", "pending", "no_order"} {
		need("stats.val." + v)
	}
	for _, s := range []string{"rg", "cg"} {
		need("stats.time.title_" + s)
		need("stats.time.note_" + s)
	}
	for _, s := range support.ServiceTypes() {
		need("code.service." + string(s))
	}
	for _, s := range support.States() {
		need("code.service_state." + string(s))
	}
	for _, o := range prosecution.OffenceCategories() {
		need("prosecution.offence." + string(o))
	}
	for _, o := range prosecution.VerdictOutcomes() {
		need("prosecution.outcome." + string(o))
	}
	for _, c := range prosecution.CompensationStates() {
		need("prosecution.compensation_state." + string(c))
	}
	for _, s := range prosecution.InvestigationStatuses() {
		need("prosecution.investigation_status." + string(s))
	}
}
