package main

// The sandbox account that outlives a command (dbaf sandbox start|stop|
// status|env, --sandbox using it) and dbaf connect, through the real binary,
// with psql as an independent client of the clone.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dbaf/dbaf/internal/testenv"
)

// accountEnv is a user's environment whose sandbox account lives under
// stateHome (not an in-process one).
func accountEnv(stateHome string, kvs ...string) []string {
	return append([]string{"XDG_STATE_HOME=" + stateHome, "DBAF_SANDBOX_INPROCESS="}, kvs...)
}

type accountStatus struct {
	Running  bool   `json:"running"`
	URL      string `json:"url"`
	PID      int    `json:"pid"`
	StateDir string `json:"state_dir"`
	Clones   *int   `json:"clones"`
}

func readStatus(t *testing.T, env []string) (accountStatus, int) {
	t.Helper()
	r := runDbaf(t, env, "sandbox", "status", "-o", "json")
	var st accountStatus
	if err := json.Unmarshal([]byte(r.stdout), &st); err != nil {
		t.Fatalf("sandbox status -o json: exit %d, %v\n%s%s", r.code, err, r.stdout, r.stderr)
	}
	return st, r.code
}

// stopAccount stops the account at the end of a test whatever happened.
func stopAccount(t *testing.T, env []string) {
	t.Cleanup(func() { runDbaf(t, env, "sandbox", "stop") })
}

// assertAccountGone checks nothing of the stopped account is left: its
// process, its port, and any database server running on its state dir.
func assertAccountGone(t *testing.T, st accountStatus) {
	t.Helper()
	if _, err := os.Stat(fmt.Sprintf("/proc/%d", st.PID)); err == nil {
		if b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", st.PID)); strings.Contains(string(b), "serve") {
			t.Errorf("the serve process %d is still there", st.PID)
		}
	}
	u, _ := url.Parse(st.URL)
	if c, err := net.DialTimeout("tcp", u.Host, time.Second); err == nil {
		c.Close()
		t.Errorf("%s still accepts connections", u.Host)
	}
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range procs {
		b, _ := os.ReadFile(p)
		if strings.Contains(string(b), st.StateDir) {
			t.Errorf("a process still runs on the account's state: %s %s", p, strings.ReplaceAll(string(b), "\x00", " "))
		}
	}
}

// testAccount is a sandbox account with real databases, started once for
// the journeys that need real servers: they share its templates and
// sources, each with clones of its own.
type testAccount struct {
	env   []string // reaches the account: its state home, no in-process sandbox
	sbEnv []string // `dbaf sandbox env` as KEY=VALUE lines
	user  []string // env and sbEnv: a shell after eval "$(dbaf sandbox env)"
	st    accountStatus
	// sources are the seeded clusters' endpoints, as the AWS CLI lists them.
	sources map[string]string
}

// srcPassword is the master password of the seeded sources.
func (a *testAccount) srcPassword() string { return envValue(a.sbEnv, "DBAF_SANDBOX_DB_PASSWORD") }

// TestSandboxAccountJourneys: `dbaf sandbox start|status|env|stop` around
// the journeys a user makes on real databases, each a new dbaf process
// against the one account: per engine, build, clone in a container and
// the engine's own client; a masked clone checked with pgx; `--sandbox
// clone` and `dbaf connect`. Sharing the account builds each engine's
// seeded template once. (The login check's failures, which need faults on
// the whole account, are tested in-process in internal/cli.)
func TestSandboxAccountJourneys(t *testing.T) {
	t.Parallel()
	testenv.NeedDocker(t)
	need(t, "aws", "--version")
	env := accountEnv(t.TempDir())
	stopAccount(t, env)

	if st, code := readStatus(t, env); st.Running || code != 1 {
		t.Fatalf("status before start: %+v exit %d, want not running, exit 1", st, code)
	}
	start := runDbaf(t, env, "sandbox", "start", "--addr", freeAddr(t), "--pace", "0.05", "--db-sources", "prod-aurora,orders-mysql")
	if start.code != 0 || !strings.Contains(start.stderr, "running at http://") || !strings.Contains(start.stderr, "dbaf sandbox env") {
		t.Fatalf("sandbox start: exit %d\n%s", start.code, start.stderr)
	}
	st, code := readStatus(t, env)
	if !st.Running || code != 0 || st.PID == 0 || st.Clones == nil || *st.Clones != 0 {
		t.Fatalf("status after start: %+v exit %d", st, code)
	}
	if again := runDbaf(t, env, "sandbox", "start"); again.code != 0 || !strings.Contains(again.stderr, "already running at "+st.URL) {
		t.Errorf("second start: exit %d\n%s", again.code, again.stderr)
	}
	// eval "$(dbaf sandbox env)": from here on, plain dbaf and AWS tools too.
	sbEnv := accountExports(t, env)
	if envValue(sbEnv, "AWS_ENDPOINT_URL") != st.URL {
		t.Fatalf("sandbox env: %q, want the endpoint %s", sbEnv, st.URL)
	}
	sources := liveClusters(t, sbEnv)
	acct := &testAccount{env: env, sbEnv: sbEnv, user: with(env, sbEnv...), st: st, sources: sources}

	t.Run("clones", func(t *testing.T) {
		t.Run("postgres in a container", func(t *testing.T) {
			t.Parallel()
			need(t, "psql", "--version")
			runJourney(t, acct, journey{source: "prod-aurora", ini: prodINI, client: pgClient, passwordVia: viaSecretFile})
		})
		t.Run("mysql in a container", func(t *testing.T) {
			t.Parallel()
			need(t, "mysql", "--version")
			runJourney(t, acct, journey{source: "orders-mysql", ini: ordersMySQLINI, client: mysqlClient, passwordVia: viaStdin})
		})
		t.Run("masked with a generated password", func(t *testing.T) {
			t.Parallel()
			maskedClone(t, acct)
		})
		t.Run("managed password in a container", func(t *testing.T) {
			t.Parallel()
			need(t, "psql", "--version")
			managedInContainer(t, acct)
		})
		t.Run("sandbox clone and connect", func(t *testing.T) {
			t.Parallel()
			need(t, "psql", "--version")
			cloneAndConnect(t, acct)
		})
	})
	stop := runDbaf(t, env, "sandbox", "stop")
	if stop.code != 0 || !strings.Contains(stop.stderr, "stopped the account at "+st.URL) {
		t.Errorf("sandbox stop: exit %d\n%s", stop.code, stop.stderr)
	}
	assertAccountGone(t, st)
	for id, port := range map[string]string{"prod-aurora": "5432", "orders-mysql": "3306"} {
		if c, err := net.DialTimeout("tcp", net.JoinHostPort(sources[id], port), time.Second); err == nil {
			c.Close()
			t.Errorf("the source %s (%s) still accepts connections after sandbox stop", id, sources[id])
		}
	}
	if again := runDbaf(t, env, "sandbox", "stop"); again.code != 0 || !strings.Contains(again.stderr, "not running") {
		t.Errorf("stop when stopped: exit %d\n%s", again.code, again.stderr)
	}
}

// cloneAndConnect: each command a new process, the account and what it
// holds stay; `connect --print` gives a URL without the password, psql
// with it reaches a clone holding the source's rows, and `dbaf connect`
// runs psql itself.
func cloneAndConnect(t *testing.T, a *testAccount) {
	ini := writeINI(t, fmt.Sprintf(prodINI, "db-artifact:unused"))
	cl := runDbaf(t, with(a.env, "DBAF_POLL_INTERVAL=200ms"), "--sandbox", "clone", "--config", ini, "--name", "e2e-connect", "--generate-password")
	stack, password := field(cl.stdout, "stack"), strings.Fields(field(cl.stdout, "password"))
	if cl.code != 0 || stack != "e2e-connect" || len(password) == 0 {
		t.Fatalf("clone: exit %d\n%s%s", cl.code, cl.stdout, cl.stderr)
	}
	if strings.Contains(cl.stderr, "started the sandbox account") {
		t.Errorf("--sandbox started another account although one runs:\n%s", cl.stderr)
	}
	if list := runDbaf(t, a.env, "--sandbox", "list"); list.code != 0 || !strings.Contains(list.stdout, stack) {
		t.Errorf("list in a later command lacks %s: exit %d\n%s%s", stack, list.code, list.stdout, list.stderr)
	}

	printed := runDbaf(t, a.env, "--sandbox", "connect", "--print", stack)
	connURL := strings.TrimSpace(printed.stdout)
	if printed.code != 0 || !strings.HasPrefix(connURL, "postgresql://postgres@") || !strings.Contains(connURL, "sslmode=verify-full") || strings.Contains(printed.stdout, password[0]) {
		t.Fatalf("connect --print: exit %d\n%s%s", printed.code, printed.stdout, printed.stderr)
	}
	const count = "SELECT count(*) FROM legacy.customers"
	cloneRows := psql(t, connURL, password[0], count)
	src := a.sources["prod-aurora"]
	srcRows := psql(t, pgURL(src, envValue(a.sbEnv, "DBAF_CA_BUNDLE")), a.srcPassword(), count)
	if cloneRows == "" || cloneRows == "0" || cloneRows != srcRows {
		t.Errorf("legacy.customers: clone %q rows, source %q", cloneRows, srcRows)
	}
	// dbaf connect itself runs psql, the password in its environment.
	conn := exec.Command(dbafBin, "--sandbox", "connect", stack)
	conn.Env = append(append(cleanEnv(t), a.env...), "DB_PASSWORD="+password[0])
	conn.Stdin = strings.NewReader(count + ";\n")
	var out, errb bytes.Buffer
	conn.Stdout, conn.Stderr = &out, &errb
	if err := conn.Run(); err != nil || !strings.Contains(out.String(), cloneRows) {
		t.Errorf("dbaf connect %s: %v\n%s%s", stack, err, out.String(), errb.String())
	}

	if td := runDbaf(t, with(a.env, "DBAF_POLL_INTERVAL=200ms"), "--sandbox", "teardown", stack, "--yes"); td.code != 0 {
		t.Errorf("teardown: exit %d\n%s", td.code, td.stderr)
	}
}

// psql runs one query with the real client and returns its bare result.
// pgURL is a psql URL for the master user at host that verifies the server
// with the sandbox's CA file, as dbaf does.
func pgURL(host, ca string) string {
	return "postgresql://postgres@" + host + ":5432/postgres?sslmode=verify-full&sslrootcert=" + ca
}

func psql(t *testing.T, connURL, password, query string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "psql", connURL, "-XAtc", query)
	cmd.Env = append(os.Environ(), "PGPASSWORD="+password, "PGCONNECT_TIMEOUT=10")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("psql %s: %v\n%s", connURL, err, out)
	}
	return strings.TrimSpace(string(out))
}

func TestSandboxStartedOnDemand(t *testing.T) {
	t.Parallel()
	env := accountEnv(t.TempDir(), "DBAF_SANDBOX_DATABASES=0", "DBAF_SANDBOX_PACE=0.05")
	stopAccount(t, env)
	r := runDbaf(t, env, "--sandbox", "list")
	if r.code != 0 || !strings.Contains(r.stderr, "dbaf: started the sandbox account at http://") || !strings.Contains(r.stderr, "dbaf sandbox stop") {
		t.Fatalf("--sandbox with no account running: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	st, code := readStatus(t, env)
	if !st.Running || code != 0 || !strings.Contains(r.stderr, st.URL) {
		t.Fatalf("status after an on-demand start: %+v exit %d", st, code)
	}
	// The next command uses it, quietly.
	if again := runDbaf(t, env, "--sandbox", "list"); again.code != 0 || strings.Contains(again.stderr, "started") {
		t.Errorf("second --sandbox command: exit %d\n%s", again.code, again.stderr)
	}
	// connect with no clone of yours says so, naming how to make one.
	if c := runDbaf(t, env, "--sandbox", "connect"); c.code != 2 || !strings.Contains(c.stderr, "no clones") || !strings.Contains(c.stderr, "dbaf clone") {
		t.Errorf("connect with no clone: exit %d\n%s", c.code, c.stderr)
	}
	if stop := runDbaf(t, env, "sandbox", "stop"); stop.code != 0 {
		t.Errorf("stop: exit %d\n%s", stop.code, stop.stderr)
	}
	assertAccountGone(t, st)
}
