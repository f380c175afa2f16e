package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/dbaf/dbaf/db"
	"github.com/dbaf/dbaf/internal/connect"
)

func (a *app) connectCmd() *cobra.Command {
	var printURL bool
	cmd := &cobra.Command{
		Use:   "connect [STACK]",
		Short: "Open psql or mysql on a clone",
		Long: `Open the engine's own client on a clone: psql for aurora-postgresql, mysql for
aurora-mysql (Debian packages postgresql-client and mariadb-client), over TLS.
Without STACK, your only clone (dbaf list shows them all).

The password comes from DB_PASSWORD or the first line of the file named by
DB_PASSWORD_FILE, and reaches the client through its environment (PGPASSWORD,
MYSQL_PWD), never its command line; without either the client prompts.
--print prints the connection URL (no password) instead.`,
		Example: `  dbaf --sandbox connect
  dbaf connect dbartifact1764000000-prod-clone --print`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			stack := ""
			if len(args) == 1 {
				stack = args[0]
			}
			client, err := a.awsClient(ctx, "")
			if err != nil {
				return err
			}
			c, err := connect.Find(ctx, client, stack)
			if err != nil {
				return connectErr(err)
			}
			if printURL {
				if a.global.output == "json" {
					return writeJSON(a.out, map[string]any{"stack": c.Stack, "cluster": c.ClusterID, "engine": c.Target.Engine,
						"host": c.Target.Host, "port": c.Target.Port, "user": c.Target.User, "url": db.ConnectURL(c.Target)})
				}
				fmt.Fprintln(a.out, db.ConnectURL(c.Target))
				return nil
			}
			if c.Target.Password, err = connect.Password(a.getenv); err != nil {
				return connectErr(err)
			}
			fmt.Fprintf(a.errOut, "dbaf: connecting to %s (%s)\n", c.Stack, c.Target.Addr())
			return connectErr(connect.Run(c.Target, connect.Streams{In: a.in, Out: a.out, Err: a.errOut, Env: os.Environ()}))
		},
	}
	cmd.Flags().BoolVar(&printURL, "print", false, "print the connection URL (without the password) instead of starting the client")
	return cmd
}

// connectErr marks what the user can fix as bad input (exit code 2).
func connectErr(err error) error {
	var in *connect.InputError
	if errors.As(err, &in) || errors.Is(err, connect.ErrNoClient) {
		return usageErr{err}
	}
	return err
}
