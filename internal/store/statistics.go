package store

import (
	"context"
	"database/sql"
	"slices"
	"strconv"
	"strings"
	"time"
)

// StatDims are the dimensions a statistics table may be cut by, each the
// SQL expression of its value over cases c (and, for the sector, the
// case's referral r). Every one is a coded column: statistics never read a
// sealed field.
var StatDims = map[string]string{
	"gender":       "c.gender",
	"age_band":     "c.age_band",
	"citizenship":  "c.citizenship",
	"exploitation": "c.exploitation",
	"sector":       "COALESCE(r.sector, '')",
	"jurisdiction": "c.jurisdiction_id",
	"status":       "c.status",
	"decision":     "c.decision_state",
	"year":         "", // built from the period's calendar (periodCase)
	"quarter":      "",
}

// StatQuery is one statistics table: the dimensions it is cut by, the
// values it is restricted to, the period of referral (Unix milliseconds,
// [From, To); zero for open) and the scope of the asker.
type StatQuery struct {
	Dims           []string
	Where          map[string]string
	From, To       int64
	JurisdictionID string
	AgencyID       string
}

// StatRow is one non-empty cell: its dimension values in the query's
// order, the number of cases and the sum of their record keys (the cell
// key of cell-key perturbation).
type StatRow struct {
	Values []string
	Count  int64
	KeySum int64
}

// StatRange returns the first and last referral instants in scope, which
// bound the calendar the year and quarter dimensions are built from.
func (db *DB) StatRange(ctx context.Context, q StatQuery) (from, to int64, err error) {
	return statRange(ctx, db.r, q)
}

func statRange(ctx context.Context, r Reader, q StatQuery) (from, to int64, err error) {
	w, args := statWhere(q)
	var lo, hi *int64
	err = r.QueryRowContext(ctx, `SELECT min(c.created_at), max(c.created_at) FROM cases c`+statJoin(q)+w, args...).Scan(&lo, &hi)
	if lo != nil {
		from, to = *lo, *hi
	}
	return from, to, classify(err)
}

// statJoin joins the referral when the sector is asked for or filtered on.
func statJoin(q StatQuery) string {
	need := q.Where["sector"] != ""
	for _, d := range q.Dims {
		need = need || d == "sector"
	}
	if need {
		return ` LEFT JOIN referrals r ON r.case_id = c.id`
	}
	return ""
}

func statWhere(q StatQuery) (string, []any) {
	var b strings.Builder
	var args []any
	add := func(expr string, v any) {
		args = append(args, v)
		if b.Len() == 0 {
			b.WriteString(" WHERE ")
		} else {
			b.WriteString(" AND ")
		}
		b.WriteString(expr + " $" + strconv.Itoa(len(args)))
	}
	if q.JurisdictionID != "" {
		add("c.jurisdiction_id =", q.JurisdictionID)
	}
	if q.AgencyID != "" {
		add("c.agency_id =", q.AgencyID)
	}
	if q.From != 0 {
		add("c.created_at >=", q.From)
	}
	if q.To != 0 {
		add("c.created_at <", q.To)
	}
	keys := make([]string, 0, len(q.Where))
	for k := range q.Where {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if e := StatDims[k]; e != "" {
			add(e+" =", q.Where[k])
		}
	}
	return b.String(), args
}

// periodCase is a CASE expression naming the calendar year ("2025") or
// quarter ("2025-Q3", UTC) of c.created_at for instants in [from, to].
func periodCase(quarter bool, from, to int64) string {
	f, t := FromMillis(from), FromMillis(to)
	var b strings.Builder
	b.WriteString("CASE")
	y, m := f.Year(), time.January
	if quarter {
		m = time.Month((int(f.Month())-1)/3*3 + 1)
	}
	for start := time.Date(y, m, 1, 0, 0, 0, 0, time.UTC); !start.After(t); {
		var next time.Time
		var label string
		if quarter {
			next = start.AddDate(0, 3, 0)
			label = strconv.Itoa(start.Year()) + "-Q" + strconv.Itoa((int(start.Month())+2)/3)
		} else {
			next = start.AddDate(1, 0, 0)
			label = strconv.Itoa(start.Year())
		}
		b.WriteString(" WHEN c.created_at < " + strconv.FormatInt(Millis(next), 10) + " THEN '" + label + "'")
		start = next
	}
	b.WriteString(" ELSE '' END")
	return b.String()
}

// StatCells counts cases by the query's dimensions: one GROUP BY over the
// cases in scope, returning the non-empty cells. Unknown dimensions are
// the caller's error and are refused before this (stats checks them).
func (db *DB) StatCells(ctx context.Context, q StatQuery) ([]StatRow, error) {
	return statCells(ctx, db.r, q)
}

func statCells(ctx context.Context, rd Reader, q StatQuery) ([]StatRow, error) {
	var lo, hi int64
	for _, d := range q.Dims {
		if d == "year" || d == "quarter" {
			var err error
			if lo, hi, err = statRange(ctx, rd, q); err != nil {
				return nil, err
			}
			break
		}
	}
	exprs := make([]string, len(q.Dims))
	for i, d := range q.Dims {
		switch d {
		case "year", "quarter":
			exprs[i] = periodCase(d == "quarter", lo, hi)
		default:
			exprs[i] = StatDims[d]
		}
	}
	w, args := statWhere(q)
	sel := "count(*), CAST(COALESCE(sum(c.stat_key), 0) AS BIGINT)"
	group := ""
	if len(exprs) > 0 {
		sel = strings.Join(exprs, ", ") + ", " + sel
		var ns []string
		for i := range exprs {
			ns = append(ns, strconv.Itoa(i+1))
		}
		group = " GROUP BY " + strings.Join(ns, ", ")
	}
	rows, err := rd.QueryContext(ctx, `SELECT `+sel+` FROM cases c`+statJoin(q)+w+group, args...)
	if err != nil {
		return nil, classify(err)
	}
	defer rows.Close()
	var out []StatRow
	for rows.Next() {
		r := StatRow{Values: make([]string, len(exprs))}
		dst := make([]any, 0, len(exprs)+2)
		for i := range r.Values {
			dst = append(dst, &r.Values[i])
		}
		dst = append(dst, &r.Count, &r.KeySum)
		if err := rows.Scan(dst...); err != nil {
			return nil, classify(err)
		}
		out = append(out, r)
	}
	return out, classify(rows.Err())
}

// identified selects the cases CTDC counts: people identified as victims
// (a positive reasonable-grounds decision, or found to be a victim).
const identified = ` WHERE (c.rg_outcome = 'positive' OR c.trafficking_status = 'ActualVictimOfTrafficking')`

// CTDCRecord is one identified person's coded facts for the CTDC export.
type CTDCRecord struct {
	CreatedAt                                              int64
	Gender, AgeBand, Citizenship, Country, Exploitation    string
	TraffickingStatus, DecisionState, RGOutcome, CGOutcome string
}

// EachCTDCRecord streams the identified people's coded facts.
func (db *DB) EachCTDCRecord(ctx context.Context, fn func(CTDCRecord) error) error {
	rows, err := db.r.QueryContext(ctx, `SELECT c.created_at, c.gender, c.age_band, c.citizenship, j.country, c.exploitation,
		c.trafficking_status, c.decision_state, c.rg_outcome, c.cg_outcome
		FROM cases c JOIN jurisdictions j ON j.id = c.jurisdiction_id`+identified)
	if err != nil {
		return classify(err)
	}
	defer rows.Close()
	for rows.Next() {
		var r CTDCRecord
		if err := rows.Scan(&r.CreatedAt, &r.Gender, &r.AgeBand, &r.Citizenship, &r.Country, &r.Exploitation,
			&r.TraffickingStatus, &r.DecisionState, &r.RGOutcome, &r.CGOutcome); err != nil {
			return classify(err)
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return classify(rows.Err())
}

// StatFactDims are the dimensions StatFacts streams, in the order of
// StatFact.Values; the year and quarter come from CreatedAt.
var StatFactDims = []string{"gender", "age_band", "citizenship", "exploitation", "jurisdiction", "status", "decision", "sector"}

// StatFact is one case's coded facts as StatFacts streams them. The
// values are valid only during the callback (they are the driver's
// buffers); copy what must outlive it.
type StatFact struct {
	Values    [8][]byte
	CreatedAt int64
	Key       int64
}

// StatFacts streams the coded facts of every case in the query's scope
// and period (its dimensions and restrictions are not used), inside the
// write transaction, so that several tables are counted in one pass over
// the cases from one snapshot. The sector is read only when withSector.
func (tx *Tx) StatFacts(ctx context.Context, q StatQuery, withSector bool, fn func(*StatFact) error) error {
	scope := StatQuery{From: q.From, To: q.To, JurisdictionID: q.JurisdictionID, AgencyID: q.AgencyID}
	sector, join := "''", ""
	if withSector {
		sector, join = StatDims["sector"], ` LEFT JOIN referrals r ON r.case_id = c.id`
	}
	w, args := statWhere(scope)
	rows, err := tx.QueryContext(ctx, `SELECT c.gender, c.age_band, c.citizenship, c.exploitation, c.jurisdiction_id, c.status, c.decision_state, `+
		sector+`, c.created_at, c.stat_key FROM cases c`+join+w, args...)
	if err != nil {
		return classify(err)
	}
	defer rows.Close()
	var f StatFact
	dst := make([]any, 0, len(f.Values)+2)
	for i := range f.Values {
		dst = append(dst, (*sql.RawBytes)(&f.Values[i]))
	}
	dst = append(dst, &f.CreatedAt, &f.Key)
	for rows.Next() {
		if err := rows.Scan(dst...); err != nil {
			return classify(err)
		}
		if err := fn(&f); err != nil {
			return err
		}
	}
	return classify(rows.Err())
}
