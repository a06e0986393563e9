package audit

import (
	"bytes"
	"container/heap"
	"crypto/ed25519"
	"errors"
	"fmt"
)

// Kinds of [ChainError].
const (
	// KindModified: the event's stored hash does not match its content.
	// Some field of the event (any field, Seq and PrevHash included) or
	// its Hash was changed.
	KindModified = "modified"
	// KindDeleted: events are missing. Either the sequence jumps (expected
	// seq N, found M > N), or a signed checkpoint covers a sequence number
	// beyond the last event (the tail was truncated).
	KindDeleted = "deleted"
	// KindInserted: an event that is internally consistent (its hash
	// matches its content) does not belong in the chain: the next event's
	// PrevHash does not link to it, or two events share a sequence number.
	KindInserted = "inserted"
	// KindReordered: events are out of sequence order.
	KindReordered = "reordered"
	// KindBadCheckpoint: a checkpoint's signature is invalid or made with
	// an unknown key, or its hash differs from the hash of the event at
	// its sequence number (the log was rewritten up to that event).
	KindBadCheckpoint = "bad_checkpoint"
)

// ChainError reports the first problem a [Verifier] found, naming the
// offending event.
//
// Seq and EventID identify the event that is out of place: the modified
// event, the inserted event (or, where that cannot be decided, the event
// at which the chain breaks; Detail then says so), the event that appears
// too early, or the event whose hash disagrees with a checkpoint. For
// [KindDeleted], Seq is the first missing sequence number and EventID is
// the ID of the event found in its place, or empty when the tail of the
// log is missing. For a checkpoint with a bad signature, Seq is the
// checkpoint's sequence number. Seq and EventID are as stored, so for a
// modified event they may themselves be the modified fields.
type ChainError struct {
	Seq     int64
	EventID string
	Kind    string
	Detail  string
}

func (e *ChainError) Error() string {
	if e.EventID == "" {
		return fmt.Sprintf("audit: log %s at seq %d: %s", e.Kind, e.Seq, e.Detail)
	}
	return fmt.Sprintf("audit: log %s at seq %d (event %s): %s", e.Kind, e.Seq, e.EventID, e.Detail)
}

// ErrCheckpointOrder is returned (wrapped) by [Verifier.Checkpoint] for a
// checkpoint whose event has already been consumed, so that it can no
// longer be compared with the event's hash. It does not stop the
// verification; supply checkpoints earlier (see [Verifier]).
var ErrCheckpointOrder = errors.New("audit: checkpoint supplied after its event")

// errFinished is returned by calls after [Verifier.Finish].
var errFinished = errors.New("audit: verifier already finished")

// Summary is the result of a verification.
type Summary struct {
	// Events is the number of events verified.
	Events int64
	// Checkpoints is the number of checkpoints whose signature verified
	// and whose hash matched the event at their sequence number.
	Checkpoints int64
	// LastSeq and LastHash describe the last verified event: the position
	// and hash the next event must link to. For an empty log they are 0
	// and [Genesis]; for a verifier started with [NewVerifierFrom] that
	// has seen no events, those of the starting checkpoint.
	LastSeq  int64
	LastHash []byte
	// LastCheckpointSeq is the highest sequence number covered by a
	// matched checkpoint, 0 if none. Events after it are protected by the
	// chain alone (see the package documentation).
	LastCheckpointSeq int64
}

// Verifier checks an audit log as a stream, in constant memory apart from
// the checkpoints not yet reached.
//
// Feed every event in ascending sequence order to [Verifier.Next], and the
// checkpoints to [Verifier.Checkpoint], then call [Verifier.Finish], which
// also detects a tail truncated below a checkpoint. A checkpoint must be
// supplied no later than right after its event: the verifier keeps only
// the last event's hash, not the whole chain. The simplest way is to
// supply all checkpoints first (they are few), then stream the events;
// interleaving them in sequence order also works.
//
// The first problem found is reported as a [*ChainError]. Some problems
// can only be classified by looking at the following event (a sequence
// jump is a deletion unless the skipped event comes next, which makes it a
// reordering; of two events with the same sequence number, the next event
// shows which one is genuine). Such an error is therefore returned by the
// Next call after the one that received the offending event, or by Finish;
// it names the offending event all the same. Once a ChainError has been
// returned, every later call returns it again.
//
// A Verifier is not safe for concurrent use.
type Verifier struct {
	keys map[string]ed25519.PublicKey
	h    hasher

	// The last accepted event (or the starting checkpoint).
	lastSeq  int64
	lastHash [HashSize]byte
	lastID   string
	resumed  bool // started from a checkpoint by NewVerifierFrom

	events      int64
	checkpoints int64
	lastCP      int64

	queue cpQueue // checkpoints beyond lastSeq, lowest Seq first
	pend  pending

	err      error
	finished bool
}

type pendingKind uint8

const (
	pendNone pendingKind = iota
	pendGap              // an event jumped ahead of lastSeq+1
	pendDup              // an event repeated lastSeq with a different hash
)

// pending is an event whose problem awaits classification by the next
// event.
type pending struct {
	kind pendingKind
	seq  int64
	id   string
	hash [HashSize]byte
}

// queuedCP is a checkpoint whose signature has been verified and whose
// event has not been reached yet.
type queuedCP struct {
	seq   int64
	hash  [HashSize]byte
	keyID string
}

type cpQueue []queuedCP

func (q cpQueue) Len() int           { return len(q) }
func (q cpQueue) Less(i, j int) bool { return q[i].seq < q[j].seq }
func (q cpQueue) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *cpQueue) Push(x any)        { *q = append(*q, x.(queuedCP)) }
func (q *cpQueue) Pop() any {
	old := *q
	x := old[len(old)-1]
	*q = old[:len(old)-1]
	return x
}

// NewVerifier returns a verifier for a whole log, from its first event.
// Checkpoints are verified with pub; see [Verifier.AddKey] for logs signed
// by more than one key. pub may be nil to check the chain alone; every
// checkpoint is then reported as bad.
func NewVerifier(pub ed25519.PublicKey) *Verifier {
	v := &Verifier{keys: make(map[string]ed25519.PublicKey)}
	v.AddKey(pub)
	return v
}

// NewVerifierFrom returns a verifier that starts after checkpoint c, which
// must verify under pub; see [NewVerifier]. This allows verifying only the
// events added since a checkpoint was last verified, relying on c for
// everything before. Feed events from seq c.Seq+1 on; the event at c.Seq
// may also be fed first, and is then checked against c.
func NewVerifierFrom(pub ed25519.PublicKey, c Checkpoint) (*Verifier, error) {
	v := NewVerifier(pub)
	if ce := v.checkSignature(c); ce != nil {
		return nil, ce
	}
	v.lastSeq = c.Seq
	v.lastHash = [HashSize]byte(c.Hash)
	v.resumed = true
	v.checkpoints = 1
	v.lastCP = c.Seq
	return v, nil
}

// AddKey adds another checkpoint verification key, for example the key
// that was active before a key rotation. Checkpoints select their key by
// [Checkpoint.KeyID]. A key of the wrong length is ignored.
func (v *Verifier) AddKey(pub ed25519.PublicKey) {
	if len(pub) == ed25519.PublicKeySize {
		v.keys[KeyIDFor(pub)] = append(ed25519.PublicKey(nil), pub...)
	}
}

// stopped is why v takes nothing more: the first problem it found, or
// errFinished once finished; nil while it goes on.
func (v *Verifier) stopped() error {
	if v.err != nil {
		return v.err
	}
	if v.finished {
		return errFinished
	}
	return nil
}

func (v *Verifier) fail(ce *ChainError) error {
	if ce == nil {
		return nil
	}
	v.err = ce
	return ce
}

// Next consumes the next event of the log. It returns a [*ChainError] for
// the first problem found (possibly one call late, see [Verifier]).
func (v *Verifier) Next(e Event) error {
	if err := v.stopped(); err != nil {
		return err
	}
	sum := v.h.hash(&e)
	valid := bytes.Equal(e.Hash, sum[:])
	if v.pend.kind != pendNone {
		return v.fail(v.resolve(&e, valid))
	}
	if !valid {
		return v.fail(&ChainError{Seq: e.Seq, EventID: e.ID, Kind: KindModified,
			Detail: "the stored hash does not match the event's content"})
	}
	switch {
	case e.Seq < 1:
		return v.fail(&ChainError{Seq: e.Seq, EventID: e.ID, Kind: KindInserted,
			Detail: "sequence numbers start at 1"})
	case e.Seq == v.lastSeq+1:
		if !bytes.Equal(e.PrevHash, v.lastHash[:]) {
			return v.fail(v.unlinked(&e))
		}
		return v.fail(v.accept(&e, sum))
	case e.Seq == v.lastSeq && v.resumed && v.events == 0:
		// The starting checkpoint's own event.
		if sum != v.lastHash {
			return v.fail(&ChainError{Seq: e.Seq, EventID: e.ID, Kind: KindBadCheckpoint,
				Detail: "the event's hash differs from the hash in the starting checkpoint"})
		}
		v.lastID = e.ID
		v.events++
		return nil
	case e.Seq == v.lastSeq:
		if sum == v.lastHash {
			return v.fail(&ChainError{Seq: e.Seq, EventID: e.ID, Kind: KindInserted,
				Detail: "the event is an exact copy of the previous event"})
		}
		v.pend = pending{kind: pendDup, seq: e.Seq, id: e.ID, hash: sum}
		return nil
	case e.Seq < v.lastSeq:
		return v.fail(&ChainError{Seq: e.Seq, EventID: e.ID, Kind: KindReordered,
			Detail: fmt.Sprintf("sequence goes backwards: seq %d follows seq %d", e.Seq, v.lastSeq)})
	default:
		v.pend = pending{kind: pendGap, seq: e.Seq, id: e.ID, hash: sum}
		return nil
	}
}

// unlinked reports e, which has the expected Seq, but whose PrevHash is not
// the last event's hash. Each event is vouched for by its successor's
// PrevHash, so the first event not vouched for is the last one: it was
// inserted, or replaced or edited with a recomputed hash. (The other
// possibility, that e's own PrevHash was altered and its hash recomputed,
// cannot be told apart.)
func (v *Verifier) unlinked(e *Event) *ChainError {
	switch {
	case v.events > 0:
		return &ChainError{Seq: v.lastSeq, EventID: v.lastID, Kind: KindInserted,
			Detail: fmt.Sprintf("the next event (seq %d, id %s) does not link to this event: it was inserted, or replaced or edited with a recomputed hash (or the next event's link was altered)", e.Seq, e.ID)}
	case v.resumed:
		return &ChainError{Seq: e.Seq, EventID: e.ID, Kind: KindInserted,
			Detail: fmt.Sprintf("the event does not link to the starting checkpoint at seq %d", v.lastSeq)}
	default:
		return &ChainError{Seq: e.Seq, EventID: e.ID, Kind: KindInserted,
			Detail: "the first event does not link to the genesis hash"}
	}
}

// accept makes e, which links to the last event, the last event, and
// compares it with the checkpoints at its sequence number.
func (v *Verifier) accept(e *Event, sum [HashSize]byte) *ChainError {
	v.lastSeq = e.Seq
	v.lastHash = sum
	v.lastID = e.ID
	v.events++
	for len(v.queue) > 0 && v.queue[0].seq <= v.lastSeq {
		c := heap.Pop(&v.queue).(queuedCP)
		if ce := v.match(c); ce != nil {
			return ce
		}
	}
	return nil
}

// match compares checkpoint c, at lastSeq, with the last event.
func (v *Verifier) match(c queuedCP) *ChainError {
	if c.hash != v.lastHash {
		return &ChainError{Seq: v.lastSeq, EventID: v.lastID, Kind: KindBadCheckpoint,
			Detail: fmt.Sprintf("the checkpoint signed with key %s records a different hash for this event: the log was rewritten up to here", c.keyID)}
	}
	v.checkpoints++
	v.lastCP = max(v.lastCP, c.seq)
	return nil
}

// resolve classifies the pending problem, given the event that follows it
// (nil at the end of the log) and whether that event's hash is valid.
func (v *Verifier) resolve(next *Event, valid bool) *ChainError {
	p := v.pend
	v.pend = pending{}
	switch p.kind {
	case pendGap:
		want := v.lastSeq + 1
		if next != nil && valid && next.Seq >= want && next.Seq < p.seq {
			return &ChainError{Seq: p.seq, EventID: p.id, Kind: KindReordered,
				Detail: fmt.Sprintf("seq %d appears before seq %d (event %s)", p.seq, next.Seq, next.ID)}
		}
		return &ChainError{Seq: want, EventID: p.id, Kind: KindDeleted,
			Detail: fmt.Sprintf("expected seq %d, found seq %d: %d event(s) missing", want, p.seq, p.seq-want)}
	case pendDup:
		if next != nil && valid {
			switch {
			case bytes.Equal(next.PrevHash, v.lastHash[:]):
				return v.dupResolved(p, false, "the next event links to the other one")
			case bytes.Equal(next.PrevHash, p.hash[:]):
				return v.dupResolved(p, true, "the next event links to the other one")
			}
		}
		return &ChainError{Seq: p.seq, EventID: p.id, Kind: KindInserted,
			Detail: fmt.Sprintf("the event repeats seq %d of event %s; no later evidence shows which of the two is genuine", p.seq, v.lastID)}
	}
	return nil
}

// dupResolved reports which of two events sharing a sequence number was
// inserted: the earlier one (the last accepted event) if firstInserted,
// else the later one (p).
func (v *Verifier) dupResolved(p pending, firstInserted bool, why string) *ChainError {
	if firstInserted {
		return &ChainError{Seq: v.lastSeq, EventID: v.lastID, Kind: KindInserted,
			Detail: fmt.Sprintf("event %s has the same seq; %s", p.id, why)}
	}
	return &ChainError{Seq: p.seq, EventID: p.id, Kind: KindInserted,
		Detail: fmt.Sprintf("event %s has the same seq; %s", v.lastID, why)}
}

// checkSignature verifies c's signature with the key its KeyID names.
func (v *Verifier) checkSignature(c Checkpoint) *ChainError {
	ce := &ChainError{Seq: c.Seq, Kind: KindBadCheckpoint}
	if c.Seq == v.lastSeq && v.events > 0 {
		ce.EventID = v.lastID
	}
	pub, ok := v.keys[c.KeyID]
	if !ok {
		ce.Detail = fmt.Sprintf("checkpoint signed with unknown key id %q", c.KeyID)
		return ce
	}
	if err := c.Verify(pub); err != nil {
		ce.Detail = fmt.Sprintf("checkpoint signed with key %s: %v", c.KeyID, err)
		return ce
	}
	return nil
}

// Checkpoint consumes a checkpoint. Its signature is verified at once; its
// hash is compared with the event at its sequence number when that event
// is consumed, or at once if it was the last one. A checkpoint beyond the
// last event makes [Verifier.Finish] report the tail as deleted. A
// checkpoint for an event consumed before the last one cannot be checked
// and is refused with [ErrCheckpointOrder], which does not stop the
// verification.
func (v *Verifier) Checkpoint(c Checkpoint) error {
	if err := v.stopped(); err != nil {
		return err
	}
	if ce := v.checkSignature(c); ce != nil {
		return v.fail(ce)
	}
	q := queuedCP{seq: c.Seq, hash: [HashSize]byte(c.Hash), keyID: c.KeyID}
	switch {
	case c.Seq > v.lastSeq:
		heap.Push(&v.queue, q)
		return nil
	case c.Seq == v.lastSeq && v.pend.kind == pendDup:
		p := v.pend
		v.pend = pending{}
		switch q.hash {
		case v.lastHash:
			return v.fail(v.dupResolved(p, false, "the checkpoint confirms the other one"))
		case p.hash:
			return v.fail(v.dupResolved(p, true, "the checkpoint confirms the other one"))
		}
		return v.fail(&ChainError{Seq: c.Seq, Kind: KindBadCheckpoint,
			Detail: fmt.Sprintf("events %s and %s share this seq and the checkpoint signed with key %s matches neither", v.lastID, p.id, c.KeyID)})
	case c.Seq == v.lastSeq:
		return v.fail(v.match(q))
	default:
		return fmt.Errorf("%w: checkpoint at seq %d, events verified up to seq %d", ErrCheckpointOrder, c.Seq, v.lastSeq)
	}
}

// Finish ends the verification and returns its summary. The error is the
// first [*ChainError] found, including problems only visible at the end: a
// pending problem of the last event, or a checkpoint beyond the last event
// (a truncated tail, reported as [KindDeleted] at the first missing seq).
// Finish may be called more than once.
func (v *Verifier) Finish() (Summary, error) {
	if !v.finished {
		v.finished = true
		switch {
		case v.err != nil:
		case v.pend.kind != pendNone:
			v.fail(v.resolve(nil, false))
		case len(v.queue) > 0:
			c := v.queue[0]
			v.fail(&ChainError{Seq: v.lastSeq + 1, Kind: KindDeleted,
				Detail: fmt.Sprintf("a checkpoint signed with key %s covers seq %d, but the log ends at seq %d: the tail was deleted", c.keyID, c.seq, v.lastSeq)})
		}
	}
	return Summary{
		Events:            v.events,
		Checkpoints:       v.checkpoints,
		LastSeq:           v.lastSeq,
		LastHash:          append([]byte(nil), v.lastHash[:]...),
		LastCheckpointSeq: v.lastCP,
	}, v.err
}
