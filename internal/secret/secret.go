// Package secret keeps secrets out of error messages: drivers and SDKs
// sometimes echo a DSN, a query or a password in theirs.
package secret

import "strings"

// Scrub returns err with every occurrence of value in its message replaced
// by label (e.g. "[temporary password]"). The result still unwraps to err,
// so errors.Is and errors.As see the same chain; only Error() changes. err
// itself is returned when its message does not hold value.
func Scrub(err error, value, label string) error {
	if err == nil || value == "" {
		return err
	}
	msg := err.Error()
	if !strings.Contains(msg, value) {
		return err
	}
	return &scrubbed{msg: strings.ReplaceAll(msg, value, label), err: err}
}

type scrubbed struct {
	msg string
	err error
}

func (e *scrubbed) Error() string { return e.msg }
func (e *scrubbed) Unwrap() error { return e.err }
