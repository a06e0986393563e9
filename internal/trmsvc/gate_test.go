package trmsvc

import (
	"context"
	"testing"

	"github.com/haven-nrm/haven/internal/testenv"
	"github.com/haven-nrm/haven/internal/trm"
)

// No package of a child leaves without the guardian's agreement and a
// recorded best-interests determination (UNHCR BIP Guidelines); an adult's
// own consent for another country does not count; an override needs a
// coded reason and is audited.
func TestNoPackageWithoutConsentOrBestInterests(t *testing.T) {
	e := testenv.Engines(t)[0]
	ctx := context.Background()
	th, np := peeredPair(t, e)
	ca := th.as("demo.competent_authority")
	send := SendInput{Peer: np.svc.ID.Instance, Purpose: string(trm.PurposeReturn)}
	child := th.identify(15, "Maya", "Lama", "2011-06-01", "PC1111111")
	steps := []struct {
		in   *ConsentInput
		want trm.Code
	}{
		{nil, trm.CodeNoGuardianConsent},
		{&ConsentInput{Purpose: string(trm.PurposeReturn), Country: "NP", Given: true}, trm.CodeNoGuardianConsent},
		{&ConsentInput{Purpose: string(trm.PurposeReturn), Country: "NP", Given: true, ByGuardian: true}, trm.CodeNoBestInterests},
		{&ConsentInput{BestInterests: true}, ""},
	}
	for i, s := range steps {
		if s.in != nil {
			if err := th.svc.RecordConsent(ctx, ca, child, *s.in); err != nil {
				t.Fatal(err)
			}
		}
		_, err := th.svc.Send(ctx, ca, child, send)
		if trm.CodeOf(err) != s.want || (s.want == "" && err != nil) {
			t.Fatalf("step %d: %v, want %q", i, err, s.want)
		}
	}
	adult := th.identify(30, "Mina", "Rai", "1996-01-01", "PB7654321")
	if err := th.svc.RecordConsent(ctx, ca, adult, ConsentInput{Purpose: string(trm.PurposeReturn), Country: "IN", Given: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := th.svc.Send(ctx, ca, adult, send); trm.CodeOf(err) != trm.CodeNoConsent {
		t.Fatalf("consent for India sent to Nepal: %v", err)
	}
	if _, err := th.svc.Send(ctx, ca, adult, SendInput{Peer: send.Peer, Purpose: send.Purpose, OverrideReason: "because"}); trm.CodeOf(err) != trm.CodeOverrideReason {
		t.Fatalf("override without a coded reason: %v", err)
	}
	if _, err := th.svc.Send(ctx, ca, adult, SendInput{Peer: send.Peer, Purpose: send.Purpose, OverrideReason: "life_threat"}); err != nil {
		t.Fatal(err)
	}
	ev := th.events("trm.package.queued")
	if len(ev) != 2 || ev[0]["override"] != "life_threat" || ev[1]["override"] != "" {
		t.Fatalf("the override is not audited: %v", ev)
	}
}
