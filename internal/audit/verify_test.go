package audit

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"slices"
	"testing"
)

func testKey(seed byte) (ed25519.PrivateKey, ed25519.PublicKey, string) {
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize))
	pub := priv.Public().(ed25519.PublicKey)
	return priv, pub, KeyIDFor(pub)
}

// checkpointsAt signs checkpoints for the events of log at the given seqs.
func checkpointsAt(priv ed25519.PrivateKey, keyID string, log []Event, seqs ...int64) []Checkpoint {
	var cps []Checkpoint
	for _, s := range seqs {
		cps = append(cps, Sign(priv, keyID, log[s-1], 1_800_000_000_000+s))
	}
	return cps
}

// cloneLog deep-copies events so that a test can tamper with them freely.
func cloneLog(log []Event) []Event {
	out := make([]Event, len(log))
	for i, e := range log {
		e.Details = cloneMap(e.Details)
		e.PrevHash = slices.Clone(e.PrevHash)
		e.Hash = slices.Clone(e.Hash)
		out[i] = e
	}
	return out
}

func cloneMap(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// rechain recomputes Seq, PrevHash and Hash of events[from:], as someone
// with write access to the database could.
func rechain(events []Event, from int) {
	for i := from; i < len(events); i++ {
		var prev *Event
		if i > 0 {
			prev = &events[i-1]
		}
		events[i] = Chain(prev, events[i])
	}
}

// forged returns an event chained onto prev, as a forger would make it.
func forged(prev *Event) Event {
	e := testEvent(99)
	e.ID = "forged"
	e.Action = "case.delete"
	return Chain(prev, e)
}

// history is what someone with write access to the database can tamper
// with: the events and the checkpoints.
type history struct {
	ev  []Event
	cps []Checkpoint
}

type feedMode int

const (
	checkpointsFirst feedMode = iota // all checkpoints, then all events
	interleaved                      // each checkpoint right before its event
)

// feed gives v all the checkpoints, then all the events, and returns the
// first error.
func feed(v *Verifier, cps []Checkpoint, events []Event) error {
	for _, c := range cps {
		if err := v.Checkpoint(c); err != nil {
			return err
		}
	}
	for _, e := range events {
		if err := v.Next(e); err != nil {
			return err
		}
	}
	return nil
}

// verifyStream runs a Verifier over the events and checkpoints and returns
// the result of Finish. It stops feeding at the first error.
func verifyStream(t testing.TB, pub ed25519.PublicKey, events []Event, cps []Checkpoint, mode feedMode) (Summary, error) {
	t.Helper()
	v := NewVerifier(pub)
	if mode == checkpointsFirst {
		feed(v, cps, events) // Finish reports the error
		return v.Finish()
	}
	for _, e := range events {
		for len(cps) > 0 && cps[0].Seq <= e.Seq {
			if err := v.Checkpoint(cps[0]); err != nil {
				return v.Finish()
			}
			cps = cps[1:]
		}
		if err := v.Next(e); err != nil {
			return v.Finish()
		}
	}
	feed(v, cps, nil)
	return v.Finish()
}

func TestVerifierTampering(t *testing.T) {
	const n = 20
	priv, pub, keyID := testKey(1)
	otherPriv, _, otherKeyID := testKey(2)

	// want describes the expected error; a zero Kind means no error.
	type want struct {
		kind    string
		seq     int64
		eventID string
	}
	tests := []struct {
		name string
		// cpAt are the seqs with checkpoints; nil means {10, 20}.
		cpAt   []int64
		tamper func(h *history)
		want   want
	}{
		{name: "intact"},
		{name: "intact without checkpoints", cpAt: []int64{}},

		// A field of event k changed in place.
		{name: "modify actor", tamper: func(h *history) { h.ev[6].Actor = "user-8" }, want: want{KindModified, 7, "ev-7"}},
		{name: "modify time", tamper: func(h *history) { h.ev[6].At++ }, want: want{KindModified, 7, "ev-7"}},
		{name: "modify action", tamper: func(h *history) { h.ev[6].Action = "case.export" }, want: want{KindModified, 7, "ev-7"}},
		{name: "modify object id", tamper: func(h *history) { h.ev[6].ObjectID = "case-1" }, want: want{KindModified, 7, "ev-7"}},
		{name: "modify object type", tamper: func(h *history) { h.ev[6].ObjectType = "person" }, want: want{KindModified, 7, "ev-7"}},
		{name: "modify agency", tamper: func(h *history) { h.ev[6].Agency = "agency-4" }, want: want{KindModified, 7, "ev-7"}},
		{name: "modify reason", tamper: func(h *history) { h.ev[6].Reason = "" }, want: want{KindModified, 7, "ev-7"}},
		{name: "clear break-glass flag", tamper: func(h *history) { h.ev[6].Flags ^= FlagBreakGlass }, want: want{KindModified, 7, "ev-7"}},
		{name: "modify detail value", tamper: func(h *history) { h.ev[6].Details["screen"] = "documents" }, want: want{KindModified, 7, "ev-7"}},
		{name: "add detail", tamper: func(h *history) { h.ev[6].Details["extra"] = "x" }, want: want{KindModified, 7, "ev-7"}},
		{name: "remove details", tamper: func(h *history) { h.ev[6].Details = nil }, want: want{KindModified, 7, "ev-7"}},
		{name: "modify id", tamper: func(h *history) { h.ev[6].ID = "ev-77" }, want: want{KindModified, 7, "ev-77"}},
		{name: "modify seq", tamper: func(h *history) { h.ev[6].Seq = 8 }, want: want{KindModified, 8, "ev-7"}},
		{name: "modify prev hash", tamper: func(h *history) { h.ev[6].PrevHash[0] ^= 1 }, want: want{KindModified, 7, "ev-7"}},
		{name: "modify stored hash", tamper: func(h *history) { h.ev[6].Hash[31] ^= 1 }, want: want{KindModified, 7, "ev-7"}},
		{name: "truncate stored hash", tamper: func(h *history) { h.ev[6].Hash = h.ev[6].Hash[:31] }, want: want{KindModified, 7, "ev-7"}},
		{name: "modify first event", tamper: func(h *history) { h.ev[0].Actor = "user-8" }, want: want{KindModified, 1, "ev-1"}},
		{name: "modify last event", tamper: func(h *history) { h.ev[n-1].Actor = "user-8" }, want: want{KindModified, n, "ev-20"}},

		// Modified with a recomputed hash: the next event no longer links.
		{name: "modify and rehash", tamper: func(h *history) {
			h.ev[6].Actor = "user-8"
			h.ev[6].Hash = h.ev[6].ComputeHash()
		}, want: want{KindInserted, 7, "ev-7"}},
		{name: "modify and rehash first event", tamper: func(h *history) {
			h.ev[0].Actor = "user-8"
			h.ev[0].Hash = h.ev[0].ComputeHash()
		}, want: want{KindInserted, 1, "ev-1"}},
		{name: "first event not linked to genesis", tamper: func(h *history) {
			h.ev[0].PrevHash[0] = 1
			h.ev[0].Hash = h.ev[0].ComputeHash()
			rechain(h.ev, 1)
		}, want: want{KindInserted, 1, "ev-1"}},
		// Modified and the rest of the chain recomputed: only a checkpoint
		// can tell.
		{name: "modify and rechain, checkpoint after", tamper: func(h *history) {
			h.ev[6].Actor = "user-8"
			rechain(h.ev, 6)
		}, want: want{KindBadCheckpoint, 10, "ev-10"}},
		{name: "modify and rechain after last checkpoint (undetectable)", cpAt: []int64{10}, tamper: func(h *history) {
			h.ev[14].Actor = "user-8"
			rechain(h.ev, 14)
		}},

		// Deletions.
		{name: "delete middle", tamper: func(h *history) { h.ev = slices.Delete(h.ev, 6, 7) }, want: want{KindDeleted, 7, "ev-8"}},
		{name: "delete range", tamper: func(h *history) { h.ev = slices.Delete(h.ev, 6, 9) }, want: want{KindDeleted, 7, "ev-10"}},
		{name: "delete checkpointed event", tamper: func(h *history) { h.ev = slices.Delete(h.ev, 9, 10) }, want: want{KindDeleted, 10, "ev-11"}},
		{name: "delete first", tamper: func(h *history) { h.ev = h.ev[1:] }, want: want{KindDeleted, 1, "ev-2"}},
		{name: "delete middle and last", tamper: func(h *history) { h.ev = slices.Delete(h.ev[:n-1], 6, 7) }, want: want{KindDeleted, 7, "ev-8"}},
		{name: "delete second to last", tamper: func(h *history) { h.ev = slices.Delete(h.ev, n-2, n-1) }, want: want{KindDeleted, n - 1, "ev-20"}},
		{name: "truncate tail below checkpoint", tamper: func(h *history) { h.ev = h.ev[:n-3] }, want: want{KindDeleted, n - 2, ""}},
		{name: "truncate everything", tamper: func(h *history) { h.ev = nil }, want: want{KindDeleted, 1, ""}},
		{name: "truncate tail after last checkpoint (undetectable)", cpAt: []int64{10}, tamper: func(h *history) { h.ev = h.ev[:n-3] }},
		{name: "truncate tail and its checkpoint (undetectable)", tamper: func(h *history) { h.ev, h.cps = h.ev[:n-3], h.cps[:1] }},
		{name: "delete middle and rechain", tamper: func(h *history) {
			h.ev = slices.Delete(h.ev, 6, 7)
			rechain(h.ev, 6)
		}, want: want{KindBadCheckpoint, 10, "ev-11"}},

		// Insertions.
		{name: "insert forged before genuine, same seq", tamper: func(h *history) { h.ev = slices.Insert(h.ev, 7, forged(&h.ev[6])) }, want: want{KindInserted, 8, "forged"}},
		{name: "insert forged after genuine, same seq", tamper: func(h *history) { h.ev = slices.Insert(h.ev, 8, forged(&h.ev[6])) }, want: want{KindInserted, 8, "forged"}},
		{name: "insert forged at the end, same seq", tamper: func(h *history) { h.ev = append(h.ev, forged(&h.ev[n-2])) }, want: want{KindInserted, n, "forged"}},
		{name: "insert forged, renumber and rehash later events", tamper: func(h *history) {
			h.ev = slices.Insert(h.ev, 7, forged(&h.ev[6]))
			for i := 8; i < len(h.ev); i++ {
				h.ev[i].Seq++
				h.ev[i].Hash = h.ev[i].ComputeHash()
			}
		}, want: want{KindInserted, 8, "forged"}},
		{name: "insert forged and rechain", tamper: func(h *history) {
			h.ev = slices.Insert(h.ev, 7, forged(&h.ev[6]))
			rechain(h.ev, 8)
		}, want: want{KindBadCheckpoint, 10, "ev-9"}},
		{name: "replace with forged", tamper: func(h *history) { h.ev[7] = forged(&h.ev[6]) }, want: want{KindInserted, 8, "forged"}},
		{name: "replace checkpointed event with forged", tamper: func(h *history) { h.ev[9] = forged(&h.ev[8]) }, want: want{KindBadCheckpoint, 10, "forged"}},
		{name: "duplicate event", tamper: func(h *history) { h.ev = slices.Insert(h.ev, 7, h.ev[6]) }, want: want{KindInserted, 7, "ev-7"}},
		{name: "append forged after last checkpoint (undetectable)", tamper: func(h *history) { h.ev = append(h.ev, forged(&h.ev[n-1])) }},

		// Reordering.
		{name: "swap adjacent", tamper: func(h *history) { h.ev[6], h.ev[7] = h.ev[7], h.ev[6] }, want: want{KindReordered, 8, "ev-8"}},
		{name: "swap distant", tamper: func(h *history) { h.ev[6], h.ev[11] = h.ev[11], h.ev[6] }, want: want{KindReordered, 12, "ev-12"}},
		{name: "swap first two", tamper: func(h *history) { h.ev[0], h.ev[1] = h.ev[1], h.ev[0] }, want: want{KindReordered, 2, "ev-2"}},
		{name: "swap last two", tamper: func(h *history) { h.ev[n-2], h.ev[n-1] = h.ev[n-1], h.ev[n-2] }, want: want{KindReordered, n, "ev-20"}},
		{name: "replay earlier event", tamper: func(h *history) { h.ev = slices.Insert(h.ev, 10, h.ev[2]) }, want: want{KindReordered, 3, "ev-3"}},
		{name: "swap contents, keep seqs", tamper: func(h *history) {
			h.ev[6], h.ev[7] = h.ev[7], h.ev[6]
			h.ev[6].Seq, h.ev[7].Seq = 7, 8
		}, want: want{KindModified, 7, "ev-8"}},

		// Checkpoints.
		{name: "checkpoint signature flipped", tamper: func(h *history) { h.cps[0].Signature[5] ^= 1 }, want: want{KindBadCheckpoint, 10, ""}},
		{name: "checkpoint signature truncated", tamper: func(h *history) { h.cps[0].Signature = h.cps[0].Signature[:10] }, want: want{KindBadCheckpoint, 10, ""}},
		{name: "checkpoint hash changed", tamper: func(h *history) { h.cps[1].Hash[0] ^= 1 }, want: want{KindBadCheckpoint, 20, ""}},
		{name: "checkpoint seq changed", tamper: func(h *history) { h.cps[0].Seq = 11 }, want: want{KindBadCheckpoint, 11, ""}},
		{name: "checkpoint time changed", tamper: func(h *history) { h.cps[0].At++ }, want: want{KindBadCheckpoint, 10, ""}},
		{name: "checkpoint from unknown key", tamper: func(h *history) { h.cps[0] = Sign(otherPriv, otherKeyID, h.ev[9], 1) }, want: want{KindBadCheckpoint, 10, ""}},
		{name: "checkpoint from other key claiming our key id", tamper: func(h *history) { h.cps[0] = Sign(otherPriv, keyID, h.ev[9], 1) }, want: want{KindBadCheckpoint, 10, ""}},
		{name: "checkpoint of another history", tamper: func(h *history) { h.cps[0] = Sign(priv, keyID, forged(&h.ev[8]), 1) }, want: want{KindBadCheckpoint, 10, "ev-10"}},
	}

	genuine := buildLog(n)
	for _, mode := range []feedMode{checkpointsFirst, interleaved} {
		for _, tt := range tests {
			name := tt.name
			if mode == interleaved {
				name += "/interleaved"
			}
			t.Run(name, func(t *testing.T) {
				cpAt := tt.cpAt
				if cpAt == nil {
					cpAt = []int64{10, 20}
				}
				h := history{ev: cloneLog(genuine), cps: checkpointsAt(priv, keyID, genuine, cpAt...)}
				if tt.tamper != nil {
					tt.tamper(&h)
				}
				events, cps := h.ev, h.cps
				sum, err := verifyStream(t, pub, events, cps, mode)
				if tt.want.kind == "" {
					if err != nil {
						t.Fatalf("unexpected error: %v", err)
					}
					if sum.Events != int64(len(events)) || sum.Checkpoints != int64(len(cps)) {
						t.Errorf("summary %+v, want %d events and %d checkpoints", sum, len(events), len(cps))
					}
					return
				}
				var ce *ChainError
				if !errors.As(err, &ce) {
					t.Fatalf("error = %v, want a *ChainError", err)
				}
				got := want{ce.Kind, ce.Seq, ce.EventID}
				if got != tt.want {
					t.Fatalf("got %+v, want %+v\nerror: %v", got, tt.want, err)
				}
				if ce.Detail == "" {
					t.Error("empty Detail")
				}
			})
		}
	}
}

func TestVerifierSummary(t *testing.T) {
	priv, pub, keyID := testKey(1)
	log := buildLog(25)
	cps := checkpointsAt(priv, keyID, log, 5, 10, 20)
	sum, err := verifyStream(t, pub, log, cps, checkpointsFirst)
	if err != nil {
		t.Fatal(err)
	}
	want := Summary{Events: 25, Checkpoints: 3, LastSeq: 25, LastHash: log[24].Hash, LastCheckpointSeq: 20}
	if sum.Events != want.Events || sum.Checkpoints != want.Checkpoints || sum.LastSeq != want.LastSeq ||
		!bytes.Equal(sum.LastHash, want.LastHash) || sum.LastCheckpointSeq != want.LastCheckpointSeq {
		t.Fatalf("summary %+v, want %+v", sum, want)
	}

	// Empty log.
	sum, err = NewVerifier(pub).Finish()
	if err != nil || sum.Events != 0 || sum.LastSeq != 0 || !bytes.Equal(sum.LastHash, Genesis()) {
		t.Fatalf("empty log: %+v, %v", sum, err)
	}
}

func TestVerifierErrorIsSticky(t *testing.T) {
	_, pub, _ := testKey(1)
	log := buildLog(5)
	log[1].Actor = "x"
	v := NewVerifier(pub)
	if err := v.Next(log[0]); err != nil {
		t.Fatal(err)
	}
	first := v.Next(log[1])
	if first == nil {
		t.Fatal("modification not detected")
	}
	if err := v.Next(log[2]); err != first {
		t.Fatalf("later Next = %v, want the first error", err)
	}
	if err := v.Checkpoint(Checkpoint{}); err != first {
		t.Fatalf("later Checkpoint = %v, want the first error", err)
	}
	sum, err := v.Finish()
	if err != first || sum.Events != 1 || sum.LastSeq != 1 {
		t.Fatalf("Finish = %+v, %v", sum, err)
	}
	if _, err := v.Finish(); err != first {
		t.Fatalf("second Finish = %v", err)
	}
}

func TestVerifierNextAfterFinish(t *testing.T) {
	_, pub, _ := testKey(1)
	v := NewVerifier(pub)
	if _, err := v.Finish(); err != nil {
		t.Fatal(err)
	}
	if err := v.Next(buildLog(1)[0]); err == nil {
		t.Fatal("Next after Finish succeeded")
	}
}

func TestVerifierLateCheckpoint(t *testing.T) {
	priv, pub, keyID := testKey(1)
	log := buildLog(10)
	cps := checkpointsAt(priv, keyID, log, 5, 10)
	v := NewVerifier(pub)
	if err := feed(v, nil, log); err != nil {
		t.Fatal(err)
	}
	// The checkpoint of the last event can still be checked.
	if err := v.Checkpoint(cps[1]); err != nil {
		t.Fatalf("checkpoint at the last event: %v", err)
	}
	// An earlier one cannot; that is reported but does not stop the run.
	err := v.Checkpoint(cps[0])
	var ce *ChainError
	if !errors.Is(err, ErrCheckpointOrder) || errors.As(err, &ce) {
		t.Fatalf("late checkpoint: %v", err)
	}
	sum, err := v.Finish()
	if err != nil || sum.Checkpoints != 1 || sum.LastCheckpointSeq != 10 {
		t.Fatalf("Finish = %+v, %v", sum, err)
	}

	// A late checkpoint that disagrees with the last event.
	v = NewVerifier(pub)
	if err := feed(v, nil, log[:5]); err != nil {
		t.Fatal(err)
	}
	other := Sign(priv, keyID, forged(&log[3]), 1)
	if err := v.Checkpoint(other); !errors.As(err, &ce) || ce.Kind != KindBadCheckpoint || ce.EventID != "ev-5" {
		t.Fatalf("mismatching checkpoint at last event: %v", err)
	}
}

// TestVerifierDuplicateResolvedByCheckpoint covers two events with the same
// seq where a checkpoint, not the next event, shows which is genuine.
func TestVerifierDuplicateResolvedByCheckpoint(t *testing.T) {
	priv, pub, keyID := testKey(1)
	log := buildLog(10)
	cp := checkpointsAt(priv, keyID, log, 8)[0]
	x := forged(&log[6])
	for _, tc := range []struct {
		name   string
		stream []Event
	}{
		{"forged first", []Event{x, log[7]}},
		{"forged second", []Event{log[7], x}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := NewVerifier(pub)
			if err := feed(v, nil, append(slices.Clone(log[:7]), tc.stream...)); err != nil {
				t.Fatal(err)
			}
			err := v.Checkpoint(cp)
			var ce *ChainError
			if !errors.As(err, &ce) || ce.Kind != KindInserted || ce.EventID != "forged" || ce.Seq != 8 {
				t.Fatalf("got %v", err)
			}
		})
	}
}

func TestNewVerifierFrom(t *testing.T) {
	priv, pub, keyID := testKey(1)
	log := buildLog(20)
	cp := checkpointsAt(priv, keyID, log, 10)[0]
	later := checkpointsAt(priv, keyID, log, 15, 20)

	run := func(events []Event, cps []Checkpoint) (Summary, error) {
		v, err := NewVerifierFrom(pub, cp)
		if err != nil {
			t.Fatal(err)
		}
		feed(v, cps, events) // Finish reports the error
		return v.Finish()
	}
	kindOf := func(err error) string {
		var ce *ChainError
		if errors.As(err, &ce) {
			return ce.Kind
		}
		return ""
	}

	sum, err := run(log[10:], later)
	if err != nil || sum.Events != 10 || sum.Checkpoints != 3 || sum.LastSeq != 20 || sum.LastCheckpointSeq != 20 {
		t.Fatalf("events after the checkpoint: %+v, %v", sum, err)
	}
	sum, err = run(log[9:], later)
	if err != nil || sum.Events != 11 {
		t.Fatalf("events from the checkpoint's own event: %+v, %v", sum, err)
	}
	sum, err = run(nil, nil)
	if err != nil || sum.LastSeq != 10 || !bytes.Equal(sum.LastHash, log[9].Hash) {
		t.Fatalf("no new events: %+v, %v", sum, err)
	}

	tampered := cloneLog(log)
	tampered[9].Actor = "x"
	tampered[9].Hash = tampered[9].ComputeHash()
	if _, err := run(tampered[9:], nil); kindOf(err) != KindBadCheckpoint {
		t.Errorf("checkpoint's own event rewritten: %v", err)
	}
	rechain(tampered, 10)
	if _, err := run(tampered[10:], nil); kindOf(err) != KindInserted {
		t.Errorf("events not linking to the starting checkpoint: %v", err)
	}
	if _, err := run(log[11:], nil); kindOf(err) != KindDeleted {
		t.Errorf("first event after the checkpoint missing: %v", err)
	}
	if _, err := run(log[10:17], later); kindOf(err) != KindDeleted {
		t.Errorf("truncated tail: %v", err)
	}

	bad := cp
	bad.Signature = slices.Clone(cp.Signature)
	bad.Signature[0] ^= 1
	if _, err := NewVerifierFrom(pub, bad); kindOf(err) != KindBadCheckpoint {
		t.Errorf("bad starting checkpoint: %v", err)
	}
}

func TestVerifierKeys(t *testing.T) {
	oldPriv, oldPub, oldID := testKey(1)
	newPriv, newPub, newID := testKey(2)
	log := buildLog(20)
	cps := append(checkpointsAt(oldPriv, oldID, log, 10), checkpointsAt(newPriv, newID, log, 20)...)

	v := NewVerifier(newPub)
	err := v.Checkpoint(cps[0])
	var ce *ChainError
	if !errors.As(err, &ce) || ce.Kind != KindBadCheckpoint {
		t.Fatalf("checkpoint by a key not added: %v", err)
	}

	v = NewVerifier(newPub)
	v.AddKey(oldPub)
	if err := feed(v, cps, log); err != nil {
		t.Fatal(err)
	}
	if sum, err := v.Finish(); err != nil || sum.Checkpoints != 2 {
		t.Fatalf("Finish = %+v, %v", sum, err)
	}

	// Without a key the chain can still be verified.
	if _, err := verifyStream(t, nil, log, nil, checkpointsFirst); err != nil {
		t.Fatalf("chain only: %v", err)
	}
	if _, err := verifyStream(t, nil, log, cps, checkpointsFirst); !errors.As(err, &ce) || ce.Kind != KindBadCheckpoint {
		t.Fatalf("checkpoint without key: %v", err)
	}
}

func TestChainErrorMessage(t *testing.T) {
	ce := &ChainError{Seq: 7, EventID: "ev-7", Kind: KindModified, Detail: "d"}
	if got, want := ce.Error(), "audit: log modified at seq 7 (event ev-7): d"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	ce.EventID = ""
	if got, want := ce.Error(), "audit: log modified at seq 7: d"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}
