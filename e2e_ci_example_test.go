package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// ciExample is the GitHub Actions workflow docs/cloning.md links to.
const ciExample = "examples/ci/github-actions-clone-per-pr.yml"

// ciWorkflow is the part of a GitHub Actions workflow the test runs.
type ciWorkflow struct {
	Env      map[string]string
	Defaults struct{ Run struct{ Shell string } }
	Jobs     map[string]struct {
		Env   map[string]string
		Steps []struct {
			Name, Uses, Run string
			Env             map[string]string
		}
	}
}

var ciExpr = regexp.MustCompile(`\$\{\{\s*(.*?)\s*\}\}`)

// TestGitHubActionsCloneExample runs the example workflow's jobs as GitHub
// would for one pull request (opened, a push, closed) and then the nightly
// sweep: each job's `run:` steps in order with bash -eo pipefail against the
// sandbox, with GitHub's files (GITHUB_STEP_SUMMARY, GITHUB_PATH) and
// variables. Its `uses:` steps are skipped: the AWS credentials and region
// come from the sandbox's environment instead of OIDC, and the image is in
// the local engine, not ECR. Every ${{ … }} in the file must be one this
// test knows, so an expression the example gains cannot go untested.
func TestGitHubActionsCloneExample(t *testing.T) {
	t.Parallel()
	need(t, "jq")
	need(t, "aws", "--version")
	tag := prodImage(t)
	env := startSandbox(t, testPaceArgs...)
	const pr = "42"
	stack := "pr-" + pr

	raw, err := os.ReadFile(ciExample)
	if err != nil {
		t.Fatal(err)
	}
	values := map[string]string{
		"github.event.number":            pr,
		"github.event.number || 'sweep'": pr,
		"vars.DBAF_ARTIFACT_IMAGE":       tag,
		"vars.DBAF_CLONE_ROLE_ARN":       "arn:aws:iam::123456789012:role/dbaf-clone", // a uses: step's input
		"vars.AWS_REGION":                envValue(env, "AWS_REGION"),
		"secrets.PR_CLONE_DB_PASSWORD":   testPassword,
	}
	var unknown []string
	text := ciExpr.ReplaceAllStringFunc(string(raw), func(m string) string {
		v, ok := values[ciExpr.FindStringSubmatch(m)[1]]
		if !ok {
			unknown = append(unknown, m)
		}
		return v
	})
	if len(unknown) > 0 {
		t.Fatalf("%s uses expressions this test does not know: %q: give them values here", ciExample, unknown)
	}
	var wf ciWorkflow
	if err := yaml.Unmarshal([]byte(text), &wf); err != nil {
		t.Fatalf("%s: %v", ciExample, err)
	}
	if wf.Defaults.Run.Shell != "bash" {
		t.Fatalf("%s: defaults.run.shell is %q, want bash (GitHub then runs steps with -eo pipefail)", ciExample, wf.Defaults.Run.Shell)
	}
	base := append(cleanEnv(t), env...)
	base = append(base, "DBAF_POLL_INTERVAL=200ms", "CI=true", "GITHUB_ACTIONS=true")

	// runJob runs one job on a fresh "runner" and returns its summary and
	// everything its steps printed.
	runJob := func(name string) (summary, log string) {
		t.Helper()
		job, ok := wf.Jobs[name]
		if !ok {
			t.Fatalf("%s has no job %q", ciExample, name)
		}
		runner := t.TempDir()
		workspace := filepath.Join(runner, "work")
		os.Mkdir(workspace, 0o755)
		var path []string // what steps added to GITHUB_PATH
		var sum, out bytes.Buffer
		for i, step := range job.Steps {
			if step.Uses != "" {
				continue // see the test's comment: credentials come from the sandbox env
			}
			script := filepath.Join(runner, "step.sh")
			os.WriteFile(script, []byte(step.Run), 0o644)
			sumFile, pathFile := filepath.Join(runner, "summary"), filepath.Join(runner, "path")
			os.WriteFile(sumFile, nil, 0o644)
			os.WriteFile(pathFile, nil, 0o644)
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			cmd := exec.CommandContext(ctx, "bash", "--noprofile", "--norc", "-eo", "pipefail", script)
			cmd.Dir = workspace
			cmd.Env = append([]string(nil), base...)
			cmd.Env = append(cmd.Env, "RUNNER_TEMP="+runner, "GITHUB_WORKSPACE="+workspace,
				"GITHUB_STEP_SUMMARY="+sumFile, "GITHUB_PATH="+pathFile)
			if len(path) > 0 {
				cmd.Env = append(cmd.Env, "PATH="+strings.Join(path, ":")+":"+os.Getenv("PATH"))
			}
			for _, e := range []map[string]string{wf.Env, job.Env, step.Env} {
				for k, v := range e {
					cmd.Env = append(cmd.Env, k+"="+v)
				}
			}
			var stepOut bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stepOut, &stepOut
			err := cmd.Run()
			cancel()
			out.Write(stepOut.Bytes())
			if err != nil {
				t.Fatalf("job %s, step %d (%s): %v\n%s", name, i+1, step.Name, err, stepOut.String())
			}
			s, _ := os.ReadFile(sumFile)
			sum.Write(s)
			p, _ := os.ReadFile(pathFile)
			// GitHub prepends each line: the last one added comes first.
			for _, line := range strings.Fields(string(p)) {
				path = append([]string{line}, path...)
			}
		}
		if strings.Contains(out.String()+sum.String(), testPassword) {
			t.Errorf("job %s: the password secret is in the log or summary", name)
		}
		return sum.String(), out.String()
	}
	endpointIn := func(job, summary string) string {
		t.Helper()
		m := regexp.MustCompile("endpoint: `([^`]+)`").FindStringSubmatch(summary)
		if m == nil || strings.HasPrefix(m[1], "null") {
			t.Fatalf("job %s: no endpoint in the summary:\n%s", job, summary)
		}
		return m[1]
	}
	stackStatus := func() (string, error) {
		var resp struct {
			Stacks []struct{ StackStatus string }
		}
		if err := awsCLI(t, env, &resp, "cloudformation", "describe-stacks", "--stack-name", stack); err != nil {
			return "", err
		}
		return resp.Stacks[0].StackStatus, nil
	}

	// Opened: a clone, its endpoint in the summary.
	sum, _ := runJob("open")
	opened := endpointIn("open", sum)
	if st, err := stackStatus(); err != nil || st != "CREATE_COMPLETE" {
		t.Fatalf("after the open job, stack %s: %q, %v", stack, st, err)
	}
	if ep := liveClusters(t, env)[stack]; ep == "" || !strings.HasPrefix(opened, ep+":") {
		t.Errorf("summary endpoint %q; the cluster %s's endpoint per the AWS CLI: %q", opened, stack, ep)
	}

	// A push: reset, same endpoint.
	sum, log := runJob("synchronize")
	if !strings.Contains(log, `"event":"reset_started"`) {
		t.Errorf("the synchronize job did not reset:\n%s", log)
	}
	if got := endpointIn("synchronize", sum); got != opened {
		t.Errorf("endpoint after the reset %q, before %q", got, opened)
	}

	// Closed: the stack is gone.
	if _, log := runJob("close"); !strings.Contains(log, `"event":"torn_down"`) {
		t.Errorf("the close job's output has no torn_down:\n%s", log)
	}
	if _, err := stackStatus(); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("after the close job, describe-stacks %s: %v, want does not exist", stack, err)
	}

	// The nightly sweep: nothing expired, exit 0, one teardown_finished.
	if _, log := runJob("sweep"); !strings.Contains(log, `"event":"teardown_finished"`) {
		t.Errorf("the sweep's output has no teardown_finished:\n%s", log)
	}
}
