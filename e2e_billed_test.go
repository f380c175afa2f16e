package main

// End-to-end tests that nothing billed is left without a word: callers
// racing on one stack name, and the final JSON event of every run.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// lastJSONEvent decodes the last line of a -o json run.
func lastJSONEvent(t *testing.T, stdout string) map[string]any {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	var ev map[string]any
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &ev); err != nil {
		t.Fatalf("last line is not JSON: %v\n%s", err, stdout)
	}
	return ev
}

// finalEvents counts the final events in a -o json run's output.
func finalEvents(stdout string) int {
	n := 0
	for _, kind := range []string{"built", "build_failed", "clone_ready", "clone_failed", "clone_interrupted", "torn_down", "teardown_failed"} {
		n += strings.Count(stdout, `"event":"`+kind+`"`)
	}
	return n
}

func TestCloneSameNameTogether(t *testing.T) {
	env := startSandbox(t, testPaceArgs...)
	ini := writeINI(t, fmt.Sprintf(prodINI, "db-artifact:unused"))
	if r := runDbaf(t, env, "list", "-o", "json"); r.code != 0 || strings.TrimSpace(r.stdout) != "[]" {
		t.Errorf("list -o json with no clones: exit %d, %q, want []", r.code, r.stdout)
	}

	type run struct {
		stdout, stderr string
		code           int
		err            error
	}
	runs := make([]run, 2)
	var wg sync.WaitGroup
	for i := range runs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := exec.Command(dbafBin, "clone", "--config", ini, "--name", "e2e-same", "-o", "json")
			cmd.Env = append(append(cleanEnv(t), env...), "DB_PASSWORD="+testPassword, "DBAF_POLL_INTERVAL=100ms")
			var out, errb bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &errb
			err := cmd.Run()
			runs[i] = run{stdout: out.String(), stderr: errb.String()}
			if ee, ok := err.(*exec.ExitError); ok {
				runs[i].code = ee.ExitCode()
			} else {
				runs[i].err = err
			}
		}()
	}
	wg.Wait()
	for i, r := range runs {
		if r.err != nil || r.code != 0 {
			t.Errorf("run %d: exit %d (%v)\n%s%s", i, r.code, r.err, r.stdout, r.stderr)
			continue
		}
		if ev := lastJSONEvent(t, r.stdout); ev["event"] != "clone_ready" || finalEvents(r.stdout) != 1 {
			t.Errorf("run %d ends with %v (%d final events)", i, ev, finalEvents(r.stdout))
		}
		noSecret(t, r.stdout, r.stderr)
	}
	var stacks []map[string]any
	r := runDbaf(t, env, "list", "-o", "json")
	if err := json.Unmarshal([]byte(r.stdout), &stacks); err != nil || len(stacks) != 1 {
		t.Errorf("want one stack, got %v (%v):\n%s", len(stacks), err, r.stdout)
	}

	// Someone else (another owner, seen through the stack's tags) may not
	// be followed: that would reset their password.
	other := writeINI(t, strings.Replace(fmt.Sprintf(prodINI, "db-artifact:unused"), "prod-aurora", "orders-mysql", 1))
	r = runDbaf(t, with(env, "DB_PASSWORD="+testPassword), "clone", "--config", other, "--name", "e2e-same", "-o", "json")
	if r.code != 2 || !strings.Contains(r.stderr, "a clone of prod-aurora owned by") {
		t.Errorf("following a clone of another source: exit %d\n%s", r.code, r.stderr)
	}
	if ev := lastJSONEvent(t, r.stdout); ev["event"] != "clone_failed" {
		t.Errorf("final event %v", ev)
	}

	r = runDbaf(t, with(env, "DBAF_POLL_INTERVAL=100ms"), "teardown", "e2e-same", "--yes", "-o", "json")
	if r.code != 0 || strings.Contains(r.stdout, "clone_started") || lastJSONEvent(t, r.stdout)["event"] != "torn_down" {
		t.Errorf("teardown: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// TestUsageErrorsExit2: every command-line mistake exits 2 with a message
// naming it, before any AWS or Docker work (no endpoint or engine is set
// up here: reaching either would fail differently).
func TestUsageErrorsExit2(t *testing.T) {
	for _, tc := range []struct {
		args []string
		says string
	}{
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"list", "extra"}, `"extra"`},
		{[]string{"teardown", "a", "b"}, "name one stack"},
		{[]string{"build", "a.ini", "b.ini"}, "accepts at most 1 arg"},
		{[]string{"sandbox", "frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"--region", "eu_west_1", "list"}, `--region "eu_west_1"`},
		{[]string{"--endpoint-url", "localhost:4566", "list"}, `--endpoint-url "localhost:4566"`},
		{[]string{"build", "--source-cluster", "prod-aurora", "--subnets", "source", "--instance-class", "db.r6g.large", "--yes", "--push", "Bad Ref!"}, `--push "Bad Ref!"`},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			r := runDbaf(t, []string{"DOCKER_HOST=unix:///nonexistent/docker.sock", "AWS_REGION=eu-west-1"}, tc.args...)
			if r.code != 2 || !strings.Contains(r.stderr, tc.says) {
				t.Errorf("exit %d, want 2 and %q:\n%s", r.code, tc.says, r.stderr)
			}
		})
	}
}

// TestEveryJSONRunEndsWithOneFinalEvent: failures before, at and after the
// start of an operation all end -o json output with its final event.
func TestEveryJSONRunEndsWithOneFinalEvent(t *testing.T) {
	env := startSandbox(t, append(testPaceArgs, "--fault", "cloudformation:CreateStack=AccessDenied")...)
	ini := writeINI(t, fmt.Sprintf(prodINI, "db-artifact:unused"))
	unknown := writeINI(t, strings.Replace(fmt.Sprintf(prodINI, "db-artifact:unused"), "prod-aurora", "no-such-cluster", 1))
	pw := "DB_PASSWORD=" + testPassword
	for _, tc := range []struct {
		name  string
		env   []string
		args  []string
		code  int
		final string
	}{
		{"build of a missing INI", env, []string{"build", "/nonexistent/x.ini", "--yes"}, 2, "build_failed"},
		{"build of an unknown cluster", env, []string{"build", unknown, "--yes"}, 2, "build_failed"},
		{"clone whose CreateStack is refused", with(env, pw), []string{"clone", "--config", ini, "--name", "e2e-refused"}, 3, "clone_failed"},
		{"clone without a password", env, []string{"clone", "--config", ini}, 2, "clone_failed"},
		{"teardown of no stack", env, []string{"teardown", "e2e-nothing", "--yes"}, 2, "teardown_failed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runDbaf(t, tc.env, append(tc.args, "-o", "json")...)
			if r.code != tc.code {
				t.Errorf("exit %d, want %d\n%s%s", r.code, tc.code, r.stdout, r.stderr)
			}
			if r.stdout == "" {
				t.Fatalf("no JSON at all; stderr:\n%s", r.stderr)
			}
			if ev := lastJSONEvent(t, r.stdout); ev["event"] != tc.final || finalEvents(r.stdout) != 1 {
				t.Errorf("ends with %v (%d final events), want one %s:\n%s", ev, finalEvents(r.stdout), tc.final, r.stdout)
			}
			noSecret(t, r.stdout, r.stderr)
		})
	}
}

// TestFlagsOnlyBuildReadsNoDefaultFile: with every required key given as a
// flag, ./artifact_config.ini is not read; otherwise it is, and the build
// says so.
func TestFlagsOnlyBuildReadsNoDefaultFile(t *testing.T) {
	env := startSandbox(t, testPaceArgs...)
	// A default file that would fail the build if it were read.
	dir := filepath.Dir(writeINI(t, "this is not an INI file\n"))
	run := func(args ...string) result {
		cmd := exec.Command(dbafBin, args...)
		cmd.Dir = dir
		cmd.Env = append(cleanEnv(t), env...)
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		r := result{out.String(), errb.String(), 0}
		if ee, ok := err.(*exec.ExitError); ok {
			r.code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return r
	}
	// An unknown cluster stops the build at resolution: no image is made.
	r := run("build", "--yes", "--source-cluster", "no-such-cluster", "--subnets", "source", "--instance-class", "db.r6g.large")
	if r.code != 2 || !strings.Contains(r.stderr, `"no-such-cluster"`) || strings.Contains(r.stderr, "artifact_config.ini") {
		t.Errorf("flags-only build: exit %d\n%s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "config: none") {
		t.Errorf("flags-only build does not say it read no file:\n%s", r.stderr)
	}
	r = run("build", "--yes", "--source-cluster", "no-such-cluster")
	if r.code != 2 || !strings.Contains(r.stderr, "artifact_config.ini") {
		t.Errorf("build with some flags: exit %d, want the default file read (and refused)\n%s", r.code, r.stderr)
	}
	valid := strings.Replace(fmt.Sprintf(prodINI, "db-artifact:unused"), "prod-aurora", "no-such-cluster", 1)
	if err := os.WriteFile(filepath.Join(dir, "artifact_config.ini"), []byte(valid), 0o644); err != nil {
		t.Fatal(err)
	}
	r = run("build", "--yes", "--instance-class", "db.r6g.large")
	if r.code != 2 || !strings.Contains(r.stderr, "config: artifact_config.ini") {
		t.Errorf("build reading the default file does not say so: exit %d\n%s", r.code, r.stderr)
	}
}

// TestCloneResetDeniedNamesTheBilledStack: the stack exists when the
// password reset is refused; the run says so, with both ways out, and the
// resume (once the permission is back) finishes the clone.
func TestCloneResetDeniedNamesTheBilledStack(t *testing.T) {
	env := startSandbox(t, append(testPaceArgs, "--fault", "rds:ModifyDBCluster=AccessDenied:1")...)
	ini := writeINI(t, fmt.Sprintf(prodINI, "db-artifact:unused"))
	cloneEnv := with(env, "DB_PASSWORD="+testPassword, "DBAF_POLL_INTERVAL=100ms")
	r := runDbaf(t, cloneEnv, "clone", "--config", ini, "--name", "e2e-denied", "-o", "json")
	if r.code != 3 {
		t.Errorf("exit %d, want 3 (AWS refused)\n%s", r.code, r.stderr)
	}
	for _, want := range []string{"stack e2e-denied is created, but its master password was not reset", "dbaf clone --name e2e-denied", "dbaf teardown e2e-denied --yes"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	ev := lastJSONEvent(t, r.stdout)
	if ev["event"] != "clone_failed" || ev["resume"] != "dbaf clone --name e2e-denied" || ev["teardown"] != "dbaf teardown e2e-denied --yes" ||
		ev["state"] != "created, but its master password was not reset" || finalEvents(r.stdout) != 1 {
		t.Errorf("final event %v", ev)
	}
	noSecret(t, r.stdout, r.stderr)

	r = runDbaf(t, cloneEnv, "clone", "--config", ini, "--name", "e2e-denied", "-o", "json")
	if r.code != 0 || lastJSONEvent(t, r.stdout)["password_reset"] != true {
		t.Errorf("resume: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// A third run follows the finished clone and leaves its password alone.
	r = runDbaf(t, cloneEnv, "clone", "--config", ini, "--name", "e2e-denied", "-o", "json")
	if r.code != 0 || lastJSONEvent(t, r.stdout)["password_reset"] != false || !strings.Contains(r.stdout, "--reset-password") {
		t.Errorf("follow: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := runDbaf(t, with(env, "DBAF_POLL_INTERVAL=100ms"), "teardown", "e2e-denied", "--yes"); r.code != 0 {
		t.Errorf("teardown: exit %d\n%s", r.code, r.stderr)
	}
}
