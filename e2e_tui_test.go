package main

// The terminal UIs driven the way a person would: the real binary (or the
// artifact image) in tmux, keys sent with send-keys, the screen read back
// with capture-pane.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dbaf/dbaf/internal/testenv"
)

// tmuxSession is one detached tmux session running a command.
type tmuxSession struct {
	t    *testing.T
	name string // the session's, and its server's socket (-L)
}

// tmux is a tmux command on this session's own server. Tests side by side
// sharing the default server raced: the last session's end stops that
// server while another test's new-session connects to it ("server exited
// unexpectedly").
func (s *tmuxSession) tmux(args ...string) *exec.Cmd {
	return exec.Command("tmux", append([]string{"-L", s.name}, args...)...)
}

// startTmux runs command (a shell line) in a fresh tmux session of the given
// size, with env exported first.
func startTmux(t *testing.T, width, height int, env []string, command string) *tmuxSession {
	t.Helper()
	testenv.NeedTmux(t)
	name := fmt.Sprintf("dbaf-e2e-%d", time.Now().UnixNano())
	var exports strings.Builder
	// --sandbox: an account inside the process, none left running after.
	for _, kv := range append([]string{"DBAF_SANDBOX_INPROCESS=1"}, env...) {
		k, v, _ := strings.Cut(kv, "=")
		fmt.Fprintf(&exports, "export %s=%s; ", k, shellQuote(v))
	}
	// The shell stays after the command ends, so its last frame can be read.
	// rc keeps the command's status: a bare echo first would report its own.
	line := exports.String() + command + "; rc=$?; echo; echo \"[exit $rc]\"; sleep 600"
	s := &tmuxSession{t: t, name: name}
	cmd := s.tmux("new-session", "-d", "-s", name, "-x", fmt.Sprint(width), "-y", fmt.Sprint(height), "bash", "--norc", "-c", line)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("tmux new-session: %v\n%s", err, out)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("last screen:\n%s", s.screen())
		}
		s.tmux("kill-server").Run()
	})
	return s
}

func (s *tmuxSession) screen() string {
	out, err := s.tmux("capture-pane", "-p", "-J", "-t", s.name).Output()
	if err != nil {
		s.t.Fatalf("tmux capture-pane: %v", err)
	}
	return string(out)
}

// waitFor polls the screen until it holds every want, or fails after d.
func (s *tmuxSession) waitFor(d time.Duration, want ...string) string {
	s.t.Helper()
	deadline := time.Now().Add(d)
	for {
		scr := s.screen()
		missing := ""
		for _, w := range want {
			if !strings.Contains(scr, w) {
				missing = w
				break
			}
		}
		if missing == "" {
			return scr
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("after %s the screen lacks %q:\n%s", d, missing, scr)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// keys sends tmux key names ("Enter", "C-g", "t", …) one at a time.
func (s *tmuxSession) keys(keys ...string) {
	s.t.Helper()
	for _, k := range keys {
		if out, err := s.tmux("send-keys", "-t", s.name, k).CombinedOutput(); err != nil {
			s.t.Fatalf("tmux send-keys %s: %v\n%s", k, err, out)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// typeText types literal text.
func (s *tmuxSession) typeText(text string) {
	s.t.Helper()
	if out, err := s.tmux("send-keys", "-t", s.name, "-l", text).CombinedOutput(); err != nil {
		s.t.Fatalf("tmux send-keys -l: %v\n%s", err, out)
	}
}

func TestCloneViewInContainerTearsDown(t *testing.T) {
	t.Parallel()
	testenv.NeedDocker(t)
	need(t, "aws", "--version")
	tag := prodImage(t)
	env := startSandbox(t, "--pace", "0.1")
	stack := fmt.Sprintf("tui%d-prod-clone", time.Now().UnixNano()%1e9)
	run := fmt.Sprintf("docker run --rm -it --network host -e AWS_ENDPOINT_URL -e AWS_REGION -e AWS_ACCESS_KEY_ID -e AWS_SECRET_ACCESS_KEY -e DBAF_POLL_INTERVAL=300ms %s clone --name %s", tag, stack)
	s := startTmux(t, 110, 40, env, run)

	// No DB_PASSWORD: the view asks; ctrl+g generates one.
	s.waitFor(30*time.Second, "needs a password", "ctrl+g")
	s.keys("C-g")
	s.waitFor(10*time.Second, "This creates one CloudFormation stack", "prod-aurora")
	// The summary is taller than 40 rows: the cost is below, a scroll away.
	s.keys("Down", "Down", "Down", "Down", "Down", "Down", "Down", "Down", "Down", "Down")
	s.waitFor(10*time.Second, "Cost")
	s.keys("Enter")
	scr := s.waitFor(60*time.Second, "Clone ready", "endpoint", "generated: shown only this once")
	if !strings.Contains(scr, stack+".cluster-") {
		t.Errorf("the endpoint of %s is not on screen:\n%s", stack, scr)
	}
	if _, ok := liveClusters(t, env)[stack]; !ok {
		t.Fatalf("the AWS CLI does not see cluster %s while the view says ready", stack)
	}

	s.keys("t")
	s.waitFor(5*time.Second, "y tear down")
	s.keys("y")
	s.waitFor(60*time.Second, "nothing left of "+stack)
	s.keys("q")
	s.waitFor(15*time.Second, "[exit 0]")

	// (TestCloneInContainerListTeardown checks the cluster is gone too.)
	var st struct {
		StackSummaries []struct{ StackName, StackStatus string }
	}
	if err := awsCLI(t, env, &st, "cloudformation", "list-stacks", "--stack-status-filter", "CREATE_COMPLETE", "CREATE_IN_PROGRESS", "DELETE_IN_PROGRESS"); err != nil {
		t.Fatal(err)
	}
	for _, ss := range st.StackSummaries {
		if ss.StackName == stack {
			t.Errorf("stack %s still listed as %s", stack, ss.StackStatus)
		}
	}
}

func TestWizardFromHomeToImage(t *testing.T) {
	t.Parallel()
	testenv.NeedDocker(t)
	dir := t.TempDir()
	tag := uniqueTag(t, "wizard")
	s := startTmux(t, 110, 36, nil, fmt.Sprintf("cd %s && %s --sandbox", shellQuote(dir), shellQuote(dbafBin)))

	s.waitFor(15*time.Second, "Build an artifact", "My clones")
	s.keys("Enter")
	s.waitFor(15*time.Second, "Which cluster should developers clone?", "prod-aurora", "✗ not Aurora")
	s.typeText("prod-au")
	s.waitFor(5*time.Second, "1 of 25")
	s.keys("Enter")
	s.waitFor(10*time.Second, "Where should clones run?", "3 subnets in 3 AZs")
	s.keys("Enter")
	s.waitFor(10*time.Second, "Which instance class should clones use?", "the source's writer runs this class")
	s.keys("Enter") // the source's class is pre-selected
	s.waitFor(10*time.Second, "Details of the artifact")
	s.typeText(tag)
	s.keys("Tab", "Tab")
	s.typeText("3d")
	s.keys("Enter")
	s.waitFor(10*time.Second, "Masking (optional)", "No rules and no hooks")
	s.keys("Enter") // no masking: enter skips the step
	s.waitFor(10*time.Second, "Review, then build", "prod-db-subnets", "Image       "+tag, "Clone TTL   3d")
	s.keys("Enter")
	// Built in the sandbox: the clone command is the sandbox's, not AWS's.
	s.waitFor(60*time.Second, "Built "+tag, "dbaf --sandbox clone --image "+tag)
	s.keys("Enter")
	s.waitFor(10*time.Second, "Build an artifact")
	s.keys("q")
	s.waitFor(10*time.Second, "[exit 0]")

	ini := readFile(t, filepath.Join(dir, "artifact_config.ini"))
	for _, want := range []string{"source_db_cluster_id = prod-aurora", "subnet_ids = source", "instance_type = db.r6g.large",
		"image_tag = " + tag, "clone_ttl = 3d"} {
		if !strings.Contains(ini, want) {
			t.Errorf("the INI written lacks %q:\n%s", want, ini)
		}
	}
	img := inspect(t, tag)
	if img.Config.Labels["dev.dbaf.source-cluster"] != "prod-aurora" || img.Config.Labels["dev.dbaf.instance-class"] != "db.r6g.large" {
		t.Errorf("image labels %v", img.Config.Labels)
	}
	// The file the wizard wrote builds the same image headless.
	r := runDbaf(t, nil, "--sandbox", "build", filepath.Join(dir, "artifact_config.ini"), "--yes")
	if r.code != 0 || field(r.stdout, "id") != img.ID {
		t.Errorf("headless rebuild: exit %d id %q, want %s\n%s", r.code, field(r.stdout, "id"), img.ID, r.stderr)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// demo.tape records the wizard and clone journeys; VHS must accept it.
func TestDemoTapeValidates(t *testing.T) {
	t.Parallel()
	need(t, "vhs", "--version")
	out, err := exec.Command("vhs", "validate", "demo.tape").CombinedOutput()
	if err != nil {
		t.Fatalf("vhs validate demo.tape: %v\n%s", err, out)
	}
	tape := readFile(t, "demo.tape")
	for _, want := range []string{"dbaf --sandbox", "| dbaf --sandbox connect", "SELECT count(*) FROM legacy.customers",
		"$DBAF_SANDBOX_DB_PASSWORD psql", `Type "t"`} {
		if !strings.Contains(tape, want) {
			t.Errorf("demo.tape lacks %q: it should show the build, clone, a query on the clone the source does not see, and teardown", want)
		}
	}
}

// Ctrl-C leaves every screen as an interruption: exit 130, as for a signal.
func TestTUICtrlCExits130(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, args string
		want       []string
	}{
		{"home", "--sandbox", []string{"Build an artifact"}},
		{"wizard", "--sandbox build", []string{"Which cluster should developers clone?", "prod-aurora"}},
		{"list", "--sandbox list", []string{"dbaf"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := startTmux(t, 100, 30, nil, fmt.Sprintf("cd %s && %s %s", shellQuote(t.TempDir()), shellQuote(dbafBin), tc.args))
			s.waitFor(15*time.Second, tc.want...)
			s.keys("C-c")
			s.waitFor(10*time.Second, "[exit 130]")
		})
	}
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// What people see at 80x24, through the real binary: the source picker
// keeps its reasons whole and says there is more below; a clone's ready
// panel shows the endpoint and the login.
func TestTUIAt80x24(t *testing.T) {
	t.Parallel()
	t.Run("source picker", func(t *testing.T) {
		t.Parallel()
		s := startTmux(t, 80, 24, nil, fmt.Sprintf("cd %s && %s --sandbox build", shellQuote(t.TempDir()), shellQuote(dbafBin)))
		s.waitFor(15*time.Second, "Which cluster should developers clone?", "✗ stopped", "✗ not Aurora", "more below")
		s.keys("C-c")
		s.waitFor(10*time.Second, "[exit 130]")
	})
	t.Run("clone", func(t *testing.T) {
		t.Parallel()
		env := startSandbox(t, "--pace", "0.1")
		ini := writeINI(t, fmt.Sprintf(prodINI, "db-artifact:unused"))
		stack := fmt.Sprintf("tui80x%d-prod-clone", time.Now().UnixNano()%1e9)
		s := startTmux(t, 80, 24, append(env, "DBAF_POLL_INTERVAL=300ms"),
			fmt.Sprintf("%s clone --config %s --name %s --generate-password", shellQuote(dbafBin), shellQuote(ini), stack))
		s.waitFor(30*time.Second, "This creates one CloudFormation stack", "enter create the clone")
		s.keys("Enter")
		scr := s.waitFor(90*time.Second, "Clone ready", "login", "connect   in full below the box", "t tear down")
		if !strings.Contains(scr, stack+".cluster-") {
			t.Errorf("the endpoint of %s is not on the 80x24 screen:\n%s", stack, scr)
		}
		if n := len(strings.Split(strings.TrimRight(scr, "\n"), "\n")); n > 24 {
			t.Errorf("%d lines on a 24-line terminal", n)
		}
		s.keys("t")
		s.waitFor(5*time.Second, "y tear down")
		s.keys("y")
		s.waitFor(60*time.Second, "nothing left of "+stack)
		s.keys("q")
		s.waitFor(15*time.Second, "[exit 0]")
	})
}
