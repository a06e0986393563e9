package trmsvc

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/audit"
	"github.com/haven-nrm/haven/internal/auth"
	"github.com/haven-nrm/haven/internal/cases"
	"github.com/haven-nrm/haven/internal/demo"
	"github.com/haven-nrm/haven/internal/federation"
	"github.com/haven-nrm/haven/internal/referral"
	"github.com/haven-nrm/haven/internal/screening"
	"github.com/haven-nrm/haven/internal/seal"
	"github.com/haven-nrm/haven/internal/store"
	"github.com/haven-nrm/haven/internal/testenv"
	"github.com/haven-nrm/haven/internal/trm"
)

var cheap = auth.Params{Memory: 8 * 1024, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}

// instance is one sovereign Haven in a test: its own database, keyring,
// federation identity and loopback HTTP server.
type instance struct {
	t       *testing.T
	country string
	db      *store.DB
	keys    *seal.Keyring
	svc     *Service
	users   map[string]store.User
	// clock is the instance's time; tests move it on.
	clock atomic.Int64

	mu       sync.Mutex
	ln       net.Listener
	srv      *http.Server
	addr     string
	received atomic.Int64 // inbox requests answered
	lastSize atomic.Int64 // bytes of the last envelope received
	lastBody atomic.Pointer[[]byte]
	auditKey ed25519.PrivateKey
}

func (in *instance) now() time.Time { return time.UnixMilli(in.clock.Load()).UTC() }

func (in *instance) advance(d time.Duration) { in.clock.Add(d.Milliseconds()) }

// newInstance makes an instance of country on engine e.
func newInstance(t *testing.T, e testenv.Engine, country string) *instance {
	t.Helper()
	ctx := context.Background()
	in := &instance{t: t, country: country, users: map[string]store.User{}}
	in.clock.Store(time.Now().UnixMilli())
	in.db = testenv.OpenMigrated(t, e.Fresh(t))
	_, ak, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	in.auditKey = ak
	in.db.SetAuditSigner(&store.AuditSigner{Key: ak, KeyID: audit.KeyIDFor(ak.Public().(ed25519.PublicKey))})
	if _, err := demo.Generate(ctx, in.db, demo.Options{Seed: 7, Cases: 1, PasswordParams: &cheap, Home: country}); err != nil {
		t.Fatal(err)
	}
	if in.keys, err = seal.NewKeyring(); err != nil {
		t.Fatal(err)
	}
	keyPath := filepath.Join(t.TempDir(), "federation.key")
	id, err := federation.LoadOrCreate(keyPath, in.now())
	if err != nil {
		t.Fatal(err)
	}
	cs, err := cases.New(in.db, in.keys, in.now)
	if err != nil {
		t.Fatal(err)
	}
	eng, err := screening.DefaultEngine()
	if err != nil {
		t.Fatal(err)
	}
	us, err := in.db.Users(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range us {
		in.users[u.Username] = u
	}
	in.ln, err = net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	in.addr = in.ln.Addr().String()
	in.svc = &Service{DB: in.db, Keys: in.keys, ID: id, KeyPath: keyPath, Cases: cs, Now: in.now,
		Self:     Self{Country: country, Name: "Haven " + country + " (test)", Contact: "trm@" + country + ".example", BaseURL: "http://" + in.addr},
		Referral: &referral.Service{DB: in.db, Keys: in.keys, Engine: eng, Now: in.now, Countries: cs.Countries},
		Client:   &http.Client{Timeout: 10 * time.Second}}
	in.serve()
	t.Cleanup(in.down)
	return in
}

// handler is the part of the web layer the peer protocol needs: the
// well-known document and the inbox, each one service call.
func (in *instance) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+federation.WellKnownPath, func(w http.ResponseWriter, r *http.Request) {
		d, err := in.svc.Document()
		if err != nil {
			http.Error(w, "", 500)
			return
		}
		_ = json.NewEncoder(w).Encode(d)
	})
	mux.HandleFunc("POST "+federation.InboxPath, func(w http.ResponseWriter, r *http.Request) {
		in.received.Add(1)
		body, _ := io.ReadAll(io.LimitReader(r.Body, MaxEnvelope+1))
		in.lastSize.Store(int64(len(body)))
		in.lastBody.Store(&body)
		rc, err := in.svc.Receive(r.Context(), body)
		if err != nil {
			http.Error(w, `{"error":"refused"}`, http.StatusForbidden)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(rc)
	})
	return mux
}

// serve (re)starts the instance's server on its address.
func (in *instance) serve() {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.srv != nil {
		return
	}
	if in.ln == nil {
		var err error
		if in.ln, err = net.Listen("tcp", in.addr); err != nil {
			in.t.Fatal(err)
		}
	}
	in.srv = &http.Server{Handler: in.handler()}
	ln := in.ln
	go func() { _ = in.srv.Serve(ln) }()
}

// down stops the server: the instance is unreachable until serve.
func (in *instance) down() {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.srv != nil {
		_ = in.srv.Close()
		in.srv, in.ln = nil, nil
	}
}

func (in *instance) as(username string) access.Principal {
	in.t.Helper()
	u, ok := in.users[username]
	if !ok {
		in.t.Fatalf("no user %s", username)
	}
	return access.Principal{UserID: u.ID, Role: access.Role(u.Role), AgencyID: u.AgencyID, JurisdictionID: u.JurisdictionID}
}

// peerWith makes in trust other, as its administrator would after
// comparing the fingerprint other's administrator read out.
func (in *instance) peerWith(other *instance) store.Peer {
	in.t.Helper()
	ctx := context.Background()
	doc, _, err := in.svc.FetchDocument(ctx, other.svc.Self.BaseURL)
	if err != nil {
		in.t.Fatal(err)
	}
	p, err := in.svc.AddPeer(ctx, in.as("demo.system_admin").UserID, doc, other.svc.Fingerprint(), trm.DefaultAgreement())
	if err != nil {
		in.t.Fatal(err)
	}
	return p
}

// deliver runs one round of the outbox and returns how many arrived.
func (in *instance) deliver() int {
	in.t.Helper()
	n, err := in.svc.Deliver(context.Background())
	if err != nil {
		in.t.Fatal(err)
	}
	return n
}

// events returns the audit events with action, newest first.
func (in *instance) events(action string) []map[string]string {
	in.t.Helper()
	es, err := in.db.AuditEvents(context.Background(), store.AuditFilter{Action: action, Limit: 100})
	if err != nil {
		in.t.Fatal(err)
	}
	var out []map[string]string
	for _, e := range es {
		d := map[string]string{"object": e.ObjectID, "actor": e.Actor}
		for k, v := range e.Details {
			d[k] = v
		}
		out = append(out, d)
	}
	return out
}

func (in *instance) verifyAudit() {
	in.t.Helper()
	sum, err := in.db.VerifyAudit(context.Background(), in.auditKey.Public().(ed25519.PublicKey))
	if err != nil {
		in.t.Fatalf("%s audit chain: %v", in.country, err)
	}
	in.t.Logf("%s audit chain verifies: %d events", in.country, sum.Events)
}

// peeredPair makes a Thai and a Nepali instance on engine e, each trusting
// the other.
func peeredPair(t *testing.T, e testenv.Engine) (th, np *instance) {
	t.Helper()
	th, np = newInstance(t, e, "TH"), newInstance(t, e, "NP")
	th.peerWith(np)
	np.peerWith(th)
	return th, np
}

// onPeeredPairs runs body once per engine with a fresh peered pair.
func onPeeredPairs(t *testing.T, body func(t *testing.T, th, np *instance)) {
	testenv.OnEachEngine(t, func(t *testing.T, e testenv.Engine) {
		th, np := peeredPair(t, e)
		body(t, th, np)
	})
}
