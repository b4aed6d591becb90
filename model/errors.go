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

// FieldError is an error about one field of the input. It carries the
// field as data, so that a client marks the field without reading the
// text: Field is its JSON path ("replicas", "object.spec.to.weight"),
// Reason what is wrong with it and what is allowed. Kind is the
// sentinel errors.Is matches (ErrInvalid, or a package's own), Context
// what the field belongs to ("apply Route shop/web"), when it helps.
//
// Its text is "<kind>: [<context>: ]<field>: <reason>".
type FieldError struct {
	Kind    error
	Context string
	Field   string
	Reason  string
}

// Error implements error.
func (e *FieldError) Error() string {
	s := e.Kind.Error() + ": "
	if e.Context != "" {
		s += e.Context + ": "
	}
	if e.Field != "" {
		s += e.Field + ": "
	}
	return s + e.Reason
}

// Unwrap makes errors.Is(err, e.Kind) true.
func (e *FieldError) Unwrap() error { return e.Kind }

// FieldErrorf returns a FieldError of kind about field.
func FieldErrorf(kind error, field, format string, args ...any) error {
	return &FieldError{Kind: kind, Field: field, Reason: fmt.Sprintf(format, args...)}
}

// invalidf returns an ErrInvalid naming the field and what is allowed.
func invalidf(field, format string, args ...any) error {
	return FieldErrorf(ErrInvalid, field, format, args...)
}

// notFoundf returns an ErrNotFound naming what was looked up.
func notFoundf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrNotFound, fmt.Sprintf(format, args...))
}
