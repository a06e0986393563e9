package localgov_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/audit"
	"github.com/haven-nrm/haven/internal/auth"
	"github.com/haven-nrm/haven/internal/demo"
	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/federation"
	"github.com/haven-nrm/haven/internal/localgov"
	"github.com/haven-nrm/haven/internal/seal"
	"github.com/haven-nrm/haven/internal/store"
	"github.com/haven-nrm/haven/internal/testenv"
	"github.com/haven-nrm/haven/internal/threep"
)

var cheap = auth.Params{Memory: 8 * 1024, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}

// setup generates the demo's agencies and users and returns the officer
// of Pokhara's local government and a principal of another agency.
func setup(t *testing.T, db *store.DB) (officer, outsider access.Principal) {
	t.Helper()
	ctx := context.Background()
	if _, err := demo.Generate(ctx, db, demo.Options{Seed: 3, PasswordParams: &cheap, Now: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	u, err := db.UserByUsername(ctx, "demo."+string(access.LocalGovOfficer))
	if err != nil {
		t.Fatal(err)
	}
	jur, err := store.AgencyJurisdiction(ctx, db.R(), u.AgencyID)
	if err != nil {
		t.Fatal(err)
	}
	cw, err := db.UserByUsername(ctx, "demo."+string(access.CaseWorker))
	if err != nil {
		t.Fatal(err)
	}
	// The demo has already filled the local government's records: the
	// tests keep those of an agency of their own (the NGO's), and the
	// demo's local government is the outsider.
	officer = access.Principal{UserID: u.ID, Role: access.LocalGovOfficer, AgencyID: cw.AgencyID, JurisdictionID: jur}
	outsider = access.Principal{UserID: cw.ID, Role: access.LocalGovOfficer, AgencyID: u.AgencyID, JurisdictionID: jur}
	return officer, outsider
}

func count(t *testing.T, db *store.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.R().QueryRowContext(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// publishSigned publishes the city's profile and exports it signed; it
// returns the published profile's id and the signed document.
func publishSigned(t *testing.T, svc *localgov.Service, officer access.Principal) (string, []byte) {
	t.Helper()
	pub, err := svc.Publish(t.Context(), officer)
	if err != nil {
		t.Fatal(err)
	}
	signed, err := svc.Export(t.Context(), officer, pub)
	if err != nil {
		t.Fatal(err)
	}
	return pub, signed
}

func indicator(d localgov.Dashboard, code string) localgov.IndicatorValue {
	for _, v := range d.Indicators {
		if v.Code == code {
			return v
		}
	}
	return localgov.IndicatorValue{}
}

// TestLocalGovernmentRecordsAndPlan walks a city officer's year: the
// profile (focal point sealed), a campaign and a training (staff names
// sealed), a partnership, an activity whose progress reaches its target
// (the indicator moves), an overdue activity that raises one task, and
// the refusals: a case worker, a bad field (nothing written), another
// agency's activity (not found), a stale version (conflict).
func TestLocalGovernmentRecordsAndPlan(t *testing.T) {
	testenv.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		officer, outsider := setup(t, db)
		keys, err := seal.NewKeyring()
		if err != nil {
			t.Fatal(err)
		}
		now := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
		svc := localgov.New(localgov.Options{DB: db, Keys: keys, Now: func() time.Time { return now }})
		caseWorker := officer
		caseWorker.Role = access.CaseWorker
		if err := svc.SaveProfile(ctx, caseWorker, localgov.ProfileInput{City: "Pokhara", Population: "500000"}); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("a case worker saves the profile: %v", err)
		}
		if err := svc.SaveProfile(ctx, officer, localgov.ProfileInput{City: "Pokhara", Population: "many"}); errs.KindOf(err) != errs.Invalid {
			t.Fatalf("a population in words: %v", err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM localgov_profiles WHERE agency_id=$1`, officer.AgencyID); n != 0 {
			t.Fatalf("a refused profile wrote %d rows", n)
		}
		if err := svc.SaveProfile(ctx, officer, localgov.ProfileInput{City: "Pokhara", Population: "518452", Vulnerabilities: []string{"child_labour", "poverty"},
			Flows: []string{"rural_urban"}, FocalPoint: "Sita Quietname", FocalOffice: "Women and Children Section"}); err != nil {
			t.Fatal(err)
		}
		if err := svc.SaveProfile(ctx, officer, localgov.ProfileInput{Version: "7", City: "Pokhara", Population: "1"}); !errs.Is(err, errs.Conflict) {
			t.Fatalf("a stale profile version: %v", err)
		}
		if _, err := svc.AddRecord(ctx, officer, localgov.RecordInput{Kind: "campaign", Title: "Safe migration week", Category: "migrant_workers",
			StartedOn: "2026-03-01", EndedOn: "2026-03-07", Reach: "12000", Cost: "4500", Languages: []string{"ne en"}, Channels: []string{"radio", "posters"}}); err != nil {
			t.Fatal(err)
		}
		tr, err := svc.AddRecord(ctx, officer, localgov.RecordInput{Kind: "training", Title: "Identifying victims", Category: "police", StartedOn: "2026-04-02",
			Reach: "25", Topics: []string{"identification"}, PreScore: "48", PostScore: "81", StaffNames: "Ram Hiddenname\nGita Hiddenname"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.AddRecord(ctx, officer, localgov.RecordInput{Kind: "partnership", Title: "Referral MoU", Category: "ngo", StartedOn: "2026-01-10",
			Parties: "City and a shelter NGO", Scopes: []string{"referral", "shelter"}, Status: "active"}); err != nil {
			t.Fatal(err)
		}
		before := count(t, db, `SELECT COUNT(*) FROM localgov_records WHERE agency_id=$1`, officer.AgencyID)
		if _, err := svc.AddRecord(ctx, officer, localgov.RecordInput{Kind: "training", Title: "x", Category: "astronauts", StartedOn: "2026-04-02"}); errs.KindOf(err) != errs.Invalid {
			t.Fatalf("an unknown sector: %v", err)
		}
		if after := count(t, db, `SELECT COUNT(*) FROM localgov_records WHERE agency_id=$1`, officer.AgencyID); after != before {
			t.Fatal("a refused record was written")
		}
		// The names are sealed: nothing in clear in any column.
		for _, q := range []string{`SELECT COUNT(*) FROM localgov_records WHERE record LIKE '%Hiddenname%' OR title LIKE '%Hiddenname%'`,
			`SELECT COUNT(*) FROM localgov_profiles WHERE record LIKE '%Quietname%'`, `SELECT COUNT(*) FROM audit_events WHERE details LIKE '%Hiddenname%' OR details LIKE '%Quietname%'`} {
			if n := count(t, db, q); n != 0 {
				t.Fatalf("a sealed name is in clear: %s", q)
			}
		}
		item, err := svc.AddItem(ctx, officer, localgov.ItemInput{Pillar: "prevention", Objective: "Train local actors", Title: "Train 40 labour inspectors",
			Owner: "Labour section", Budget: "9000", Deadline: "2026-09-30", Indicator: "LG-02", Baseline: "0", Target: "40"})
		if err != nil {
			t.Fatal(err)
		}
		late, err := svc.AddItem(ctx, officer, localgov.ItemInput{Pillar: "partnership", Objective: "Referral network", Title: "Sign a data-sharing MoU",
			Owner: "Mayor's office", Deadline: "2026-05-01", Indicator: "LG-05", Baseline: "1", Target: "2"})
		if err != nil {
			t.Fatal(err)
		}
		d, err := svc.Dashboard(ctx, officer)
		if err != nil {
			t.Fatal(err)
		}
		if d.Profile.FocalPoint != "Sita Quietname" || len(d.Records) != 3 {
			t.Fatalf("dashboard: focal point %q, %d records", d.Profile.FocalPoint, len(d.Records))
		}
		for _, r := range d.Records {
			if r.ID == tr && len(r.StaffNames) != 2 {
				t.Fatalf("the training's staff names: %v", r.StaffNames)
			}
		}
		if v := indicator(d, "LG-01"); !v.Known || v.Value < 23 || v.Value > 23.2 {
			t.Fatalf("LG-01 campaign reach per 1,000 = %v", v)
		}
		if v := indicator(d, "LG-03"); !v.Known || v.Value != 33 {
			t.Fatalf("LG-03 knowledge gain = %v, want 33 points", v)
		}
		if v := indicator(d, "LG-06"); !v.Known || v.Value != 0 {
			t.Fatalf("LG-06 before progress = %v", v)
		}
		// An analyst reads counts, never a name.
		analyst := officer
		analyst.Role = access.Analyst
		ad, err := svc.Dashboard(ctx, analyst)
		if err != nil || ad.Profile.FocalPoint != "" || ad.CanManage {
			t.Fatalf("analyst: %v %q", err, ad.Profile.FocalPoint)
		}
		for _, r := range ad.Records {
			if len(r.StaffNames) > 0 {
				t.Fatal("an analyst sees trained staff's names")
			}
		}
		if err := svc.RecordProgress(ctx, outsider, item, localgov.ProgressInput{Version: "1", Value: "40", Evidence: "x"}); !errs.Is(err, errs.NotFound) {
			t.Fatalf("another agency records progress: %v", err)
		}
		if err := svc.RecordProgress(ctx, officer, item, localgov.ProgressInput{Version: "1", Value: "25", Evidence: "Attendance sheets", RecordedOn: "2026-05-20"}); err != nil {
			t.Fatal(err)
		}
		if err := svc.RecordProgress(ctx, officer, item, localgov.ProgressInput{Version: "1", Value: "40", Evidence: "stale"}); !errs.Is(err, errs.Conflict) {
			t.Fatalf("a stale version: %v", err)
		}
		if err := svc.RecordProgress(ctx, officer, item, localgov.ProgressInput{Version: "2", Value: "41", Evidence: "Certificates issued"}); err != nil {
			t.Fatal(err)
		}
		// Overdue: the MoU's deadline passed; one task, however often the
		// job runs; done when the activity is.
		for i := 0; i < 2; i++ {
			n, err := svc.RaiseOverdue(ctx, now)
			if err != nil || n != 1-i {
				t.Fatalf("run %d raised %d (%v)", i, n, err)
			}
		}
		d, err = svc.Dashboard(ctx, officer)
		if err != nil {
			t.Fatal(err)
		}
		if v := indicator(d, "LG-06"); v.Value != 50 {
			t.Fatalf("LG-06 after one of two activities is done = %v, want 50", v.Value)
		}
		if len(d.Tasks) != 1 || d.Tasks[0].ItemID != late {
			t.Fatalf("tasks: %+v", d.Tasks)
		}
		if err := svc.RecordProgress(ctx, officer, late, localgov.ProgressInput{Version: "1", Value: "2", Evidence: "MoU signed"}); err != nil {
			t.Fatal(err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM localgov_tasks WHERE done_at IS NULL AND agency_id=$1`, officer.AgencyID); n != 0 {
			t.Fatalf("%d tasks still open after the activity was done", n)
		}
		for action, want := range map[string]int{"localgov.profile_save": 1, "localgov.record_add": 3, "localgov.plan_item_add": 2,
			"localgov.progress_record": 3, "localgov.task_raise": 1, "localgov.task_done": 1, "localgov.names_view": 2} {
			if n := count(t, db, `SELECT COUNT(*) FROM audit_events WHERE action=$1 AND agency=$2`, action, officer.AgencyID); n != want {
				t.Errorf("%d %s events, want %d", n, action, want)
			}
		}
	})
}

// TestSelfAssessmentAndCityShare: a self-assessment scored by threep, a
// profile published, exported signed, imported by another instance (a
// tampered or re-keyed document refused), compared, commented on and a
// practice adopted into the plan with its origin.
func TestSelfAssessmentAndCityShare(t *testing.T) {
	testenv.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		officer, _ := setup(t, db)
		keys, _ := seal.NewKeyring()
		_, priv, _ := ed25519.GenerateKey(rand.Reader)
		signer := func() (ed25519.PrivateKey, string, string, error) { return priv, "test-key", "", nil }
		svc := localgov.New(localgov.Options{DB: db, Keys: keys, Instance: "pokhara.example", Signer: signer})
		answers := map[string]string{}
		for _, q := range threep.Questions {
			answers[q.Code] = "yes"
		}
		answers["prosecution.institutions"] = "no"
		a, err := svc.Assess(ctx, officer, localgov.AssessmentInput{Year: "2026", Answers: answers, Evidence: map[string]string{"prevention": "Council minutes"}})
		if err != nil {
			t.Fatal(err)
		}
		if a.Prevention != 5 || a.Prosecution != 3 || a.Total != 13 {
			t.Fatalf("assessment %+v", a)
		}
		delete(answers, "prevention.mdt")
		if _, err := svc.Assess(ctx, officer, localgov.AssessmentInput{Year: "2026", Answers: answers}); errs.CodeOf[threep.Code](err) != threep.CodeMissingAnswer {
			t.Fatalf("a missing answer: %v", err)
		}
		if _, err := svc.Publish(ctx, officer); errs.KindOf(err) != errs.Invalid {
			t.Fatalf("publishing without a profile: %v", err)
		}
		if err := svc.SaveProfile(ctx, officer, localgov.ProfileInput{City: "Pokhara", Population: "518452", FocalPoint: "Sita Quietname"}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.AddRecord(ctx, officer, localgov.RecordInput{Kind: "campaign", Title: "Ward outreach", Category: "parents", StartedOn: "2026-02-01", Reach: "900"}); err != nil {
			t.Fatal(err)
		}
		pub, signed := publishSigned(t, svc, officer)
		if bytes.Contains(signed, []byte("Quietname")) {
			t.Fatal("the exported profile carries the focal point's name")
		}
		doc, _, err := localgov.Verify(signed)
		if err != nil || doc.City != "Pokhara" || doc.Scores.Total != 13 || len(doc.Practices) != 1 {
			t.Fatalf("verify: %v %+v", err, doc)
		}
		// Another instance receives it.
		other := localgov.New(localgov.Options{DB: db, Keys: keys, Instance: "jeju.example", Signer: signer})
		// Tampered: the document changed after signing.
		var env localgov.Signed
		_ = json.Unmarshal(signed, &env)
		raw, _ := base64.StdEncoding.DecodeString(env.Document)
		forged := env
		forged.Document = base64.StdEncoding.EncodeToString(bytes.Replace(raw, []byte(`"total":13`), []byte(`"total":15`), 1))
		fb, _ := json.Marshal(forged)
		if _, err := other.Import(ctx, officer, localgov.ImportInput{Document: string(fb)}); errs.KindOf(err) != errs.Invalid {
			t.Fatalf("a tampered document: %v", err)
		}
		// Case data smuggled in a member the format does not know.
		_, priv2, _ := ed25519.GenerateKey(rand.Reader)
		smuggled := bytes.Replace(raw, []byte(`"format"`), []byte(`"cases":[{"name":"A Person"}],"format"`), 1)
		sm := localgov.Signed{Format: localgov.SignedFormat, Document: base64.StdEncoding.EncodeToString(smuggled),
			Signature: base64.StdEncoding.EncodeToString(ed25519.Sign(priv2, smuggled)), PublicKey: base64.StdEncoding.EncodeToString(priv2.Public().(ed25519.PublicKey))}
		smb, _ := json.Marshal(sm)
		if _, _, err := localgov.Verify(smb); err == nil {
			t.Fatal("a document with a member the format does not know was accepted")
		}
		// The same instance's city re-signed by another key: refused.
		rekeyed := localgov.Signed{Format: localgov.SignedFormat, Document: env.Document,
			Signature: base64.StdEncoding.EncodeToString(ed25519.Sign(priv2, raw)), PublicKey: base64.StdEncoding.EncodeToString(priv2.Public().(ed25519.PublicKey))}
		rb, _ := json.Marshal(rekeyed)
		if _, err := other.Import(ctx, officer, localgov.ImportInput{Document: string(rb)}); errs.KindOf(err) != errs.Invalid {
			t.Fatalf("a re-keyed document for a known city: %v", err)
		}
		// A profile from elsewhere: a fresh city on another instance.
		foreign := bytes.Replace(bytes.Replace(raw, []byte(`"pokhara.example"`), []byte(`"ub.example"`), 1), []byte(`"Pokhara"`), []byte(`"Ulaanbaatar"`), 1)
		fe := localgov.Signed{Format: localgov.SignedFormat, Document: base64.StdEncoding.EncodeToString(foreign),
			Signature: base64.StdEncoding.EncodeToString(ed25519.Sign(priv2, foreign)), PublicKey: base64.StdEncoding.EncodeToString(priv2.Public().(ed25519.PublicKey))}
		feb, _ := json.Marshal(fe)
		got, err := svc.Import(ctx, officer, localgov.ImportInput{Document: string(feb)})
		if err != nil {
			t.Fatal(err)
		}
		c, err := svc.Compare(ctx, officer, []string{got, pub})
		if err != nil || len(c.Peers) != 2 || c.Peers[0].Doc.City != "Ulaanbaatar" || !c.Peers[0].Received {
			t.Fatalf("compare: %v %+v", err, c.Peers)
		}
		practice := c.Peers[0].Doc.Practices[0].ID
		if err := svc.Comment(ctx, officer, got, localgov.CommentInput{Practice: practice, Body: "We ran this in 18 wards too."}); err != nil {
			t.Fatal(err)
		}
		if err := svc.Comment(ctx, officer, got, localgov.CommentInput{Practice: "nope", Body: "x"}); errs.KindOf(err) != errs.Invalid {
			t.Fatalf("a comment on no practice: %v", err)
		}
		id, err := svc.Adopt(ctx, officer, localgov.AdoptInput{Profile: got, Practice: practice, Objective: "Reach parents", Owner: "Ward offices",
			Deadline: "2026-12-31", Indicator: "LG-01", Target: "10"})
		if err != nil {
			t.Fatal(err)
		}
		lib, err := svc.Adopt(ctx, officer, localgov.AdoptInput{Profile: "library", Practice: "kanchanaburi-mdt", Objective: "Identify victims among migrants",
			Owner: "Social welfare", Deadline: "2026-12-31", Indicator: "LG-05", Target: "3"})
		if err != nil {
			t.Fatal(err)
		}
		d, err := svc.Dashboard(ctx, officer)
		if err != nil {
			t.Fatal(err)
		}
		origins := map[string]string{}
		for _, it := range d.Items {
			origins[it.ID] = it.OriginCity + "/" + it.OriginPractice
		}
		if origins[id] != "Ulaanbaatar/"+practice || origins[lib] != "Kanchanaburi/kanchanaburi-mdt" {
			t.Fatalf("adopted activities do not remember their origin: %v", origins)
		}
		if !strings.Contains(c.Own.City, "Pokhara") {
			t.Fatalf("own profile in the comparison: %+v", c.Own)
		}
	})
}

// TestNetworkDisclosure: the referral network passes the statistics'
// disclosure control (disclosure.Suppress, docs/STATISTICS.md): counts
// below k are withheld (primary), and so is at least one more count in
// each line of a withheld one, so that it cannot be worked out from the
// totals (complementary); zeros are not listed, and nothing below k is
// ever shown.
func TestNetworkDisclosure(t *testing.T) {
	in := []localgov.Flow{{From: "ngo", To: "health", Count: 10}, {From: "police", To: "ngo", Count: 40}, {From: "ngo", To: "shelter_short_term", Count: 30},
		{From: "police", To: "health", Count: 25}, {From: "police", To: "shelter_short_term", Count: 12}}
	for _, tc := range []struct {
		name              string
		k                 int
		primary, withheld int
	}{
		{"default k=11: 10 withheld, and a partner in its row and column", 0, 1, 4},
		{"k=5: nothing withheld", 5, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := localgov.Network(in, tc.k)
			if err != nil {
				t.Fatal(err)
			}
			var primary, withheld int
			k := tc.k
			if k <= 0 {
				k = localgov.DefaultMinCount
			}
			for _, f := range got {
				if f.Suppressed != "" {
					withheld++
					if f.Count != 0 {
						t.Errorf("withheld count shown: %+v", f)
					}
				} else if f.Count < int64(k) {
					t.Errorf("count below k=%d shown: %+v", k, f)
				}
				if f.Primary() {
					primary++
				}
			}
			if primary != tc.primary || withheld != tc.withheld {
				t.Fatalf("primary %d (want %d), withheld %d (want %d): %+v", primary, tc.primary, withheld, tc.withheld, got)
			}
		})
	}
	if got, err := localgov.Network(nil, 0); err != nil || got != nil {
		t.Fatalf("empty network: %v %v", got, err)
	}
}

// TestCityShareFederationKey: a profile exported by an instance with a
// federation identity is signed with the identity's active key and names
// the instance; a receiver that knows the instance as a peer of the
// transnational mechanism accepts it only with the key pinned for the peer
// (docs/TRM.md, docs/LOCALGOV.md): the same document signed by another
// key, or stripped of the instance id (the peer is found by its address
// then), or from a suspended peer, is refused; once the peer rotates its
// key, a profile signed by the new key is accepted.
func TestCityShareFederationKey(t *testing.T) {
	testenv.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		officer, _ := setup(t, db)
		keys, _ := seal.NewKeyring()
		id, err := federation.NewIdentity(time.Now())
		if err != nil {
			t.Fatal(err)
		}
		fedSigner := func() (ed25519.PrivateKey, string, string, error) {
			k := id.Active()
			return k.Sign, k.ID, id.Instance, nil
		}
		sender := localgov.New(localgov.Options{DB: db, Keys: keys, Instance: "pokhara.example", Signer: fedSigner})
		if err := sender.SaveProfile(ctx, officer, localgov.ProfileInput{City: "Pokhara", Population: "518452"}); err != nil {
			t.Fatal(err)
		}
		_, signed := publishSigned(t, sender, officer)
		var env localgov.Signed
		_ = json.Unmarshal(signed, &env)
		if env.Instance != id.Instance || env.KeyID != id.Active().ID || env.PublicKey != base64.StdEncoding.EncodeToString(id.Active().SignPublic()) {
			t.Fatalf("not signed with the federation identity: %+v", env)
		}
		// The receiving instance (same database, another service) knows
		// the sender as a peer at https://pokhara.example.
		peer := store.Peer{ID: id.Instance, BaseURL: "https://pokhara.example", Country: "NP", Name: "Haven NP", KeyID: id.Active().ID,
			SignKey: id.Active().SignPublic(), KEMKey: id.Active().KEMPublic(), RetiredKeys: "{}", Status: "active", Agreement: "{}", AddedBy: "t"}
		write := func(p store.Peer) {
			t.Helper()
			if err := db.Write(ctx, func(tx *store.Tx) error {
				if err := tx.UpsertPeer(ctx, p); err != nil {
					return err
				}
				return tx.Audit(ctx, audit.Event{Actor: "t", Action: "peer.add", ObjectType: "peer", ObjectID: p.ID})
			}); err != nil {
				t.Fatal(err)
			}
		}
		write(peer)
		// Another key claiming the peer's instance: refused, with or
		// without the instance id (the address names the peer).
		_, other, _ := ed25519.GenerateKey(rand.Reader)
		raw, _ := base64.StdEncoding.DecodeString(env.Document)
		for _, inst := range []string{id.Instance, ""} {
			forged := localgov.Signed{Format: localgov.SignedFormat, Document: env.Document, KeyID: env.KeyID, Instance: inst,
				Signature: base64.StdEncoding.EncodeToString(ed25519.Sign(other, raw)), PublicKey: base64.StdEncoding.EncodeToString(other.Public().(ed25519.PublicKey))}
			fb, _ := json.Marshal(forged)
			if _, err := sender.Import(ctx, officer, localgov.ImportInput{Document: string(fb)}); keyOf(err) != "lg.error.peer_key" {
				t.Fatalf("instance %q: a profile signed by a key the peer does not hold: %v", inst, err)
			}
		}
		// A suspended peer's profile is refused.
		peer.Status = "suspended"
		write(peer)
		if _, err := sender.Import(ctx, officer, localgov.ImportInput{Document: string(signed)}); keyOf(err) != "lg.error.peer_key" {
			t.Fatalf("a suspended peer's profile: %v", err)
		}
		// The peer rotates its key; its profile signed by the new key is
		// accepted, and the audit event names the peer.
		old := id.Active()
		nk, err := federation.NewKeyPair(time.Now())
		if err != nil {
			t.Fatal(err)
		}
		id.Keys = append(id.Keys, nk)
		peer.Status, peer.KeyID, peer.SignKey, peer.KEMKey = "active", nk.ID, nk.SignPublic(), nk.KEMPublic()
		peer.RetiredKeys = `{"` + old.ID + `":"` + hex.EncodeToString(old.SignPublic()) + `"}`
		write(peer)
		// Received under a name of its own, so that it is not this
		// instance's own city.
		doc := bytes.Replace(raw, []byte(`"Pokhara"`), []byte(`"Pokhara Metropolitan"`), 1)
		fresh := localgov.Signed{Format: localgov.SignedFormat, Document: base64.StdEncoding.EncodeToString(doc), KeyID: nk.ID, Instance: id.Instance,
			Signature: base64.StdEncoding.EncodeToString(ed25519.Sign(nk.Sign, doc)), PublicKey: base64.StdEncoding.EncodeToString(nk.SignPublic())}
		fb, _ := json.Marshal(fresh)
		got, err := sender.Import(ctx, officer, localgov.ImportInput{Document: string(fb)})
		if err != nil {
			t.Fatalf("a profile signed by the peer's new key: %v", err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_events WHERE action='cityshare.import' AND object_id=$1 AND details LIKE $2`, got, "%"+id.Instance+"%"); n != 1 {
			t.Fatalf("the import's audit event does not name the peer (%d)", n)
		}
	})
}

// keyOf is the translation key of a refusal, "" for any other error.
func keyOf(err error) string {
	var e *errs.Error
	if errors.As(err, &e) {
		return e.Key
	}
	return ""
}

// TestPartnersContribute: the officer invites a user of another agency
// (a shelter's staff) to one named activity; the partner lists that
// activity alone, records progress and evidence on it (audited under the
// plan's agency), and reaches nothing else: another activity of the same
// plan, the officer's progress action, the dashboard and records are all
// closed, and an activity it was not invited to answers NotFound with
// nothing written. An outsider cannot invite to the plan; a repeated or
// unknown partner is refused with nothing written.
func TestPartnersContribute(t *testing.T) {
	testenv.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		officer, outsider := setup(t, db)
		keys, _ := seal.NewKeyring()
		svc := localgov.New(localgov.Options{DB: db, Keys: keys})
		named, err := svc.AddItem(ctx, officer, localgov.ItemInput{Pillar: "partnership", Objective: "Shelter capacity", Title: "Open ten emergency beds",
			Owner: "Shelter partner", Deadline: "2026-12-31", Indicator: "LG-05", Baseline: "0", Target: "10"})
		if err != nil {
			t.Fatal(err)
		}
		other, err := svc.AddItem(ctx, officer, localgov.ItemInput{Pillar: "prevention", Objective: "Secret objective", Title: "Not for partners",
			Owner: "Mayor's office", Deadline: "2026-12-31", Indicator: "LG-02", Baseline: "0", Target: "40"})
		if err != nil {
			t.Fatal(err)
		}
		su, err := db.UserByUsername(ctx, "demo."+string(access.ShelterStaff))
		if err != nil {
			t.Fatal(err)
		}
		partner := access.Principal{UserID: su.ID, Role: access.ShelterStaff, AgencyID: su.AgencyID}
		invites := func() int {
			return count(t, db, `SELECT COUNT(*) FROM localgov_partners`)
		}
		initial := invites() // the demo's own invitation
		if err := svc.InvitePartner(ctx, outsider, named, localgov.PartnerInput{Username: su.Username}); !errs.Is(err, errs.NotFound) {
			t.Fatalf("another local government invites to this plan: %v", err)
		}
		if err := svc.InvitePartner(ctx, officer, named, localgov.PartnerInput{Username: "nobody.here"}); keyOf(err) != "lg.partner.error.user" {
			t.Fatalf("an unknown partner: %v", err)
		}
		if err := svc.InvitePartner(ctx, officer, named, localgov.PartnerInput{Username: su.Username}); err != nil {
			t.Fatal(err)
		}
		if err := svc.InvitePartner(ctx, officer, named, localgov.PartnerInput{Username: su.Username}); keyOf(err) != "lg.partner.error.already" || invites() != initial+1 {
			t.Fatalf("a repeated invitation: %v (%d rows)", err, invites())
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_events WHERE action='localgov.partner_invite' AND object_id=$1 AND details LIKE $2`, named, "%"+su.ID+"%"); n != 1 {
			t.Fatalf("the invitation is not audited (%d)", n)
		}
		mine := func() localgov.Contribution {
			t.Helper()
			cs, err := svc.Contributions(ctx, partner)
			if err != nil {
				t.Fatal(err)
			}
			var got *localgov.Contribution
			for i, c := range cs {
				if c.ID == other {
					t.Fatal("the partner sees an activity it was not invited to")
				}
				if c.ID == named {
					got = &cs[i]
				}
			}
			if got == nil || got.Title != "Open ten emergency beds" {
				t.Fatalf("the partner's activities: %+v", cs)
			}
			return *got
		}
		mine()
		if err := svc.Contribute(ctx, partner, named, localgov.ProgressInput{Version: "1", Value: "4", Evidence: "Four beds open since March"}); err != nil {
			t.Fatal(err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_events WHERE action='localgov.partner_progress' AND object_id=$1 AND actor=$2 AND agency=$3`,
			named, su.ID, officer.AgencyID); n != 1 {
			t.Fatalf("the partner's progress is not audited under the plan's agency (%d)", n)
		}
		if c := mine(); c.Current != 4 || len(c.Progress) != 1 || c.Progress[0].Evidence != "Four beds open since March" {
			t.Fatalf("the partner's progress: %+v", c)
		}
		// Nothing else.
		progress := func() int { return count(t, db, `SELECT COUNT(*) FROM localgov_progress`) }
		before := progress()
		if err := svc.Contribute(ctx, partner, other, localgov.ProgressInput{Version: "1", Value: "40", Evidence: "x"}); !errs.Is(err, errs.NotFound) {
			t.Fatalf("progress on an activity the partner was not invited to: %v", err)
		}
		if err := svc.Contribute(ctx, partner, "00000000000000000000000000000000", localgov.ProgressInput{Version: "1", Value: "1", Evidence: "x"}); !errs.Is(err, errs.NotFound) {
			t.Fatalf("progress on no activity: %v", err)
		}
		if err := svc.RecordProgress(ctx, partner, named, localgov.ProgressInput{Version: "2", Value: "5", Evidence: "x"}); !errs.Is(err, errs.NotFound) {
			t.Fatalf("the officer's progress action for a partner: %v", err)
		}
		if _, err := svc.Dashboard(ctx, partner); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("the partner reads the dashboard: %v", err)
		}
		if err := svc.InvitePartner(ctx, partner, named, localgov.PartnerInput{Username: "demo.case_worker"}); !errs.Is(err, errs.NotFound) {
			t.Fatalf("a partner invites others: %v", err)
		}
		if progress() != before {
			t.Fatal("a refused contribution wrote progress")
		}
		// A stale version is a conflict, nothing written.
		if err := svc.Contribute(ctx, partner, named, localgov.ProgressInput{Version: "1", Value: "6", Evidence: "stale"}); !errs.Is(err, errs.Conflict) {
			t.Fatalf("a stale contribution: %v", err)
		}
		if progress() != before {
			t.Fatal("a stale contribution wrote progress")
		}
	})
}
