package stats

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/auth"
	"github.com/haven-nrm/haven/internal/demo"
	"github.com/haven-nrm/haven/internal/disclosure"
	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/seal"
	"github.com/haven-nrm/haven/internal/store"
	"github.com/haven-nrm/haven/internal/testenv"
)

// releaseFixture is a demo instance with a signing key and two people who
// may take part in a release: the demo analyst and the competent
// authority.
func releaseFixture(t *testing.T, db *store.DB, n int) (*Service, access.Principal, access.Principal) {
	t.Helper()
	ctx := context.Background()
	cheap := auth.Params{Time: 1, Memory: 8 * 1024, Threads: 1, KeyLen: 32, SaltLen: 16}
	res, err := demo.Generate(ctx, db, demo.Options{Seed: 14, Cases: n, Now: demoNow, PasswordParams: &cheap})
	if err != nil {
		t.Fatal(err)
	}
	_, key, _ := ed25519.GenerateKey(nil)
	db.SetAuditSigner(&store.AuditSigner{Key: key, KeyID: "test"})
	keys, err := seal.NewKeyring()
	if err != nil {
		t.Fatal(err)
	}
	var a, b access.Principal
	for _, c := range res.Credentials {
		u, err := db.UserByUsername(ctx, c.Username)
		if err != nil {
			t.Fatal(err)
		}
		p := access.Principal{UserID: u.ID, Role: access.Role(u.Role), AgencyID: u.AgencyID, JurisdictionID: u.JurisdictionID}
		switch c.Role {
		case access.Analyst:
			a = p
		case access.CompetentAuthority:
			b = p
		}
	}
	return New(db, keys, func() time.Time { return demoNow }), a, b
}

// TestReleaseTwoPersonSignedImmutable: a release is drafted by one person
// and approved by another (never the same); approval freezes and signs
// it; the signature verifies and fails on altered content; the database
// refuses to change or delete a published release; and no published cell
// is below k.
func TestReleaseTwoPersonSignedImmutable(t *testing.T) {
	testenv.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, analyst, authority := releaseFixture(t, db, 600)
		id, err := s.Draft(ctx, analyst, ReleaseInput{Title: "Referrals 2025", Tables: "gender;age_band,exploitation;quarter", Period: "2025"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.PublishedByID(ctx, id); !errs.Is(err, errs.NotFound) {
			t.Fatalf("a draft is public: %v", err)
		}
		if _, err := s.Approve(ctx, analyst, id); errs.CodeOf[Code](err) != CodeSamePerson {
			t.Fatalf("the drafter approved their own release: %v", err)
		}
		if _, err := s.Draft(ctx, authority, ReleaseInput{Title: "x", Tables: "gender"}); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("the competent authority drafted: %v", err)
		}
		pub, err := s.Approve(ctx, authority, id)
		if err != nil {
			t.Fatal(err)
		}
		if len(pub.Content.Tables) != 3 || pub.State != "published" {
			t.Fatalf("published %+v", pub.Release)
		}
		for _, tab := range pub.Content.Tables {
			for _, r := range tab.Rows {
				for _, c := range append(r.Cells, r.Total) {
					if v, ok := c.Value(); ok && v > 0 && v < int64(pub.Content.K) {
						t.Fatalf("published %d below k", v)
					}
				}
			}
		}
		if err := s.Verify(ctx, id); err != nil {
			t.Fatalf("signature: %v", err)
		}
		tampered := pub.Release
		tampered.Content = strings.Replace(tampered.Content, `"count":`, `"count":1`, 1)
		if err := VerifyRelease(tampered, ""); err == nil {
			t.Fatal("altered content verified")
		}
		if err := VerifyRelease(pub.Release, strings.Repeat("00", 32)); err == nil {
			t.Fatal("a release verified against another key")
		}
		if _, err := s.Approve(ctx, authority, id); errs.CodeOf[Code](err) != CodeNotDraft {
			t.Fatalf("approved twice: %v", err)
		}
		for _, q := range []string{`UPDATE statistics_releases SET title = 'changed' WHERE id = $1`, `DELETE FROM statistics_releases WHERE id = $1`} {
			if _, err := db.RawWriter().ExecContext(ctx, q, id); err == nil {
				t.Fatalf("the database let %q through on a published release", q)
			}
		}
		again, err := s.PublishedByID(ctx, id)
		if err != nil || again.Content.Title != "Referrals 2025" || again.Digest != pub.Digest {
			t.Fatalf("release changed: %v", err)
		}
		csv, err := ReleaseCSV(again.Content)
		if err != nil || !strings.HasPrefix(string(csv), "table,dimensions,row,column,count,withheld\n") {
			t.Fatalf("csv: %v %q", err, csv[:40])
		}
	})
}

// TestEpsilonLedgerRefusesOverBudget: differentially private releases
// spend their ε on every jurisdiction and year they cover; one that
// would pass the budget (1 by default) is refused and nothing is
// published, while releases on other years still fit.
func TestEpsilonLedgerRefusesOverBudget(t *testing.T) {
	testenv.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, analyst, authority := releaseFixture(t, db, 400)
		js, err := db.Jurisdictions(ctx)
		if err != nil {
			t.Fatal(err)
		}
		publish := func(in ReleaseInput) (PublishedRelease, error) {
			id, err := s.Draft(ctx, analyst, in)
			if err != nil {
				return PublishedRelease{}, err
			}
			return s.Approve(ctx, authority, id)
		}
		if _, err := s.Draft(ctx, analyst, ReleaseInput{Title: "dp", Tables: "gender", Method: "dp", Epsilon: "0.5"}); errs.CodeOf[Code](err) != CodeNoPeriod {
			t.Fatalf("dp without a period: %v", err)
		}
		first, err := publish(ReleaseInput{Title: "national 2025", Tables: "gender;exploitation", Period: "2025", Method: "dp", Epsilon: "0.6"})
		if err != nil {
			t.Fatal(err)
		}
		for _, tab := range first.Content.Tables {
			for _, r := range tab.Rows {
				for _, c := range r.Cells {
					if v, ok := c.Value(); ok && v > 0 && v < int64(first.Content.K) {
						t.Fatalf("dp release published %d below k", v)
					}
				}
			}
		}
		// A jurisdiction's release in 2025 now has 0.4 left.
		_, err = publish(ReleaseInput{Title: "one place 2025", Tables: "gender", Period: "2025", Jurisdiction: js[0].ID, Method: "dp", Epsilon: "0.5"})
		if errs.CodeOf[disclosure.Code](err) != disclosure.CodeBudget {
			t.Fatalf("over-budget release: %v", err)
		}
		desk, _ := s.Desk(ctx, authority)
		if len(desk.Drafts) != 1 {
			t.Fatalf("the refused release should stay a draft: %d drafts", len(desk.Drafts))
		}
		if _, err := publish(ReleaseInput{Title: "one place 2025", Tables: "gender", Period: "2025", Jurisdiction: js[0].ID, Method: "dp", Epsilon: "0.4"}); err != nil {
			t.Fatalf("a release within budget: %v", err)
		}
		if _, err := publish(ReleaseInput{Title: "2024", Tables: "gender", Period: "2024", Method: "dp", Epsilon: "1"}); err != nil {
			t.Fatalf("another year's budget: %v", err)
		}
		if _, err := publish(ReleaseInput{Title: "2024-25", Tables: "gender", Period: "2024..2025", Method: "dp", Epsilon: "0.01"}); errs.CodeOf[disclosure.Code](err) != disclosure.CodeBudget {
			t.Fatalf("a release spanning spent years: %v", err)
		}
		// Suppression-only releases spend nothing.
		if _, err := publish(ReleaseInput{Title: "plain", Tables: "gender", Period: "2025"}); err != nil {
			t.Fatal(err)
		}
	})
}

func TestCheckRelease(t *testing.T) {
	bad := map[Code]ReleaseInput{
		CodeTitle:  {Title: " ", Tables: "gender"},
		CodeMethod: {Title: "t", Tables: "gender", Method: "magic"},
		CodeTables: {Title: "t", Tables: ";;"},
	}
	for code, in := range bad {
		if _, _, _, err := checkRelease(in); errs.CodeOf[Code](err) != code {
			t.Errorf("%+v: %v, want %s", in, err, code)
		}
	}
	if _, _, _, err := checkRelease(ReleaseInput{Title: "t", Tables: "gender", Period: "2025", Method: "dp", Epsilon: "-1"}); errs.CodeOf[disclosure.Code](err) != disclosure.CodeEpsilon {
		t.Errorf("negative ε: %v", err)
	}
	if _, _, _, err := checkRelease(ReleaseInput{Title: "t", Tables: "name", Period: "2025"}); errs.CodeOf[Code](err) != CodeDimension {
		t.Errorf("unknown dimension: %v", err)
	}
}

// TestReleaseCellsMatchStatCells: a release counts all its tables in one
// pass over the cases; each table's cells are exactly those of its own
// GROUP BY (StatCells) — counts and cell keys — for every dimension, the
// year and quarter, the sector's join, a period and a jurisdiction.
func TestReleaseCellsMatchStatCells(t *testing.T) {
	testenv.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		releaseFixture(t, db, 400)
		js, err := db.Jurisdictions(ctx)
		if err != nil {
			t.Fatal(err)
		}
		specs := []string{"year", "gender,age_band", "exploitation,citizenship", "jurisdiction,decision", "sector,status", "quarter,gender,sector", ""}
		for _, c := range []struct{ period, jurisdiction string }{{"", ""}, {"2025", ""}, {"2024..2026", js[0].ID}} {
			var qs []Query
			for _, s := range specs {
				q, err := ParseTable(TableInput{By: s, Period: c.period})
				if err != nil {
					t.Fatal(err)
				}
				qs = append(qs, q)
			}
			var got, want [][]store.StatRow
			err := db.Write(ctx, func(tx *store.Tx) error {
				var err error
				got, err = releaseCells(ctx, tx, qs, c.jurisdiction)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			// Nothing writes meanwhile: the read pool sees what the
			// transaction saw.
			for _, q := range qs {
				rows, err := db.StatCells(ctx, store.StatQuery{Dims: q.Dims, From: q.From, To: q.To, JurisdictionID: c.jurisdiction})
				if err != nil {
					t.Fatal(err)
				}
				want = append(want, rows)
			}
			for i := range qs {
				norm := func(rows []store.StatRow) []string {
					var out []string
					for _, r := range rows {
						out = append(out, fmt.Sprintf("%q %d %d", r.Values, r.Count, r.KeySum))
					}
					slices.Sort(out)
					return out
				}
				g, w := norm(got[i]), norm(want[i])
				if !slices.Equal(g, w) {
					t.Fatalf("period %q jurisdiction %q table %q: one pass gives\n%v\nGROUP BY gives\n%v", c.period, c.jurisdiction, specs[i], g, w)
				}
				if len(w) == 0 && c.period == "" {
					t.Fatalf("table %q has no cells: the test checks nothing", specs[i])
				}
			}
		}
	})
}
