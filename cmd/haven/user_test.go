package main

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/haven-nrm/haven/internal/audit"
	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/notify/smtptest"
	"github.com/haven-nrm/haven/internal/store"
)

// userEnv runs subcommands on the SQLite database in data.
func userEnv(data, stdin string) (env, *bytes.Buffer) {
	var out bytes.Buffer
	return env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &out, getenv: func(k string) string {
		if k == "HAVEN_DATA_DIR" {
			return data
		}
		return ""
	}}, &out
}

// dataWithAgency makes a data folder with a migrated SQLite database that
// holds one jurisdiction and one agency, whose id it returns.
func dataWithAgency(t *testing.T) (data, agencyID string) {
	t.Helper()
	ctx := context.Background()
	data = t.TempDir()
	db, err := store.Open(ctx, store.Options{Path: filepath.Join(data, "haven.db")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	aid := seedAgency(t, db)
	db.Close()
	return data, aid
}

// seedAgency writes one jurisdiction and one agency to db and returns the
// agency's id.
func seedAgency(t *testing.T, db *store.DB) string {
	t.Helper()
	ctx := context.Background()
	jid, aid := store.NewID(), store.NewID()
	if err := db.WriteBookkeeping(ctx, store.TestFixture, func(tx *store.Tx) error {
		if err := tx.InsertJurisdiction(ctx, store.Jurisdiction{ID: jid, Code: "T-1", Country: "NP", Name: "T", Timezone: "UTC", CreatedAt: 1}); err != nil {
			return err
		}
		return tx.InsertAgency(ctx, store.Agency{ID: aid, JurisdictionID: jid, Kind: "ngo", Name: "T", CreatedAt: 1})
	}); err != nil {
		t.Fatal(err)
	}
	return aid
}

func TestUserAddPolicyAndResetMFA(t *testing.T) {
	ctx := context.Background()
	data, aid := dataWithAgency(t)

	add := func(pw string) (string, error) {
		e, out := userEnv(data, pw+"\n")
		err := runUser(ctx, e, []string{"add", "--username", "rita.k", "--name", "Rita Kumari", "--role", "case_worker", "--agency", aid, "--password-stdin"})
		return out.String(), err
	}
	// The password policy applies to passwords set from the command line.
	for _, bad := range []string{"short-pw", "password12345", "sunshine2024!", "rita-kumari-2024"} {
		if _, err := add(bad); !errs.Is(err, errs.Invalid) {
			t.Errorf("password %q: %v, want refused", bad, err)
		}
	}
	if out, err := add("violet tractor ledger 4 cups"); err != nil || !strings.Contains(out, "added") {
		t.Fatalf("add: %v %s", err, out)
	}
	// A generated password passes the policy and is shown once.
	e, out := userEnv(data, "")
	if err := runUser(ctx, e, []string{"add", "--username", "gen", "--name", "G", "--role", "analyst", "--agency", aid}); err != nil ||
		!strings.Contains(out.String(), "password (shown once): ") {
		t.Fatalf("add with generated password: %v %s", err, out)
	}

	// Give the user an authenticator, recovery codes and a session.
	db, err := store.Open(ctx, store.Options{Path: filepath.Join(data, "haven.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	u, err := db.UserByUsername(ctx, "rita.k")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if err := db.WriteBookkeeping(ctx, store.TestFixture, func(tx *store.Tx) error {
		if err := tx.PutPendingMFA(ctx, store.MFA{UserID: u.ID, WrappedKey: []byte("w"), Secret: []byte("s")}); err != nil {
			return err
		}
		if err := tx.ConfirmMFA(ctx, u.ID, 1); err != nil {
			return err
		}
		if err := tx.ReplaceRecoveryCodes(ctx, u.ID, [][]byte{store.HashToken("r")}); err != nil {
			return err
		}
		return tx.InsertSession(ctx, store.Session{TokenHash: store.HashToken("sess"), UserID: u.ID, CreatedAt: store.Millis(now),
			LastSeenAt: store.Millis(now), ExpiresAt: store.Millis(now.Add(time.Hour)), MFA: true})
	}); err != nil {
		t.Fatal(err)
	}
	e, out = userEnv(data, "")
	if err := runUser(ctx, e, []string{"list"}); err != nil || !strings.Contains(out.String(), "MFA") || !strings.Contains(out.String(), "totp") {
		t.Fatalf("list: %v\n%s", err, out)
	}

	e, out = userEnv(data, "")
	if err := runUser(ctx, e, []string{"reset-mfa", "--username", "rita.k"}); err != nil || !strings.Contains(out.String(), "removed") {
		t.Fatalf("reset-mfa: %v %s", err, out)
	}
	if has, _ := db.HasMFA(ctx, u.ID); has {
		t.Fatal("authenticator survived reset-mfa")
	}
	if n, _ := db.RecoveryCodesLeft(ctx, u.ID); n != 0 {
		t.Fatal("recovery codes survived reset-mfa")
	}
	if _, err := db.SessionByToken(ctx, "sess"); err == nil {
		t.Fatal("session survived reset-mfa")
	}
	found := false
	if err := db.EachAuditEvent(ctx, func(ev audit.Event) error {
		if ev.Action == "user.mfa_reset" && ev.ObjectID == u.ID && ev.Reason == "cli" {
			found = true
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if !found {
		t.Fatal("reset-mfa not audited")
	}
	e, _ = userEnv(data, "")
	if err := runUser(ctx, e, []string{"reset-mfa", "--username", "nobody"}); !errs.Is(err, errs.NotFound) {
		t.Fatalf("reset-mfa of an unknown user: %v", err)
	}
}

// TestUserCommandsIssueEnrolmentLinks: `haven user add` and `haven user
// reset-mfa` issue a one-time enrolment link, stored hashed: shown once
// without SMTP, e-mailed (and not shown) with it; a new link ends the
// earlier one.
func TestUserCommandsIssueEnrolmentLinks(t *testing.T) {
	ctx := context.Background()
	data, aid := dataWithAgency(t)
	linkRe := regexp.MustCompile(`https?://\S+/enrol/([A-Za-z0-9_-]{43})`)
	live := func(tok string) bool {
		db, err := store.Open(ctx, store.Options{Path: filepath.Join(data, "haven.db")})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		_, err = db.LiveEnrolLink(ctx, store.HashToken(tok), store.Millis(time.Now()))
		return err == nil
	}
	run := func(vars map[string]string, args ...string) string {
		t.Helper()
		var out bytes.Buffer
		e := env{stdin: strings.NewReader(""), stdout: &out, stderr: &out, getenv: func(k string) string {
			if k == "HAVEN_DATA_DIR" {
				return data
			}
			return vars[k]
		}}
		if err := runUser(ctx, e, args); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out.String())
		}
		return out.String()
	}

	// Without SMTP the administrator is shown the link once.
	out := run(nil, "add", "--username", "mina.t", "--name", "Mina T", "--role", "case_worker", "--agency", aid)
	m := linkRe.FindStringSubmatch(out)
	if m == nil || !strings.Contains(out, "shown once") {
		t.Fatalf("add without SMTP shows no enrolment link:\n%s", out)
	}
	first := m[1]
	if !live(first) {
		t.Fatal("the printed link is not stored (by its hash)")
	}
	// reset-mfa issues a new link and ends the earlier one.
	out = run(nil, "reset-mfa", "--username", "mina.t", "--link-valid", "24h")
	m = linkRe.FindStringSubmatch(out)
	if m == nil || m[1] == first {
		t.Fatalf("reset-mfa shows no new link:\n%s", out)
	}
	if live(first) || !live(m[1]) {
		t.Fatal("a new link did not replace the earlier one")
	}

	// With SMTP and an address, the link goes by e-mail only.
	srv := smtptest.Start(t, smtptest.Options{})
	vars := map[string]string{"HAVEN_SMTP_ADDR": srv.Addr(), "HAVEN_SMTP_FROM": "haven@example.org",
		"HAVEN_BASE_URL": "https://haven.example.org", "HAVEN_SMTP_STARTTLS": "false"}
	out = run(vars, "add", "--username", "sam.o", "--name", "Sam O", "--role", "competent_authority", "--agency", aid, "--email", "sam@example.org")
	if linkRe.MatchString(out) || !strings.Contains(out, "e-mailed") {
		t.Fatalf("with SMTP the link is shown, or not e-mailed:\n%s", out)
	}
	msgs := srv.Wait(1, 10*time.Second)
	if len(msgs) != 1 || len(msgs[0].To) != 1 || msgs[0].To[0] != "sam@example.org" {
		t.Fatalf("messages: %+v", msgs)
	}
	body := strings.ReplaceAll(string(msgs[0].Data), "=\r\n", "")
	m = regexp.MustCompile(`https://haven\.example\.org/enrol/([A-Za-z0-9_-]{43})`).FindStringSubmatch(body)
	if m == nil || !live(m[1]) {
		t.Fatalf("the e-mail holds no working link:\n%s", body)
	}
	if strings.Contains(body, "Sam O") || strings.Contains(body, "sam.o") {
		t.Fatal("the e-mail names the person")
	}
	// Audited, by delivery; never with the token.
	db, err := store.Open(ctx, store.Options{Path: filepath.Join(data, "haven.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	deliveries := map[string]int{}
	if err := db.EachAuditEvent(ctx, func(ev audit.Event) error {
		if ev.Action == "user.enrol_link" {
			deliveries[ev.Details["delivery"]]++
			for _, v := range ev.Details {
				if v == first || v == m[1] {
					t.Fatal("a token in the audit log")
				}
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if deliveries["shown"] != 2 || deliveries["email"] != 1 {
		t.Fatalf("audited deliveries %v, want 2 shown and 1 e-mailed", deliveries)
	}
}
