package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/dbaf/dbaf/artifact"
)

// SetupOptions are those of `dbaf setup`.
type SetupOptions struct {
	f   *Factory
	ctx context.Context

	Print bool
	Yes   bool
}

// NewCmdSetup creates the account's expiry role.
func NewCmdSetup(f *Factory, runF func(*SetupOptions) error) *cobra.Command {
	opts := &SetupOptions{f: f}
	cmd := &cobra.Command{
		Use:   "setup",
		Short: "Create the role AWS uses to delete expired clones (once per account and region)",
		Long: `Create the stack ` + artifact.SetupStack + ` in the account and region: the IAM role
EventBridge Scheduler assumes to delete expired clones. It may delete stacks tagged as
dbaf clones and, through CloudFormation only, the resources they hold; nothing else.
Once it exists, every clone with a TTL carries a schedule that deletes it at its expiry,
with no computer of yours running. It is the only IAM dbaf creates: run it once, as an
administrator. A second run that changes nothing says so; a stack whose
template differs is refused (dbaf does not change IAM in place).

--print shows the template instead. Without a terminal, --yes is required.`,
		Example: `  dbaf setup --print
  dbaf setup --yes`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.ctx = cmd.Context()
			if runF != nil {
				return runF(opts)
			}
			return setupRun(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Print, "print", false, "print the template instead of creating the stack")
	cmd.Flags().BoolVarP(&opts.Yes, "yes", "y", false, "create or update the stack without asking")
	return cmd
}

func setupRun(opts *SetupOptions) error {
	f, ctx := opts.f, opts.ctx
	if opts.Print {
		tmpl, err := artifact.SetupTemplate()
		if err != nil {
			return err
		}
		_, err = f.IOStreams.Out.Write(tmpl)
		return err
	}
	if !opts.Yes {
		if !f.interactive() {
			return usageErr{errors.New("not creating IAM in the account without confirmation: pass --yes (dbaf setup --print shows the template)")}
		}
		if err := f.confirm("Create stack " + artifact.SetupStack + " (an IAM role that deletes expired dbaf clones)?"); err != nil {
			return err
		}
	}
	client, err := f.awsClient(ctx, "")
	if err != nil {
		return err
	}
	res, err := artifact.Setup(ctx, client, f.pollInterval(), func(artifact.Event) {})
	if err != nil {
		return err
	}
	if f.global.output == "json" {
		return writeJSON(f.IOStreams.Out, res)
	}
	switch res.Action {
	case "unchanged":
		fmt.Fprintf(f.IOStreams.Out, "%s in %s is up to date: nothing changed (role %s)\n", res.Stack, res.Region, res.RoleARN)
	default:
		fmt.Fprintf(f.IOStreams.Out, "%s %s in %s: clones with a TTL are now deleted by AWS at their expiry (role %s)\n", res.Stack, res.Action, res.Region, res.RoleARN)
	}
	return nil
}
