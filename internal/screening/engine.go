package screening

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// ErrUnknownProfile and ErrUnknownJurisdiction are wrapped by Screen when
// Options names a profile or jurisdiction the engine does not hold.
var (
	ErrUnknownProfile      = errors.New("screening: unknown indicator profile")
	ErrUnknownJurisdiction = errors.New("screening: unknown jurisdiction")
)

// Engine screens cases against a fixed set of indicator profiles and
// national legal profiles. It is immutable once built and safe for
// concurrent use.
type Engine struct {
	profiles      map[string]*Profile
	profileIDs    []string
	jurisdictions map[string]*Jurisdiction // keyed by lower-case code
	codes         []string
}

// Options choose the indicator profile and national legal profile. Empty
// values mean: choose the profile from the case, and use the Protocol.
type Options struct {
	ProfileID    string
	Jurisdiction string
}

// NewEngine builds an engine from validated copies of the given profiles and
// jurisdictions. Ids and codes must be unique (codes case-insensitively). The
// Protocol default jurisdiction is added when not given.
func NewEngine(profiles []*Profile, jurisdictions []*Jurisdiction) (*Engine, error) {
	e := &Engine{profiles: map[string]*Profile{}, jurisdictions: map[string]*Jurisdiction{}}
	for _, p := range profiles {
		if p == nil {
			return nil, errors.New("screening: nil profile")
		}
		if _, dup := e.profiles[p.ID]; dup {
			return nil, fmt.Errorf("screening: duplicate profile id %q", p.ID)
		}
		cp, err := p.clone()
		if err != nil {
			return nil, err
		}
		e.profiles[cp.ID] = cp
		e.profileIDs = append(e.profileIDs, cp.ID)
	}
	sort.Strings(e.profileIDs)
	for _, j := range jurisdictions {
		if j == nil {
			return nil, errors.New("screening: nil jurisdiction")
		}
		key := strings.ToLower(j.Code)
		if _, dup := e.jurisdictions[key]; dup {
			return nil, fmt.Errorf("screening: duplicate jurisdiction code %q", j.Code)
		}
		cj, err := j.clone()
		if err != nil {
			return nil, err
		}
		e.jurisdictions[key] = cj
	}
	if _, ok := e.jurisdictions[ProtocolJurisdiction]; !ok {
		data, err := embeddedJurisdictions.ReadFile("jurisdictions/" + ProtocolJurisdiction + ".json")
		if err != nil {
			return nil, err
		}
		j, err := ParseJurisdiction(data)
		if err != nil {
			return nil, err
		}
		e.jurisdictions[ProtocolJurisdiction] = j
	}
	for _, j := range e.jurisdictions {
		e.codes = append(e.codes, j.Code)
	}
	sort.Strings(e.codes)
	return e, nil
}

// DefaultEngine builds an engine from the embedded profiles and
// jurisdictions.
func DefaultEngine() (*Engine, error) {
	ps, err := DefaultProfiles()
	if err != nil {
		return nil, err
	}
	js, err := DefaultJurisdictions()
	if err != nil {
		return nil, err
	}
	return NewEngine(ps, js)
}

// ProfileIDs returns the ids of the loaded profiles, sorted.
func (e *Engine) ProfileIDs() []string { return append([]string{}, e.profileIDs...) }

// JurisdictionCodes returns the codes of the loaded jurisdictions, sorted.
func (e *Engine) JurisdictionCodes() []string { return append([]string{}, e.codes...) }

// Screen assesses one case. It returns an *InputError for a problem with
// the case (including indicator ids unknown to the profile in use), and an
// error wrapping ErrUnknownProfile or ErrUnknownJurisdiction for bad
// options. The result is deterministic.
func (e *Engine) Screen(c Case, opts Options) (Result, error) {
	if err := c.Validate(); err != nil {
		return Result{}, err
	}
	jur, ok := e.jurisdictions[strings.ToLower(opts.Jurisdiction)]
	if opts.Jurisdiction == "" {
		jur, ok = e.jurisdictions[ProtocolJurisdiction], true
	}
	if !ok {
		return Result{}, fmt.Errorf("%w %q (loaded: %s)", ErrUnknownJurisdiction, opts.Jurisdiction, strings.Join(e.codes, ", "))
	}
	f := normalize(c)
	s := &screen{facts: f}

	s.protocol()
	if err := s.indicators(e, opts.ProfileID); err != nil {
		return Result{}, err
	}
	s.smuggling()
	s.national(jur)
	s.classify()

	r := s.res
	r.Warnings = s.warn.sorted()
	r.Explanation = s.lines
	return r, nil
}

// facts is a case with every list de-duplicated and sorted.
type facts struct {
	age          *int
	mayBeChild   bool
	exploitation string
	acts         []string
	means        []string
	purposes     []string // Protocol purposes only
	forms        []string // national forms given as purposes
	unknown      map[string]bool
	indicators   []string
	smuggling    SmugglingFacts
}

func normalize(c Case) facts {
	f := facts{
		age:          c.Age,
		mayBeChild:   c.MayBeChild,
		exploitation: c.Exploitation,
		acts:         sortedSet(c.Acts),
		means:        sortedSet(c.Means),
		unknown:      map[string]bool{},
		indicators:   sortedSet(c.Indicators),
		smuggling:    c.Smuggling,
	}
	all := sortedSet(c.Purposes)
	f.purposes = filter(all, isProtocolPurpose)
	f.forms = filter(all, isNationalForm)
	for _, u := range c.Unknown {
		f.unknown[u] = true
	}
	return f
}

// screen carries the state of one screening while its parts are evaluated.
type screen struct {
	facts facts
	res   Result
	warn  warnings
	lines []Line
	// anyPositiveDimension records whether an indicator dimension was
	// positive, a trafficking signal even when the verdict is not victim.
	anyPositiveDimension bool
}

func (s *screen) line(l Line) {
	if l.Facts == nil {
		l.Facts = []string{}
	}
	s.lines = append(s.lines, l)
}

// elementState applies the element rule: present if any code is given,
// unknown if the element is listed as unknown and no code is given, else
// absent.
func elementState(codes []string, unknown bool) string {
	switch {
	case len(codes) > 0:
		return Present
	case unknown:
		return Unknown
	default:
		return Absent
	}
}

// verdictFor applies the verdict rule to the required elements: not_met if
// any is absent, else insufficient if any is unknown, else meets. Absence
// wins over unknown because a known gap cannot be filled by more facts about
// another element.
func verdictFor(el Elements, meansRequired bool) string {
	required := []string{ElementAct, ElementPurpose}
	if meansRequired {
		required = []string{ElementAct, ElementMeans, ElementPurpose}
	}
	anyUnknown := false
	for _, name := range required {
		switch el.get(name) {
		case Absent:
			return VerdictNotMet
		case Unknown:
			anyUnknown = true
		}
	}
	if anyUnknown {
		return VerdictInsufficient
	}
	return VerdictMeets
}

func list(codes []string) string {
	if len(codes) == 0 {
		return "none"
	}
	return strings.Join(codes, ", ")
}

// Profile returns a copy of the loaded profile with the given id, for
// building forms.
func (e *Engine) Profile(id string) (*Profile, bool) {
	p, ok := e.profiles[id]
	if !ok {
		return nil, false
	}
	c, err := p.clone()
	return c, err == nil
}

// ProfileFor returns the profile the engine would choose for a population
// ("adult" or "child") and a form of exploitation ("labour" or "sexual"),
// if one is loaded.
func (e *Engine) ProfileFor(population, exploitation string) (*Profile, bool) {
	p := e.chooseProfile(population, exploitation)
	if p == nil {
		return nil, false
	}
	c, err := p.clone()
	return c, err == nil
}
