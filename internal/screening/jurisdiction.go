package screening

import (
	"embed"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
)

//go:embed jurisdictions/*.json
var embeddedJurisdictions embed.FS

// ProtocolJurisdiction is the code of the default legal profile: the
// Protocol's own definition with no national additions.
const ProtocolJurisdiction = "protocol"

// Jurisdiction is a national definition of trafficking, as data, so that it
// can be corrected by the authority that knows the law without a code change.
type Jurisdiction struct {
	Code string `json:"code"`
	Name string `json:"name"`
	// AgeOfMajority: persons younger than this are children under national law.
	AgeOfMajority int `json:"age_of_majority"`
	// MeansRequiredForChildren is true where national law, unlike Protocol
	// art. 3(c), needs means to be shown for a child.
	MeansRequiredForChildren bool `json:"means_required_for_children"`
	// NationalForms lists the forms of exploitation beyond the Protocol's
	// minimum that national law covers.
	NationalForms []string `json:"national_forms"`
	// ChildSexualExploitationRequiresMeans is true where national law does
	// not treat the sexual exploitation of a child as trafficking without
	// force, fraud or coercion.
	ChildSexualExploitationRequiresMeans bool       `json:"child_sexual_exploitation_requires_means"`
	Provenance                           Provenance `json:"provenance"`
}

var codePattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]{0,31}$`)

// ParseJurisdiction decodes and validates a national legal profile.
func ParseJurisdiction(data []byte) (*Jurisdiction, error) {
	var j Jurisdiction
	if err := decodeStrict(data, &j); err != nil {
		return nil, fmt.Errorf("screening: jurisdiction: %w", err)
	}
	if err := j.validate(); err != nil {
		return nil, fmt.Errorf("screening: jurisdiction %q: %w", j.Code, err)
	}
	return &j, nil
}

// DefaultJurisdictions returns freshly parsed copies of the embedded legal
// profiles: the Protocol default and the illustrative, unverified samples.
func DefaultJurisdictions() ([]*Jurisdiction, error) {
	return parseEmbedded(embeddedJurisdictions, "jurisdictions", ParseJurisdiction,
		func(j *Jurisdiction) string { return j.Code })
}

func (j *Jurisdiction) validate() error {
	if !codePattern.MatchString(j.Code) {
		return fmt.Errorf("code must be 1-32 letters, digits, '_' or '-', starting with a letter")
	}
	if strings.TrimSpace(j.Name) == "" {
		return fmt.Errorf("name is empty")
	}
	if j.AgeOfMajority < 1 || j.AgeOfMajority > maxAge {
		return fmt.Errorf("age_of_majority %d must be between 1 and %d", j.AgeOfMajority, maxAge)
	}
	seen := map[string]bool{}
	for _, f := range j.NationalForms {
		if !isNationalForm(f) {
			return fmt.Errorf("national_forms: %q is not one of %s", f, strings.Join(nationalFormCodes, ", "))
		}
		if seen[f] {
			return fmt.Errorf("national_forms: %q listed twice", f)
		}
		seen[f] = true
	}
	if strings.TrimSpace(j.Provenance.Source) == "" {
		return fmt.Errorf("provenance.source is empty")
	}
	return nil
}

func (j *Jurisdiction) covers(form string) bool {
	for _, f := range j.NationalForms {
		if f == form {
			return true
		}
	}
	return false
}

func (j *Jurisdiction) clone() (*Jurisdiction, error) {
	data, err := json.Marshal(j)
	if err != nil {
		return nil, fmt.Errorf("screening: jurisdiction %q: %w", j.Code, err)
	}
	return ParseJurisdiction(data)
}
