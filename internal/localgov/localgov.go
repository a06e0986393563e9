// Package localgov carries out the use cases of a local government's own
// anti-trafficking work: its profile, prevention records (awareness
// campaigns, trainings of local actors, community programmes, needs
// assessments and impact evaluations), partnership agreements, its local
// action plan (activities with owners, budgets, deadlines, indicators,
// baselines, targets and progress with evidence; periodic reviews; tasks
// for overdue activities), its 3P self-assessment (scored by package
// threep) and CityShare (policy profiles published, signed, exchanged,
// compared, reviewed by peers and adopted from).
//
// Every method decides access with access.Decide and acts on the
// principal's own agency; every write goes with its audit event (ids and
// codes only) through store.DB.Write. Staff names of a training and the
// name of the focal point are personal data: they are sealed under the
// record's own data key and never logged or put in an event. No method
// reads or writes a case: the referral network is counted, by kind of
// agency, and counts below the threshold are withheld.
package localgov

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/audit"
	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/seal"
	"github.com/haven-nrm/haven/internal/store"
)

// Signer returns the key that signs exported CityShare profiles, its id
// and the signing instance's federation id: the active signing key of the
// instance's federation identity (package federation, the transnational
// mechanism's), or — on an instance without one (no country) — its audit
// signing key, with no instance id.
type Signer func() (key ed25519.PrivateKey, keyID, instance string, err error)

// Options build the service.
type Options struct {
	DB   *store.DB
	Keys *seal.Keyring
	Now  func() time.Time
	// MinCount is the smallest referral-network count shown (primary
	// suppression); zero means DefaultMinCount. The statistics' own
	// threshold for the jurisdiction (Threshold) raises it, never lowers
	// it.
	MinCount int
	// Threshold is the statistics' disclosure threshold k for a
	// jurisdiction (stats.Service.Threshold); nil means MinCount alone.
	Threshold func(ctx context.Context, jurisdictionID string) (int, error)
	// Instance names this Haven instance in published profiles.
	Instance string
	Signer   Signer
}

// Service is the local-government service.
type Service struct {
	db       *store.DB
	keys     *seal.Keyring
	now      func() time.Time
	minCount int
	k        func(ctx context.Context, jurisdictionID string) (int, error)
	instance string
	signer   Signer
}

// New returns the service.
func New(o Options) *Service {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Instance == "" {
		o.Instance = "haven"
	}
	return &Service{db: o.DB, keys: o.Keys, now: o.Now, minCount: o.MinCount, k: o.Threshold, instance: o.Instance, signer: o.Signer}
}

// threshold is the smallest referral-network count shown for a
// jurisdiction: the configured minimum, raised to the statistics'
// threshold for it.
func (s *Service) threshold(ctx context.Context, jurisdictionID string) (int, error) {
	k := s.minCount
	if k <= 0 {
		k = DefaultMinCount
	}
	if s.k != nil {
		sk, err := s.k(ctx, jurisdictionID)
		if err != nil {
			return 0, err
		}
		k = max(k, sk)
	}
	return k, nil
}

// decide refuses p the action a on its own agency's records.
func decide(a access.Action, p access.Principal) error {
	if d := access.Decide(a, p, access.Resource{AgencyID: p.AgencyID, JurisdictionID: p.JurisdictionID}); !d.Allow {
		return errs.E(errs.Forbidden, "localgov: %s", d.Reason)
	}
	if p.AgencyID == "" {
		return errs.E(errs.Forbidden, "localgov: no agency")
	}
	return nil
}

// event is an audit event by p on one of its agency's records.
func event(p access.Principal, action, objectType, objectID string, details map[string]string) audit.Event {
	for k, v := range details {
		if v == "" {
			delete(details, k) // an event names what is there
		}
	}
	return audit.Event{Actor: p.UserID, Action: action, ObjectType: objectType, ObjectID: objectID, Agency: p.AgencyID, Details: details}
}

// write runs change and writes its audit event ev in the same
// transaction; change gets the transaction's time, in milliseconds, to
// stamp its row with.
func (s *Service) write(ctx context.Context, ev audit.Event, change func(tx *store.Tx, now int64) error) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		if err := change(tx, store.Millis(tx.Now)); err != nil {
			return err
		}
		return tx.Audit(ctx, ev)
	})
}

// ---- checking input ----

func refuse(field, reason string) error {
	return errs.Field(field, "localgov.error."+reason, nil)
}

// text checks a free-text value: trimmed, valid UTF-8, no control
// characters but line breaks, at most max characters; required when req.
func text(field, v string, max int, req bool) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		if req {
			return "", refuse(field, "required")
		}
		return "", nil
	}
	if !utf8.ValidString(v) {
		return "", refuse(field, "text")
	}
	for _, r := range v {
		if unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' {
			return "", refuse(field, "text")
		}
	}
	if utf8.RuneCountInString(v) > max {
		return "", refuse(field, "too_long")
	}
	return v, nil
}

// number checks a whole number from 0 to max; empty is 0 unless req.
func number(field, v string, max int64, req bool) (int64, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		if req {
			return 0, refuse(field, "required")
		}
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 || n > max {
		return 0, refuse(field, "number")
	}
	return n, nil
}

// day checks a date YYYY-MM-DD; empty is allowed unless req.
func day(field, v string, req bool) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		if req {
			return "", refuse(field, "required")
		}
		return "", nil
	}
	t, err := time.Parse(time.DateOnly, v)
	if err != nil || t.Year() < 1990 || t.Year() > 2100 {
		return "", refuse(field, "date")
	}
	return v, nil
}

// code checks one code of a list; empty is allowed unless req.
func code(field, list, v string, req bool) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" && !req {
		return "", nil
	}
	if !InList(list, v) {
		return "", refuse(field, "code")
	}
	return v, nil
}

// codes checks a set of codes of a list, dropping repeats.
func codes(field, list string, vs []string) ([]string, error) {
	var out []string
	for _, v := range vs {
		v = strings.TrimSpace(v)
		if v == "" {
			continue
		}
		if !InList(list, v) {
			return nil, refuse(field, "code")
		}
		if !contains(out, v) {
			out = append(out, v)
		}
	}
	return out, nil
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// languages checks ISO 639-1 codes, as a form gives them (space or comma
// separated).
func languages(field string, vs []string) ([]string, error) {
	var out []string
	for _, v := range vs {
		for _, l := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' }) {
			if len(l) != 2 || strings.ToLower(l) != l || l[0] < 'a' || l[0] > 'z' || l[1] < 'a' || l[1] > 'z' {
				return nil, refuse(field, "language")
			}
			if !contains(out, l) {
				out = append(out, l)
			}
		}
	}
	if len(out) > 20 {
		return nil, refuse(field, "too_long")
	}
	return out, nil
}

// ---- sealing ----

// sealJSON seals v under a new data key of id for purpose.
func (s *Service) sealJSON(id, purpose string, v any) (wrapped, sealed []byte, err error) {
	if s.keys == nil {
		return nil, nil, errs.E(errs.Unavailable, "localgov: no keyring")
	}
	dk, wk, err := s.keys.NewDataKey(id)
	if err != nil {
		return nil, nil, err
	}
	defer dk.Destroy()
	pt, err := json.Marshal(v)
	if err != nil {
		return nil, nil, err
	}
	ct, err := seal.Seal(dk, id, purpose, pt)
	if err != nil {
		return nil, nil, err
	}
	return wk, ct, nil
}

// openJSON opens what sealJSON sealed.
func (s *Service) openJSON(id, purpose string, wrapped, sealed []byte, v any) error {
	if len(sealed) == 0 {
		return nil
	}
	if s.keys == nil {
		return errs.E(errs.Unavailable, "localgov: no keyring")
	}
	pt, err := s.keys.OpenWrapped(id, seal.WrappedKey(wrapped), purpose, sealed)
	if err != nil {
		return err
	}
	return json.Unmarshal(pt, v)
}

// ---- profile ----

// Profile is a local government's profile.
type Profile struct {
	City            string   `json:"city"`
	Jurisdiction    string   `json:"jurisdiction"` // the area it serves, in words
	Population      int64    `json:"population"`
	Vulnerabilities []string `json:"vulnerabilities"`
	Flows           []string `json:"flows"`
	FocalOffice     string   `json:"focal_office"`
	Committee       string   `json:"committee"`
	// FocalPoint is the focal point's name: sealed, shown only on the
	// agency's own page.
	FocalPoint string `json:"-"`
	Version    int64  `json:"-"`
}

// ProfileInput is the profile form.
type ProfileInput struct {
	Version         string   `json:"version" field:"version"`
	City            string   `json:"city" field:"city"`
	Jurisdiction    string   `json:"jurisdiction" field:"jurisdiction"`
	Population      string   `json:"population" field:"population"`
	Vulnerabilities []string `json:"vulnerabilities" field:"vulnerabilities"`
	Flows           []string `json:"flows" field:"flows"`
	FocalPoint      string   `json:"focal_point" field:"focal_point"`
	FocalOffice     string   `json:"focal_office" field:"focal_office"`
	Committee       string   `json:"committee" field:"committee"`
}

type sealedProfile struct {
	FocalPoint string `json:"focal_point"`
}

// SaveProfile records the agency's profile; the version guards against a
// change made since the form was read (0: a first profile).
func (s *Service) SaveProfile(ctx context.Context, p access.Principal, in ProfileInput) error {
	if err := decide(access.ManageLocalGov, p); err != nil {
		return err
	}
	var pr Profile
	var err error
	version, err := number("version", in.Version, 1<<40, false)
	if err != nil {
		return err
	}
	if pr.City, err = text("city", in.City, 200, true); err != nil {
		return err
	}
	if pr.Jurisdiction, err = text("jurisdiction", in.Jurisdiction, 200, false); err != nil {
		return err
	}
	if pr.Population, err = number("population", in.Population, 100_000_000, true); err != nil {
		return err
	}
	if pr.Vulnerabilities, err = codes("vulnerabilities", "vulnerability", in.Vulnerabilities); err != nil {
		return err
	}
	if pr.Flows, err = codes("flows", "flow", in.Flows); err != nil {
		return err
	}
	if pr.FocalOffice, err = text("focal_office", in.FocalOffice, 200, false); err != nil {
		return err
	}
	if pr.Committee, err = text("committee", in.Committee, 200, false); err != nil {
		return err
	}
	focal, err := text("focal_point", in.FocalPoint, 200, false)
	if err != nil {
		return err
	}
	rec, _ := json.Marshal(pr)
	row := store.LocalGovProfile{AgencyID: p.AgencyID, City: pr.City, Population: pr.Population, Record: string(rec), UpdatedBy: p.UserID}
	if focal != "" {
		if row.WrappedKey, row.Sealed, err = s.sealJSON("localgov-profile-"+p.AgencyID, "focal_point", sealedProfile{focal}); err != nil {
			return err
		}
	}
	ev := event(p, "localgov.profile_save", "localgov_profile", p.AgencyID,
		map[string]string{"focal_point_sealed": strconv.FormatBool(focal != "")})
	return s.write(ctx, ev, func(tx *store.Tx, now int64) error {
		row.UpdatedAt = now
		return tx.UpsertLocalGovProfile(ctx, row, version)
	})
}

// profileOf reads an agency's profile; ok is false when it has none.
// The focal point's name is opened only when open is set.
func (s *Service) profileOf(ctx context.Context, agencyID string, open bool) (Profile, bool, error) {
	row, err := store.LocalGovProfileOf(ctx, s.db.R(), agencyID)
	if errs.Is(err, errs.NotFound) {
		return Profile{}, false, nil
	}
	if err != nil {
		return Profile{}, false, err
	}
	var pr Profile
	if err := json.Unmarshal([]byte(row.Record), &pr); err != nil {
		return Profile{}, false, errs.Wrap(errs.Internal, err)
	}
	pr.Version = row.Version
	if open {
		var sp sealedProfile
		if err := s.openJSON("localgov-profile-"+agencyID, "focal_point", row.WrappedKey, row.Sealed, &sp); err != nil {
			return Profile{}, false, err
		}
		pr.FocalPoint = sp.FocalPoint
	}
	return pr, true, nil
}

// ---- prevention records and partnerships ----

// RecordInput is a prevention record or a partnership agreement; which
// fields count depends on Kind.
type RecordInput struct {
	Kind      string   `json:"kind" field:"kind"`
	Title     string   `json:"title" field:"title"`
	Category  string   `json:"category" field:"category"`
	StartedOn string   `json:"started_on" field:"started_on"`
	EndedOn   string   `json:"ended_on" field:"ended_on"`
	Reach     string   `json:"reach" field:"reach"`
	Cost      string   `json:"cost" field:"cost"`
	Languages []string `json:"languages" field:"languages"`
	Channels  []string `json:"channels" field:"channels"`
	Places    string   `json:"places" field:"places"`
	Topics    []string `json:"topics" field:"topics"`
	PreScore  string   `json:"pre_score" field:"pre_score"`
	PostScore string   `json:"post_score" field:"post_score"`
	// StaffNames are the names of the trained staff, one a line: sealed.
	StaffNames string   `json:"staff_names" field:"staff_names"`
	Findings   string   `json:"findings" field:"findings"`
	Parties    string   `json:"parties" field:"parties"`
	Scopes     []string `json:"scopes" field:"scopes"`
	RenewOn    string   `json:"renew_on" field:"renew_on"`
	Status     string   `json:"status" field:"status"`
}

// Details are a record's details beyond its columns, as stored.
type Details struct {
	Languages []string `json:"languages,omitempty"`
	Channels  []string `json:"channels,omitempty"`
	Places    string   `json:"places,omitempty"`
	Topics    []string `json:"topics,omitempty"`
	PreScore  *int64   `json:"pre_score,omitempty"`
	PostScore *int64   `json:"post_score,omitempty"`
	Findings  string   `json:"findings,omitempty"`
	Parties   string   `json:"parties,omitempty"`
	Scopes    []string `json:"scopes,omitempty"`
	RenewOn   string   `json:"renew_on,omitempty"`
	// StaffCount is how many names are sealed.
	StaffCount int `json:"staff_count,omitempty"`
}

// Record is a prevention record or agreement as the agency sees it.
type Record struct {
	ID, Kind, Category, Title, StartedOn, EndedOn string
	Reach, Cost                                   int64
	Status                                        string
	Details                                       Details
	// StaffNames are opened for the agency's own officers only.
	StaffNames []string
}

type sealedStaff struct {
	Names []string `json:"names"`
}

// AddRecord records a prevention record or a partnership agreement and
// returns its id.
func (s *Service) AddRecord(ctx context.Context, p access.Principal, in RecordInput) (string, error) {
	if err := decide(access.ManageLocalGov, p); err != nil {
		return "", err
	}
	kind := strings.TrimSpace(in.Kind)
	if !contains(Kinds, kind) {
		return "", refuse("kind", "code")
	}
	var x store.LocalGovRecord
	var d Details
	var err error
	x.Kind = kind
	if x.Title, err = text("title", in.Title, 200, true); err != nil {
		return "", err
	}
	if x.Category, err = code("category", Categories[kind], in.Category, true); err != nil {
		return "", err
	}
	if x.StartedOn, err = day("started_on", in.StartedOn, true); err != nil {
		return "", err
	}
	if x.EndedOn, err = day("ended_on", in.EndedOn, false); err != nil {
		return "", err
	}
	if x.EndedOn != "" && x.EndedOn < x.StartedOn {
		return "", refuse("ended_on", "order")
	}
	if x.Reach, err = number("reach", in.Reach, 100_000_000, false); err != nil {
		return "", err
	}
	if x.Cost, err = number("cost", in.Cost, 1_000_000_000_000, false); err != nil {
		return "", err
	}
	var staff []string
	switch kind {
	case KindCampaign:
		if d.Languages, err = languages("languages", in.Languages); err != nil {
			return "", err
		}
		if d.Channels, err = codes("channels", "channel", in.Channels); err != nil {
			return "", err
		}
		if d.Places, err = text("places", in.Places, 1000, false); err != nil {
			return "", err
		}
	case KindTraining:
		if d.Topics, err = codes("topics", "topic", in.Topics); err != nil {
			return "", err
		}
		for _, f := range []struct {
			name, v string
			dst     **int64
		}{{"pre_score", in.PreScore, &d.PreScore}, {"post_score", in.PostScore, &d.PostScore}} {
			if strings.TrimSpace(f.v) == "" {
				continue
			}
			n, err := number(f.name, f.v, 100, false)
			if err != nil {
				return "", err
			}
			*f.dst = &n
		}
		names, err := text("staff_names", in.StaffNames, 20000, false)
		if err != nil {
			return "", err
		}
		for _, n := range strings.Split(names, "\n") {
			if n = strings.TrimSpace(n); n != "" {
				staff = append(staff, n)
			}
		}
		if len(staff) > 1000 {
			return "", refuse("staff_names", "too_long")
		}
		d.StaffCount = len(staff)
	case KindAssessment:
		if d.Findings, err = text("findings", in.Findings, 4000, false); err != nil {
			return "", err
		}
	case KindPartnership:
		if d.Parties, err = text("parties", in.Parties, 1000, true); err != nil {
			return "", err
		}
		if d.Scopes, err = codes("scopes", "scope", in.Scopes); err != nil {
			return "", err
		}
		if d.RenewOn, err = day("renew_on", in.RenewOn, false); err != nil {
			return "", err
		}
		if x.Status, err = code("status", "status", in.Status, true); err != nil {
			return "", err
		}
	}
	x.ID, x.AgencyID, x.CreatedBy = store.NewID(), p.AgencyID, p.UserID
	rec, _ := json.Marshal(d)
	x.Record = string(rec)
	if len(staff) > 0 {
		if x.WrappedKey, x.Sealed, err = s.sealJSON(x.ID, "staff_names", sealedStaff{staff}); err != nil {
			return "", err
		}
	}
	ev := event(p, "localgov.record_add", "localgov_record", x.ID,
		map[string]string{"kind": kind, "category": x.Category, "staff_names_sealed": strconv.Itoa(len(staff))})
	err = s.write(ctx, ev, func(tx *store.Tx, now int64) error {
		x.CreatedAt = now
		return tx.InsertLocalGovRecord(ctx, x)
	})
	return x.ID, err
}

// records reads an agency's records; staff names are opened when open.
func (s *Service) records(ctx context.Context, agencyID string, open bool) ([]Record, error) {
	rows, err := store.LocalGovRecords(ctx, s.db.R(), agencyID)
	if err != nil {
		return nil, err
	}
	out := make([]Record, 0, len(rows))
	for _, x := range rows {
		r := Record{ID: x.ID, Kind: x.Kind, Category: x.Category, Title: x.Title, StartedOn: x.StartedOn, EndedOn: x.EndedOn,
			Reach: x.Reach, Cost: x.Cost, Status: x.Status}
		if err := json.Unmarshal([]byte(x.Record), &r.Details); err != nil {
			return nil, errs.Wrap(errs.Internal, err)
		}
		if open {
			var st sealedStaff
			if err := s.openJSON(x.ID, "staff_names", x.WrappedKey, x.Sealed, &st); err != nil {
				return nil, err
			}
			r.StaffNames = st.Names
		}
		out = append(out, r)
	}
	return out, nil
}
