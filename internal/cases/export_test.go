package cases

import (
	"context"
	"time"

	"github.com/haven-nrm/haven/internal/store"
)

// Relation says, for the tests, how an agency stands to a case read
// through r (see relationOf).
func Relation(ctx context.Context, r store.Reader, c store.Case, agencyID string, _ time.Time) (participant, offered bool, err error) {
	if agencyID == "" || agencyID == c.AgencyID {
		return false, false, nil
	}
	f, err := readFile(ctx, r, c.ID)
	if err != nil {
		return false, false, err
	}
	return relationOf(f, c, agencyID)
}
