package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/dbaf/dbaf/artifact"
	dbafaws "github.com/dbaf/dbaf/aws"
	"github.com/dbaf/dbaf/ui/cloneview"
)

// TeardownOptions are those of `dbaf teardown`.
type TeardownOptions struct {
	f   *Factory
	ctx context.Context

	Stack   string // "" with Expired
	Yes     bool
	Force   bool
	Expired bool
}

// NewCmdTeardown deletes a clone's stack.
func NewCmdTeardown(f *Factory, runF func(*TeardownOptions) error) *cobra.Command {
	opts := &TeardownOptions{f: f}
	cmd := &cobra.Command{
		Use:   "teardown STACK",
		Short: "Delete a clone's stack and everything in it",
		Long: `Delete a clone's CloudFormation stack (the cluster, its instance, subnet group
and security group), report its events, and return once it is gone.

dbaf refuses a stack it did not create (it checks the stack's tags) unless
--force. --expired tears down every dbaf clone whose TTL has passed.
Without a terminal, --yes is required.`,
		Example: `  dbaf teardown dbartifact1764000000-prod-clone --yes
  dbaf teardown --expired --yes`,
		Args: func(cmd *cobra.Command, args []string) error {
			if opts.Expired && len(args) > 0 {
				return usageErr{errors.New("--expired finds the stacks itself: pass no STACK")}
			}
			if !opts.Expired && len(args) != 1 {
				return usageErr{errors.New("name one stack to tear down (dbaf list shows them), or pass --expired")}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ctx = cmd.Context()
			if len(args) == 1 {
				opts.Stack = args[0]
			}
			if runF != nil {
				return runF(opts)
			}
			return teardownRun(opts)
		},
	}
	fl := cmd.Flags()
	fl.BoolVarP(&opts.Yes, "yes", "y", false, "delete without asking")
	fl.BoolVar(&opts.Force, "force", false, "delete a stack dbaf did not create")
	fl.BoolVar(&opts.Expired, "expired", false, "tear down every dbaf clone whose TTL has passed")
	return cmd
}

func teardownRun(opts *TeardownOptions) error {
	f := opts.f
	g := artifact.NewStream(f.printer().Emit)
	err := teardown(opts, g)
	if f.textView() && !opts.Expired {
		return err // the view said it
	}
	return g.End(err, func(err error) artifact.Event { return artifact.TeardownFinal(opts.Stack, err) })
}

func teardown(opts *TeardownOptions, g *artifact.Stream) error {
	f, ctx := opts.f, opts.ctx
	what := "every expired dbaf clone"
	if !opts.Expired {
		what = "stack " + opts.Stack
	}
	if err := f.confirmDestroy(opts.Yes, what); err != nil {
		return err
	}
	client, err := f.awsClient(ctx, "")
	if err != nil {
		return err
	}
	if opts.Expired {
		_, err := artifact.TeardownExpired(ctx, client, time.Now(), f.pollInterval(), g.Emit)
		return err
	}
	req := artifact.TeardownRequest{Stack: opts.Stack, Force: opts.Force, PollInterval: f.pollInterval(), Commands: f.commands()}
	if f.textView() {
		res, err := cloneview.RunTeardown(ctx, cloneview.Options{Stack: req.Stack, Region: client.Region(), Commands: req.Commands,
			Teardown: func(ctx context.Context, stack string, emit artifact.Emit) error {
				req.Stack = stack
				return artifact.Teardown(ctx, req, client, emit)
			}, Theme: f.theme()}, f.teaOptions()...)
		if err == nil {
			err = res.Err
		}
		if ctx.Err() != nil {
			return err // a signal stopped the view before it could say so
		}
		return quiet(err)
	}
	return artifact.Teardown(ctx, req, client, g.Emit)
}

// confirmDestroy asks before deleting, and insists on --yes without a terminal.
func (f *Factory) confirmDestroy(yes bool, what string) error {
	if yes {
		return nil
	}
	if !f.interactive() {
		return usageErr{fmt.Errorf("not deleting %s without confirmation: pass --yes", what)}
	}
	return f.confirm(fmt.Sprintf("Delete %s? This cannot be undone.", what))
}

// confirm asks question in the terminal; anything but y or yes says no.
func (f *Factory) confirm(question string) error {
	fmt.Fprintf(f.IOStreams.ErrOut, "%s [y/N] ", question)
	line, _ := bufio.NewReader(f.IOStreams.In).ReadString('\n')
	if a := strings.ToLower(strings.TrimSpace(line)); a != "y" && a != "yes" {
		return errors.New("nothing changed")
	}
	return nil
}

// teardownFunc is the teardown the views run.
func (f *Factory) teardownFunc(client *dbafaws.Client) func(context.Context, string, artifact.Emit) error {
	return func(ctx context.Context, stack string, emit artifact.Emit) error {
		return artifact.Teardown(ctx, artifact.TeardownRequest{Stack: stack, PollInterval: f.pollInterval(), Commands: f.commands()}, client, emit)
	}
}
