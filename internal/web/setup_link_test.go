package web_test

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/haven-nrm/haven/internal/admin"
	"github.com/haven-nrm/haven/internal/auth"
	"github.com/haven-nrm/haven/internal/config"
	"github.com/haven-nrm/haven/internal/i18n"
	"github.com/haven-nrm/haven/internal/notify"
	"github.com/haven-nrm/haven/internal/seal"
	"github.com/haven-nrm/haven/internal/services"
	"github.com/haven-nrm/haven/internal/store"
	"github.com/haven-nrm/haven/internal/testenv"
	"github.com/haven-nrm/haven/internal/web"
)

// emptyInstance serves an empty, migrated database, as `haven serve` does
// before `haven init`.
func emptyInstance(t *testing.T, db *store.DB) (*httptest.Server, *services.Set) {
	t.Helper()
	keys, err := seal.NewKeyring()
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Defaults()
	svc, err := services.New(services.Options{Config: cfg, DB: db, Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	s, err := web.New(web.Deps{Config: cfg, Services: svc, I18n: b, Version: "test", RateLimit: web.RateLimit{PerSecond: 1e6, Burst: 1e6}})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	return ts, svc
}

// TestSetupLinkChoosesPasswordThenSecondFactor: the link `haven init`
// prints opens a page that asks the first administrator to choose a
// password (the policy applies, a refusal spends nothing) and leads to
// the second-factor set-up; the link then works no more (issue 12).
func TestSetupLinkChoosesPasswordThenSecondFactor(t *testing.T) {
	testenv.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ts, svc := emptyInstance(t, db)
		_, link, err := svc.Admin.Init(context.Background(), admin.InitInput{Country: "TH", TimeZone: "Asia/Bangkok", Username: "root", DisplayName: "Root"},
			notify.NewMailer(notify.Config{}), time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, body := get(t, c, ts.URL+link.Path())
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, `name="new"`) || !strings.Contains(body, `name="confirm"`) || strings.Contains(body, `name="password"`) {
			t.Fatalf("setup link page: %d\n%s", resp.StatusCode, body)
		}
		post := func(v url.Values) *http.Response {
			t.Helper()
			resp, err := c.PostForm(ts.URL+link.Path(), v)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp
		}
		if r := post(url.Values{"new": {"short"}, "confirm": {"short"}}); r.StatusCode != http.StatusBadRequest {
			t.Errorf("short password: %d, want 400", r.StatusCode)
		}
		pw := auth.NewToken()[:20]
		if r := post(url.Values{"new": {pw}, "confirm": {pw}}); r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/mfa/enrol" {
			t.Fatalf("good password: %d %s, want the second-factor set-up", r.StatusCode, r.Header.Get("Location"))
		}
		if resp, _ := get(t, c, ts.URL+"/mfa/enrol"); resp.StatusCode != http.StatusOK {
			t.Errorf("set-up page after the link: %d", resp.StatusCode)
		}
		if resp, _ := get(t, c, ts.URL+link.Path()); resp.StatusCode != http.StatusNotFound {
			t.Errorf("spent link: %d, want 404", resp.StatusCode)
		}
	})
}
