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
	// PersonID links the sealed identity; empty for demo cases.
	PersonID string
}

const caseCols = `id, reference, jurisdiction_id, agency_id, status, trafficking_status, gender, age_band,
	citizenship, exploitation, urgent, synthetic, version, created_at, updated_at`

// caseReadCols adds the optional person link for reads.
const caseReadCols = caseCols + `, COALESCE(person_id, '')`

func scanCase(row interface{ Scan(...any) error }) (Case, error) {
	var c Case
	var urg, syn int
	err := row.Scan(&c.ID, &c.Reference, &c.JurisdictionID, &c.AgencyID, &c.Status, &c.TraffickingStatus, &c.Gender,
		&c.AgeBand, &c.Citizenship, &c.Exploitation, &urg, &syn, &c.Version, &c.CreatedAt, &c.UpdatedAt, &c.PersonID)
	c.Urgent, c.Synthetic = urg != 0, syn != 0
	return c, err
}

// InsertCase stores a new case.
func (tx *Tx) InsertCase(ctx context.Context, c Case) error {
	var person any
	if c.PersonID != "" {
		person = c.PersonID
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO cases (`+caseCols+`, person_id) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16)`,
		append(caseArgs(c), person)...)
	return classify(err)
}

func caseArgs(c Case) []any {
	return []any{c.ID, c.Reference, c.JurisdictionID, c.AgencyID, c.Status, c.TraffickingStatus, c.Gender, c.AgeBand,
		c.Citizenship, c.Exploitation, b2i(c.Urgent), b2i(c.Synthetic), c.Version, c.CreatedAt, c.UpdatedAt}
}

// Case returns one case.
func (db *DB) Case(ctx context.Context, id string) (Case, error) {
	c, err := scanCase(db.r.QueryRowContext(ctx, `SELECT `+caseReadCols+` FROM cases WHERE id = $1`, id))
	return c, notFound(err, "case")
}

// CaseFilter narrows a case list. Empty fields do not filter.
type CaseFilter struct {
	JurisdictionID, AgencyID, Status string
	Limit                            int
}

// Cases lists cases, urgent and newest first.
func (db *DB) Cases(ctx context.Context, f CaseFilter) ([]Case, error) {
	q := selectFrom(caseReadCols, "cases")
	q.where(f.JurisdictionID != "", "jurisdiction_id =", f.JurisdictionID)
	q.where(f.AgencyID != "", "agency_id =", f.AgencyID)
	q.where(f.Status != "", "status =", f.Status)
	q.page("urgent DESC, created_at DESC", f.Limit, 50, 500)
	rows, err := db.r.QueryContext(ctx, q.sql, q.args...)
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

// BulkInsertCases stores many cases; used by the demo generator, which loads
// up to millions of synthetic cases. SQLite gets one prepared single-row
// statement executed per row (the driver binds $N parameters by name, so a
// statement with thousands of them costs quadratic time); PostgreSQL gets
// multi-row statements to save round trips.
func (tx *Tx) BulkInsertCases(ctx context.Context, cs []Case) error {
	if tx.Dialect == SQLite {
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO cases (`+caseCols+`) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15)`)
		if err != nil {
			return classify(err)
		}
		defer stmt.Close()
		for _, c := range cs {
			if _, err := stmt.ExecContext(ctx, caseArgs(c)...); err != nil {
				return classify(err)
			}
		}
		return nil
	}
	const cols = 15
	const per = 200
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
