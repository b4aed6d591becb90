package model

import (
	"errors"
	"fmt"
)

// Sentinel errors. Callers test them with errors.Is; the wrapped message
// names the field and the allowed values.
var (
	// ErrInvalid marks input that breaks a rule (a bad field value).
	ErrInvalid = errors.New("model: invalid")
	// ErrNotFound marks a reference to an object that does not exist.
	ErrNotFound = errors.New("model: not found")
	// ErrConflict marks a change that clashes with the current state.
	ErrConflict = errors.New("model: conflict")
)

// invalidf returns an ErrInvalid naming the field and what is allowed.
func invalidf(field, format string, args ...any) error {
	return fmt.Errorf("%w: %s: %s", ErrInvalid, field, fmt.Sprintf(format, args...))
}

// notFoundf returns an ErrNotFound naming what was looked up.
func notFoundf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrNotFound, fmt.Sprintf(format, args...))
}
