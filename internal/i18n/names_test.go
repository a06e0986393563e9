package i18n

import "testing"

func TestRegionAndLanguageNames(t *testing.T) {
	b, err := New()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ lang, region, want string }{
		{"en", "NP", "Nepal"}, {"ko", "NP", "네팔"}, {"th", "NP", "เนปาล"}, {"mn", "NP", "Балба"}, {"ne", "NP", "नेपाल"},
		{"en", "zz-bad", "zz-bad"},
	}
	for _, c := range cases {
		if got := b.Localizer(c.lang).Region(c.region); got != c.want {
			t.Errorf("%s Region(%s) = %q, want %q", c.lang, c.region, got, c.want)
		}
	}
	if got := b.Localizer("ko").LanguageName("ne"); got != "네팔어" {
		t.Errorf("ko LanguageName(ne) = %q", got)
	}
}
