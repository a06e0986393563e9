package web

import (
	"html/template"
	"io/fs"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"github.com/haven-nrm/haven/internal/i18n"
)

var (
	actionRe = regexp.MustCompile(`(?s)\{\{.*?\}\}`)
	tagRe    = regexp.MustCompile(`(?s)<[^>]*>`)
	// Attributes a person reads or hears.
	attrRe = regexp.MustCompile(`(?i)\b(alt|title|placeholder|aria-label|aria-description|label|summary)\s*=\s*"([^"]*)"`)
)

// untranslatedLiterals returns the human-language text written straight
// into a template instead of through the catalogue.
func untranslatedLiterals(src string) []string {
	s := actionRe.ReplaceAllString(src, "§")
	var found []string
	for _, tag := range tagRe.FindAllString(s, -1) {
		for _, m := range attrRe.FindAllStringSubmatch(tag, -1) {
			if hasLetters(m[2]) {
				found = append(found, m[0])
			}
		}
	}
	for _, text := range tagRe.Split(s, -1) {
		if hasLetters(text) {
			found = append(found, strings.TrimSpace(text))
		}
	}
	return found
}

func hasLetters(s string) bool {
	s = strings.ReplaceAll(s, "§", "")
	// HTML entities such as &nbsp; are not words.
	s = regexp.MustCompile(`&[a-zA-Z]+;|&#[0-9]+;`).ReplaceAllString(s, "")
	for _, r := range s {
		if unicode.IsLetter(r) {
			return true
		}
	}
	return false
}

func TestTemplatesHaveNoUntranslatedLiterals(t *testing.T) {
	files, err := fs.Glob(assets, "templates/*.html")
	if err != nil {
		t.Fatal(err)
	}
	pages, _ := fs.Glob(assets, "templates/pages/*.html")
	files = append(files, pages...)
	if len(files) < 5 {
		t.Fatalf("found only %d templates", len(files))
	}
	for _, f := range files {
		b, err := fs.ReadFile(assets, f)
		if err != nil {
			t.Fatal(err)
		}
		src := strings.Replace(string(b), "<!doctype html>", "", 1)
		for _, lit := range untranslatedLiterals(src) {
			t.Errorf("%s: untranslated text %q: use the catalogue", f, lit)
		}
	}
}

// The checker itself must catch literals, or the test above proves nothing.
func TestUntranslatedLiteralChecker(t *testing.T) {
	cases := []struct {
		src  string
		want int
	}{
		{`<p>{{.L.T "a.b"}}</p>`, 0},
		{`<p>Hello</p>`, 1},
		{`<p>{{.L.T "a.b"}} world</p>`, 1},
		{`<img alt="A photo" src="x">`, 1},
		{`<nav aria-label="{{.L.T "nav.label"}}">`, 0},
		{`<input placeholder="Name">`, 1},
		{`<p>{{.Data.Reference}} · 42 &nbsp;</p>`, 0},
		{`<p>사례</p>`, 1},
	}
	for _, c := range cases {
		if got := untranslatedLiterals(c.src); len(got) != c.want {
			t.Errorf("%s: found %q, want %d", c.src, got, c.want)
		}
	}
}

func TestEveryTemplateParses(t *testing.T) {
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	b.EnablePseudo()
	for _, lang := range b.Languages() {
		pages, err := parseTemplates(b.Localizer(lang.Tag))
		if err != nil {
			t.Fatalf("%s: %v", lang.Tag, err)
		}
		for _, want := range []string{"login", "home", "soon", "error", "cases", "case", "admin", "jurisdictions", "agencies", "users", "queue"} {
			if pages[want] == nil || pages[want].Lookup("layout") == nil || pages[want].Lookup("content") == nil {
				t.Errorf("%s: page %s missing or without its layout", lang.Tag, want)
			}
		}
	}
}

// TestConstantMessagesInTextOnly guards withMessages: a message written
// into the template text is escaped for HTML only, which is right in text
// and in a quoted attribute that is not a URL, a script or a style, and
// nowhere else.
func TestConstantMessagesInTextOnly(t *testing.T) {
	// data-label names a column in tables that stack into cards on a
	// phone (the stylesheet shows it before each cell): text too.
	textAttrs := map[string]bool{"aria-label": true, "title": true, "alt": true, "placeholder": true, "value": true, "label": true, "content": true,
		"data-label": true}
	attrRe := regexp.MustCompile(`([a-z-]+)="$`)
	files, _ := fs.Glob(assets, "templates/*/*.html")
	files = append(files, "templates/layout.html")
	n := 0
	for _, f := range files {
		src, _ := fs.ReadFile(assets, f)
		s := string(src)
		for _, loc := range constMessage.FindAllStringIndex(s, -1) {
			n++
			before := s[:loc[0]]
			if strings.LastIndex(before, "<script") > strings.LastIndex(before, "</script>") || strings.LastIndex(before, "<style") > strings.LastIndex(before, "</style>") {
				t.Errorf("%s: %s inside a script or style", f, s[loc[0]:loc[1]])
			}
			lt, gt := strings.LastIndex(before, "<"), strings.LastIndex(before, ">")
			if lt <= gt {
				continue // text between tags
			}
			m := attrRe.FindStringSubmatch(before)
			if m == nil || !textAttrs[m[1]] {
				t.Errorf("%s: %s in a tag but not alone in a quoted text attribute", f, s[loc[0]:loc[1]])
			}
		}
	}
	if n < 100 {
		t.Errorf("only %d constant messages found: the pattern has drifted from the templates", n)
	}
}

func TestWithMessagesEscapes(t *testing.T) {
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	L := b.Localizer("en")
	got := withMessages(`<p>{{.L.T "app.name"}}</p><p>{{$L.T "no.such.key"}}</p>{{.L.T "cases.shown" "N" 1}}`, L)
	if !strings.Contains(got, "<p>"+template.HTMLEscapeString(L.T("app.name"))+"</p>") || strings.Contains(got, `"app.name"`) {
		t.Errorf("constant message not written: %s", got)
	}
	if !strings.Contains(got, "⟦no.such.key⟧") {
		t.Errorf("a missing key must show as missing, as at render time: %s", got)
	}
	if !strings.Contains(got, `{{.L.T "cases.shown" "N" 1}}`) {
		t.Errorf("a message with arguments must stay an action: %s", got)
	}
}

func TestTemplateKeysExistInEnglish(t *testing.T) {
	known := englishKeys(t)
	keyRe := regexp.MustCompile(`\.(?:T|N) "([^"]+)"`)
	files, _ := fs.Glob(assets, "templates/*.html")
	pages, _ := fs.Glob(assets, "templates/pages/*.html")
	for _, f := range append(files, pages...) {
		src, _ := fs.ReadFile(assets, f)
		for _, m := range keyRe.FindAllStringSubmatch(string(src), -1) {
			if !known[m[1]] {
				t.Errorf("%s uses key %q, which the English catalogue lacks", f, m[1])
			}
		}
	}
}
