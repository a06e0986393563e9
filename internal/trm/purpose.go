package trm

import (
	"regexp"
	"slices"
	"sort"
	"time"
	"unicode/utf8"

	"github.com/haven-nrm/haven/internal/errs"
)

// Purpose is what a case is sent to another country for.
type Purpose string

// Purposes (TRM-EU: referral between countries of destination and origin
// for assistance, assisted return and social inclusion, cooperation in
// proceedings; family tracing before a child's return; a statistics query).
const (
	PurposeAssistance  Purpose = "referral_assistance"
	PurposeReturn      Purpose = "return_reintegration"
	PurposeProceedings Purpose = "proceedings"
	PurposeFamily      Purpose = "family_tracing"
	PurposeStatistics  Purpose = "statistics"
)

// Category groups fields; a peering agreement names the categories that may
// flow.
type Category string

// Data categories.
const (
	CatCase      Category = "case"
	CatIdentity  Category = "identity"
	CatDocuments Category = "travel_documents"
	CatNeeds     Category = "needs"
	CatRisk      Category = "risk"
	CatExploit   Category = "exploitation"
	CatFamily    Category = "family"
	CatNarrative Category = "narrative"
)

// Kind of a field's value.
type Kind string

// Kinds of value. Text is identifying or free text: sealed at rest on both
// sides; every other kind is a code that reads in the receiver's language.
const (
	KindCode    Kind = "code"
	KindCodes   Kind = "codes"
	KindCountry Kind = "country"
	KindDate    Kind = "date"
	KindText    Kind = "text"
)

// Field is one HTCDS 2.0 field a package may carry.
type Field struct {
	Name     string // HTCDS name
	Category Category
	Kind     Kind
}

// Fields are every field any package may carry. A value under any other
// name is never sent.
var Fields = []Field{
	{"cas_IdentificationDate", CatCase, KindDate},
	{"cas_IdentifiedCountry", CatCase, KindCountry},
	{"cas_Status", CatCase, KindCode},
	{"prs_GivenName", CatIdentity, KindText},
	{"prs_FamilyName", CatIdentity, KindText},
	{"prs_DateOfBirth", CatIdentity, KindDate},
	{"prs_Gender", CatIdentity, KindCode},
	{"prs_Nationality", CatIdentity, KindCountry},
	{"prs_PreferredLanguage", CatIdentity, KindCode},
	{"prs_TravelDocumentType", CatDocuments, KindCode},
	{"prs_TravelDocumentNumber", CatDocuments, KindText},
	{"prs_TravelDocumentCountry", CatDocuments, KindCountry},
	{"vic_Needs", CatNeeds, KindCodes},
	{"vic_RiskLevel", CatRisk, KindCode},
	{"vic_RiskFactors", CatRisk, KindCodes},
	{"vic_TypeOfExploitation", CatExploit, KindCodes},
	{"vic_MethodsOfControl", CatExploit, KindCodes},
	{"vic_TraffickingStatus", CatExploit, KindCode},
	{"hte_CountryOfExploitation", CatExploit, KindCountry},
	{"prs_FamilyLocationRegion", CatFamily, KindText},
	{"prs_FamilyContact", CatFamily, KindText},
	{"vic_Statement", CatNarrative, KindText},
}

// FieldByName returns the field with the HTCDS name.
func FieldByName(name string) (Field, bool) {
	i := slices.IndexFunc(Fields, func(f Field) bool { return f.Name == name })
	if i < 0 {
		return Field{}, false
	}
	return Fields[i], true
}

// Rule is what one purpose needs: the minimum fields, whether consent is
// needed (nothing personal needs none), and the SOP it belongs to.
type Rule struct {
	Purpose Purpose
	// Fields are the only fields a package for the purpose may carry.
	Fields []string
	// Personal: the package identifies a person, so consent (or, for a
	// child, the guardian's agreement and a best-interests determination)
	// is required.
	Personal bool
	SOP      SOP
}

// Rules are the purposes, each with its minimum data (TRM-EU SOP 2 for
// referral; SOP 4: return needs identity, travel documents, needs and
// risk; SOP 5 for proceedings; family tracing needs identity and the
// family's region only; a statistics query needs nothing personal).
var Rules = []Rule{
	{PurposeAssistance, []string{"cas_IdentificationDate", "cas_IdentifiedCountry", "prs_GivenName", "prs_FamilyName",
		"prs_DateOfBirth", "prs_Gender", "prs_Nationality", "prs_PreferredLanguage", "vic_Needs", "vic_RiskLevel",
		"vic_TypeOfExploitation"}, true, SOPFirstAssistance},
	{PurposeReturn, []string{"cas_IdentificationDate", "cas_IdentifiedCountry", "prs_GivenName", "prs_FamilyName",
		"prs_DateOfBirth", "prs_Gender", "prs_Nationality", "prs_PreferredLanguage", "prs_TravelDocumentType",
		"prs_TravelDocumentNumber", "prs_TravelDocumentCountry", "vic_Needs", "vic_RiskLevel", "vic_RiskFactors"}, true, SOPReturn},
	{PurposeProceedings, []string{"cas_IdentificationDate", "cas_IdentifiedCountry", "prs_GivenName", "prs_FamilyName",
		"prs_DateOfBirth", "prs_Nationality", "vic_TypeOfExploitation", "vic_MethodsOfControl", "hte_CountryOfExploitation",
		"vic_Statement"}, true, SOPProceedings},
	{PurposeFamily, []string{"prs_GivenName", "prs_FamilyName", "prs_DateOfBirth", "prs_Gender", "prs_Nationality",
		"prs_FamilyLocationRegion", "prs_FamilyContact"}, true, SOPReturn},
	{PurposeStatistics, []string{"cas_IdentifiedCountry", "cas_Status", "vic_TypeOfExploitation", "vic_TraffickingStatus"}, false, SOPIdentification},
}

// RuleFor returns the rule of a purpose.
func RuleFor(p Purpose) (Rule, error) {
	for _, r := range Rules {
		if r.Purpose == p {
			return r, nil
		}
	}
	return Rule{}, errs.Refuse(CodeUnknownPurpose, "purpose", string(p))
}

// Agreement is the peering agreement, as data: which purposes, SOPs and
// data categories may flow between two instances, and the focal-point
// agency on each side.
type Agreement struct {
	Purposes    []Purpose  `json:"purposes"`
	SOPs        []SOP      `json:"sops"`
	Categories  []Category `json:"categories"`
	LocalFocal  string     `json:"local_focal,omitempty"`  // agency id here
	RemoteFocal string     `json:"remote_focal,omitempty"` // the peer's agency, as the peer names it
}

// DefaultAgreement allows every purpose, SOP and category: what two demo
// instances use; real agreements narrow it.
func DefaultAgreement() Agreement {
	a := Agreement{SOPs: SOPs()}
	for _, r := range Rules {
		a.Purposes = append(a.Purposes, r.Purpose)
	}
	for _, f := range Fields {
		if !slices.Contains(a.Categories, f.Category) {
			a.Categories = append(a.Categories, f.Category)
		}
	}
	return a
}

// Value is one field's value: Code for coded kinds and dates, Codes for a
// list of codes, Text for a text field.
type Value struct {
	Code  string   `json:"code,omitempty"`
	Codes []string `json:"codes,omitempty"`
	Text  string   `json:"text,omitempty"`
}

// Package is what crosses the border for a purpose: HTCDS fields only.
type Package struct {
	Purpose Purpose          `json:"purpose"`
	Child   bool             `json:"child"`
	Fields  map[string]Value `json:"fields"`
}

var (
	codeRe    = regexp.MustCompile(`^[a-z0-9_]{1,64}$`)
	countryRe = regexp.MustCompile(`^[A-Z]{2}$`)
)

// MaxText bounds a text value.
const MaxText = 2000

// Build makes the package for purpose from every fact the sender holds:
// it keeps only the purpose's fields that the agreement's categories allow
// and drops empty values; anything else, whatever its name, stays home.
// A kept value of the wrong shape is refused rather than sent.
func Build(p Purpose, a Agreement, child bool, facts map[string]Value) (Package, error) {
	r, err := RuleFor(p)
	if err != nil {
		return Package{}, err
	}
	if !slices.Contains(a.Purposes, p) {
		return Package{}, errs.Refuse(CodePurposeNotAgreed, "purpose", string(p))
	}
	pkg := Package{Purpose: p, Child: child, Fields: map[string]Value{}}
	for _, name := range r.Fields {
		f, _ := FieldByName(name)
		if !slices.Contains(a.Categories, f.Category) {
			continue
		}
		v, ok := facts[name]
		if !ok || (v.Code == "" && len(v.Codes) == 0 && v.Text == "") {
			continue
		}
		v, err := clean(f, v)
		if err != nil {
			return Package{}, err
		}
		pkg.Fields[name] = v
	}
	if len(pkg.Fields) == 0 {
		return Package{}, errs.Refuse(CodeNothingToSend, "purpose", string(p))
	}
	return pkg, nil
}

// Check is Build's counterpart at the receiver: a package may hold only
// its purpose's fields, each of the right shape.
func Check(pkg Package) error {
	r, err := RuleFor(pkg.Purpose)
	if err != nil {
		return err
	}
	for name, v := range pkg.Fields {
		f, ok := FieldByName(name)
		if !ok || !slices.Contains(r.Fields, name) {
			return errs.Refuse(CodeUnknownField, "fields", name)
		}
		if _, err := clean(f, v); err != nil {
			return err
		}
	}
	return nil
}

// clean keeps only the part of v that f's kind has, checked.
func clean(f Field, v Value) (Value, error) {
	bad := errs.Refuse(CodeBadValue, f.Name, "")
	switch f.Kind {
	case KindCode:
		if !codeRe.MatchString(v.Code) {
			return Value{}, bad
		}
		return Value{Code: v.Code}, nil
	case KindCountry:
		if !countryRe.MatchString(v.Code) {
			return Value{}, bad
		}
		return Value{Code: v.Code}, nil
	case KindDate:
		if _, err := time.Parse("2006-01-02", v.Code); err != nil {
			return Value{}, bad
		}
		return Value{Code: v.Code}, nil
	case KindCodes:
		if len(v.Codes) == 0 || len(v.Codes) > 32 {
			return Value{}, bad
		}
		for _, c := range v.Codes {
			if !codeRe.MatchString(c) {
				return Value{}, bad
			}
		}
		cs := slices.Clone(v.Codes)
		sort.Strings(cs)
		return Value{Codes: slices.Compact(cs)}, nil
	case KindText:
		if v.Text == "" || len(v.Text) > MaxText || !utf8.ValidString(v.Text) {
			return Value{}, bad
		}
		return Value{Text: v.Text}, nil
	}
	return Value{}, bad
}

// PSIBases are the legal bases a private set intersection may be run on,
// one case at a time: checking whether a person identified here was
// identified before in the peer country (re-trafficking), before a return,
// or for a criminal investigation.
var PSIBases = []string{"retrafficking_check", "pre_return_risk", "criminal_investigation"}
