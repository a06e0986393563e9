package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/haven-nrm/haven/internal/audit"
	"github.com/haven-nrm/haven/internal/config"
	"github.com/haven-nrm/haven/internal/store"
)

// check is one finding of haven doctor: ok, warn or fail, and what to do.
type check struct {
	Name   string `json:"name"`
	Status string `json:"status"`
	Detail string `json:"detail"`
	Fix    string `json:"fix,omitempty"`
}

const (
	checkOK   = "ok"
	checkWarn = "warn"
	checkFail = "fail"
)

// errChecksFailed makes doctor exit non-zero once its report is printed.
var errChecksFailed = errors.New("some checks failed; see above")

// runDoctor checks a deployment with the service's own settings and says
// what to fix. It changes nothing but the audit event that proves the
// database takes writes.
func runDoctor(ctx context.Context, e env, args []string) error {
	fs, c, err := configFlags("doctor", e)
	if err != nil {
		return err
	}
	var asJSON bool
	fs.BoolVar(&asJSON, "json", false, "print the checks as JSON")
	if err := parseCommand(fs, c, args); err != nil {
		return err
	}
	checks := doctor(ctx, c, time.Now)
	failed := false
	for _, ch := range checks {
		failed = failed || ch.Status == checkFail
	}
	if asJSON {
		if err := json.NewEncoder(e.stdout).Encode(checks); err != nil {
			return err
		}
	} else {
		for _, ch := range checks {
			fmt.Fprintf(e.stdout, "%-4s  %-16s %s\n", strings.ToUpper(ch.Status), ch.Name, ch.Detail)
			if ch.Fix != "" {
				fmt.Fprintf(e.stdout, "      %-16s fix: %s\n", "", ch.Fix)
			}
		}
	}
	if failed {
		return errChecksFailed
	}
	return nil
}

// doctor runs every check.
func doctor(ctx context.Context, c *config.Config, now func() time.Time) []check {
	var out []check
	add := func(name, status, detail, fix string) { out = append(out, check{name, status, detail, fix}) }

	// The data folder and the key files: present, readable by the service
	// user only.
	if !c.IsPostgres() {
		out = append(out, privateFile("data folder", c.DataDir, true, "create it as the service user: install -d -m 0700 "+c.DataDir))
	}
	if c.MasterKeyFromEnv() != "" {
		add("master key", checkWarn, "held in HAVEN_MASTER_KEY", "prefer a file (--master-key-file) readable only by the service user: the environment shows in process listings of the same user")
	} else {
		out = append(out, privateFile("master key", c.MasterKeyPath(), false, "restore it from its offline copy (docs/OPERATIONS.md, key custody); without it sealed fields cannot be read"))
	}
	out = append(out, privateFile("audit key", c.AuditKeyPath(), false, "restore it from its offline copy; a new key cannot sign for the old one"))

	// The public address.
	switch u, err := url.Parse(c.BaseURL); {
	case c.BaseURL == "":
		add("base url", checkFail, "not set: links in e-mails and invitations name the listening address", "set --base-url https://… (HAVEN_BASE_URL)")
	case err != nil || u.Scheme != "https" || u.Host == "":
		add("base url", checkFail, c.BaseURL+" is not an https address: cookies are not marked secure", "serve behind a TLS proxy and set --base-url https://…")
	default:
		add("base url", checkOK, c.BaseURL, "")
	}

	// The SMTP relay.
	if c.SMTPAddr == "" {
		add("smtp", checkWarn, "not set: invitation links are shown to the administrator instead of e-mailed, and no alerts are sent", "set --smtp-addr and --smtp-from to send them")
	} else if conn, err := (&net.Dialer{Timeout: 5 * time.Second}).DialContext(ctx, "tcp", c.SMTPAddr); err != nil {
		add("smtp", checkFail, c.SMTPAddr+" cannot be reached", "check the relay's address and the firewall")
	} else {
		conn.Close()
		add("smtp", checkOK, c.SMTPAddr+" answers", "")
	}

	// The clock: deadlines are counted from it.
	if t := now(); t.Year() < 2025 || t.Year() > 2100 {
		add("clock", checkFail, "the system clock reads "+t.UTC().Format(time.RFC3339), "synchronise it (systemd-timesyncd, chrony): deadlines are counted from it")
	}

	// The database: reachable, migrations current, takes writes.
	if !c.IsPostgres() {
		if _, err := os.Stat(c.SQLitePath()); err != nil {
			add("database", checkFail, "no database at "+c.SQLitePath(), "run haven migrate (and haven init) with these settings")
			return out
		}
	}
	db, err := openDB(ctx, c, false)
	if err != nil {
		add("database", checkFail, "cannot be opened: "+userMessage(err), "check --database / --data and that the service user may read and write it")
		return out
	}
	defer db.Close()
	v, err := db.SchemaVersion(ctx)
	switch {
	case err != nil:
		add("migrations", checkFail, "the schema version cannot be read", "check the database")
	case v < store.LatestVersion():
		add("migrations", checkWarn, fmt.Sprintf("schema %d, this haven has %d", v, store.LatestVersion()), "haven serve applies them at start; or run haven migrate")
	case v > store.LatestVersion():
		add("migrations", checkFail, fmt.Sprintf("schema %d is newer than this haven (%d)", v, store.LatestVersion()), "run the newer haven binary")
	default:
		add("migrations", checkOK, fmt.Sprintf("schema %d is current", v), "")
	}
	if v > store.LatestVersion() {
		return out
	}
	if err := db.Write(ctx, func(tx *store.Tx) error {
		return tx.Audit(ctx, audit.Event{Action: "instance.doctor", Reason: "cli"})
	}); err != nil {
		add("database", checkFail, "does not take writes: "+userMessage(err), "check free space and the file's or role's permissions")
	} else {
		add("database", checkOK, "takes writes", "")
	}
	// The clock against the newest audit event: a clock that went back
	// would put new events before old ones.
	if evs, err := db.AuditEvents(ctx, store.AuditFilter{Limit: 2}); err == nil && len(evs) > 1 {
		if last := time.UnixMilli(evs[1].At); last.After(now().Add(5 * time.Minute)) {
			add("clock", checkFail, "the audit log has an event at "+last.UTC().Format(time.RFC3339)+", after the clock's time", "synchronise the clock")
		} else {
			add("clock", checkOK, "agrees with the audit log", "")
		}
	}
	if counts, err := db.Counts(ctx); err == nil && counts.Users == 0 {
		add("accounts", checkFail, "no account exists: nobody can sign in", "run haven init (docs/OPERATIONS.md, first run)")
	} else if err == nil {
		add("accounts", checkOK, fmt.Sprintf("%d accounts, %d agencies, %d jurisdictions", counts.Users, counts.Agencies, counts.Jurisdictions), "")
	}
	return out
}

// privateFile checks that path exists and that neither its group nor
// others may read it (nor enter it, for a folder).
func privateFile(name, path string, dir bool, fixMissing string) check {
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return check{name, checkFail, path + " is missing", fixMissing}
	}
	if err != nil {
		return check{name, checkFail, path + " cannot be read by this user", "run haven doctor as the service user, and give the file to it"}
	}
	if fi.IsDir() != dir {
		return check{name, checkFail, path + " is not a " + map[bool]string{true: "folder", false: "file"}[dir], ""}
	}
	if fi.Mode().Perm()&0o077 != 0 {
		mode := "0600"
		if dir {
			mode = "0700"
		}
		return check{name, checkFail, fmt.Sprintf("%s has mode %04o: others may read it", path, fi.Mode().Perm()),
			"chmod " + mode + " " + filepath.Clean(path)}
	}
	if !dir {
		if f, err := os.Open(path); err != nil {
			return check{name, checkFail, path + " cannot be read by this user", "give it to the service user"}
		} else {
			f.Close()
		}
	}
	return check{name, checkOK, fmt.Sprintf("%s (mode %04o)", path, fi.Mode().Perm()), ""}
}
