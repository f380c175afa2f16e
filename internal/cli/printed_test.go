package cli

// The command lines dbaf prints run as printed: each is split by a real
// shell and run through the same root command, against the same sandbox.

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dbaf/dbaf/artifact"
	"github.com/dbaf/dbaf/db"
	"github.com/dbaf/dbaf/internal/sandbox"
	"github.com/dbaf/dbaf/internal/sandbox/dbserver"
	"github.com/dbaf/dbaf/internal/testenv"
)

// argv is line as a POSIX shell splits it, the program name first.
func argv(t *testing.T, line string) []string {
	t.Helper()
	// The line runs with its program replaced by a function that prints
	// its arguments: the shell does all the quoting and splitting.
	prog, _, _ := strings.Cut(line, " ")
	cmd := exec.Command("sh", "-c", prog+`() { printf '%s\0' "$@"; }; `+line)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("sh -c %q: %v", line, err)
	}
	return append([]string{prog}, strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")...)
}

// runPrinted runs a dbaf command line dbaf printed, as c's account. The line
// must name the sandbox as c runs it (--sandbox, which c adds itself).
func runPrinted(t *testing.T, c cmdRun, line string, extra ...string) result {
	t.Helper()
	args := argv(t, line)
	if args[0] != "dbaf" || len(args) < 2 || args[1] != "--sandbox" {
		t.Fatalf("printed line %q does not run dbaf against the sandbox: %q", line, args)
	}
	return c.run(t, append(args[2:], extra...)...)
}

// TestPrintedTeardownRunsAfterAKeptFailure: a failed --keep-on-failure
// clone prints a teardown line that, run as printed, deletes the stack.
func TestPrintedTeardownRunsAfterAKeptFailure(t *testing.T) {
	t.Parallel()
	sb := startSandbox(t, "cloudformation:Resource:Instance=DB instance quota exceeded for db.r6g.large")
	ini := writeINI(t, fmt.Sprintf(prodINI, "db-artifact:unused"))
	c := cmdRun{sandbox: sb, env: map[string]string{"DB_PASSWORD": testPassword, "DBAF_POLL_INTERVAL": "100ms"}}
	k := c.run(t, "clone", "--config", ini, "--name", "e2e-kept", "--keep-on-failure", "-o", "json")
	ev := lastJSONEvent(t, k.stdout)
	line, _ := ev["teardown"].(string)
	if k.code != ExitCloneFailed || ev["kept"] != true || line == "" || !strings.Contains(k.stderr, line) {
		t.Fatalf("kept failure: exit %d, final event %v\n%s", k.code, ev, k.stderr)
	}
	if st, err := sandboxClient(t, sb).DescribeStack(context.Background(), "e2e-kept"); err != nil || st.Status != "CREATE_FAILED" {
		t.Fatalf("kept stack %+v, %v", st, err)
	}
	r := runPrinted(t, c, line, "-o", "json")
	if r.code != 0 || lastJSONEvent(t, r.stdout)["event"] != "torn_down" {
		t.Fatalf("%s: exit %d\n%s%s", line, r.code, r.stdout, r.stderr)
	}
}

// TestPrintedResumeRunsAfterAnInterruptedClone: a clone interrupted while
// its stack is being created prints a resume line that, run as printed,
// names the artifact and finishes the clone.
func TestPrintedResumeRunsAfterAnInterruptedClone(t *testing.T) {
	t.Parallel()
	sb := startSandbox(t)
	ini := writeINI(t, fmt.Sprintf(prodINI, "db-artifact:unused"))
	c := cmdRun{sandbox: sb, env: map[string]string{"DB_PASSWORD": testPassword, "DBAF_POLL_INTERVAL": "100ms"}}
	stopped := c
	stopped.cancelOn = `"event":"clone_started"`
	r := stopped.run(t, "clone", "--config", ini, "--name", "e2e-stopped", "-o", "json")
	ev := lastJSONEvent(t, r.stdout)
	line, _ := ev["resume"].(string)
	if r.code != ExitInterrupted || ev["event"] != "clone_interrupted" || !strings.Contains(line, "--config "+ini) {
		t.Fatalf("interrupted clone: exit %d, final event %v\n%s", r.code, ev, r.stderr)
	}
	if !strings.Contains(r.stderr, line) || !strings.Contains(r.stderr, ev["teardown"].(string)) {
		t.Errorf("the message lacks the lines of the final event:\n%s", r.stderr)
	}
	r = runPrinted(t, c, line, "-o", "json")
	if ev := lastJSONEvent(t, r.stdout); r.code != 0 || ev["event"] != "clone_ready" || ev["stack"] != "e2e-stopped" {
		t.Fatalf("%s: exit %d, final event %v\n%s", line, r.code, ev, r.stderr)
	}
}

// TestPrintedResetRunsAfterAFailedTeardown: a reset whose teardown AWS
// refused prints the line that runs the reset again, with the artifact;
// run as printed once the refusal is gone, it resets the clone.
func TestPrintedResetRunsAfterAFailedTeardown(t *testing.T) {
	t.Parallel()
	sb := startSandbox(t)
	c, ini, _ := cloneToReset(t, sb, "e2e-again")
	flt, err := sandbox.ParseFault("cloudformation:DeleteStack=AccessDenied:1")
	if err != nil {
		t.Fatal(err)
	}
	sb.Inject(flt)
	r := c.run(t, "reset", "e2e-again", "--config", ini, "--yes", "-o", "json")
	const intro = "run it again once that is fixed:\ndbaf:   "
	i := strings.Index(r.stderr, intro)
	if r.code != ExitAWS || i < 0 {
		t.Fatalf("reset with the deletion refused: exit %d\n%s", r.code, r.stderr)
	}
	line, _, _ := strings.Cut(r.stderr[i+len(intro):], "\n")
	if want := (artifact.Commands{Sandbox: true, Region: "eu-west-1", Config: ini}).Reset("e2e-again"); line != want {
		t.Errorf("reset line %q, want %q", line, want)
	}
	r = runPrinted(t, c, line, "--yes", "-o", "json")
	if ev := lastJSONEvent(t, r.stdout); r.code != 0 || ev["event"] != "clone_ready" || eventOf(jsonEvents(t, r.stdout), "reset_started") == nil {
		t.Fatalf("%s: exit %d, final event %v\n%s", line, r.code, ev, r.stderr)
	}
}

// TestPrintedConnectRuns: the list's connect line, run as printed, finds
// the clone.
func TestPrintedConnectRuns(t *testing.T) {
	t.Parallel()
	sb := startSandbox(t)
	c, _, ready := cloneToReset(t, sb, "e2e-connect")
	f := NewFactory(IOStreams{Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}}, func(string) string { return "" }, nil, "test")
	f.global.sandbox = true
	line := f.commands().In("eu-west-1").Connect("e2e-connect")
	r := runPrinted(t, c, line, "--print")
	if r.code != 0 || !strings.Contains(r.stdout, fmt.Sprint(ready["endpoint"])) {
		t.Fatalf("%s --print: exit %d\n%s%s", line, r.code, r.stdout, r.stderr)
	}
}

func TestArgvSplitsAsTheShellDoes(t *testing.T) {
	t.Parallel()
	line := artifact.ShellJoin([]string{"dbaf", "--profile", "it's mine", "clone", "--config", "/tmp/a b/x.ini"})
	if got := argv(t, line); strings.Join(got, "|") != "dbaf|--profile|it's mine|clone|--config|/tmp/a b/x.ini" {
		t.Errorf("argv(%q) = %q", line, got)
	}
}

// TestPrintedClientLinesVerifyTheServer: against a sandbox whose clusters
// are real servers, per engine, the psql or mysql line a clone prints runs
// with the engine's own client, verifying the server's certificate with
// the sandbox's CA (sslmode=verify-full, --ssl-verify-server-cert); so does
// dbaf connect, run as the list prints it. A CA bundle the server's
// certificate does not chain to fails the handover, naming the server.
func TestPrintedClientLinesVerifyTheServer(t *testing.T) {
	t.Parallel()
	testenv.NeedPostgres(t)
	testenv.NeedMariaDB(t)
	testenv.Need(t, "psql", "--version")
	testenv.Need(t, "mysql", "--version")
	sb := startSandboxWith(t, sandbox.Options{Pace: 0.05, DBSources: []string{"prod-aurora", "orders-mysql"},
		Databases: &dbserver.Config{StateDir: t.TempDir(), AddrBase: "127.84", TemplateDir: testenv.TemplateDir()}})
	c := cmdRun{sandbox: sb, env: map[string]string{"DB_PASSWORD": testPassword, "DBAF_POLL_INTERVAL": "100ms"}}
	const count = "SELECT count(*) > 0 FROM legacy.customers"
	for _, e := range []struct {
		source, stack string
		// batch turns the printed line into one that runs count; the
		// password goes in the environment, as dbaf connect passes it.
		batch  func(line string) string
		pwEnv  string
		answer string
	}{
		{"prod-aurora", "e2e-line-pg", func(l string) string { return l + ` -XAtc "` + count + `"` }, "PGPASSWORD", "t"},
		{"orders-mysql", "e2e-line-my", func(l string) string {
			return strings.TrimSuffix(l, " -p") + ` --batch --skip-column-names -e "` + count + `"`
		}, "MYSQL_PWD", "1"},
	} {
		ini := writeINI(t, strings.NewReplacer("prod-aurora", e.source, "db.r6g.large", "db.r6g.xlarge").Replace(fmt.Sprintf(prodINI, "db-artifact:unused")))
		r := c.run(t, "clone", "--config", ini, "--name", e.stack, "-o", "json")
		ready := lastJSONEvent(t, r.stdout)
		line, _ := ready["connection"].(string)
		if r.code != 0 || ready["event"] != "clone_ready" || !strings.Contains(line, sb.DBCAFile()) {
			t.Fatalf("%s: exit %d, final event %v\n%s", e.source, r.code, ready, r.stderr)
		}
		cmd := exec.Command("sh", "-c", e.batch(line))
		cmd.Env = append(os.Environ(), e.pwEnv+"="+testPassword)
		out, err := cmd.CombinedOutput()
		if err != nil || strings.TrimSpace(string(out)) != e.answer {
			t.Errorf("%s: %v\n%s", line, err, out)
		}

		// dbaf connect, as printed, with SQL on its standard input.
		connect := c
		connect.stdin = count + ";\n"
		f := NewFactory(IOStreams{}, func(string) string { return "" }, nil, "test")
		f.global.sandbox = true
		r = runPrinted(t, connect, f.commands().In("eu-west-1").Connect(e.stack))
		if r.code != 0 || !strings.Contains(r.stdout, e.answer) {
			t.Errorf("dbaf connect %s: exit %d\n%s%s", e.stack, r.code, r.stdout, r.stderr)
		}
	}

	// AWS's RDS bundle does not vouch for the sandbox's servers: the
	// handover fails, naming the server and why.
	rds := filepath.Join(t.TempDir(), "rds.pem")
	if err := os.WriteFile(rds, db.RDSBundle(), 0o644); err != nil {
		t.Fatal(err)
	}
	ini := writeINI(t, fmt.Sprintf(prodINI, "db-artifact:unused"))
	r := c.run(t, "--ca-bundle", rds, "clone", "--config", ini, "--name", "e2e-other-ca", "-o", "json")
	failed := lastJSONEvent(t, r.stdout)
	reason, _ := failed["reason"].(string)
	if r.code != ExitCloneFailed || failed["event"] != "clone_failed" || !strings.Contains(reason, "certificate signed by unknown authority") ||
		!strings.Contains(reason, "127.84.") || !strings.Contains(reason, rds) {
		t.Errorf("clone verified with another CA: exit %d, final event %v\n%s", r.code, failed, r.stderr)
	}
	noSecret(t, r.stdout, r.stderr)
}

// TestCABundleChoice: without a CA bundle of its own, a clone's client line
// names AWS's RDS bundle, written once under the user's cache directory;
// --ca-bundle names another file, and one that cannot be read or holds no
// certificate is bad input (exit 2), said before anything is created.
func TestCABundleChoice(t *testing.T) {
	t.Parallel()
	sb := startSandbox(t)
	cache := t.TempDir()
	ini := writeINI(t, fmt.Sprintf(prodINI, "db-artifact:unused"))
	c := cmdRun{sandbox: sb, env: map[string]string{"DB_PASSWORD": testPassword, "DBAF_POLL_INTERVAL": "100ms", "XDG_CACHE_HOME": cache}}
	r := c.run(t, "clone", "--config", ini, "--name", "e2e-rds-ca", "-o", "json")
	line, _ := lastJSONEvent(t, r.stdout)["connection"].(string)
	want := filepath.Join(cache, "dbaf", db.BundleName(db.RDSBundle()))
	if r.code != 0 || !strings.Contains(line, "sslmode=verify-full sslrootcert="+want) {
		t.Fatalf("exit %d, connection %q; want it to verify with %s\n%s", r.code, line, want, r.stderr)
	}
	if b, err := os.ReadFile(want); err != nil || !bytes.Equal(b, db.RDSBundle()) {
		t.Errorf("the cached bundle %s: %v; want AWS's RDS bundle", want, err)
	}

	own := filepath.Join(t.TempDir(), "ca dir", "ca.pem")
	if err := os.MkdirAll(filepath.Dir(own), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(own, db.RDSBundle(), 0o644); err != nil {
		t.Fatal(err)
	}
	r = c.run(t, "--ca-bundle", own, "clone", "--config", ini, "--name", "e2e-own-ca", "-o", "json")
	line, _ = lastJSONEvent(t, r.stdout)["connection"].(string)
	if r.code != 0 || !strings.HasPrefix(line, "psql ") || !strings.Contains(argv(t, line)[1], "sslrootcert='"+own+"'") {
		t.Errorf("--ca-bundle %s: exit %d, connection %q\n%s", own, r.code, line, r.stderr)
	}

	notPEM := writeINI(t, "not a certificate")
	for bundle, says := range map[string]string{filepath.Join(cache, "missing.pem"): "cannot read it", notPEM: "holds no PEM certificate"} {
		r := c.run(t, "--ca-bundle", bundle, "clone", "--config", ini, "--name", "e2e-bad-ca")
		if r.code != ExitBadInput || !strings.Contains(r.stderr, "--ca-bundle") || !strings.Contains(r.stderr, says) {
			t.Errorf("--ca-bundle %s: exit %d\n%s", bundle, r.code, r.stderr)
		}
	}
	if _, err := sandboxClient(t, sb).DescribeStack(context.Background(), "e2e-bad-ca"); err == nil {
		t.Error("a clone with a bad --ca-bundle created its stack")
	}
}
