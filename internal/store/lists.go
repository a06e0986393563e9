package store

import (
	"context"
	"strconv"
	"strings"
)

// The filtered, paged lists of cases: the authority's queue and the case
// list. Both page by keyset (a cursor is the sort key of the row a page
// starts after or ends before), so a page costs the same at the start of a
// million cases as at their end, and every count is one aggregate over the
// filtered rows, done by the database.

// KeyRange is a half-open range [From, To) of queue keys
// (casework.Priority.Key).
type KeyRange struct{ From, To string }

// QueueFilter selects part of one jurisdiction's open work. Empty fields
// do not filter.
type QueueFilter struct {
	JurisdictionID string
	// Ranges are the queue keys admitted (any of them); the caller derives
	// them from the stage, urgency and deadline asked for.
	Ranges []KeyRange
	// Child admits only cases of children.
	Child bool
	// AgencyID admits only the cases an agency holds.
	AgencyID string
	// Reference admits the cases whose reference starts with it (compared
	// as stored: callers upper-case it).
	Reference string
}

// where adds the filter's conditions to q.
func (f QueueFilter) where(q *query) {
	q.where(true, scopeColumn("jurisdiction_id", f.Reference), f.JurisdictionID)
	q.sql += " AND queue_key IS NOT NULL"
	if len(f.Ranges) > 0 {
		var parts []string
		for _, r := range f.Ranges {
			q.args = append(q.args, r.From, r.To)
			n := len(q.args)
			parts = append(parts, "(queue_key >= $"+strconv.Itoa(n-1)+" AND queue_key < $"+strconv.Itoa(n)+")")
		}
		q.sql += " AND (" + strings.Join(parts, " OR ") + ")"
	}
	if f.Child {
		q.sql += " AND child = 1"
	}
	q.where(f.AgencyID != "", "agency_id =", f.AgencyID)
	referencePrefix(q, f.Reference)
}

// scopeColumn is the condition on a list's scope column. With a reference
// to search for, the column is compared as an expression ("col || ”"),
// which no index answers, on both engines: the few cases whose reference
// starts so are then found through the reference's unique index instead of
// testing every case of the scope (SQLite, without statistics, would
// otherwise take the scope's index).
func scopeColumn(col, reference string) string {
	if reference != "" {
		return col + " || '' ="
	}
	return col + " ="
}

// referencePrefix admits the references that start with prefix, as a range
// the unique index on reference answers on both engines (LIKE differs
// between them in case and in its use of indexes).
func referencePrefix(q *query, prefix string) {
	if prefix == "" {
		return
	}
	q.args = append(q.args, prefix, prefix+"\U0010FFFF")
	n := len(q.args)
	q.sql += " AND reference >= $" + strconv.Itoa(n-1) + " AND reference < $" + strconv.Itoa(n)
}

// QueueRows reads up to limit rows of the filtered queue in queue order:
// the first ones after the cursor after, or, when before is set, the last
// ones before it (still returned in queue order). Only what the queue
// shows is read.
func (db *DB) QueueRows(ctx context.Context, f QueueFilter, after, before string, limit int) ([]Case, error) {
	q := selectFrom(`id, reference, urgent, child, queue_key, created_at, agency_id`, "cases")
	f.where(q)
	order := "queue_key"
	if before != "" {
		q.where(true, "queue_key <", before)
		order = "queue_key DESC"
	} else {
		q.where(after != "", "queue_key >", after)
	}
	q.page(order, limit, 50, 500)
	out, err := collect(ctx, db.r, q.sql, q.args, func(s scanner) (Case, error) {
		c := Case{JurisdictionID: f.JurisdictionID}
		var urg, child int
		err := s.Scan(&c.ID, &c.Reference, &urg, &child, &c.QueueKey, &c.CreatedAt, &c.AgencyID)
		c.Urgent, c.Child = urg != 0, child != 0
		return c, err
	})
	if before != "" {
		reverse(out)
	}
	return out, err
}

func reverse[T any](s []T) {
	for i, j := 0, len(s)-1; i < j; i, j = i+1, j-1 {
		s[i], s[j] = s[j], s[i]
	}
}

// QueueTally is what a filtered queue holds: its rows, those before a
// cursor (to say where a page starts), the urgent ones, and those in each
// band asked for.
type QueueTally struct {
	Total, Before, Urgent int
	Bands                 []int
}

// QueueTally counts the filtered queue: the rows, the rows whose key sorts
// before at ("" for none), the urgent rows, and the rows in each band. A
// band is a range of queue keys without their urgency (what follows the
// key's first two bytes), so one band counts urgent and other cases alike.
//
// When the filter is ranges of keys only, each count is a COUNT(*) over
// ranges of the queue's covering index (each band and the filter's ranges
// intersected here), which both engines answer by stepping through the
// index: several times cheaper than testing every row against every band.
// A filter by child, agency or reference is tested row by row anyway, so
// its counts are one pass over the filtered rows.
func (db *DB) QueueTally(ctx context.Context, f QueueFilter, at string, bands []KeyRange) (QueueTally, error) {
	if f.Child || f.AgencyID != "" || f.Reference != "" {
		return db.queueTallyOnePass(ctx, f, at, bands)
	}
	q := &query{}
	scope := QueueFilter{JurisdictionID: f.JurisdictionID}
	// count sums COUNT(*) over r intersected with the filter's ranges.
	count := func(r KeyRange) string {
		filter := f.Ranges
		if filter == nil {
			filter = []KeyRange{{"", "~"}}
		}
		var terms []string
		for _, fr := range filter {
			x := KeyRange{max(r.From, fr.From), min(r.To, fr.To)}
			if x.From >= x.To {
				continue
			}
			c := &query{sql: `SELECT COUNT(*) FROM cases WHERE 1=1`, args: q.args}
			scope.where(c)
			c.where(x.From != "", "queue_key >=", x.From)
			c.where(true, "queue_key <", x.To)
			q.args = c.args
			terms = append(terms, "("+c.sql+")")
		}
		if len(terms) == 0 {
			return "0"
		}
		return strings.Join(terms, " + ")
	}
	parts := []string{count(KeyRange{"", "~"}), "0", count(KeyRange{"", "1"})}
	if at != "" {
		parts[1] = count(KeyRange{"", at})
	}
	for _, b := range bands {
		parts = append(parts, count(KeyRange{"0." + b.From, "0." + b.To})+" + "+count(KeyRange{"1." + b.From, "1." + b.To}))
	}
	q.sql = "SELECT " + strings.Join(parts, ", ")
	return db.scanTally(ctx, q, len(bands))
}

// QueueBefore counts the filtered queue's rows whose key sorts before at:
// where a page that starts at at begins. It steps through those rows only,
// so it costs the page's position, not the queue's length.
func (db *DB) QueueBefore(ctx context.Context, f QueueFilter, at string) (int, error) {
	q := selectFrom("COUNT(*)", "cases")
	f.where(q)
	q.where(true, "queue_key <", at)
	var n int
	err := db.r.QueryRowContext(ctx, q.sql, q.args...).Scan(&n)
	return n, classify(err)
}

// queueTallyOnePass is QueueTally in one pass over the filtered rows.
func (db *DB) queueTallyOnePass(ctx context.Context, f QueueFilter, at string, bands []KeyRange) (QueueTally, error) {
	cols := []string{"COUNT(*)", "COALESCE(SUM(CASE WHEN queue_key < $1 THEN 1 ELSE 0 END), 0)",
		"COALESCE(SUM(CASE WHEN queue_key < '1' THEN 1 ELSE 0 END), 0)"}
	args := []any{at}
	for _, b := range bands {
		args = append(args, b.From, b.To)
		n := len(args)
		cols = append(cols, "COALESCE(SUM(CASE WHEN substr(queue_key, 3) >= $"+strconv.Itoa(n-1)+
			" AND substr(queue_key, 3) < $"+strconv.Itoa(n)+" THEN 1 ELSE 0 END), 0)")
	}
	q := selectFrom(strings.Join(cols, ", "), "cases")
	q.args = args
	f.where(q)
	return db.scanTally(ctx, q, len(bands))
}

func (db *DB) scanTally(ctx context.Context, q *query, bands int) (QueueTally, error) {
	t := QueueTally{Bands: make([]int, bands)}
	dest := []any{&t.Total, &t.Before, &t.Urgent}
	for i := range t.Bands {
		dest = append(dest, &t.Bands[i])
	}
	err := db.r.QueryRowContext(ctx, q.sql, q.args...).Scan(dest...)
	return t, classify(err)
}

// CaseListFilter selects part of a case list. Empty fields do not filter;
// one of AgencyID and JurisdictionID is the scope.
type CaseListFilter struct {
	JurisdictionID, AgencyID  string
	Status, TraffickingStatus string
	Urgent, Child             bool
	// Reference admits the cases whose reference starts with it.
	Reference string
}

func (f CaseListFilter) where(q *query) {
	q.where(f.JurisdictionID != "", scopeColumn("jurisdiction_id", f.Reference), f.JurisdictionID)
	q.where(f.AgencyID != "", scopeColumn("agency_id", f.Reference), f.AgencyID)
	q.where(f.Status != "", "status =", f.Status)
	q.where(f.TraffickingStatus != "", "trafficking_status =", f.TraffickingStatus)
	if f.Urgent {
		q.sql += " AND urgent = 1"
	}
	if f.Child {
		q.sql += " AND child = 1"
	}
	referencePrefix(q, f.Reference)
}

// CaseCursor is the place of a case in the case list's order: urgent
// first, then newest first, the id breaking ties.
type CaseCursor struct {
	Urgent    bool
	CreatedAt int64
	ID        string
}

// Cursor is c's place in the case list.
func (c Case) Cursor() CaseCursor { return CaseCursor{c.Urgent, c.CreatedAt, c.ID} }

// String writes the cursor for a link: "1.<ms>.<id>" (urgent) or "0.…".
func (k CaseCursor) String() string {
	if k.ID == "" {
		return ""
	}
	return strconv.Itoa(b2i(k.Urgent)) + "." + strconv.FormatInt(k.CreatedAt, 10) + "." + k.ID
}

// ParseCaseCursor reads a cursor written by String; ok is false for
// anything else.
func ParseCaseCursor(s string) (k CaseCursor, ok bool) {
	parts := strings.SplitN(s, ".", 3)
	if len(parts) != 3 || (parts[0] != "0" && parts[0] != "1") || parts[2] == "" || len(parts[2]) > 64 {
		return CaseCursor{}, false
	}
	ms, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil {
		return CaseCursor{}, false
	}
	return CaseCursor{parts[0] == "1", ms, parts[2]}, true
}

// beyond adds "the row sorts after k in the list's order" (or before it,
// when back), as a row-value comparison both engines answer from the
// (scope, urgent, created_at, id) indexes.
func (k CaseCursor) beyond(q *query, back bool) {
	op := "<"
	if back {
		op = ">"
	}
	q.args = append(q.args, b2i(k.Urgent), k.CreatedAt, k.ID)
	n := len(q.args)
	q.sql += " AND (urgent, created_at, id) " + op + " ($" + strconv.Itoa(n-2) + ", $" + strconv.Itoa(n-1) + ", $" + strconv.Itoa(n) + ")"
}

// CaseListRows reads up to limit cases of the filtered list, urgent and
// newest first: the first ones after the cursor after, or, when before is
// set, the last ones before it (returned in list order).
func (db *DB) CaseListRows(ctx context.Context, f CaseListFilter, after, before *CaseCursor, limit int) ([]Case, error) {
	q := selectFrom(caseReadCols, "cases")
	f.where(q)
	order := "urgent DESC, created_at DESC, id DESC"
	switch {
	case before != nil:
		before.beyond(q, true)
		order = "urgent, created_at, id"
	case after != nil:
		after.beyond(q, false)
	}
	q.page(order, limit, 50, 500)
	out, err := db.caseRows(ctx, q)
	if before != nil {
		reverse(out)
	}
	return out, err
}

// CaseListTally counts the filtered case list, and the cases that come
// before the cursor at (nil: none) in its order: two counts over ranges of
// the list's index.
func (db *DB) CaseListTally(ctx context.Context, f CaseListFilter, at *CaseCursor) (total, before int, err error) {
	q := selectFrom("COUNT(*)", "cases")
	f.where(q)
	sql := "SELECT (" + q.sql + "), 0"
	if at != nil {
		b := &query{sql: `SELECT COUNT(*) FROM cases WHERE 1=1`, args: q.args}
		f.where(b)
		at.beyond(b, true)
		q.args = b.args
		sql = "SELECT (" + q.sql + "), (" + b.sql + ")"
	}
	err = db.r.QueryRowContext(ctx, sql, q.args...).Scan(&total, &before)
	return total, before, classify(err)
}

// CountOpenTasks counts a user's open tasks.
func (db *DB) CountOpenTasks(ctx context.Context, userID string) (int, error) {
	var n int
	err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM tasks WHERE owner_user_id = $1 AND done_at IS NULL`, userID).Scan(&n)
	return n, classify(err)
}

// CountHandoversTo counts the handovers to an agency in a state.
func (db *DB) CountHandoversTo(ctx context.Context, agencyID, state string) (int, error) {
	var n int
	err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM handovers WHERE to_agency_id = $1 AND state = $2`, agencyID, state).Scan(&n)
	return n, classify(err)
}

// ReferralsBy lists the referrals a user made, newest first.
func (db *DB) ReferralsBy(ctx context.Context, userID string, limit int) ([]Referral, error) {
	return collect(ctx, db.r, `SELECT `+referralCols+` FROM referrals WHERE referring_user_id = $1 ORDER BY created_at DESC LIMIT $2`,
		[]any{userID, limit}, func(s scanner) (Referral, error) { return scanReferral(s) })
}
