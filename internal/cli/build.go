package cli

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/spf13/cobra"

	"github.com/dbaf/dbaf/artifact"
	dbafaws "github.com/dbaf/dbaf/aws"
	"github.com/dbaf/dbaf/config"
	"github.com/dbaf/dbaf/dockerbuild"
	"github.com/dbaf/dbaf/ui/common"
	"github.com/dbaf/dbaf/ui/wizard"
)

// defaultConfigFile is read when `dbaf build` gets no CONFIG argument.
const defaultConfigFile = config.DefaultFile

// BuildOptions are those of `dbaf build`.
type BuildOptions struct {
	f   *Factory
	ctx context.Context

	Path   string // the INI; "" = ./artifact_config.ini unless the flags make a whole config
	Yes    bool
	Push   string
	Binary string
	Arch   string
	// overrides holds the INI keys given as flags, by key.
	overrides map[string]*string
}

// NewCmdBuild builds a database artifact image.
func NewCmdBuild(f *Factory, runF func(*BuildOptions) error) *cobra.Command {
	opts := &BuildOptions{f: f, overrides: map[string]*string{}}
	cmd := &cobra.Command{
		Use:   "build [CONFIG]",
		Short: "Build a database artifact image from an INI file",
		Long: `Build a database artifact image from an INI file (default ./` + defaultConfigFile + `).

The INI names the source Aurora cluster, the subnets and the instance class of
the clone (see docs/ini.md for every key). Flags fill in or override INI values.
dbaf asks AWS about the source (engine, version, port, user, network), checks
the class is orderable, and builds an image with no base image: the static dbaf
binary and the resolved artifact. The image is loaded into the local Docker
engine under its tag, and pushed with --push.

With --yes, or without a terminal, dbaf never prompts.`,
		Example: `  dbaf build artifact_config.ini --yes
  dbaf build --source-cluster prod-aurora --subnets source --instance-class db.r6g.large --yes
  dbaf --sandbox build artifact_config.ini --yes --tag db-artifact:test
  dbaf build artifact_config.ini --yes --push 127.0.0.1:5000/db-artifact:latest`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ctx = cmd.Context()
			if len(args) == 1 {
				opts.Path = args[0]
			}
			for _, k := range config.Keys() {
				if !cmd.Flags().Changed(k.Flag) {
					delete(opts.overrides, k.Name)
				}
			}
			if runF != nil {
				return runF(opts)
			}
			return buildRun(opts)
		},
	}
	fl := cmd.Flags()
	fl.BoolVarP(&opts.Yes, "yes", "y", false, "build without asking")
	fl.StringVar(&opts.Push, "push", "", "also push the image to this registry reference, e.g. 127.0.0.1:5000/db-artifact:latest")
	fl.StringVar(&opts.Binary, "dbaf-binary", "", "static linux dbaf binary to put in the image (default: this dbaf)")
	fl.StringVar(&opts.Arch, "arch", "", "image architecture, amd64 or arm64 (default: this machine's)")
	// Flags fill or override INI values, one per key of config's table.
	opts.overrides = config.BindFlags(fl)
	return cmd
}

func buildRun(o *BuildOptions) error {
	f, ctx := o.f, o.ctx
	if o.Push != "" {
		// Checked before anything is built: a typo must not cost a build.
		if _, err := name.ParseReference(o.Push); err != nil {
			err = usageErr{fmt.Errorf("--push %q is not an image reference: %v; want e.g. 127.0.0.1:5000/db-artifact:latest", o.Push, err)}
			f.printer().Emit(artifact.BuildFailed{Reason: err.Error()})
			return err
		}
	}
	if !o.Yes && f.textView() {
		return f.wizard(ctx, o)
	}
	g := artifact.NewStream(f.printer().Emit)
	return g.End(f.buildHeadless(ctx, o, g.Emit), artifact.BuildFinal)
}

func (f *Factory) buildHeadless(ctx context.Context, o *BuildOptions, emit artifact.Emit) error {
	cfg, err := f.loadBuildConfig(o.Path, o.overrides, true)
	if err != nil {
		return err
	}

	binary, err := f.imageBinary(o)
	if err != nil {
		return err
	}

	if !o.Yes && !f.interactive() {
		fmt.Fprintln(f.IOStreams.ErrOut, "dbaf: no terminal: building without prompts, as with --yes")
	}

	client, err := f.awsClient(ctx, cfg.Region)
	if err != nil {
		return err
	}
	_, err = f.runBuild(ctx, cfg, binary, o.Arch, o.Push, client, client, emit)
	return err
}

// imageBinary is the static dbaf that goes into the image: --dbaf-binary,
// else the running one.
func (f *Factory) imageBinary(o *BuildOptions) (string, error) {
	binary := o.Binary
	if binary == "" {
		var err error
		if binary, err = f.Executable(); err != nil {
			return "", fmt.Errorf("cannot find the running dbaf binary (%v): pass --dbaf-binary", err)
		}
	}
	if err := dockerbuild.CheckBinary(binary, o.Arch); err != nil {
		if o.Binary == "" {
			err = fmt.Errorf("%w\n(the running dbaf cannot go into the image; pass --dbaf-binary PATH)", err)
		}
		return "", usageErr{err}
	}
	return binary, nil
}

// runBuild connects to Docker and runs one build; the headless command and
// the wizard both call it. pf, when set, reports a clone's preflight in the
// build (the wizard's review shows it instead).
func (f *Factory) runBuild(ctx context.Context, cfg *config.Config, binary, arch, push string, d artifact.Discovery, pf artifact.PreflightAWS, emit artifact.Emit) (*artifact.Built, error) {
	engine, err := f.DockerEngine(ctx)
	if err != nil {
		return nil, dockerErr{err}
	}
	defer engine.Close()
	created, err := artifact.CreatedTime(cfg.Path, f.Getenv)
	if err != nil {
		return nil, usageErr{err}
	}
	req := artifact.BuildRequest{Config: cfg, Created: created, Binary: binary, Arch: arch, Version: f.Version, Push: push,
		Sandbox: f.global.sandbox, Preflight: pf}
	built, err := artifact.Build(ctx, req, d, engine, f.netTimeouts().Push, emit)
	return built, wrapDocker(err)
}

// wizard runs the build wizard, pre-filled from the INI (if any) and the
// flags; a partial or invalid file is fine, the wizard asks for the rest.
func (f *Factory) wizard(ctx context.Context, o *BuildOptions) error {
	binary, err := f.imageBinary(o)
	if err != nil {
		return err
	}
	cfg, err := f.loadBuildConfig(o.Path, o.overrides, false)
	if err != nil {
		return err
	}
	client, err := f.awsClient(ctx, cfg.Region)
	if err != nil {
		return err
	}
	configPath := cfg.Path
	if configPath == "" {
		configPath = defaultConfigFile
	}
	// in is the client of the region the wizard switched to, if it did.
	in := func(ctx context.Context, region string) (*dbafaws.Client, error) {
		if region == "" || region == client.Region() {
			return client, nil
		}
		return f.AWSClient(ctx, region)
	}
	built, err := wizard.Run(ctx, wizard.Options{
		Discovery: client,
		SwitchRegion: func(ctx context.Context, region string) (wizard.Discovery, error) {
			return f.AWSClient(ctx, region)
		},
		Profile:    f.profileName(),
		Config:     cfg,
		ConfigPath: configPath,
		Build: func(ctx context.Context, cfg *config.Config, push string, emit artifact.Emit) (*artifact.Built, error) {
			if push == "" {
				push = o.Push
			}
			d, err := in(ctx, cfg.Region)
			if err != nil {
				return nil, err
			}
			return f.runBuild(ctx, cfg, binary, o.Arch, push, d, nil, emit)
		},
		Preflight: func(ctx context.Context, region string, src artifact.Source, warn func(string)) (*artifact.Preflight, error) {
			d, err := in(ctx, region)
			if err != nil {
				return nil, err
			}
			return artifact.RunPreflight(ctx, d, src, warn)
		},
		Theme: f.theme(),
	}, f.teaOptions()...)
	if errors.Is(err, wizard.ErrAborted) && built == nil && ctx.Err() == nil {
		fmt.Fprintln(f.IOStreams.ErrOut, "dbaf: wizard closed: nothing was built")
		if errors.Is(err, common.ErrInterrupted) {
			return quiet(err) // ctrl+c: exit 130
		}
		return nil
	}
	if err != nil {
		return quiet(err)
	}
	fmt.Fprintf(f.IOStreams.Out, "image: %s\nid: %s\nrun: %s\n", built.Image, built.ID, built.RunLine)
	return nil
}

// profileName is the AWS profile shown in headers.
func (f *Factory) profileName() string {
	switch {
	case f.global.sandbox:
		return "sandbox"
	case f.global.profile != "":
		return f.global.profile
	case f.Getenv("AWS_PROFILE") != "":
		return f.Getenv("AWS_PROFILE")
	}
	return "default"
}

// loadBuildConfig reads the INI (if any), applies flag overrides and, when
// asked, validates the result, printing warnings for unknown keys. Without
// a CONFIG argument it reads ./artifact_config.ini only when the flags do not
// already make a complete config, and a headless build says which file it
// read (a "config" progress line).
func (f *Factory) loadBuildConfig(path string, overrides map[string]*string, validate bool) (*config.Config, error) {
	if path == "" && len(overrides) > 0 {
		if cfg, err := withOverrides(&config.Config{}, overrides); err == nil && cfg.Validate() == nil {
			if validate {
				f.printer().Emit(artifact.Progress{Step: "config", Line: "config: none, the flags name every required key"})
			}
			return cfg, nil
		}
	}
	if path == "" {
		if _, err := os.Stat(defaultConfigFile); err == nil {
			path = defaultConfigFile
		}
	}
	cfg := &config.Config{}
	if path != "" {
		c, warnings, err := config.Load(path)
		if err != nil {
			return nil, err
		}
		for _, w := range warnings {
			fmt.Fprintf(f.IOStreams.ErrOut, "warning: %s\n", w)
		}
		cfg = c
		if validate {
			f.printer().Emit(artifact.Progress{Step: "config", Line: "config: " + path})
		}
	} else if len(overrides) == 0 && validate {
		return nil, usageErr{fmt.Errorf("no %s here and no flags: pass an INI file (dbaf build FILE) or --source-cluster, --subnets and --instance-class", defaultConfigFile)}
	}
	cfg, err := withOverrides(cfg, overrides)
	if err != nil {
		return nil, err
	}
	if !validate {
		return cfg, nil
	}
	if err := cfg.Validate(); err != nil {
		if path == "" {
			return nil, usageErr{fmt.Errorf("%w\n(no INI file: give the missing values as flags, see dbaf build --help)", err)}
		}
		return nil, err
	}
	return cfg, nil
}

// withOverrides applies the build flags that were given to cfg.
func withOverrides(cfg *config.Config, overrides map[string]*string) (*config.Config, error) {
	for _, k := range config.Keys() {
		if v, ok := overrides[k.Name]; ok {
			if err := cfg.Set(k.Name, *v); err != nil {
				return nil, usageErr{fmt.Errorf("--%s: %w", k.Flag, err)}
			}
		}
	}
	return cfg, nil
}
