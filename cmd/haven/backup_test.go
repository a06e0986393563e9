package main

import (
	"bytes"
	"compress/gzip"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/haven-nrm/haven/internal/audit"
	"github.com/haven-nrm/haven/internal/testenv"
)

// copyKeys puts an instance's key files into another data folder, as an
// operator restores them from their own, separate backup.
func copyKeys(t *testing.T, from, to string) {
	t.Helper()
	if err := os.MkdirAll(to, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"master.key", "audit-signing.key"} {
		b, err := os.ReadFile(filepath.Join(from, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// The documented procedure, run as an operator would: back up a serving
// instance, check the file, restore it elsewhere, put the keys in place
// and verify the audit chain; damaged files and non-empty targets are
// refused with one line and exit 1.
func TestBackupAndRestoreCommands(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	if r := haven(t, "", "demo", "--data", src, "--cases", "40", "--seed", "5", "--no-serve"); r.code != 0 {
		t.Fatalf("demo: %+v", r)
	}
	s := startServer(t, "--data", src)
	s.waitReady(t)

	file := filepath.Join(dir, "instance.backup")
	r := haven(t, "", "backup", "--data", src, "--out", file)
	if r.code != 0 || !strings.Contains(r.stdout, "rows in") || !strings.Contains(r.stdout, "not in the backup") {
		t.Fatalf("backup while serving: %+v", r)
	}
	if fi, err := os.Stat(file); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("backup file: %v %v", fi, err)
	}
	if resp, err := http.Get(s.url + "/readyz"); err != nil || resp.StatusCode != 200 {
		t.Fatalf("the server is not ready after the backup: %v", err)
	} else {
		resp.Body.Close()
	}
	if r := haven(t, "", "backup", "--data", src, "--out", file); r.code != 1 || !strings.Contains(r.stderr, "already exists") {
		t.Errorf("backup over an existing file: %+v", r)
	}
	if r := haven(t, "", "backup", "--data", src); r.code != 2 {
		t.Errorf("backup without --out: %+v", r)
	}
	if r := haven(t, "", "backup", "--data", filepath.Join(dir, "nowhere"), "--out", filepath.Join(dir, "x.backup")); r.code != 1 || !strings.Contains(r.stderr, "does not exist") {
		t.Errorf("backup of a missing database: %+v", r)
	}
	if _, err := os.Stat(filepath.Join(dir, "nowhere")); err == nil {
		t.Error("a backup of a missing database created its folder")
	}
	if r := haven(t, "", "restore", "--data", src, "--in", file, "--check"); r.code != 0 || !strings.Contains(r.stdout, "signature verifies") {
		t.Errorf("check: %+v", r)
	}
	// The audit key that checks the signature is the instance's, so it is
	// needed before anything else.
	ak := "--audit-key-file=" + filepath.Join(src, "audit-signing.key")
	if r := haven(t, "", "restore", "--in", file, "--check", "--data", filepath.Join(dir, "nokeys")); r.code == 0 || !strings.Contains(r.stderr, "audit signing key") {
		t.Errorf("check without the audit key: %+v", r)
	}

	dst := filepath.Join(dir, "dst")
	r = haven(t, "", "restore", "--data", dst, ak, "--in", file)
	if r.code != 0 || !strings.Contains(r.stdout, "restored") || !strings.Contains(r.stdout, "key files") {
		t.Fatalf("restore: %+v", r)
	}
	if r := haven(t, "", "restore", "--data", dst, ak, "--in", file); r.code != 1 || !strings.Contains(r.stderr, "not empty") || strings.Count(strings.TrimSpace(r.stderr), "\n") > 0 {
		t.Errorf("restore into a restored database: %+v", r)
	}
	copyKeys(t, src, dst)
	if r := haven(t, "", "audit", "verify", "--data", dst); r.code != 0 || !strings.Contains(r.stdout, "audit chain OK") {
		t.Errorf("audit verify of the restored copy: %+v", r)
	}

	// Through a pipe, as when the file is encrypted on the way.
	piped := haven(t, "", "backup", "--data", src, "--out", "-")
	if piped.code != 0 || !strings.Contains(piped.stderr, "written to -") {
		t.Fatalf("backup to standard output: code %d, %s", piped.code, piped.stderr)
	}
	if r := haven(t, piped.stdout, "restore", "--data", filepath.Join(dir, "piped"), ak, "--in", "-"); r.code != 0 || !strings.Contains(r.stdout, "restored") {
		t.Errorf("restore from standard input: %+v", r)
	}

	// A damaged file: refused before any database is opened.
	whole, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	cut := filepath.Join(dir, "cut.backup")
	os.WriteFile(cut, whole[:len(whole)/2], 0o600)
	flipped := filepath.Join(dir, "flipped.backup")
	whole[len(whole)/3] ^= 0x01
	os.WriteFile(flipped, whole, 0o600)
	for _, bad := range []string{cut, flipped} {
		target := filepath.Join(dir, "never")
		r := haven(t, "", "restore", "--data", target, ak, "--in", bad)
		if r.code != 1 || !strings.Contains(r.stderr, "damaged") || strings.Count(strings.TrimSpace(r.stderr), "\n") > 0 {
			t.Errorf("restore of %s: %+v", filepath.Base(bad), r)
		}
		if _, err := os.Stat(target); err == nil {
			t.Errorf("restore of %s created the target folder", filepath.Base(bad))
		}
		if r := haven(t, "", "restore", ak, "--in", bad, "--check"); r.code != 1 {
			t.Errorf("check of %s: %+v", filepath.Base(bad), r)
		}
	}
	// An edited row whose SHA-256 is recomputed, and a backup checked with
	// another instance's key, are refused by restore and --check alike;
	// an unsigned (format 1) file only with --allow-unsigned, loudly.
	edited, unsigned := editBackup(t, file, dir)
	other := filepath.Join(dir, "other")
	if r := haven(t, "", "demo", "--data", other, "--cases", "2", "--seed", "6", "--no-serve"); r.code != 0 {
		t.Fatalf("demo: %+v", r)
	}
	otherKey := "--audit-key-file=" + filepath.Join(other, "audit-signing.key")
	for _, c := range []struct {
		name, file, key, want string
	}{
		{"edited and resealed", edited, ak, "signature"},
		{"another instance's key", file, otherKey, "signature"},
		{"unsigned", unsigned, ak, "unsigned"},
	} {
		target := filepath.Join(dir, "refused-"+strings.ReplaceAll(c.name, " ", "-"))
		if r := haven(t, "", "restore", "--data", target, c.key, "--in", c.file); r.code != 1 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("restore of the %s file: %+v", c.name, r)
		}
		if r := haven(t, "", "restore", c.key, "--in", c.file, "--check"); r.code != 1 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("check of the %s file: %+v", c.name, r)
		}
	}
	if r := haven(t, "", "restore", ak, "--in", unsigned, "--check", "--allow-unsigned"); r.code != 0 || !strings.Contains(r.stderr, "UNSIGNED") {
		t.Errorf("check of an unsigned file allowed: %+v", r)
	}
	pub := publicKeyHex(t, filepath.Join(src, "audit-signing.key"))
	if r := haven(t, "", "restore", "--in", file, "--check", "--public-key", pub, "--data", filepath.Join(dir, "nokeys")); r.code != 0 {
		t.Errorf("check with the public key alone: %+v", r)
	}
	if r := haven(t, "", "restore", "--in", edited, "--check", "--public-key", pub, "--data", filepath.Join(dir, "nokeys")); r.code != 1 {
		t.Errorf("check of the edited file with the public key alone: %+v", r)
	}

	// Bad input through a pipe is caught as it is read, and nothing stays.
	half := string(whole[:len(whole)/2])
	if r := haven(t, half, "restore", "--data", filepath.Join(dir, "halfpipe"), ak, "--in", "-"); r.code != 1 || !strings.Contains(r.stderr, "damaged") {
		t.Errorf("restore of a cut stream: %+v", r)
	}
	if r := haven(t, "", "restore", "--data", filepath.Join(dir, "halfpipe"), ak, "--in", file); r.code != 0 {
		t.Errorf("restore after a refused stream: %+v", r)
	}
}

// A SQLite instance moves to PostgreSQL and back through backup files.
func TestRestoreCommandAcrossEngines(t *testing.T) {
	dsn := testenv.PostgresDSN(t)
	testenv.Ran(t, "postgres")
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	if r := haven(t, "", "demo", "--data", src, "--cases", "30", "--seed", "9", "--no-serve"); r.code != 0 {
		t.Fatalf("demo: %+v", r)
	}
	file := filepath.Join(dir, "sqlite.backup")
	if r := haven(t, "", "backup", "--data", src, "--out", file); r.code != 0 {
		t.Fatalf("backup: %+v", r)
	}
	// The PostgreSQL instance keeps its keys in its own data folder.
	pgData := filepath.Join(dir, "pg")
	copyKeys(t, src, pgData)
	r := haven(t, "", "restore", "--db", dsn, "--data", pgData, "--in", file)
	if r.code != 0 || !strings.Contains(r.stdout, "restored") || strings.Contains(r.stdout, "key files") {
		t.Fatalf("restore into PostgreSQL: %+v", r)
	}
	if r := haven(t, "", "audit", "verify", "--db", dsn, "--data", pgData); r.code != 0 || !strings.Contains(r.stdout, "audit chain OK") {
		t.Fatalf("audit verify on PostgreSQL: %+v", r)
	}
	back := filepath.Join(dir, "postgres.backup")
	if r := haven(t, "", "backup", "--db", dsn, "--data", pgData, "--out", back); r.code != 0 {
		t.Fatalf("backup of PostgreSQL: %+v", r)
	}
	again := filepath.Join(dir, "again")
	copyKeys(t, src, again)
	if r := haven(t, "", "restore", "--data", again, "--in", back); r.code != 0 {
		t.Fatalf("restore into SQLite: %+v", r)
	}
	if r := haven(t, "", "audit", "verify", "--data", again); r.code != 0 || !strings.Contains(r.stdout, "audit chain OK") {
		t.Fatalf("audit verify after the round trip: %+v", r)
	}
	users := func(args ...string) string {
		r := haven(t, "", append([]string{"user", "list"}, args...)...)
		if r.code != 0 {
			t.Fatalf("user list: %+v", r)
		}
		return r.stdout
	}
	if a, b := users("--data", src), users("--data", again); a != b {
		t.Errorf("accounts differ after SQLite → PostgreSQL → SQLite:\n%s\n%s", a, b)
	}
}

// editBackup writes two altered copies of a backup: one with a case's
// trafficking status changed and the SHA-256 recomputed (the signature
// left as it was), and one rewritten as an unsigned format 1 file.
func editBackup(t *testing.T, file, dir string) (edited, unsigned string) {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.Split(bytes.TrimSuffix(raw, []byte("\n")), []byte("\n"))
	write := func(name string, lines [][]byte, trailer func(map[string]any)) string {
		last := len(lines) - 1
		var tr map[string]map[string]any
		if err := json.Unmarshal(lines[last], &tr); err != nil {
			t.Fatal(err)
		}
		h := sha256.New()
		for _, l := range lines[:last] {
			h.Write(l)
			h.Write([]byte("\n"))
		}
		tr["trailer"]["sha256"] = hex.EncodeToString(h.Sum(nil))
		trailer(tr["trailer"])
		lines[last], _ = json.Marshal(tr)
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Write(append(bytes.Join(lines, []byte("\n")), '\n'))
		zw.Close()
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	from, to := []byte(`"PossibleVictimOfTrafficking"`), []byte(`"ConfirmedVictimOfTrafficking"`)
	e := slices.Clone(lines)
	i := slices.IndexFunc(e, func(l []byte) bool { return len(l) > 0 && l[0] == '[' && bytes.Contains(l, from) })
	if i < 0 {
		t.Fatal("no case row to edit")
	}
	e[i] = bytes.Replace(slices.Clone(e[i]), from, to, 1)
	edited = write("edited.backup", e, func(map[string]any) {})
	u := slices.Clone(lines)
	u[0] = bytes.Replace(slices.Clone(u[0]), []byte(`"version":2`), []byte(`"version":1`), 1)
	unsigned = write("unsigned.backup", u, func(tr map[string]any) { delete(tr, "signature"); delete(tr, "key_id") })
	return edited, unsigned
}

// publicKeyHex reads an audit key file and returns its public key in hex.
func publicKeyHex(t *testing.T, path string) string {
	t.Helper()
	priv, _, err := audit.LoadOrCreateSigningKey(path)
	if err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(priv.Public().(ed25519.PublicKey))
}
