package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/dbaf/dbaf/artifact"
	"github.com/dbaf/dbaf/ui/clonelist"
)

// ListOptions are those of `dbaf list`.
type ListOptions struct {
	f   *Factory
	ctx context.Context
}

// NewCmdList lists the clones dbaf made.
func NewCmdList(f *Factory, runF func(*ListOptions) error) *cobra.Command {
	opts := &ListOptions{f: f}
	return &cobra.Command{
		Use:   "list",
		Short: "List the clones dbaf made in the region",
		Long: "List the clones dbaf made in the region (found by their stack tags): stack, source, owner, age, expiry, status, endpoint, and\n" +
			"how AWS made each (copy-on-write, sharing the source's storage, or a full copy, its storage billed in full).",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.ctx = cmd.Context()
			if runF != nil {
				return runF(opts)
			}
			return listRun(opts)
		},
	}
}

func listRun(opts *ListOptions) error {
	f, ctx := opts.f, opts.ctx
	client, err := f.awsClient(ctx, "")
	if err != nil {
		return err
	}
	if f.textView() {
		_, err := clonelist.Run(ctx, clonelist.Options{Region: client.Region(),
			List:     func(ctx context.Context) ([]artifact.CloneInfo, error) { return artifact.List(ctx, client, time.Now()) },
			Teardown: f.teardownFunc(client), Commands: f.commands(), Theme: f.theme()}, f.teaOptions()...)
		return err
	}
	clones, err := artifact.List(ctx, client, time.Now())
	if err != nil {
		return err
	}
	if f.global.output == "json" {
		return writeJSON(f.IOStreams.Out, clones)
	}
	if len(clones) == 0 {
		fmt.Fprintf(f.IOStreams.ErrOut, "no dbaf clones in %s\n", client.Region())
		return nil
	}
	if err := writeCloneTable(f.IOStreams.Out, clones); err != nil {
		return err
	}
	for _, c := range clones {
		if c.ScheduleError != "" {
			fmt.Fprintf(f.IOStreams.ErrOut, "%s: %s; its expiry shown is the stack's tag\n", c.Stack, c.ScheduleError)
		}
	}
	return nil
}

// writeCloneTable prints the clones as an aligned table.
func writeCloneTable(w io.Writer, clones []artifact.CloneInfo) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "STACK\tSOURCE\tOWNER\tCREATED\tAGE\tEXPIRES\tSTATUS\tRESTORE\tENDPOINT")
	for _, c := range clones {
		expires := "-"
		if c.ExpiresAt != nil {
			expires = c.ExpiresAt.UTC().Format(time.RFC3339)
			if c.Expired {
				expires += " (expired)"
			}
			expires += " (" + artifact.Enforcement(c.Enforced) + ")"
			if mark := artifact.ExpiryMark(c); mark != "" {
				expires += " " + mark
			}
		}
		endpoint := c.Endpoint
		if endpoint == "" {
			endpoint = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", c.Stack, c.Source, shortOwner(c.Owner), c.Created.UTC().Format(time.RFC3339), c.Age, expires, c.Status,
			artifact.RestoreWords(c.Restore), endpoint)
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
