package cli

import (
	"fmt"
	"io"
	"runtime"

	"github.com/spf13/cobra"
)

// VersionOptions are those of `dbaf version`.
type VersionOptions struct {
	Out     io.Writer
	Version string
}

// NewCmdVersion prints dbaf's version.
func NewCmdVersion(f *Factory, runF func(*VersionOptions) error) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print dbaf's version",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			opts := &VersionOptions{Out: f.IOStreams.Out, Version: f.Version}
			if runF != nil {
				return runF(opts)
			}
			return versionRun(opts)
		},
	}
}

func versionRun(opts *VersionOptions) error {
	_, err := fmt.Fprintf(opts.Out, "dbaf %s (%s, %s/%s)\n", opts.Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return err
}
