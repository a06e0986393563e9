package bench

import (
	"context"
	"encoding/csv"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/haven-nrm/haven/internal/store"
)

// RawGroupBy is the raw engine's count of all cases by three coded
// columns: the query under a three-dimension statistics table.
func RawGroupBy(db *store.DB) func(ctx context.Context, w int, i int64) error {
	return func(ctx context.Context, w int, i int64) error {
		rows, err := db.R().QueryContext(ctx, `SELECT gender, age_band, exploitation, count(*) FROM cases GROUP BY gender, age_band, exploitation`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var a, b, c string
			var n int64
			if err := rows.Scan(&a, &b, &c, &n); err != nil {
				return err
			}
		}
		return rows.Err()
	}
}

// RawCTDCDump writes the CTDC export's columns of the identified people as
// CSV with no generalisation: the raw dump the export is compared with.
func RawCTDCDump(ctx context.Context, db *store.DB, w io.Writer) (int, error) {
	rows, err := db.R().QueryContext(ctx, `SELECT c.created_at, c.gender, c.age_band, c.citizenship, j.country, c.exploitation,
		c.trafficking_status, c.decision_state, c.rg_outcome, c.cg_outcome
		FROM cases c JOIN jurisdictions j ON j.id = c.jurisdiction_id
		WHERE (c.rg_outcome = 'positive' OR c.trafficking_status = 'ActualVictimOfTrafficking')`)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	cw := csv.NewWriter(w)
	rec := make([]string, 10)
	n := 0
	for rows.Next() {
		var at int64
		if err := rows.Scan(&at, &rec[1], &rec[2], &rec[3], &rec[4], &rec[5], &rec[6], &rec[7], &rec[8], &rec[9]); err != nil {
			return n, err
		}
		rec[0] = strconv.Itoa(time.UnixMilli(at).UTC().Year())
		if err := cw.Write(rec); err != nil {
			return n, err
		}
		n++
	}
	cw.Flush()
	return n, rows.Err()
}

// Time runs op n times and returns the fastest run, in seconds: one-off
// jobs (a release, an export) are measured as a whole, the best of a few
// runs to keep the shared machine's noise out.
func Time(n int, op func() error) (float64, error) {
	best := -1.0
	for range n {
		t := time.Now()
		if err := op(); err != nil {
			return 0, err
		}
		if s := time.Since(t).Seconds(); best < 0 || s < best {
			best = s
		}
	}
	return best, nil
}

// RawGroupByColumns is the raw engine's count of all cases by the columns
// under the given statistics dimensions (the referral's sector by a join,
// a year or quarter by dividing the referral instant): the query under one
// table of a release, without the disclosure control.
func RawGroupByColumns(db *store.DB, dims []string) func(ctx context.Context, w int, i int64) error {
	exprs := make([]string, len(dims))
	join := ""
	for i, d := range dims {
		switch d {
		case "year":
			exprs[i] = "c.created_at / 31557600000"
		case "quarter":
			exprs[i] = "c.created_at / 7889400000"
		case "sector":
			exprs[i], join = "r.sector", " LEFT JOIN referrals r ON r.case_id = c.id"
		default:
			exprs[i] = store.StatDims[d]
		}
	}
	q := `SELECT ` + strings.Join(exprs, ", ") + `, count(*) FROM cases c` + join + ` GROUP BY ` + strings.Join(exprs, ", ")
	return func(ctx context.Context, w int, i int64) error {
		rows, err := db.R().QueryContext(ctx, q)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
		}
		return rows.Err()
	}
}
