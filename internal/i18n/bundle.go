package i18n

import (
	"embed"
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"golang.org/x/text/language"
)

//go:embed locales/*.json
var localeFS embed.FS

// Source is the tag of the source language, the fallback for missing
// translations.
const Source = "en"

// PseudoRTL is the tag of the generated pseudo right-to-left locale.
const PseudoRTL = "ar-XB"

// Language describes one supported language.
type Language struct {
	Tag  string // BCP 47 tag, e.g. "ko"
	Name string // native name, e.g. "한국어"
	Dir  string // text direction: "ltr" or "rtl"
}

// langDef is a shipped language and the language whose CLDR plural rules
// it follows.
type langDef struct {
	Language
	plural language.Tag
}

// languages lists the shipped languages in the order of the language
// switcher.
var languages = []langDef{
	{Language{Tag: "en", Name: "English", Dir: "ltr"}, language.English},
	{Language{Tag: "ko", Name: "한국어", Dir: "ltr"}, language.Korean},
	{Language{Tag: "th", Name: "ไทย", Dir: "ltr"}, language.Thai},
	{Language{Tag: "mn", Name: "Монгол", Dir: "ltr"}, language.Mongolian},
	{Language{Tag: "ne", Name: "नेपाली", Dir: "ltr"}, language.Nepali},
}

// locale is one loaded language.
type locale struct {
	Language
	plural language.Tag
	msgs   catalog
	fmt    *formats
}

// Bundle holds the loaded catalogues. A Bundle is safe for concurrent use
// once configured; [Bundle.EnablePseudo] must be called before it is shared.
type Bundle struct {
	locales map[string]*locale // by tag, including the pseudo locale
	order   []string           // tags offered to users, in display order
	def     string             // default tag
	pseudo  bool

	matcher language.Matcher
	matchTo []string // matcher index → tag
}

// New loads all embedded catalogues. It returns an error if a catalogue is
// missing or malformed. The default language is English; use
// [Bundle.WithDefault] to change it.
func New() (*Bundle, error) {
	return load(localeFS, "locales")
}

// load reads <dir>/<tag>.json from fsys for every shipped language.
func load(fsys fs.FS, dir string) (*Bundle, error) {
	b := &Bundle{locales: map[string]*locale{}, def: Source}
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("i18n: %w", err)
	}
	for _, e := range entries {
		tag, ok := strings.CutSuffix(e.Name(), ".json")
		if !ok || e.IsDir() {
			continue
		}
		if !slices.ContainsFunc(languages, func(l langDef) bool { return l.Tag == tag }) {
			return nil, fmt.Errorf("i18n: %s/%s: no language %q is configured", dir, e.Name(), tag)
		}
	}
	for _, l := range languages {
		name := dir + "/" + l.Tag + ".json"
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("i18n: %w", err)
		}
		cat, err := parseCatalog(data)
		if err != nil {
			return nil, fmt.Errorf("i18n: %s: %w", name, err)
		}
		b.locales[l.Tag] = &locale{Language: l.Language, plural: l.plural, msgs: cat, fmt: localeFormats[l.Tag]}
		b.order = append(b.order, l.Tag)
	}
	en := b.locales[Source]
	b.locales[PseudoRTL] = &locale{
		Language: Language{Tag: PseudoRTL, Name: "Pseudo-RTL", Dir: "rtl"},
		plural:   language.English,
		msgs:     pseudoCatalog(en.msgs),
		fmt:      en.fmt,
	}
	b.buildMatcher()
	return b, nil
}

func (b *Bundle) buildMatcher() {
	b.matchTo = slices.Clone(b.order)
	tags := make([]language.Tag, len(b.matchTo))
	for i, t := range b.matchTo {
		tags[i] = language.MustParse(t)
	}
	b.matcher = language.NewMatcher(tags)
}

// EnablePseudo adds the pseudo right-to-left locale ar-XB to the languages
// offered by b (at the end of [Bundle.Languages]) and returns b. It changes
// b itself, so call it while setting up, before b is used concurrently.
func (b *Bundle) EnablePseudo() *Bundle {
	if !b.pseudo {
		b.pseudo = true
		b.order = append(slices.Clip(b.order), PseudoRTL)
		b.buildMatcher()
	}
	return b
}

// WithDefault returns a copy of b whose default language is tag, the
// language used when nothing a user prefers is supported. tag is resolved
// like an explicit choice in [Bundle.Match] ("ko-KR" selects ko); if it
// matches no supported language the copy keeps b's default. b is unchanged.
func (b *Bundle) WithDefault(tag string) *Bundle {
	c := *b
	if t, ok := b.resolve(tag); ok {
		c.def = t
	}
	return &c
}

// Default returns the tag of the default language.
func (b *Bundle) Default() string { return b.def }

// Languages returns the languages offered to users in display order: en, ko,
// th, mn, ne, then ar-XB if [Bundle.EnablePseudo] was called.
func (b *Bundle) Languages() []Language {
	out := make([]Language, len(b.order))
	for i, t := range b.order {
		out[i] = b.locales[t].Language
	}
	return out
}

// Supported reports whether tag names one of the languages in
// [Bundle.Languages] exactly (ignoring case), e.g. "ko" but not "ko-KR".
func (b *Bundle) Supported(tag string) bool {
	_, ok := b.exact(tag)
	return ok
}

func (b *Bundle) exact(tag string) (string, bool) {
	for _, t := range b.order {
		if strings.EqualFold(t, strings.TrimSpace(tag)) {
			return t, true
		}
	}
	return "", false
}

// resolve finds the supported language for one preference string, which may
// be a single tag or a whole Accept-Language header value.
func (b *Bundle) resolve(pref string) (string, bool) {
	pref = strings.TrimSpace(pref)
	if pref == "" {
		return "", false
	}
	if t, ok := b.exact(pref); ok {
		return t, true
	}
	desired, _, err := language.ParseAcceptLanguage(pref)
	if err != nil || len(desired) == 0 {
		return "", false
	}
	_, i, conf := b.matcher.Match(desired...)
	if conf == language.No || i < 0 || i >= len(b.matchTo) {
		return "", false
	}
	t := b.matchTo[i]
	if t == PseudoRTL && !asksForPseudo(desired) {
		// Only an explicit request for ar-XB selects the pseudo locale;
		// an Arabic speaker must not get it.
		return "", false
	}
	return t, true
}

func asksForPseudo(desired []language.Tag) bool {
	for _, d := range desired {
		if r, _ := d.Region(); r.String() == "XB" {
			return true
		}
	}
	return false
}

// Match returns a Localizer for the first preference that names a supported
// language. Preferences are given in order of precedence, typically an
// explicit choice (user setting or cookie) and then the Accept-Language
// header value, e.g. Match(cookieValue, r.Header.Get("Accept-Language")).
// Each may be a single tag or a full header value with q-weights; empty or
// invalid values are skipped. Within one header the language matcher of
// golang.org/x/text/language picks the best supported language. If nothing
// matches, the default language is used.
func (b *Bundle) Match(preferred ...string) *Localizer {
	for _, p := range preferred {
		if t, ok := b.resolve(p); ok {
			return b.localizer(t)
		}
	}
	return b.localizer(b.def)
}

// Localizer returns a Localizer for tag. A tag that is not supported exactly
// is resolved as by [Bundle.Match], so the result is never nil.
func (b *Bundle) Localizer(tag string) *Localizer {
	if t, ok := b.exact(tag); ok {
		return b.localizer(t)
	}
	return b.Match(tag)
}

func (b *Bundle) localizer(tag string) *Localizer {
	return &Localizer{loc: b.locales[tag], src: b.locales[Source]}
}

// Keys returns the keys of the English catalogue, sorted.
func (b *Bundle) Keys() []string {
	keys := make([]string, 0, len(b.locales[Source].msgs))
	for k := range b.locales[Source].msgs {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
