package directory

import "github.com/haven-nrm/haven/internal/errs"

// Code is a stable code: why a directory record was refused, or what a
// warning is about. User interfaces translate it ("directory.error.<code>",
// "directory.warning.<code>"); logs keep it as it is.
type Code string

// Error codes.
const (
	// CodeInvalidID: an id is missing or is not printable ASCII without
	// spaces of at most 128 bytes.
	CodeInvalidID Code = "invalid_id"
	// CodeRequired: a required text (a name) is missing or blank.
	CodeRequired Code = "required"
	// CodeTooLong: a text is longer than its limit.
	CodeTooLong Code = "too_long"
	// CodeInvalidText: a text is not UTF-8, holds control characters (a
	// line break in a single-line field) or bidirectional overrides.
	CodeInvalidText Code = "invalid_text"
	// CodeUnknownServiceType: not one of the service types of package
	// support.
	CodeUnknownServiceType Code = "unknown_service_type"
	// CodeUnknownStatus: not one of the HSDS service statuses.
	CodeUnknownStatus Code = "unknown_status"
	// CodeInvalidLanguage: not an ISO 639 code of a language.
	CodeInvalidLanguage Code = "invalid_language"
	// CodeDuplicateLanguage: the same language is listed twice.
	CodeDuplicateLanguage Code = "duplicate_language"
	// CodeTooMany: a list is longer than its limit.
	CodeTooMany Code = "too_many"
	// CodeInvalidAge: an age limit outside 0 to MaxAge.
	CodeInvalidAge Code = "invalid_age"
	// CodeAgeRange: the minimum age is above the maximum age.
	CodeAgeRange Code = "age_range"
	// CodeUnknownGender: not an HTCDS gender code.
	CodeUnknownGender Code = "unknown_gender"
	// CodeDuplicateGender: the same gender is listed twice.
	CodeDuplicateGender Code = "duplicate_gender"
	// CodeEligibilityConflict: the eligibility cannot be met by anyone
	// (children only and adults only, children only from age 18, adults
	// only up to an age under 18).
	CodeEligibilityConflict Code = "eligibility_conflict"
	// CodeUnknownUnit: not one of the capacity units.
	CodeUnknownUnit Code = "unknown_unit"
	// CodeInvalidCapacity: a negative count, more available than the total,
	// a total above MaxCapacity, or counts without a unit.
	CodeInvalidCapacity Code = "invalid_capacity"
	// CodeInvalidCountry: not two upper-case letters (ISO 3166-1 alpha-2).
	CodeInvalidCountry Code = "invalid_country"
	// CodeAreaRequired: a confidential location has no Area to show in
	// place of its address.
	CodeAreaRequired Code = "area_required"
	// CodeAreaRevealsAddress: the Area of a confidential location holds its
	// street line or postal code.
	CodeAreaRevealsAddress Code = "area_reveals_address"
	// CodeConfidentialPublicShelter: a location is both confidential and
	// declared a public shelter.
	CodeConfidentialPublicShelter Code = "confidential_public_shelter"
	// CodeMismatch: a service_at_location names another service or location
	// than the ones given.
	CodeMismatch Code = "mismatch"
)

// Warning codes: the record is accepted, but a person should look at it.
const (
	// WarnShelterNotConfidential: a shelter is delivered at a location that
	// is neither confidential nor declared a public shelter, so its address
	// is shown to every signed-in user.
	WarnShelterNotConfidential Code = "shelter_not_confidential"
)

// ErrorCodes returns every error code, in a fixed order.
func ErrorCodes() []Code {
	return []Code{CodeInvalidID, CodeRequired, CodeTooLong, CodeInvalidText, CodeUnknownServiceType, CodeUnknownStatus,
		CodeInvalidLanguage, CodeDuplicateLanguage, CodeTooMany, CodeInvalidAge, CodeAgeRange, CodeUnknownGender,
		CodeDuplicateGender, CodeEligibilityConflict, CodeUnknownUnit, CodeInvalidCapacity, CodeInvalidCountry,
		CodeAreaRequired, CodeAreaRevealsAddress, CodeConfidentialPublicShelter, CodeMismatch}
}

// WarningCodes returns every warning code.
func WarningCodes() []Code { return []Code{WarnShelterNotConfidential} }

// Domain names the package in error texts and translation keys.
func (Code) Domain() string { return "directory" }

// Kind classifies a refusal: every one is invalid input, shown next to its
// field with the message "directory.error.<code>".
func (Code) Kind() errs.Kind { return errs.Invalid }

// Error is a refused directory record (errs.Refusal, the rule packages'
// one error type). It holds a code and a field name only: never the text
// that was refused, which may name a safe house. Field names the input
// concerned, in HSDS style ("name", "eligibility.minimum_age", "languages",
// "address.postal_code").
type Error = errs.Refusal[Code]

// CodeOf returns the code of a directory error in err's chain, or "".
func CodeOf(err error) Code { return errs.CodeOf[Code](err) }

func refuse(code Code, field string) error { return &Error{Code: code, Field: field} }
