// Package cases carries out the national referral mechanism's casework after
// intake: the competent authority's decisions, the person's protection and
// support, agencies working together, tasks and alerts, and prosecution
// records. Each command checks its input, applies the pure rules (packages
// casework, support, handover, prosecution), and writes the change, its
// audit events, sealed free text and alerts in one transaction guarded by
// the version the user saw. The web form and the JSON API share it.
package cases

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/audit"
	"github.com/haven-nrm/haven/internal/casework"
	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/seal"
	"github.com/haven-nrm/haven/internal/servicedir"
	"github.com/haven-nrm/haven/internal/store"
	"github.com/haven-nrm/haven/internal/support"
)

// Service holds what the commands need.
type Service struct {
	DB        *store.DB
	Keys      *seal.Keyring
	Countries *casework.Countries
	Now       func() time.Time
	// Directory answers which services of the directory could meet a
	// need, for the offer form; nil shows no suggestions.
	Directory *servicedir.Service
	jcache    jurisdictionCache
	rcache    rulesCache
	names     nameCache
	tallies   queueTallies
}

// New returns a service with the embedded country configurations.
func New(db *store.DB, keys *seal.Keyring, now func() time.Time) (*Service, error) {
	cs, err := casework.DefaultCountries()
	if err != nil {
		return nil, err
	}
	if now == nil {
		now = time.Now
	}
	return &Service{DB: db, Keys: keys, Countries: cs, Now: now}, nil
}

// Input is a command's fields as posted: a form or a flat JSON object.
// Typed decodes it into the command's input struct once; commands never
// read it by name.
type Input interface {
	Get(key string) string
	List(key string) []string
}

// MaxText bounds every free text, in characters.
const MaxText = 2000

// Country is the decision configuration of a jurisdiction's country, or
// the default.
func (s *Service) Country(code string) casework.Country {
	if c, ok := s.Countries.Lookup(strings.ToUpper(code)); ok {
		return c
	}
	return s.Countries.Default()
}

// OpenRecord opens the decision record of a new case and its queue key.
func OpenRecord(cfg casework.Country, caseID string, referredAt time.Time, child, urgent bool) (decision, queueKey string, err error) {
	rec, _, err := casework.NewRecord(caseID, referredAt, child, cfg)
	if err != nil {
		return "", "", err
	}
	return EncodeRecord(rec, urgent, referredAt)
}

// EncodeRecord stores a record as JSON with its queue key.
func EncodeRecord(rec casework.Record, urgent bool, now time.Time) (string, string, error) {
	b, err := json.Marshal(rec)
	if err != nil {
		return "", "", err
	}
	return string(b), queueKey(rec, urgent, now), nil
}

// queueKey places a record in the authority's queue; "" when nothing is
// pending.
func queueKey(rec casework.Record, urgent bool, now time.Time) string {
	p := casework.QueueKey(rec, urgent, now)
	if p.Stage == casework.QueueDecided {
		return ""
	}
	return p.Key()
}

// Record decodes a case's decision record; a case stored before decision
// records existed gets one opened at its creation. Its version is the
// case row's.
func (s *Service) Record(c store.Case, country string) (casework.Record, casework.Country, error) {
	cfg := s.Country(country)
	var rec casework.Record
	if c.Decision == "" {
		r, _, err := casework.NewRecord(c.ID, store.FromMillis(c.CreatedAt), c.Child, cfg)
		if err != nil {
			return rec, cfg, err
		}
		rec = r
	} else if err := json.Unmarshal([]byte(c.Decision), &rec); err != nil {
		return rec, cfg, err
	}
	if rec.Country != cfg.Code {
		// The configuration the record was opened under governs it.
		if c2, ok := s.Countries.Lookup(rec.Country); ok {
			cfg = c2
		}
	}
	rec.Version = c.Version
	return rec, cfg, nil
}

// ---- input ----

func badField(field string) error {
	return errs.Field(field, "case.error.field."+field, errors.New("invalid "+field))
}

// versionOf reads the version number s of field.
func versionOf(s, field string) (int64, error) {
	v, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || v < 0 {
		return 0, badField(field)
	}
	return v, nil
}

// codeOf reads v of field, one of the allowed codes.
func codeOf(v, field string, allowed []string) (string, error) {
	if !slices.Contains(allowed, v) {
		return "", badField(field)
	}
	return v, nil
}

// codesOfList reads the list vs of field, allowed codes, once each.
func codesOfList(vs []string, field string, allowed []string) ([]string, error) {
	var out []string
	for _, v := range vs {
		if v == "" {
			continue
		}
		if !slices.Contains(allowed, v) {
			return nil, badField(field)
		}
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out, nil
}

// textOf reads the free text v of field.
func textOf(v, field string, required bool) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		if required {
			return "", badField(field)
		}
		return "", nil
	}
	if !utf8.ValidString(v) || utf8.RuneCountInString(v) > MaxText {
		return "", badField(field)
	}
	for _, r := range v {
		if unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' {
			return "", badField(field)
		}
	}
	return v, nil
}

// dateOf reads the day v of field in loc.
func dateOf(v, field string, loc *time.Location, required bool) (time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" && !required {
		return time.Time{}, nil
	}
	t, err := time.ParseInLocation(time.DateOnly, v, loc)
	if err != nil || t.Year() < 1900 || t.Year() > 2200 {
		return time.Time{}, badField(field)
	}
	return t, nil
}

// idOf reads the record id v of field.
func idOf(v, field string) (string, error) {
	if len(v) < 8 || len(v) > 64 || !audit.IsToken(v) {
		return "", badField(field)
	}
	return v, nil
}

// rowOf finds among a dossier's rows the one whose id, as id gives it, is
// the value v of field.
func rowOf[T any](rows []T, field, v string, id func(T) string) (T, error) {
	var zero T
	rid, err := idOf(v, field)
	if err != nil {
		return zero, err
	}
	i := slices.IndexFunc(rows, func(r T) bool { return id(r) == rid })
	if i < 0 {
		return zero, badField(field)
	}
	return rows[i], nil
}

// seenAt checks that the version the user saw, the value v of field, is
// the version now of what the change applies to.
func seenAt(v, field string, now int64) error {
	seen, err := versionOf(v, field)
	if err != nil {
		return err
	}
	if seen != now {
		return conflict
	}
	return nil
}

// ---- notes ----

// sealNote seals free text under a data key of its own.
func (s *Service) sealNote(caseID, kind, objectID, by, body string, now time.Time) (store.Note, error) {
	nid := store.NewID()
	dk, wk, err := s.Keys.NewDataKey(nid)
	if err != nil {
		return store.Note{}, err
	}
	defer dk.Destroy()
	ct, err := seal.Seal(dk, nid, "body", []byte(body))
	if err != nil {
		return store.Note{}, err
	}
	return store.Note{ID: nid, CaseID: caseID, Kind: kind, ObjectID: objectID, WrappedKey: wk, Body: ct, CreatedBy: by, CreatedAt: store.Millis(now)}, nil
}

// OpenNote decrypts a note.
func (s *Service) OpenNote(n store.Note) (string, error) {
	pt, err := s.Keys.OpenWrapped(n.ID, seal.WrappedKey(n.WrappedKey), "body", n.Body)
	return string(pt), err
}

// ---- writing ----

// change is one command's transaction: the audit events and notes to
// write with it.
type change struct {
	tx    *store.Tx
	ctx   context.Context
	actor access.Principal
}

// audit writes an event of the change. An optional code left empty (a
// handover or an override for any service, say) is absent, not an empty
// value: the audit log holds identifiers and codes only, and "" is
// neither.
func (c *change) audit(action, objType, objID string, details map[string]string) error {
	for k, v := range details {
		if v == "" {
			delete(details, k)
		}
	}
	return c.tx.Audit(c.ctx, audit.Event{Actor: c.actor.UserID, Action: action, ObjectType: objType, ObjectID: objID,
		Agency: c.actor.AgencyID, Details: details})
}

// note seals and stores free text, if any.
func (s *Service) note(c *change, caseID, kind, objectID, body string) error {
	if body == "" {
		return nil
	}
	n, err := s.sealNote(caseID, kind, objectID, c.actor.UserID, body, c.tx.Now)
	if err != nil {
		return err
	}
	if err := c.tx.InsertNote(c.ctx, n); err != nil {
		return err
	}
	return c.audit("note.create", "case", caseID, map[string]string{"kind": kind, "note": n.ID})
}

// alert tells an agency: an in-app notice, and an e-mail to each of its
// users with an address. Both carry a code and the case id only.
func (s *Service) alert(c *change, agencyID, kind, caseID string) error {
	if err := c.tx.InsertNotification(c.ctx, store.Notification{ID: store.NewID(), AgencyID: agencyID, Kind: kind, ObjectType: "case",
		ObjectID: caseID, CreatedAt: store.Millis(c.tx.Now)}); err != nil {
		return err
	}
	return c.tx.QueueAgencyEmails(c.ctx, agencyID, kind, caseID)
}

// AlertKinds are the codes of alerts; each has a notice and an e-mail
// subject in the catalogue.
func AlertKinds() []string {
	return []string{"decision_rg", "decision_cg", "decision_consultation", "decision_review", "decision_reconsideration", "decision_extension",
		"service_offered", "transfer_offered", "referral_offered", "handover_accepted", "handover_rejected", "handover_revoked", "handover_done",
		"urgent_assessment", "task_assigned", "rg_deadline_near", "referral_received", "urgent_referral_received", "break_glass",
		"child_referral", "guardian_requested", "guardian_appointed"}
}

// alertUser queues an e-mail to one user.
func alertUser(c *change, u store.User, kind, caseID string) error {
	if u.Email == "" {
		return nil
	}
	return c.tx.QueueEmail(c.ctx, store.Email{ID: store.NewID(), UserID: u.ID, Kind: kind, CaseID: caseID, CreatedAt: store.Millis(c.tx.Now)})
}

// write runs fn in one transaction.
func (s *Service) write(ctx context.Context, actor access.Principal, fn func(c *change) error) error {
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		return fn(&change{tx: tx, ctx: ctx, actor: actor})
	})
}

// conflict is the error of a change made on a stale copy.
var conflict = &errs.Error{Kind: errs.Conflict, Key: "case.error.conflict", Err: errors.New("stale version")}

// asConflict turns the store's conflict into the translated one.
func asConflict(err error) error {
	if errs.Is(err, errs.Conflict) {
		return conflict
	}
	return err
}

// decoded helpers for the support document.
func decodeSupport(d store.SupportDoc) (checklist []support.Entry, ledger support.Ledger, overrides []Override, assessments []support.Assessment, err error) {
	for _, p := range []struct {
		s string
		v any
	}{{d.Checklist, &checklist}, {d.Consent, &ledger}, {d.Overrides, &overrides}, {d.Assessments, &assessments}} {
		if p.s == "" {
			continue
		}
		if err = json.Unmarshal([]byte(p.s), p.v); err != nil {
			return
		}
	}
	return
}

// NewSupportDoc is a first support document holding a checklist and a
// consent ledger, in the stored form.
func NewSupportDoc(caseID string, checklist []support.Entry, ledger support.Ledger, at time.Time) store.SupportDoc {
	if checklist == nil {
		checklist = []support.Entry{}
	}
	return store.SupportDoc{CaseID: caseID, Checklist: mustJSON(checklist), Consent: mustJSON(ledger), Overrides: "[]", Assessments: "[]",
		UpdatedAt: store.Millis(at)}
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only plain values are encoded
	}
	return string(b)
}

// Override is a recorded decision to share without consent.
type Override struct {
	Agency  string              `json:"agency"`
	Service support.ServiceType `json:"service,omitempty"`
	Reason  string              `json:"reason"`
	By      string              `json:"by"`
	Role    string              `json:"role"`
	At      time.Time           `json:"at"`
	Note    string              `json:"note"` // the sealed justification's note id
}

func unmarshal(s string, v any) error {
	if s == "" {
		return nil
	}
	return json.Unmarshal([]byte(s), v)
}

// codesOf turns a list of typed codes into strings, for input checks.
func codesOf[T ~string](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}
