// Command dbaf, the Database Artifact Factory, builds database artifact
// images that clone a production Aurora cluster into a disposable
// copy-on-write copy, and runs those clones. This file wires commands and
// flags to the packages that do the work; it holds no logic of its own.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/signal"
	"regexp"
	"strings"
	"syscall"
	"time"

	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"

	"github.com/dbaf/dbaf/aws/sandbox"
	"github.com/dbaf/dbaf/ui/common"

	// CA roots for the scratch image, which has no /etc/ssl.
	_ "golang.org/x/crypto/x509roots/fallback"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// Exit codes, documented in README.md.
const (
	exitOK          = 0
	exitFailure     = 1   // anything not listed below
	exitBadInput    = 2   // flags, the INI, or an artifact the account cannot satisfy
	exitAWS         = 3   // credentials, permissions, throttling, AWS unreachable
	exitDocker      = 4   // the Docker engine or a registry
	exitCloneFailed = 5   // a stack resource failed in AWS (the message names the root cause)
	exitInterrupted = 130 // Ctrl-C or SIGTERM
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	a := &app{
		in:      os.Stdin,
		out:     os.Stdout,
		errOut:  os.Stderr,
		getenv:  os.Getenv,
		version: version,
		interactive: func() bool {
			return term.IsTerminal(os.Stdin.Fd()) && term.IsTerminal(os.Stdout.Fd())
		},
	}
	code := a.run(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}

// app holds the injected streams and environment, and the global flags.
type app struct {
	in          io.Reader
	out, errOut io.Writer
	getenv      func(string) string
	interactive func() bool
	version     string

	global      globalFlags
	pollEvery   time.Duration // DBAF_POLL_INTERVAL, checked before each command
	httpTimeout time.Duration // DBAF_HTTP_TIMEOUT; 0 = each client's default
	cleanups    []func()
	sandbox     *sandbox.Server // the --sandbox account, started on first use
}

type globalFlags struct {
	profile, region, endpointURL string
	sandbox                      bool
	output                       string
}

// run executes one command line and returns its exit code.
func (a *app) run(ctx context.Context, args []string) int {
	defer a.cleanup()
	root := a.rootCmd()
	root.SetArgs(args)
	root.SetIn(a.in)
	root.SetOut(a.out)
	root.SetErr(a.errOut)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	code := exitCode(ctx, err)
	if code == exitInterrupted && errors.Is(err, context.Canceled) && err.Error() == context.Canceled.Error() {
		fmt.Fprintln(a.errOut, "dbaf: interrupted")
		return code
	}
	var q quietErr
	if errors.As(err, &q) {
		return code // the terminal view already said it
	}
	for _, line := range strings.Split(strings.TrimRight(err.Error(), "\n"), "\n") {
		fmt.Fprintf(a.errOut, "dbaf: %s\n", line)
	}
	return code
}

func (a *app) cleanup() {
	for i := len(a.cleanups) - 1; i >= 0; i-- {
		a.cleanups[i]()
	}
	a.cleanups = nil
}

func (a *app) rootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "dbaf",
		Short: "Database Artifact Factory: disposable copy-on-write clones of Aurora databases",
		Long: `dbaf, the Database Artifact Factory, gives developers self-service, disposable
copy-on-write clones of production Amazon Aurora databases.

A DataOps engineer describes a source cluster and a target in an INI file and
builds a database artifact: a small Docker image that carries the clone
automation and its settings. A database developer runs that image (or
"dbaf clone") to get a clone's endpoint, and tears the clone down when done.

Try every flow without an AWS account: "dbaf --sandbox …" runs against a
local emulated account, and "dbaf sandbox serve" runs one for other tools.`,
		Example: `  dbaf sandbox serve
  dbaf build artifact_config.ini --yes
  dbaf --sandbox build artifact_config.ini --yes
  docker run --rm db-artifact:latest show`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.NoArgs,
	}
	root.RunE = func(cmd *cobra.Command, _ []string) error { return a.home(cmd) }
	root.CompletionOptions.HiddenDefaultCmd = true
	pf := root.PersistentFlags()
	pf.StringVar(&a.global.profile, "profile", "", "AWS profile to use (default: $AWS_PROFILE or the default profile)")
	pf.StringVar(&a.global.region, "region", "", "AWS region (default: the INI's region, $AWS_REGION, or the profile's)")
	pf.StringVar(&a.global.endpointURL, "endpoint-url", "", "send AWS requests to this URL instead of AWS (default: $AWS_ENDPOINT_URL)")
	pf.BoolVar(&a.global.sandbox, "sandbox", false, "run against the local sandbox AWS account instead of AWS (started when none runs; see dbaf sandbox)")
	pf.StringVarP(&a.global.output, "output", "o", "text", "output format: text or json")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageErr{fmt.Errorf("%w\nrun %q for usage", err, c.CommandPath()+" --help")}
	})
	root.PersistentPreRunE = func(*cobra.Command, []string) error {
		if a.global.output != "text" && a.global.output != "json" {
			return usageErr{fmt.Errorf("--output %q: want text or json", a.global.output)}
		}
		d, err := parsePollInterval(a.getenv("DBAF_POLL_INTERVAL"))
		if err != nil {
			return err
		}
		a.pollEvery = d
		a.httpTimeout, err = parseHTTPTimeout(a.getenv("DBAF_HTTP_TIMEOUT"))
		if err != nil {
			return err
		}
		return checkGlobalFlags(a.global)
	}
	root.AddCommand(a.buildCmd(), a.cloneCmd(), a.listCmd(), a.teardownCmd(), a.connectCmd(), a.showCmd(), a.sandboxCmd(), a.versionCmd())
	usageArgs(root)
	return root
}

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

// regionPattern is the shape of every AWS region name (eu-west-1,
// us-gov-west-1, ap-southeast-4).
var regionPattern = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$`)

// checkGlobalFlags refuses a malformed --region or --endpoint-url before
// any AWS or Docker work starts.
func checkGlobalFlags(g globalFlags) error {
	if g.region != "" && !regionPattern.MatchString(g.region) {
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

// usageErr marks a command-line mistake (exit code 2).
type usageErr struct{ error }

func (e usageErr) Unwrap() error { return e.error }

// dockerErr marks a failure of the Docker engine or a registry (exit code 4).
type dockerErr struct{ error }

func (e dockerErr) Unwrap() error { return e.error }

// exitCode picks the documented exit code for an error.
func exitCode(ctx context.Context, err error) int {
	var (
		usage  usageErr
		docker dockerErr
	)
	switch {
	case errors.Is(err, context.Canceled) && ctx.Err() != nil, errors.Is(err, common.ErrInterrupted):
		return exitInterrupted
	case errors.As(err, &usage):
		return exitBadInput
	case errors.As(err, &docker):
		return exitDocker
	}
	return classify(err)
}
