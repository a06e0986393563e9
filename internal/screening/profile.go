package screening

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
)

//go:embed profiles/*.json
var embeddedProfiles embed.FS

// maxProfileBytes bounds a profile file; the ILO–EC lists are about 14 KB.
const maxProfileBytes = 1 << 20

// Provenance says where a profile's content comes from and whether a
// responsible person has checked it against that source. Unverified data is
// usable but every result built on it carries a warning.
type Provenance struct {
	Source   string `json:"source"`
	Verified bool   `json:"verified"`
	Note     string `json:"note,omitempty"`
}

// Profile is one list of indicators with the rule that combines them, in
// the format of the embedded ILO–EC 2009 files.
type Profile struct {
	ID           string      `json:"id"`
	Title        string      `json:"title"`
	Population   string      `json:"population"`
	Exploitation string      `json:"exploitation"`
	Provenance   Provenance  `json:"provenance"`
	Dimensions   []Dimension `json:"dimensions"`
	Rule         Rule        `json:"rule"`

	// index maps indicator id to its dimension and grade; built by ParseProfile.
	index map[string]indicatorRef
}

// Dimension groups indicators of one kind, e.g. deceptive recruitment.
type Dimension struct {
	ID         string      `json:"id"`
	Label      string      `json:"label"`
	Indicators []Indicator `json:"indicators"`
}

// Indicator is one observable fact with its grade: strong, medium or weak.
type Indicator struct {
	ID    string `json:"id"`
	Label string `json:"label"`
	Grade string `json:"grade"`
}

// Rule combines indicators into dimensions and dimensions into a verdict.
type Rule struct {
	// DimensionPositiveIfAny: a dimension is positive when any of these
	// thresholds is met.
	DimensionPositiveIfAny []Threshold `json:"dimension_positive_if_any"`
	// Groups names sets of dimensions; a group is positive when any of its
	// dimensions is.
	Groups map[string][]string `json:"groups"`
	// VictimIf lists the groups that must all be positive for the verdict
	// "victim".
	VictimIf []string `json:"victim_if"`
	// TypesGroup names the group whose positive dimensions are reported as
	// the sub-types of trafficking; when empty, the group "recruitment" is
	// used if the profile has one.
	TypesGroup string `json:"types_group,omitempty"`
}

// Threshold holds minimum counts of present indicators, keyed by "strong",
// "medium", "weak" and "medium_or_weak". Each present indicator counts
// towards one key only: medium_or_weak is met by the medium and weak
// indicators left over after the "medium" and "weak" minimums are taken.
// A stronger indicator does not stand in for a weaker grade; the published
// thresholds list every combination they accept.
type Threshold map[string]int

type indicatorRef struct {
	dimension string
	grade     string
}

var (
	idPattern   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$`)
	partPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$`)
)

var thresholdKeys = []string{GradeStrong, GradeMedium, GradeWeak, KeyMediumOrWeak}

// ParseProfile decodes and validates a profile. It rejects unknown fields,
// duplicate ids, indicator ids not prefixed by their dimension id, unknown
// grades, and rules that refer to missing dimensions or groups, so that a
// mistyped profile fails when loaded rather than screening wrongly.
func ParseProfile(data []byte) (*Profile, error) {
	var p Profile
	if err := decodeStrict(data, &p); err != nil {
		return nil, fmt.Errorf("screening: profile: %w", err)
	}
	if err := p.validate(); err != nil {
		if p.ID != "" {
			return nil, fmt.Errorf("screening: profile %q: %w", p.ID, err)
		}
		return nil, fmt.Errorf("screening: profile: %w", err)
	}
	return &p, nil
}

// LoadProfileFile reads and parses a profile from a file.
func LoadProfileFile(path string) (*Profile, error) {
	data, err := readLimited(path, maxProfileBytes)
	if err != nil {
		return nil, fmt.Errorf("screening: profile: %w", err)
	}
	p, err := ParseProfile(data)
	if err != nil {
		return nil, fmt.Errorf("%w (file %s)", err, path)
	}
	return p, nil
}

// DefaultProfiles returns freshly parsed copies of the embedded ILO–EC 2009
// labour profiles (both unverified: see their provenance notes).
func DefaultProfiles() ([]*Profile, error) {
	return parseEmbedded(embeddedProfiles, "profiles", ParseProfile, func(p *Profile) string { return p.ID })
}

// parseEmbedded parses every file of dir in fsys with parse, in name order
// (ReadDir sorts by name). Each file must be named after the code of what
// it holds (key), plus ".json".
func parseEmbedded[T any](fsys embed.FS, dir string, parse func([]byte) (T, error), key func(T) string) ([]T, error) {
	entries, err := fsys.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []T
	for _, e := range entries {
		data, err := fsys.ReadFile(dir + "/" + e.Name())
		if err != nil {
			return nil, err
		}
		v, err := parse(data)
		if err != nil {
			return nil, fmt.Errorf("%w (embedded %s)", err, e.Name())
		}
		if want := strings.TrimSuffix(e.Name(), ".json"); key(v) != want {
			return nil, fmt.Errorf("screening: embedded %s holds code %q", e.Name(), key(v))
		}
		out = append(out, v)
	}
	return out, nil
}

func (p *Profile) validate() error {
	if !idPattern.MatchString(p.ID) {
		return fmt.Errorf("id %q must be 1-100 letters, digits, '.', '_' or '-'", p.ID)
	}
	if strings.TrimSpace(p.Title) == "" {
		return fmt.Errorf("title is empty")
	}
	if p.Population != PopulationAdult && p.Population != PopulationChild {
		return fmt.Errorf("population %q must be %q or %q", p.Population, PopulationAdult, PopulationChild)
	}
	if p.Exploitation != ExploitationLabour && p.Exploitation != ExploitationSexual {
		return fmt.Errorf("exploitation %q must be %q or %q", p.Exploitation, ExploitationLabour, ExploitationSexual)
	}
	if strings.TrimSpace(p.Provenance.Source) == "" {
		return fmt.Errorf("provenance.source is empty")
	}
	if len(p.Dimensions) == 0 {
		return fmt.Errorf("no dimensions")
	}
	dims := map[string]bool{}
	p.index = map[string]indicatorRef{}
	for _, d := range p.Dimensions {
		if !partPattern.MatchString(d.ID) {
			return fmt.Errorf("dimension id %q must be 1-100 letters, digits, '_' or '-'", d.ID)
		}
		if dims[d.ID] {
			return fmt.Errorf("duplicate dimension id %q", d.ID)
		}
		dims[d.ID] = true
		if len(d.Indicators) == 0 {
			return fmt.Errorf("dimension %q has no indicators", d.ID)
		}
		for _, ind := range d.Indicators {
			rest, ok := strings.CutPrefix(ind.ID, d.ID+".")
			if !ok || !partPattern.MatchString(rest) {
				return fmt.Errorf("indicator id %q must be %q followed by a name", ind.ID, d.ID+".")
			}
			if _, dup := p.index[ind.ID]; dup {
				return fmt.Errorf("duplicate indicator id %q", ind.ID)
			}
			switch ind.Grade {
			case GradeStrong, GradeMedium, GradeWeak:
			default:
				return fmt.Errorf("indicator %q: grade %q must be strong, medium or weak", ind.ID, ind.Grade)
			}
			p.index[ind.ID] = indicatorRef{dimension: d.ID, grade: ind.Grade}
		}
	}
	r := p.Rule
	if len(r.DimensionPositiveIfAny) == 0 {
		return fmt.Errorf("rule.dimension_positive_if_any is empty")
	}
	for i, t := range r.DimensionPositiveIfAny {
		sum := 0
		for _, k := range sortedKeys(t) {
			v := t[k]
			if !slices.Contains(thresholdKeys, k) {
				return fmt.Errorf("rule.dimension_positive_if_any[%d]: key %q must be one of %s", i, k, strings.Join(thresholdKeys, ", "))
			}
			if v < 0 || v > 1000 {
				return fmt.Errorf("rule.dimension_positive_if_any[%d]: %s must be between 0 and 1000", i, k)
			}
			sum += v
		}
		// A threshold of all zeros would make every dimension positive.
		if sum == 0 {
			return fmt.Errorf("rule.dimension_positive_if_any[%d] requires no indicators", i)
		}
	}
	if len(r.Groups) == 0 {
		return fmt.Errorf("rule.groups is empty")
	}
	for _, g := range sortedKeys(r.Groups) {
		if !partPattern.MatchString(g) {
			return fmt.Errorf("rule.groups: name %q must be 1-100 letters, digits, '_' or '-'", g)
		}
		members := r.Groups[g]
		if len(members) == 0 {
			return fmt.Errorf("rule.groups.%s is empty", g)
		}
		seen := map[string]bool{}
		for _, d := range members {
			if !dims[d] {
				return fmt.Errorf("rule.groups.%s: no dimension %q", g, d)
			}
			if seen[d] {
				return fmt.Errorf("rule.groups.%s: dimension %q listed twice", g, d)
			}
			seen[d] = true
		}
	}
	if len(r.VictimIf) == 0 {
		return fmt.Errorf("rule.victim_if is empty")
	}
	seen := map[string]bool{}
	for _, g := range r.VictimIf {
		if _, ok := r.Groups[g]; !ok {
			return fmt.Errorf("rule.victim_if: no group %q", g)
		}
		if seen[g] {
			return fmt.Errorf("rule.victim_if: group %q listed twice", g)
		}
		seen[g] = true
	}
	if r.TypesGroup != "" {
		if _, ok := r.Groups[r.TypesGroup]; !ok {
			return fmt.Errorf("rule.types_group: no group %q", r.TypesGroup)
		}
	}
	return nil
}

// typesGroup returns the group whose positive dimensions name the sub-type,
// or "" when the profile has none.
func (p *Profile) typesGroup() string {
	if p.Rule.TypesGroup != "" {
		return p.Rule.TypesGroup
	}
	if _, ok := p.Rule.Groups[defaultTypesGroup]; ok {
		return defaultTypesGroup
	}
	return ""
}

// clone returns an independent, validated copy, so an Engine is not
// affected by later changes to the caller's Profile.
func (p *Profile) clone() (*Profile, error) {
	data, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("screening: profile %q: %w", p.ID, err)
	}
	return ParseProfile(data)
}

// IndicatorCount returns the number of indicators in the profile.
func (p *Profile) IndicatorCount() int {
	n := 0
	for _, d := range p.Dimensions {
		n += len(d.Indicators)
	}
	return n
}

// describe renders a threshold in a fixed key order, e.g.
// "1 strong + 1 medium_or_weak".
func (t Threshold) describe() string {
	var parts []string
	for _, k := range thresholdKeys {
		if t[k] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", t[k], k))
		}
	}
	return strings.Join(parts, " + ")
}

// decodeStrict decodes exactly one JSON value, rejecting unknown fields and
// trailing data.
func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("unexpected data after the JSON object")
	}
	return nil
}

func readLimited(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s is larger than %d bytes", path, limit)
	}
	return data, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
