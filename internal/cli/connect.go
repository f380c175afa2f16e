package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/dbaf/dbaf/db"
	"github.com/dbaf/dbaf/internal/connect"
)

// ConnectOptions are those of `dbaf connect`.
type ConnectOptions struct {
	f   *Factory
	ctx context.Context

	Stack string // "" = the user's only clone
	Print bool   // print the URL instead of starting the client
	Force bool   // connect to another owner's clone
}

// NewCmdConnect opens psql or mysql on a clone.
func NewCmdConnect(f *Factory, runF func(*ConnectOptions) error) *cobra.Command {
	opts := &ConnectOptions{f: f}
	cmd := &cobra.Command{
		Use:   "connect [STACK]",
		Short: "Open psql or mysql on a clone",
		Long: `Open the engine's own client on a clone: psql for aurora-postgresql, mysql for
aurora-mysql (Debian packages postgresql-client and mariadb-client), over TLS
that verifies the server's certificate and name against the CA bundle
(--ca-bundle; by default AWS's RDS bundle built into dbaf, kept for the
client under ~/.cache/dbaf).
Without STACK, your only clone (dbaf list shows them all). Another owner's
clone is refused, naming its owner, unless --force.

The password comes from DB_PASSWORD or the first line of the file named by
DB_PASSWORD_FILE, and reaches the client through its environment (PGPASSWORD,
MYSQL_PWD), never its command line; without either the client prompts. A
clone whose password RDS manages (dbaf clone --managed-password) needs
neither: dbaf reads the password from its Secrets Manager secret.
--print prints the connection URL (no password) instead.`,
		Example: `  dbaf --sandbox connect
  dbaf connect dbartifact1764000000-prod-clone --print`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ctx = cmd.Context()
			if len(args) == 1 {
				opts.Stack = args[0]
			}
			if runF != nil {
				return runF(opts)
			}
			return connectRun(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Print, "print", false, "print the connection URL (without the password) instead of starting the client")
	cmd.Flags().BoolVar(&opts.Force, "force", false, "connect to a clone another owner made")
	return cmd
}

func connectRun(opts *ConnectOptions) error {
	f, ctx, io := opts.f, opts.ctx, opts.f.IOStreams
	client, err := f.awsClient(ctx, "")
	if err != nil {
		return err
	}
	c, err := connect.Find(ctx, client, opts.Stack, opts.Force)
	if err != nil {
		return connectErr(err)
	}
	if c.Target.CA, err = f.caBundle(ctx); err != nil {
		return err
	}
	if opts.Print {
		if f.global.output == "json" {
			out := map[string]any{"stack": c.Stack, "cluster": c.ClusterID, "engine": c.Target.Engine,
				"host": c.Target.Host, "port": c.Target.Port, "user": c.Target.User, "url": db.ConnectURL(c.Target)}
			if c.SecretARN != "" {
				out["secret_arn"] = c.SecretARN
			}
			return writeJSON(io.Out, out)
		}
		fmt.Fprintln(io.Out, db.ConnectURL(c.Target))
		return nil
	}
	if c.Target.Password, err = connect.ClonePassword(ctx, c, client, f.Getenv); err != nil {
		return connectErr(err)
	}
	with := ""
	if c.SecretARN != "" {
		with = " with the password RDS keeps in " + c.SecretARN
	}
	fmt.Fprintf(io.ErrOut, "dbaf: connecting to %s (%s)%s\n", c.Stack, c.Target.Addr(), with)
	return connectErr(connect.Run(c.Target, connect.Streams{In: io.In, Out: io.Out, Err: io.ErrOut, Env: f.Environ()}))
}

// connectErr marks what the user can fix as bad input (exit code 2).
func connectErr(err error) error {
	var in *connect.InputError
	if errors.As(err, &in) || errors.Is(err, connect.ErrNoClient) {
		return usageErr{err}
	}
	return err
}
