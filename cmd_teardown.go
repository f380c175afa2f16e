package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/dbaf/dbaf/artifact"
	"github.com/dbaf/dbaf/ui/clonelist"
	"github.com/dbaf/dbaf/ui/cloneview"
)

func (a *app) teardownCmd() *cobra.Command {
	var yes, force, expired bool
	var run func(cmd *cobra.Command, args []string, g *finalGuard) error
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
			if expired && len(args) > 0 {
				return usageErr{errors.New("--expired finds the stacks itself: pass no STACK")}
			}
			if !expired && len(args) != 1 {
				return usageErr{errors.New("name one stack to tear down (dbaf list shows them), or pass --expired")}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			g := &finalGuard{p: a.printer()}
			stack := ""
			if len(args) == 1 {
				stack = args[0]
			}
			err := run(cmd, args, g)
			if a.interactive() && a.global.output == "text" && !expired {
				return err // the view said it
			}
			return g.close(err, func(err error) artifact.Event { return artifact.TeardownFailed{Stack: stack, Reason: err.Error()} })
		},
	}
	run = func(cmd *cobra.Command, args []string, g *finalGuard) error {
		what := "every expired dbaf clone"
		if !expired {
			what = "stack " + args[0]
		}
		if err := a.confirmDestroy(yes, what); err != nil {
			return err
		}
		client, err := a.awsClient(cmd.Context(), "")
		if err != nil {
			return err
		}
		if expired {
			done, err := artifact.TeardownExpired(cmd.Context(), client, time.Now(), a.pollInterval(), g.Emit)
			if len(done) == 0 && err == nil && a.global.output == "text" {
				fmt.Fprintln(a.errOut, "no expired dbaf clones")
			}
			return err
		}
		req := artifact.TeardownRequest{Stack: args[0], Force: force, PollInterval: a.pollInterval()}
		if a.interactive() && a.global.output == "text" {
			res, err := cloneview.RunTeardown(cmd.Context(), cloneview.Options{Stack: req.Stack, Region: client.Region(),
				Teardown: func(ctx context.Context, stack string, emit artifact.Emit) error {
					req.Stack = stack
					return artifact.Teardown(ctx, req, client, emit)
				}, Theme: a.theme()}, a.teaOptions()...)
			if err == nil {
				err = res.Err
			}
			if cmd.Context().Err() != nil {
				return err // a signal stopped the view before it could say so
			}
			return quiet(err)
		}
		return artifact.Teardown(cmd.Context(), req, client, g.Emit)
	}
	fl := cmd.Flags()
	fl.BoolVarP(&yes, "yes", "y", false, "delete without asking")
	fl.BoolVar(&force, "force", false, "delete a stack dbaf did not create")
	fl.BoolVar(&expired, "expired", false, "tear down every dbaf clone whose TTL has passed")
	return cmd
}

// confirmDestroy asks before deleting, and insists on --yes without a terminal.
func (a *app) confirmDestroy(yes bool, what string) error {
	if yes {
		return nil
	}
	if !a.interactive() {
		return usageErr{fmt.Errorf("not deleting %s without confirmation: pass --yes", what)}
	}
	fmt.Fprintf(a.errOut, "Delete %s? This cannot be undone. [y/N] ", what)
	line, _ := bufio.NewReader(a.in).ReadString('\n')
	if a := strings.ToLower(strings.TrimSpace(line)); a != "y" && a != "yes" {
		return errors.New("nothing deleted")
	}
	return nil
}

func (a *app) listCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the clones dbaf made in the region",
		Long:  "List the clones dbaf made in the region (found by their stack tags): stack, source, owner, age, expiry, status and endpoint.",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.list(cmd.Context())
		},
	}
}

func (a *app) list(ctx context.Context) error {
	client, err := a.awsClient(ctx, "")
	if err != nil {
		return err
	}
	if a.interactive() && a.global.output == "text" {
		_, err := clonelist.Run(ctx, clonelist.Options{Region: client.Region(),
			List:     func(ctx context.Context) ([]artifact.CloneInfo, error) { return artifact.List(ctx, client, time.Now()) },
			Teardown: a.teardownFunc(client), Theme: a.theme()}, a.teaOptions()...)
		return err
	}
	clones, err := artifact.List(ctx, client, time.Now())
	if err != nil {
		return err
	}
	if a.global.output == "json" {
		return writeJSON(a.out, clones)
	}
	if len(clones) == 0 {
		fmt.Fprintf(a.errOut, "no dbaf clones in %s\n", client.Region())
		return nil
	}
	tw := tabwriter.NewWriter(a.out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "STACK\tSOURCE\tOWNER\tCREATED\tAGE\tEXPIRES\tSTATUS\tENDPOINT")
	for _, c := range clones {
		expires := "-"
		if c.ExpiresAt != nil {
			expires = c.ExpiresAt.UTC().Format(time.RFC3339)
			if c.Expired {
				expires += " (expired)"
			}
		}
		endpoint := c.Endpoint
		if endpoint == "" {
			endpoint = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", c.Stack, c.Source, shortOwner(c.Owner), c.Created.UTC().Format(time.RFC3339), c.Age, expires, c.Status, endpoint)
	}
	return tw.Flush()
}

// shortOwner keeps the name part of an IAM ARN, which is what people read.
func shortOwner(arn string) string {
	if i := strings.LastIndex(arn, "/"); i >= 0 {
		return arn[i+1:]
	}
	return arn
}
