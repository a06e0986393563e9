package localgov

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/url"
	"strings"
	"time"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/store"
)

// CityShare (UNITAR's city-to-city method, seed ch. 5): a city publishes a
// policy profile — its 3P scores, practices, indicators (the referral
// network's counts only above the threshold) and plan — and cities compare
// profiles, comment on each other's practices and adopt them into their
// own plans. Profiles travel between instances as signed documents; no
// case data is ever part of one (the document's shape has no place for
// it, and an import refuses any member it does not know).

// Formats of the profile document and of its signed envelope.
const (
	ProfileFormat = "haven.cityshare.profile/1"
	SignedFormat  = "haven.cityshare.signed/1"
)

// ProfileDoc is a published policy profile.
type ProfileDoc struct {
	Format          string      `json:"format"`
	Instance        string      `json:"instance"`
	City            string      `json:"city"`
	Population      int64       `json:"population"`
	Vulnerabilities []string    `json:"vulnerabilities"`
	Flows           []string    `json:"flows"`
	Year            int         `json:"year"`
	Scores          Scores      `json:"scores"`
	Practices       []Practice  `json:"practices"`
	Indicators      []DocValue  `json:"indicators"`
	Plan            []PlanEntry `json:"plan"`
	PublishedAt     string      `json:"published_at"`
}

// Scores are a profile's 3P scores (0 when the city has not assessed
// itself).
type Scores struct {
	Prevention  int `json:"prevention"`
	Protection  int `json:"protection"`
	Prosecution int `json:"prosecution"`
	Total       int `json:"total"`
}

// Practice is something a city does that peers may adopt.
type Practice struct {
	ID     string `json:"id"`
	Pillar string `json:"pillar"`
	Kind   string `json:"kind"`
	Title  string `json:"title"`
}

// DocValue is an indicator's value in a profile; Known false when it could
// not be computed.
type DocValue struct {
	Code  string  `json:"code"`
	Value float64 `json:"value"`
	Known bool    `json:"known"`
}

// PlanEntry is an activity of a published plan.
type PlanEntry struct {
	Pillar string `json:"pillar"`
	Title  string `json:"title"`
	Status string `json:"status"`
}

// Signed is the envelope a profile travels in: the document's bytes, an
// Ed25519 signature over them and the signer's public key.
type Signed struct {
	Format    string `json:"format"`
	Document  string `json:"document"` // base64 of the document's JSON
	Signature string `json:"signature"`
	PublicKey string `json:"public_key"`
	KeyID     string `json:"key_id"`
	// Instance is the signer's federation instance id when the key is its
	// federation identity's: a receiver that knows the instance as a peer
	// checks the signature against the key it pinned for it.
	Instance string `json:"instance,omitempty"`
}

// pillarOfKind is the plan pillar a record's practice serves.
var pillarOfKind = map[string]string{KindCampaign: "prevention", KindTraining: "prevention", KindProgramme: "prevention",
	KindAssessment: "prevention", KindPartnership: "partnership"}

// profileDoc builds the agency's profile document from its dashboard: no
// sealed field, no case, no person.
func (s *Service) profileDoc(d Dashboard, at time.Time) ProfileDoc {
	doc := ProfileDoc{Format: ProfileFormat, Instance: s.instance, City: d.Profile.City, Population: d.Profile.Population,
		Vulnerabilities: d.Profile.Vulnerabilities, Flows: d.Profile.Flows, PublishedAt: at.UTC().Format(time.RFC3339),
		Practices: []Practice{}, Indicators: []DocValue{}, Plan: []PlanEntry{}}
	if a, ok := d.Latest(); ok {
		doc.Year = a.Year
		doc.Scores = Scores{a.Prevention, a.Protection, a.Prosecution, a.Total}
	}
	for _, r := range d.Records {
		if r.Kind == KindAssessment || (r.Kind == KindPartnership && r.Status != "active") {
			continue
		}
		doc.Practices = append(doc.Practices, Practice{ID: r.ID, Pillar: pillarOfKind[r.Kind], Kind: r.Kind, Title: r.Title})
	}
	for _, it := range d.Items {
		doc.Plan = append(doc.Plan, PlanEntry{Pillar: it.Pillar, Title: it.Title, Status: it.Status})
		if it.Status == StatusDone {
			doc.Practices = append(doc.Practices, Practice{ID: it.ID, Pillar: it.Pillar, Kind: "activity", Title: it.Title})
		}
	}
	for _, v := range d.Indicators {
		doc.Indicators = append(doc.Indicators, DocValue{Code: v.Code, Value: v.Value, Known: v.Known})
	}
	return doc
}

// Publish publishes the agency's current policy profile on this instance
// and returns its id. A city without a profile cannot publish.
func (s *Service) Publish(ctx context.Context, p access.Principal) (string, error) {
	if err := decide(access.ManageCityShare, p); err != nil {
		return "", err
	}
	d, err := s.read(ctx, p.AgencyID, false)
	if err != nil {
		return "", err
	}
	if !d.HasProfile {
		return "", refuse("profile", "no_profile")
	}
	now := s.now()
	doc, err := json.Marshal(s.profileDoc(d, now))
	if err != nil {
		return "", err
	}
	row := store.CityShareProfile{ID: store.NewID(), AgencyID: p.AgencyID, Instance: s.instance, City: d.Profile.City, Document: string(doc),
		PublishedAt: store.Millis(now)}
	err = s.write(ctx, event(p, "cityshare.publish", "cityshare_profile", row.ID, nil), func(tx *store.Tx, now int64) error {
		row.ReceivedAt = now
		return tx.InsertCityShareProfile(ctx, row)
	})
	return row.ID, err
}

// PeerProfile is a profile as the comparison and the lists show it.
type PeerProfile struct {
	ID             string
	AgencyID       string // set for a profile of this instance
	Received       bool   // came from another instance, signature checked
	KeyFingerprint string
	Doc            ProfileDoc
	Comments       []store.CityShareComment
}

// Overview is CityShare's start page.
type Overview struct {
	// Profiles are the latest profile of each city, newest first.
	Profiles  []PeerProfile
	Library   []LibraryEntry
	CanManage bool
}

// Overview lists the latest profile of each city, and the library.
func (s *Service) Overview(ctx context.Context, p access.Principal) (Overview, error) {
	if err := decide(access.ViewCityShare, p); err != nil {
		return Overview{}, err
	}
	rows, err := store.CityShareProfiles(ctx, s.db.R())
	if err != nil {
		return Overview{}, err
	}
	out := Overview{Library: Library, CanManage: access.Allowed(access.ManageCityShare, p, access.Resource{})}
	seen := map[string]bool{}
	for _, r := range rows {
		k := r.Instance + "\x00" + r.City
		if seen[k] {
			continue
		}
		seen[k] = true
		pp, err := peerOf(r)
		if err != nil {
			return Overview{}, err
		}
		out.Profiles = append(out.Profiles, pp)
	}
	return out, nil
}

func peerOf(r store.CityShareProfile) (PeerProfile, error) {
	pp := PeerProfile{ID: r.ID, AgencyID: r.AgencyID, Received: r.AgencyID == ""}
	if err := json.Unmarshal([]byte(r.Document), &pp.Doc); err != nil {
		return pp, errs.Wrap(errs.Internal, err)
	}
	if r.PublicKey != "" {
		pp.KeyFingerprint = fingerprint(r.PublicKey)
	}
	return pp, nil
}

func fingerprint(pub string) string {
	sum := sha256.Sum256([]byte(pub))
	return hex.EncodeToString(sum[:8])
}

// Comparison sets the city's own current profile beside peers'.
type Comparison struct {
	Own   ProfileDoc
	Peers []PeerProfile
	// CanManage says whether the viewer may comment and adopt.
	CanManage bool
}

// MaxCompared is how many peers one comparison shows.
const MaxCompared = 4

// Compare sets the agency's current profile beside the profiles ids.
func (s *Service) Compare(ctx context.Context, p access.Principal, ids []string) (Comparison, error) {
	if err := decide(access.ViewCityShare, p); err != nil {
		return Comparison{}, err
	}
	d, err := s.read(ctx, p.AgencyID, false)
	if err != nil {
		return Comparison{}, err
	}
	c := Comparison{Own: s.profileDoc(d, s.now()), CanManage: access.Allowed(access.ManageCityShare, p, access.Resource{})}
	seen := map[string]bool{}
	for _, id := range ids {
		if id == "" || seen[id] {
			continue
		}
		seen[id] = true
		if len(c.Peers) == MaxCompared {
			return Comparison{}, refuse("profiles", "too_many")
		}
		r, err := store.CityShareProfileByID(ctx, s.db.R(), id)
		if err != nil {
			return Comparison{}, err
		}
		pp, err := peerOf(r)
		if err != nil {
			return Comparison{}, err
		}
		if pp.Comments, err = store.CityShareComments(ctx, s.db.R(), r.ID); err != nil {
			return Comparison{}, err
		}
		c.Peers = append(c.Peers, pp)
	}
	return c, nil
}

// CommentInput is a peer-review comment on a practice of a profile.
type CommentInput struct {
	Practice string `json:"practice" field:"practice"`
	Body     string `json:"body" field:"body"`
}

// Comment records p's agency's comment on a practice of profile id.
func (s *Service) Comment(ctx context.Context, p access.Principal, id string, in CommentInput) error {
	if err := decide(access.ManageCityShare, p); err != nil {
		return err
	}
	r, err := store.CityShareProfileByID(ctx, s.db.R(), id)
	if err != nil {
		return err
	}
	pp, err := peerOf(r)
	if err != nil {
		return err
	}
	if _, ok := practiceOf(pp.Doc, in.Practice); !ok {
		return refuse("practice", "code")
	}
	body, err := text("body", in.Body, 2000, true)
	if err != nil {
		return err
	}
	c := store.CityShareComment{ID: store.NewID(), ProfileID: r.ID, Practice: in.Practice, AgencyID: p.AgencyID, Body: body, CreatedBy: p.UserID}
	ev := event(p, "cityshare.comment", "cityshare_profile", r.ID, map[string]string{"practice": c.Practice})
	return s.write(ctx, ev, func(tx *store.Tx, now int64) error {
		c.CreatedAt = now
		return tx.InsertCityShareComment(ctx, c)
	})
}

func practiceOf(doc ProfileDoc, id string) (Practice, bool) {
	for _, pr := range doc.Practices {
		if pr.ID == id {
			return pr, true
		}
	}
	return Practice{}, false
}

// AdoptInput adopts a peer's practice (Profile names the profile) or a
// library entry (Profile "library") into the action plan.
type AdoptInput struct {
	Profile   string `json:"profile" field:"profile"`
	Practice  string `json:"practice" field:"practice"`
	Title     string `json:"title" field:"title"`
	Objective string `json:"objective" field:"objective"`
	Owner     string `json:"owner" field:"owner"`
	Deadline  string `json:"deadline" field:"deadline"`
	Indicator string `json:"indicator" field:"indicator"`
	Baseline  string `json:"baseline" field:"baseline"`
	Target    string `json:"target" field:"target"`
	Budget    string `json:"budget" field:"budget"`
}

// Adopt adds a peer's practice to the agency's plan as an activity that
// remembers where it came from (city, profile, practice), and returns the
// activity's id.
func (s *Service) Adopt(ctx context.Context, p access.Principal, in AdoptInput) (string, error) {
	if err := decide(access.ManageCityShare, p); err != nil {
		return "", err
	}
	if err := decide(access.ManageLocalGov, p); err != nil {
		return "", err
	}
	var pr Practice
	var city string
	if in.Profile == "library" {
		e, ok := LibraryEntryByID(in.Practice)
		if !ok {
			return "", refuse("practice", "code")
		}
		pr, city = Practice{ID: e.ID, Pillar: e.Pillar, Title: e.Title}, e.City
	} else {
		r, err := store.CityShareProfileByID(ctx, s.db.R(), in.Profile)
		if err != nil {
			return "", err
		}
		pp, err := peerOf(r)
		if err != nil {
			return "", err
		}
		var ok bool
		if pr, ok = practiceOf(pp.Doc, in.Practice); !ok {
			return "", refuse("practice", "code")
		}
		city = pp.Doc.City
	}
	title := in.Title
	if strings.TrimSpace(title) == "" {
		title = pr.Title
	}
	pillar := pr.Pillar
	if !InList("pillar", pillar) {
		pillar = "prevention"
	}
	it, err := checkItem(p, ItemInput{Pillar: pillar, Objective: in.Objective, Title: title, Owner: in.Owner, Budget: in.Budget,
		Deadline: in.Deadline, Indicator: in.Indicator, Baseline: in.Baseline, Target: in.Target})
	if err != nil {
		return "", err
	}
	it.OriginCity, it.OriginProfile, it.OriginPractice = city, in.Profile, in.Practice
	ev := event(p, "cityshare.adopt", "localgov_plan_item", it.ID,
		map[string]string{"origin_profile": in.Profile, "origin_practice": in.Practice, "pillar": pillar})
	err = s.write(ctx, ev, func(tx *store.Tx, now int64) error {
		it.CreatedAt = now
		return tx.InsertPlanItem(ctx, it)
	})
	return it.ID, err
}

// Export returns profile id of this instance as a signed document, signed
// with the instance's key.
func (s *Service) Export(ctx context.Context, p access.Principal, id string) ([]byte, error) {
	if err := decide(access.ViewCityShare, p); err != nil {
		return nil, err
	}
	r, err := store.CityShareProfileByID(ctx, s.db.R(), id)
	if err != nil {
		return nil, err
	}
	if r.AgencyID == "" {
		// A received profile is passed on only as its signer signed it.
		return json.Marshal(Signed{Format: SignedFormat, Document: base64.StdEncoding.EncodeToString([]byte(r.Document)),
			Signature: r.Signature, PublicKey: r.PublicKey})
	}
	if s.signer == nil {
		return nil, errs.E(errs.Unavailable, "cityshare: no signing key")
	}
	key, keyID, instance, err := s.signer()
	if err != nil {
		return nil, errs.Wrap(errs.Unavailable, err)
	}
	doc := []byte(r.Document)
	env := Signed{Format: SignedFormat, Document: base64.StdEncoding.EncodeToString(doc),
		Signature: base64.StdEncoding.EncodeToString(ed25519.Sign(key, doc)),
		PublicKey: base64.StdEncoding.EncodeToString(key.Public().(ed25519.PublicKey)), KeyID: keyID, Instance: instance}
	out, err := json.Marshal(env)
	if err != nil {
		return nil, err
	}
	if err := s.db.RecordViews(ctx, event(p, "cityshare.export", "cityshare_profile", r.ID, nil)); err != nil {
		return nil, err
	}
	return out, nil
}

// ImportInput is a signed profile document received from another
// instance.
type ImportInput struct {
	Document string `json:"document" field:"document"`
}

// MaxDocument bounds a signed profile's size.
const MaxDocument = 256 << 10

// Import checks a signed profile (the signature over the document, the
// document's shape — nothing it does not know —, its sizes and codes) and
// stores it. A document from an instance this one knows as a peer of the
// transnational mechanism — named by the envelope's federation instance
// id, or by the peer's address matching the document's instance — must be
// signed by a key pinned for that peer (its active key or one it rotated
// from) and the peer must be active: the federation identity vouches for
// the profile. From any other instance the first key seen for its city is
// kept, and a later document for it signed by another key is refused
// (trust on first use).
func (s *Service) Import(ctx context.Context, p access.Principal, in ImportInput) (string, error) {
	if err := decide(access.ManageCityShare, p); err != nil {
		return "", err
	}
	if len(in.Document) > MaxDocument {
		return "", refuse("document", "too_long")
	}
	doc, env, err := Verify([]byte(in.Document))
	if err != nil {
		return "", err
	}
	peer, pinned, err := s.peerOf(ctx, doc, env)
	if err != nil {
		return "", err
	}
	rows, err := store.CityShareProfiles(ctx, s.db.R())
	if err != nil {
		return "", err
	}
	for _, r := range rows {
		if r.Instance == doc.Instance && r.City == doc.City && (r.AgencyID != "" || (!pinned && r.PublicKey != env.PublicKey)) {
			return "", refuse("document", "key_changed")
		}
	}
	raw, _ := base64.StdEncoding.DecodeString(env.Document)
	at, _ := time.Parse(time.RFC3339, doc.PublishedAt)
	row := store.CityShareProfile{ID: store.NewID(), Instance: doc.Instance, City: doc.City, Document: string(raw), Signature: env.Signature,
		PublicKey: env.PublicKey, PublishedAt: store.Millis(at)}
	ev := event(p, "cityshare.import", "cityshare_profile", row.ID, map[string]string{"key": fingerprint(env.PublicKey), "peer": peer})
	err = s.write(ctx, ev, func(tx *store.Tx, now int64) error {
		row.ReceivedAt = now
		return tx.InsertCityShareProfile(ctx, row)
	})
	return row.ID, err
}

// peerOf finds the transnational peer a signed profile comes from — by
// the envelope's instance id, else by a peer whose address's host is the
// document's instance — and checks the signing key against the keys
// pinned for it. pinned is false when the profile comes from no known
// peer.
func (s *Service) peerOf(ctx context.Context, doc ProfileDoc, env Signed) (peerID string, pinned bool, err error) {
	peers, err := store.Peers(ctx, s.db.R())
	if err != nil {
		return "", false, err
	}
	var peer *store.Peer
	for i, pr := range peers {
		u, _ := url.Parse(pr.BaseURL)
		if (env.Instance != "" && pr.ID == env.Instance) || (u != nil && u.Host != "" && u.Host == doc.Instance) {
			peer = &peers[i]
			break
		}
	}
	if peer == nil {
		if env.Instance != "" && !validInstance(env.Instance) {
			return "", false, refuse("document", "document")
		}
		return "", false, nil
	}
	bad := errs.Field("document", "lg.error.peer_key", nil)
	if peer.Status != "active" {
		return "", false, bad
	}
	pub, _ := base64.StdEncoding.DecodeString(env.PublicKey)
	keys := map[string][]byte{peer.KeyID: peer.SignKey}
	var retired map[string]string
	_ = json.Unmarshal([]byte(peer.RetiredKeys), &retired)
	for id, h := range retired {
		if b, err := hex.DecodeString(h); err == nil {
			keys[id] = b
		}
	}
	if k, ok := keys[env.KeyID]; !ok || !bytes.Equal(k, pub) {
		return "", false, bad
	}
	return peer.ID, true, nil
}

// validInstance reports whether an envelope's instance id looks like a
// federation instance id (32 hex digits).
func validInstance(v string) bool {
	if len(v) != 32 {
		return false
	}
	_, err := hex.DecodeString(v)
	return err == nil
}

// Verify checks a signed profile document and returns it. It is pure: the
// signature must verify over the document's bytes with the enclosed key,
// the document must decode with no member it does not know, and its values
// must be within bounds and its codes known.
func Verify(b []byte) (ProfileDoc, Signed, error) {
	var env Signed
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&env); err != nil || env.Format != SignedFormat {
		return ProfileDoc{}, env, refuse("document", "document")
	}
	raw, err1 := base64.StdEncoding.DecodeString(env.Document)
	sig, err2 := base64.StdEncoding.DecodeString(env.Signature)
	pub, err3 := base64.StdEncoding.DecodeString(env.PublicKey)
	if err1 != nil || err2 != nil || err3 != nil || len(pub) != ed25519.PublicKeySize || len(sig) != ed25519.SignatureSize {
		return ProfileDoc{}, env, refuse("document", "document")
	}
	if !ed25519.Verify(ed25519.PublicKey(pub), raw, sig) {
		return ProfileDoc{}, env, refuse("document", "signature")
	}
	var doc ProfileDoc
	dd := json.NewDecoder(bytes.NewReader(raw))
	dd.DisallowUnknownFields()
	if err := dd.Decode(&doc); err != nil || doc.Format != ProfileFormat {
		return ProfileDoc{}, env, refuse("document", "document")
	}
	if err := checkDoc(doc); err != nil {
		return ProfileDoc{}, env, err
	}
	return doc, env, nil
}

// checkDoc holds a received document to the bounds of one we publish.
func checkDoc(doc ProfileDoc) error {
	bad := refuse("document", "document")
	if _, err := text("document", doc.City, 200, true); err != nil {
		return bad
	}
	if _, err := text("document", doc.Instance, 200, true); err != nil {
		return bad
	}
	if _, err := time.Parse(time.RFC3339, doc.PublishedAt); err != nil {
		return bad
	}
	if doc.Population < 0 || len(doc.Practices) > 500 || len(doc.Plan) > 500 || len(doc.Indicators) > 50 {
		return bad
	}
	for _, v := range []int{doc.Scores.Prevention, doc.Scores.Protection, doc.Scores.Prosecution} {
		if v != 0 && (v < 1 || v > 5) {
			return bad
		}
	}
	if doc.Scores.Total != doc.Scores.Prevention+doc.Scores.Protection+doc.Scores.Prosecution {
		return bad
	}
	if _, err := codes("document", "vulnerability", doc.Vulnerabilities); err != nil {
		return bad
	}
	if _, err := codes("document", "flow", doc.Flows); err != nil {
		return bad
	}
	for _, pr := range doc.Practices {
		if _, err := text("document", pr.Title, 300, true); err != nil || !InList("pillar", pr.Pillar) || len(pr.ID) > 64 || pr.ID == "" {
			return bad
		}
	}
	for _, e := range doc.Plan {
		if _, err := text("document", e.Title, 300, true); err != nil || !InList("pillar", e.Pillar) || (e.Status != StatusOpen && e.Status != StatusDone) {
			return bad
		}
	}
	for _, v := range doc.Indicators {
		if _, ok := IndicatorByCode(v.Code); !ok {
			return bad
		}
	}
	return nil
}
