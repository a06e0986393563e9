package web

import (
	"slices"
	"strings"
	"time"

	"github.com/haven-nrm/haven/internal/i18n"
	"github.com/haven-nrm/haven/internal/support"
	"github.com/haven-nrm/haven/internal/trm"
	"github.com/haven-nrm/haven/internal/vocab"
)

// trmFieldRow is one field of a received package as the page shows it:
// the field's name and its value in the reader's language.
type trmFieldRow struct {
	Name, Label, Value string
}

// trmCodeLists are the code lists a package's coded fields come from. The
// sender writes codes in lower case (HTCDS); they are matched to our
// lists without regard to case.
var trmCodeLists = map[string]vocab.List{
	"prs_Gender":             vocab.Genders,
	"cas_Status":             vocab.CaseStatuses,
	"vic_TraffickingStatus":  vocab.TraffickingStatuses,
	"vic_TypeOfExploitation": vocab.ExploitationTypes,
	"vic_MethodsOfControl":   vocab.MethodsOfControl,
	"vic_Needs":              vocab.Needs,
	"vic_RiskLevel":          {Name: "rating", Codes: strs(support.Ratings())},
	"vic_RiskFactors":        {Name: "factor", Codes: factorCodes()},
	"prs_TravelDocumentType": {Name: "document", Codes: []string{"passport"}},
}

func factorCodes() []string {
	var out []string
	for _, f := range support.Factors() {
		out = append(out, string(f.Code))
	}
	return out
}

// trmFieldRows lists a package's fields in the order HTCDS gives them,
// each named and its value translated: countries and languages by name,
// dates in the reader's calendar, codes by their labels. A code our lists
// do not know is shown as received.
func trmFieldRows(L *i18n.Localizer, pkg *trm.Package) []trmFieldRow {
	if pkg == nil {
		return nil
	}
	var rows []trmFieldRow
	for _, f := range trm.Fields {
		v, ok := pkg.Fields[f.Name]
		if !ok {
			continue
		}
		row := trmFieldRow{Name: f.Name, Label: L.T("casepage.trm.field." + f.Name)}
		switch f.Kind {
		case trm.KindText:
			row.Value = v.Text
		case trm.KindCountry:
			row.Value = L.Region(v.Code)
		case trm.KindDate:
			row.Value = v.Code
			if d, err := time.Parse(time.DateOnly, v.Code); err == nil {
				row.Value = L.Date(d)
			}
		default:
			codes := v.Codes
			if f.Kind == trm.KindCode {
				codes = []string{v.Code}
			}
			labels := make([]string, len(codes))
			for i, c := range codes {
				labels[i] = trmCodeLabel(L, f.Name, c)
			}
			row.Value = strings.Join(labels, ", ")
		}
		rows = append(rows, row)
	}
	return rows
}

func trmCodeLabel(L *i18n.Localizer, field, c string) string {
	if field == "prs_PreferredLanguage" {
		return L.LanguageName(c)
	}
	list, ok := trmCodeLists[field]
	if !ok {
		return c
	}
	i := slices.IndexFunc(list.Codes, func(k string) bool { return strings.EqualFold(k, c) })
	if i < 0 {
		return c
	}
	if list.Name == "document" {
		return L.T("casepage.trm.document." + list.Codes[i])
	}
	return L.T("code." + list.Name + "." + list.Codes[i])
}
