package audit

import (
	"context"
	"maps"
	"sync"
)

// RecordAgencyDetail is the detail key naming the agency whose record an
// event is about, so that the agency's administrators see every event on
// their records, not only those of their own staff.
const RecordAgencyDetail = "record_agency"

// scope is what one request has learnt about the record it reaches: whose
// it is, and the break-glass grant that opened it, if a grant did.
type scope struct {
	mu           sync.Mutex
	recordAgency string
	grant        string
}

type scopeKey struct{}

// WithScope returns ctx carrying an empty request scope. The web server
// gives every request one; [SetRecord] fills it once access to a record is
// decided, and [Stamp] marks every event written with the context.
func WithScope(ctx context.Context) context.Context {
	return context.WithValue(ctx, scopeKey{}, &scope{})
}

// SetRecord records in ctx's scope that the request reaches a record of
// agency, opened by the break-glass grant (empty when the principal's own
// scope or part in the case gives access). It reports false when ctx has
// no scope, where nothing can be marked: a caller whose access rests on a
// grant must then refuse.
func SetRecord(ctx context.Context, agency, grant string) bool {
	s, _ := ctx.Value(scopeKey{}).(*scope)
	if s == nil {
		return false
	}
	s.mu.Lock()
	s.recordAgency, s.grant = agency, grant
	s.mu.Unlock()
	return true
}

// Stamp returns e marked with what ctx's scope knows: the record's agency
// as the [RecordAgencyDetail] detail (unless e names one already), and,
// when a break-glass grant gave access, [FlagBreakGlass] with the grant id
// as Reason. The store stamps every event it writes, so no event written
// for a request under a grant can go unflagged.
func Stamp(ctx context.Context, e Event) Event {
	s, _ := ctx.Value(scopeKey{}).(*scope)
	if s == nil {
		return e
	}
	s.mu.Lock()
	agency, grant := s.recordAgency, s.grant
	s.mu.Unlock()
	if agency != "" && e.Details[RecordAgencyDetail] == "" {
		d := maps.Clone(e.Details)
		if d == nil {
			d = map[string]string{}
		}
		d[RecordAgencyDetail] = agency
		e.Details = d
	}
	if grant != "" {
		e.Flags |= FlagBreakGlass
		e.Reason = grant
	}
	return e
}
