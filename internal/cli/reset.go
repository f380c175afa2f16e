package cli

import (
	"context"
	"errors"

	"github.com/spf13/cobra"

	"github.com/dbaf/dbaf/artifact"
	"github.com/dbaf/dbaf/ui/cloneview"
)

// ResetOptions are those of `dbaf reset`: a clone's, for the clone made
// again, plus the stack and --force.
type ResetOptions struct {
	CloneOptions
	Stack string
	Force bool
}

// NewCmdReset refreshes a clone in place.
func NewCmdReset(f *Factory, runF func(*ResetOptions) error) *cobra.Command {
	o := &ResetOptions{CloneOptions: CloneOptions{f: f}}
	cmd := &cobra.Command{
		Use:   "reset STACK",
		Short: "Refresh a clone with the source's latest data, keeping its name and endpoint",
		Long: `Refresh a clone with its source's latest data under the same name: dbaf tears
the clone's stack down, waits until it is gone, and clones the artifact's
source again into a stack of the same name, showing both in one live view
(plain lines or -o json without a terminal).

Kept: the name, and with it the endpoint, which Aurora derives from the
cluster identifier (the stack name): every app config that points at the
clone keeps working. The password, when you give the same one: it is asked
again in a terminal, or comes from $DB_PASSWORD_FILE, $DB_PASSWORD or
--password-stdin, as for dbaf clone (--generate-password makes a new one). The
masking: the artifact's rules and hooks run again on the new data before the
password is set.

New: the data (the source's latest restorable time; whatever was written to
the clone is gone) and the TTL, which counts from now.

The artifact is the one the clone was made from: inside its image (docker run
... IMAGE reset STACK), --image or --config, as for dbaf clone; an artifact of
another source is refused. dbaf refuses a stack it did not create, or another
owner's clone, unless --force, and a stack being created or deleted. Every
check runs before anything is deleted. Without a terminal, --yes is required.
Should the reset stop after the deletion began, the message names the
command that makes the clone again.`,
		Example: `  dbaf reset alice-orders-test --image db-artifact:latest
  docker run --rm -it -v ~/.aws:/root/.aws:ro -e AWS_PROFILE db-artifact:latest reset alice-orders-test
  DB_PASSWORD_FILE=./pw dbaf reset ci-clone-42 --config artifact_config.ini --yes -o json`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageErr{errors.New("name the one clone to reset (dbaf list shows them)")}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			o.ctx, o.Stack = cmd.Context(), args[0]
			if runF != nil {
				return runF(o)
			}
			return resetRun(o)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&o.Image, "image", "", "the artifact image the clone was made from (local engine, then its registry)")
	fl.StringVar(&o.ConfigPath, "config", "", "resolve the artifact from this INI instead of an image")
	fl.BoolVar(&o.PasswordStdin, "password-stdin", false, "read the clone's password from the first line of standard input")
	fl.BoolVar(&o.Generate, "generate-password", false, "generate a new password and show it once at the end")
	fl.BoolVar(&o.KeepOnFailure, "keep-on-failure", false, "leave a failed new stack for inspection instead of deleting it")
	fl.DurationVar(&o.LoginWait, "login-wait", artifact.DefaultLoginWait, "how long a refused login to the new clone is retried while AWS applies the password")
	hookTimeoutFlag(fl, &o.CloneOptions)
	ttlFlagVar(fl, &o.CloneOptions)
	fl.BoolVar(&o.Force, "force", false, "reset a stack dbaf did not create, or another owner's clone")
	fl.BoolVarP(&o.Yes, "yes", "y", false, "reset without asking (in a terminal: without the summary screen)")
	return cmd
}

func resetRun(o *ResetOptions) error {
	f, ctx := o.f, o.ctx
	o.Name = o.Stack
	// Before the teardown the old clone counts against the quotas: the
	// reset checks the source and key itself, and its clone the rest, so
	// its plan shows no check beforehand.
	o.reset = func(req artifact.CloneRequest) artifact.ResetRequest {
		return artifact.ResetRequest{CloneRequest: req, Force: o.Force}
	}
	o.view = func(vo *cloneview.Options) {
		vo.Flow = cloneview.FlowReset
	}
	if f.textView() {
		if err := f.resetArtifactHere(ctx, o); err != nil {
			return err
		}
		return f.cloneWith(ctx, &o.CloneOptions, nil) // the summary screen asks, unless --yes
	}
	g := artifact.NewStream(f.printer().Emit)
	err := f.resetArtifactHere(ctx, o)
	if err == nil {
		err = f.confirmDestroy(o.Yes, "stack "+o.Stack+" and the data in it (the reset clones the source again under its name)")
	}
	if err == nil {
		err = f.cloneWith(ctx, &o.CloneOptions, g.Emit)
	}
	return g.End(err, func(err error) artifact.Event { return artifact.ResetFinal(o.Stack, err) })
}

// resetArtifactHere refuses, before any AWS call, a reset that names no
// artifact where there is none to read.
func (f *Factory) resetArtifactHere(ctx context.Context, o *ResetOptions) error {
	if o.Image != "" || o.ConfigPath != "" {
		return nil
	}
	if _, err := f.readArtifact(ctx, ""); err != nil {
		return usageErr{errors.New("no artifact here: run dbaf reset inside the artifact image the clone was made from (docker run … IMAGE reset STACK), " +
			"or pass --image IMAGE or --config FILE (dbaf list -o json shows each clone's image)")}
	}
	return nil
}
