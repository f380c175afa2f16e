package secret

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

type refusedError struct{ msg string }

func (e *refusedError) Error() string { return e.msg }

func TestScrubHidesTheSecretAndKeepsTheChain(t *testing.T) {
	const pw = "s3cret-Pass-99"
	refused := &refusedError{msg: "password authentication failed: password=" + pw}
	err := fmt.Errorf("logging in: %w (%w)", refused, context.DeadlineExceeded)

	got := Scrub(err, pw, "[temporary password]")
	if strings.Contains(got.Error(), pw) || got.Error() != "logging in: password authentication failed: password=[temporary password] (context deadline exceeded)" {
		t.Errorf("message %q", got)
	}
	var as *refusedError
	if !errors.Is(got, context.DeadlineExceeded) || !errors.As(got, &as) || as != refused {
		t.Errorf("the chain is lost: Is %v, As %v", errors.Is(got, context.DeadlineExceeded), errors.As(got, &as))
	}
	if !errors.Is(got, err) {
		t.Error("the scrubbed error does not unwrap to the original")
	}
}

func TestScrubLeavesWhatHoldsNoSecret(t *testing.T) {
	err := errors.New("timeout")
	if Scrub(err, "pw", "x") != err || Scrub(err, "", "x") != err || Scrub(nil, "pw", "x") != nil {
		t.Error("an error without the secret, or no secret, must come back as it is")
	}
	// An empty secret would match everywhere: nothing is replaced.
	if got := Scrub(errors.New("abc"), "", "[x]").Error(); got != "abc" {
		t.Errorf("empty secret: %q", got)
	}
}
