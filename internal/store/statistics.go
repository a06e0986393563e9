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
	// Process measures (migration 0056): the flow's destination, the
	// decisions and whether one was reconsidered.
	"exploitation_country": "c.exploitation_country",
	"rg_outcome":           "c.rg_outcome",
	"cg_outcome":           "c.cg_outcome",
	"reconsidered":         "CASE WHEN c.reconsidered = 1 THEN 'yes' ELSE 'no' END",
	// Whether the reasonable-grounds decision was taken by its recorded
	// deadline ("none": no deadline recorded), and whether the conclusive
	// one within the target (StatQuery.CGTargetDays, see withinExpr).
	"rg_within": "CASE WHEN c.rg_decided_at IS NULL THEN 'pending' WHEN c.rg_deadline_at IS NULL THEN 'none' WHEN c.rg_decided_at <= c.rg_deadline_at THEN 'yes' ELSE 'no' END",
	"cg_within": "",
	// Dimensions of a unit other than the case (StatQuery.Unit): a service
	// referral s, an investigation charge ch, an investigation i.
	"service":              "s.service",
	"service_state":        "s.state",
	"offence":              "ch.offence",
	"offence_class":        "CASE WHEN ch.offence = 'trafficking' THEN 'trafficking' ELSE 'substitute' END",
	"charge_outcome":       "ch.outcome",
	"compensation":         "ch.compensation",
	"investigation_status": "i.status",
}

// StatUnits are the records a table may count through besides the case
// itself, each the join that reaches them. A cell of such a table still
// counts people (distinct cases), never records: k protects people.
var StatUnits = map[string]string{
	"services":       " JOIN service_referrals s ON s.case_id = c.id",
	"charges":        " JOIN investigation_charges ch ON ch.case_id = c.id",
	"investigations": " JOIN investigations i ON i.case_id = c.id",
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
	// Unit is "" (cases) or a key of StatUnits: the cells then count the
	// distinct cases with at least one such record of the cell's values.
	Unit string
	// Decided keeps only the cases whose "rg" or "cg" decision is taken.
	Decided string
	// CGTargetDays is the target for the conclusive decision that the
	// cg_within dimension measures (days from referral).
	CGTargetDays int
}

// dimExpr is the SQL expression of a dimension other than the calendar's.
func dimExpr(q StatQuery, d string) string {
	if d == "cg_within" {
		days := strconv.FormatInt(int64(max(q.CGTargetDays, 0))*int64(24*time.Hour/time.Millisecond), 10)
		return "CASE WHEN c.cg_decided_at IS NULL THEN 'pending' WHEN c.cg_decided_at - c.created_at <= " + days + " THEN 'yes' ELSE 'no' END"
	}
	return StatDims[d]
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

// valueDests points a row's scan at each of values, with room for the
// columns that follow them.
func valueDests(values []string) []any {
	dst := make([]any, 0, len(values)+3)
	for i := range values {
		dst = append(dst, &values[i])
	}
	return dst
}

// statJoin joins the referral when the sector is asked for or filtered on.
func statJoin(q StatQuery) string {
	need := q.Where["sector"] != ""
	for _, d := range q.Dims {
		need = need || d == "sector"
	}
	j := StatUnits[q.Unit]
	if need {
		j += ` LEFT JOIN referrals r ON r.case_id = c.id`
	}
	return j
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
		if e := dimExpr(q, k); e != "" {
			add(e+" =", q.Where[k])
		}
	}
	s := b.String()
	if q.Decided == "rg" || q.Decided == "cg" {
		if s == "" {
			s = " WHERE "
		} else {
			s += " AND "
		}
		s += "c." + q.Decided + "_decided_at IS NOT NULL"
	}
	return s, args
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
			exprs[i] = dimExpr(q, d)
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
	from := ` FROM cases c` + statJoin(q) + w
	if q.Unit != "" {
		// Each case once per cell, however many records it has there.
		inner := make([]string, len(exprs))
		outer := make([]string, len(exprs))
		for i, e := range exprs {
			inner[i] = e + " AS d" + strconv.Itoa(i)
			outer[i] = "x.d" + strconv.Itoa(i)
		}
		inner = append(inner, "c.id", "c.stat_key")
		from = ` FROM (SELECT DISTINCT ` + strings.Join(inner, ", ") + from + `) x`
		sel = "count(*), CAST(COALESCE(sum(x.stat_key), 0) AS BIGINT)"
		if len(outer) > 0 {
			sel = strings.Join(outer, ", ") + ", " + sel
		}
	}
	return collect(ctx, rd, `SELECT `+sel+from+group, args, func(s scanner) (StatRow, error) {
		r := StatRow{Values: make([]string, len(exprs))}
		err := s.Scan(append(valueDests(r.Values), &r.Count, &r.KeySum)...)
		return r, err
	})
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
	return each(ctx, db.r, `SELECT c.created_at, c.gender, c.age_band, c.citizenship, j.country, c.exploitation,
		c.trafficking_status, c.decision_state, c.rg_outcome, c.cg_outcome
		FROM cases c JOIN jurisdictions j ON j.id = c.jurisdiction_id`+identified, nil, func(s scanner) (CTDCRecord, error) {
		var r CTDCRecord
		err := s.Scan(&r.CreatedAt, &r.Gender, &r.AgeBand, &r.Citizenship, &r.Country, &r.Exploitation,
			&r.TraffickingStatus, &r.DecisionState, &r.RGOutcome, &r.CGOutcome)
		return r, err
	}, fn)
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

// StatDuration is one decided case of a timing table: its group's values,
// the days from referral to the decision and, when a deadline applies,
// whether the decision was taken by it.
type StatDuration struct {
	Values []string
	Days   float64
	// Deadline is the decision's deadline in Unix milliseconds (0: none
	// recorded); At the decision's.
	Deadline, At int64
}

// StatDurations lists, for the cases in scope whose reasonable-grounds
// (stage "rg") or conclusive ("cg") decision is taken, the time from
// referral to it, by the query's dimensions. Coded instants only.
func (db *DB) StatDurations(ctx context.Context, q StatQuery, stage string) ([]StatDuration, error) {
	at, deadline := "c.rg_decided_at", "COALESCE(c.rg_deadline_at, 0)"
	if stage != "cg" {
		stage = "rg"
	} else {
		at, deadline = "c.cg_decided_at", "0"
	}
	var lo, hi int64
	for _, d := range q.Dims {
		if d == "year" || d == "quarter" {
			var err error
			if lo, hi, err = statRange(ctx, db.r, q); err != nil {
				return nil, err
			}
			break
		}
	}
	exprs := []string{}
	for _, d := range q.Dims {
		switch d {
		case "year", "quarter":
			exprs = append(exprs, periodCase(d == "quarter", lo, hi))
		default:
			exprs = append(exprs, dimExpr(q, d))
		}
	}
	q.Decided = stage
	w, args := statWhere(q)
	sel := strings.Join(append(exprs, "c.created_at", at, deadline), ", ")
	return collect(ctx, db.r, `SELECT `+sel+` FROM cases c`+statJoin(q)+w, args, func(s scanner) (StatDuration, error) {
		d := StatDuration{Values: make([]string, len(exprs))}
		var created int64
		err := s.Scan(append(valueDests(d.Values), &created, &d.At, &d.Deadline)...)
		d.Days = float64(d.At-created) / float64(24*time.Hour/time.Millisecond)
		return d, err
	})
}
