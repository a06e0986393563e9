// Package bench measures Haven's write path against the raw database engine
// in the same run, with the same durability settings, so the cost of Haven's
// own layers is a ratio rather than a guess.
package bench

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/haven-nrm/haven/internal/store"
)

// Options control a run.
type Options struct {
	Duration    time.Duration
	Concurrency int
}

// Result is one measured path.
type Result struct {
	Name       string  `json:"name"`
	Ops        int64   `json:"ops"`
	Errors     int64   `json:"errors"`
	Seconds    float64 `json:"seconds"`
	OpsPerSec  float64 `json:"ops_per_sec"`
	P50Millis  float64 `json:"p50_ms"`
	P99Millis  float64 `json:"p99_ms"`
	MaxMillis  float64 `json:"max_ms"`
	Underlying string  `json:"underlying,omitempty"`
	FirstError string  `json:"first_error,omitempty"`
}

// Report is a whole run.
type Report struct {
	Engine      string   `json:"engine"`
	Durability  string   `json:"durability"`
	Concurrency int      `json:"concurrency"`
	Results     []Result `json:"results"`
	// Ratios compare each Haven path with the raw path it rests on
	// (Haven ops/s ÷ raw ops/s).
	Ratios map[string]float64 `json:"ratios"`
	// Checks hold the measured values against the targets.
	Checks []Check `json:"checks,omitempty"`
}

// Check is one measured value against its limit (at most).
type Check struct {
	Name  string  `json:"name"`
	Value float64 `json:"value"`
	Limit float64 `json:"limit"`
	Unit  string  `json:"unit"`
	Met   bool    `json:"met"`
}

// AtMost checks that value is no more than limit.
func AtMost(name string, value, limit float64, unit string) Check {
	return Check{Name: name, Value: value, Limit: limit, Unit: unit, Met: value <= limit}
}

// Measure runs op from o.Concurrency goroutines for o.Duration.
func Measure(ctx context.Context, name string, o Options, op func(ctx context.Context, worker int, i int64) error) Result {
	ctx, cancel := context.WithTimeout(ctx, o.Duration)
	defer cancel()
	var ops, fails atomic.Int64
	var firstErr atomic.Value
	lat := make([][]time.Duration, o.Concurrency)
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < o.Concurrency; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := int64(0); ctx.Err() == nil; i++ {
				t := time.Now()
				err := op(ctx, w, i)
				if ctx.Err() != nil {
					return // the deadline cut this operation short: not counted
				}
				if err != nil {
					fails.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
					continue
				}
				lat[w] = append(lat[w], time.Since(t))
				ops.Add(1)
			}
		}(w)
	}
	wg.Wait()
	secs := time.Since(start).Seconds()
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	pct := func(p float64) float64 {
		if len(all) == 0 {
			return 0
		}
		return float64(all[min(len(all)-1, int(p*float64(len(all))))].Microseconds()) / 1000
	}
	r := Result{Name: name, Ops: ops.Load(), Errors: fails.Load(), Seconds: secs, P50Millis: pct(.50), P99Millis: pct(.99)}
	if fe, ok := firstErr.Load().(string); ok {
		r.FirstError = fe
	}
	if len(all) > 0 {
		r.MaxMillis = float64(all[len(all)-1].Microseconds()) / 1000
	}
	if secs > 0 {
		r.OpsPerSec = float64(r.Ops) / secs
	}
	return r
}

// Prepare readies a benchmark database: the raw table and one synthetic
// jurisdiction and agency for Haven's path. The database must be empty or
// a previous benchmark database, so that a benchmark never writes into
// real data.
func Prepare(ctx context.Context, db *store.DB) (jurisdictionID, agencyID string, err error) {
	v, err := db.SchemaVersion(ctx)
	if err != nil {
		return "", "", err
	}
	if v > 0 {
		if val, ok, err := db.Setting(ctx, "bench"); err != nil || !ok || val != "true" {
			return "", "", fmt.Errorf("the database holds data that is not from a benchmark: use an empty database for haven bench")
		}
	}
	if _, err := db.Migrate(ctx); err != nil {
		return "", "", err
	}
	if _, err := db.RawWriter().ExecContext(ctx, `CREATE TABLE IF NOT EXISTS bench_raw (id TEXT PRIMARY KEY, payload TEXT NOT NULL, created_at BIGINT NOT NULL)`); err != nil {
		return "", "", err
	}
	jurisdictionID, agencyID = store.NewID(), store.NewID()
	err = db.WriteBookkeeping(ctx, store.Benchmark, func(tx *store.Tx) error {
		if err := tx.SetSetting(ctx, "bench", "true"); err != nil {
			return err
		}
		now := store.Millis(tx.Now)
		if err := tx.InsertJurisdiction(ctx, store.Jurisdiction{ID: jurisdictionID, Code: "BENCH-" + jurisdictionID[:8], Country: "ZZ",
			Name: "Benchmark (synthetic)", Timezone: "UTC", Synthetic: true, CreatedAt: now}); err != nil {
			return err
		}
		return tx.InsertAgency(ctx, store.Agency{ID: agencyID, JurisdictionID: jurisdictionID, Kind: "ngo",
			Name: "Benchmark agency (synthetic)", Synthetic: true, CreatedAt: now})
	})
	return jurisdictionID, agencyID, err
}

// RawInsert is the raw engine's durable single-row commit: one INSERT in its
// own transaction on the same connection pool and settings Haven uses.
func RawInsert(db *store.DB) func(ctx context.Context, w int, i int64) error {
	return func(ctx context.Context, w int, i int64) error {
		tx, err := db.RawWriter().BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO bench_raw (id, payload, created_at) VALUES ($1, $2, $3)`,
			store.NewID(), "synthetic benchmark row", time.Now().UnixMilli()); err != nil {
			tx.Rollback()
			return err
		}
		return tx.Commit()
	}
}

// HavenCreateCase is Haven's write path for a minimal record: a coded case
// through the store layer in one transaction.
func HavenCreateCase(db *store.DB, jurisdictionID, agencyID string) func(ctx context.Context, w int, i int64) error {
	return func(ctx context.Context, w int, i int64) error {
		return db.WriteBookkeeping(ctx, store.Benchmark, func(tx *store.Tx) error {
			id := store.NewID()
			now := store.Millis(tx.Now)
			return tx.InsertCase(ctx, store.Case{ID: id, Reference: "B-" + id[:16], JurisdictionID: jurisdictionID,
				AgencyID: agencyID, Status: "Active", TraffickingStatus: "PossibleVictimOfTrafficking", Gender: "NonSpecifiedUnknown",
				AgeBand: "30-38", Citizenship: "ZZ", Exploitation: "ForcedLabour", Synthetic: true, Version: 1,
				CreatedAt: now, UpdatedAt: now})
		})
	}
}

// IntakeSetup prepares Haven's HTTP intake path: a competent authority to
// receive referrals and a signed-in first responder. It returns the session
// token.
func IntakeSetup(ctx context.Context, db *store.DB, jurisdictionID string) (token string, err error) {
	authority, user := store.NewID(), store.NewID()
	token = store.NewID() + store.NewID()
	err = db.WriteBookkeeping(ctx, store.Benchmark, func(tx *store.Tx) error {
		now := store.Millis(tx.Now)
		if err := tx.InsertAgency(ctx, store.Agency{ID: authority, JurisdictionID: jurisdictionID, Kind: "competent_authority",
			Name: "Benchmark authority (synthetic)", Synthetic: true, CreatedAt: now}); err != nil {
			return err
		}
		if err := tx.InsertUser(ctx, store.User{ID: user, Username: "bench-" + user[:8], DisplayName: "Benchmark (synthetic)",
			PasswordHash: "$argon2id$v=19$m=1024,t=1,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
			Role:         "first_responder", AgencyID: authority, Synthetic: true, CreatedAt: now, UpdatedAt: now}); err != nil {
			return err
		}
		return tx.InsertSession(ctx, store.Session{TokenHash: store.HashToken(token), UserID: user, CreatedAt: now,
			LastSeenAt: now, ExpiresAt: now + int64(12*time.Hour/time.Millisecond), AuthAt: now})
	})
	return token, err
}

// IntakeBody is a minimal referral with identifying data: it is sealed,
// audited and committed like any other.
const IntakeBody = `{"sector":"labour_inspection","age":29,"gender":"Feminine","citizenship":"NP","languages":["ne"],
"exploitation":"labour","acts":["recruitment"],"means":["deception"],"purposes":["forced_labour"],
"indicators":["deceptive_recruitment.deceived_nature_of_job"],"consent":"given","consent_language":"ne",
"identity":{"given_name":"Synthetic","family_name":"Benchmark","document_number":"BENCH-000"}}`

// HavenIntakeHTTP posts one referral to Haven's API over loopback HTTP:
// decode, check, screen, seal, audit, commit, answer.
func HavenIntakeHTTP(client *http.Client, baseURL, token string) func(ctx context.Context, w int, i int64) error {
	return func(ctx context.Context, w int, i int64) error {
		req, err := http.NewRequestWithContext(ctx, "POST", baseURL+"/api/v1/referrals", strings.NewReader(IntakeBody))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		return doAs(client, req, token, http.StatusCreated, "intake")
	}
}

// doAs sends req in the session token, reads the answer to its end and
// wants the status want; what names the request in the error.
func doAs(client *http.Client, req *http.Request, token string, want int, what string) error {
	req.AddCookie(&http.Cookie{Name: "haven_session", Value: token})
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != want {
		return fmt.Errorf("%s answered %d", what, resp.StatusCode)
	}
	return nil
}

// ReadSetup prepares the read paths on a demo database: a signed-in user of
// the given role (the demo's own account) and a sample of the case ids of
// that user's jurisdiction. It refuses a database that is not a demo.
func ReadSetup(ctx context.Context, db *store.DB, username string, sample int) (token, jurisdictionID string, ids []string, err error) {
	if v, ok, err := db.Setting(ctx, "demo"); err != nil || !ok || v != "true" {
		return "", "", nil, fmt.Errorf("the read benchmark runs on a demo database (haven demo --cases 1000000)")
	}
	u, err := db.UserByUsername(ctx, username)
	if err != nil {
		return "", "", nil, err
	}
	rows, err := db.R().QueryContext(ctx, `SELECT id FROM cases WHERE jurisdiction_id = $1 ORDER BY id LIMIT $2`, u.JurisdictionID, sample)
	if err != nil {
		return "", "", nil, err
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return "", "", nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if len(ids) == 0 {
		return "", "", nil, fmt.Errorf("no cases to read: generate some with haven demo --cases")
	}
	token = store.NewID() + store.NewID()
	err = db.WriteBookkeeping(ctx, store.Benchmark, func(tx *store.Tx) error {
		now := store.Millis(tx.Now)
		return tx.InsertSession(ctx, store.Session{TokenHash: store.HashToken(token), UserID: u.ID, CreatedAt: now,
			LastSeenAt: now, ExpiresAt: now + int64(time.Hour/time.Millisecond), AuthAt: now})
	})
	return token, u.JurisdictionID, ids, err
}

// RawCaseRead is the raw engine's read of one case row by its key.
func RawCaseRead(db *store.DB, ids []string) func(ctx context.Context, w int, i int64) error {
	return func(ctx context.Context, w int, i int64) error {
		var ref string
		return db.R().QueryRowContext(ctx, `SELECT reference FROM cases WHERE id = $1`, ids[int(i)%len(ids)]).Scan(&ref)
	}
}

// RawQueueRead is the raw engine's read of the first page of a
// jurisdiction's queue, the query under the authority's queue page.
func RawQueueRead(db *store.DB, jurisdictionID string) func(ctx context.Context, w int, i int64) error {
	return func(ctx context.Context, w int, i int64) error {
		rows, err := db.R().QueryContext(ctx, `SELECT id, reference, urgent, child, queue_key, created_at FROM cases WHERE jurisdiction_id = $1 AND queue_key > ''
			ORDER BY queue_key LIMIT 50`, jurisdictionID)
		if err != nil {
			return err
		}
		n := 0
		for rows.Next() {
			n++
		}
		rows.Close()
		if n == 0 {
			return fmt.Errorf("the queue is empty")
		}
		return rows.Err()
	}
}

// HTTPGet reads a page of Haven over loopback HTTP as a signed-in user; the
// path may hold %s for a case id from ids.
func HTTPGet(client *http.Client, baseURL, token, path string, ids []string) func(ctx context.Context, w int, i int64) error {
	return func(ctx context.Context, w int, i int64) error {
		p := path
		if strings.Contains(p, "%s") {
			p = fmt.Sprintf(p, ids[int(i*7919)%len(ids)])
		}
		req, err := http.NewRequestWithContext(ctx, "GET", baseURL+p, nil)
		if err != nil {
			return err
		}
		return doAs(client, req, token, http.StatusOK, "GET")
	}
}
