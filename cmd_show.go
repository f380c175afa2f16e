package main

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

func (a *app) showCmd() *cobra.Command {
	var image string
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
			data, err := a.readArtifact(cmd.Context(), image)
			if err != nil {
				return err
			}
			art, err := artifact.Parse(data)
			if err != nil {
				return err
			}
			if a.global.output == "json" {
				_, err = a.out.Write(data)
				return err
			}
			printer.ShowArtifact(a.out, art)
			return nil
		},
	}
	cmd.Flags().StringVar(&image, "image", "", "read the artifact out of this image (local engine first, then its registry)")
	return cmd
}

// readArtifact returns the artifact file: from an image when one is named,
// else the one this process runs with (inside an artifact image).
func (a *app) readArtifact(ctx context.Context, image string) ([]byte, error) {
	if image == "" {
		path := a.getenv("DBAF_ARTIFACT")
		if path == "" {
			path = artifact.FilePath
		}
		data, err := os.ReadFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, usageErr{fmt.Errorf("no artifact at %s: \"dbaf show\" reads the artifact inside an artifact image; on the host use dbaf show --image IMAGE", path)}
		}
		return data, err
	}
	engine, err := a.netTimeouts().Connect(ctx)
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
	data, rerr := a.netTimeouts().ReadRemoteFile(ctx, image, artifact.FilePath)
	if rerr != nil {
		if err != nil {
			return nil, dockerErr{fmt.Errorf("%v; and reading it from its registry failed too: %w", err, rerr)}
		}
		return nil, dockerErr{fmt.Errorf("image %s is not in the local Docker engine, and reading it from its registry failed: %w\n(check the name with \"docker images\", build it with \"dbaf build\", or log in to its registry with \"docker login\")", image, rerr)}
	}
	return data, nil
}
