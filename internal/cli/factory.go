package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/dbaf/dbaf/artifact"
	dbafaws "github.com/dbaf/dbaf/aws"
	"github.com/dbaf/dbaf/dockerbuild"
	"github.com/dbaf/dbaf/internal/sandbox"
	"github.com/dbaf/dbaf/ui/common"
	"github.com/dbaf/dbaf/ui/printer"
)

// IOStreams are the standard streams a command reads and writes.
type IOStreams struct {
	In          io.Reader
	Out, ErrOut io.Writer
	// IsTerminal says whether a person sits at In and Out: only then do
	// the views and prompts run.
	IsTerminal func() bool
}

// Factory holds what every command gets injected: streams, environment,
// version and the client factories, plus the global flags of one run.
type Factory struct {
	IOStreams IOStreams
	Getenv    func(string) string
	Environ   func() []string
	Version   string

	// AWSClient builds the AWS client for exactly this region ("" = the
	// SDK's default) from the global flags.
	AWSClient func(ctx context.Context, region string) (*dbafaws.Client, error)
	// DockerEngine connects to the Docker engine.
	DockerEngine func(ctx context.Context) (*dockerbuild.Engine, error)
	// SandboxEnv is the environment of the sandbox account --sandbox uses.
	SandboxEnv func(ctx context.Context) ([]string, error)
	// Executable is the running dbaf binary, which goes into images.
	Executable func() (string, error)

	global      globalFlags
	pollEvery   time.Duration // DBAF_POLL_INTERVAL, checked before each command
	httpTimeout time.Duration // DBAF_HTTP_TIMEOUT; 0 = each client's default
	cleanups    []func()
	sandbox     *sandbox.Server     // the in-process --sandbox account, started on first use
	teaOpts     []tea.ProgramOption // more options for every view (in-process tests: a window size)
}

// NewFactory returns a Factory whose client factories are the real ones.
func NewFactory(streams IOStreams, getenv func(string) string, environ func() []string, version string) *Factory {
	f := &Factory{IOStreams: streams, Getenv: getenv, Environ: environ, Version: version, Executable: os.Executable}
	f.AWSClient = f.awsClientIn
	f.DockerEngine = func(ctx context.Context) (*dockerbuild.Engine, error) { return f.netTimeouts().Connect(ctx) }
	f.SandboxEnv = f.sandboxEnv
	return f
}

type globalFlags struct {
	profile, region, endpointURL string
	caBundle                     string // --ca-bundle
	sandbox                      bool
	output                       string
}

// commands spells the lines this run tells the user to run, with its
// global flags. An endpoint set by $AWS_ENDPOINT_URL is spelled out too: a
// line run in another shell, or in the artifact image again, must reach
// the same account, not AWS.
func (f *Factory) commands() artifact.Commands {
	g := f.global
	endpoint := g.endpointURL
	if endpoint == "" && !g.sandbox {
		endpoint = f.Getenv("AWS_ENDPOINT_URL")
	}
	return artifact.Commands{Sandbox: g.sandbox, Profile: g.profile, Region: g.region, EndpointURL: endpoint, CABundle: g.caBundle}
}

// cloneCommands are commands with the artifact of a clone or reset: the
// --config or --image it named, else the image dbaf runs in.
func (f *Factory) cloneCommands(o *CloneOptions, a *artifact.Artifact) artifact.Commands {
	c := f.commands()
	c.Config, c.Image = o.ConfigPath, o.Image
	if c.Config == "" && c.Image == "" && a != nil {
		c.InImage = a.Image
	}
	return c
}

// Cleanup releases what the run started (the in-process sandbox).
func (f *Factory) Cleanup() {
	for i := len(f.cleanups) - 1; i >= 0; i-- {
		f.cleanups[i]()
	}
	f.cleanups = nil
}

// interactive says whether views and prompts may run.
func (f *Factory) interactive() bool {
	return f.IOStreams.IsTerminal != nil && f.IOStreams.IsTerminal()
}

// awsClient builds the AWS client from the global flags. The region comes
// from --region, else the artifact's own region, else the SDK's defaults.
func (f *Factory) awsClient(ctx context.Context, artifactRegion string) (*dbafaws.Client, error) {
	region := f.global.region
	if region == "" {
		region = artifactRegion
	}
	return f.AWSClient(ctx, region)
}

// awsClientIn builds the AWS client for exactly this region ("" = the SDK's
// default), e.g. after the user switched region in the wizard. With
// --sandbox it points the client at the user's running sandbox account
// with its credentials, starting one when none runs.
func (f *Factory) awsClientIn(ctx context.Context, region string) (*dbafaws.Client, error) {
	o := dbafaws.Options{Profile: f.global.profile, Region: region, EndpointURL: f.global.endpointURL,
		ResponseTimeout: f.httpTimeout}
	if f.global.sandbox {
		if f.global.endpointURL != "" {
			return nil, usageErr{errors.New("--sandbox and --endpoint-url both choose where AWS requests go: pass one")}
		}
		env, err := f.SandboxEnv(ctx)
		if err != nil {
			return nil, err
		}
		o = sandboxAWSOptions(env, region)
		o.ResponseTimeout = f.httpTimeout
	}
	cfg, err := dbafaws.LoadConfig(ctx, o)
	if err != nil {
		return nil, err
	}
	return dbafaws.New(cfg), nil
}

// netTimeouts bound the Docker engine's and registries' answers.
func (f *Factory) netTimeouts() dockerbuild.Timeouts {
	return dockerbuild.Timeouts{Response: f.httpTimeout}
}

// parseHTTPTimeout reads DBAF_HTTP_TIMEOUT, how long dbaf waits for AWS,
// the Docker engine or a registry to start answering a request ("" = each
// one's default; tests shorten it).
func parseHTTPTimeout(v string) (time.Duration, error) {
	if v == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, usageErr{fmt.Errorf("DBAF_HTTP_TIMEOUT=%q is not a positive duration: want e.g. 5s, or unset it for the defaults", v)}
	}
	return d, nil
}

// printer returns the event printer for --output.
func (f *Factory) printer() printer.Printer {
	if f.global.output == "json" {
		return &printer.JSON{Out: f.IOStreams.Out}
	}
	return &printer.Plain{Out: f.IOStreams.Out, Err: f.IOStreams.ErrOut}
}

// wrapDocker marks failures of the Docker steps of an operation so they get
// the Docker exit code.
func wrapDocker(err error) error {
	var step *artifact.StepError
	if errors.As(err, &step) && (step.Step == artifact.StepLoad || step.Step == artifact.StepPush) {
		return dockerErr{err}
	}
	return err
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// theme is the terminal UI's theme: NO_COLOR turns colour off; otherwise
// each view follows the terminal's background.
func (f *Factory) theme() common.Theme {
	return common.ThemeFor(f.Getenv("NO_COLOR") != "")
}

// teaOptions are the Bubble Tea options of every view: the app's streams.
func (f *Factory) teaOptions() []tea.ProgramOption {
	return append([]tea.ProgramOption{tea.WithInput(f.IOStreams.In), tea.WithOutput(f.IOStreams.Out)}, f.teaOpts...)
}

// textView says whether this run shows a terminal view rather than
// printing events.
func (f *Factory) textView() bool { return f.interactive() && f.global.output == "text" }
