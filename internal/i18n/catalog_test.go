package i18n

import (
	"encoding/json"
	"io/fs"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"unicode"
	"unicode/utf8"
)

func mustNew(t *testing.T) *Bundle {
	t.Helper()
	b, err := New()
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return b
}

// TestCheckShippedCatalogues fails when a key is missing in a language, or a
// translation is otherwise inconsistent with English.
func TestCheckShippedCatalogues(t *testing.T) {
	b := mustNew(t)
	for _, p := range b.Check() {
		t.Errorf("%s", p)
	}
}

// TestRequiredKeys makes sure the keys the web layer relies on exist.
func TestRequiredKeys(t *testing.T) {
	b := mustNew(t)
	keys := b.Keys()
	if !slices.IsSorted(keys) {
		t.Errorf("Keys() is not sorted")
	}
	want := []string{
		"app.name", "app.tagline",
		"nav.label", "nav.home", "nav.referrals", "nav.cases", "nav.screening", "nav.services",
		"nav.statistics", "nav.administration", "skip.to_content",
		"lang.label", "lang.submit", "demo.banner",
		"auth.login.title", "auth.login.username", "auth.login.password", "auth.login.submit",
		"auth.login.failed", "auth.logout", "auth.signed_in_as",
		"home.title", "home.intro", "home.cases_count", "home.agencies_count",
		"home.jurisdictions_count", "home.users_count",
		"page.coming_soon_title", "page.coming_soon_body",
		"error.title", "error.bad_request", "error.forbidden", "error.not_found",
		"error.method_not_allowed", "error.too_large", "error.too_many_requests", "error.csrf",
		"error.internal", "error.unavailable", "footer.text",
		"role.first_responder", "role.case_worker", "role.competent_authority",
		"role.police_investigator", "role.prosecutor", "role.shelter_staff",
		"role.service_provider", "role.analyst", "role.agency_admin", "role.system_admin",
		"agency.kind.local_government", "agency.kind.police", "agency.kind.labour_inspection",
		"agency.kind.health", "agency.kind.education", "agency.kind.ngo",
		"agency.kind.shelter_short_term", "agency.kind.shelter_long_term",
		"agency.kind.immigration", "agency.kind.competent_authority", "agency.kind.prosecution",
		"admin.title", "admin.agencies", "admin.users", "admin.jurisdictions",
		"table.name", "table.kind", "table.jurisdiction", "table.role", "table.agency", "table.count",
	}
	for _, k := range want {
		if _, ok := slices.BinarySearch(keys, k); !ok {
			t.Errorf("key %q missing from en.json", k)
		}
	}
	plurals := []string{"home.cases_count", "home.agencies_count", "home.jurisdictions_count", "home.users_count"}
	for _, k := range plurals {
		if m := b.locales[Source].msgs[k]; m == nil || !m.plural {
			t.Errorf("%s should be a plural message", k)
		}
	}
	if got := b.locales[Source].msgs["error.internal"].fields(); !slices.Equal(got, []string{"Ref"}) {
		t.Errorf("error.internal placeholders = %v, want [Ref]", got)
	}
	if got := b.locales[Source].msgs["auth.signed_in_as"].fields(); !slices.Equal(got, []string{"Name"}) {
		t.Errorf("auth.signed_in_as placeholders = %v, want [Name]", got)
	}
}

// sameAsEnglish lists the keys whose translation may equal the English text.
var sameAsEnglish = map[string]bool{
	"app.name": true, // the product name is not translated
}

// scripts gives the script every translation must be written in.
var scripts = map[string]*unicode.RangeTable{
	"ko": unicode.Hangul,
	"th": unicode.Thai,
	"mn": unicode.Cyrillic,
	"ne": unicode.Devanagari,
}

// TestCataloguesTranslated checks that every catalogue file is valid UTF-8
// and valid JSON, that no text is a raw key, and that no translation was
// left in English or written in the wrong script.
func TestCataloguesTranslated(t *testing.T) {
	b := mustNew(t)
	for _, lang := range languages {
		data, err := fs.ReadFile(localeFS, "locales/"+lang.Tag+".json")
		if err != nil {
			t.Fatal(err)
		}
		if !utf8.Valid(data) {
			t.Errorf("%s.json is not valid UTF-8", lang.Tag)
		}
		if !json.Valid(data) {
			t.Errorf("%s.json is not valid JSON", lang.Tag)
		}
		for key, m := range b.locales[lang.Tag].msgs {
			src := b.locales[Source].msgs[key]
			for f, txt := range m.forms {
				if strings.TrimSpace(txt.raw) == key || keyPattern.MatchString(strings.TrimSpace(txt.raw)) {
					t.Errorf("%s: %s: text %q looks like a raw key", lang.Tag, key, txt.raw)
				}
				if lang.Tag == Source || sameAsEnglish[key] || src == nil {
					continue
				}
				for _, st := range src.forms {
					if txt.raw == st.raw {
						t.Errorf("%s: %s (%s): identical to English %q", lang.Tag, key, formName(f), st.raw)
					}
				}
				script := scripts[lang.Tag]
				if !strings.ContainsFunc(txt.raw, func(r rune) bool { return unicode.Is(script, r) }) {
					t.Errorf("%s: %s: %q contains no letter of the expected script", lang.Tag, key, txt.raw)
				}
			}
		}
	}
}

func TestCheckFindsProblems(t *testing.T) {
	en := `{
		"a.same": "Same",
		"a.missing": "Only in English",
		"a.placeholder": "Hello {{.Name}}",
		"a.count": {"one": "{{.Count}} thing", "other": "{{.Count}} things"},
		"a.kind": "Simple",
		"a.blank": "Blank"
	}`
	ko := `{
		"a.same": "같음",
		"a.extra": "추가",
		"a.placeholder": "안녕하세요 {{.Nmae}}",
		"a.count": {"one": "{{.Count}}개", "other": "{{.Count}}개"},
		"a.kind": {"other": "단순"},
		"a.blank": " "
	}`
	th := `{
		"a.same": "เหมือน", "a.missing": "x", "a.placeholder": "{{.Name}}",
		"a.count": {"other": "{{.Count}}"}, "a.kind": "x", "a.blank": "x"
	}`
	mn := `{
		"a.same": "ижил", "a.missing": "x", "a.placeholder": "{{.Name}}",
		"a.count": {"other": "{{.Count}}"}, "a.kind": "x", "a.blank": "x"
	}`
	ne := `{
		"a.same": "उही", "a.missing": "x", "a.placeholder": "{{.Name}}",
		"a.count": {"one": "{{.Count}}", "other": "{{.Count}}"}, "a.kind": "x", "a.blank": "x"
	}`
	b, err := load(fstest.MapFS{
		"l/en.json": {Data: []byte(en)},
		"l/ko.json": {Data: []byte(ko)},
		"l/th.json": {Data: []byte(th)},
		"l/mn.json": {Data: []byte(mn)},
		"l/ne.json": {Data: []byte(ne)},
	}, "l")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range b.Check() {
		got = append(got, p.Lang+" "+p.Key+" "+string(p.Kind))
	}
	want := []string{
		"ko a.blank " + string(EmptyText),
		"ko a.count " + string(UnusedPluralForm),
		"ko a.extra " + string(UnknownKey),
		"ko a.kind " + string(KindMismatch),
		"ko a.missing " + string(MissingKey),
		"ko a.placeholder " + string(PlaceholderMismatch),
		"mn a.count " + string(MissingPluralForm),
	}
	if !slices.Equal(got, want) {
		t.Errorf("Check() =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestNewRejectsMalformedCatalogues(t *testing.T) {
	good := `{"a.b": "x"}`
	cases := map[string]string{
		"invalid JSON":        `{"a.b": "x",}`,
		"invalid UTF-8":       "{\"a.b\": \"\xff\"}",
		"duplicate key":       `{"a.b": "x", "a.b": "y"}`,
		"sentence as key":     `{"Save changes": "x"}`,
		"undotted key":        `{"save": "x"}`,
		"number value":        `{"a.b": 3}`,
		"array value":         `{"a.b": ["x"]}`,
		"unknown plural form": `{"a.b": {"one": "x", "plural": "y"}}`,
		"nested object":       `{"a.b": {"other": {"x": "y"}}}`,
		"bad placeholder":     `{"a.b": "Hello {{.Name | printf}}"}`,
		"template action":     `{"a.b": "{{if .X}}x{{end}}"}`,
		"unclosed braces":     `{"a.b": "Hello {{.Name"}`,
		"top-level array":     `["a.b"]`,
		"trailing data":       `{"a.b": "x"} {}`,
	}
	for name, bad := range cases {
		t.Run(name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			for _, l := range languages {
				fsys["l/"+l.Tag+".json"] = &fstest.MapFile{Data: []byte(good)}
			}
			fsys["l/mn.json"] = &fstest.MapFile{Data: []byte(bad)}
			if _, err := load(fsys, "l"); err == nil {
				t.Errorf("load accepted %q", bad)
			} else if !strings.Contains(err.Error(), "mn.json") {
				t.Errorf("error %q does not name the file", err)
			}
		})
	}
	t.Run("missing file", func(t *testing.T) {
		fsys := fstest.MapFS{}
		for _, l := range languages[:4] {
			fsys["l/"+l.Tag+".json"] = &fstest.MapFile{Data: []byte(good)}
		}
		if _, err := load(fsys, "l"); err == nil {
			t.Error("load accepted a missing catalogue")
		}
	})
	t.Run("unconfigured language", func(t *testing.T) {
		fsys := fstest.MapFS{}
		for _, l := range languages {
			fsys["l/"+l.Tag+".json"] = &fstest.MapFile{Data: []byte(good)}
		}
		fsys["l/fr.json"] = &fstest.MapFile{Data: []byte(good)}
		if _, err := load(fsys, "l"); err == nil {
			t.Error("load accepted a catalogue for an unconfigured language")
		}
	})
}

func TestParseTextPlaceholders(t *testing.T) {
	txt, err := parseText("A {{ .Name }} and {{.Ref}}}")
	if err != nil {
		t.Fatal(err)
	}
	if got := txt.render(map[string]string{"Name": "N", "Ref": "R"}); got != "A N and R}" {
		t.Errorf("render = %q", got)
	}
	if got := txt.render(nil); got != "A ⟦Name⟧ and ⟦Ref⟧}" {
		t.Errorf("render without values = %q", got)
	}
}
