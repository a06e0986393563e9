package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"

	"github.com/haven-nrm/haven/internal/errs"
)

// SealedPerson is a person as stored: identifying fields are ciphertexts
// (sealed under the person's data key with the person id and field name as
// associated data); the rest is coded.
type SealedPerson struct {
	ID         string
	WrappedKey []byte
	// Fields maps a field name (given_name, family_name, birth_date,
	// document_number, phone, address, narrative) to its ciphertext.
	Fields      map[string][]byte
	Tokens      []PersonToken
	Gender      string
	AgeBand     string
	Citizenship string
	Languages   []string
	Child       bool
	Erased      bool
	CreatedAt   int64
}

// PersonToken is one blind-index token of a person.
type PersonToken struct {
	Kind  string
	Token []byte
}

// PersonFields are the sealed columns, in order.
var PersonFields = []string{"given_name", "family_name", "birth_date", "document_number", "phone", "address", "narrative"}

// InsertPerson stores a person and its blind-index tokens.
func (tx *Tx) InsertPerson(ctx context.Context, p SealedPerson) error {
	args := []any{p.ID, p.WrappedKey}
	for _, f := range PersonFields {
		args = append(args, p.Fields[f])
	}
	args = append(args, p.Gender, p.AgeBand, p.Citizenship, strings.Join(p.Languages, ","), b2i(p.Child), p.CreatedAt, p.CreatedAt)
	if _, err := tx.ExecContext(ctx, `INSERT INTO persons (id, wrapped_key, `+strings.Join(PersonFields, ", ")+`,
		gender, age_band, citizenship, languages, child, created_at, updated_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16)`, args...); err != nil {
		return classify(err)
	}
	for _, t := range p.Tokens {
		if _, err := tx.ExecContext(ctx, `INSERT INTO person_tokens (person_id, kind, token) VALUES ($1, $2, $3)
			ON CONFLICT DO NOTHING`, p.ID, t.Kind, t.Token); err != nil {
			return classify(err)
		}
	}
	return nil
}

// Person loads a stored person.
func (db *DB) Person(ctx context.Context, id string) (SealedPerson, error) {
	p := SealedPerson{ID: id, Fields: map[string][]byte{}}
	cols := make([]any, 0, 16)
	cols = append(cols, &p.WrappedKey)
	vals := make([][]byte, len(PersonFields))
	for i := range vals {
		cols = append(cols, &vals[i])
	}
	var langs string
	var child int
	var erased sql.NullInt64
	cols = append(cols, &p.Gender, &p.AgeBand, &p.Citizenship, &langs, &child, &erased, &p.CreatedAt)
	err := db.r.QueryRowContext(ctx, `SELECT wrapped_key, `+strings.Join(PersonFields, ", ")+`, gender, age_band, citizenship,
		languages, child, erased_at, created_at FROM persons WHERE id = $1`, id).Scan(cols...)
	if err != nil {
		return p, notFound(err, "person")
	}
	for i, f := range PersonFields {
		if vals[i] != nil {
			p.Fields[f] = vals[i]
		}
	}
	if langs != "" {
		p.Languages = strings.Split(langs, ",")
	}
	p.Child, p.Erased = child != 0, erased.Valid
	return p, nil
}

// ErasePerson destroys a person's data key and ciphertexts and blind-index
// tokens: the identifying data becomes unrecoverable, while the coded case
// data needed for statistics stays.
func (tx *Tx) ErasePerson(ctx context.Context, id string) error {
	sets := "wrapped_key = NULL"
	for _, f := range PersonFields {
		sets += ", " + f + " = NULL"
	}
	res, err := tx.ExecContext(ctx, `UPDATE persons SET `+sets+`, erased_at = $1, updated_at = $1 WHERE id = $2`, Millis(tx.Now), id)
	if err := rowChanged(res, err, errs.E(errs.NotFound, "person not found")); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `DELETE FROM person_tokens WHERE person_id = $1`, id)
	return classify(err)
}

// PersonMatch is a possible duplicate: another person sharing tokens, and
// the agency and jurisdiction of that person's case. Whoever shows it
// decides what of it the viewer may see (cases.Service.Duplicates).
type PersonMatch struct {
	PersonID                 string
	CaseID                   string
	AgencyID, JurisdictionID string
	Kinds                    []string // which kinds of token matched: name, name-part, document, dob
}

// MatchPersons finds other persons sharing any of the given tokens, with
// their cases, strongest matches first.
func (db *DB) MatchPersons(ctx context.Context, exclude string, tokens []PersonToken) ([]PersonMatch, error) {
	if len(tokens) == 0 {
		return nil, nil
	}
	q := `SELECT DISTINCT t.person_id, t.kind, COALESCE(c.id, ''), COALESCE(c.agency_id, ''), COALESCE(c.jurisdiction_id, '')
		FROM person_tokens t LEFT JOIN cases c ON c.person_id = t.person_id
		WHERE t.person_id <> $1 AND (`
	args := []any{exclude}
	for i, t := range tokens {
		if i > 0 {
			q += " OR "
		}
		args = append(args, t.Kind, t.Token)
		q += "(t.kind = $" + strconv.Itoa(len(args)-1) + " AND t.token = $" + strconv.Itoa(len(args)) + ")"
	}
	q += ") LIMIT 200"
	rows, err := db.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, classify(err)
	}
	defer rows.Close()
	byPerson := map[string]*PersonMatch{}
	var order []string
	for rows.Next() {
		var pid, kind, cid, aid, jid string
		if err := rows.Scan(&pid, &kind, &cid, &aid, &jid); err != nil {
			return nil, classify(err)
		}
		m := byPerson[pid]
		if m == nil {
			m = &PersonMatch{PersonID: pid, CaseID: cid, AgencyID: aid, JurisdictionID: jid}
			byPerson[pid] = m
			order = append(order, pid)
		}
		if !contains(m.Kinds, kind) {
			m.Kinds = append(m.Kinds, kind)
		}
	}
	out := make([]PersonMatch, 0, len(order))
	for _, pid := range order {
		out = append(out, *byPerson[pid])
	}
	// More kinds of evidence first.
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && len(out[j].Kinds) > len(out[j-1].Kinds); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out, classify(rows.Err())
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// PersonTokens returns a person's stored tokens.
func (db *DB) PersonTokens(ctx context.Context, personID string) ([]PersonToken, error) {
	return collect(ctx, db.r, `SELECT kind, token FROM person_tokens WHERE person_id = $1`, []any{personID}, func(s scanner) (PersonToken, error) {
		var t PersonToken
		err := s.Scan(&t.Kind, &t.Token)
		return t, err
	})
}

// Referral is a stored referral or anonymous notification. Facts is JSON of
// coded facts only.
type Referral struct {
	ID, Reference, Kind, CaseID                          string
	JurisdictionID, ReceivingAgencyID, ReferringAgencyID string
	ReferringUserID, Sector, Consent, ConsentLanguage    string
	Child, Urgent                                        bool
	Needs                                                []string
	Classification, ProtocolVerdict, IndicatorsVerdict   string
	Facts, Status, IdempotencyKey                        string
	CreatedAt                                            int64
}

const referralCols = `id, reference, kind, COALESCE(case_id, ''), jurisdiction_id, receiving_agency_id, referring_agency_id,
	referring_user_id, sector, consent, consent_language, child, urgent, needs, classification, protocol_verdict,
	indicators_verdict, facts, status, COALESCE(idempotency_key, ''), created_at`

func scanReferral(row interface{ Scan(...any) error }) (Referral, error) {
	var r Referral
	var child, urgent int
	var needs string
	err := row.Scan(&r.ID, &r.Reference, &r.Kind, &r.CaseID, &r.JurisdictionID, &r.ReceivingAgencyID, &r.ReferringAgencyID,
		&r.ReferringUserID, &r.Sector, &r.Consent, &r.ConsentLanguage, &child, &urgent, &needs, &r.Classification,
		&r.ProtocolVerdict, &r.IndicatorsVerdict, &r.Facts, &r.Status, &r.IdempotencyKey, &r.CreatedAt)
	r.Child, r.Urgent = child != 0, urgent != 0
	if needs != "" {
		r.Needs = strings.Split(needs, ",")
	}
	return r, err
}

// InsertReferral stores a referral.
func (tx *Tx) InsertReferral(ctx context.Context, r Referral) error {
	var caseID, idem any
	if r.CaseID != "" {
		caseID = r.CaseID
	}
	if r.IdempotencyKey != "" {
		idem = r.IdempotencyKey
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO referrals (id, reference, kind, case_id, jurisdiction_id, receiving_agency_id,
		referring_agency_id, referring_user_id, sector, consent, consent_language, child, urgent, needs, classification,
		protocol_verdict, indicators_verdict, facts, status, idempotency_key, created_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21)`,
		r.ID, r.Reference, r.Kind, caseID, r.JurisdictionID, r.ReceivingAgencyID, r.ReferringAgencyID, r.ReferringUserID,
		r.Sector, r.Consent, r.ConsentLanguage, b2i(r.Child), b2i(r.Urgent), strings.Join(r.Needs, ","), r.Classification,
		r.ProtocolVerdict, r.IndicatorsVerdict, r.Facts, r.Status, idem, r.CreatedAt)
	return classify(err)
}

// ReferralByIdempotencyKey finds the referral a user already made with a
// key, so a retried request does not create a second one.
func (tx *Tx) ReferralByIdempotencyKey(ctx context.Context, userID, key string) (Referral, bool, error) {
	r, err := scanReferral(tx.QueryRowContext(ctx, `SELECT `+referralCols+` FROM referrals WHERE referring_user_id = $1 AND idempotency_key = $2`, userID, key))
	if errors.Is(err, sql.ErrNoRows) {
		return r, false, nil
	}
	return r, err == nil, classify(err)
}

// ReferralByID loads one referral.
func (db *DB) ReferralByID(ctx context.Context, id string) (Referral, error) {
	r, err := scanReferral(db.r.QueryRowContext(ctx, `SELECT `+referralCols+` FROM referrals WHERE id = $1`, id))
	return r, notFound(err, "referral")
}

// ReferralFilter selects referrals made by an agency or received by one.
type ReferralFilter struct {
	ReferringAgencyID, ReceivingAgencyID string
	Limit                                int
}

// Referrals lists referrals, urgent and newest first.
func (db *DB) Referrals(ctx context.Context, f ReferralFilter) ([]Referral, error) {
	q := `SELECT ` + referralCols + ` FROM referrals WHERE `
	var arg string
	switch {
	case f.ReceivingAgencyID != "":
		q += `receiving_agency_id = $1`
		arg = f.ReceivingAgencyID
	case f.ReferringAgencyID != "":
		q += `referring_agency_id = $1`
		arg = f.ReferringAgencyID
	default:
		return nil, errs.E(errs.Invalid, "a referral list needs an agency")
	}
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	return collect(ctx, db.r, q+` ORDER BY urgent DESC, created_at DESC LIMIT $2`, []any{arg, limit}, scanReferral)
}

// AgencyOfKind returns the first agency of a kind in a jurisdiction, e.g.
// the competent authority that receives its referrals.
func (db *DB) AgencyOfKind(ctx context.Context, jurisdictionID, kind string) (Agency, error) {
	var a Agency
	var syn int
	err := db.r.QueryRowContext(ctx, `SELECT id, jurisdiction_id, kind, name, synthetic, created_at FROM agencies
		WHERE jurisdiction_id = $1 AND kind = $2 ORDER BY created_at, id LIMIT 1`, jurisdictionID, kind).
		Scan(&a.ID, &a.JurisdictionID, &a.Kind, &a.Name, &syn, &a.CreatedAt)
	a.Synthetic = syn != 0
	return a, notFound(err, "agency")
}

// Jurisdiction returns one jurisdiction.
func (db *DB) Jurisdiction(ctx context.Context, id string) (Jurisdiction, error) {
	var j Jurisdiction
	var syn int
	err := db.r.QueryRowContext(ctx, `SELECT id, code, country, name, timezone, synthetic, created_at FROM jurisdictions WHERE id = $1`, id).
		Scan(&j.ID, &j.Code, &j.Country, &j.Name, &j.Timezone, &syn, &j.CreatedAt)
	j.Synthetic = syn != 0
	return j, notFound(err, "jurisdiction")
}

// Notification tells an agency that something needs its attention; it
// carries ids only.
type Notification struct {
	ID, AgencyID, Kind, ObjectType, ObjectID string
	CreatedAt                                int64
}

// InsertNotification stores a notification.
func (tx *Tx) InsertNotification(ctx context.Context, n Notification) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO notifications (id, agency_id, kind, object_type, object_id, created_at)
		VALUES ($1,$2,$3,$4,$5,$6)`, n.ID, n.AgencyID, n.Kind, n.ObjectType, n.ObjectID, n.CreatedAt)
	return classify(err)
}

// Notifications lists an agency's unread notifications, newest first.
func (db *DB) Notifications(ctx context.Context, agencyID string) ([]Notification, error) {
	return collect(ctx, db.r, `SELECT id, agency_id, kind, object_type, object_id, created_at FROM notifications
		WHERE agency_id = $1 AND read_at IS NULL ORDER BY created_at DESC LIMIT 100`, []any{agencyID}, func(s scanner) (Notification, error) {
		var n Notification
		err := s.Scan(&n.ID, &n.AgencyID, &n.Kind, &n.ObjectType, &n.ObjectID, &n.CreatedAt)
		return n, err
	})
}
