package support

import (
	"testing"
	"time"

	"github.com/haven-nrm/haven/internal/errs"
)

// t0 is a fixed instant; tests count from it.
var t0 = time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)

// at returns t0 plus n hours.
func at(n int) time.Time { return t0.Add(time.Duration(n) * time.Hour) }

// fixed returns a clock that always says t.
func fixed(t time.Time) Clock { return func() time.Time { return t } }

const (
	worker   = "user-case-worker"
	provider = "user-provider"
	agencyA  = "agency-owner"
	agencyB  = "agency-shelter"
	agencyC  = "agency-clinic"
)

// wantCode fails unless err carries code (or is nil when code is "").
func wantCode(t *testing.T, rule string, err error, code Code) {
	t.Helper()
	if got := CodeOf(err); got != code || (code == "" && err != nil) {
		t.Errorf("%s: got error %v (code %q), want code %q", rule, err, got, code)
	}
}

// itemCase is a case of a table test of an operation on an item of type
// T: the rule it checks, the item, and the refusal code the rule wants
// ("" when the item is accepted).
type itemCase[T any] struct {
	name, rule string
	item       T
	want       Code
}

// mustOffer offers service from agency with id, or fails.
func mustOffer(t testing.TB, p Plan, id string, s ServiceType, agency string, when time.Time) Plan {
	t.Helper()
	p, err := Offer(p, OfferRequest{ID: id, Service: s, Agency: agency, By: worker, At: when}, when)
	if err != nil {
		t.Fatalf("offer %s: %v", id, err)
	}
	return p
}

// mustAct applies a to id, or fails.
func mustAct(t testing.TB, p Plan, id string, a Action, when time.Time) Plan {
	t.Helper()
	p, err := Act(p, id, a, worker, when, when)
	if err != nil {
		t.Fatalf("%s %s: %v", a, id, err)
	}
	return p
}

// mustRecord records e, or fails.
func mustRecord(t testing.TB, l Ledger, e ConsentEvent) Ledger {
	t.Helper()
	if e.By == "" {
		e.By = worker
	}
	if e.Language == "" {
		e.Language = "ne"
	}
	l, err := l.Record(e, e.At)
	if err != nil {
		t.Fatalf("record %+v: %v", e, err)
	}
	return l
}

// CodeOf returns the code of a support error in err's chain, or "".
func CodeOf(err error) Code { return errs.CodeOf[Code](err) }
