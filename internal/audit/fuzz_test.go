package audit

import (
	"bytes"
	"errors"
	"slices"
	"testing"
)

// FuzzDecodeCanonical checks that the decoder never panics and accepts
// only canonical input: whatever it accepts re-encodes to the same bytes.
func FuzzDecodeCanonical(f *testing.F) {
	for _, e := range buildLog(3) {
		f.Add(e.AppendCanonical(nil))
	}
	f.Add(Event{}.AppendCanonical(nil))
	f.Add([]byte{})
	f.Add([]byte("haven/audit/v1"))
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := DecodeCanonical(b)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error does not wrap ErrMalformed: %v", err)
			}
			return
		}
		if got := e.AppendCanonical(nil); !bytes.Equal(got, b) {
			t.Fatalf("accepted non-canonical input\n in %x\nout %x", b, got)
		}
		if !bytes.Equal(e.Hash, e.ComputeHash()) {
			t.Fatal("decoded event has a wrong hash")
		}
	})
}

// FuzzVerifier applies a fuzzer-chosen sequence of tampering operations to
// a checkpointed log. Whatever the operations, the verifier must not panic,
// must report only the documented kinds, and may accept the result only if
// it starts with the genuine log (appending after the last checkpoint is
// the one change the design cannot detect).
func FuzzVerifier(f *testing.F) {
	const n = 6
	priv, pub, keyID := testKey(1)
	genuine := buildLog(n)
	cps := checkpointsAt(priv, keyID, genuine, 3, n)

	f.Add([]byte{})
	f.Add([]byte{0, 2, 0})
	f.Add([]byte{1, 2, 3})
	f.Add([]byte{3, 4, 1, 4, 4, 1})
	f.Add([]byte{6, 2, 3, 5, 3, 0})
	f.Add([]byte{7, 4, 0})
	f.Fuzz(func(t *testing.T, ops []byte) {
		ev := cloneLog(genuine)
		for len(ops) >= 3 && len(ev) < 4*n {
			op, a, b := ops[0]%8, int(ops[1]), int(ops[2])
			ops = ops[3:]
			if len(ev) == 0 {
				break
			}
			i, j := a%len(ev), b%len(ev)
			switch op {
			case 0: // delete
				ev = slices.Delete(ev, i, i+1)
			case 1: // swap
				ev[i], ev[j] = ev[j], ev[i]
			case 2: // duplicate
				ev = slices.Insert(ev, j, ev[i])
			case 3, 4: // modify a field, then rehash if op == 4
				e := ev[i]
				e.Details = cloneMap(e.Details)
				e.PrevHash = slices.Clone(e.PrevHash)
				switch b % 6 {
				case 0:
					e.Seq += int64(b%3) - 1
				case 1:
					e.Actor += "x"
				case 2:
					e.Flags ^= FlagBreakGlass
				case 3:
					if len(e.PrevHash) > 0 {
						e.PrevHash[0] ^= 1
					}
				case 4:
					e.Details["k"] = "v"
				case 5:
					e.At++
				}
				if op == 4 {
					e.Hash = e.ComputeHash()
				}
				ev[i] = e
			case 5: // rechain from i
				rechain(ev, i)
			case 6: // insert an event chained onto ev[i] at j
				ev = slices.Insert(ev, j, forged(&ev[i]))
			case 7: // truncate
				ev = ev[:i]
			}
		}

		_, err := verifyStream(t, pub, ev, cps, interleaved)
		if err != nil {
			var ce *ChainError
			if !errors.As(err, &ce) {
				t.Fatalf("not a ChainError: %v", err)
			}
			switch ce.Kind {
			case KindModified, KindDeleted, KindInserted, KindReordered, KindBadCheckpoint:
			default:
				t.Fatalf("unknown kind %q", ce.Kind)
			}
		}
		intact := len(ev) >= n
		for k := 0; intact && k < n; k++ {
			intact = bytes.Equal(ev[k].AppendCanonical(nil), genuine[k].AppendCanonical(nil)) &&
				bytes.Equal(ev[k].Hash, genuine[k].Hash)
		}
		if err == nil && !intact {
			t.Fatalf("tampered log accepted: %d events", len(ev))
		}
		if err != nil && intact && len(ev) == n {
			t.Fatalf("genuine log rejected: %v", err)
		}
	})
}
