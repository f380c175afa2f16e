package main

import (
	"context"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/dbaf/dbaf/artifact"
	"github.com/dbaf/dbaf/dockerbuild"
	"github.com/dbaf/dbaf/ui/home"
)

// home is `dbaf` with no command: in a terminal the home screen, whose
// choices run the same flows as the commands; otherwise the help.
func (a *app) home(cmd *cobra.Command) error {
	if !a.interactive() || a.global.output != "text" {
		return cmd.Help()
	}
	ctx := cmd.Context()
	for {
		opts := home.Options{Entries: home.DefaultEntries(), Theme: a.theme()}
		// Inside an artifact image, clone that artifact; on a host, ask which
		// local artifact image to clone.
		if _, err := os.Stat(artifact.FilePath); err != nil {
			opts.Images = localArtifactImages
		}
		res, err := home.RunWith(ctx, opts, a.teaOptions()...)
		if err != nil {
			return quiet(err)
		}
		switch res.Choice {
		case home.Build:
			err = a.build(ctx, "", &buildOptions{overrides: map[string]*string{}})
		case home.Clone:
			err = a.clone(ctx, &cloneOptions{image: res.Image})
		case home.List:
			err = a.list(ctx)
		default:
			return nil
		}
		if err != nil || ctx.Err() != nil {
			return err
		}
	}
}

// localArtifactImages lists the artifact images in the Docker engine (those
// carrying dbaf's schema label), one entry per tag.
func localArtifactImages(ctx context.Context) ([]home.ArtifactImage, error) {
	engine, err := dockerbuild.Connect(ctx)
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
