package store

import (
	"context"
	"strconv"
)

// Case is the coded, non-identifying part of a case: what statistics and
// queues need. Codes follow HTCDS 2.0.
type Case struct {
	ID, Reference, JurisdictionID, AgencyID string
	Status, TraffickingStatus               string
	Gender, AgeBand, Citizenship            string
	Exploitation                            string
	Urgent, Synthetic                       bool
	Version                                 int64
	CreatedAt, UpdatedAt                    int64
}

const caseCols = `id, reference, jurisdiction_id, agency_id, status, trafficking_status, gender, age_band,
	citizenship, exploitation, urgent, synthetic, version, created_at, updated_at`

func scanCase(row interface{ Scan(...any) error }) (Case, error) {
	var c Case
	var urg, syn int
	err := row.Scan(&c.ID, &c.Reference, &c.JurisdictionID, &c.AgencyID, &c.Status, &c.TraffickingStatus, &c.Gender,
		&c.AgeBand, &c.Citizenship, &c.Exploitation, &urg, &syn, &c.Version, &c.CreatedAt, &c.UpdatedAt)
	c.Urgent, c.Synthetic = urg != 0, syn != 0
	return c, err
}

// InsertCase stores a new case.
func (tx *Tx) InsertCase(ctx context.Context, c Case) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO cases (`+caseCols+`) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15)`,
		caseArgs(c)...)
	return classify(err)
}

func caseArgs(c Case) []any {
	return []any{c.ID, c.Reference, c.JurisdictionID, c.AgencyID, c.Status, c.TraffickingStatus, c.Gender, c.AgeBand,
		c.Citizenship, c.Exploitation, b2i(c.Urgent), b2i(c.Synthetic), c.Version, c.CreatedAt, c.UpdatedAt}
}

// Case returns one case.
func (db *DB) Case(ctx context.Context, id string) (Case, error) {
	c, err := scanCase(db.r.QueryRowContext(ctx, `SELECT `+caseCols+` FROM cases WHERE id = $1`, id))
	return c, notFound(err, "case")
}

// CaseFilter narrows a case list. Empty fields do not filter.
type CaseFilter struct {
	JurisdictionID, AgencyID, Status string
	Limit                            int
}

// Cases lists cases, urgent and newest first.
func (db *DB) Cases(ctx context.Context, f CaseFilter) ([]Case, error) {
	q := `SELECT ` + caseCols + ` FROM cases WHERE 1=1`
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		q += " AND " + cond + strconv.Itoa(len(args))
	}
	if f.JurisdictionID != "" {
		add("jurisdiction_id = $", f.JurisdictionID)
	}
	if f.AgencyID != "" {
		add("agency_id = $", f.AgencyID)
	}
	if f.Status != "" {
		add("status = $", f.Status)
	}
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	args = append(args, limit)
	q += " ORDER BY urgent DESC, created_at DESC LIMIT $" + strconv.Itoa(len(args))
	rows, err := db.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, classify(err)
	}
	defer rows.Close()
	var out []Case
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			return nil, classify(err)
		}
		out = append(out, c)
	}
	return out, classify(rows.Err())
}

// BulkInsertCases stores many cases with multi-row inserts; used by the demo
// generator, which loads up to millions of synthetic cases.
func (tx *Tx) BulkInsertCases(ctx context.Context, cs []Case) error {
	const cols = 15
	const per = 500
	for start := 0; start < len(cs); start += per {
		end := min(start+per, len(cs))
		q := make([]byte, 0, 64*(end-start))
		q = append(q, "INSERT INTO cases ("+caseCols+") VALUES "...)
		args := make([]any, 0, cols*(end-start))
		for i, c := range cs[start:end] {
			if i > 0 {
				q = append(q, ',')
			}
			q = append(q, '(')
			for k := 0; k < cols; k++ {
				if k > 0 {
					q = append(q, ',')
				}
				q = append(q, '$')
				q = append(q, strconv.Itoa(i*cols+k+1)...)
			}
			q = append(q, ')')
			args = append(args, caseArgs(c)...)
		}
		if _, err := tx.ExecContext(ctx, string(q), args...); err != nil {
			return classify(err)
		}
	}
	return nil
}
