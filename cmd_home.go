package main

import (
	"os"

	"github.com/spf13/cobra"

	"github.com/dbaf/dbaf/artifact"
	"github.com/dbaf/dbaf/config"
	"github.com/dbaf/dbaf/ui"
)

// home is `dbaf` with no command: in a terminal the home screen, whose
// choices run the same flows as the commands; otherwise the help.
func (a *app) home(cmd *cobra.Command) error {
	if !a.interactive() || a.global.output != "text" {
		return cmd.Help()
	}
	ctx := cmd.Context()
	for {
		choice, err := ui.RunHome(ctx, ui.DefaultHomeEntries(), a.theme(), a.teaOptions()...)
		if err != nil {
			return quiet(err)
		}
		switch choice {
		case ui.HomeBuild:
			err = a.build(ctx, "", &buildOptions{overrides: map[string]*string{}})
		case ui.HomeClone:
			err = a.clone(ctx, &cloneOptions{image: a.homeCloneImage()})
		case ui.HomeList:
			err = a.list(ctx)
		default:
			return nil
		}
		if err != nil || ctx.Err() != nil {
			return err
		}
	}
}

// homeCloneImage picks the artifact "clone from an artifact" uses: the one
// dbaf runs in, else the default image tag.
func (a *app) homeCloneImage() string {
	if _, err := os.Stat(artifact.FilePath); err == nil {
		return ""
	}
	return config.DefaultImageTag
}
