package web_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/store"
)

// TestCalendarPage: the system administrator keeps a jurisdiction's
// holidays on its calendar page — adds one by hand, removes one, uploads
// an .ics file, loads the sample — and each change is a new version,
// audited; a form made from an older version is refused and writes
// nothing, a bad file is refused whole, and an agency administrator has
// no such page (issue 12, "Calendars as data").
func TestCalendarPage(t *testing.T) {
	eachEngine(t, func(t *testing.T, f *fixture) {
		ctx := t.Context()
		sys := f.login(t, access.SystemAdmin)
		js, err := f.db.Jurisdictions(ctx)
		if err != nil {
			t.Fatal(err)
		}
		j := js[0]
		page := f.srv.URL + "/admin/jurisdictions/" + j.Code + "/calendar"
		versions := func() int64 {
			v, ok, err := store.LatestCalendar(ctx, f.db.R(), j.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !ok {
				return 0
			}
			return v.Version
		}
		post := func(path string, v url.Values) *http.Response {
			t.Helper()
			resp, err := sys.PostForm(page+path, v)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp
		}
		start := versions()
		resp, body := get(t, sys, page)
		if resp.StatusCode != 200 || !strings.Contains(body, `id="form-holiday"`) || !strings.Contains(body, `enctype="multipart/form-data"`) {
			t.Fatalf("calendar page: %d", resp.StatusCode)
		}
		cur := url.Values{"version": {itoa(start)}}
		add := func(date, name string) url.Values {
			v := url.Values{"date": {date}, "name": {name}}
			v.Set("version", cur.Get("version"))
			return v
		}
		if r := post("/holidays", add("2031-02-30", "Bad")); r.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("impossible date: %d, want 422", r.StatusCode)
		}
		if r := post("/holidays", add("2031-03-03", "Day of Rest")); r.StatusCode != http.StatusSeeOther || !strings.Contains(r.Header.Get("Location"), "made="+itoa(start+1)) {
			t.Fatalf("add: %d %s", r.StatusCode, r.Header.Get("Location"))
		}
		if r := post("/holidays", add("2031-03-04", "Stale")); r.StatusCode != http.StatusUnprocessableEntity || versions() != start+1 {
			t.Errorf("a form of an older version: %d, versions %d", r.StatusCode, versions())
		}
		cur.Set("version", itoa(start+1))
		_, body = get(t, sys, page)
		if !strings.Contains(body, `datetime="2031-03-03"`) || !strings.Contains(body, "Day of Rest") || !strings.Contains(body, "<caption>2031</caption>") {
			t.Error("the added holiday is not listed under its year")
		}
		if r := post("/remove", url.Values{"version": {itoa(start + 1)}, "date": {"2031-03-03"}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("remove: %d", r.StatusCode)
		}
		if _, body = get(t, sys, page); strings.Contains(body, "Day of Rest</td>") {
			t.Error("the removed holiday is still listed")
		}
		upload := func(content string) *http.Response {
			t.Helper()
			var b bytes.Buffer
			w := multipart.NewWriter(&b)
			fw, _ := w.CreateFormFile("file", "gazette-2032.ics")
			io.WriteString(fw, content)
			w.Close()
			resp, err := sys.Post(page+"/import", w.FormDataContentType(), &b)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp
		}
		if r := upload("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:20320101T100000Z\r\nSUMMARY:Meeting\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"); r.StatusCode != http.StatusUnprocessableEntity || versions() != start+2 {
			t.Errorf("timed event: %d, versions %d", r.StatusCode, versions())
		}
		if r := upload("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20320105\r\nSUMMARY:Gazette Day\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"); r.StatusCode != http.StatusSeeOther || versions() != start+3 {
			t.Fatalf("upload: %d, versions %d", r.StatusCode, versions())
		}
		if r := post("/import", url.Values{}); r.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("import without a file: %d", r.StatusCode)
		}
		if r := post("/sample", url.Values{}); r.StatusCode != http.StatusSeeOther || versions() != start+4 {
			t.Errorf("sample: %d, versions %d", r.StatusCode, versions())
		}
		_, body = get(t, sys, page)
		if !strings.Contains(body, "gazette-2032.ics") || !strings.Contains(body, "Gazette Day") || !strings.Contains(body, `id="calendar-versions"`) {
			t.Error("the page does not show the uploaded version and its holidays")
		}
		for _, a := range []string{"calendar.edit", "calendar.import"} {
			if !audited(t, f.db, a, j.ID) {
				t.Errorf("%s not audited", a)
			}
		}
		aa := f.login(t, access.AgencyAdmin)
		if resp, _ := get(t, aa, page); resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusNotFound {
			t.Errorf("agency administrator's calendar page: %d", resp.StatusCode)
		}
		resp, err = aa.PostForm(page+"/holidays", add("2031-05-05", "X"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusNotFound || versions() != start+4 {
			t.Errorf("agency administrator adds a holiday: %d", resp.StatusCode)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
