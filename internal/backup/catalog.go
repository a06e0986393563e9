package backup

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/haven-nrm/haven/internal/store"
)

// querier is what catalogue reads need; *sql.Tx and *store.Tx satisfy it.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// tableInfo is a table as the catalogue describes it.
type tableInfo struct {
	Table
	// pk lists the primary key columns, in key order; rows are read in
	// this order so that a backup of an unchanged database is identical.
	pk []string
}

// foreignKey is one reference from a child table to a parent table.
type foreignKey struct {
	child, parent string
	// deferrable is set when PostgreSQL can defer the check to commit.
	deferrable bool
}

// catalogue lists every ordinary table of the database with its columns,
// primary keys and foreign keys. Engine internals (sqlite_*) are left out;
// schema_migrations is an ordinary table here, so a restore keeps the
// original migration history.
func catalogue(ctx context.Context, q querier, d store.Dialect) ([]tableInfo, []foreignKey, error) {
	if d == store.Postgres {
		return pgCatalogue(ctx, q)
	}
	return sqliteCatalogue(ctx, q)
}

func sqliteCatalogue(ctx context.Context, q querier) ([]tableInfo, []foreignKey, error) {
	names, err := queryStrings(ctx, q, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY name`)
	if err != nil {
		return nil, nil, err
	}
	var tables []tableInfo
	var fks []foreignKey
	for _, name := range names {
		t := tableInfo{Table: Table{Name: name}}
		// Every query's rows are read to the end before the next one
		// starts: a transaction has a single connection.
		rows, err := q.QueryContext(ctx, `SELECT name, type, pk FROM pragma_table_info($1) ORDER BY cid`, name)
		if err != nil {
			return nil, nil, err
		}
		type pkCol struct {
			name string
			pos  int
		}
		var pks []pkCol
		for rows.Next() {
			var col, typ string
			var pos int
			if err := rows.Scan(&col, &typ, &pos); err != nil {
				rows.Close()
				return nil, nil, err
			}
			k, err := sqliteKind(typ)
			if err != nil {
				rows.Close()
				return nil, nil, fmt.Errorf("column %s.%s: %w", name, col, err)
			}
			t.Columns = append(t.Columns, Column{Name: col, Type: k})
			if pos > 0 {
				pks = append(pks, pkCol{col, pos})
			}
		}
		if err := closeRows(rows); err != nil {
			return nil, nil, err
		}
		slices.SortFunc(pks, func(a, b pkCol) int { return a.pos - b.pos })
		for _, p := range pks {
			t.pk = append(t.pk, p.name)
		}
		parents, err := queryStrings(ctx, q, `SELECT "table" FROM pragma_foreign_key_list($1)`, name)
		if err != nil {
			return nil, nil, err
		}
		for _, p := range parents {
			// SQLite checks are deferred to commit during a restore,
			// so every reference counts as deferrable.
			fks = append(fks, foreignKey{child: name, parent: p, deferrable: true})
		}
		tables = append(tables, t)
	}
	return tables, fks, nil
}

func pgCatalogue(ctx context.Context, q querier) ([]tableInfo, []foreignKey, error) {
	names, err := queryStrings(ctx, q, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`)
	if err != nil {
		return nil, nil, err
	}
	byName := map[string]*tableInfo{}
	tables := make([]tableInfo, len(names))
	for i, n := range names {
		tables[i].Name = n
		byName[n] = &tables[i]
	}
	// Generated columns are computed by the engine and cannot be
	// inserted, so they are neither written nor restored.
	rows, err := q.QueryContext(ctx, `SELECT table_name, column_name, data_type FROM information_schema.columns
		WHERE table_schema = current_schema() AND is_generated = 'NEVER' ORDER BY table_name, ordinal_position`)
	if err != nil {
		return nil, nil, err
	}
	for rows.Next() {
		var tn, col, typ string
		if err := rows.Scan(&tn, &col, &typ); err != nil {
			rows.Close()
			return nil, nil, err
		}
		t := byName[tn]
		if t == nil {
			continue // a view
		}
		k, err := pgKind(typ)
		if err != nil {
			rows.Close()
			return nil, nil, fmt.Errorf("column %s.%s: %w", tn, col, err)
		}
		t.Columns = append(t.Columns, Column{Name: col, Type: k})
	}
	if err := closeRows(rows); err != nil {
		return nil, nil, err
	}
	rows, err = q.QueryContext(ctx, `SELECT kcu.table_name, kcu.column_name
		FROM information_schema.table_constraints tc
		JOIN information_schema.key_column_usage kcu
		  ON kcu.constraint_schema = tc.constraint_schema AND kcu.constraint_name = tc.constraint_name AND kcu.table_name = tc.table_name
		WHERE tc.constraint_type = 'PRIMARY KEY' AND tc.table_schema = current_schema()
		ORDER BY kcu.table_name, kcu.ordinal_position`)
	if err != nil {
		return nil, nil, err
	}
	for rows.Next() {
		var tn, col string
		if err := rows.Scan(&tn, &col); err != nil {
			rows.Close()
			return nil, nil, err
		}
		if t := byName[tn]; t != nil {
			t.pk = append(t.pk, col)
		}
	}
	if err := closeRows(rows); err != nil {
		return nil, nil, err
	}
	rows, err = q.QueryContext(ctx, `SELECT ch.relname, pa.relname, c.condeferrable
		FROM pg_constraint c
		JOIN pg_class ch ON ch.oid = c.conrelid
		JOIN pg_class pa ON pa.oid = c.confrelid
		JOIN pg_namespace n ON n.oid = ch.relnamespace
		WHERE c.contype = 'f' AND n.nspname = current_schema()
		ORDER BY 1, 2`)
	if err != nil {
		return nil, nil, err
	}
	var fks []foreignKey
	for rows.Next() {
		var fk foreignKey
		if err := rows.Scan(&fk.child, &fk.parent, &fk.deferrable); err != nil {
			rows.Close()
			return nil, nil, err
		}
		fks = append(fks, fk)
	}
	if err := closeRows(rows); err != nil {
		return nil, nil, err
	}
	return tables, fks, nil
}

// sqliteKind maps a declared SQLite type to a kind with SQLite's own
// affinity rules, which is how SQLite itself stores the values.
func sqliteKind(declared string) (Kind, error) {
	t := strings.ToUpper(declared)
	switch {
	case strings.Contains(t, "INT"):
		return Integer, nil
	case strings.Contains(t, "CHAR"), strings.Contains(t, "CLOB"), strings.Contains(t, "TEXT"):
		return Text, nil
	case strings.Contains(t, "BLOB"):
		return Bytes, nil
	case strings.Contains(t, "REAL"), strings.Contains(t, "FLOA"), strings.Contains(t, "DOUB"):
		return Real, nil
	case strings.Contains(t, "BOOL"):
		return Boolean, nil
	}
	return "", fmt.Errorf("the type %q has no engine-neutral form in the backup format", declared)
}

// pgKind maps a PostgreSQL information_schema data_type to a kind.
func pgKind(dataType string) (Kind, error) {
	switch dataType {
	case "smallint", "integer", "bigint":
		return Integer, nil
	case "text", "character varying", "character":
		return Text, nil
	case "bytea":
		return Bytes, nil
	case "real", "double precision":
		return Real, nil
	case "boolean":
		return Boolean, nil
	}
	return "", fmt.Errorf("the type %q has no engine-neutral form in the backup format", dataType)
}

// dependencyOrder orders tables so that every table comes after the tables
// its foreign keys refer to, breaking ties by name so the order is stable.
// A self-reference does not constrain the order; tables in a cycle follow
// the others by name (restore defers or refuses them, see checkOrder).
func dependencyOrder(tables []tableInfo, fks []foreignKey) []tableInfo {
	byName := map[string]tableInfo{}
	parents := map[string]map[string]bool{}
	for _, t := range tables {
		byName[t.Name] = t
		parents[t.Name] = map[string]bool{}
	}
	for _, fk := range fks {
		if fk.child != fk.parent && parents[fk.child] != nil && parents[fk.parent] != nil {
			parents[fk.child][fk.parent] = true
		}
	}
	var out []tableInfo
	placed := map[string]bool{}
	for len(out) < len(tables) {
		var ready []string
		for name, ps := range parents {
			if placed[name] {
				continue
			}
			ok := true
			for p := range ps {
				if !placed[p] {
					ok = false
					break
				}
			}
			if ok {
				ready = append(ready, name)
			}
		}
		if len(ready) == 0 {
			// A cycle: place the rest by name.
			for name := range parents {
				if !placed[name] {
					ready = append(ready, name)
				}
			}
		}
		slices.Sort(ready)
		for _, n := range ready {
			placed[n] = true
			out = append(out, byName[n])
		}
	}
	return out
}

// checkOrder reports a foreign key that the given table order would
// violate on insert and that the engine cannot defer to commit.
func checkOrder(order []Table, fks []foreignKey) error {
	pos := map[string]int{}
	for i, t := range order {
		pos[t.Name] = i
	}
	for _, fk := range fks {
		if fk.deferrable || fk.child == fk.parent {
			continue
		}
		if pos[fk.parent] > pos[fk.child] {
			return fmt.Errorf("table %s refers to %s, which the backup holds later, and the reference cannot be deferred", fk.child, fk.parent)
		}
	}
	return nil
}

// quote quotes an identifier the same way on both engines.
func quote(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

func queryStrings(ctx context.Context, q querier, query string, args ...any) ([]string, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, s)
	}
	return out, closeRows(rows)
}

func closeRows(rows *sql.Rows) error {
	err := rows.Err()
	if cerr := rows.Close(); err == nil {
		err = cerr
	}
	return err
}
