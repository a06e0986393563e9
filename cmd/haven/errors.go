package main

import (
	"errors"

	"github.com/haven-nrm/haven/internal/errs"
)

// userMessage is what a command prints for an error: the cause for the
// operator, who runs the command on the server. Errors carry no personal
// data by construction (store and seal errors name ids and kinds only).
func userMessage(err error) string {
	var e *errs.Error
	if errors.As(err, &e) && e.Err != nil {
		return e.Err.Error()
	}
	return err.Error()
}
