package store

import "context"

// Classify exposes the driver-error classifier to the package's tests.
var Classify = classify

// MigrateTo applies the migrations up to version v, for tests of a later
// migration from the schema before it.
func (db *DB) MigrateTo(ctx context.Context, v int) ([]int, error) { return db.migrateTo(ctx, v) }

// StampDoc exposes the document stamp to the package's tests.
var StampDoc = stampDoc
