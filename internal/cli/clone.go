package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/dbaf/dbaf/artifact"
	dbafaws "github.com/dbaf/dbaf/aws"
	"github.com/dbaf/dbaf/config"
	"github.com/dbaf/dbaf/ui/cloneview"
	"github.com/dbaf/dbaf/ui/common"
)

// CloneOptions are those of `dbaf clone`.
type CloneOptions struct {
	f   *Factory
	ctx context.Context

	Image, ConfigPath, Name string
	PasswordStdin, Generate bool
	ManagedPassword         bool // RDS manages the password, whatever the artifact says
	KeepOnFailure           bool
	ResetPassword           bool
	Yes                     bool
	LoginWait               time.Duration // how long a refused login to the new clone is retried
	HookTimeout             time.Duration // how long each post-clone hook file may run
	TTL                     ttlFlag       // how long the clone lives; 0 = the artifact's clone_ttl

	// reset, when set, makes the request a reset's (dbaf reset sets it),
	// and view adjusts the terminal view's options.
	reset func(artifact.CloneRequest) artifact.ResetRequest
	view  func(*cloneview.Options)
}

// plan is the one clone (or reset) the options make of a request.
func (o *CloneOptions) plan(req artifact.CloneRequest, s artifact.Stacks) *artifact.ClonePlan {
	if o.reset != nil {
		return artifact.NewResetPlan(o.reset(req), s, artifact.GeneratePassword)
	}
	return artifact.NewClonePlan(req, s, artifact.GeneratePassword)
}

// NewCmdClone creates a clone of the artifact's source cluster.
func NewCmdClone(f *Factory, runF func(*CloneOptions) error) *cobra.Command {
	o := &CloneOptions{f: f}
	cmd := &cobra.Command{
		Use:   "clone",
		Short: "Create a copy-on-write clone of the artifact's source cluster",
		Long: `Create a copy-on-write clone of the artifact's source Aurora cluster through one
CloudFormation stack, report every stack event, reset the clone's master
password, wait until it is available and print its endpoint.

The artifact comes from the image dbaf runs in (the image's default command is
"dbaf clone"), from --image on the host, or straight from an INI with --config.

The password comes from the first line of standard input with --password-stdin,
the first line of the file $DB_PASSWORD_FILE (a mounted secret), $DB_PASSWORD,
a prompt in a terminal, or --generate-password (shown once, at the end). It
never appears in the template, stack parameters or logs; the prompt,
--password-stdin and DB_PASSWORD_FILE also keep it out of docker inspect.

When a dbaf stack named --name already exists and is your clone of the same
source, dbaf follows it (its progress, or its endpoint) instead of failing, so
scripts can call clone idempotently; someone else's stack, or a clone of
another source, is refused (exit 2). Following a clone whose password dbaf
already reset leaves that password alone unless --reset-password.
A failed clone is rolled back and deleted unless --keep-on-failure.

With --managed-password, or an artifact written with password = secrets-manager,
no password is asked for: RDS generates the master password and keeps it in
Secrets Manager. dbaf reads it itself for the login check and hands over the
secret's ARN and the aws command that prints it, never the password.

When the artifact masks (or has post-clone hooks), the clone is masked under a
temporary password no one sees before the developer's password is set; a
masking or hook failure fails the clone (exit 5) and tears it down, so
unmasked data is never handed over. --keep-on-failure keeps it for inspection,
still under the temporary password: the message says how to get in.

Before it says ready, dbaf logs in to the clone over TLS with the new password
and reports what it saw (server version, schemas, tables, size). A refused
login is retried for --login-wait while AWS applies the password, then fails
the clone (exit 5; the stack is left, named with resume and teardown commands).
An endpoint that does not answer from this machine (a private subnet seen from
a laptop) is still ready: dbaf says to connect from inside the VPC.`,
		Example: `  docker run --rm -it -v ~/.aws:/root/.aws:ro -e AWS_PROFILE db-artifact:latest
  docker run --rm -v ~/.aws:/root/.aws:ro -e AWS_PROFILE -v ./pw:/run/secrets/db_password:ro -e DB_PASSWORD_FILE=/run/secrets/db_password db-artifact:latest
  dbaf clone --image db-artifact:latest
  dbaf clone --config artifact_config.ini --name ci-clone-42 -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.ctx = cmd.Context()
			if runF != nil {
				return runF(o)
			}
			return cloneRun(o)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&o.Image, "image", "", "read the artifact from this image (local engine, then its registry)")
	fl.StringVar(&o.ConfigPath, "config", "", "resolve the artifact from this INI instead of an image")
	fl.StringVar(&o.Name, "name", "", "stack name (default dbartifact<epoch>-prod-clone); an existing dbaf stack of that name is followed")
	fl.BoolVar(&o.PasswordStdin, "password-stdin", false, "read the clone's password from the first line of standard input")
	fl.BoolVar(&o.Generate, "generate-password", false, "generate a password and show it once at the end")
	fl.BoolVar(&o.ManagedPassword, "managed-password", false, "have RDS generate the password and keep it in Secrets Manager; dbaf shows the secret's ARN, never the password")
	fl.BoolVar(&o.KeepOnFailure, "keep-on-failure", false, "leave a failed stack for inspection instead of deleting it (a clone whose masking failed keeps its unmasked data and a temporary password no one knows)")
	fl.BoolVar(&o.ResetPassword, "reset-password", false, "when following an existing clone, set its password even if an earlier run already did")
	fl.DurationVar(&o.LoginWait, "login-wait", artifact.DefaultLoginWait, "how long a refused login to the new clone is retried while AWS applies the password")
	hookTimeoutFlag(fl, o)
	fl.BoolVarP(&o.Yes, "yes", "y", false, "in a terminal, start without the summary screen")
	ttlFlagVar(fl, o)
	return cmd
}

func cloneRun(o *CloneOptions) error {
	f, ctx := o.f, o.ctx
	if f.textView() {
		return f.cloneWith(ctx, o, nil)
	}
	g := artifact.NewStream(f.printer().Emit)
	return g.End(f.cloneWith(ctx, o, g.Emit), func(err error) artifact.Event { return artifact.CloneFinal(o.Name, err) })
}

// cloneWith runs a clone, in the terminal view when emit is nil.
func (f *Factory) cloneWith(ctx context.Context, o *CloneOptions, emit artifact.Emit) error {
	if o.Image != "" && o.ConfigPath != "" {
		return usageErr{errors.New("--image and --config both name the artifact: pass one")}
	}
	if o.Name != "" {
		if err := artifact.ValidateStackName(o.Name); err != nil {
			return usageErr{err}
		}
	}
	if o.LoginWait <= 0 {
		return usageErr{fmt.Errorf("--login-wait %s: want a positive duration such as 30s or 2m (default %s)", o.LoginWait, artifact.DefaultLoginWait)}
	}
	if o.HookTimeout <= 0 {
		return usageErr{fmt.Errorf("--hook-timeout %s: want a positive duration such as 90s or 30m (default %s)", o.HookTimeout, artifact.DefaultHookTimeout)}
	}
	// Flags that choose the password twice, before anything is read.
	if o.Generate && o.PasswordStdin {
		return usageErr{errors.New("--generate-password and --password-stdin both choose the password: pass one")}
	}
	if o.ManagedPassword {
		if err := managedConflict(o, "--managed-password"); err != nil {
			return err
		}
	}
	load, err := f.loadCloneArtifact(ctx, o)
	if err != nil {
		return err
	}
	// The password is settled before the artifact is resolved against AWS,
	// so that a missing one is a usage error found first. In a terminal the
	// clone view asks for a missing password itself.
	password, source, err := f.clonePassword(o, load.managed || o.ManagedPassword, emit == nil)
	if err != nil {
		return err
	}
	art, err := load.resolve(ctx)
	if err != nil {
		return err
	}
	if o.ManagedPassword && !art.Target.ManagedPassword {
		managed := *art // the flag overrides this run's copy only
		managed.Target.ManagedPassword = true
		art = &managed
	}
	generated := password != "" && source == ""
	if password != "" && !generated {
		if err := checkPassword(art.Source.Engine, password, source); err != nil {
			return err
		}
	}
	client, err := f.awsClient(ctx, art.Region)
	if err != nil {
		return err
	}
	if art.Region != "" && client.Region() != art.Region {
		fmt.Fprintf(f.IOStreams.ErrOut, "warning: the artifact's source is in %s but AWS is set to %s: the clone goes to %s\n", art.Region, client.Region(), client.Region())
	}
	ca, err := f.caBundle(ctx)
	if err != nil {
		return err
	}
	req := artifact.CloneRequest{CA: ca, Artifact: art, Name: o.Name, Password: password, PasswordGenerated: generated,
		KeepOnFailure: o.KeepOnFailure, ResetPassword: o.ResetPassword, PollInterval: f.pollInterval(),
		LoginWait: o.LoginWait, HookTimeout: o.HookTimeout, TTL: time.Duration(o.TTL), Commands: f.cloneCommands(o, art)}
	plan := o.plan(req, client)
	if emit == nil {
		return f.cloneView(ctx, o, plan, client, req.Password == "")
	}
	_, err = plan.Run(ctx, "", false, emit)
	return err
}

// cloneView runs the clone in the live terminal view. It prints nothing
// after the view: the view's last frame holds the result or the teardown
// command.
func (f *Factory) cloneView(ctx context.Context, o *CloneOptions, plan *artifact.ClonePlan, client *dbafaws.Client, noPassword bool) error {
	a := plan.Artifact()
	vo := cloneview.Options{
		Artifact: a, Clone: plan, Region: client.Region(),
		NeedPassword: noPassword && !a.Target.ManagedPassword, SkipSummary: o.Yes,
		Teardown: f.teardownFunc(client),
		Commands: f.cloneCommands(o, a),
		Theme:    f.theme(),
	}
	if o.view != nil {
		o.view(&vo)
	}
	res, err := cloneview.Run(ctx, vo, f.teaOptions()...)
	for _, l := range res.Afterword { // values too wide for the view, whole
		fmt.Fprintln(f.IOStreams.Out, l)
	}
	if err == nil {
		err = res.Err
	}
	if errors.Is(err, cloneview.ErrCancelled) && !errors.Is(err, common.ErrInterrupted) {
		return nil
	}
	if ctx.Err() != nil {
		// A signal stopped the view before it could say what is left
		// running (the teardown command): say it here.
		return err
	}
	return quiet(err)
}

// loadedArtifact is an artifact read but, for an INI, not yet resolved
// against AWS: what it says about the password is known before any AWS
// call, so a missing password is still a usage error found first.
type loadedArtifact struct {
	managed bool
	resolve func(ctx context.Context) (*artifact.Artifact, error)
}

// loadCloneArtifact finds the artifact: --config reads an INI (resolved
// against AWS by resolve), --image reads an image, and otherwise the image
// dbaf runs in.
func (f *Factory) loadCloneArtifact(ctx context.Context, o *CloneOptions) (*loadedArtifact, error) {
	if o.ConfigPath == "" {
		data, err := f.readArtifact(ctx, o.Image)
		if err != nil {
			if o.Image == "" {
				return nil, usageErr{errors.New("no artifact here: run dbaf clone inside an artifact image, or pass --image IMAGE or --config FILE")}
			}
			return nil, err
		}
		art, err := artifact.Parse(data)
		if err != nil {
			return nil, err
		}
		return &loadedArtifact{managed: art.Target.ManagedPassword,
			resolve: func(context.Context) (*artifact.Artifact, error) { return art, nil }}, nil
	}
	cfg, warnings, err := config.Load(o.ConfigPath)
	if err != nil {
		return nil, err
	}
	for _, w := range warnings {
		fmt.Fprintf(f.IOStreams.ErrOut, "warning: %s\n", w)
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	resolve := func(ctx context.Context) (*artifact.Artifact, error) {
		client, err := f.awsClient(ctx, cfg.Region)
		if err != nil {
			return nil, err
		}
		created, err := artifact.CreatedTime(cfg.Path, f.Getenv)
		if err != nil {
			return nil, usageErr{err}
		}
		return artifact.Resolve(ctx, cfg, client, created, func(msg string) { fmt.Fprintf(f.IOStreams.ErrOut, "warning: %s\n", msg) })
	}
	return &loadedArtifact{managed: cfg.ManagedPassword, resolve: resolve}, nil
}

// password finds the clone's password without ever putting it in argv or
// the container's config. source names where it came from, for
// checkPassword once the engine is known; it is "" for a generated one.
func (f *Factory) password(o *CloneOptions, viewPrompts bool) (pw, source string, err error) {
	envPw, envFile := f.Getenv("DB_PASSWORD"), f.Getenv("DB_PASSWORD_FILE")
	switch {
	case o.Generate:
		return artifact.GeneratePassword(), "", nil
	case o.PasswordStdin:
		line, err := bufio.NewReader(f.IOStreams.In).ReadString('\n')
		if err != nil && err != io.EOF {
			return "", "", fmt.Errorf("reading the password from standard input: %w", err)
		}
		pw = strings.TrimRight(line, "\r\n")
		if pw == "" {
			return "", "", usageErr{errors.New("--password-stdin: standard input was empty")}
		}
		return pw, "the password on standard input", nil
	case envPw != "" && envFile != "":
		return "", "", usageErr{errors.New("DB_PASSWORD and DB_PASSWORD_FILE are both set: unset one (DB_PASSWORD_FILE keeps the password out of docker inspect)")}
	case envFile != "":
		pw, err := readPasswordFile(envFile)
		return pw, "the password in DB_PASSWORD_FILE", err
	case envPw != "":
		return envPw, "DB_PASSWORD", nil
	case viewPrompts:
		return "", "", nil
	case f.interactive():
		pw, err := f.promptPassword()
		return pw, "the password", err
	}
	return "", "", usageErr{errors.New("no password for the clone: run in a terminal to be asked, or pass --password-stdin, --generate-password or --managed-password, or set DB_PASSWORD_FILE to a file holding it")}
}

// clonePassword is the developer's password for a clone and where it came
// from ("" source = generated); none when RDS manages it. The caller checks
// it against the engine's rules once the artifact is resolved.
func (f *Factory) clonePassword(o *CloneOptions, managed, viewPrompts bool) (pw, source string, err error) {
	if managed {
		by := "the artifact's password = " + config.PasswordSecretsManager
		if o.ManagedPassword {
			by = "--managed-password"
		}
		if err := managedConflict(o, by); err != nil {
			return "", "", err
		}
		// A container may set these for every run: say they go unused.
		for _, v := range []string{"DB_PASSWORD", "DB_PASSWORD_FILE"} {
			if f.Getenv(v) != "" {
				fmt.Fprintf(f.IOStreams.ErrOut, "warning: %s is not used: %s\n", v, managedBy(by))
			}
		}
		return "", "", nil
	}
	return f.password(o, viewPrompts)
}

// managedConflict refuses the flags that choose a password when RDS is to
// manage it; by says who asked for that.
func managedConflict(o *CloneOptions, by string) error {
	for _, fl := range []struct {
		name string
		set  bool
	}{{"--password-stdin", o.PasswordStdin}, {"--generate-password", o.Generate}} {
		if fl.set {
			return usageErr{fmt.Errorf("%s: %s; drop %s", fl.name, managedBy(by), fl.name)}
		}
	}
	return nil
}

func managedBy(by string) string {
	return "RDS generates this clone's password and keeps it in Secrets Manager (" + by + ")"
}

// maxPasswordFile bounds what readPasswordFile reads: a password is one
// short line.
const maxPasswordFile = 4 << 10

// readPasswordFile reads DB_PASSWORD_FILE, Docker's convention for a
// mounted secret: the first line, without its line ending.
func readPasswordFile(path string) (string, error) {
	const hint = "mount the secret file readable, e.g. -v ./pw:/run/secrets/db_password:ro -e DB_PASSWORD_FILE=/run/secrets/db_password"
	f, err := os.Open(path)
	if err != nil {
		return "", usageErr{fmt.Errorf("DB_PASSWORD_FILE=%s: cannot read it (%v); %s", path, unwrapPathError(err), hint)}
	}
	defer f.Close()
	line, err := bufio.NewReader(io.LimitReader(f, maxPasswordFile)).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", usageErr{fmt.Errorf("DB_PASSWORD_FILE=%s: cannot read it (%v); %s", path, unwrapPathError(err), hint)}
	}
	pw := strings.TrimRight(line, "\r\n")
	if pw == "" {
		return "", usageErr{fmt.Errorf("DB_PASSWORD_FILE=%s: its first line is empty; write the password on it", path)}
	}
	return pw, nil
}

// unwrapPathError drops the "open PATH:" the message already names.
func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// promptPassword asks twice on the error stream. The answer comes from
// the injected input: unechoed when it is a terminal, else its next lines.
func (f *Factory) promptPassword() (string, error) {
	read := lineReader(f.IOStreams.In)
	if file, ok := f.IOStreams.In.(*os.File); ok && term.IsTerminal(file.Fd()) {
		read = func() (string, error) {
			b, err := term.ReadPassword(file.Fd())
			return string(b), err
		}
	}
	fmt.Fprint(f.IOStreams.ErrOut, "Password for the clone's master user: ")
	first, err := read()
	fmt.Fprintln(f.IOStreams.ErrOut)
	if err != nil {
		return "", fmt.Errorf("reading the password: %w", err)
	}
	fmt.Fprint(f.IOStreams.ErrOut, "Again: ")
	second, err := read()
	fmt.Fprintln(f.IOStreams.ErrOut)
	if err != nil {
		return "", fmt.Errorf("reading the password: %w", err)
	}
	if first != second {
		return "", usageErr{errors.New("the two passwords differ: nothing was created")}
	}
	return first, nil
}

// lineReader reads successive lines of r, without their line endings; a
// last line without one counts, an empty input is io.EOF.
func lineReader(r io.Reader) func() (string, error) {
	br := bufio.NewReader(r)
	return func() (string, error) {
		line, err := br.ReadString('\n')
		if err == io.EOF && line != "" {
			err = nil
		}
		return strings.TrimRight(line, "\r\n"), err
	}
}

// checkPassword applies the engine's master password rules
// (artifact.CheckPassword), naming the source, never the value.
func checkPassword(engine, pw, source string) error {
	if err := artifact.CheckPassword(engine, pw, source); err != nil {
		return usageErr{err}
	}
	return nil
}

// minPollInterval floors DBAF_POLL_INTERVAL: faster polling only burns
// API calls (1ns made thousands of calls a minute) and gets throttled.
const minPollInterval = 100 * time.Millisecond

// parsePollInterval reads DBAF_POLL_INTERVAL (for the sandbox at test
// pace): unset is the default; garbage or less than the floor is an error.
func parsePollInterval(v string) (time.Duration, error) {
	if v == "" {
		return artifact.DefaultPollInterval, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, usageErr{fmt.Errorf("DBAF_POLL_INTERVAL=%q is not a duration: want e.g. 200ms or 2s (at least %s), or unset it for the default %s", v, minPollInterval, artifact.DefaultPollInterval)}
	}
	if d < minPollInterval {
		return 0, usageErr{fmt.Errorf("DBAF_POLL_INTERVAL=%s is below the minimum %s: set it to %s or more, or unset it for the default %s", v, minPollInterval, minPollInterval, artifact.DefaultPollInterval)}
	}
	return d, nil
}

// pollInterval is how often watchers call AWS, as checked before the
// command ran.
func (f *Factory) pollInterval() time.Duration {
	if f.pollEvery > 0 {
		return f.pollEvery
	}
	return artifact.DefaultPollInterval
}

// hookTimeoutFlag is --hook-timeout, for clone and reset alike.
func hookTimeoutFlag(fl *pflag.FlagSet, o *CloneOptions) {
	fl.DurationVar(&o.HookTimeout, "hook-timeout", artifact.DefaultHookTimeout, "how long each post-clone hook file may run before dbaf stops it and fails the clone")
}

// ttlFlagVar is --ttl, shared by clone and reset.
func ttlFlagVar(fl *pflag.FlagSet, o *CloneOptions) {
	fl.Var(&o.TTL, "ttl", "how long the clone lives (like 8h or 3d), at most the artifact's clone_ttl (its default); AWS deletes it then once dbaf setup ran in the account")
}

// ttlFlag is a duration that also takes whole days ("3d").
type ttlFlag time.Duration

func (t *ttlFlag) String() string {
	if *t == 0 {
		return ""
	}
	return time.Duration(*t).String()
}

func (t *ttlFlag) Set(v string) error {
	d, err := artifact.ParseTTL(v)
	*t = ttlFlag(d)
	return err
}

func (t *ttlFlag) Type() string { return "duration" }
