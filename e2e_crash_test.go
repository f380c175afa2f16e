package main

// What the sandbox account survives: a kill -9 of its serve process (the
// next start serves every stack, cluster and database server again) and
// the death of a database server (its cluster shows as stopped, a clone of
// it is refused at once, and the next start brings it back).

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dbaf/dbaf/internal/testenv"
)

func TestSandboxSurvivesKill9(t *testing.T) {
	t.Parallel()
	need(t, "aws", "--version")
	need(t, "psql", "--version")
	env := accountEnv(t.TempDir())
	stopAccount(t, env)
	startArgs := []string{"sandbox", "start", "--addr", freeAddr(t), "--pace", "0.05", "--db-sources", "prod-aurora"}
	if r := runDbaf(t, env, startArgs...); r.code != 0 {
		t.Fatalf("sandbox start: exit %d\n%s", r.code, r.stderr)
	}
	ini := writeINI(t, fmt.Sprintf(prodINI, "db-artifact:unused"))
	cl := runDbaf(t, with(env, "DBAF_POLL_INTERVAL=200ms"), "--sandbox", "clone", "--config", ini, "--name", "e2e-crash", "--generate-password")
	stack, endpoint, password := field(cl.stdout, "stack"), field(cl.stdout, "endpoint"), strings.Fields(field(cl.stdout, "password"))
	if cl.code != 0 || stack != "e2e-crash" || endpoint == "" || len(password) == 0 {
		t.Fatalf("clone: exit %d\n%s%s", cl.code, cl.stdout, cl.stderr)
	}
	const count = "SELECT count(*) FROM legacy.customers"
	// The sandbox's CA outlives a kill -9: the servers started again
	// present certificates it issued, and a client trusting it verifies them.
	ca := envValue(accountExports(t, env), "DBAF_CA_BUNDLE")
	rows := psql(t, pgURL(endpoint, ca), password[0], count)

	st := kill9Account(t, env)
	again := runDbaf(t, env, startArgs...)
	if again.code != 0 || !strings.Contains(again.stderr, "serving again the account saved in") {
		t.Fatalf("sandbox start after kill -9: exit %d\n%s", again.code, again.stderr)
	}
	url := envValue(accountExports(t, env), "AWS_ENDPOINT_URL")
	var stacks struct {
		Stacks []struct{ StackName, StackStatus string }
	}
	testenv.AWSCLIJSON(t, url, &stacks, "cloudformation", "describe-stacks", "--stack-name", stack)
	if len(stacks.Stacks) != 1 || stacks.Stacks[0].StackStatus != "CREATE_COMPLETE" {
		t.Errorf("describe-stacks after kill -9: %+v", stacks)
	}
	if c := clusterAt(t, url, endpoint); c.Status != "available" {
		t.Errorf("the clone's cluster after kill -9: %+v, want available at %s", c, endpoint)
	}
	if got := psql(t, pgURL(endpoint, ca), password[0], count); got != rows {
		t.Errorf("the clone after kill -9 holds %s rows, want %s", got, rows)
	}

	// The source's server dies: prod-aurora shows as stopped, and a clone
	// of it is refused before any stack is made.
	killPIDFile(t, filepath.Join(st.StateDir, "servers", "prod-aurora", "pid"))
	src := awaitClusterStatus(t, url, "prod-aurora", "stopped")
	refused := runDbaf(t, with(env, "DBAF_POLL_INTERVAL=200ms"), "--sandbox", "clone", "--config", ini, "--name", "e2e-crash-dead", "--generate-password")
	if refused.code == 0 || !strings.Contains(refused.stderr, `"prod-aurora" is stopped`) {
		t.Errorf("clone of a source whose server died: exit %d\n%s%s", refused.code, refused.stdout, refused.stderr)
	}
	if _, stderr, err := testenv.AWSCLI(t, url, "cloudformation", "describe-stacks", "--stack-name", "e2e-crash-dead"); err == nil || !strings.Contains(stderr, "does not exist") {
		t.Errorf("a stack was made for a clone of a dead source: %v %s", err, stderr)
	}

	// The next start brings the source back on its data.
	kill9Account(t, env)
	if r := runDbaf(t, env, startArgs...); r.code != 0 {
		t.Fatalf("sandbox start: exit %d\n%s", r.code, r.stderr)
	}
	url = envValue(accountExports(t, env), "AWS_ENDPOINT_URL")
	awaitClusterStatus(t, url, "prod-aurora", "available")
	srcPassword := envValue(accountExports(t, env), "DBAF_SANDBOX_DB_PASSWORD")
	if got := psql(t, pgURL(src.Endpoint, envValue(accountExports(t, env), "DBAF_CA_BUNDLE")), srcPassword, count); got != rows {
		t.Errorf("prod-aurora after the restart holds %s rows, want %s", got, rows)
	}

	// The teardown dbaf told the user to run still applies.
	if td := runDbaf(t, with(env, "DBAF_POLL_INTERVAL=200ms"), "--sandbox", "teardown", stack, "--yes"); td.code != 0 {
		t.Errorf("teardown after the restarts: exit %d\n%s", td.code, td.stderr)
	}
	if _, stderr, err := testenv.AWSCLI(t, url, "cloudformation", "describe-stacks", "--stack-name", stack); err == nil || !strings.Contains(stderr, "does not exist") {
		t.Errorf("the stack is still there after teardown: %v %s", err, stderr)
	}
}

// kill9Account kills the running account's serve process with SIGKILL, as
// a crash would, and waits until it is gone.
func kill9Account(t *testing.T, env []string) accountStatus {
	t.Helper()
	st, code := readStatus(t, env)
	if !st.Running || code != 0 {
		t.Fatalf("no account to kill: %+v exit %d", st, code)
	}
	if err := syscall.Kill(st.PID, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	awaitGone(t, st.PID)
	return st
}

// killPIDFile kills with SIGKILL the process whose pid the file holds.
func killPIDFile(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 1 {
		t.Fatalf("%s: pid %q", path, b)
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
}

// awaitGone waits until pid has exited (a process not ours: /proc says).
func awaitGone(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil || strings.Contains(string(b), ") Z ") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("pid %d still runs after SIGKILL", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

type cliCluster struct{ DBClusterIdentifier, Status, Endpoint string }

// clusterAt is the cluster whose endpoint is host, as the AWS CLI lists it.
func clusterAt(t *testing.T, url, host string) cliCluster {
	t.Helper()
	var resp struct{ DBClusters []cliCluster }
	testenv.AWSCLIJSON(t, url, &resp, "rds", "describe-db-clusters")
	for _, c := range resp.DBClusters {
		if c.Endpoint == host {
			return c
		}
	}
	t.Fatalf("no cluster at %s", host)
	return cliCluster{}
}

// awaitClusterStatus waits until the AWS CLI reports the cluster in status.
func awaitClusterStatus(t *testing.T, url, id, status string) cliCluster {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var resp struct{ DBClusters []cliCluster }
		testenv.AWSCLIJSON(t, url, &resp, "rds", "describe-db-clusters", "--db-cluster-identifier", id)
		if len(resp.DBClusters) == 1 && resp.DBClusters[0].Status == status {
			return resp.DBClusters[0]
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s is %+v, want %s", id, resp.DBClusters, status)
		}
	}
}

// `sandbox start --addr X` while the account runs elsewhere says where it
// runs and exits 2, instead of exiting 0 as if X served; a start in the
// background never tells of a Ctrl-C that cannot reach it.
func TestSandboxStartElsewhere(t *testing.T) {
	t.Parallel()
	env := accountEnv(t.TempDir())
	stopAccount(t, env)
	here, there := freeAddr(t), freeAddr(t)
	first := runDbaf(t, env, "sandbox", "start", "--addr", here, "--databases=false", "--pace", "0.05")
	if first.code != 0 || !strings.Contains(first.stderr, "running at http://"+here) || strings.Contains(first.stderr, "Ctrl-C") {
		t.Fatalf("sandbox start: exit %d\n%s", first.code, first.stderr)
	}
	elsewhere := runDbaf(t, env, "sandbox", "start", "--addr", there, "--databases=false")
	if elsewhere.code != 2 || !strings.Contains(elsewhere.stderr, "already runs at http://"+here) || !strings.Contains(elsewhere.stderr, "not at "+there) {
		t.Errorf("sandbox start --addr %s while it runs at %s: exit %d\n%s", there, here, elsewhere.code, elsewhere.stderr)
	}
	for _, args := range [][]string{{"--addr", here}, nil} {
		same := runDbaf(t, env, append([]string{"sandbox", "start", "--databases=false"}, args...)...)
		if same.code != 0 || !strings.Contains(same.stderr, "already running at http://"+here) {
			t.Errorf("sandbox start %q while it runs there: exit %d\n%s", args, same.code, same.stderr)
		}
	}
}
