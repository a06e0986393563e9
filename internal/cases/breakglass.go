package cases

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/audit"
	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/seal"
	"github.com/haven-nrm/haven/internal/store"
)

// BreakGlassReasons are the coded reasons for emergency access.
func BreakGlassReasons() []string {
	return []string{"danger_to_life", "continuity_of_care", "court_order", "other"}
}

// MaxJustification bounds the written justification of emergency access,
// in characters.
const MaxJustification = 500

// BreakGlass opens case caseID to p, outside p's scope, for lasts: it
// seals the written justification, stores the grant, audits it flagged
// break-glass and tells the case's agency (an in-app notice, and an e-mail
// to each of its administrators), by ids and codes only. The grant only
// ever reads (grantReads in package access). The caller has decided that p
// may break the glass and that p proved their identity again just now. It
// returns the grant's id, or inScope true and no grant when p may already
// see the case; a missing reason or justification is refused on its field,
// nothing written.
func (s *Service) BreakGlass(ctx context.Context, p access.Principal, caseID, reason, justification string, lasts time.Duration) (grant string, inScope bool, err error) {
	c, err := s.DB.Case(ctx, caseID)
	if err != nil {
		return "", false, err
	}
	if access.Allowed(access.ViewCaseSummary, p, access.Resource{AgencyID: c.AgencyID, JurisdictionID: c.JurisdictionID}) {
		return "", true, nil
	}
	gid, err := s.breakGlass(ctx, p, c, reason, justification, lasts)
	return gid, false, err
}

func (s *Service) breakGlass(ctx context.Context, p access.Principal, c store.Case, reason, justification string, lasts time.Duration) (string, error) {
	justification = strings.TrimSpace(justification)
	switch {
	case !slices.Contains(BreakGlassReasons(), reason):
		return "", errs.Field("reason", "breakglass.error.reason", errors.New("unknown reason"))
	case justification == "" || !utf8.ValidString(justification) || utf8.RuneCountInString(justification) > MaxJustification:
		return "", errs.Field("justification", "breakglass.error.justification", errors.New("justification missing or too long"))
	case lasts <= 0:
		return "", errs.E(errs.Internal, "break-glass grant without a duration")
	}
	gid := store.NewID()
	dk, wk, err := s.Keys.NewDataKey(gid)
	if err != nil {
		return "", err
	}
	ct, err := seal.Seal(dk, gid, "justification", []byte(justification))
	dk.Destroy()
	if err != nil {
		return "", err
	}
	now := s.Now()
	err = s.DB.Write(ctx, func(tx *store.Tx) error {
		if err := tx.InsertBreakGlass(ctx, store.BreakGlassGrant{ID: gid, UserID: p.UserID, CaseID: c.ID, AgencyID: c.AgencyID,
			Reason: reason, WrappedKey: wk, Justification: ct, CreatedAt: store.Millis(now), ExpiresAt: store.Millis(now.Add(lasts))}); err != nil {
			return err
		}
		if err := tx.Audit(ctx, audit.Event{Actor: p.UserID, Agency: p.AgencyID, Action: "case.break_glass", ObjectType: "case", ObjectID: c.ID,
			Flags: audit.FlagBreakGlass, Reason: gid, Details: map[string]string{"grant": gid, "reason": reason,
				audit.RecordAgencyDetail: c.AgencyID, "minutes": strconv.Itoa(int(lasts / time.Minute))}}); err != nil {
			return err
		}
		if err := tx.InsertNotification(ctx, store.Notification{ID: store.NewID(), AgencyID: c.AgencyID, Kind: "break_glass",
			ObjectType: "case", ObjectID: c.ID, CreatedAt: store.Millis(now)}); err != nil {
			return err
		}
		return tx.QueueRoleEmails(ctx, c.AgencyID, string(access.AgencyAdmin), "break_glass", c.ID)
	})
	if err != nil {
		return "", err
	}
	return gid, nil
}
