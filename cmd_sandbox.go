package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/dbaf/dbaf/aws/sandbox"
	"github.com/dbaf/dbaf/aws/sandbox/dbserver"
)

func (a *app) sandboxCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sandbox",
		Short: "Run a local emulated AWS account",
		Long: `A local emulated AWS account on loopback: Aurora clusters, VPCs, subnets and
CloudFormation, spoken over the real AWS wire protocol, so dbaf, the AWS CLI and
an artifact container given AWS_ENDPOINT_URL all work against it. Nothing
leaves the machine and no credentials are needed.`,
	}
	cmd.AddCommand(a.sandboxServeCmd())
	return cmd
}

func (a *app) sandboxServeCmd() *cobra.Command {
	var (
		addr          string
		pace          float64
		faults        []string
		extraClusters int
		extraSubnets  int
		databases     bool
		stateDir      string
		dbScale       int
	)
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the sandbox account until interrupted, printing the environment to use",
		Long: `Serve the sandbox account on --addr until Ctrl-C. The export lines it prints
point the AWS SDK, the AWS CLI and dbaf at it:

  dbaf sandbox serve > sandbox.env &  sleep 1; . ./sandbox.env

--fault injects failures (repeatable), as SERVICE:ACTION=CODE[:TIMES], e.g.
rds:DescribeDBClusters=AccessDenied or cloudformation:DescribeStackEvents=Throttling:3.
Faults can also be added while it runs: POST {"spec": "…"} to /_sandbox/faults.

The available Aurora clusters are real databases: PostgreSQL and MariaDB
servers on 127.77.x.y, their data under --state-dir, each seeded with a
legacy dataset (--db-scale multiplies it). The master password of the seeded
clusters is printed as DBAF_SANDBOX_DB_PASSWORD. --databases=false serves
metadata only.`,
		Example: `  dbaf sandbox serve
  dbaf sandbox serve --addr 127.0.0.1:4566 --fault ec2:DescribeSubnets=UnauthorizedOperation`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if pace <= 0 {
				return usageErr{fmt.Errorf("--pace %v: want a positive factor (1 = demo pace, 0.05 = test pace)", pace)}
			}
			if dbScale < 1 {
				return usageErr{fmt.Errorf("--db-scale %d: want a whole number from 1 (about 100,000 rows) up", dbScale)}
			}
			o := sandbox.Options{Pace: pace, ExtraClusters: extraClusters, ExtraSubnets: extraSubnets}
			if databases {
				if stateDir == "" {
					stateDir = defaultStateDir(a.getenv)
				}
				if stateDir == "" {
					return usageErr{errors.New("no home directory for the sandbox's databases: give --state-dir DIR")}
				}
				o.Databases = &dbserver.Config{StateDir: stateDir, Scale: dbScale, Log: a.errOut}
			}
			sb := sandbox.New(o)
			for _, spec := range faults {
				f, err := sandbox.ParseFault(spec)
				if err != nil {
					return usageErr{fmt.Errorf("--fault %q: %w", spec, err)}
				}
				sb.Inject(f)
			}
			url, err := sb.Start(addr)
			if err != nil {
				return fmt.Errorf("cannot listen on %s: %w (pick another --addr)", addr, err)
			}
			defer sb.Close()
			if pw := sb.DBPassword(); pw != "" {
				fmt.Fprintf(a.out, "export DBAF_SANDBOX_DB_PASSWORD=%s\n", shellQuote(pw))
			}
			for _, kv := range sb.Env() {
				k, v, _ := strings.Cut(kv, "=")
				fmt.Fprintf(a.out, "export %s=%s\n", k, shellQuote(v))
			}
			fmt.Fprintf(a.errOut, "dbaf sandbox: serving an emulated AWS account at %s; Ctrl-C to stop\n", url)
			<-cmd.Context().Done()
			fmt.Fprintln(a.errOut, "dbaf sandbox: stopped")
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&addr, "addr", "127.0.0.1:4566", "address to listen on (loopback)")
	fl.Float64Var(&pace, "pace", 1, "time factor for CloudFormation work: 1 = demo pace (~30 s a clone), 0.05 = test pace")
	fl.StringArrayVar(&faults, "fault", nil, "inject a failure, SERVICE:ACTION=CODE[:TIMES] (repeatable)")
	fl.IntVar(&extraClusters, "extra-clusters", 0, "add this many generated clusters (for load tests)")
	fl.IntVar(&extraSubnets, "extra-subnets", 0, "add this many generated subnets (for load tests)")
	fl.BoolVar(&databases, "databases", true, "back the available Aurora clusters with real PostgreSQL and MariaDB servers")
	fl.StringVar(&stateDir, "state-dir", "", "where the databases keep their data (default $XDG_STATE_HOME/dbaf/sandbox or ~/.local/state/dbaf/sandbox)")
	fl.IntVar(&dbScale, "db-scale", 1, "size of the seeded legacy dataset, in units of about 100,000 rows")
	return cmd
}

// defaultStateDir is $XDG_STATE_HOME/dbaf/sandbox, else
// ~/.local/state/dbaf/sandbox; "" when neither is known.
func defaultStateDir(getenv func(string) string) string {
	if d := getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "dbaf", "sandbox")
	}
	if h := getenv("HOME"); h != "" {
		return filepath.Join(h, ".local", "state", "dbaf", "sandbox")
	}
	return ""
}

// sandboxPace reads DBAF_SANDBOX_PACE for the in-process sandbox (default 1).
func sandboxPace(getenv func(string) string) float64 {
	if v, err := strconv.ParseFloat(getenv("DBAF_SANDBOX_PACE"), 64); err == nil && v > 0 {
		return v
	}
	return 1
}

func envMap(kvs []string) map[string]string {
	m := make(map[string]string, len(kvs))
	for _, kv := range kvs {
		k, v, _ := strings.Cut(kv, "=")
		m[k] = v
	}
	return m
}

// shellQuote quotes a value for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:@=,+", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
