package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/dbaf/dbaf/internal/testenv"
)

// viewRun is dbaf run in a terminal, in process: keys go in through a
// pipe, the view's frames come out in a buffer.
type viewRun struct {
	keys *io.PipeWriter
	out  *testenv.LockedBuffer
	err  *testenv.LockedBuffer // stderr
	code chan int
}

func startView(t *testing.T, c cmdRun, args ...string) *viewRun {
	t.Helper()
	in, keys := io.Pipe()
	v := &viewRun{keys: keys, out: &testenv.LockedBuffer{}, err: &testenv.LockedBuffer{}, code: make(chan int, 1)}
	f := NewFactory(IOStreams{In: in, Out: v.out, ErrOut: v.err, IsTerminal: func() bool { return true }},
		func(k string) string { return c.env[k] }, func() []string { return nil }, "test")
	f.SandboxEnv = func(context.Context) ([]string, error) { return c.sandbox.Env(), nil }
	// Out is no terminal to ask the size of; plain colours keep text whole.
	f.teaOpts = []tea.ProgramOption{tea.WithWindowSize(120, 40), tea.WithColorProfile(colorprofile.Ascii)}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	go func() { v.code <- Run(ctx, f, append([]string{"--sandbox"}, args...)) }()
	t.Cleanup(func() { cancel(); keys.Close() })
	return v
}

// waitFor waits until cond holds, failing with the view's output after d.
func (v *viewRun) waitFor(t *testing.T, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s; the view wrote:\n%s\nstderr:\n%s", what, v.out.String(), v.err.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (v *viewRun) press(t *testing.T, key string) {
	t.Helper()
	if _, err := io.WriteString(v.keys, key); err != nil {
		t.Fatal(err)
	}
}

// In a terminal the summary shows what the preflight saw, and the clone
// confirmed there does not ask AWS again: each check is one call in the
// run, the summary's.
func TestCloneViewSummaryChecksOnce(t *testing.T) {
	t.Parallel()
	sb := startSandbox(t)
	ini := writeINI(t, fmt.Sprintf(prodINI, "db-artifact:unused"))
	c := cmdRun{sandbox: sb, env: map[string]string{"DB_PASSWORD": testPassword, "DBAF_POLL_INTERVAL": "100ms"}}
	// An existing clone for the summary to count.
	if r := c.run(t, "clone", "--config", ini, "--name", "e2e-sum-0", "-o", "json"); r.code != 0 {
		t.Fatalf("first clone: exit %d\n%s", r.code, r.stderr)
	}
	sb.ResetCalls()

	v := startView(t, c, "clone", "--config", ini, "--name", "e2e-sum-1")
	v.waitFor(t, "the summary's facts", 30*time.Second, func() bool {
		out := v.out.String()
		return strings.Contains(out, "1 existing clone of prod-aurora") && strings.Contains(out, "nothing found that stops the clone")
	})
	if n := sb.Calls()["cloudformation:CreateStack"]; n != 0 {
		t.Fatalf("%d CreateStack calls before the summary was confirmed", n)
	}
	v.press(t, "\r")
	v.waitFor(t, "the clone", time.Minute, func() bool { return strings.Contains(v.out.String(), "Clone ready") })
	v.press(t, "q")
	select {
	case code := <-v.code:
		if code != 0 {
			t.Fatalf("exit %d; the view wrote:\n%s", code, v.out.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the view did not end on q")
	}
	calls := sb.Calls()
	for _, call := range []string{"rds:DescribeAccountAttributes", "kms:DescribeKey", "cloudformation:CreateStack"} {
		if calls[call] != 1 {
			t.Errorf("%d %s calls in the run, want 1", calls[call], call)
		}
	}
	noSecret(t, v.out.String())
}

// At quota the summary says so and offers no create: q leaves with exit 2
// and nothing created.
func TestCloneViewSummaryAtQuota(t *testing.T) {
	t.Parallel()
	probe := startSandbox(t)
	used := clusterQuotaUsed(t, probe)
	sb := startQuotaSandbox(t, used)
	ini := writeINI(t, fmt.Sprintf(prodINI, "db-artifact:unused"))
	v := startView(t, cmdRun{sandbox: sb, env: map[string]string{"DB_PASSWORD": testPassword}}, "clone", "--config", ini, "--name", "e2e-sum-q")
	want := fmt.Sprintf("RDS quota DBClusters: %d of %d used", used, used)
	v.waitFor(t, "the quota on the summary", 30*time.Second, func() bool {
		out := v.out.String()
		return strings.Contains(out, "a clone now would fail before creating anything") && strings.Contains(out, want)
	})
	v.press(t, "\r") // not offered: nothing happens
	v.press(t, "q")
	select {
	case code := <-v.code:
		if code != ExitBadInput {
			t.Errorf("exit %d, want %d; the view wrote:\n%s", code, ExitBadInput, v.out.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the view did not end on q")
	}
	if n := sb.Calls()["cloudformation:CreateStack"]; n != 0 {
		t.Errorf("%d CreateStack calls at quota", n)
	}
}
