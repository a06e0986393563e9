package i18n

import (
	"strings"
	"testing"
)

func TestLanguages(t *testing.T) {
	b := mustNew(t)
	var tags []string
	for _, l := range b.Languages() {
		tags = append(tags, l.Tag)
		if l.Dir != "ltr" || l.Name == "" {
			t.Errorf("%+v: want a native name and dir ltr", l)
		}
	}
	if got := strings.Join(tags, " "); got != "en ko th mn ne" {
		t.Errorf("Languages() = %s, want en ko th mn ne", got)
	}
	if got := b.Languages()[1].Name; got != "한국어" {
		t.Errorf("Korean name = %q", got)
	}
	for _, tag := range []string{"en", "ko", "th", "mn", "ne", "KO"} {
		if !b.Supported(tag) {
			t.Errorf("Supported(%q) = false", tag)
		}
	}
	for _, tag := range []string{"fr", "ko-KR", "", "ar-XB", "ar"} {
		if b.Supported(tag) {
			t.Errorf("Supported(%q) = true", tag)
		}
	}
}

func TestMatch(t *testing.T) {
	b := mustNew(t)
	cases := []struct {
		prefs []string
		want  string
	}{
		{[]string{"", "ko-KR,ko;q=0.9"}, "ko"},
		{[]string{"", "ko-KR,ko;q=0.9,en-US;q=0.8,en;q=0.7"}, "ko"},
		{[]string{"", "th"}, "th"},
		{[]string{"", "th-TH-u-ca-buddhist"}, "th"},
		{[]string{"", "mn-MN"}, "mn"},
		{[]string{"", "ne-NP"}, "ne"},
		{[]string{"", "en-GB,en;q=0.9"}, "en"},
		{[]string{"", "fr"}, "en"},
		{[]string{"", "fr-FR,fr;q=0.9,ne;q=0.5"}, "ne"},
		{[]string{"", "hi"}, "en"}, // Hindi is not close enough to Nepali
		{[]string{"", "mn-Mong-CN"}, "en"},
		{[]string{"", "*"}, "en"},
		{[]string{"", "not a header;;;"}, "en"},
		{[]string{"th", "ko-KR,ko;q=0.9"}, "th"}, // explicit choice beats the header
		{[]string{"fr", "ko-KR"}, "ko"},          // unsupported choice: the header decides
		{[]string{"NE", ""}, "ne"},
		{nil, "en"},
		{[]string{"", "ar-XB"}, "en"}, // pseudo locale not enabled
	}
	for _, c := range cases {
		if got := b.Match(c.prefs...).Tag(); got != c.want {
			t.Errorf("Match(%q) = %s, want %s", c.prefs, got, c.want)
		}
	}
}

func TestDefault(t *testing.T) {
	b := mustNew(t)
	if b.Default() != "en" {
		t.Errorf("Default() = %s", b.Default())
	}
	ko := b.WithDefault("ko-KR")
	if got := ko.Match("", "fr").Tag(); got != "ko" {
		t.Errorf("WithDefault(ko-KR).Match(fr) = %s, want ko", got)
	}
	if got := ko.Match("", "th").Tag(); got != "th" {
		t.Errorf("WithDefault(ko-KR).Match(th) = %s, want th", got)
	}
	if got := b.Match("fr").Tag(); got != "en" {
		t.Errorf("WithDefault changed the original bundle: %s", got)
	}
	if got := b.WithDefault("fr").Default(); got != "en" {
		t.Errorf("WithDefault(fr).Default() = %s, want en kept", got)
	}
	if got := b.Localizer("xx").Tag(); got != "en" {
		t.Errorf("Localizer(xx) = %s", got)
	}
	if got := b.Localizer("mn-MN").Tag(); got != "mn" {
		t.Errorf("Localizer(mn-MN) = %s", got)
	}
}

func TestTranslate(t *testing.T) {
	b := mustNew(t)
	cases := []struct {
		tag, key, want string
		kv             []any
	}{
		{"en", "nav.cases", "Cases", nil},
		{"ko", "nav.cases", "사례", nil},
		{"th", "lang.label", "ภาษา", nil},
		{"mn", "lang.label", "Хэл", nil},
		{"ne", "lang.label", "भाषा", nil},
		{"en", "auth.signed_in_as", "Signed in as Dolma", []any{"Name", "Dolma"}},
		{"ko", "auth.signed_in_as", "김지우 님으로 로그인됨", []any{"Name", "김지우"}},
		{"en", "error.internal", "Something went wrong. Nothing was changed. Reference: 7F3A", []any{"Ref", "7F3A"}},
		{"mn", "error.internal", "Алдаа гарлаа. Ямар ч өөрчлөлт хийгдээгүй. Лавлах дугаар: 7F3A", []any{"Ref", "7F3A"}},
		{"en", "auth.signed_in_as", "Signed in as ⟦Name⟧", nil},                    // value not given
		{"en", "auth.signed_in_as", "Signed in as A", []any{"Name", "A", "Extra"}}, // odd kv ignored
	}
	for _, c := range cases {
		if got := b.Localizer(c.tag).T(c.key, c.kv...); got != c.want {
			t.Errorf("%s T(%s) = %q, want %q", c.tag, c.key, got, c.want)
		}
	}
}

func TestFallback(t *testing.T) {
	b := mustNew(t)
	// Remove a translation to simulate a key not yet translated.
	delete(b.locales["ko"].msgs, "nav.cases")
	delete(b.locales["mn"].msgs, "home.cases_count")
	ko := b.Localizer("ko")
	if got := ko.T("nav.cases"); got != "Cases" {
		t.Errorf("missing ko key: got %q, want English", got)
	}
	mn := b.Localizer("mn")
	if got := mn.N("home.cases_count", 1); got != "1 case" {
		t.Errorf("missing mn plural: got %q, want English singular", got)
	}
	if got := mn.N("home.cases_count", 3); got != "3 cases" {
		t.Errorf("missing mn plural: got %q, want English plural", got)
	}
	for _, l := range []*Localizer{b.Localizer("en"), ko} {
		if got := l.T("no.such.key"); got != "⟦no.such.key⟧" {
			t.Errorf("%s: unknown key: got %q", l.Tag(), got)
		}
		if got := l.N("no.such.key", 2); got != "⟦no.such.key⟧" {
			t.Errorf("%s: unknown plural key: got %q", l.Tag(), got)
		}
	}
	// T on a plural message uses "other"; N on a simple message uses the text.
	if got := b.Localizer("en").T("home.users_count", "Count", "many"); got != "many users" {
		t.Errorf("T on plural = %q", got)
	}
	if got := b.Localizer("en").N("nav.cases", 1); got != "Cases" {
		t.Errorf("N on simple = %q", got)
	}
}

func TestPlural(t *testing.T) {
	checkFormat(t, "N(home.cases_count)", func(l *Localizer, n int) string { return l.N("home.cases_count", n) }, []formatCase[int]{
		{"en", 0, "0 cases"},
		{"en", 1, "1 case"},
		{"en", 2, "2 cases"},
		{"en", -1, "-1 case"},
		{"en", 1234, "1,234 cases"},
		{"ko", 1, "사례 1건"},
		{"ko", 2, "사례 2건"},
		{"th", 1, "1 กรณี"},
		{"th", 21, "21 กรณี"},
		{"mn", 1, "1 тохиолдол"},
		{"mn", 5, "5 тохиолдол"},
		{"ne", 1, "१ केस"},
		{"ne", 123456, "१,२३,४५६ केस"},
	})
	b := mustNew(t)
	// The selected CLDR forms, independent of the texts.
	forms := []struct {
		tag   string
		count int
		want  string
	}{
		{"en", 1, "one"}, {"en", 2, "other"}, {"en", 0, "other"}, {"en", 11, "other"}, {"en", 21, "other"},
		{"ko", 1, "other"}, {"ko", 2, "other"},
		{"th", 1, "other"}, {"th", 0, "other"},
		{"mn", 1, "one"}, {"mn", 2, "other"}, {"mn", 0, "other"},
		{"ne", 1, "one"}, {"ne", 2, "other"}, {"ne", 0, "other"},
	}
	for _, c := range forms {
		if got := formName(pluralForm(b.locales[c.tag], c.count)); got != c.want {
			t.Errorf("%s plural form of %d = %s, want %s", c.tag, c.count, got, c.want)
		}
	}
	for tag, want := range map[string]string{"en": "one other", "ko": "other", "th": "other", "mn": "one other", "ne": "one other"} {
		var got []string
		req := requiredForms(b.locales[tag].plural)
		for _, f := range formOrder {
			if req[f] {
				got = append(got, formName(f))
			}
		}
		if strings.Join(got, " ") != want {
			t.Errorf("%s required forms = %v, want %s", tag, got, want)
		}
	}
}

func TestPseudoRTL(t *testing.T) {
	b := mustNew(t)
	if got := b.Localizer("ar-XB").Tag(); got != "en" {
		t.Errorf("pseudo locale reachable before EnablePseudo: %s", got)
	}
	b.EnablePseudo()
	langs := b.Languages()
	if last := langs[len(langs)-1]; last.Tag != PseudoRTL || last.Dir != "rtl" {
		t.Errorf("last language = %+v, want ar-XB rtl", last)
	}
	if !b.Supported("ar-XB") {
		t.Error("Supported(ar-XB) = false after EnablePseudo")
	}
	l := b.Match("ar-XB")
	if l.Tag() != "ar-XB" || l.Dir() != "rtl" {
		t.Fatalf("Match(ar-XB) = %s %s", l.Tag(), l.Dir())
	}
	if got := b.Match("", "ar-SA,ar;q=0.9").Tag(); got != "en" {
		t.Errorf("Arabic speaker got %s, want the default", got)
	}

	got := l.T("auth.signed_in_as", "Name", "Dolma")
	if !strings.Contains(got, "Dolma") || strings.Contains(got, "{{") || strings.Contains(got, "⟦") {
		t.Errorf("placeholder lost: %q", got)
	}
	if !strings.Contains(got, rlo+"Signed in as "+pdf) {
		t.Errorf("text not wrapped in RLO…PDF: %q", got)
	}
	if !strings.HasPrefix(got, rlm) || !strings.HasSuffix(got, rlm) {
		t.Errorf("message not framed by RLM: %q", got)
	}
	if got := l.T("error.internal", "Ref", "R-42"); !strings.Contains(got, "R-42") {
		t.Errorf("Ref lost: %q", got)
	}
	one, two := l.N("home.cases_count", 1), l.N("home.cases_count", 2)
	if !strings.Contains(one, "1") || !strings.Contains(one, " case"+pdf) {
		t.Errorf("N(1) = %q, want English singular", one)
	}
	if !strings.Contains(two, "2") || !strings.Contains(two, " cases"+pdf) {
		t.Errorf("N(2) = %q, want English plural", two)
	}
	// Every English key has a pseudo message.
	for _, k := range b.Keys() {
		var kv []any
		for _, f := range b.locales[Source].msgs[k].fields() {
			kv = append(kv, f, "1")
		}
		if got := l.T(k, kv...); strings.Contains(got, "⟦") {
			t.Errorf("pseudo %s = %q", k, got)
		}
	}
	// A copy made before EnablePseudo does not offer it.
	c := mustNew(t)
	d := c.WithDefault("ko")
	c.EnablePseudo()
	if d.Supported("ar-XB") || len(d.Languages()) != 5 {
		t.Error("EnablePseudo leaked into a copy made earlier")
	}
}
