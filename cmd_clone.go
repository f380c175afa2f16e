package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"

	"github.com/dbaf/dbaf/artifact"
	dbafaws "github.com/dbaf/dbaf/aws"
	"github.com/dbaf/dbaf/config"
	"github.com/dbaf/dbaf/ui"
)

type cloneOptions struct {
	image, configPath, name string
	passwordStdin, generate bool
	keepOnFailure           bool
	yes                     bool
}

func (a *app) cloneCmd() *cobra.Command {
	o := &cloneOptions{}
	cmd := &cobra.Command{
		Use:   "clone",
		Short: "Create a copy-on-write clone of the artifact's source cluster",
		Long: `Create a copy-on-write clone of the artifact's source Aurora cluster through one
CloudFormation stack, report every stack event, reset the clone's master
password, wait until it is available and print its endpoint.

The artifact comes from the image dbaf runs in (the image's default command is
"dbaf clone"), from --image on the host, or straight from an INI with --config.

The password comes from $DB_PASSWORD, the first line of standard input with
--password-stdin, a prompt in a terminal, or --generate-password (shown once,
at the end). It never appears in the template, stack parameters or logs.

When a dbaf stack named --name already exists, dbaf follows it (its progress,
or its endpoint) instead of failing, so scripts can call clone idempotently.
A failed clone is rolled back and deleted unless --keep-on-failure.`,
		Example: `  docker run --rm -v ~/.aws:/root/.aws:ro -e AWS_PROFILE -e DB_PASSWORD db-artifact:latest
  dbaf clone --image db-artifact:latest
  dbaf clone --config artifact_config.ini --name ci-clone-42 -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return a.clone(cmd.Context(), o) },
	}
	fl := cmd.Flags()
	fl.StringVar(&o.image, "image", "", "read the artifact from this image (local engine, then its registry)")
	fl.StringVar(&o.configPath, "config", "", "resolve the artifact from this INI instead of an image")
	fl.StringVar(&o.name, "name", "", "stack name (default dbartifact<epoch>-prod-clone); an existing dbaf stack of that name is followed")
	fl.BoolVar(&o.passwordStdin, "password-stdin", false, "read the clone's password from the first line of standard input")
	fl.BoolVar(&o.generate, "generate-password", false, "generate a password and show it once at the end")
	fl.BoolVar(&o.keepOnFailure, "keep-on-failure", false, "leave a failed stack for inspection instead of deleting it")
	fl.BoolVarP(&o.yes, "yes", "y", false, "in a terminal, start without the summary screen")
	return cmd
}

func (a *app) clone(ctx context.Context, o *cloneOptions) error {
	if o.image != "" && o.configPath != "" {
		return usageErr{errors.New("--image and --config both name the artifact: pass one")}
	}
	if o.name != "" {
		if err := artifact.ValidateStackName(o.name); err != nil {
			return usageErr{err}
		}
	}
	// In a terminal the clone view asks for a missing password itself.
	tui := a.interactive() && a.global.output == "text"
	password, generated, err := a.password(o, tui)
	if err != nil {
		return err
	}
	art, err := a.cloneArtifact(ctx, o)
	if err != nil {
		return err
	}
	client, err := a.awsClient(ctx, art.Region)
	if err != nil {
		return err
	}
	if art.Region != "" && client.Region() != art.Region {
		fmt.Fprintf(a.errOut, "warning: the artifact's source is in %s but AWS is set to %s: the clone goes to %s\n", art.Region, client.Region(), client.Region())
	}
	req := artifact.CloneRequest{Artifact: art, Name: o.name, Password: password, PasswordGenerated: generated,
		KeepOnFailure: o.keepOnFailure, PollInterval: a.pollInterval()}
	if tui {
		return a.cloneView(ctx, req, client, o.yes)
	}
	_, err = artifact.Clone(ctx, req, client, a.printer().Emit)
	return err
}

// cloneView runs the clone in the live terminal view. It prints nothing
// after the view: the view's last frame holds the result or the teardown
// command.
func (a *app) cloneView(ctx context.Context, req artifact.CloneRequest, client *dbafaws.Client, yes bool) error {
	if req.Name == "" {
		req.Name = artifact.StackName(time.Now())
	}
	res, err := ui.RunCloneView(ctx, ui.CloneViewOptions{
		Artifact: req.Artifact, Stack: req.Name, Region: client.Region(),
		NeedPassword: req.Password == "", SkipSummary: yes,
		Start: func(ctx context.Context, password string, generated bool, emit artifact.Emit) (*artifact.CloneReady, error) {
			r := req
			switch {
			case generated:
				r.Password, r.PasswordGenerated = generatePassword(), true
			case password != "":
				r.Password = password
			}
			return artifact.Clone(ctx, r, client, emit)
		},
		Teardown: a.teardownFunc(client),
		Theme:    a.theme(),
	}, a.teaOptions()...)
	for _, l := range res.Afterword { // values too wide for the view, whole
		fmt.Fprintln(a.out, l)
	}
	if err == nil {
		err = res.Err
	}
	if errors.Is(err, ui.ErrCloneCancelled) && !errors.Is(err, ui.ErrInterrupted) {
		return nil
	}
	if ctx.Err() != nil {
		// A signal stopped the view before it could say what is left
		// running (the teardown command): say it here.
		return err
	}
	return quiet(err)
}

// teardownFunc is the teardown the views run.
func (a *app) teardownFunc(client *dbafaws.Client) func(context.Context, string, artifact.Emit) error {
	return func(ctx context.Context, stack string, emit artifact.Emit) error {
		return artifact.Teardown(ctx, artifact.TeardownRequest{Stack: stack, PollInterval: a.pollInterval()}, client, emit)
	}
}

// cloneArtifact finds the artifact: --config resolves an INI, --image reads
// an image, and otherwise the image dbaf runs in.
func (a *app) cloneArtifact(ctx context.Context, o *cloneOptions) (*artifact.Artifact, error) {
	if o.configPath == "" {
		data, err := a.readArtifact(ctx, o.image)
		if err != nil {
			if o.image == "" {
				return nil, usageErr{errors.New("no artifact here: run dbaf clone inside an artifact image, or pass --image IMAGE or --config FILE")}
			}
			return nil, err
		}
		return artifact.Parse(data)
	}
	cfg, warnings, err := config.Load(o.configPath)
	if err != nil {
		return nil, err
	}
	for _, w := range warnings {
		fmt.Fprintf(a.errOut, "warning: %s\n", w)
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	client, err := a.awsClient(ctx, cfg.Region)
	if err != nil {
		return nil, err
	}
	created, err := artifact.CreatedTime(cfg.Path, a.getenv)
	if err != nil {
		return nil, usageErr{err}
	}
	return artifact.Resolve(ctx, cfg, client, created, func(msg string) { fmt.Fprintf(a.errOut, "warning: %s\n", msg) })
}

// password finds the clone's password without ever putting it in argv.
func (a *app) password(o *cloneOptions, viewPrompts bool) (pw string, generated bool, err error) {
	switch {
	case o.generate && o.passwordStdin:
		return "", false, usageErr{errors.New("--generate-password and --password-stdin both choose the password: pass one")}
	case o.generate:
		return generatePassword(), true, nil
	case o.passwordStdin:
		line, err := bufio.NewReader(a.in).ReadString('\n')
		if err != nil && err != io.EOF {
			return "", false, fmt.Errorf("reading the password from standard input: %w", err)
		}
		pw = strings.TrimRight(line, "\r\n")
		if pw == "" {
			return "", false, usageErr{errors.New("--password-stdin: standard input was empty")}
		}
		return pw, false, checkPassword(pw, "the password on standard input")
	case a.getenv("DB_PASSWORD") != "":
		pw = a.getenv("DB_PASSWORD")
		return pw, false, checkPassword(pw, "DB_PASSWORD")
	case viewPrompts:
		return "", false, nil
	case a.interactive():
		return a.promptPassword()
	}
	return "", false, usageErr{errors.New("no password for the clone: set DB_PASSWORD, or pass --password-stdin or --generate-password")}
}

func (a *app) promptPassword() (string, bool, error) {
	fd := os.Stdin.Fd()
	fmt.Fprint(a.errOut, "Password for the clone's master user: ")
	first, err := term.ReadPassword(fd)
	fmt.Fprintln(a.errOut)
	if err != nil {
		return "", false, fmt.Errorf("reading the password: %w", err)
	}
	fmt.Fprint(a.errOut, "Again: ")
	second, err := term.ReadPassword(fd)
	fmt.Fprintln(a.errOut)
	if err != nil {
		return "", false, fmt.Errorf("reading the password: %w", err)
	}
	if string(first) != string(second) {
		return "", false, usageErr{errors.New("the two passwords differ: nothing was created")}
	}
	return string(first), false, checkPassword(string(first), "the password")
}

// checkPassword applies Aurora's master password rules (8-41 printable
// ASCII characters, none of / " @ or space), naming the source, never the value.
func checkPassword(pw, source string) error {
	if len(pw) < 8 || len(pw) > 41 {
		return usageErr{fmt.Errorf("%s is %d characters: Aurora master passwords have 8 to 41", source, len(pw))}
	}
	for _, r := range pw {
		if r < 0x21 || r > 0x7e || strings.ContainsRune(`/"@`, r) {
			return usageErr{fmt.Errorf("%s holds a character Aurora refuses: use printable ASCII without /, \", @ or spaces", source)}
		}
	}
	return nil
}

// generatePassword makes a 24-character password from letters and digits
// (about 142 bits), which every Aurora engine accepts.
func generatePassword() string {
	const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"
	b := make([]byte, 24)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// pollInterval is how often watchers call AWS: DBAF_POLL_INTERVAL (for the
// sandbox at test pace), else the default.
func (a *app) pollInterval() time.Duration {
	if d, err := time.ParseDuration(a.getenv("DBAF_POLL_INTERVAL")); err == nil && d > 0 {
		return d
	}
	return artifact.DefaultPollInterval
}
