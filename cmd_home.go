package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/dbaf/dbaf/artifact"
	"github.com/dbaf/dbaf/dockerbuild"
	"github.com/dbaf/dbaf/ui/home"
)

// home is `dbaf` with no command: in a terminal the home screen, whose
// choices run the same flows as the commands, their screens shown inside
// the home program; otherwise the help.
func (a *app) home(cmd *cobra.Command) error {
	if !a.interactive() || a.global.output != "text" {
		return cmd.Help()
	}
	opts := home.Options{Entries: home.DefaultEntries(), Theme: a.theme()}
	// Inside an artifact image, clone that artifact; on a host, ask which
	// local artifact image to clone.
	if _, err := os.Stat(artifact.FilePath); err != nil {
		opts.Images = localArtifactImages
	}
	progOpts := a.teaOptions()
	// What the flows print would land in the home program's alternate
	// screen: it waits, in order, until the program ends.
	out, errOut := a.out, a.errOut
	var after, afterErr bytes.Buffer
	a.out, a.errOut = &after, &afterErr
	var flowErr error
	err := home.Host(cmd.Context(), opts, func(ctx context.Context, res home.Result) error {
		switch res.Choice {
		case home.Build:
			flowErr = a.build(ctx, "", &buildOptions{overrides: map[string]*string{}})
		case home.Clone:
			flowErr = a.clone(ctx, &cloneOptions{image: res.Image})
		case home.List:
			flowErr = a.list(ctx)
		}
		return flowErr
	}, &after, progOpts...)
	a.out, a.errOut = out, errOut
	_, _ = io.Copy(out, &after)
	_, _ = io.Copy(errOut, &afterErr)
	if flowErr != nil {
		return flowErr // the flow's error, as its command returns it
	}
	return quiet(err)
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
