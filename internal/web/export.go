package web

import (
	"bytes"
	"net/http"
	"time"

	"github.com/haven-nrm/haven/internal/cases"
	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/export"
)

// exportCases exports the coded case list of the principal's scope as CSV
// or XLSX. It needs a recent proof of identity, writes coded values only
// (no names, no free text), neutralises anything a spreadsheet could run,
// and is audited with its format and row count. Without a format it shows
// the choice.
func (s *Server) exportCases(w http.ResponseWriter, r *http.Request) error {
	if ok, err := s.requireRecentAuth(w, r); !ok || err != nil {
		return err
	}
	format := r.URL.Query().Get("format")
	if format == "" {
		return s.render(w, http.StatusOK, "export", s.newPage(r, "export.title", "cases", nil))
	}
	if format != "csv" && format != "xlsx" {
		return errs.Field("format", "export.error.format", nil)
	}
	L := s.localizer(r)
	t := export.Table{Header: []string{L.T("case.reference"), L.T("case.status"), L.T("case.trafficking_status"), L.T("decision.state"),
		L.T("case.gender"), L.T("case.age_band"), L.T("case.citizenship"), L.T("case.exploitation"), L.T("referral.urgent"), L.T("case.created")}}
	var buf bytes.Buffer
	ctype := "text/csv; charset=utf-8"
	if format == "xlsx" {
		ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	err := s.cases.ExportCases(r.Context(), principal(r), format, func(rows []cases.ExportRow) error {
		for _, x := range rows {
			c := x.Case
			urgent := ""
			if c.Urgent {
				urgent = L.T("case.urgent")
			}
			t.Rows = append(t.Rows, []string{c.Reference, L.T("code.case_status." + c.Status), L.T("code.trafficking_status." + c.TraffickingStatus),
				L.T("code.cw_state." + x.State), L.T("code.gender." + c.Gender), c.AgeBand, c.Citizenship, L.T("code.exploitation." + c.Exploitation),
				urgent, L.Local(x.Created).Format(time.DateOnly)})
		}
		var err error
		if format == "csv" {
			err = export.WriteCSV(&buf, t)
		} else {
			err = export.WriteXLSX(&buf, t, "Cases")
		}
		if err != nil {
			return errs.Wrap(errs.Invalid, err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return writeAttachment(w, ctype, "haven-cases-"+s.Now().UTC().Format("20060102")+"."+format, buf.Bytes())
}
