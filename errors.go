package main

import (
	"errors"

	"github.com/dbaf/dbaf/artifact"
	dbafaws "github.com/dbaf/dbaf/aws"
	"github.com/dbaf/dbaf/config"
	"github.com/dbaf/dbaf/ui/printer"
)

// finalGuard passes an operation's events on and notes whether its final
// event went by, so that a run failing before the operation could report
// (a bad INI, no credentials) still ends its stream with exactly one.
type finalGuard struct {
	p    printer.Printer
	seen bool
}

func (g *finalGuard) Emit(e artifact.Event) {
	switch e.(type) {
	case artifact.Built, artifact.BuildFailed, artifact.CloneReady, artifact.CloneFailed, artifact.CloneInterrupted,
		artifact.TornDown, artifact.TeardownFailed:
		g.seen = true
	}
	g.p.Emit(e)
}

// close emits final(err) when err ended the run before a final event did.
func (g *finalGuard) close(err error, final func(error) artifact.Event) error {
	if err != nil && !g.seen {
		g.p.Emit(final(err))
	}
	return err
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
		return exitBadInput
	case errors.As(err, &cloneErr):
		return exitCloneFailed
	case errors.As(err, &awsErr):
		switch awsErr.Kind {
		case dbafaws.NotFound, dbafaws.InvalidInput:
			return exitBadInput
		}
		return exitAWS
	}
	return exitFailure
}
