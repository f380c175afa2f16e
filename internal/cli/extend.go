package cli

import (
	"context"
	"errors"

	"github.com/spf13/cobra"

	"github.com/dbaf/dbaf/artifact"
)

// ExtendOptions are those of `dbaf extend`.
type ExtendOptions struct {
	f   *Factory
	ctx context.Context

	Stack string
	TTL   string
}

// NewCmdExtend moves a clone's expiry.
func NewCmdExtend(f *Factory, runF func(*ExtendOptions) error) *cobra.Command {
	opts := &ExtendOptions{f: f}
	cmd := &cobra.Command{
		Use:   "extend STACK DURATION",
		Short: "Move a clone's expiry to DURATION from now, up to the artifact's maximum",
		Long: `Move the expiry of one of your clones to DURATION from now (like 8h, 90m or 2d):
a stack update of the schedule that deletes it and of its dbaf:expires-at tag. It returns
once CloudFormation has applied it.

The most a clone may live is its creation plus the artifact's clone_ttl, recorded on the
stack (dbaf:max-expires-at) when it was made; a later expiry is refused. dbaf refuses a
stack that is not your dbaf clone, and a clone whose expiry nothing enforces (made before
dbaf setup, so it has no schedule).`,
		Example: `  dbaf extend alice-orders-test 2d
  dbaf extend pr-42 8h -o json`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 2 {
				return usageErr{errors.New("name the clone's stack and how long it should live from now, e.g. dbaf extend pr-42 8h")}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ctx = cmd.Context()
			opts.Stack, opts.TTL = args[0], args[1]
			if runF != nil {
				return runF(opts)
			}
			return extendRun(opts)
		},
	}
	return cmd
}

func extendRun(opts *ExtendOptions) error {
	f, ctx := opts.f, opts.ctx
	ttl, err := artifact.ParseTTL(opts.TTL)
	if err != nil {
		return usageErr{err}
	}
	g := artifact.NewStream(f.printer().Emit)
	final := func(err error) artifact.Event { return artifact.ExtendFailed{Stack: opts.Stack, Reason: err.Error()} }
	client, err := f.awsClient(ctx, "")
	if err != nil {
		return g.End(err, final)
	}
	return artifact.Extend(ctx, client, artifact.ExtendRequest{Stack: opts.Stack, TTL: ttl, PollInterval: f.pollInterval()}, g.Emit)
}
