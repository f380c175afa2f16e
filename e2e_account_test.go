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

func TestSandboxAccountCloneConnect(t *testing.T) {
	need(t, "docker", "info")
	need(t, "psql", "--version")
	env := accountEnv(t.TempDir())
	stopAccount(t, env)

	if st, code := readStatus(t, env); st.Running || code != 1 {
		t.Fatalf("status before start: %+v exit %d, want not running, exit 1", st, code)
	}
	start := runDbaf(t, env, "sandbox", "start", "--addr", freeAddr(t), "--pace", "0.05")
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
	sbEnv := accountExports(t, env)
	if envValue(sbEnv, "AWS_ENDPOINT_URL") != st.URL {
		t.Fatalf("sandbox env: %q, want the endpoint %s", sbEnv, st.URL)
	}

	// Each command is a new process; the account, and what it holds, stays.
	tag := uniqueTag(t, "account")
	build := runDbaf(t, env, "--sandbox", "build", writeINI(t, fmt.Sprintf(prodINI, tag)), "--yes")
	if build.code != 0 {
		t.Fatalf("build: exit %d\n%s", build.code, build.stderr)
	}
	cl := runDbaf(t, with(env, "DBAF_POLL_INTERVAL=200ms"), "--sandbox", "clone", "--image", tag, "--generate-password")
	stack, password := field(cl.stdout, "stack"), strings.Fields(field(cl.stdout, "password"))
	if cl.code != 0 || stack == "" || len(password) == 0 {
		t.Fatalf("clone: exit %d\n%s%s", cl.code, cl.stdout, cl.stderr)
	}
	if strings.Contains(cl.stderr, "started the sandbox account") {
		t.Errorf("--sandbox started another account although one runs:\n%s", cl.stderr)
	}
	if list := runDbaf(t, env, "--sandbox", "list"); list.code != 0 || !strings.Contains(list.stdout, stack) {
		t.Errorf("list in a later command lacks %s: exit %d\n%s%s", stack, list.code, list.stdout, list.stderr)
	}

	// connect --print: the URL, no password; psql with it and the password
	// reaches the clone, which holds the source's data.
	printed := runDbaf(t, env, "--sandbox", "connect", "--print")
	connURL := strings.TrimSpace(printed.stdout)
	if printed.code != 0 || !strings.HasPrefix(connURL, "postgresql://postgres@") || strings.Contains(printed.stdout, password[0]) {
		t.Fatalf("connect --print: exit %d\n%s%s", printed.code, printed.stdout, printed.stderr)
	}
	const count = "SELECT count(*) FROM legacy.customers"
	cloneRows := psql(t, connURL, password[0], count)
	src := liveClusters(t, sbEnv)["prod-aurora"]
	srcRows := psql(t, "postgresql://postgres@"+src+":5432/postgres?sslmode=require", envValue(sbEnv, "DBAF_SANDBOX_DB_PASSWORD"), count)
	if cloneRows == "" || cloneRows == "0" || cloneRows != srcRows {
		t.Errorf("legacy.customers: clone %q rows, source %q", cloneRows, srcRows)
	}
	// dbaf connect itself runs psql, the password in its environment.
	conn := exec.Command(dbafBin, "--sandbox", "connect", stack)
	conn.Env = append(append(cleanEnv(t), env...), "DB_PASSWORD="+password[0])
	conn.Stdin = strings.NewReader(count + ";\n")
	var out, errb bytes.Buffer
	conn.Stdout, conn.Stderr = &out, &errb
	if err := conn.Run(); err != nil || !strings.Contains(out.String(), cloneRows) {
		t.Errorf("dbaf connect %s: %v\n%s%s", stack, err, out.String(), errb.String())
	}

	if td := runDbaf(t, with(env, "DBAF_POLL_INTERVAL=200ms"), "--sandbox", "teardown", stack, "--yes"); td.code != 0 {
		t.Errorf("teardown: exit %d\n%s", td.code, td.stderr)
	}
	stop := runDbaf(t, env, "sandbox", "stop")
	if stop.code != 0 || !strings.Contains(stop.stderr, "stopped the account at "+st.URL) {
		t.Errorf("sandbox stop: exit %d\n%s", stop.code, stop.stderr)
	}
	assertAccountGone(t, st)
	if again := runDbaf(t, env, "sandbox", "stop"); again.code != 0 || !strings.Contains(again.stderr, "not running") {
		t.Errorf("stop when stopped: exit %d\n%s", again.code, again.stderr)
	}
}

// psql runs one query with the real client and returns its bare result.
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
