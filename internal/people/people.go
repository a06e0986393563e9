// Package people seals and opens a person's identifying data. Each person
// has a data key of its own, wrapped by the instance's master key; every
// field is sealed with that key and with the person id and field name as
// associated data, so a ciphertext cannot be moved to another person or
// field. Blind-index tokens of names, birth dates and document numbers let
// the store find possible duplicates without decrypting anything.
package people

import (
	"context"
	"fmt"

	"github.com/haven-nrm/haven/internal/intake"
	"github.com/haven-nrm/haven/internal/seal"
	"github.com/haven-nrm/haven/internal/store"
)

// Seal encrypts the identity for storage and computes its tokens.
func Seal(kr *seal.Keyring, personID string, id intake.Identity) (fields map[string][]byte, wrapped []byte, tokens []store.PersonToken, err error) {
	dk, wk, err := kr.NewDataKey(personID)
	if err != nil {
		return nil, nil, nil, err
	}
	defer dk.Destroy()
	fields = map[string][]byte{}
	for name, v := range id.Fields() {
		if v == "" {
			continue
		}
		ct, err := seal.Seal(dk, personID, name, []byte(v))
		if err != nil {
			return nil, nil, nil, fmt.Errorf("seal %s: %w", name, err)
		}
		fields[name] = ct
	}
	return fields, wk, Tokens(kr, id), nil
}

// Tokens are the blind-index tokens of an identity: the whole name, each
// part of it, the birth date and the document number.
func Tokens(kr *seal.Keyring, id intake.Identity) []store.PersonToken {
	var out []store.PersonToken
	full := id.GivenName + " " + id.FamilyName
	if t := kr.BlindIndex(seal.KindName, full); t != nil {
		out = append(out, store.PersonToken{Kind: seal.KindName, Token: t})
	}
	for _, t := range kr.NamePartTokens(full) {
		out = append(out, store.PersonToken{Kind: seal.KindNamePart, Token: t})
	}
	if t := kr.BlindIndex(seal.KindDOB, id.BirthDate); t != nil {
		out = append(out, store.PersonToken{Kind: seal.KindDOB, Token: t})
	}
	if t := kr.BlindIndex(seal.KindDocument, id.DocumentNumber); t != nil {
		out = append(out, store.PersonToken{Kind: seal.KindDocument, Token: t})
	}
	return out
}

// Open decrypts a stored person's identity. An erased person has none.
func Open(kr *seal.Keyring, p store.SealedPerson) (intake.Identity, error) {
	var id intake.Identity
	if p.Erased || p.WrappedKey == nil {
		return id, nil
	}
	dk, err := kr.Unwrap(p.ID, seal.WrappedKey(p.WrappedKey))
	if err != nil {
		return id, err
	}
	defer dk.Destroy()
	get := func(name string) (string, error) {
		ct, ok := p.Fields[name]
		if !ok {
			return "", nil
		}
		pt, err := seal.Open(dk, p.ID, name, ct)
		return string(pt), err
	}
	for name, dst := range map[string]*string{"given_name": &id.GivenName, "family_name": &id.FamilyName, "birth_date": &id.BirthDate,
		"document_number": &id.DocumentNumber, "phone": &id.Phone, "address": &id.Address, "narrative": &id.Narrative} {
		if *dst, err = get(name); err != nil {
			return intake.Identity{}, fmt.Errorf("open %s: %w", name, err)
		}
	}
	return id, nil
}

// Read reads the person personID from the store and decrypts the
// identity.
func Read(ctx context.Context, db *store.DB, kr *seal.Keyring, personID string) (intake.Identity, error) {
	sp, err := db.Person(ctx, personID)
	if err != nil {
		return intake.Identity{}, err
	}
	return Open(kr, sp)
}
