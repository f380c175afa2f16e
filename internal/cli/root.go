// Package cli holds dbaf's commands: one file per command, each with its
// Options, a NewCmdX(f, runF) constructor and a run function, so that flag
// parsing, validation, exit codes and output are tested in-process with
// injected streams and client factories.
package cli

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/spf13/cobra"

	"github.com/dbaf/dbaf/config"
)

// Run executes one command line with f and returns its exit code, having
// said what went wrong on f's error stream.
func Run(ctx context.Context, f *Factory, args []string) int {
	defer f.Cleanup()
	root := NewCmdRoot(f)
	root.SetArgs(args)
	return Report(ctx, f.IOStreams.ErrOut, root.ExecuteContext(ctx))
}

// NewCmdRoot builds the dbaf command with every subcommand.
func NewCmdRoot(f *Factory) *cobra.Command {
	root := NewCmdHome(f, nil)
	root.SetIn(f.IOStreams.In)
	root.SetOut(f.IOStreams.Out)
	root.SetErr(f.IOStreams.ErrOut)
	root.CompletionOptions.HiddenDefaultCmd = true
	pf := root.PersistentFlags()
	pf.StringVar(&f.global.profile, "profile", "", "AWS profile to use (default: $AWS_PROFILE or the default profile)")
	pf.StringVar(&f.global.region, "region", "", "AWS region (default: the INI's region, $AWS_REGION, or the profile's)")
	pf.StringVar(&f.global.endpointURL, "endpoint-url", "", "send AWS requests to this URL instead of AWS (default: $AWS_ENDPOINT_URL)")
	pf.StringVar(&f.global.caBundle, "ca-bundle", "", "PEM file of the CAs a clone's server certificate must chain to (default: $DBAF_CA_BUNDLE, the sandbox's CA with --sandbox, else AWS's RDS bundle built into dbaf)")
	pf.BoolVar(&f.global.sandbox, "sandbox", false, "run against the local sandbox AWS account instead of AWS (started when none runs; see dbaf sandbox)")
	pf.StringVarP(&f.global.output, "output", "o", "text", "output format: text or json")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageErr{fmt.Errorf("%w\nrun %q for usage", err, c.CommandPath()+" --help")}
	})
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		if extra := cmd.Annotations[annotationOutputs]; f.global.output != "text" && f.global.output != "json" &&
			(extra == "" || f.global.output != extra) {
			if extra != "" {
				return usageErr{fmt.Errorf("--output %q: want text, json or %s", f.global.output, extra)}
			}
			return usageErr{fmt.Errorf("--output %q: want text or json", f.global.output)}
		}
		d, err := parsePollInterval(f.Getenv("DBAF_POLL_INTERVAL"))
		if err != nil {
			return err
		}
		f.pollEvery = d
		f.httpTimeout, err = parseHTTPTimeout(f.Getenv("DBAF_HTTP_TIMEOUT"))
		if err != nil {
			return err
		}
		return checkGlobalFlags(f.global)
	}
	root.AddCommand(NewCmdBuild(f, nil), NewCmdClone(f, nil), NewCmdList(f, nil), NewCmdTeardown(f, nil), NewCmdReset(f, nil),
		NewCmdConnect(f, nil), NewCmdShow(f, nil), NewCmdSandbox(f), NewCmdIAMPolicy(f, nil), NewCmdSetup(f, nil), NewCmdExtend(f, nil), NewCmdCABundle(f, nil), NewCmdVersion(f, nil))
	usageArgs(root)
	return root
}

// annotationOutputs names the one -o value beyond text and json a command
// takes (iam-policy: cloudformation).
const annotationOutputs = "dbaf/outputs"

// usageArgs makes every argument-count mistake (and an unknown command,
// which cobra reports through the root's Args) a usage error: exit 2.
func usageArgs(c *cobra.Command) {
	if !c.Runnable() && c.HasSubCommands() {
		// A command group: cobra would print its help and exit 0 for
		// "dbaf sandbox frobnicate".
		c.Args = cobra.ArbitraryArgs
		c.RunE = func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageErr{fmt.Errorf("unknown command %q for %q\nrun %q for usage", args[0], cmd.CommandPath(), cmd.CommandPath()+" --help")}
			}
			return cmd.Help()
		}
	}
	if check := c.Args; check != nil {
		c.Args = func(cmd *cobra.Command, args []string) error {
			if err := check(cmd, args); err != nil {
				var u usageErr
				if errors.As(err, &u) {
					return err
				}
				return usageErr{fmt.Errorf("%w\nrun %q for usage", err, cmd.CommandPath()+" --help")}
			}
			return nil
		}
	}
	for _, sub := range c.Commands() {
		usageArgs(sub)
	}
}

// checkGlobalFlags refuses a malformed --region or --endpoint-url before
// any AWS or Docker work starts.
func checkGlobalFlags(g globalFlags) error {
	if g.region != "" && !config.IsRegion(g.region) {
		return usageErr{fmt.Errorf("--region %q is not an AWS region name: want e.g. eu-west-1 or us-east-1", g.region)}
	}
	if g.endpointURL != "" {
		u, err := url.Parse(g.endpointURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return usageErr{fmt.Errorf("--endpoint-url %q is not an http(s) URL: want e.g. http://127.0.0.1:4566", g.endpointURL)}
		}
	}
	return nil
}
