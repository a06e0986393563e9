package handover

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/haven-nrm/haven/internal/errs"
)

// The expectations below are written out from the package doc, not computed
// by calling the package: what a response does to a handover of each kind in
// each state, and which side gives each response.

// next[kind][state][response] is the state a handover takes when the right
// side gives response; a missing entry means the response is not allowed in
// that state.
var next = map[string]map[string]map[string]string{
	KindTransfer: {
		// The receiver accepts (ownership moves) or rejects; the sender
		// revokes while unanswered. Nothing moves an answered transfer.
		StatePending: {Accept: StateAccepted, Reject: StateRejected, Revoke: StateRevoked},
	},
	KindReferral: {
		StatePending: {Accept: StateAccepted, Reject: StateRejected, Revoke: StateRevoked},
		// A referral may also be revoked after acceptance, and ends when the
		// receiver marks it done.
		StateAccepted: {Revoke: StateRevoked, Done: StateDone},
	},
}

// answeredBy is the side that gives each response.
var answeredBy = map[string]Side{Accept: Receiver, Reject: Receiver, Revoke: Sender, Done: Receiver}

// wantKind is how each error code is classified.
var wantKind = map[string]errs.Kind{
	"unknown_kind": errs.Invalid, "same_agency": errs.Invalid, "unknown_agency": errs.Invalid,
	"transfer_pending": errs.Invalid, "case_closed": errs.Invalid, "unknown_response": errs.Invalid,
	"wrong_side": errs.Forbidden, "not_allowed_in_state": errs.Invalid, "reason_required": errs.Invalid,
	"unknown_reason": errs.Invalid, "support_open": errs.Invalid,
}

// errCode checks that err is nil or a *Error whose code is listed in
// ErrorCodes and which classifies as errs.Invalid or errs.Forbidden with key
// "handover.error.<code>"; it returns the code, or "" for nil.
func errCode(t *testing.T, err error) string {
	t.Helper()
	if err == nil {
		return ""
	}
	var he *Error
	if !errors.As(err, &he) {
		t.Fatalf("error %v (%T) is not a *handover.Error", err, err)
	}
	if !slices.Contains(ErrorCodes(), string(he.Code)) {
		t.Errorf("every code returned is listed in ErrorCodes(): %q is not", he.Code)
	}
	var ee *errs.Error
	if !errors.As(err, &ee) {
		t.Fatalf("error %q does not unwrap to *errs.Error", he.Code)
	}
	want := errs.Invalid
	if he.Code == "wrong_side" {
		want = errs.Forbidden
	}
	if ee.Kind != want {
		t.Errorf("error %q: kind %v, want %v (a wrong side is forbidden, anything else invalid)", he.Code, ee.Kind, want)
	}
	if ee.Key != "handover.error."+string(he.Code) {
		t.Errorf("error %q: key %q, want %q", he.Code, ee.Key, "handover.error."+he.Code)
	}
	if errs.KindOf(err) != want {
		t.Errorf("error %q: errs.KindOf = %v, want %v", he.Code, errs.KindOf(err), want)
	}
	return string(he.Code)
}

func sideName(s Side) string {
	switch s {
	case Sender:
		return "sender"
	case Receiver:
		return "receiver"
	}
	return fmt.Sprintf("side(%d)", int(s))
}

func TestCodeLists(t *testing.T) {
	uniq := func(s []string) bool {
		c := slices.Clone(s)
		slices.Sort(c)
		return len(slices.Compact(c)) == len(s)
	}
	tests := []struct {
		rule string
		ok   bool
	}{
		{"two kinds: transfer and referral", slices.Equal(Kinds(), []string{"transfer", "referral"})},
		{"five states: pending, accepted, rejected, revoked, done",
			slices.Equal(States(), []string{"pending", "accepted", "rejected", "revoked", "done"})},
		{"four responses: accept, reject, revoke, done", slices.Equal(Responses(), []string{"accept", "reject", "revoke", "done"})},
		{"reject reasons are coded and include the person declining",
			uniq(RejectReasons()) && slices.Contains(RejectReasons(), "person_declined") && !slices.Contains(RejectReasons(), "")},
		{"closure reasons are coded and include reintegrated, referred_elsewhere and deceased",
			uniq(ClosureReasons()) && slices.Contains(ClosureReasons(), "reintegrated") &&
				slices.Contains(ClosureReasons(), "referred_elsewhere") && slices.Contains(ClosureReasons(), "deceased") &&
				!slices.Contains(ClosureReasons(), "")},
		{"error codes are unique", uniq(ErrorCodes())},
		{"every error code has an expected classification", len(wantKind) == len(ErrorCodes())},
		{"HTCDS 2.0 cas_Status values", CaseActive == "Active" && CaseFollowUp == "FollowUp" &&
			CaseClosed == "Closed" && CaseClosedReferred == "ClosedReferred"},
	}
	for _, tt := range tests {
		if !tt.ok {
			t.Errorf("%s: not so", tt.rule)
		}
	}
	for _, c := range ErrorCodes() {
		if _, ok := wantKind[c]; !ok {
			t.Errorf("error code %q has no expected classification", c)
		}
	}
	// The expectation tables only use listed codes.
	for kind, byState := range next {
		if !slices.Contains(Kinds(), kind) {
			t.Errorf("expectation table: unknown kind %q", kind)
		}
		for state, byResp := range byState {
			if !slices.Contains(States(), state) {
				t.Errorf("expectation table: unknown state %q", state)
			}
			for resp, to := range byResp {
				if !slices.Contains(Responses(), resp) || !slices.Contains(States(), to) {
					t.Errorf("expectation table: %s %s %s -> %s", kind, state, resp, to)
				}
			}
		}
	}
}

func TestErrorClassification(t *testing.T) {
	tests := []struct {
		rule, code string
		kind       errs.Kind
	}{
		{"a wrong side is forbidden (access policy)", "wrong_side", errs.Forbidden},
		{"an unknown kind is invalid input", "unknown_kind", errs.Invalid},
		{"handing over to the owner is invalid", "same_agency", errs.Invalid},
		{"an unknown agency is invalid input", "unknown_agency", errs.Invalid},
		{"a second pending transfer is invalid", "transfer_pending", errs.Invalid},
		{"acting on a closed case is invalid", "case_closed", errs.Invalid},
		{"an unknown response is invalid input", "unknown_response", errs.Invalid},
		{"a response the state does not allow is invalid", "not_allowed_in_state", errs.Invalid},
		{"reject needs a coded reason", "reason_required", errs.Invalid},
		{"an uncoded reason is invalid", "unknown_reason", errs.Invalid},
		{"closing while support is open is invalid", "support_open", errs.Invalid},
	}
	seen := map[string]bool{}
	for _, tt := range tests {
		seen[tt.code] = true
		if !slices.Contains(ErrorCodes(), tt.code) {
			t.Errorf("%s: %q not in ErrorCodes()", tt.rule, tt.code)
		}
		var err error = &Error{Code: Code(tt.code)}
		if got := err.Error(); got != "handover: "+tt.code {
			t.Errorf("%s: Error() = %q", tt.rule, got)
		}
		var ee *errs.Error
		if !errors.As(err, &ee) {
			t.Fatalf("%s: %q does not unwrap to *errs.Error", tt.rule, tt.code)
		}
		if ee.Kind != tt.kind || ee.Key != "handover.error."+tt.code || !errs.Is(err, tt.kind) {
			t.Errorf("%s: %q classified %v key %q, want %v key %q", tt.rule, tt.code, ee.Kind, ee.Key, tt.kind, "handover.error."+tt.code)
		}
		if ee.Err == nil || ee.Err.Error() != tt.code {
			t.Errorf("%s: cause %v, want the code for logs", tt.rule, ee.Err)
		}
		if errCode(t, err) != tt.code {
			t.Errorf("%s: errCode mismatch", tt.rule)
		}
	}
	for _, c := range ErrorCodes() {
		if !seen[c] {
			t.Errorf("error code %q has no classification row", c)
		}
	}
}

// TestEveryCodeReachable shows each listed code is returned by some call,
// so ErrorCodes lists no dead code.
func TestEveryCodeReachable(t *testing.T) {
	pendingTransfer := Handover{KindTransfer, StatePending, "a", "b"}
	tests := []struct {
		rule, code string
		err        error
	}{
		{"CanOffer refuses an unknown kind", "unknown_kind", CanOffer("loan", "a", "b", true, false, nil)},
		{"CanOffer refuses handing over to the owner", "same_agency", CanOffer(KindReferral, "a", "a", true, false, nil)},
		{"CanOffer refuses an unknown agency", "unknown_agency", CanOffer(KindReferral, "a", "z", false, false, nil)},
		{"at most one transfer is pending at a time", "transfer_pending",
			CanOffer(KindTransfer, "a", "c", true, false, []Handover{pendingTransfer})},
		{"a closed case is not handed over", "case_closed", CanOffer(KindTransfer, "a", "b", true, true, nil)},
		{"Close refuses a closed case", "case_closed", func() error { _, _, err := Close(CaseClosed, "other", false); return err }()},
		{"Respond refuses an unknown response", "unknown_response", func() error { _, err := Respond(pendingTransfer, Receiver, "maybe", ""); return err }()},
		{"accept is the receiver's", "wrong_side", func() error { _, err := Respond(pendingTransfer, Sender, Accept, ""); return err }()},
		{"done ends an accepted referral only", "not_allowed_in_state",
			func() error { _, err := Respond(pendingTransfer, Receiver, Done, ""); return err }()},
		{"Reopen refuses an active case", "not_allowed_in_state", func() error { _, err := Reopen(CaseActive); return err }()},
		{"reject needs a coded reason", "reason_required", func() error { _, err := Respond(pendingTransfer, Receiver, Reject, ""); return err }()},
		{"reject reason must be coded", "unknown_reason", func() error { _, err := Respond(pendingTransfer, Receiver, Reject, "busy"); return err }()},
		{"closure reason must be coded", "unknown_reason", func() error { _, _, err := Close(CaseActive, "bored", false); return err }()},
		{"closing waits for open support", "support_open", func() error { _, _, err := Close(CaseActive, "other", true); return err }()},
	}
	seen := map[string]bool{}
	for _, tt := range tests {
		got := errCode(t, tt.err)
		if got != tt.code {
			t.Errorf("%s: code %q, want %q", tt.rule, got, tt.code)
		}
		seen[got] = true
	}
	for _, c := range ErrorCodes() {
		if !seen[c] {
			t.Errorf("listed error code %q is never returned", c)
		}
	}
}

func TestCanOffer(t *testing.T) {
	const owner, other, third = "agency-a", "agency-b", "agency-c"
	ho := func(kind, state string) Handover { return Handover{kind, state, owner, other} }
	tests := []struct {
		rule          string
		kind, to      string
		known, closed bool
		existing      []Handover
		want          string
	}{
		{"a transfer to a known other agency may be offered", KindTransfer, other, true, false, nil, ""},
		{"a referral to a known other agency may be offered", KindReferral, other, true, false, nil, ""},
		{"an empty list of handovers blocks nothing", KindTransfer, other, true, false, []Handover{}, ""},

		{"unknown kind is refused", "loan", other, true, false, nil, "unknown_kind"},
		{"kinds are exact codes: empty kind refused", "", other, true, false, nil, "unknown_kind"},
		{"kinds are exact codes: case matters", "Transfer", other, true, false, nil, "unknown_kind"},
		{"kinds are exact codes: a state is not a kind", StatePending, other, true, false, nil, "unknown_kind"},

		{"a closed case is not transferred", KindTransfer, other, true, true, nil, "case_closed"},
		{"a closed case is not referred", KindReferral, other, true, true, nil, "case_closed"},

		{"transfer to an unknown agency is refused", KindTransfer, "nowhere", false, false, nil, "unknown_agency"},
		{"referral to an unknown agency is refused", KindReferral, "nowhere", false, false, nil, "unknown_agency"},

		{"never transfer to the owner", KindTransfer, owner, true, false, nil, "same_agency"},
		{"never refer to the owner", KindReferral, owner, true, false, nil, "same_agency"},

		{"at most one transfer is pending at a time", KindTransfer, other, true, false,
			[]Handover{ho(KindTransfer, StatePending)}, "transfer_pending"},
		{"at most one transfer is pending at a time, whatever agency the second goes to", KindTransfer, third, true, false,
			[]Handover{ho(KindTransfer, StatePending)}, "transfer_pending"},
		{"the pending transfer is found among other handovers", KindTransfer, third, true, false,
			[]Handover{ho(KindReferral, StateAccepted), ho(KindTransfer, StateRejected), ho(KindTransfer, StatePending)}, "transfer_pending"},
		{"a pending referral does not block a transfer", KindTransfer, other, true, false,
			[]Handover{ho(KindReferral, StatePending)}, ""},
		{"several pending referrals do not block a transfer", KindTransfer, third, true, false,
			[]Handover{ho(KindReferral, StatePending), {KindReferral, StatePending, owner, third}}, ""},
		{"a pending transfer does not block a referral", KindReferral, third, true, false,
			[]Handover{ho(KindTransfer, StatePending)}, ""},
		{"a pending referral does not block another referral", KindReferral, third, true, false,
			[]Handover{ho(KindReferral, StatePending)}, ""},
		{"an accepted transfer is not pending", KindTransfer, other, true, false, []Handover{ho(KindTransfer, StateAccepted)}, ""},
		{"a rejected transfer is not pending", KindTransfer, other, true, false, []Handover{ho(KindTransfer, StateRejected)}, ""},
		{"a revoked transfer is not pending", KindTransfer, other, true, false, []Handover{ho(KindTransfer, StateRevoked)}, ""},
		{"a done transfer is not pending", KindTransfer, other, true, false, []Handover{ho(KindTransfer, StateDone)}, ""},

		// Several refusals at once: kind, then closed case, then agency,
		// then owner, then pending transfer.
		{"an unknown kind is refused before anything else", "loan", owner, false, true,
			[]Handover{ho(KindTransfer, StatePending)}, "unknown_kind"},
		{"a closed case is refused before the agency is judged", KindTransfer, owner, false, true,
			[]Handover{ho(KindTransfer, StatePending)}, "case_closed"},
		{"an unknown agency is refused before the owner check", KindTransfer, owner, false, false,
			[]Handover{ho(KindTransfer, StatePending)}, "unknown_agency"},
		{"same agency is refused before the pending transfer", KindTransfer, owner, true, false,
			[]Handover{ho(KindTransfer, StatePending)}, "same_agency"},
	}
	for _, tt := range tests {
		err := CanOffer(tt.kind, owner, tt.to, tt.known, tt.closed, tt.existing)
		if got := errCode(t, err); got != tt.want {
			t.Errorf("%s: CanOffer(%q, to %q, known %v, closed %v, %v) = %q, want %q",
				tt.rule, tt.kind, tt.to, tt.known, tt.closed, tt.existing, got, tt.want)
		}
	}
}

// TestRespondRules spells out the main rules one row at a time; the
// exhaustive test below covers every combination.
func TestRespondRules(t *testing.T) {
	tr := func(state string) Handover { return Handover{KindTransfer, state, "a", "b"} }
	rf := func(state string) Handover { return Handover{KindReferral, state, "a", "b"} }
	tests := []struct {
		rule             string
		h                Handover
		side             Side
		response, reason string
		want, code       string
	}{
		{"transfer: ownership moves only on acceptance (HTCDS referral: accepted)", tr(StatePending), Receiver, Accept, "", StateAccepted, ""},
		{"transfer: ownership moves only on acceptance — the sender cannot accept for the receiver", tr(StatePending), Sender, Accept, "", "", "wrong_side"},
		{"transfer: an accepted transfer is not accepted twice", tr(StateAccepted), Receiver, Accept, "", "", "not_allowed_in_state"},
		{"referral: the receiver accepts to work on the case", rf(StatePending), Receiver, Accept, "", StateAccepted, ""},
		{"the receiver rejects with a coded reason", tr(StatePending), Receiver, Reject, "no_capacity", StateRejected, ""},
		{"the person may decline the service (coded reason person_declined)", rf(StatePending), Receiver, Reject, "person_declined", StateRejected, ""},
		{"reject needs a coded reason", rf(StatePending), Receiver, Reject, "", "", "reason_required"},
		{"reject needs a coded reason, not free text", rf(StatePending), Receiver, Reject, "we are full", "", "unknown_reason"},
		{"reject reasons are exact codes", rf(StatePending), Receiver, Reject, "No_Capacity", "", "unknown_reason"},
		{"reject is the receiver's", rf(StatePending), Sender, Reject, "no_capacity", "", "wrong_side"},
		{"an accepted referral cannot be rejected; revoke or done ends it", rf(StateAccepted), Receiver, Reject, "other", "", "not_allowed_in_state"},
		{"the state is judged before the reason: rejecting an answered handover without reason", rf(StateRejected), Receiver, Reject, "", "", "not_allowed_in_state"},
		{"revoke is the sender's", tr(StatePending), Receiver, Revoke, "", "", "wrong_side"},
		{"the sender revokes a transfer while it is unanswered", tr(StatePending), Sender, Revoke, "", StateRevoked, ""},
		{"the sender cannot revoke an accepted transfer: ownership has moved", tr(StateAccepted), Sender, Revoke, "", "", "not_allowed_in_state"},
		{"the sender revokes a referral while it is unanswered", rf(StatePending), Sender, Revoke, "", StateRevoked, ""},
		{"the sender revokes a referral also after acceptance", rf(StateAccepted), Sender, Revoke, "", StateRevoked, ""},
		{"a rejected referral cannot be revoked", rf(StateRejected), Sender, Revoke, "", "", "not_allowed_in_state"},
		{"a done referral cannot be revoked", rf(StateDone), Sender, Revoke, "", "", "not_allowed_in_state"},
		{"done ends an accepted referral only", rf(StateAccepted), Receiver, Done, "", StateDone, ""},
		{"done ends an accepted referral only — not a pending one", rf(StatePending), Receiver, Done, "", "", "not_allowed_in_state"},
		{"done ends an accepted referral only — not a transfer", tr(StateAccepted), Receiver, Done, "", "", "not_allowed_in_state"},
		{"done is the receiver's", rf(StateAccepted), Sender, Done, "", "", "wrong_side"},
		{"responses are exact codes", rf(StatePending), Receiver, "Accept", "", "", "unknown_response"},
		{"an empty response is unknown", rf(StatePending), Receiver, "", "", "", "unknown_response"},
		{"a wrong side is refused whatever the state", tr(StateDone), Sender, Accept, "", "", "wrong_side"},
		{"an unknown response is refused before the side is judged", rf(StatePending), Side(7), "withdraw", "", "", "unknown_response"},
	}
	for _, tt := range tests {
		got, err := Respond(tt.h, tt.side, tt.response, tt.reason)
		code := errCode(t, err)
		if got != tt.want || code != tt.code {
			t.Errorf("%s: Respond(%v, %s, %q, %q) = %q, %q; want %q, %q",
				tt.rule, tt.h, sideName(tt.side), tt.response, tt.reason, got, code, tt.want, tt.code)
		}
	}
}

type respondRow struct {
	rule             string
	h                Handover
	side             Side
	response, reason string
	want, code       string
}

// expectRespond states, from the tables above, what Respond must do.
func expectRespond(kind, state string, side Side, response, reason string) respondRow {
	r := respondRow{h: Handover{kind, state, "from", "to"}, side: side, response: response, reason: reason}
	wantSide, known := answeredBy[response]
	to, allowed := next[kind][state][response]
	switch {
	case !known:
		r.rule, r.code = "only the four coded responses exist", "unknown_response"
	case side != wantSide && response == Revoke:
		r.rule, r.code = "revoke is the sender's", "wrong_side"
	case side != wantSide:
		r.rule, r.code = response+" is the receiver's", "wrong_side"
	case !allowed && response == Done:
		r.rule, r.code = "done ends an accepted referral only", "not_allowed_in_state"
	case !allowed && response == Revoke && kind == KindTransfer:
		r.rule, r.code = "revoke: a transfer only while unanswered", "not_allowed_in_state"
	case !allowed && response == Revoke:
		r.rule, r.code = "revoke: a referral while unanswered or after acceptance, never once ended", "not_allowed_in_state"
	case !allowed:
		r.rule, r.code = response+": only a pending handover is answered", "not_allowed_in_state"
	case response == Reject && reason == "":
		r.rule, r.code = "reject needs a coded reason", "reason_required"
	case response == Reject && !slices.Contains([]string{"no_capacity", "outside_mandate", "not_eligible", "person_declined", "other"}, reason):
		r.rule, r.code = "reject needs a coded reason from RejectReasons", "unknown_reason"
	case response == Accept && kind == KindTransfer:
		r.rule, r.want = "transfer: ownership moves only on acceptance (HTCDS referral: accepted)", to
	case response == Accept:
		r.rule, r.want = "referral: the receiver accepts to work on the case, the owner keeps it", to
	case response == Reject:
		r.rule, r.want = "the receiver rejects a pending handover with a coded reason", to
	case response == Revoke:
		r.rule, r.want = "the sender revokes while unanswered, a referral also after acceptance", to
	default:
		r.rule, r.want = "done ends an accepted referral only", to
	}
	return r
}

// TestRespondExhaustive tries every kind × state × side × response (with
// unknown sides and responses, and every kind of reason) against the
// expectation tables.
func TestRespondExhaustive(t *testing.T) {
	sides := []Side{Sender, Receiver, Side(2), Side(-1)}
	responses := append(slices.Clone(Responses()), "", "ACCEPT", "withdraw")
	reasons := append([]string{"", "bogus", "No_Capacity", " other", "reintegrated"}, RejectReasons()...)
	var rows []respondRow
	for _, kind := range Kinds() {
		for _, state := range States() {
			for _, side := range sides {
				for _, response := range responses {
					for _, reason := range reasons {
						rows = append(rows, expectRespond(kind, state, side, response, reason))
					}
				}
			}
		}
	}
	if want := 2 * 5 * len(sides) * len(responses) * len(reasons); len(rows) != want {
		t.Fatalf("%d rows, want %d", len(rows), want)
	}
	counts := map[string]int{}
	for _, r := range rows {
		got, err := Respond(r.h, r.side, r.response, r.reason)
		code := errCode(t, err)
		if got != r.want || code != r.code {
			t.Errorf("%s: Respond(%s/%s, %s, %q, %q) = %q, %q; want %q, %q",
				r.rule, r.h.Kind, r.h.State, sideName(r.side), r.response, r.reason, got, code, r.want, r.code)
		}
		if err == nil {
			if !slices.Contains(States(), got) {
				t.Errorf("%s: new state %q not in States()", r.rule, got)
			}
			counts[r.h.Kind+"/"+r.h.State+"/"+r.response+"->"+got]++
		} else if got != "" {
			t.Errorf("%s: a refusal returns no state, got %q", r.rule, got)
		}
	}
	// The allowed transitions are exactly those the package doc gives.
	var allowed []string
	for k := range counts {
		allowed = append(allowed, k)
	}
	slices.Sort(allowed)
	want := []string{
		"referral/accepted/done->done",
		"referral/accepted/revoke->revoked",
		"referral/pending/accept->accepted",
		"referral/pending/reject->rejected",
		"referral/pending/revoke->revoked",
		"transfer/pending/accept->accepted",
		"transfer/pending/reject->rejected",
		"transfer/pending/revoke->revoked",
	}
	if !slices.Equal(allowed, want) {
		t.Errorf("allowed transitions %v, want %v", allowed, want)
	}
	t.Logf("%d Respond combinations", len(rows))
}

// TestTerminalStates: rejected, revoked and done handovers take no further
// response, and an accepted transfer is final.
func TestTerminalStates(t *testing.T) {
	tests := []struct {
		rule, kind, state string
	}{
		{"a rejected transfer is final", KindTransfer, StateRejected},
		{"a revoked transfer is final", KindTransfer, StateRevoked},
		{"an accepted transfer is final: ownership has moved", KindTransfer, StateAccepted},
		{"a transfer is never done", KindTransfer, StateDone},
		{"a rejected referral is final", KindReferral, StateRejected},
		{"a revoked referral is final", KindReferral, StateRevoked},
		{"a done referral is final", KindReferral, StateDone},
	}
	for _, tt := range tests {
		for _, response := range Responses() {
			for _, side := range []Side{Sender, Receiver} {
				if got, err := Respond(Handover{tt.kind, tt.state, "a", "b"}, side, response, "other"); err == nil {
					t.Errorf("%s: %s %s moved it to %q", tt.rule, sideName(side), response, got)
				}
			}
		}
	}
}

// supportOpen is how a caller derives Close's supportOpen from the package
// doc: "an offer unanswered, a service not ended".
func supportOpen(hs []Handover) bool {
	for _, h := range hs {
		if h.State == StatePending || Working(h) {
			return true
		}
	}
	return false
}

func TestWorking(t *testing.T) {
	for _, kind := range Kinds() {
		for _, state := range States() {
			want := kind == KindReferral && state == StateAccepted
			rule := "an accepted referral, not yet done or revoked, is a service that runs"
			if !want {
				rule = "only an accepted referral is work in progress"
			}
			if got := Working(Handover{kind, state, "a", "b"}); got != want {
				t.Errorf("%s: Working(%s/%s) = %v", rule, kind, state, got)
			}
		}
	}
}

func TestCloseSupportOpen(t *testing.T) {
	h := func(kind, state string) Handover { return Handover{kind, state, "a", "b"} }
	tests := []struct {
		rule       string
		handovers  []Handover
		reason     string
		wantStatus string
		code       string
	}{
		{"a case with no handovers closes", nil, "returned_home", CaseClosed, ""},
		{"a declined service never blocks closing — support_open only while an offer is unanswered or a service runs",
			[]Handover{h(KindReferral, StateRejected)}, "support_no_longer_wanted", CaseClosed, ""},
		{"a service ended (done) does not block closing", []Handover{h(KindReferral, StateDone)}, "reintegrated", CaseFollowUp, ""},
		{"a revoked offer does not block closing", []Handover{h(KindReferral, StateRevoked), h(KindTransfer, StateRevoked)}, "other", CaseClosed, ""},
		{"an accepted transfer is no open support", []Handover{h(KindTransfer, StateAccepted)}, "referred_elsewhere", CaseClosedReferred, ""},
		{"an unanswered referral keeps support open", []Handover{h(KindReferral, StatePending)}, "returned_home", "", "support_open"},
		{"an unanswered transfer keeps support open", []Handover{h(KindTransfer, StatePending)}, "referred_elsewhere", "", "support_open"},
		{"a running service keeps support open", []Handover{h(KindReferral, StateRejected), h(KindReferral, StateAccepted)}, "lost_contact", "", "support_open"},
		{"deceased closes whatever support stands", []Handover{h(KindReferral, StatePending), h(KindReferral, StateAccepted)}, "deceased", CaseClosed, ""},
	}
	for _, tt := range tests {
		got, _, err := Close(CaseActive, tt.reason, supportOpen(tt.handovers))
		if code := errCode(t, err); got != tt.wantStatus || code != tt.code {
			t.Errorf("%s: Close(Active, %q) with %v = %q, %q; want %q, %q", tt.rule, tt.reason, tt.handovers, got, code, tt.wantStatus, tt.code)
		}
	}
}

func TestClose(t *testing.T) {
	type outcome struct {
		status   string
		followUp bool
	}
	// closes[from][reason] is the outcome with no support open. From
	// follow-up every reason closes the case; from active the same, except
	// that reintegrated starts the follow-up.
	fromFollowUp := map[string]outcome{
		"reintegrated":             {CaseClosed, false},
		"returned_home":            {CaseClosed, false},
		"referred_elsewhere":       {CaseClosedReferred, false},
		"support_no_longer_wanted": {CaseClosed, false},
		"lost_contact":             {CaseClosed, false},
		"not_a_victim":             {CaseClosed, false},
		"deceased":                 {CaseClosed, false},
		"other":                    {CaseClosed, false},
	}
	fromActive := maps.Clone(fromFollowUp)
	fromActive["reintegrated"] = outcome{CaseFollowUp, true}
	closes := map[string]map[string]outcome{CaseActive: fromActive, CaseFollowUp: fromFollowUp}
	rules := map[string]string{
		"reintegrated":       "HTCDS cas_Status FollowUp for reintegrated; closed for good after the follow-up",
		"referred_elsewhere": "HTCDS cas_Status ClosedReferred for a case passed to another organisation",
	}
	reasons := append(slices.Clone(ClosureReasons()), "", "Deceased", "moved", "no_capacity")
	n := 0
	for _, from := range []string{CaseActive, CaseFollowUp, CaseClosed, CaseClosedReferred} {
		for _, reason := range reasons {
			for _, open := range []bool{false, true} {
				n++
				var rule, code string
				var want outcome
				o, coded := closes[CaseActive][reason]
				if from == CaseFollowUp {
					o = closes[CaseFollowUp][reason]
				}
				switch {
				case from == CaseClosed || from == CaseClosedReferred:
					rule, code = "a closed case is not closed again; reopen it first", "case_closed"
				case !coded:
					rule, code = "a case closes with a coded reason", "unknown_reason"
				case open && reason == "deceased":
					rule, want = "deceased closes whatever support stands", o
				case open:
					rule, code = "a case does not close while an offer is unanswered or a service runs", "support_open"
				default:
					rule, want = rules[reason], o
					if rule == "" {
						rule = "HTCDS cas_Status Closed for " + reason
					}
				}
				got, followUp, err := Close(from, reason, open)
				if c := errCode(t, err); got != want.status || followUp != want.followUp || c != code {
					t.Errorf("%s: Close(%q, %q, open %v) = %q, %v, %q; want %q, %v, %q",
						rule, from, reason, open, got, followUp, c, want.status, want.followUp, code)
				}
			}
		}
	}
	t.Logf("%d Close combinations", n)
}

func TestReopen(t *testing.T) {
	tests := []struct {
		rule, from, want, code string
	}{
		{"a closed case reopens to Active", CaseClosed, CaseActive, ""},
		{"a ClosedReferred case reopens to Active", CaseClosedReferred, CaseActive, ""},
		{"a followed-up case reopens to Active", CaseFollowUp, CaseActive, ""},
		{"an active case is not reopened", CaseActive, "", "not_allowed_in_state"},
	}
	for _, tt := range tests {
		got, err := Reopen(tt.from)
		if code := errCode(t, err); got != tt.want || code != tt.code {
			t.Errorf("%s: Reopen(%q) = %q, %q; want %q, %q", tt.rule, tt.from, got, code, tt.want, tt.code)
		}
	}
}

func TestCloseReopenCycle(t *testing.T) {
	tests := []struct {
		rule  string
		steps []string // "close:<reason>" or "reopen"; each must succeed
		want  string
	}{
		{"reintegrated: FollowUp, then closed for good", []string{"close:reintegrated", "close:reintegrated"}, CaseClosed},
		{"a followed-up person who dies: Closed", []string{"close:reintegrated", "close:deceased"}, CaseClosed},
		{"reopened after closing, the case can close again", []string{"close:lost_contact", "reopen", "close:referred_elsewhere"}, CaseClosedReferred},
		{"a followed-up case reopened is Active and reintegration starts a new follow-up",
			[]string{"close:reintegrated", "reopen", "close:reintegrated"}, CaseFollowUp},
	}
	for _, tt := range tests {
		status := CaseActive
		for _, s := range tt.steps {
			var err error
			if s == "reopen" {
				status, err = Reopen(status)
			} else {
				status, _, err = Close(status, s[len("close:"):], false)
			}
			if err != nil {
				t.Fatalf("%s: step %s: %v", tt.rule, s, err)
			}
		}
		if status != tt.want {
			t.Errorf("%s: ended %q, want %q", tt.rule, status, tt.want)
		}
	}
}

func FuzzRespond(f *testing.F) {
	for _, kind := range append(Kinds(), "", "loan") {
		for _, state := range append(States(), "", "open") {
			for _, response := range append(Responses(), "", "x") {
				f.Add(kind, state, "a", "b", 0, response, "")
				f.Add(kind, state, "a", "a", 1, response, "no_capacity")
			}
		}
	}
	f.Add(KindReferral, StatePending, "a", "b", 1, Reject, "bogus")
	f.Add(KindReferral, StateAccepted, "a", "b", -3, Done, "")
	f.Fuzz(func(t *testing.T, kind, state, from, to string, side int, response, reason string) {
		h := Handover{kind, state, from, to}
		got, err := Respond(h, Side(side), response, reason)
		_ = Working(h)
		if err != nil {
			if got != "" {
				t.Errorf("refusal %v returned state %q", err, got)
			}
			errCode(t, err)
			return
		}
		if !slices.Contains(States(), got) {
			t.Fatalf("Respond(%v, %d, %q, %q) accepted into %q, not in States()", h, side, response, reason, got)
		}
		if slices.Contains(Kinds(), kind) && slices.Contains(States(), state) {
			// For a well-formed handover the result is the documented one.
			if want := expectRespond(kind, state, Side(side), response, reason); want.code != "" || want.want != got {
				t.Errorf("%s: Respond(%v, %d, %q, %q) = %q, want %q/%q", want.rule, h, side, response, reason, got, want.want, want.code)
			}
		}
	})
}
