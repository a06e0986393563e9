package store_test

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/haven-nrm/haven/internal/casework"
	"github.com/haven-nrm/haven/internal/store"
	"github.com/haven-nrm/haven/internal/testenv"
)

// oldDecision is a decision record as Haven stored it before migration
// 0013: members named as Go names them.
const oldDecision = `{"CaseID":"c0000000000000000000000000000001","Country":"ZZ","Child":false,"Version":3,"State":"cg_positive",` +
	`"TraffickingStatus":"ActualVictimOfTrafficking","ReferredAt":"2026-01-05T09:00:00Z","RGClockStart":"2026-01-05T09:00:00Z",` +
	`"RGDeadline":"2026-01-10T23:59:59Z","ReasonableGrounds":{"Outcome":"positive","Positive":true,"By":"u1",` +
	`"At":"2026-01-06T10:00:00Z","EffectiveAt":"2026-01-06T10:00:00Z"},"Conclusive":{"Outcome":"victim_of_trafficking",` +
	`"Positive":true,"By":"u2","At":"2026-03-01T10:00:00.5Z","EffectiveAt":"2026-03-01T10:00:00.5Z"},"Review":{"By":"",` +
	`"At":"0001-01-01T00:00:00Z","Outcome":""},"Consultations":[{"Party":"police","By":"u1","At":"2026-02-01T10:00:00Z"}],` +
	`"Reconsideration":{"Stage":"","Of":{"Outcome":"","Positive":false,"By":"","At":"0001-01-01T00:00:00Z",` +
	`"EffectiveAt":"0001-01-01T00:00:00Z"},"By":"","At":"0001-01-01T00:00:00Z"},"Period":{"Start":"2026-01-06T10:00:00Z",` +
	`"End":"2026-02-20T23:59:59Z","MinimumDays":45,"UntilConclusive":true},"UpdatedAt":"2026-03-01T10:00:00.5Z"}`

const oldInvestigation = `{"id":"i0000000000000000000000000000001","case_id":"c0000000000000000000000000000001","agency":"a0000000000000000000000000000001",` +
	`"status":"closed_prosecuted","charges":[{"id":"ch1","suspect_id":"s1","provision":"ZZ-PC-1","offence":"trafficking_in_persons"},` +
	`{"id":"ch2","suspect_id":"s1","offence":"pimping"}],"proceedings":[{"id":"p1","charge_id":"ch1","stage":"verdict","outcome":"convicted",` +
	`"at":"2026-05-01T00:00:00Z","by":"u3"}],"version":4}`

const oldService = `{"id":"h0000000000000000000000000000001","name":"Shelter","type":"short_term_shelter","status":"active"}`

// seedOldShape builds a database at schema 12 holding a case, an
// investigation and a directory service as the previous Haven wrote them.
func seedOldShape(t *testing.T, e testenv.Engine) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, e.Fresh(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.MigrateTo(ctx, 12); err != nil {
		t.Fatal(err)
	}
	if v, _ := db.SchemaVersion(ctx); v != 12 {
		t.Fatalf("schema %d, want 12", v)
	}
	const j, a, c, c2 = "j0000000000000000000000000000001", "a0000000000000000000000000000001",
		"c0000000000000000000000000000001", "c0000000000000000000000000000002"
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO jurisdictions (id, code, country, name, timezone, created_at) VALUES ($1, 'ZZ-1', 'ZZ', 'Test', 'UTC', 1)`, []any{j}},
		{`INSERT INTO agencies (id, jurisdiction_id, kind, name, created_at) VALUES ($1, $2, 'police', 'Police', 1)`, []any{a, j}},
		{`INSERT INTO cases (id, reference, jurisdiction_id, agency_id, status, trafficking_status, gender, age_band, citizenship,
			exploitation, created_at, updated_at, decision) VALUES ($1, 'R-1', $2, $3, 'Active', 'ActualVictimOfTrafficking',
			'Feminine', '18-24', 'NP', 'labour', 1, 1, $4)`, []any{c, j, a, oldDecision}},
		{`INSERT INTO cases (id, reference, jurisdiction_id, agency_id, status, trafficking_status, gender, age_band, citizenship,
			exploitation, created_at, updated_at) VALUES ($1, 'R-2', $2, $3, 'Active', 'PossibleVictimOfTrafficking',
			'Feminine', '18-24', 'NP', 'labour', 1, 1)`, []any{c2, j, a}},
		{`INSERT INTO investigations (id, case_id, agency_id, record, version, created_at, updated_at) VALUES ($1, $2, $3, $4, 4, 1, 1)`,
			[]any{"i0000000000000000000000000000001", c, a, oldInvestigation}},
		{`INSERT INTO hsds_organizations (id, agency_id, name, description, created_at) VALUES ('o1', $1, 'Org', '', 1)`, []any{a}},
		{`INSERT INTO hsds_services (id, organization_id, record, type, status, version, updated_at)
			VALUES ('h0000000000000000000000000000001', 'o1', $1, 'short_term_shelter', 'active', 1, 1)`, []any{oldService}},
	} {
		if _, err := db.RawWriter().ExecContext(ctx, q.sql, q.args...); err != nil {
			t.Fatalf("%s: %v", q.sql, err)
		}
	}
	return db
}

// migratedOldShape is seedOldShape's database migrated to the latest
// schema.
func migratedOldShape(t *testing.T, e testenv.Engine) *store.DB {
	t.Helper()
	db := seedOldShape(t, e)
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}

// writeSeededDocs saves decision as the decision of the second seeded case
// and record as the seeded investigation's record, through the store's own
// writes.
func writeSeededDocs(t *testing.T, db *store.DB, decision, record string) {
	t.Helper()
	ctx := context.Background()
	c2, err := db.Case(ctx, "c0000000000000000000000000000002")
	if err != nil {
		t.Fatal(err)
	}
	u := c2.Update()
	u.Decision = decision
	invs, err := store.Investigations(ctx, db.R(), "c0000000000000000000000000000001")
	if err != nil || len(invs) != 1 {
		t.Fatalf("investigations: %v %v", invs, err)
	}
	inv := invs[0]
	inv.Record = record
	if err := db.WriteBookkeeping(ctx, store.TestFixture, func(tx *store.Tx) error {
		if err := tx.UpdateCase(ctx, u); err != nil {
			return err
		}
		return tx.SaveInvestigation(ctx, inv)
	}); err != nil {
		t.Fatal(err)
	}
}

// ms is the Unix time in milliseconds of an RFC 3339 time.
func ms(s string) int64 { x, _ := time.Parse(time.RFC3339Nano, s); return x.UnixMilli() }

func jsonEqual(t *testing.T, a, b string) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal([]byte(a), &x); err != nil {
		t.Fatalf("%v: %s", err, a)
	}
	if err := json.Unmarshal([]byte(b), &y); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	return reflect.DeepEqual(x, y)
}

// Migration 0013 renames the decision record's members to snake_case and
// stamps doc_version on the object documents, on both engines, from rows in
// the previous shape; the current code reads the result.
func TestMigrateDocumentNames(t *testing.T) {
	testenv.OnEachEngine(t, func(t *testing.T, e testenv.Engine) {
		ctx := context.Background()
		db := migratedOldShape(t, e)
		var decision, empty, inv, svc string
		r := db.R()
		if err := r.QueryRowContext(ctx, `SELECT decision FROM cases WHERE reference = 'R-1'`).Scan(&decision); err != nil {
			t.Fatal(err)
		}
		if err := r.QueryRowContext(ctx, `SELECT decision FROM cases WHERE reference = 'R-2'`).Scan(&empty); err != nil || empty != "" {
			t.Fatalf("a case without a decision record: %q, %v", empty, err)
		}
		if err := r.QueryRowContext(ctx, `SELECT record FROM investigations`).Scan(&inv); err != nil {
			t.Fatal(err)
		}
		if err := r.QueryRowContext(ctx, `SELECT record FROM hsds_services`).Scan(&svc); err != nil {
			t.Fatal(err)
		}
		for _, doc := range []string{decision, inv, svc} {
			if !strings.HasPrefix(doc, `{"doc_version":2,`) {
				t.Errorf("document does not start with its version: %.60s", doc)
			}
		}
		for _, old := range []string{"CaseID", "RGDeadline", "EffectiveAt", "MinimumDays", "Party"} {
			if strings.Contains(decision, `"`+old+`"`) {
				t.Errorf("decision record still names %s: %s", old, decision)
			}
		}
		// The objects already snake_case are unchanged but for the version.
		if !jsonEqual(t, inv, `{"doc_version":2,`+oldInvestigation[1:]) || !jsonEqual(t, svc, `{"doc_version":2,`+oldService[1:]) {
			t.Errorf("investigation or service changed:\n%s\n%s", inv, svc)
		}
		// The current type reads the migrated record as the old one meant.
		var rec casework.Record
		if err := json.Unmarshal([]byte(decision), &rec); err != nil {
			t.Fatal(err)
		}
		at := func(s string) time.Time { x, _ := time.Parse(time.RFC3339Nano, s); return x }
		want := casework.Record{CaseID: "c0000000000000000000000000000001", Country: "ZZ", Version: 3, State: casework.StateCGPositive,
			TraffickingStatus: casework.StatusActual, ReferredAt: at("2026-01-05T09:00:00Z"), RGClockStart: at("2026-01-05T09:00:00Z"),
			RGDeadline:        at("2026-01-10T23:59:59Z"),
			ReasonableGrounds: casework.DecisionEntry{Outcome: "positive", Positive: true, By: "u1", At: at("2026-01-06T10:00:00Z"), EffectiveAt: at("2026-01-06T10:00:00Z")},
			Conclusive: casework.DecisionEntry{Outcome: "victim_of_trafficking", Positive: true, By: "u2", At: at("2026-03-01T10:00:00.5Z"),
				EffectiveAt: at("2026-03-01T10:00:00.5Z")},
			Consultations: []casework.ConsultationEntry{{Party: "police", By: "u1", At: at("2026-02-01T10:00:00Z")}},
			Period:        casework.Period{Start: at("2026-01-06T10:00:00Z"), End: at("2026-02-20T23:59:59Z"), MinimumDays: 45, UntilConclusive: true},
			UpdatedAt:     at("2026-03-01T10:00:00.5Z")}
		if !reflect.DeepEqual(rec, want) {
			t.Errorf("migrated record reads as\n%+v\nwant\n%+v", rec, want)
		}
		// Writing the record again keeps the form.
		if again, err := store.StampDoc(decision); err != nil || again != decision {
			t.Errorf("stamping a current document changed it: %v", err)
		}
	})
}

// The store stamps a document on write: first member doc_version, whatever
// the encoder gave, and only once.
func TestStampDoc(t *testing.T) {
	for in, want := range map[string]string{
		``:                              ``,
		`{}`:                            `{"doc_version":2}`,
		`{"a":1}`:                       `{"doc_version":2,"a":1}`,
		`{"doc_version":2,"a":1}`:       `{"doc_version":2,"a":1}`,
		`{"b":2,"doc_version":1,"a":1}`: `{"doc_version":2,"a":1,"b":2}`,
		`{"doc_version":1}`:             `{"doc_version":2}`,
	} {
		if got, err := store.StampDoc(in); err != nil || got != want {
			t.Errorf("stamp %s = %s, %v; want %s", in, got, err, want)
		}
	}
	if _, err := store.StampDoc(`[1]`); err == nil {
		t.Error("a list was stamped")
	}
}

// Migration 0014 fills the statistics columns from the documents, and the
// store functions that write the documents keep them in step.
func TestStatisticsColumns(t *testing.T) {
	testenv.OnEachEngine(t, func(t *testing.T, e testenv.Engine) {
		ctx := context.Background()
		db := migratedOldShape(t, e)
		type facts struct {
			State, RGOutcome, CGOutcome          string
			RGAt, RGEffective, CGAt, CGEffective *int64
		}
		caseFacts := func(ref string) facts {
			var f facts
			if err := db.R().QueryRowContext(ctx, `SELECT decision_state, rg_outcome, rg_decided_at, rg_effective_at, cg_outcome,
					cg_decided_at, cg_effective_at FROM cases WHERE reference = $1`, ref).Scan(&f.State, &f.RGOutcome, &f.RGAt, &f.RGEffective,
				&f.CGOutcome, &f.CGAt, &f.CGEffective); err != nil {
				t.Fatal(err)
			}
			return f
		}
		eq := func(p *int64, want int64) bool { return p != nil && *p == want }
		f := caseFacts("R-1")
		if f.State != "cg_positive" || f.RGOutcome != "positive" || !eq(f.RGAt, ms("2026-01-06T10:00:00Z")) ||
			!eq(f.RGEffective, ms("2026-01-06T10:00:00Z")) || f.CGOutcome != "victim_of_trafficking" ||
			!eq(f.CGAt, ms("2026-03-01T10:00:00.5Z")) || !eq(f.CGEffective, ms("2026-03-01T10:00:00.5Z")) {
			t.Errorf("backfilled decision columns: %+v", f)
		}
		if f := caseFacts("R-2"); f != (facts{}) {
			t.Errorf("a case without a decision record has decision columns: %+v", f)
		}
		charges := func() string {
			rows, err := db.R().QueryContext(ctx, `SELECT charge_id, case_id, provision, offence, stage, outcome FROM investigation_charges
					ORDER BY charge_id`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var out []string
			for rows.Next() {
				var a, b, c, d, e, f string
				if err := rows.Scan(&a, &b, &c, &d, &e, &f); err != nil {
					t.Fatal(err)
				}
				out = append(out, strings.Join([]string{a, b[:1], c, d, e, f}, "|"))
			}
			return strings.Join(out, " ")
		}
		invStatus := func() string {
			var s string
			if err := db.R().QueryRowContext(ctx, `SELECT status FROM investigations`).Scan(&s); err != nil {
				t.Fatal(err)
			}
			return s
		}
		if got, want := charges(), "ch1|c|ZZ-PC-1|trafficking_in_persons|verdict|convicted ch2|c||pimping||"; got != want || invStatus() != "closed_prosecuted" {
			t.Errorf("backfilled charges %q (want %q), status %q", got, want, invStatus())
		}

		// Writes keep the columns with their documents.
		writeSeededDocs(t, db,
			`{"case_id":"c0000000000000000000000000000002","state":"rg_negative_pending_review",`+
				`"reasonable_grounds":{"outcome":"negative","at":"2026-04-01T08:00:00Z","effective_at":"0001-01-01T00:00:00Z"}}`,
			`{"id":"i0000000000000000000000000000001","status":"open","charges":[{"id":"ch3","suspect_id":"s1","offence":"forced_labour"}],`+
				`"proceedings":[{"charge_id":"ch3","stage":"verdict","outcome":"acquitted"},{"charge_id":"ch3","stage":"appeal"}]}`)
		f = caseFacts("R-2")
		if f.State != "rg_negative_pending_review" || f.RGOutcome != "negative" || !eq(f.RGAt, ms("2026-04-01T08:00:00Z")) ||
			f.RGEffective != nil || f.CGOutcome != "" || f.CGAt != nil {
			t.Errorf("decision columns after a write: %+v", f)
		}
		if got, want := charges(), "ch3|c||forced_labour|appeal|acquitted"; got != want || invStatus() != "open" {
			t.Errorf("charges after a write %q (want %q), status %q", got, want, invStatus())
		}
	})
}

// Migration 0056 fills the process-measure columns from the documents —
// the reasonable-grounds deadline, whether a reconsideration was asked, the
// country of exploitation (the jurisdiction's without a referral event) —
// and the store's writes keep them, and the charges' compensation state, in
// step with their documents.
func TestMeasureColumns(t *testing.T) {
	testenv.OnEachEngine(t, func(t *testing.T, e testenv.Engine) {
		ctx := context.Background()
		db := seedOldShape(t, e)
		if _, err := db.MigrateTo(ctx, 55); err != nil {
			t.Fatal(err)
		}
		// R-2 came from a referral that recorded where the person was
		// exploited.
		for _, q := range []string{
			`INSERT INTO users (id, username, display_name, password_hash, role, agency_id, created_at, updated_at)
				VALUES ('u0000000000000000000000000000001', 'fr', 'FR', '', 'first_responder', 'a0000000000000000000000000000001', 1, 1)`,
			`INSERT INTO referrals (id, reference, kind, case_id, jurisdiction_id, receiving_agency_id, referring_agency_id, referring_user_id,
				sector, consent, consent_language, child, urgent, needs, classification, protocol_verdict, indicators_verdict, facts, status, created_at)
				VALUES ('r0000000000000000000000000000001', 'R-X', 'referral', 'c0000000000000000000000000000002', 'j0000000000000000000000000000001',
				'a0000000000000000000000000000001', 'a0000000000000000000000000000001', 'u0000000000000000000000000000001', 'ngo', 'given', 'en', 0, 0,
				'', '', '', '', '{"events":[{"type":"Recruitment","country":"NP"},{"type":"Exploitation","country":"MY"}],"age_band":"18-20"}', 'received', 1)`,
		} {
			if err := db.WriteBookkeeping(ctx, store.TestFixture, func(tx *store.Tx) error { _, err := tx.ExecContext(ctx, q); return err }); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		read := func(ref string) (deadline *int64, reconsidered int, country string) {
			if err := db.R().QueryRowContext(ctx, `SELECT rg_deadline_at, reconsidered, exploitation_country FROM cases WHERE reference = $1`, ref).
				Scan(&deadline, &reconsidered, &country); err != nil {
				t.Fatal(err)
			}
			return
		}
		if d, r, c := read("R-1"); d == nil || *d != ms("2026-01-10T23:59:59Z") || r != 0 || c != "ZZ" {
			t.Errorf("backfilled R-1: deadline %v, reconsidered %d, country %q", d, r, c)
		}
		if d, r, c := read("R-2"); d != nil || r != 0 || c != "MY" {
			t.Errorf("backfilled R-2: deadline %v, reconsidered %d, country %q", d, r, c)
		}

		writeSeededDocs(t, db,
			`{"case_id":"c0000000000000000000000000000002","state":"reconsideration_requested","rg_deadline":"2026-04-20T23:59:59Z",`+
				`"reconsideration":{"stage":"reasonable_grounds","by":"u1","at":"2026-04-10T08:00:00Z"}}`,
			`{"id":"i0000000000000000000000000000001","status":"closed_prosecuted","charges":[{"id":"ch3","suspect_id":"s1","offence":"trafficking"}],`+
				`"proceedings":[{"charge_id":"ch3","stage":"verdict","outcome":"convicted"}],`+
				`"compensation":[{"id":"k1","charge_id":"ch3","ordered":{"amount":100,"currency":"USD"},"paid":40,"state":"partially_paid"}]}`)
		if d, r, _ := read("R-2"); d == nil || *d != ms("2026-04-20T23:59:59Z") || r != 1 {
			t.Errorf("after a write R-2: deadline %v, reconsidered %d", d, r)
		}
		var comp string
		if err := db.R().QueryRowContext(ctx, `SELECT compensation FROM investigation_charges WHERE charge_id = 'ch3'`).Scan(&comp); err != nil || comp != "partially_paid" {
			t.Errorf("compensation column %q (%v)", comp, err)
		}
	})
}
