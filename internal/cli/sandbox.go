package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/dbaf/dbaf/artifact"
	dbafaws "github.com/dbaf/dbaf/aws"
	"github.com/dbaf/dbaf/internal/sandbox"
	"github.com/dbaf/dbaf/internal/sandbox/daemon"
	"github.com/dbaf/dbaf/internal/sandbox/dbserver"
)

// NewCmdSandbox groups the sandbox account's commands.
func NewCmdSandbox(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sandbox",
		Short: "Run a local emulated AWS account",
		Long: `A local emulated AWS account on loopback: Aurora clusters, VPCs, subnets and
CloudFormation, spoken over the real AWS wire protocol, so dbaf, the AWS CLI and
an artifact container given AWS_ENDPOINT_URL all work against it. Nothing
leaves the machine and no credentials are needed.`,
	}
	cmd.AddCommand(NewCmdSandboxServe(f, nil), NewCmdSandboxStart(f, nil), NewCmdSandboxStop(f, nil), NewCmdSandboxStatus(f, nil), NewCmdSandboxEnv(f, nil))
	return cmd
}

// ServeFlags are the flags of `sandbox serve`, which `sandbox start`
// passes on to the serve process it runs.
type ServeFlags struct {
	Addr          string
	Pace          float64
	Realistic     bool
	Faults        []string
	Quotas        []string
	KeyStates     []string
	ExtraClusters int
	ExtraSubnets  int
	Databases     bool
	DBSources     []string
	StateDir      string
	DBScale       int
	// Background: run by `sandbox start` (or --sandbox), detached from any
	// terminal, so there is no Ctrl-C to tell of.
	Background bool
}

func (s *ServeFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&s.Addr, "addr", daemon.DefaultAddr, "address to listen on (loopback)")
	fl.Float64Var(&s.Pace, "pace", 1, "time factor for CloudFormation work: 1 = demo pace (~30 s a clone), 0.05 = test pace")
	fl.BoolVar(&s.Realistic, "realistic", false, "lag status changes behind the call as AWS does: after a password change the cluster still reads available, its secret creating, for a few seconds (times --pace); the first describe of a cluster or instance a stack made misses it")
	fl.StringArrayVar(&s.Faults, "fault", nil, "inject a failure, SERVICE:ACTION=CODE[:TIMES] (repeatable)")
	fl.StringArrayVar(&s.Quotas, "quota", nil, "set an account quota, NAME=N with NAME db-clusters or db-instances (default 40 each, as AWS), db-subnet-groups (50), manual-cluster-snapshots (100), db-cluster-parameter-groups (50) or clones-per-group (Aurora's 15 copy-on-write clones per clone group; past it a clone is a full copy) (repeatable)")
	fl.StringArrayVar(&s.KeyStates, "kms-key-state", nil, "set a KMS key's state, KEY=STATE with KEY an id, ARN or alias (e.g. alias/prod-data) and STATE Enabled, Disabled or PendingDeletion (repeatable)")
	fl.IntVar(&s.ExtraClusters, "extra-clusters", 0, "add this many generated clusters (for load tests)")
	fl.IntVar(&s.ExtraSubnets, "extra-subnets", 0, "add this many generated subnets (for load tests)")
	fl.BoolVar(&s.Databases, "databases", true, "back the available Aurora clusters with real PostgreSQL and MariaDB servers")
	fl.StringSliceVar(&s.DBSources, "db-sources", nil, "back only these seeded clusters with real servers, e.g. prod-aurora,orders-mysql (default: every available Aurora cluster)")
	fl.StringVar(&s.StateDir, "state-dir", "", "where the account and its databases keep their state (default $XDG_STATE_HOME/dbaf/sandbox or ~/.local/state/dbaf/sandbox)")
	fl.IntVar(&s.DBScale, "db-scale", 1, "size of the seeded legacy dataset, in units of about 100,000 rows")
}

func (s *ServeFlags) validate() error {
	if s.Pace <= 0 {
		return usageErr{fmt.Errorf("--pace %v: want a positive factor (1 = demo pace, 0.05 = test pace)", s.Pace)}
	}
	if s.DBScale < 1 {
		return usageErr{fmt.Errorf("--db-scale %d: want a whole number from 1 (about 100,000 rows) up", s.DBScale)}
	}
	for _, spec := range s.Faults {
		if _, err := sandbox.ParseFault(spec); err != nil {
			return usageErr{fmt.Errorf("--fault %q: %w", spec, err)}
		}
	}
	for _, spec := range s.KeyStates {
		if _, _, err := sandbox.ParseKeyState(spec); err != nil {
			return usageErr{fmt.Errorf("--kms-key-state %q: %w", spec, err)}
		}
	}
	_, err := s.quotas()
	return err
}

// quotas are the --quota flags as sandbox.Options.Quotas.
func (s *ServeFlags) quotas() (map[string]int64, error) {
	var qs map[string]int64
	for _, spec := range s.Quotas {
		name, n, err := sandbox.ParseQuota(spec)
		if err != nil {
			return nil, usageErr{fmt.Errorf("--quota %q: %w", spec, err)}
		}
		if qs == nil {
			qs = map[string]int64{}
		}
		qs[name] = n
	}
	return qs, nil
}

// args are the serve flags for the process `sandbox start` runs (the
// state directory apart).
func (s *ServeFlags) args() []string {
	args := []string{"--addr", s.Addr, "--pace", strconv.FormatFloat(s.Pace, 'g', -1, 64),
		"--databases=" + strconv.FormatBool(s.Databases), "--db-scale", strconv.Itoa(s.DBScale),
		"--extra-clusters", strconv.Itoa(s.ExtraClusters), "--extra-subnets", strconv.Itoa(s.ExtraSubnets)}
	if s.Realistic {
		args = append(args, "--realistic")
	}
	for _, spec := range s.Faults {
		args = append(args, "--fault", spec)
	}
	for _, spec := range s.Quotas {
		args = append(args, "--quota", spec)
	}
	for _, spec := range s.KeyStates {
		args = append(args, "--kms-key-state", spec)
	}
	if len(s.DBSources) > 0 {
		args = append(args, "--db-sources", strings.Join(s.DBSources, ","))
	}
	return append(args, "--background")
}

// stateDirHelp is the --state-dir help of the commands that find the account.
const stateDirHelp = "the account's state directory (default $XDG_STATE_HOME/dbaf/sandbox or ~/.local/state/dbaf/sandbox)"

// stateDirOr is --state-dir, else the user's default; a usage error when
// there is neither.
func (f *Factory) stateDirOr(flag string) (string, error) {
	if flag != "" {
		return filepath.Abs(flag)
	}
	if d := daemon.DefaultStateDir(f.Getenv); d != "" {
		return d, nil
	}
	return "", usageErr{errors.New("no home directory for the sandbox account's state: set HOME or XDG_STATE_HOME, or give --state-dir DIR")}
}

// SandboxServeOptions are those of `dbaf sandbox serve`.
type SandboxServeOptions struct {
	f   *Factory
	ctx context.Context
	ServeFlags
}

// NewCmdSandboxServe serves the sandbox account in the foreground.
func NewCmdSandboxServe(f *Factory, runF func(*SandboxServeOptions) error) *cobra.Command {
	opts := &SandboxServeOptions{f: f}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the sandbox account in the foreground until interrupted, printing the environment to use",
		Long: `Serve the sandbox account on --addr until Ctrl-C or SIGTERM, which stop its
database servers too. The export lines it prints point the AWS SDK, the AWS CLI
and dbaf at it:

  dbaf sandbox serve > sandbox.env &  sleep 1; . ./sandbox.env

While it serves with a state directory (always, with databases) it is the
user's running account: "dbaf --sandbox …" and "dbaf sandbox status" find it.
"dbaf sandbox start" runs the same in the background.

--fault injects failures (repeatable), as SERVICE:ACTION=CODE[:TIMES], e.g.
rds:DescribeDBClusters=AccessDenied or cloudformation:DescribeStackEvents=Throttling:3.
Faults can also be added while it runs: POST {"spec": "…"} to /_sandbox/faults.
A denied KMS key is kms:DescribeKey=AccessDeniedException; --kms-key-state
alias/prod-data=Disabled disables the key of the prod clusters (also while it
runs: POST {"key": "…", "state": "…"} to /_sandbox/kms-keys). --quota sets
the account's quotas, e.g. db-clusters=26 (the seed uses 25) or
clones-per-group=1.

The available Aurora clusters are real databases: PostgreSQL and MariaDB
servers on 127.77.x.y, their data under --state-dir, each seeded with a
legacy dataset (--db-scale multiplies it). The master password of the seeded
clusters is printed as DBAF_SANDBOX_DB_PASSWORD. --databases=false serves
metadata only.`,
		Example: `  dbaf sandbox serve
  dbaf sandbox serve --addr 127.0.0.1:4566 --fault ec2:DescribeSubnets=UnauthorizedOperation`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.ctx = cmd.Context()
			if runF != nil {
				return runF(opts)
			}
			return sandboxServeRun(opts)
		},
	}
	opts.register(cmd)
	cmd.Flags().BoolVar(&opts.Background, "background", false, "serve detached, as dbaf sandbox start does (its log says how to stop it)")
	_ = cmd.Flags().MarkHidden("background")
	return cmd
}

func sandboxServeRun(opts *SandboxServeOptions) error {
	f := opts.f
	if err := opts.validate(); err != nil {
		return err
	}
	quotas, err := opts.quotas()
	if err != nil {
		return err
	}
	o := sandbox.Options{Pace: opts.Pace, Realistic: opts.Realistic, ExtraClusters: opts.ExtraClusters, ExtraSubnets: opts.ExtraSubnets, Quotas: quotas, DBSources: opts.DBSources}
	var claim *daemon.Claim
	if opts.Databases || opts.StateDir != "" {
		dir, err := f.stateDirOr(opts.StateDir)
		if err != nil {
			return err
		}
		// Claimed before the databases start: a second account on
		// this directory would take the first one's servers for leftovers.
		if claim, err = daemon.NewClaim(dir); err != nil {
			return err
		}
		defer claim.Release()
		// Saved after every change: a start after a crash serves it again.
		o.StateFile, o.Log = filepath.Join(dir, daemon.SavedFile), f.IOStreams.ErrOut
		if opts.Databases {
			fmt.Fprintf(f.IOStreams.ErrOut, "dbaf sandbox: starting the database servers under %s\n", dir)
			o.Databases = &dbserver.Config{StateDir: dir, Scale: opts.DBScale, Log: f.IOStreams.ErrOut}
		}
	}
	sb := sandbox.New(o)
	defer sb.Close()
	for _, spec := range opts.Faults {
		flt, _ := sandbox.ParseFault(spec) // validated above
		sb.Inject(flt)
	}
	for _, spec := range opts.KeyStates {
		key, st, _ := sandbox.ParseKeyState(spec) // validated above
		if err := sb.SetKeyState(key, st); err != nil {
			return err
		}
	}
	url, err := sb.Start(opts.Addr)
	if err != nil {
		return fmt.Errorf("cannot listen on %s: %w (pick another --addr)", opts.Addr, err)
	}
	env := sb.Env()
	if pw := sb.DBPassword(); pw != "" {
		env = append([]string{"DBAF_SANDBOX_DB_PASSWORD=" + pw}, env...)
	}
	if claim != nil {
		if err := claim.Publish(daemon.Account{URL: url, Env: env}); err != nil {
			return fmt.Errorf("recording the running sandbox account: %w", err)
		}
	}
	printExports(f.IOStreams.Out, env)
	if opts.Background {
		fmt.Fprintf(f.IOStreams.ErrOut, "dbaf sandbox: serving an emulated AWS account at %s\n", url)
	} else {
		fmt.Fprintf(f.IOStreams.ErrOut, "dbaf sandbox: serving an emulated AWS account at %s; Ctrl-C to stop\n", url)
	}
	<-opts.ctx.Done()
	fmt.Fprintln(f.IOStreams.ErrOut, "dbaf sandbox: stopped")
	return nil
}

// printExports prints KEY=VALUE lines as shell export lines.
func printExports(w io.Writer, env []string) {
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		fmt.Fprintf(w, "export %s=%s\n", k, artifact.ShellQuote(v))
	}
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

// SandboxStartOptions are those of `dbaf sandbox start`.
type SandboxStartOptions struct {
	f   *Factory
	ctx context.Context
	ServeFlags
	AddrSet bool // --addr was given: an account elsewhere is not what was asked for
}

// NewCmdSandboxStart starts the sandbox account in the background.
func NewCmdSandboxStart(f *Factory, runF func(*SandboxStartOptions) error) *cobra.Command {
	opts := &SandboxStartOptions{f: f}
	cmd := &cobra.Command{
		Use:   "start",
		Short: "Start the sandbox account in the background; it runs until dbaf sandbox stop",
		Long: `Start the sandbox account in the background, as "dbaf sandbox serve" with the
same flags, and wait until it serves. It keeps running across commands, like
a real account: "dbaf --sandbox …" uses it, "dbaf sandbox status" shows it,
"dbaf sandbox env" prints its environment, "dbaf sandbox stop" ends it and
its database servers. Its state and log (serve.log) are under --state-dir.
When one already runs, it says so and exits 0; when it runs at another
address than --addr asks, it says where and exits 2.

After a crash (kill -9, the machine's power), start serves the account as it
was: every stack, cluster and database server, on the same data and at the
same addresses. After dbaf sandbox stop it begins from the seed.`,
		Example: `  dbaf sandbox start
  eval "$(dbaf sandbox env)"; aws rds describe-db-clusters`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.ctx = cmd.Context()
			opts.AddrSet = cmd.Flags().Changed("addr")
			if runF != nil {
				return runF(opts)
			}
			return sandboxStartRun(opts)
		},
	}
	opts.register(cmd)
	return cmd
}

func sandboxStartRun(opts *SandboxStartOptions) error {
	f := opts.f
	if err := opts.validate(); err != nil {
		return err
	}
	dir, err := f.stateDirOr(opts.StateDir)
	if err != nil {
		return err
	}
	acc, started, err := daemon.Start(opts.ctx, daemon.StartOptions{Dir: dir, Args: opts.args(), Progress: f.IOStreams.ErrOut})
	if err != nil {
		return err
	}
	if !started && opts.AddrSet && !sameAddr(acc.URL, opts.Addr) {
		return usageErr{fmt.Errorf("a sandbox account already runs at %s (pid %d, state %s), not at %s: use it (%s), or stop it (dbaf sandbox stop) and start again with --addr %s",
			acc.URL, acc.PID, acc.StateDir, opts.Addr, f.commands().SandboxEnv(opts.StateDir), opts.Addr)}
	}
	if !started {
		fmt.Fprintf(f.IOStreams.ErrOut, "dbaf sandbox: already running at %s (pid %d); dbaf sandbox stop to stop it\n", acc.URL, acc.PID)
	} else {
		fmt.Fprintf(f.IOStreams.ErrOut, "dbaf sandbox: running at %s (pid %d, state %s); dbaf sandbox stop to stop it\n", acc.URL, acc.PID, acc.StateDir)
	}
	fmt.Fprintf(f.IOStreams.ErrOut, "dbaf sandbox: point other tools at it with: %s\n", f.commands().SandboxEnv(opts.StateDir))
	return nil
}

// sameAddr says whether the account at url listens where addr (an --addr
// value: HOST:PORT, :PORT or localhost:PORT) asks.
func sameAddr(url, addr string) bool {
	have := strings.TrimPrefix(url, "http://")
	hh, hp, err1 := net.SplitHostPort(have)
	wh, wp, err2 := net.SplitHostPort(addr)
	if err1 != nil || err2 != nil {
		return have == addr
	}
	if wp != hp && wp != "0" {
		return false
	}
	switch wh {
	case hh:
		return true
	case "", "localhost":
		return net.ParseIP(hh).IsLoopback()
	}
	if wip, hip := net.ParseIP(wh), net.ParseIP(hh); wip != nil && hip != nil {
		return wip.Equal(hip)
	}
	return false
}

// SandboxAccountOptions are those of `dbaf sandbox stop|status|env`.
type SandboxAccountOptions struct {
	f   *Factory
	ctx context.Context

	StateDir string
}

// NewCmdSandboxStop stops the running sandbox account.
func NewCmdSandboxStop(f *Factory, runF func(*SandboxAccountOptions) error) *cobra.Command {
	opts := &SandboxAccountOptions{f: f}
	cmd := &cobra.Command{
		Use:   "stop",
		Short: "Stop the running sandbox account and its database servers",
		Long: `Stop the sandbox account that dbaf sandbox start (or --sandbox) started, with
its database servers and their data: the next start begins from the seed.
When none runs, it says so and exits 0.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.ctx = cmd.Context()
			if runF != nil {
				return runF(opts)
			}
			return sandboxStopRun(opts)
		},
	}
	cmd.Flags().StringVar(&opts.StateDir, "state-dir", "", stateDirHelp)
	return cmd
}

func sandboxStopRun(opts *SandboxAccountOptions) error {
	f := opts.f
	dir, err := f.stateDirOr(opts.StateDir)
	if err != nil {
		return err
	}
	acc, err := daemon.Stop(opts.ctx, dir)
	if err != nil {
		return err
	}
	if acc == nil {
		fmt.Fprintln(f.IOStreams.ErrOut, "dbaf sandbox: not running")
		return nil
	}
	fmt.Fprintf(f.IOStreams.ErrOut, "dbaf sandbox: stopped the account at %s (pid %d)\n", acc.URL, acc.PID)
	return nil
}

// sandboxStatus is `dbaf sandbox status -o json`.
type sandboxStatus struct {
	Running  bool       `json:"running"`
	URL      string     `json:"url,omitempty"`
	PID      int        `json:"pid,omitempty"`
	Started  *time.Time `json:"started,omitempty"`
	Uptime   string     `json:"uptime,omitempty"`
	StateDir string     `json:"state_dir"`
	Clones   *int       `json:"clones,omitempty"` // dbaf clones in the account; absent when it did not answer
}

// NewCmdSandboxStatus says whether the sandbox account runs.
func NewCmdSandboxStatus(f *Factory, runF func(*SandboxAccountOptions) error) *cobra.Command {
	opts := &SandboxAccountOptions{f: f}
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Say whether the sandbox account runs, where, and how many clones it holds",
		Long: `Say whether the sandbox account runs: its URL, pid, uptime and the number of
dbaf clones in it. Exit status 0 when it runs, 1 when it does not (so scripts
can test it); -o json prints an object either way.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.ctx = cmd.Context()
			if runF != nil {
				return runF(opts)
			}
			return sandboxStatusRun(opts)
		},
	}
	cmd.Flags().StringVar(&opts.StateDir, "state-dir", "", stateDirHelp)
	return cmd
}

func sandboxStatusRun(opts *SandboxAccountOptions) error {
	f := opts.f
	dir, err := f.stateDirOr(opts.StateDir)
	if err != nil {
		return err
	}
	acc, err := daemon.Status(dir)
	if err != nil {
		return err
	}
	st := sandboxStatus{StateDir: dir}
	if acc != nil {
		st.Running, st.URL, st.PID, st.Started = true, acc.URL, acc.PID, &acc.Started
		st.Uptime = time.Since(acc.Started).Round(time.Second).String()
		if n, err := f.sandboxClones(opts.ctx, acc); err == nil {
			st.Clones = &n
		}
	}
	if f.global.output == "json" {
		if err := writeJSON(f.IOStreams.Out, st); err != nil {
			return err
		}
	} else if !st.Running {
		fmt.Fprintf(f.IOStreams.Out, "not running (state %s); dbaf sandbox start to start it\n", dir)
	} else {
		fmt.Fprintf(f.IOStreams.Out, "running at %s\npid %d, up %s\nstate %s\n", st.URL, st.PID, st.Uptime, dir)
		if st.Clones != nil {
			fmt.Fprintf(f.IOStreams.Out, "clones %d\n", *st.Clones)
		}
	}
	if !st.Running {
		return quiet(errors.New("the sandbox account is not running"))
	}
	return nil
}

// sandboxClones counts the dbaf clones in the running account: one
// ListStacks call, bounded so status stays quick.
func (f *Factory) sandboxClones(ctx context.Context, acc *daemon.Account) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	cfg, err := dbafaws.LoadConfig(ctx, sandboxAWSOptions(acc.Env, ""))
	if err != nil {
		return 0, err
	}
	clones, err := artifact.List(ctx, dbafaws.New(cfg), time.Now())
	return len(clones), err
}

// NewCmdSandboxEnv prints the running sandbox account's environment.
func NewCmdSandboxEnv(f *Factory, runF func(*SandboxAccountOptions) error) *cobra.Command {
	opts := &SandboxAccountOptions{f: f}
	cmd := &cobra.Command{
		Use:   "env",
		Short: "Print the export lines that point the AWS CLI, the SDKs and dbaf at the running sandbox account",
		Example: `  eval "$(dbaf sandbox env)"
  aws rds describe-db-clusters`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.ctx = cmd.Context()
			if runF != nil {
				return runF(opts)
			}
			return sandboxEnvRun(opts)
		},
	}
	cmd.Flags().StringVar(&opts.StateDir, "state-dir", "", stateDirHelp)
	return cmd
}

func sandboxEnvRun(opts *SandboxAccountOptions) error {
	f := opts.f
	dir, err := f.stateDirOr(opts.StateDir)
	if err != nil {
		return err
	}
	acc, err := daemon.Status(dir)
	if err != nil {
		return err
	}
	if acc == nil {
		return errors.New("the sandbox account is not running: start it with dbaf sandbox start")
	}
	printExports(f.IOStreams.Out, acc.Env)
	return nil
}

// sandboxEnv is the environment of the account --sandbox uses: the user's
// running one, started now when none runs. DBAF_SANDBOX_INPROCESS=1 keeps
// an isolated account inside this process instead (tests, scripts), which
// ends with the command.
func (f *Factory) sandboxEnv(ctx context.Context) ([]string, error) {
	if f.Getenv("DBAF_SANDBOX_INPROCESS") != "" {
		// One account per process: what the wizard built, the clone view
		// and the list all see the same sandbox.
		if f.sandbox == nil {
			sb := sandbox.New(sandbox.Options{Pace: sandboxPace(f.Getenv)})
			if _, err := sb.Start("127.0.0.1:0"); err != nil {
				return nil, fmt.Errorf("starting the in-process sandbox: %w", err)
			}
			f.sandbox = sb
			f.cleanups = append(f.cleanups, func() { sb.Close(); f.sandbox = nil })
		}
		return f.sandbox.Env(), nil
	}
	dir, err := f.stateDirOr("")
	if err != nil {
		return nil, err
	}
	if acc, err := daemon.Status(dir); acc != nil || err != nil {
		if err != nil {
			return nil, err
		}
		return acc.Env, nil
	}
	// Started on the user's behalf: the environment may tune it for tests
	// (DBAF_SANDBOX_PACE, DBAF_SANDBOX_DATABASES=0).
	sf := ServeFlags{Addr: daemon.PickAddr(daemon.DefaultAddr), Pace: sandboxPace(f.Getenv), Databases: f.Getenv("DBAF_SANDBOX_DATABASES") != "0", DBScale: 1}
	fmt.Fprintln(f.IOStreams.ErrOut, "dbaf: starting the sandbox account…")
	acc, started, err := daemon.Start(ctx, daemon.StartOptions{Dir: dir, Args: sf.args()})
	if err != nil {
		return nil, err
	}
	if started {
		fmt.Fprintf(f.IOStreams.ErrOut, "dbaf: started the sandbox account at %s (dbaf sandbox stop to stop it)\n", acc.URL)
	}
	return acc.Env, nil
}

// sandboxAWSOptions points the AWS client at a sandbox account with its
// credentials; region "" is the account's own.
func sandboxAWSOptions(env []string, region string) dbafaws.Options {
	m := envMap(env)
	if region == "" {
		region = m["AWS_REGION"]
	}
	return dbafaws.Options{EndpointURL: m["AWS_ENDPOINT_URL"], AccessKeyID: m["AWS_ACCESS_KEY_ID"], SecretAccessKey: m["AWS_SECRET_ACCESS_KEY"], Region: region}
}
