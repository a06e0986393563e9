package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/casework"
	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/export"
	"github.com/haven-nrm/haven/internal/store"
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
	agencyID, jurisdictionID := access.CaseListScope(principal(r))
	err := s.DB.EachCase(r.Context(), store.CaseFilter{AgencyID: agencyID, JurisdictionID: jurisdictionID}, export.MaxRows, func(c store.Case) error {
		state := string(casework.StateReferred)
		var rec casework.Record
		if c.Decision != "" && json.Unmarshal([]byte(c.Decision), &rec) == nil {
			state = string(rec.State)
		}
		urgent := ""
		if c.Urgent {
			urgent = L.T("case.urgent")
		}
		t.Rows = append(t.Rows, []string{c.Reference, L.T("code.case_status." + c.Status), L.T("code.trafficking_status." + c.TraffickingStatus),
			L.T("code.cw_state." + state), L.T("code.gender." + c.Gender), c.AgeBand, c.Citizenship, L.T("code.exploitation." + c.Exploitation),
			urgent, store.FromMillis(c.CreatedAt).Format(time.DateOnly)})
		return nil
	})
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	ctype := "text/csv; charset=utf-8"
	if format == "csv" {
		err = export.WriteCSV(&buf, t)
	} else {
		ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
		err = export.WriteXLSX(&buf, t, "Cases")
	}
	if err != nil {
		return errs.Wrap(errs.Invalid, err)
	}
	if err := s.DB.Write(r.Context(), func(tx *store.Tx) error {
		return tx.Audit(r.Context(), s.event(r, "case.export", "case_list", "scope", map[string]string{"format": format,
			"rows": strconv.Itoa(len(t.Rows))}))
	}); err != nil {
		return err
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", `attachment; filename="haven-cases-`+s.Now().UTC().Format("20060102")+`.`+format+`"`)
	w.Header().Set("Cache-Control", "no-store")
	_, err = w.Write(buf.Bytes())
	return err
}
