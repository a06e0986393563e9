package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/haven-nrm/haven/internal/testenv"
)

// Distinctive values that must never appear in clear outside the pages
// that show them to authorised users.
var canaries = []string{"Qzxcanaryname", "Vowlcanaryfamily", "QZX-CANARY-7731", "77 Canarylane Qzxroad"}

// scanFiles reports which canaries (as written, lower-cased or
// upper-cased) appear in any file under dir.
func scanFiles(t *testing.T, dir string) (files int, size int64, found []string) {
	t.Helper()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !d.Type().IsRegular() {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return nil // sockets, lock files the server holds
		}
		files++
		size += int64(len(b))
		for _, c := range canaries {
			for _, v := range []string{c, strings.ToLower(c), strings.ToUpper(c)} {
				if bytes.Contains(b, []byte(v)) {
					found = append(found, fmt.Sprintf("%s in %s", v, p))
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files, size, found
}

// The scanner must find what it looks for, or the test proves nothing.
func TestCanaryScannerFindsPlaintext(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "x"), []byte("prefix "+strings.ToLower(canaries[2])+" suffix"), 0o600)
	if _, _, found := scanFiles(t, dir); len(found) != 1 {
		t.Fatalf("scanner found %v", found)
	}
}

func containsCanary(s string) []string {
	var out []string
	for _, c := range canaries {
		if strings.Contains(strings.ToLower(s), strings.ToLower(c)) {
			out = append(out, c)
		}
	}
	return out
}

// The canary test writes distinctive identifying values through the
// application — the JSON API and the web form — reads them back as an
// authorised user, backs the database up, and then scans the bytes of the
// database files (including the WAL), the backup, the logs and the metrics:
// the values must be nowhere in clear.
func TestCanaryNeverInClear(t *testing.T) {
	for _, e := range testenv.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			data := t.TempDir()
			args := []string{"--data", data}
			var dsn string
			if e.Name == "postgres" {
				dsn = testenv.PostgresDSN(t)
				testenv.Ran(t, "postgres")
				args = append(args, "--db", dsn)
			}
			pw := demoPasswords(t, args...)
			t.Setenv("HAVEN_MFA_REQUIRED", "false")
			s := startServer(t, append(args, "--log-level", "debug")...)
			s.waitReady(t)
			fr := signedIn(t, s.url, "demo.first_responder", pw["demo.first_responder"])
			body := fmt.Sprintf(`{"sector":"health","age":33,"acts":["recruitment"],"means":["fraud"],"purposes":["forced_labour"],
				"consent":"given","consent_language":"th","identity":{"given_name":%q,"family_name":%q,"document_number":%q,"address":%q,
				"narrative":"%s met %s"}}`, canaries[0], canaries[1], canaries[2], canaries[3], canaries[0], canaries[3])
			req, _ := http.NewRequest("POST", s.url+"/api/v1/referrals", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			resp, err := fr.Do(req)
			if err != nil || resp.StatusCode != 201 {
				t.Fatalf("API referral: %v %v", resp.StatusCode, err)
			}
			var created struct {
				CaseID string `json:"case_id"`
			}
			_ = json.NewDecoder(resp.Body).Decode(&created)
			resp.Body.Close()
			resp, err = fr.PostForm(s.url+"/referrals/new", url.Values{"action": {"refer"}, "sector": {"health"}, "age": {"12"},
				"acts": {"recruitment"}, "purposes": {"forced_labour"}, "given_name": {canaries[0]}, "document_number": {canaries[2]},
				"address": {canaries[3]}, "idempotency_key": {"canary-form"}})
			if err != nil || resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("form referral: %v %v", resp.StatusCode, err)
			}
			resp.Body.Close()
			// An authorised user reads them back: the values are served, so
			// decryption happened, and must still not leak anywhere else.
			ca := signedIn(t, s.url, "demo.competent_authority", pw["demo.competent_authority"])
			_, queue := getPage(t, ca, s.url+"/referrals")
			shown := 0
			for _, id := range caseLinks(queue) {
				_, page := getPage(t, ca, s.url+"/referrals/"+id)
				for _, cid := range caseIDs(page) {
					if _, cp := getPage(t, ca, s.url+"/cases/"+cid); strings.Contains(cp, canaries[0]) {
						shown++
					}
				}
			}
			if shown != 2 {
				t.Fatalf("the authority saw the identity on %d case pages, want 2", shown)
			}
			// The police, to whom the case is referred, charge a suspect
			// under a coded provision with a note that holds a canary, and
			// read it back.
			police := signedIn(t, s.url, "demo.police_investigator", pw["demo.police_investigator"])
			chargeWithNote(t, s.url, ca, police, created.CaseID, canaries[0]+" at "+canaries[3])
			_, metrics := getPage(t, http.DefaultClient, s.url+"/metrics")
			// While the server runs the WAL holds the newest pages.
			_, _, liveFound := scanFiles(t, data)
			backupFile := filepath.Join(t.TempDir(), "haven.backup")
			if r := haven(t, "", append([]string{"backup", "--out", backupFile}, args...)...); r.code != 0 {
				t.Fatalf("backup: %+v", r)
			}
			s.cmd.Process.Signal(syscall.SIGTERM)
			s.cmd.Wait()

			var leaks []string
			for _, c := range containsCanary(s.stderr.String()) {
				leaks = append(leaks, "log: "+c)
			}
			for _, c := range containsCanary(metrics) {
				leaks = append(leaks, "metrics: "+c)
			}
			files, size, found := scanFiles(t, data)
			leaks = append(leaks, found...)
			leaks = append(leaks, liveFound...)
			bf, bs, found := scanFiles(t, filepath.Dir(backupFile))
			leaks = append(leaks, found...)
			files, size = files+bf, size+bs
			if dsn != "" {
				dir := testenv.PostgresDataDir(t)
				pf, ps, found := scanFiles(t, dir)
				leaks = append(leaks, found...)
				files, size = files+pf, size+ps
			}
			if len(leaks) > 0 {
				t.Fatalf("identifying data in clear: %v", leaks)
			}
			summary := fmt.Sprintf("canary %s: %d canaries × 3 spellings absent from %d files (%d bytes: database, WAL, key files, backup%s), %d log bytes, %d metrics bytes",
				e.Name, len(canaries), files, size, map[bool]string{true: ", PostgreSQL data directory", false: ""}[dsn != ""], len(s.stderr.String()), len(metrics))
			t.Log(summary)
			if dir := os.Getenv(testenv.EnvReportDir); dir != "" {
				os.WriteFile(filepath.Join(dir, "canary-summary-"+e.Name+".txt"), []byte(summary+"\n"), 0o644)
			}
		})
	}
}

func caseLinks(page string) []string {
	var out []string
	for _, part := range strings.Split(page, `href="/referrals/`)[1:] {
		if len(part) >= 32 && !strings.HasPrefix(part, "new") && !strings.HasPrefix(part, "prompt") {
			out = append(out, part[:32])
		}
	}
	return out
}

func caseIDs(page string) []string {
	var out []string
	for _, part := range strings.Split(page, `href="/cases/`)[1:] {
		if len(part) >= 32 {
			out = append(out, part[:32])
		}
	}
	return out
}

// chargeWithNote refers the case to the police (with the person's consent),
// and has the police accept, open an investigation, add a suspect and a
// charge under the first provision of the case's list, with note as its
// note; the police's case page then shows the note.
func chargeWithNote(t *testing.T, base string, ca, police *http.Client, caseID, note string) {
	t.Helper()
	call := func(c *http.Client, method, path string, body map[string]any) map[string]any {
		t.Helper()
		var rd io.Reader
		if body != nil {
			b, _ := json.Marshal(body)
			rd = bytes.NewReader(b)
		}
		req, _ := http.NewRequest(method, base+path, rd)
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s %s: %d %v", method, path, resp.StatusCode, out)
		}
		return out
	}
	dossier := func(c *http.Client) map[string]any { return call(c, "GET", "/api/v1/cases/"+caseID, nil) }
	supportVersion := func(d map[string]any) any { return d["support"].(map[string]any)["version"] }
	// The police agency, from the referral form's list of agencies.
	_, page := getPage(t, ca, base+"/cases/"+caseID+"/handover")
	m := regexp.MustCompile(`value="([0-9a-f]{32})"[^>]*>[^<]*Police`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no police agency on the handover form")
	}
	pol := m[1]
	d := dossier(ca)
	call(ca, "POST", "/api/v1/cases/"+caseID+"/consent", map[string]any{"support_version": supportVersion(d), "purpose": "share_with_agency",
		"recipient": pol, "action": "given", "language": "th"})
	d = dossier(ca)
	call(ca, "POST", "/api/v1/cases/"+caseID+"/handover", map[string]any{"support_version": supportVersion(d), "kind": "referral", "to_agency": pol})
	d = dossier(police)
	h := d["handovers"].([]any)[0].(map[string]any)
	call(police, "POST", "/api/v1/cases/"+caseID+"/handover-response", map[string]any{"handover": h["id"], "handover_version": h["version"], "response": "accept"})
	call(police, "POST", "/api/v1/cases/"+caseID+"/investigation", map[string]any{})
	inv := dossier(police)["investigations"].([]any)[0].(map[string]any)
	call(police, "POST", "/api/v1/cases/"+caseID+"/suspect", map[string]any{"investigation": inv["id"], "investigation_version": inv["version"],
		"chain_role": "recruiter", "nature": "individual"})
	inv = dossier(police)["investigations"].([]any)[0].(map[string]any)
	suspect := inv["suspects"].([]any)[0].(map[string]any)["id"]
	_, page = getPage(t, police, base+"/cases/"+caseID)
	pm := regexp.MustCompile(`<select id="provision-[0-9a-f]+" name="provision"><option value="">[^<]*</option><option value="([^"]+)"`).FindStringSubmatch(page)
	if pm == nil {
		t.Fatal("no provision to choose on the charge form")
	}
	call(police, "POST", "/api/v1/cases/"+caseID+"/charge", map[string]any{"investigation": inv["id"], "investigation_version": inv["version"],
		"suspect": suspect, "provision": pm[1], "note": note})
	if _, page := getPage(t, police, base+"/cases/"+caseID); !strings.Contains(page, html.EscapeString(note)) {
		t.Fatal("the police do not read the charge's note back")
	}
}
