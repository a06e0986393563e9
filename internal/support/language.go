package support

import (
	"time"

	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/ident"
)

// Clock tells the time. A Checklist reads it to refuse dates in the future;
// pass the real clock in production and a fixed one in tests.
type Clock func() time.Time

// checkLanguage refuses an empty or invalid language.
func checkLanguage(field, lang string) error {
	if lang == "" {
		return errs.Refuse(CodeLanguageRequired, field, "")
	}
	if !ident.Language(lang) {
		return errs.Refuse(CodeInvalidLanguage, field, "")
	}
	return nil
}

// checkWhen refuses a missing time, a missing clock reading and a time after
// now.
func checkWhen(at, now time.Time) error {
	if at.IsZero() || now.IsZero() {
		return errs.Refuse(CodeInvalidInput, "at", "")
	}
	if at.After(now) {
		return errs.Refuse(CodeFutureDate, "at", "")
	}
	return nil
}

// checkActor refuses a missing or malformed user id.
func checkActor(by string) error {
	if by == "" {
		return errs.Refuse(CodeActorRequired, "by", "")
	}
	if !ident.Valid(by) {
		return errs.Refuse(CodeInvalidInput, "by", "")
	}
	return nil
}
