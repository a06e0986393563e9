package prosecution

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"
)

// smartStep is the test's own account of a step that follows from where a
// charge stands; pick chooses among the possible ones.
func smartStep(st ChargeStatus, pick byte) (Stage, Outcome) {
	o := VerdictOutcomes()[int(pick>>1)%4]
	switch {
	case st.Stage == StageInvestigation:
		return StageCharged, ""
	case st.Stage == StageCharged && pick&1 == 0:
		return StageTrial, ""
	case st.Stage == StageCharged, st.Stage == StageTrial:
		return StageVerdict, o
	case st.AppealPending && pick&1 == 0:
		return StageTrial, ""
	case st.AppealPending:
		return StageAppeal, o
	default: // a verdict or a decided appeal
		return StageAppeal, ""
	}
}

// FuzzOperations applies random sequences of every operation — with
// unknown codes, missing and malformed users, stale versions, dates in the
// future and out of order mixed in — and checks after each one:
//
//   - nothing panics, and a refusal is an *Error with a listed code that
//     leaves the investigation as it was;
//   - an accepted change returns the investigation one version later, and
//     never changes its argument, so the version is always one plus the
//     number of accepted changes;
//   - a stale version is always refused as such, and a closed
//     investigation accepts nothing but compensation updates;
//   - a sentence or a new compensation order is accepted only on a
//     conviction, "yes" only with consent, and paid never exceeds ordered;
//   - every charge's proceedings follow the order of stages, dated in
//     order, never before the investigation opened nor after the clock; a
//     step the test's own table says follows is accepted.
func FuzzOperations(f *testing.F) {
	f.Add([]byte{0, 0, 0, 1, 0, 0, 2, 0x20, 0, 2, 0x21, 0, 2, 0x20, 2, 4, 0, 0, 5, 0, 0, 2, 0x20, 0, 9, 0x40, 0})
	f.Add([]byte{0, 3, 1, 0, 0x10, 0, 1, 2, 1, 1, 0, 0, 3, 0x20, 4, 3, 0x21, 6, 3, 0x21, 0, 4, 0, 5, 6, 0, 2, 7, 0, 0, 8, 0, 0})
	// Convicted, compensation ordered, closed, then paid; nothing else
	// after the close.
	f.Add([]byte{0, 0, 0, 1, 0, 0, 2, 0x20, 1, 2, 0x20, 1, 5, 0x20, 1, 9, 0x70, 3, 5, 0x32, 0, 0, 0, 0})
	f.Add([]byte{6, 0, 2, 6, 1, 0, 7, 0, 1, 7, 1, 1, 0, 0x0f, 0, 0, 0, 0xf9, 0, 0, 0x50, 9, 0x40, 0, 0, 0, 0})
	// Long sequences from a fixed generator, mostly well-formed (known
	// codes and users, steps that follow, dates in order), so that go test
	// alone walks deep investigations through verdicts, appeals, sentences
	// and payments before closing them.
	for seed := range uint64(6) {
		r := rand.New(rand.NewPCG(seed, 2026))
		// good says whether a and b make a well-formed change of op.
		good := map[byte]func(a, b byte) bool{
			0: func(a, b byte) bool { return a%9 < 8 && (a>>2)%4 < 3 && (b>>1)%3 == 0 },
			1: func(a, b byte) bool { return a%11 < 10 && (b>>1)%3 < 2 },
			4: func(a, b byte) bool { return a%5 > 0 },
			6: func(a, b byte) bool { return a%4 < 3 && (a>>2)%8 != 3 && (a>>2)%8 != 4 && a&0x10 == 0 && b&2 != 0 },
			7: func(a, b byte) bool { return (a>>1)%9 < 7 },
			9: func(a, b byte) bool { return a&0x50 == 0x50 && (b%5 == 2 || b%5 == 3) },
		}
		weights := []byte{0, 1, 1, 2, 2, 2, 2, 2, 2, 4, 4, 5, 5, 6, 7, 8}
		ops := make([]byte, 0, 3*200)
		for n := range 200 {
			op := weights[r.IntN(len(weights))]
			if n == 199 {
				op = 9
			}
			for {
				a := byte(r.IntN(256)) | 0x20
				if r.IntN(4) > 0 {
					a &^= 0xc0 // dated now
				}
				b := byte(r.IntN(0xf8)) &^ 0x60 // a known user
				if a&0x0f == 0x0f && r.IntN(4) > 0 {
					continue // stale, now and then only
				}
				if ok := good[op]; ok == nil || ok(a, b) {
					ops = append(ops, op, a, b)
					break
				}
			}
		}
		f.Add(ops)
	}
	users := []string{officer, prosecutor, officer, prosecutor, officer, "", "a user", prosecutor}

	f.Fuzz(func(t *testing.T, ops []byte) {
		inv, err := Open("inv-f", "case-f", police, t0, officer, t0)
		if err != nil {
			t.Fatal(err)
		}
		now := t0
		accepted := 0
		for i := 0; i+2 < len(ops) && i < 3*200; i += 3 {
			op, a, b := ops[i]%12, ops[i+1], ops[i+2]
			now = now.Add(time.Duration(b%4) * time.Hour)
			when := now.Add(-time.Duration(a>>6) * time.Hour)
			if b >= 0xf8 {
				when = now.Add(time.Minute)
			}
			by := users[(b>>4)%8]
			v := inv.Version
			stale := a&0x0f == 0x0f
			if stale {
				v += int64(b&1)*2 - 1
			}
			goodUser := by != "" && by != "a user"
			closed := inv.Status.Closed()
			pickCharge := func() string {
				if k := int(a>>1) % (len(inv.Charges) + 1); k < len(inv.Charges) {
					return inv.Charges[k].ID
				}
				return "none"
			}
			before := inv.clone()

			var out Investigation
			var chargeBefore ChargeStatus
			var name string
			wantOK := false // true when the test knows the change must be accepted
			switch op {
			case 0:
				name = "AddSuspect"
				s := Suspect{ID: fmt.Sprint("s", i), ChainRole: append(ChainRoles(), "boss")[int(a)%9],
					Nature: []Nature{NatureIndividual, NatureLegalPerson, "x"}[int(b>>1)%3],
					Gender: Genders()[int(a)%6], Citizenship: []string{"NP", "MN", "", "UK"}[int(a>>2)%4]}
				if s.Nature == NatureLegalPerson && b&1 == 0 {
					s.Gender = ""
				}
				if a&0x10 != 0 && len(inv.Suspects) > 0 {
					s.ID = inv.Suspects[0].ID
				}
				out, err = AddSuspect(inv, v, s, by, now)
			case 1:
				name = "AddCharge"
				sid := "none"
				if k := int(a>>1) % (len(inv.Suspects) + 1); k < len(inv.Suspects) {
					sid = inv.Suspects[k].ID
				}
				c := Charge{ID: fmt.Sprint("c", i), SuspectID: sid, Offence: append(OffenceCategories(), "theft")[int(a)%11],
					Provision: []string{"cc_s123", "", "art 124"}[int(b>>1)%3]}
				out, err = AddCharge(inv, v, c, by, now)
			case 2, 3, 10, 11:
				name = "RecordProceeding"
				p := Proceeding{ID: fmt.Sprint("p", i), ChargeID: pickCharge(), At: when,
					Stage:   append(Stages(), "hearing")[int(a)%6],
					Outcome: []Outcome{"", OutcomeConvicted, OutcomeAcquitted, OutcomeDismissed, OutcomeWithdrawn, "guilty"}[int(b>>1)%6]}
				chargeBefore = inv.ChargeStatus(p.ChargeID)
				if a&0x20 != 0 {
					p.Stage, p.Outcome = smartStep(chargeBefore, b)
					_, known := inv.Charge(p.ChargeID)
					wantOK = known && goodUser && !stale && !closed && !when.After(now) && !when.Before(later(inv.OpenedAt, chargeBefore.At))
				}
				out, err = RecordProceeding(inv, v, p, by, now)
			case 4:
				name = "RecordSentence"
				s := Sentence{ID: fmt.Sprint("x", i), ChargeID: pickCharge(), CustodialMonths: int(a%5) * 12,
					Life: b&2 != 0 && a%5 == 0, Suspended: b&4 != 0, Fine: Money{int64(b%3) * 1000, "NPR"}, At: when}
				chargeBefore = inv.ChargeStatus(s.ChargeID)
				out, err = RecordSentence(inv, v, s, by, now)
			case 5:
				name = "RecordCompensation"
				c := Compensation{ID: fmt.Sprint("k", i), ChargeID: pickCharge(), Ordered: Money{1000, "NPR"},
					Paid: []int64{0, 500, 1000, 1500}[int(a)%4], At: when}
				if a&0x10 != 0 && len(inv.Compensation) > 0 {
					old := inv.Compensation[int(b)%len(inv.Compensation)]
					c.ID, c.ChargeID, c.Ordered = old.ID, old.ChargeID, old.Ordered
					if b&1 != 0 {
						c.Ordered.Amount++
					}
				}
				c.State = append(CompensationStates(), "lost")[int(b)%5]
				if a&0x20 != 0 {
					c.State = map[int64]CompensationState{0: CompensationOrdered, 500: CompensationPartiallyPaid, 1000: CompensationPaid, 1500: CompensationPaid}[c.Paid]
				}
				chargeBefore = inv.ChargeStatus(c.ChargeID)
				out, err = RecordCompensation(inv, v, c, by, now)
			case 6:
				name = "RecordParticipation"
				p := Participation{Willing: append(Willingnesses(), "x")[int(a)%4], At: when,
					Language: []string{"ne", "en", "th", "", "und", "mn", "ne", "en"}[int(a>>2)%8]}
				for j, m := range ProtectionMeasures() {
					if b&(1<<j) != 0 {
						p.ProtectionMeasures = append(p.ProtectionMeasures, m)
					}
				}
				if a&0x10 != 0 && len(p.ProtectionMeasures) > 0 {
					p.ProtectionMeasures = append(p.ProtectionMeasures, p.ProtectionMeasures[0])
				}
				consent := b&2 != 0
				out, err = RecordParticipation(inv, v, p, consent, by, now)
				if err == nil && p.Willing == WillingYes && !consent {
					t.Fatalf("step %d: yes recorded without consent", i)
				}
			case 7:
				name = "RaiseNonPunishment"
				fl := NonPunishmentFlag{Raised: a&1 == 0, Linked: b&1 != 0, At: when,
					OffenceCategory: append(NonPunishmentOffences(), "", "x")[int(a>>1)%9]}
				out, err = RaiseNonPunishment(inv, v, fl, by, now)
			case 8:
				name = "ReferToProsecution"
				out, err = ReferToProsecution(inv, v, by, now)
			case 9:
				name = "Close"
				if a&0x50 != 0x50 {
					out, err = ReferToProsecution(inv, v, by, now)
					break
				}
				out, err = Close(inv, v, append(InvestigationStatuses(), "x")[int(b)%5], by, now)
			}

			if !sameInvestigation(inv, before) || (i%75 == 0 && !reflect.DeepEqual(inv, before)) {
				t.Fatalf("step %d: %s changed its argument", i, name)
			}
			if wantOK && err != nil {
				t.Fatalf("step %d: %s of a step that follows (%+v) refused: %v", i, name, chargeBefore, err)
			}
			if err != nil {
				var e *Error
				if !errors.As(err, &e) || !slices.Contains(ErrorCodes(), e.Code) {
					t.Fatalf("step %d: %s refused with %v, not a listed code", i, name, err)
				}
				if !reflect.DeepEqual(out, Investigation{}) {
					t.Fatalf("step %d: a refusal returned an investigation", i)
				}
				switch {
				case stale && e.Code != CodeStaleVersion:
					t.Fatalf("step %d: stale version refused as %s", i, e.Code)
				case !stale && closed && name != "RecordCompensation" && e.Code != CodeInvestigationClosed:
					t.Fatalf("step %d: closed investigation refused %s as %s", i, name, e.Code)
				}
			} else {
				if stale || !goodUser || (closed && name != "RecordCompensation") {
					t.Fatalf("step %d: %s accepted (stale %v, user %q, closed %v)", i, name, stale, by, closed)
				}
				if out.Version != inv.Version+1 || out.UpdatedBy != by || !out.UpdatedAt.Equal(now) {
					t.Fatalf("step %d: %s went from version %d to %d", i, name, inv.Version, out.Version)
				}
				switch {
				case name == "RecordSentence" && !chargeBefore.Convicted():
					t.Fatalf("step %d: a sentence without conviction (%+v)", i, chargeBefore)
				case name == "RecordCompensation" && len(out.Compensation) > len(inv.Compensation) && !chargeBefore.Convicted():
					t.Fatalf("step %d: compensation ordered without conviction", i)
				case out.Status.Closed() && !closed && name != "Close":
					t.Fatalf("step %d: %s closed the investigation", i, name)
				}
				inv = out
				accepted++
			}
			checkInvariants(t, i, inv, now, accepted)
		}
		b, err := json.Marshal(inv)
		if err != nil {
			t.Fatal(err)
		}
		var back Investigation
		if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(back, inv) {
			t.Fatalf("JSON round trip: %v", err)
		}
	})
}

// sameInvestigation is reflect.DeepEqual for investigations, faster: the
// fuzz test compares the argument after every step.
func sameInvestigation(x, y Investigation) bool {
	type scalars struct {
		ID, CaseID, Agency, OpenedBy, ClosedBy, UpdatedBy string
		Status                                            InvestigationStatus
		OpenedAt, ReferredAt, ClosedAt, UpdatedAt         time.Time
		Version                                           int64
	}
	of := func(i Investigation) scalars {
		return scalars{i.ID, i.CaseID, i.Agency, i.OpenedBy, i.ClosedBy, i.UpdatedBy, i.Status, i.OpenedAt, i.ReferredAt,
			i.ClosedAt, i.UpdatedAt, i.Version}
	}
	return of(x) == of(y) && slices.Equal(x.Suspects, y.Suspects) && slices.Equal(x.Charges, y.Charges) &&
		slices.Equal(x.Proceedings, y.Proceedings) && slices.Equal(x.Sentences, y.Sentences) &&
		slices.Equal(x.Compensation, y.Compensation) && slices.Equal(x.NonPunishment, y.NonPunishment) &&
		slices.EqualFunc(x.Participation, y.Participation, func(p, q Participation) bool {
			return p.Willing == q.Willing && p.RecordedBy == q.RecordedBy && p.At == q.At && p.Language == q.Language &&
				slices.Equal(p.ProtectionMeasures, q.ProtectionMeasures)
		})
}

func checkInvariants(t *testing.T, step int, inv Investigation, now time.Time, accepted int) {
	t.Helper()
	if inv.Version != 1+int64(accepted) {
		t.Fatalf("step %d: version %d after %d accepted changes", step, inv.Version, accepted)
	}
	type key struct{ kind, id string }
	ids := map[key]bool{}
	unique := func(kind, id string) {
		if ids[key{kind, id}] {
			t.Fatalf("step %d: %s %s twice", step, kind, id)
		}
		ids[key{kind, id}] = true
	}
	for _, s := range inv.Suspects {
		unique("suspect", s.ID)
	}
	// Replay every charge's proceedings in one pass.
	type replay struct {
		st   ChargeStatus
		last time.Time
	}
	charges := map[string]*replay{}
	for _, c := range inv.Charges {
		unique("charge", c.ID)
		if _, ok := inv.Suspect(c.SuspectID); !ok {
			t.Fatalf("step %d: charge %s against no suspect", step, c.ID)
		}
		charges[c.ID] = &replay{st: ChargeStatus{Stage: StageInvestigation}, last: inv.OpenedAt}
	}
	for _, p := range inv.Proceedings {
		unique("proceeding", p.ID)
		r, known := charges[p.ChargeID]
		if !known {
			t.Fatalf("step %d: proceeding %s on no charge", step, p.ID)
		}
		var ok bool
		if r.st, ok = advance(r.st, p); !ok || p.At.Before(r.last) || p.At.After(now) {
			t.Fatalf("step %d: proceeding %+v out of order", step, p)
		}
		r.last = p.At
	}
	brought, pending := false, false
	for i, c := range inv.Charges {
		st := charges[c.ID].st
		if (i == len(inv.Charges)-1 || step%10 == 0) && st != inv.ChargeStatus(c.ID) {
			t.Fatalf("step %d: charge status", step)
		}
		brought = brought || st.Brought()
		pending = pending || st.Pending()
	}
	for _, s := range inv.Sentences {
		unique("sentence", s.ID)
		if checkSentence(s) != nil {
			t.Fatalf("step %d: malformed sentence %+v", step, s)
		}
	}
	for _, c := range inv.Compensation {
		unique("compensation", c.ID)
		if c.Paid > c.Ordered.Amount || c.Paid < 0 || !c.stateFits() {
			t.Fatalf("step %d: compensation %+v", step, c)
		}
	}
	for i := 1; i < len(inv.Participation); i++ {
		if inv.Participation[i].At.Before(inv.Participation[i-1].At) {
			t.Fatalf("step %d: participation out of order", step)
		}
	}
	for i := 1; i < len(inv.NonPunishment); i++ {
		if inv.NonPunishment[i].At.Before(inv.NonPunishment[i-1].At) {
			t.Fatalf("step %d: non-punishment flags out of order", step)
		}
	}
	switch {
	case brought && inv.Status == StatusOpen:
		t.Fatalf("step %d: a charge brought but the investigation is open", step)
	case inv.Status.Closed() && inv.Status == StatusClosedProsecuted != brought:
		t.Fatalf("step %d: closed as %s, charges brought %v", step, inv.Status, brought)
	case inv.Status.Closed() && pending:
		t.Fatalf("step %d: closed with proceedings pending", step)
	}
	mis := Misclassified(inv, true)
	hasTrafficking := slices.ContainsFunc(inv.Charges, func(c Charge) bool { return c.Offence == OffenceTrafficking })
	if (len(mis) > 0) != (!hasTrafficking && len(inv.Charges) > 0) || Misclassified(inv, false) != nil {
		t.Fatalf("step %d: Misclassified %v", step, mis)
	}
	if f, ok := inv.CurrentNonPunishment(); ok {
		adult, child := NonPunishmentGuidance(f, false), NonPunishmentGuidance(f, true)
		if f.Raised != adult.Has(GuideNotifyProsecutor) || f.Raised != child.Has(GuideChildNoCompulsion) {
			t.Fatalf("step %d: guidance %v for %+v", step, adult.ItemCodes(), f)
		}
	}
}
