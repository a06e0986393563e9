package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/haven-nrm/haven/internal/store"
	"github.com/haven-nrm/haven/internal/testenv"
)

// binary is the haven program built once for the tests that run it as a
// separate process, as an operator would.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "haven-bin-")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "haven")
	out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "build haven: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type result struct {
	code           int
	stdout, stderr string
}

func haven(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), "HAVEN_DATABASE=", "HAVEN_DATA_DIR=")
	cmd.Stdin = strings.NewReader(stdin)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{code, o.String(), e.String()}
}

func TestHelpListsCommands(t *testing.T) {
	r := haven(t, "", "help")
	for _, c := range []string{"serve", "demo", "migrate", "version", "bench", "user", "stats"} {
		if r.code != 0 || !strings.Contains(r.stdout, "  "+c) {
			t.Fatalf("help lacks %s (exit %d):\n%s", c, r.code, r.stdout)
		}
	}
	if r := haven(t, "", "version"); r.code != 0 || !strings.HasPrefix(r.stdout, "haven ") {
		t.Fatalf("version: %+v", r)
	}
}

// snapshot lists a folder's files and their contents.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	m := map[string]string{}
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(p)
			m[p] = string(b)
		}
		return nil
	})
	return m
}

func sameFiles(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestBadInputChangesNothing(t *testing.T) {
	// Unknown flags and commands: usage error, exit 2.
	if r := haven(t, "", "serve", "--no-such-flag"); r.code != 2 || !strings.Contains(r.stderr, "no-such-flag") {
		t.Errorf("unknown flag: %+v", r)
	}
	if r := haven(t, "", "frobnicate"); r.code != 2 || !strings.Contains(r.stderr, "unknown command") {
		t.Errorf("unknown command: %+v", r)
	}

	// An unreachable database: one message, exit 1, nothing created.
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	r := haven(t, "", "migrate", "--data", data, "--db", "postgres://haven:s3cret-pass@127.0.0.1:1/haven?sslmode=disable&connect_timeout=2")
	if r.code != 1 || !strings.Contains(r.stderr, "cannot reach the PostgreSQL database") {
		t.Errorf("unreachable database: %+v", r)
	}
	if strings.Contains(r.stderr, "s3cret-pass") {
		t.Error("the database password appears in the error")
	}
	if _, err := os.Stat(data); err == nil {
		t.Error("data folder created for an unreachable database")
	}

	// A corrupt SQLite file is reported and left as it was.
	corrupt := filepath.Join(dir, "corrupt")
	os.MkdirAll(corrupt, 0o700)
	os.WriteFile(filepath.Join(corrupt, "haven.db"), bytes.Repeat([]byte("garbage!"), 1000), 0o600)
	before := snapshot(t, corrupt)
	for _, cmd := range []string{"migrate", "serve"} {
		r = haven(t, "", cmd, "--data", corrupt, "--listen", "127.0.0.1:0")
		if r.code != 1 || !strings.Contains(r.stderr, "not a SQLite database") || strings.Count(strings.TrimSpace(r.stderr), "\n") > 0 {
			t.Errorf("%s on a corrupt file: %+v", cmd, r)
		}
	}
	if !sameFiles(before, snapshot(t, corrupt)) {
		t.Error("the corrupt database folder changed")
	}

	// A database from a newer Haven is refused without change.
	newer := filepath.Join(dir, "newer")
	if r := haven(t, "", "migrate", "--data", newer); r.code != 0 {
		t.Fatalf("migrate: %+v", r)
	}
	db, err := sql.Open("sqlite", filepath.Join(newer, "haven.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'from_the_future', 0)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	before = snapshot(t, newer)
	r = haven(t, "", "serve", "--data", newer, "--listen", "127.0.0.1:0")
	if r.code != 1 || !strings.Contains(r.stderr, "schema is at version 9999") {
		t.Errorf("newer schema: %+v", r)
	}
	if !sameFiles(before, snapshot(t, newer)) {
		t.Error("the newer database changed")
	}

	// A port in use: one message, nothing created.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	fresh := filepath.Join(dir, "fresh")
	r = haven(t, "", "serve", "--data", fresh, "--listen", ln.Addr().String())
	if r.code != 1 || !strings.Contains(r.stderr, "cannot listen") {
		t.Errorf("port in use: %+v", r)
	}
	if _, err := os.Stat(fresh); err == nil {
		t.Error("data folder created although the port was in use")
	}
}

// server is a haven serve process.
type server struct {
	cmd    *exec.Cmd
	url    string
	stderr *testenv.SyncBuffer
}

func freePort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func startServer(t *testing.T, args ...string) *server {
	t.Helper()
	addr := freePort(t)
	cmd := exec.Command(binary, append([]string{"serve", "--listen", addr}, args...)...)
	cmd.Env = append(os.Environ(), "HAVEN_DATABASE=", "HAVEN_DATA_DIR=")
	s := &server{cmd: cmd, url: "http://" + addr, stderr: &testenv.SyncBuffer{}}
	cmd.Stderr = s.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	return s
}

func (s *server) waitReady(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(s.url + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("server %s not ready; log:\n%s", s.url, s.stderr.String())
}

// fetch sends req with c and returns the response's status and body.
func fetch(t *testing.T, c *http.Client, req *http.Request) (int, string) {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

// getPage fetches url with c and returns the status and the body.
func getPage(t *testing.T, c *http.Client, url string) (int, string) {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return fetch(t, c, req)
}

// Graceful shutdown: a request in flight when the stop signal arrives is
// answered, then the process exits 0 and the database is closed cleanly.
func TestGracefulShutdown(t *testing.T) {
	data := t.TempDir()
	s := startServer(t, "--data", data)
	s.waitReady(t)
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	body := "username=someone&password=something"
	fmt.Fprintf(conn, "POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n%s", len(body), body[:10])
	time.Sleep(200 * time.Millisecond)
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	fmt.Fprint(conn, body[10:])
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	reply, _ := io.ReadAll(io.LimitReader(conn, 1<<20))
	if !bytes.HasPrefix(reply, []byte("HTTP/1.1 401")) {
		t.Fatalf("in-flight request not answered: %.200q", reply)
	}
	if err := s.cmd.Wait(); err != nil {
		t.Fatalf("exit after SIGTERM: %v\n%s", err, s.stderr.String())
	}
	if !strings.Contains(s.stderr.String(), `"msg":"haven stopped"`) {
		t.Fatal("no clean stop logged")
	}
	if _, err := os.Stat(filepath.Join(data, "haven.db-wal")); err == nil {
		t.Fatal("WAL file left behind: database not closed cleanly")
	}
}

// Two processes on one PostgreSQL database race to migrate at start-up;
// each migration applies once, and what one writes the other serves.
func TestTwoProcessesShareOnePostgres(t *testing.T) {
	dsn := testenv.PostgresDSN(t)
	testenv.Ran(t, "postgres")
	// Replicas share the key files, as a deployment shares them. The
	// account signs in with a password only.
	t.Setenv("HAVEN_MFA_REQUIRED", "false")
	keys := t.TempDir()
	a := startServer(t, "--db", dsn, "--data", keys)
	b := startServer(t, "--db", dsn, "--data", keys)
	a.waitReady(t)
	b.waitReady(t)
	ctx := context.Background()
	db, err := store.Open(ctx, store.Options{DSN: dsn})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	versions, err := db.AppliedMigrations(ctx)
	ms, _ := store.Migrations()
	if err != nil || len(versions) != len(ms) {
		t.Fatalf("migrations %v, %v; want each of 1…%d once", versions, err, store.LatestVersion())
	}
	// An agency to hold an account, then the account through the CLI.
	aid := seedAgency(t, db)
	pw := "a long test password 123"
	if r := haven(t, pw+"\n", "user", "add", "--db", dsn, "--data", keys, "--username", "shared", "--name", "Shared Person", "--role", "case_worker", "--agency", aid, "--password-stdin"); r.code != 0 {
		t.Fatalf("user add: %+v", r)
	}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.PostForm(a.url+"/login", url.Values{"username": {"shared"}, "password": {pw}})
	if err != nil || resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login on A: %v %v", resp.StatusCode, err)
	}
	resp.Body.Close()
	// The session written by A is honoured by B.
	ua, _ := url.Parse(a.url)
	req, _ := http.NewRequest("GET", b.url+"/", nil)
	for _, ck := range jar.Cookies(ua) {
		req.AddCookie(ck)
	}
	if code, page := fetch(t, http.DefaultClient, req); code != 200 || !strings.Contains(page, "Shared Person") {
		t.Fatalf("B does not serve A's session: %d", code)
	}
	// A language chosen through B is what A serves.
	req, _ = http.NewRequest("POST", b.url+"/language", strings.NewReader("lang=mn&return=/"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for _, ck := range jar.Cookies(ua) {
		req.AddCookie(ck)
	}
	resp, err = c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if _, page := getPage(t, c, a.url+"/"); !strings.Contains(page, `lang="mn"`) {
		t.Fatal("A does not serve the language written through B")
	}
}

func TestDemoAndBenchRun(t *testing.T) {
	data := filepath.Join(t.TempDir(), "demo")
	r := haven(t, "", "demo", "--data", data, "--cases", "50", "--seed", "3", "--no-serve")
	if r.code != 0 || !strings.Contains(r.stdout, "demo.system_admin") || !strings.Contains(r.stdout, "synthetic") {
		t.Fatalf("demo: %+v", r)
	}
	// The demo refuses a folder that already holds a database.
	if r := haven(t, "", "demo", "--data", data, "--no-serve"); r.code != 1 || !strings.Contains(r.stderr, "fresh") {
		t.Fatalf("demo on an existing database: %+v", r)
	}
	r = haven(t, "", "bench", "--duration", "300ms", "--concurrency", "2", "--json")
	if r.code != 0 || !strings.Contains(r.stdout, `"haven_create_case/raw_insert"`) {
		t.Fatalf("bench: %+v", r)
	}
	// The statistics bench on the demo: every path beside its raw query,
	// each checked against its target.
	r = haven(t, "", "bench", "--stats", "--data", data, "--duration", "300ms", "--concurrency", "2", "--json")
	if r.code != 0 || !strings.Contains(r.stdout, `"haven_release_5_tables_time/raw_group_by_release_time"`) ||
		!strings.Contains(r.stdout, `"name": "statistics page p99 at 2 clients"`) || strings.Count(r.stdout, `"met":`) != 4 {
		t.Fatalf("bench --stats: %+v", r)
	}
}

// TestDemoPasswordsAreRandomPerInstallation: the seed decides the data, not
// the credentials. Two demos with one seed have the same accounts and
// counts but different passwords, each printed once and kept in an
// owner-only file of the data folder.
func TestDemoPasswordsAreRandomPerInstallation(t *testing.T) {
	var runs []map[string]string
	var heads []string
	for i := 0; i < 2; i++ {
		data := filepath.Join(t.TempDir(), "demo")
		r := haven(t, "", "demo", "--data", data, "--cases", "20", "--seed", "3", "--no-serve")
		if r.code != 0 {
			t.Fatalf("demo: %+v", r)
		}
		pw := map[string]string{}
		for _, m := range regexp.MustCompile(`(?m)^\S+\s+(demo\.\S+)\s+(\S+)$`).FindAllStringSubmatch(r.stdout, -1) {
			pw[m[1]] = m[2]
		}
		if len(pw) < 10 {
			t.Fatalf("demo printed %d accounts", len(pw))
		}
		runs = append(runs, pw)
		heads = append(heads, regexp.MustCompile(`Created .*`).FindString(r.stdout))
		file := filepath.Join(data, "demo-credentials.txt")
		st, err := os.Stat(file)
		if err != nil {
			t.Fatalf("no credentials file: %v", err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Fatalf("credentials file mode %v, want 0600", st.Mode().Perm())
		}
		if !strings.Contains(r.stdout, file) {
			t.Fatal("the demo does not say where the credentials file is")
		}
		b, _ := os.ReadFile(file)
		for u, p := range pw {
			if !regexp.MustCompile(`(?m)^\S+\s+` + regexp.QuoteMeta(u) + `\s+` + regexp.QuoteMeta(p) + `$`).Match(b) {
				t.Fatalf("credentials file lacks %s", u)
			}
		}
	}
	if heads[0] != heads[1] {
		t.Fatalf("the same seed gave different data:\n%s\n%s", heads[0], heads[1])
	}
	for u, p := range runs[0] {
		q, ok := runs[1][u]
		if !ok {
			t.Fatalf("the same seed gave different accounts: %s missing", u)
		}
		if p == q {
			t.Fatalf("%s has the same password in two installations", u)
		}
	}
}
