package common

import (
	"errors"
)

// ErrInterrupted marks a screen the user left with ctrl+c; the command
// maps it to exit code 130, as for a signal.
var ErrInterrupted = errors.New("interrupted")

// interruptedError is err, left with ctrl+c: it is both ErrInterrupted and
// what it wraps (ErrCloneCancelled, an InterruptedError naming the stack).
type interruptedError struct{ error }

func (e interruptedError) Is(target error) bool { return target == ErrInterrupted }
func (e interruptedError) Unwrap() error        { return e.error }

// Interrupted marks err as left with ctrl+c.
func Interrupted(err error) error {
	switch {
	case err == nil:
		return ErrInterrupted
	case errors.Is(err, ErrInterrupted):
		return err
	}
	return interruptedError{err}
}
