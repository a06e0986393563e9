// Package audit is the pure core of Haven's tamper-evident audit log: the
// event format, its canonical encoding and hash chain, signed checkpoints,
// and a streaming verifier. It does no I/O except reading and creating the
// checkpoint signing key file; the store persists events and checkpoints
// and calls this package to chain, sign and verify them.
//
// # Events carry identifiers, never personal data
//
// An [Event] records who did what to which object, by identifiers and
// codes only: user, agency and case ids, action codes, coded reasons. The
// log is append-only and cannot be edited without breaking the chain, so
// personal data in it could never be corrected or erased. [Event.Validate]
// and [ValidateDetails] reject any string that is not an identifier or
// code, which keeps names, addresses and free text out by construction.
//
// # Hash chain
//
// Each event's Hash is SHA-256 over the domain string "haven/audit/v1"
// followed by the event's canonical encoding (see [Event.AppendCanonical]):
// a deterministic, length-prefixed binary encoding of every field except
// Hash, including Seq and PrevHash. PrevHash is the previous event's Hash,
// or 32 zero bytes ([Genesis]) for event 1. [Chain] fills Seq, PrevHash and
// Hash. Changing any stored event therefore changes its hash, and
// recomputing that hash breaks the link from the next event.
//
// # Checkpoints
//
// A [Checkpoint] is an Ed25519 signature over an event's sequence number
// and hash and the signing time ([Sign]). As every hash covers all earlier
// events, a checkpoint commits to the entire log up to its event. The
// signing key is kept in a file outside the database
// ([LoadOrCreateSigningKey]); checkpoints should be made regularly (for
// example every N events and every few minutes) and copies kept outside
// the database as well (exported, sent to another agency or system).
//
// # Verification
//
// A [Verifier] consumes events in sequence order in constant memory, plus
// the checkpoints, and reports the first problem as a [*ChainError] that
// names the offending event and classifies it: [KindModified],
// [KindDeleted], [KindInserted], [KindReordered] or [KindBadCheckpoint].
//
// # What the chain cannot detect, and how checkpoints help
//
// The chain alone shows only that the log is internally consistent.
// Someone who can write to the database can, undetected by the chain:
//
//   - truncate the log: delete any number of events at its end;
//   - append forged events at the end;
//   - rewrite the log from any event onwards (edit, insert, delete or
//     reorder events, then recompute Seq, PrevHash and Hash of everything
//     after), up to and including a complete rewrite.
//
// A checkpoint removes these possibilities for the events it covers: a
// rewrite reaching back to or before a checkpointed event changes that
// event's hash ([KindBadCheckpoint]), and truncation below a checkpoint
// leaves the checkpoint pointing past the end of the log ([KindDeleted]).
// What remains open is the window after the newest checkpoint, which is why
// checkpoints should be frequent, and the checkpoints themselves: deleting
// the newest checkpoints re-opens the window, so the verifier can only be
// as good as the set of checkpoints it is given. Keeping copies of
// checkpoints outside the database closes that gap.
//
// Whoever holds the signing key can rewrite the whole log and sign fresh
// checkpoints for it; nothing in the log can reveal that. Only copies of
// earlier checkpoints held elsewhere, which the rewritten log fails to
// match, can. The key must therefore be kept away from the database, its backups and
// the people who administer them. Finally, the log records only what Haven
// reports to it: an access that bypasses Haven, for example directly in
// the database, leaves no event at all.
package audit
