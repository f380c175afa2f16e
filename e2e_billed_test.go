package main

// End-to-end tests that nothing billed is left without a word: callers
// racing on one stack name, and the final JSON event of every run.

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dbaf/dbaf/artifact"
	"github.com/dbaf/dbaf/internal/testenv"
)

// lastJSONEvent decodes the last line of a -o json run.
func lastJSONEvent(t *testing.T, stdout string) map[string]any {
	t.Helper()
	return testenv.LastJSONEvent(t, stdout)
}

// finalEvents counts the final events in a -o json run's output.
func finalEvents(stdout string) int { return testenv.CountEvents(stdout, artifact.FinalKinds()) }

// TestBuildJSONEndsWithOneFinalEvent: a build refused at resolution, with
// the real Docker engine, ends -o json output with its final event (the
// other commands' cases run in-process, in internal/cli).
func TestBuildJSONEndsWithOneFinalEvent(t *testing.T) {
	t.Parallel()
	env := startSandbox(t, testPaceArgs...)
	unknown := writeINI(t, strings.Replace(fmt.Sprintf(prodINI, "db-artifact:unused"), "prod-aurora", "no-such-cluster", 1))
	for _, tc := range []struct {
		name  string
		env   []string
		args  []string
		code  int
		final string
	}{
		{"build of an unknown cluster", env, []string{"build", unknown, "--yes"}, 2, "build_failed"},
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
	t.Parallel()
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
