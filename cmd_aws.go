package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/dbaf/dbaf/artifact"
	dbafaws "github.com/dbaf/dbaf/aws"
	"github.com/dbaf/dbaf/dockerbuild"
	"github.com/dbaf/dbaf/ui/common"
	"github.com/dbaf/dbaf/ui/printer"
)

// awsClient builds the AWS client from the global flags. The region comes
// from --region, else the artifact's own region, else the SDK's defaults.
// With --sandbox it points the client at the user's running sandbox
// account with its credentials, starting one when none runs.
func (a *app) awsClient(ctx context.Context, artifactRegion string) (*dbafaws.Client, error) {
	region := a.global.region
	if region == "" {
		region = artifactRegion
	}
	return a.awsClientIn(ctx, region)
}

// awsClientIn builds the AWS client for exactly this region ("" = the SDK's
// default), e.g. after the user switched region in the wizard.
func (a *app) awsClientIn(ctx context.Context, region string) (*dbafaws.Client, error) {
	o := dbafaws.Options{Profile: a.global.profile, Region: region, EndpointURL: a.global.endpointURL,
		ResponseTimeout: a.httpTimeout}
	if a.global.sandbox {
		if a.global.endpointURL != "" {
			return nil, usageErr{errors.New("--sandbox and --endpoint-url both choose where AWS requests go: pass one")}
		}
		env, err := a.sandboxEnv(ctx)
		if err != nil {
			return nil, err
		}
		o = sandboxAWSOptions(env, region)
		o.ResponseTimeout = a.httpTimeout
	}
	cfg, err := dbafaws.LoadConfig(ctx, o)
	if err != nil {
		return nil, err
	}
	return dbafaws.New(cfg), nil
}

// netTimeouts bound the Docker engine's and registries' answers.
func (a *app) netTimeouts() dockerbuild.Timeouts {
	return dockerbuild.Timeouts{Response: a.httpTimeout}
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
func (a *app) printer() printer.Printer {
	if a.global.output == "json" {
		return &printer.JSON{Out: a.out}
	}
	return &printer.Plain{Out: a.out, Err: a.errOut}
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
func (a *app) theme() common.Theme {
	return common.ThemeFor(a.getenv("NO_COLOR") != "")
}

// teaOptions are the Bubble Tea options of every view: the app's streams.
func (a *app) teaOptions() []tea.ProgramOption {
	return []tea.ProgramOption{tea.WithInput(a.in), tea.WithOutput(a.out)}
}

// quietErr is an error the terminal view already showed: exit code only.
type quietErr struct{ error }

func (e quietErr) Unwrap() error { return e.error }

func quiet(err error) error {
	if err == nil {
		return nil
	}
	return quietErr{err}
}
