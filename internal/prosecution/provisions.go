package prosecution

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/haven-nrm/haven/internal/ident"
)

// Provision is a legal provision a charge may be brought under, as a code
// of the deployment's list: the citation shown to users and the offence
// category it counts as, so that statistics and the misclassification
// warning (Misclassified) work on codes, never on text someone typed.
type Provision struct {
	// Code identifies the provision in the country's list.
	Code string `json:"code"`
	// Citation names the provision as written in law; it is public
	// reference data, never personal data.
	Citation string `json:"citation"`
	// Offence is the category a charge under it counts as: trafficking,
	// or one of the substitute offences.
	Offence OffenceCategory `json:"offence"`
}

// provisionList is one file of provisions/*.json.
type provisionList struct {
	Country    string `json:"country"`
	Provenance struct {
		Source   string `json:"source"`
		Verified bool   `json:"verified"`
		Note     string `json:"note"`
	} `json:"provenance"`
	Provisions []Provision `json:"provisions"`
}

//go:embed provisions/*.json
var provisionFiles embed.FS

var provisions = sync.OnceValues(loadProvisions)

// loadProvisions parses every embedded list strictly: unknown fields, codes
// that are not identifiers, duplicate codes, unknown offence categories and
// empty citations are errors.
func loadProvisions() (map[string][]Provision, error) {
	entries, err := provisionFiles.ReadDir("provisions")
	if err != nil {
		return nil, err
	}
	out := map[string][]Provision{}
	for _, e := range entries {
		data, err := provisionFiles.ReadFile("provisions/" + e.Name())
		if err != nil {
			return nil, err
		}
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		var l provisionList
		if err := dec.Decode(&l); err != nil {
			return nil, fmt.Errorf("prosecution: provisions/%s: %w", e.Name(), err)
		}
		if l.Country+".json" != e.Name() || len(l.Provisions) == 0 {
			return nil, fmt.Errorf("prosecution: provisions/%s names country %q or lists none", e.Name(), l.Country)
		}
		seen := map[string]bool{}
		for _, p := range l.Provisions {
			if !ident.Valid(p.Code) || seen[p.Code] || !p.Offence.Valid() || strings.TrimSpace(p.Citation) == "" {
				return nil, fmt.Errorf("prosecution: provisions/%s: provision %q is a duplicate or lacks a valid code, offence or citation", e.Name(), p.Code)
			}
			seen[p.Code] = true
		}
		out[l.Country] = l.Provisions
	}
	if out["default"] == nil {
		return nil, fmt.Errorf("prosecution: no default list of provisions")
	}
	return out, nil
}

// Provisions returns the provisions charges are brought under in country
// (an ISO 3166 code), or the default list for a country that has none.
func Provisions(country string) []Provision {
	all, err := provisions()
	if err != nil {
		panic(err) // the embedded lists are checked by a test
	}
	if l, ok := all[country]; ok {
		return l
	}
	return all["default"]
}

// LookupProvision returns the provision with code in list.
func LookupProvision(list []Provision, code string) (Provision, bool) {
	for _, p := range list {
		if p.Code == code {
			return p, true
		}
	}
	return Provision{}, false
}

// ChargeUnder completes c with the provision of list its Provision code
// names: the charge counts as that provision's offence category. A charge
// without a provision keeps the category given (AddCharge requires one). A
// code the list does not hold is refused with CodeUnknownProvision, and a
// category given that is not the provision's with CodeProvisionOffence.
func ChargeUnder(c Charge, list []Provision) (Charge, error) {
	if c.Provision == "" {
		return c, nil
	}
	p, ok := LookupProvision(list, c.Provision)
	if !ok {
		return Charge{}, refuse(CodeUnknownProvision, "provision", "")
	}
	if c.Offence != "" && c.Offence != p.Offence {
		return Charge{}, refuse(CodeProvisionOffence, "offence", string(c.Offence))
	}
	c.Offence = p.Offence
	return c, nil
}
