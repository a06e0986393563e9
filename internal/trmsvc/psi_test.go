package trmsvc

import (
	"bytes"
	"context"
	"testing"
)

// Two instances learn whether a person referred in one was identified
// before in the other, and nothing else: the asker keeps the match bit in
// its audit event, the answerer records only that a question came and on
// what legal basis, and no name, date or document number is on the wire.
func TestPSIRevealsOnlyTheMatchBit(t *testing.T) {
	onPeeredPairs(t, func(t *testing.T, th, np *instance) {
		ctx := context.Background()
		// Nepal identified her years ago, with her name written another way.
		np.identify(24, "SITA", "Tamang ", "2002-04-15", "pa-1234567")
		np.identify(40, "Other", "Person", "1986-02-02", "ZX000001")
		again := th.identify(24, "Sita", "Tamang", "2002-04-15", "")
		fresh := th.identify(30, "Asha", "Gurung", "1996-03-03", "QQ999")
		ca := th.as("demo.competent_authority")
		in := PSIInput{Peer: np.svc.ID.Instance, Basis: "retrafficking_check"}
		if _, err := th.svc.AskPSI(ctx, ca, again, PSIInput{Peer: in.Peer, Basis: "curiosity"}); err == nil {
			t.Fatal("a question without a legal basis was asked")
		}
		m, err := th.svc.AskPSI(ctx, ca, again, in)
		if err != nil || !m {
			t.Fatalf("the person identified in both: match %v, %v", m, err)
		}
		wire := *np.lastBody.Load()
		for _, s := range []string{"Sita", "SITA", "sita", "Tamang", "tamang", "2002-04-15", "1234567"} {
			if bytes.Contains(wire, []byte(s)) {
				t.Fatalf("%q on the wire", s)
			}
		}
		m, err = th.svc.AskPSI(ctx, ca, fresh, in)
		if err != nil || m {
			t.Fatalf("a person never identified there: match %v, %v", m, err)
		}
		asked := th.events("trm.psi.asked")
		if len(asked) != 2 || asked[0]["result"] != "no_match" || asked[1]["result"] != "match" || asked[1]["basis"] != "retrafficking_check" {
			t.Fatalf("asker's audit: %v", asked)
		}
		answered := np.events("trm.psi.answered")
		if len(answered) != 2 || answered[0]["result"] != "" || answered[0]["basis"] != "retrafficking_check" {
			t.Fatalf("answerer's audit: %v", answered)
		}
		if _, err := th.svc.AskPSI(ctx, th.as("demo.case_worker"), again, in); err == nil {
			t.Fatal("a case worker ran a cross-border match")
		}
		th.verifyAudit()
		np.verifyAudit()
	})
}
