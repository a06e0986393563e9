// Package seal protects identifying fields with envelope encryption and
// makes them searchable through keyed blind indexes.
//
// # Envelope design
//
// Two levels of keys are used:
//
//   - A master key (key-encryption key, KEK) lives outside the database,
//     in a key file or in the HAVEN_MASTER_KEY environment variable. It
//     never encrypts data directly.
//   - Every record gets its own random data key (DEK). The DEK encrypts the
//     record's fields with AES-256-GCM. The DEK itself is stored next to the
//     record only in wrapped form: encrypted under the active master key
//     with AES-256-GCM (see [WrappedKey]).
//
// Every ciphertext is bound to its context through additional
// authenticated data: a wrapped DEK to the record that owns it, a field
// ciphertext to its record and field name. Copying a ciphertext or a
// wrapped key to another record or field makes decryption fail instead of
// silently showing one person's data under another person's name.
//
// Nonces are 96 random bits. Each data key seals only a few fields; a
// master key should be rotated long before it has wrapped 2^32 data keys.
//
// Why envelopes:
//
//   - A stolen database (dump, backup, replica) reveals nothing without
//     the master key, which is kept elsewhere.
//   - Rotating the master key only rewraps the small per-record data keys
//     ([Keyring.Rewrap]); field ciphertexts stay untouched, so rotation
//     needs no re-encryption of fields and no downtime. Old and new master
//     keys live side by side in the keyring until every data key has been
//     rewrapped, then the old one is dropped ([Keyring.Without]).
//   - Erasure is cheap and final: deleting a record's wrapped data key
//     makes its fields unrecoverable, even where field ciphertexts survive
//     (logs, caches, forgotten copies). Copies of the wrapped key itself,
//     for example in database backups, stay decryptable for as long as the
//     master key that wrapped them exists; after a master-key rotation has
//     removed that key, such copies are unreadable too.
//
// # Blind indexes
//
// Exact-match search over encrypted fields uses blind indexes:
// truncated HMAC-SHA256 tokens of a normalised value under an index key
// derived (HKDF-SHA256) from a dedicated index secret in the keyring. The
// index key is independent of the master keys, so master-key rotation does
// not change any index. Each kind of value (name, document number, date of
// birth) is hashed in its own domain. Blind indexes reveal which records
// share a value, and names and dates have few possible values, so anyone
// holding the index secret can test guesses: it must be protected like the
// master key.
//
// Types that hold key material ([DataKey], [Keyring], [WrappedKey]) print
// and log as "[redacted]".
package seal
