package main

import (
	"errors"

	"github.com/dbaf/dbaf/artifact"
	dbafaws "github.com/dbaf/dbaf/aws"
	"github.com/dbaf/dbaf/config"
)

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
