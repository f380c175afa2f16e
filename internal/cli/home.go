package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/dbaf/dbaf/artifact"
	"github.com/dbaf/dbaf/internal/sandbox/daemon"
	"github.com/dbaf/dbaf/ui/home"
)

// HomeOptions are those of `dbaf` with no command.
type HomeOptions struct {
	f    *Factory
	ctx  context.Context
	help func() error
}

// NewCmdHome is the root command without its subcommands and global
// flags: in a terminal the home screen, whose choices run the same flows
// as the commands; otherwise the help.
func NewCmdHome(f *Factory, runF func(*HomeOptions) error) *cobra.Command {
	opts := &HomeOptions{f: f}
	cmd := &cobra.Command{
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
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.ctx, opts.help = cmd.Context(), cmd.Help
			if runF != nil {
				return runF(opts)
			}
			return homeRun(opts)
		},
	}
	return cmd
}

func homeRun(opts *HomeOptions) error {
	f, ctx := opts.f, opts.ctx
	if !f.textView() {
		return opts.help()
	}
	ho := home.Options{Entries: home.DefaultEntries(), Theme: f.theme()}
	// Inside an artifact image, clone that artifact; on a host, ask which
	// local artifact image to clone.
	if _, err := os.Stat(artifact.FilePath); err != nil {
		ho.Images = f.localArtifactImages
	}
	ho.Sandbox = f.sandboxLine()
	progOpts := f.teaOptions()
	// What the flows print would land in the home program's alternate
	// screen: it waits, in order, until the program ends.
	out, errOut := f.IOStreams.Out, f.IOStreams.ErrOut
	var after, afterErr bytes.Buffer
	f.IOStreams.Out, f.IOStreams.ErrOut = &after, &afterErr
	var flowErr error
	err := home.Host(ctx, ho, func(ctx context.Context, res home.Result) error {
		switch res.Choice {
		case home.Build:
			flowErr = buildRun(&BuildOptions{f: f, ctx: ctx, overrides: map[string]*string{}})
		case home.Clone:
			flowErr = cloneRun(&CloneOptions{f: f, ctx: ctx, Image: res.Image, LoginWait: artifact.DefaultLoginWait})
		case home.List:
			flowErr = listRun(&ListOptions{f: f, ctx: ctx})
		}
		return flowErr
	}, &after, progOpts...)
	f.IOStreams.Out, f.IOStreams.ErrOut = out, errOut
	_, _ = io.Copy(out, &after)
	_, _ = io.Copy(errOut, &afterErr)
	if flowErr != nil {
		return flowErr // the flow's error, as its command returns it
	}
	return quiet(err)
}

// sandboxLine says whether the local sandbox account runs, for the home
// screen: one state-file read, no network.
func (f *Factory) sandboxLine() string {
	acc, err := daemon.Status(daemon.DefaultStateDir(f.Getenv))
	switch {
	case err != nil:
		return "sandbox account: " + err.Error()
	case acc == nil:
		return "sandbox account: not running (dbaf sandbox start, or any dbaf --sandbox command, starts it)"
	}
	return fmt.Sprintf("sandbox account: running at %s since %s (dbaf --sandbox … uses it; dbaf sandbox stop stops it)",
		acc.URL, acc.Started.Local().Format("15:04"))
}

// localArtifactImages lists the artifact images in the Docker engine (those
// carrying dbaf's schema label), one entry per tag.
func (f *Factory) localArtifactImages(ctx context.Context) ([]home.ArtifactImage, error) {
	engine, err := f.DockerEngine(ctx)
	if err != nil {
		return nil, err
	}
	defer engine.Close()
	infos, err := engine.ListLabeled(ctx, artifact.LabelSchema)
	if err != nil {
		return nil, err
	}
	var out []home.ArtifactImage
	for _, in := range infos {
		created, _ := time.Parse(time.RFC3339, in.Created)
		if c, err := time.Parse(time.RFC3339, in.Labels[artifact.LabelCreated]); err == nil {
			created = c
		}
		for _, tag := range in.Tags {
			if tag == "<none>:<none>" {
				continue
			}
			out = append(out, home.ArtifactImage{Ref: tag, Source: in.Labels[artifact.LabelSource],
				Region: in.Labels[artifact.LabelRegion], Created: created})
		}
	}
	return out, nil
}
