package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/dbaf/dbaf/artifact"
	dbafaws "github.com/dbaf/dbaf/aws"
	"github.com/dbaf/dbaf/config"
	"github.com/dbaf/dbaf/ui/common"
)

// Exit codes, documented in README.md (and docs/cloning.md for exit 2).
const (
	ExitOK          = 0
	ExitFailure     = 1   // anything not listed below
	ExitBadInput    = 2   // flags, the INI, or an artifact the account cannot satisfy
	ExitAWS         = 3   // credentials, permissions, throttling, AWS unreachable
	ExitDocker      = 4   // the Docker engine or a registry
	ExitCloneFailed = 5   // a stack resource failed in AWS (the message names the root cause)
	ExitInterrupted = 130 // Ctrl-C or SIGTERM
)

// usageErr marks a command-line mistake (exit code 2).
type usageErr struct{ error }

func (e usageErr) Unwrap() error { return e.error }

// dockerErr marks a failure of the Docker engine or a registry (exit code 4).
type dockerErr struct{ error }

func (e dockerErr) Unwrap() error { return e.error }

// quietErr is an error the terminal view already showed: exit code only.
type quietErr struct{ error }

func (e quietErr) Unwrap() error { return e.error }

func quiet(err error) error {
	if err == nil {
		return nil
	}
	return quietErr{err}
}

// Report says what err means on errOut (nothing when the terminal view
// already did) and returns the run's documented exit code. ctx is the
// run's context: cancelled means interrupted.
func Report(ctx context.Context, errOut io.Writer, err error) int {
	if err == nil {
		return ExitOK
	}
	code := ExitCode(ctx, err)
	if code == ExitInterrupted && errors.Is(err, context.Canceled) && err.Error() == context.Canceled.Error() {
		fmt.Fprintln(errOut, "dbaf: interrupted")
		return code
	}
	var q quietErr
	if errors.As(err, &q) {
		return code // the terminal view already said it
	}
	for _, line := range strings.Split(strings.TrimRight(err.Error(), "\n"), "\n") {
		fmt.Fprintf(errOut, "dbaf: %s\n", line)
	}
	return code
}

// ExitCode picks the documented exit code for an error.
func ExitCode(ctx context.Context, err error) int {
	var (
		usage  usageErr
		docker dockerErr
	)
	switch {
	case err == nil:
		return ExitOK
	case errors.Is(err, context.Canceled) && ctx.Err() != nil, errors.Is(err, common.ErrInterrupted):
		return ExitInterrupted
	case errors.As(err, &usage):
		return ExitBadInput
	case errors.As(err, &docker):
		return ExitDocker
	}
	return classify(err)
}

// classify maps the packages' typed errors to exit codes.
func classify(err error) int {
	var (
		cfgErr     *config.Error
		resolveErr *artifact.ResolveError
		sourceErr  *artifact.SourceError
		cloneErr   *artifact.CloneError
		awsErr     *dbafaws.Error
	)
	switch {
	case errors.As(err, &cfgErr), errors.As(err, &resolveErr), errors.As(err, &sourceErr):
		return ExitBadInput
	case errors.As(err, &cloneErr):
		return ExitCloneFailed
	case errors.As(err, &awsErr):
		switch awsErr.Kind {
		case dbafaws.NotFound, dbafaws.InvalidInput:
			return ExitBadInput
		}
		return ExitAWS
	}
	return ExitFailure
}
