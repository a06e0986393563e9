package store

import "strconv"

// query builds a SELECT with optional conditions, numbering the $N
// placeholders as it goes, so list filters read as a list of conditions.
type query struct {
	sql  string
	args []any
}

func selectFrom(cols, table string) *query {
	return &query{sql: `SELECT ` + cols + ` FROM ` + table + ` WHERE 1=1`}
}

// where adds "AND <expr> $N" when set is true; expr ends with the operator.
func (q *query) where(set bool, expr string, v any) {
	if !set {
		return
	}
	q.args = append(q.args, v)
	q.sql += " AND " + expr + " $" + strconv.Itoa(len(q.args))
}

// page adds the order and a bounded limit (def when limit is out of
// 1…max).
func (q *query) page(order string, limit, def, max int) {
	if limit <= 0 || limit > max {
		limit = def
	}
	q.args = append(q.args, limit)
	q.sql += " ORDER BY " + order + " LIMIT $" + strconv.Itoa(len(q.args))
}
