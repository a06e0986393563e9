package store

import (
	"context"
	"strconv"

	"github.com/haven-nrm/haven/internal/audit"
)

// WrappedKeyColumn is a table column holding data keys wrapped by the
// master key, with the record id the wrap is bound to.
type WrappedKeyColumn struct {
	Table, IDColumn, KeyColumn string
}

// WrappedKeyColumns lists every place a wrapped data key is stored.
var WrappedKeyColumns = []WrappedKeyColumn{
	{"persons", "id", "wrapped_key"},
	{"break_glass_grants", "id", "wrapped_key"},
	{"user_mfa", "user_id", "wrapped_key"},
	{"referral_drafts", "user_id", "wrapped_key"},
}

// RewrapAll rewraps, in batches, every stored data key that fn says needs
// it; fn returns the new wrapped key, or nil to leave it. Each batch commits
// with an audit event. It returns how many keys were rewrapped per table.
func (db *DB) RewrapAll(ctx context.Context, batch int, fn func(recordID string, wrapped []byte) ([]byte, error)) (map[string]int, error) {
	done := map[string]int{}
	for _, col := range WrappedKeyColumns {
		after := ""
		for {
			type row struct {
				id string
				wk []byte
			}
			q := `SELECT ` + col.IDColumn + `, ` + col.KeyColumn + ` FROM ` + col.Table + ` WHERE ` + col.KeyColumn +
				` IS NOT NULL AND ` + col.IDColumn + ` > $1 ORDER BY ` + col.IDColumn + ` LIMIT $2`
			rows, err := collect(ctx, db.r, q, []any{after, batch}, func(s scanner) (row, error) {
				var r row
				err := s.Scan(&r.id, &r.wk)
				return r, err
			})
			if err != nil {
				return done, err
			}
			if len(rows) == 0 {
				break
			}
			after = rows[len(rows)-1].id
			n := 0
			err = db.WriteBookkeeping(ctx, KeyRewrap, func(tx *Tx) error {
				n = 0
				for _, r := range rows {
					nk, err := fn(r.id, r.wk)
					if err != nil {
						return err
					}
					if nk == nil {
						continue
					}
					// Only if unchanged since read: a concurrent erasure
					// or rewrap wins.
					res, err := tx.ExecContext(ctx, `UPDATE `+col.Table+` SET `+col.KeyColumn+` = $1 WHERE `+col.IDColumn+` = $2 AND `+col.KeyColumn+` = $3`, nk, r.id, r.wk)
					if err != nil {
						return classify(err)
					}
					if c, _ := res.RowsAffected(); c == 1 {
						n++
					}
				}
				if n == 0 {
					return nil
				}
				return tx.Audit(ctx, audit.Event{Action: "keys.rewrap", ObjectType: col.Table, Reason: "rotation",
					Details: map[string]string{"count": strconv.Itoa(n), "after": rows[0].id}})
			})
			if err != nil {
				return done, err
			}
			done[col.Table] += n
		}
	}
	return done, nil
}

// CountWrappedWith counts stored data keys for which match is true, to
// check that no record still needs a master key before it is retired.
func (db *DB) CountWrappedWith(ctx context.Context, match func([]byte) bool) (int, error) {
	total := 0
	for _, col := range WrappedKeyColumns {
		rs, err := db.r.QueryContext(ctx, `SELECT `+col.KeyColumn+` FROM `+col.Table+` WHERE `+col.KeyColumn+` IS NOT NULL`)
		if err != nil {
			return total, classify(err)
		}
		for rs.Next() {
			var wk []byte
			if err := rs.Scan(&wk); err != nil {
				rs.Close()
				return total, classify(err)
			}
			if match(wk) {
				total++
			}
		}
		rs.Close()
	}
	return total, nil
}
