package web

import (
	"testing"

	"github.com/haven-nrm/haven/internal/prosecution"
	"github.com/haven-nrm/haven/internal/stats"
	"github.com/haven-nrm/haven/internal/support"
)

// The process measures build their labels at run time (the valueKeys table): every
// dimension heading, value and indicator label they can ask for exists in
// English, so the catalogue test requires it in every language.
func TestMeasureKeysExist(t *testing.T) {
	need := needKeys(t)
	for _, dims := range stats.UnitDimensions {
		for _, d := range dims {
			need("stats.dim." + d)
		}
	}
	for _, d := range stats.Indicators {
		need(d.LabelKey())
	}
	for _, s := range []string{"rg", "cg"} {
		need("stats.time.title_" + s)
		need("stats.time.note_" + s)
	}
	for prefix, codes := range map[string][]string{
		"stats.val.":                        {"yes", "no", "none", "positive", "negative", "trafficking", "substitute", "pending", "no_order"},
		"code.service.":                     strs(support.ServiceTypes()),
		"code.service_state.":               strs(support.States()),
		"prosecution.offence.":              strs(prosecution.OffenceCategories()),
		"prosecution.outcome.":              strs(prosecution.VerdictOutcomes()),
		"prosecution.compensation_state.":   strs(prosecution.CompensationStates()),
		"prosecution.investigation_status.": strs(prosecution.InvestigationStatuses()),
	} {
		for _, c := range codes {
			need(prefix + c)
		}
	}
}
