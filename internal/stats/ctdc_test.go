package stats

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/errs"
)

// TestCTDCExportKAnonymous: the export has one row per identified person
// not withheld, every combination of its six quasi-identifiers occurs at
// least k = 11 times, the report says what was generalised and withheld,
// and only analysts may run it.
func TestCTDCExportKAnonymous(t *testing.T) {
	const n = 1500
	eachFixture(t, n, func(t *testing.T, s *Service) {
		ctx := t.Context()
		var buf bytes.Buffer
		rep, err := s.ExportCTDC(ctx, analyst, &buf)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(&buf).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(rows[0], ",") != strings.Join(CTDCColumns, ",") {
			t.Fatalf("header %v", rows[0])
		}
		classes := map[string]int{}
		for _, r := range rows[1:] {
			classes[strings.Join(r[:6], "|")]++
		}
		for c, m := range classes {
			if m < 11 {
				t.Fatalf("combination %q occurs %d times", c, m)
			}
		}
		var identified int
		if err := s.db.R().QueryRowContext(ctx, `SELECT count(*) FROM cases WHERE rg_outcome = 'positive' OR trafficking_status = 'ActualVictimOfTrafficking'`).Scan(&identified); err != nil {
			t.Fatal(err)
		}
		if rep.K != 11 || rep.Records != len(rows)-1 || rep.Records+rep.Withheld != identified || identified == 0 {
			t.Fatalf("report %+v, %d rows, %d identified", rep, len(rows)-1, identified)
		}
		if float64(rep.Withheld) > CTDCMaxWithheld*float64(identified) && rep.Levels["gender"] == 0 {
			t.Fatalf("withheld %d of %d while gender was still as recorded", rep.Withheld, identified)
		}
		generalised := 0
		for _, l := range rep.Levels {
			generalised += l
		}
		if generalised == 0 {
			t.Fatalf("%d demo cases are k-anonymous as recorded: the test checks nothing", n)
		}
		t.Logf("%d cases: %+v", n, rep)
		if _, err := fixtureService(s.db).ExportCTDC(ctx, access.Principal{UserID: "u", Role: access.CompetentAuthority}, &bytes.Buffer{}); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("the competent authority ran the CTDC export: %v", err)
		}
	})
}
