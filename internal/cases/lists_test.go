package cases_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/audit"
	"github.com/haven-nrm/haven/internal/cases"
	"github.com/haven-nrm/haven/internal/casework"
	"github.com/haven-nrm/haven/internal/demo"
	"github.com/haven-nrm/haven/internal/seal"
	"github.com/haven-nrm/haven/internal/store"
	"github.com/haven-nrm/haven/internal/testenv"
)

// listWorld is a demo instance of 2,400 cases and a service whose clock
// the test sets (it starts at the demo's).
func listWorld(t *testing.T, db *store.DB) (*cases.Service, map[string]access.Principal, *time.Time) {
	ctx := context.Background()
	at := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	if _, err := demo.Generate(ctx, db, demo.Options{Seed: 5, Cases: 2400, Now: at, PasswordParams: &cheap}); err != nil {
		t.Fatal(err)
	}
	keys, err := seal.NewKeyring()
	if err != nil {
		t.Fatal(err)
	}
	now := at
	svc, err := cases.New(db, keys, func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	us, err := db.Users(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ps := map[string]access.Principal{}
	for _, u := range us {
		ps[u.Username] = access.Principal{UserID: u.ID, Role: access.Role(u.Role), AgencyID: u.AgencyID, JurisdictionID: u.JurisdictionID}
	}
	return svc, ps, &now
}

// allCases reads every case of a jurisdiction (or of every one).
func allCases(t *testing.T, db *store.DB, f store.CaseFilter) []store.Case {
	var out []store.Case
	if err := db.EachCase(context.Background(), f, 1_000_000, func(c store.Case) error { out = append(out, c); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestQueueFiltersPagesAndCounts walks the authority's queue, filtered in
// each way the page offers, forwards page by page and back again, and
// holds every page, position and count to the same queue worked out here
// from every case row.
func TestQueueFiltersPagesAndCounts(t *testing.T) {
	testenv.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, ps, clock := listWorld(t, db)
		ca := ps["demo.competent_authority"]
		j, err := db.Jurisdiction(ctx, ca.JurisdictionID)
		if err != nil {
			t.Fatal(err)
		}
		loc := svc.Country(j.Country).Calendar.Location()
		var open []store.Case
		for _, c := range allCases(t, db, store.CaseFilter{JurisdictionID: ca.JurisdictionID}) {
			if c.QueueKey != "" {
				open = append(open, c)
			}
		}
		slices.SortFunc(open, func(a, b store.Case) int { return strings.Compare(a.QueueKey, b.QueueKey) })
		agencies := map[string]int{}
		for _, c := range open {
			agencies[c.AgencyID]++
		}
		var someAgency string
		for a, n := range agencies {
			if n > 20 && (someAgency == "" || a < someAgency) {
				someAgency = a
			}
		}
		queries := []cases.QueueQuery{
			{},
			{Size: 25},
			{Urgent: true},
			{Child: true, Size: 25},
			{Overdue: true, Size: 25},
			{Stage: casework.StageRG, Size: 25},
			{Stage: casework.StageCG, Urgent: true, Size: 25},
			{Stage: casework.StageReview},
			{Agency: someAgency, Size: 25},
			{Agency: someAgency, Child: true, Stage: casework.StageCG, Size: 25},
			{Reference: strings.ToLower(open[0].Reference[:len(open[0].Reference)-2])},
			{Reference: " " + open[3].Reference + " "},
			{Reference: "ZZ-"},
			{Reference: "Maya Gurung"}, // not a reference: nothing
			{Stage: "decided"},         // unknown: ignored
			{Agency: "not-an-agency"},  // not the jurisdiction's: ignored
		}
		seen := map[string]bool{}
		// A week before the demo's clock some decisions are due later,
		// a fortnight after it they are overdue.
		for _, now := range []time.Time{clock.Add(-7 * 24 * time.Hour), clock.Add(14 * 24 * time.Hour)} {
			*clock = now
			for _, q := range queries {
				var want []store.Case
				counts := map[string]int{}
				ref := strings.ToUpper(strings.TrimSpace(q.Reference))
				stage := map[string]int{casework.StageRG: casework.QueueAwaitingRG, casework.StageReview: casework.QueueAwaitingReview, casework.StageCG: casework.QueueAwaitingCG}
				for _, c := range open {
					st, due, urgent, _ := casework.ParseKey(c.QueueKey)
					if s, ok := stage[q.Stage]; ok && st != s || q.Urgent && !urgent || q.Child && !c.Child ||
						q.Overdue && !(st == casework.QueueAwaitingRG && now.After(due)) ||
						q.Agency == someAgency && c.AgencyID != someAgency || !strings.HasPrefix(c.Reference, ref) {
						continue
					}
					want = append(want, c)
					if tag := casework.QueueTag(c.QueueKey, now, loc); tag.Kind != "" {
						counts[tag.Kind]++
					}
					if urgent {
						counts["urgent"]++
					}
				}
				for k, n := range counts {
					seen[k] = seen[k] || n > 0
				}
				// Forwards.
				var got []string
				var pages []*cases.Queue
				cur := q
				for {
					page, err := svc.Queue(ctx, ca, cur)
					if err != nil {
						t.Fatalf("%+v: %v", q, err)
					}
					if err := page.Viewed(); err != nil {
						t.Fatal(err)
					}
					pages = append(pages, page)
					if page.Total != len(want) {
						t.Fatalf("%+v: total %d, want %d", q, page.Total, len(want))
					}
					for k, n := range counts {
						if page.Counts[k] != n {
							t.Errorf("%+v: count %s %d, want %d", q, k, page.Counts[k], n)
						}
					}
					if len(page.Items) > 0 && (page.From != len(got)+1 || page.To != len(got)+len(page.Items)) {
						t.Fatalf("%+v: rows %d–%d, want %d–%d", q, page.From, page.To, len(got)+1, len(got)+len(page.Items))
					}
					if (page.Prev != "") != (len(got) > 0) {
						t.Fatalf("%+v: a previous page (%q) after %d rows", q, page.Prev, len(got))
					}
					size := page.Size
					if len(page.Items) > size {
						t.Fatalf("%+v: %d rows on a page of %d", q, len(page.Items), size)
					}
					for _, it := range page.Items {
						got = append(got, it.Case.ID)
					}
					if page.Next == "" {
						break
					}
					cur.After, cur.Before = page.Next, ""
				}
				var wantIDs []string
				for _, c := range want {
					wantIDs = append(wantIDs, c.ID)
				}
				if !slices.Equal(got, wantIDs) {
					t.Fatalf("%+v: pages hold %d cases, want %d in queue order", q, len(got), len(wantIDs))
				}
				// Backwards from the last page gives the same pages.
				for i := len(pages) - 1; i > 0; i-- {
					cur.After, cur.Before = "", pages[i].Prev
					back, err := svc.Queue(ctx, ca, cur)
					if err != nil {
						t.Fatal(err)
					}
					if err := back.Viewed(); err != nil {
						t.Fatal(err)
					}
					if back.From != pages[i-1].From || back.To != pages[i-1].To || len(back.Items) != len(pages[i-1].Items) ||
						back.Items[0].Case.ID != pages[i-1].Items[0].Case.ID {
						t.Fatalf("%+v: back to rows %d–%d, want %d–%d", q, back.From, back.To, pages[i-1].From, pages[i-1].To)
					}
				}
			}
		}
		for _, k := range []string{casework.TagOverdue, casework.TagDueIn, casework.TagWaitingCG, "urgent"} {
			if !seen[k] {
				t.Errorf("the demo's queue has no case counted %s: that count is untested", k)
			}
		}
		// What is not a reference is neither searched for nor kept for a
		// link, and the audit event says only that a search was made.
		for _, typed := range []string{"Maya Gurung", "NP-1<script>", strings.Repeat("A", 41), "np\x00"} {
			page, err := svc.Queue(ctx, ca, cases.QueueQuery{Reference: typed})
			if err != nil {
				t.Fatal(err)
			}
			if !page.Query.NotReference || page.Query.Reference != "" || page.Total != 0 {
				t.Errorf("a search for %q: %+v, %d cases", typed, page.Query, page.Total)
			}
			if err := page.Viewed(); err != nil {
				t.Fatal(err)
			}
			l, err := svc.CaseList(ctx, ca, cases.CaseListQuery{Reference: typed})
			if err != nil || !l.Query.NotReference || l.Query.Reference != "" || l.Total != 0 {
				t.Errorf("a case-list search for %q: %+v, %d cases, %v", typed, l.Query, l.Total, err)
			}
		}
		// A cursor that is not a queue key starts from the beginning.
		page, err := svc.Queue(ctx, ca, cases.QueueQuery{After: "'; DROP TABLE cases; --"})
		if err != nil || page.From != 1 {
			t.Fatalf("a foreign cursor: %v, from %d", err, page.From)
		}
		_ = page.Viewed()
	})
}

// TestCaseListFiltersAndPages walks the case list of an agency and of a
// jurisdiction, filtered, forwards and back, against the list worked out
// from every row.
func TestCaseListFiltersAndPages(t *testing.T) {
	testenv.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, ps, _ := listWorld(t, db)
		for _, who := range []string{"demo.competent_authority", "demo.case_worker"} {
			p := ps[who]
			agencyID, jurisdictionID := access.CaseListScope(p)
			all := allCases(t, db, store.CaseFilter{AgencyID: agencyID, JurisdictionID: jurisdictionID})
			queries := []cases.CaseListQuery{
				{}, {Size: 25}, {Status: "Active", Size: 100}, {Trafficking: "ActualVictimOfTrafficking", Child: true, Size: 25},
				{Urgent: true}, {Reference: strings.ToLower(all[len(all)/2].Reference[:5])}, {Reference: all[7].Reference},
				{Status: "Nonsense"},
			}
			for _, q := range queries {
				var want []string
				for _, c := range all { // EachCase reads in the list's order
					if q.Status == "Active" && c.Status != "Active" || q.Trafficking != "" && c.TraffickingStatus != q.Trafficking ||
						q.Child && !c.Child || q.Urgent && !c.Urgent || !strings.HasPrefix(c.Reference, strings.ToUpper(q.Reference)) {
						continue
					}
					want = append(want, c.ID)
				}
				var got []string
				var pages []*cases.CaseList
				cur := q
				for {
					l, err := svc.CaseList(ctx, p, cur)
					if err != nil {
						t.Fatal(err)
					}
					if l.Total != len(want) {
						t.Fatalf("%s %+v: total %d, want %d", who, q, l.Total, len(want))
					}
					if len(l.Cases) > 0 && (l.From != len(got)+1 || l.To != len(got)+len(l.Cases)) {
						t.Fatalf("%s %+v: rows %d–%d after %d", who, q, l.From, l.To, len(got))
					}
					pages = append(pages, l)
					for _, c := range l.Cases {
						got = append(got, c.ID)
					}
					if l.Next == "" {
						break
					}
					cur.After, cur.Before = l.Next, ""
				}
				if !slices.Equal(got, want) {
					t.Fatalf("%s %+v: pages hold %d cases, want %d in list order", who, q, len(got), len(want))
				}
				for i := len(pages) - 1; i > 0; i-- {
					cur.After, cur.Before = "", pages[i].Prev
					back, err := svc.CaseList(ctx, p, cur)
					if err != nil {
						t.Fatal(err)
					}
					if back.From != pages[i-1].From || back.Cases[0].ID != pages[i-1].Cases[0].ID {
						t.Fatalf("%s %+v: back to row %d, want %d", who, q, back.From, pages[i-1].From)
					}
				}
			}
		}
	})
}

// TestHomeTilesByRole gives each role the tiles of its own work, decided
// by access.Decide: the authority its decisions by deadline, a case worker
// tasks and offers, the first responder who referred the person that
// referral, an analyst the statistics and nothing of cases.
func TestHomeTilesByRole(t *testing.T) {
	eachWorld(t, false, func(t *testing.T, w *world) {
		kinds := func(h cases.Home) map[string]cases.Tile {
			m := map[string]cases.Tile{}
			for _, tl := range h.Tiles {
				m[tl.Kind] = tl
			}
			return m
		}
		home := func(who string) cases.Home {
			h, err := w.svc.Home(t.Context(), w.as(who))
			if err != nil {
				t.Fatalf("%s: %v", who, err)
			}
			return h
		}
		ca := kinds(home("demo.competent_authority"))
		// The one referral waits for a reasonable-grounds decision, due
		// within the week (the default deadline is days, not weeks).
		if ca[cases.TileDueWeek].N != 1 || ca[cases.TileOverdue].N != 0 || ca[cases.TileReview].N != 0 || ca[cases.TileWaitingCG].N != 0 {
			t.Errorf("authority's tiles %+v", ca)
		}
		if ca[cases.TileOverdue].Href != "/queue?overdue=1" || ca[cases.TileReview].Href != "/queue?stage=review" {
			t.Errorf("authority's tiles lead to %q and %q", ca[cases.TileOverdue].Href, ca[cases.TileReview].Href)
		}
		cw := kinds(home("demo.case_worker"))
		if _, ok := cw[cases.TileTasks]; !ok {
			t.Errorf("a case worker has no tasks tile: %+v", cw)
		}
		if _, ok := cw[cases.TileOffers]; !ok {
			t.Errorf("a case worker has no offers tile: %+v", cw)
		}
		if _, ok := cw[cases.TileOverdue]; ok {
			t.Errorf("a case worker sees the authority's deadlines: %+v", cw)
		}
		fr := home("demo.first_responder")
		if k := kinds(fr); k[cases.TileOverdue].Kind != "" || k[cases.TileTasks].Kind != "" {
			t.Errorf("a first responder sees casework tiles: %+v", k)
		}
		if len(fr.Recent) != 1 || fr.Recent[0].CaseID != w.caseID {
			t.Errorf("the first responder's recent referrals: %+v", fr.Recent)
		}
		an := home("demo.analyst")
		if k := kinds(an); k[cases.TileStats].Href != "/statistics" || k[cases.TileCases].Kind != "" || len(an.Recent) != 0 {
			t.Errorf("an analyst's home: %+v, %d referrals", k, len(an.Recent))
		}
	})
}

// TestQueueCountsFollowWrites: the queue's counts are kept for the second
// they were made in, but a case written meanwhile makes them again — a
// case leaving the queue in the same second (the service's clock does not
// move here) is counted out at once, on both engines.
func TestQueueCountsFollowWrites(t *testing.T) {
	testenv.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, ps, _ := listWorld(t, db)
		ca := ps["demo.competent_authority"]
		first, err := svc.Queue(ctx, ca, cases.QueueQuery{Size: 25})
		if err != nil || len(first.Items) == 0 {
			t.Fatalf("queue: %v", err)
		}
		if again, err := svc.Queue(ctx, ca, cases.QueueQuery{Size: 25}); err != nil || again.Total != first.Total {
			t.Fatalf("the same queue again: %d, want %d (%v)", again.Total, first.Total, err)
		}
		gone := first.Items[0].Case.ID
		if err := db.Write(ctx, func(tx *store.Tx) error {
			if _, err := tx.ExecContext(ctx, `UPDATE cases SET queue_key = NULL WHERE id = $1`, gone); err != nil {
				return err
			}
			return tx.Audit(ctx, audit.Event{Action: "case.close", ObjectType: "case", ObjectID: gone})
		}); err != nil {
			t.Fatal(err)
		}
		after, err := svc.Queue(ctx, ca, cases.QueueQuery{Size: 25})
		if err != nil || after.Total != first.Total-1 || after.Items[0].Case.ID == gone {
			t.Fatalf("after a case left the queue: total %d, want %d (%v)", after.Total, first.Total-1, err)
		}
		// Readers at once share one count (run with -race).
		var wg sync.WaitGroup
		totals := make([]int, 8)
		for i := range totals {
			wg.Go(func() {
				if q, err := svc.Queue(ctx, ca, cases.QueueQuery{Overdue: true}); err == nil {
					totals[i] = q.Total
				}
			})
		}
		wg.Wait()
		if slices.Min(totals) != slices.Max(totals) || totals[0] == 0 {
			t.Fatalf("readers at once counted %v", totals)
		}
		// A page read from a cursor starts where its first row stands.
		next, err := svc.Queue(ctx, ca, cases.QueueQuery{Size: 25, After: after.Next})
		if err != nil || next.From != 26 || next.Total != after.Total {
			t.Fatalf("the second page: rows from %d of %d, want 26 of %d (%v)", next.From, next.Total, after.Total, err)
		}
	})
}
