package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/spf13/cobra"

	"github.com/dbaf/dbaf/artifact"
	"github.com/dbaf/dbaf/ui/printer"
)

// ShowOptions are those of `dbaf show`.
type ShowOptions struct {
	f   *Factory
	ctx context.Context

	Image string // read the artifact out of this image; "" = the one dbaf runs with
}

// NewCmdShow prints the artifact an image carries.
func NewCmdShow(f *Factory, runF func(*ShowOptions) error) *cobra.Command {
	opts := &ShowOptions{f: f}
	cmd := &cobra.Command{
		Use:   "show",
		Short: "Print the artifact an image carries",
		Long: `Print the database artifact: the source cluster, the clone's class, network and
access, and how to run it.

Inside an artifact image ("docker run --rm IMAGE show") it reads the artifact
the image carries. On the host, --image reads it out of an image in the local
Docker engine, or from a registry when the engine does not have it.`,
		Example: `  docker run --rm db-artifact:latest show
  dbaf show --image db-artifact:latest
  dbaf show --image 127.0.0.1:5000/db-artifact:latest -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.ctx = cmd.Context()
			if runF != nil {
				return runF(opts)
			}
			return showRun(opts)
		},
	}
	cmd.Flags().StringVar(&opts.Image, "image", "", "read the artifact out of this image (local engine first, then its registry)")
	return cmd
}

func showRun(opts *ShowOptions) error {
	f := opts.f
	data, err := f.readArtifact(opts.ctx, opts.Image)
	if err != nil {
		return err
	}
	art, err := artifact.Parse(data)
	if err != nil {
		return err
	}
	if f.global.output == "json" {
		_, err = f.IOStreams.Out.Write(data)
		return err
	}
	printer.ShowArtifact(f.IOStreams.Out, art)
	return nil
}

// readArtifact returns the artifact file: from an image when one is named,
// else the one this process runs with (inside an artifact image).
func (f *Factory) readArtifact(ctx context.Context, image string) ([]byte, error) {
	if image == "" {
		path := f.Getenv("DBAF_ARTIFACT")
		if path == "" {
			path = artifact.FilePath
		}
		data, err := os.ReadFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, usageErr{fmt.Errorf("no artifact at %s: \"dbaf show\" reads the artifact inside an artifact image; on the host use dbaf show --image IMAGE", path)}
		}
		return data, err
	}
	engine, err := f.DockerEngine(ctx)
	if err == nil {
		defer engine.Close()
		data, lerr := engine.ReadFile(ctx, image, artifact.FilePath)
		if lerr == nil {
			return data, nil
		}
		if _, ierr := engine.Inspect(ctx, image); ierr == nil {
			return nil, dockerErr{lerr} // the image is there but is no artifact
		}
	}
	data, rerr := f.netTimeouts().ReadRemoteFile(ctx, image, artifact.FilePath)
	if rerr != nil {
		if err != nil {
			return nil, dockerErr{fmt.Errorf("%v; and reading it from its registry failed too: %w", err, rerr)}
		}
		return nil, dockerErr{fmt.Errorf("image %s is not in the local Docker engine, and reading it from its registry failed: %w\n(check the name with \"docker images\", build it with \"dbaf build\", or log in to its registry with \"docker login\")", image, rerr)}
	}
	return data, nil
}
