package web

import (
	"strings"
	"testing"

	"github.com/haven-nrm/haven/internal/i18n"
	"github.com/haven-nrm/haven/internal/trm"
)

// A received TRM package reads in the reader's language (issue 13): every
// field named, every code by its label, in each of the five languages; a
// code our lists do not know is shown as received.
func TestTRMFieldsTranslated(t *testing.T) {
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	pkg := &trm.Package{Purpose: trm.PurposeReturn, Fields: map[string]trm.Value{
		"prs_Gender": {Code: "feminine"}, "cas_Status": {Code: "active"}, "prs_Nationality": {Code: "NP"},
		"prs_PreferredLanguage": {Code: "ne"}, "vic_TypeOfExploitation": {Codes: []string{"forcedlabour", "made_up"}},
		"vic_RiskLevel": {Code: "high"}, "prs_TravelDocumentType": {Code: "passport"}, "cas_IdentificationDate": {Code: "2026-03-01"},
		"prs_GivenName": {Text: "Given"},
	}}
	for _, lang := range []string{"en", "ko", "th", "mn", "ne"} {
		L := b.Localizer(lang)
		rows := trmFieldRows(L, pkg)
		if len(rows) != len(pkg.Fields) {
			t.Fatalf("%s: %d rows for %d fields", lang, len(rows), len(pkg.Fields))
		}
		for _, r := range rows {
			if strings.Contains(r.Label, "⟦") || strings.Contains(r.Label, "_") || strings.Contains(r.Value, "⟦") {
				t.Errorf("%s: %s shows %q = %q", lang, r.Name, r.Label, r.Value)
			}
			for _, raw := range []string{"feminine", "active", "forcedlabour", "high", "passport"} {
				if r.Name != "prs_GivenName" && strings.Contains(r.Value, raw) {
					t.Errorf("%s: %s still shows the code %q: %q", lang, r.Name, raw, r.Value)
				}
			}
		}
		if lang == "en" {
			want := map[string]string{"prs_Gender": L.T("code.gender.Feminine"), "vic_TypeOfExploitation": L.T("code.exploitation.ForcedLabour") + ", made_up",
				"prs_Nationality": L.Region("NP"), "prs_PreferredLanguage": L.LanguageName("ne"), "prs_GivenName": "Given"}
			for _, r := range rows {
				if w, ok := want[r.Name]; ok && r.Value != w {
					t.Errorf("%s: %q, want %q", r.Name, r.Value, w)
				}
			}
		}
	}
}
