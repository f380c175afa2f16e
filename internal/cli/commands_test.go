package cli

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/dbaf/dbaf/artifact"
	"github.com/dbaf/dbaf/internal/sandbox"
)

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
		{[]string{"teardown", "--expired", "a"}, "--expired finds the stacks itself"},
		{[]string{"teardown", "a"}, "without confirmation: pass --yes"},
		{[]string{"build", "a.ini", "b.ini"}, "accepts at most 1 arg"},
		{[]string{"build", "--no-such-flag"}, "dbaf build --help"},
		{[]string{"sandbox", "frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"sandbox", "serve", "--pace", "0"}, "--pace 0"},
		{[]string{"sandbox", "start", "--fault", "nonsense"}, `--fault "nonsense"`},
		{[]string{"sandbox", "start", "--quota", "db-clusters=lots"}, `--quota "db-clusters=lots"`},
		{[]string{"sandbox", "serve", "--quota", "clusters=3"}, `--quota "clusters=3"`},
		{[]string{"--region", "eu_west_1", "list"}, `--region "eu_west_1"`},
		// The INI's region key refuses it too: one pattern (config.IsRegion).
		{[]string{"--region", "eu-north-west-central-1", "list"}, `--region "eu-north-west-central-1"`},
		{[]string{"--endpoint-url", "localhost:4566", "list"}, `--endpoint-url "localhost:4566"`},
		{[]string{"--sandbox", "--endpoint-url", "http://127.0.0.1:1", "list"}, "--sandbox and --endpoint-url"},
		{[]string{"-o", "yaml", "list"}, `--output "yaml"`},
		{[]string{"build", "--source-cluster", "prod-aurora", "--subnets", "source", "--instance-class", "db.r6g.large", "--yes", "--push", "Bad Ref!"}, `--push "Bad Ref!"`},
		{[]string{"show"}, "--image"},
		{[]string{"clone", "--image", "x", "--config", "y"}, "--image and --config"},
		{[]string{"clone", "--generate-password", "--password-stdin"}, "--generate-password and --password-stdin"},
		{[]string{"clone", "--managed-password", "--password-stdin"}, "--password-stdin: RDS generates this clone's password and keeps it in Secrets Manager (--managed-password); drop --password-stdin"},
		{[]string{"clone", "--managed-password", "--generate-password"}, "drop --generate-password"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			r := run(t, map[string]string{"AWS_REGION": "eu-west-1", "DBAF_ARTIFACT": "/nonexistent/artifact.json"}, tc.args...)
			if r.code != ExitBadInput || !strings.Contains(r.stderr, tc.says) {
				t.Errorf("exit %d, want 2 and %q:\n%s", r.code, tc.says, r.stderr)
			}
			if strings.Contains(r.stderr, "Docker engine") || strings.Contains(r.stderr, "cannot reach") {
				t.Errorf("a usage error reached Docker or AWS:\n%s", r.stderr)
			}
		})
	}
}

func TestHelpAndVersion(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {}, {"build", "--help"}, {"show", "--help"}, {"sandbox"}, {"sandbox", "serve", "--help"}, {"version", "--help"}} {
		r := run(t, nil, args...)
		if r.code != 0 || !strings.Contains(r.stdout, "Usage:") {
			t.Errorf("dbaf %v: exit %d\n%s%s", args, r.code, r.stdout, r.stderr)
		}
	}
	if r := run(t, nil, "build", "--help"); !strings.Contains(r.stdout, "--instance-class") || !strings.Contains(r.stdout, "INI: instance_type") {
		t.Errorf("build --help lacks the INI flags:\n%s", r.stdout)
	}
	if r := run(t, nil, "version"); r.code != 0 || !strings.HasPrefix(r.stdout, "dbaf test (") {
		t.Errorf("version: %q", r.stdout)
	}
}

// TestOptionsFromFlags: each command hands its flags and arguments to its
// run function.
func TestOptionsFromFlags(t *testing.T) {
	f := NewFactory(IOStreams{}, func(string) string { return "" }, nil, "test")
	var got *TeardownOptions
	cmd := NewCmdTeardown(f, func(o *TeardownOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"my-stack", "--yes", "--force"})
	if err := cmd.Execute(); err != nil || got == nil || got.Stack != "my-stack" || !got.Yes || !got.Force || got.Expired {
		t.Errorf("teardown options %+v, %v", got, err)
	}
	var clone *CloneOptions
	cc := NewCmdClone(f, func(o *CloneOptions) error { clone = o; return nil })
	cc.SetArgs([]string{"--image", "img:1", "--name", "ci-1", "--generate-password", "--keep-on-failure", "-y"})
	if err := cc.Execute(); err != nil || clone == nil || clone.Image != "img:1" || clone.Name != "ci-1" || !clone.Generate || !clone.KeepOnFailure || !clone.Yes {
		t.Errorf("clone options %+v, %v", clone, err)
	}
	var build *BuildOptions
	bc := NewCmdBuild(f, func(o *BuildOptions) error { build = o; return nil })
	bc.SetArgs([]string{"x.ini", "--instance-class", "db.r6g.xlarge", "--push", "r/x:1"})
	if err := bc.Execute(); err != nil || build == nil || build.Path != "x.ini" || build.Push != "r/x:1" || len(build.overrides) != 1 ||
		*build.overrides["instance_type"] != "db.r6g.xlarge" {
		t.Errorf("build options %+v, %v", build, err)
	}
	var serve *SandboxServeOptions
	sc := NewCmdSandboxServe(f, func(o *SandboxServeOptions) error { serve = o; return nil })
	sc.SetArgs([]string{"--pace", "0.05", "--fault", "rds:DescribeDBClusters=AccessDenied", "--databases=false",
		"--quota", "db-clusters=3", "--quota", "db-instances=4", "--realistic"})
	if err := sc.Execute(); err != nil || serve == nil || serve.Pace != 0.05 || serve.Databases || len(serve.Faults) != 1 || !serve.Realistic ||
		!slices.Contains(serve.args(), "--realistic") {
		t.Errorf("serve options %+v, %v", serve, err)
	}
	// `sandbox start` hands its flags to the serve process it runs.
	if qs, err := serve.quotas(); err != nil || qs["db-clusters"] != 3 || qs["db-instances"] != 4 ||
		!strings.Contains(strings.Join(serve.args(), " "), "--quota db-clusters=3 --quota db-instances=4") {
		t.Errorf("quotas %v, %v; args %q", qs, err, serve.args())
	}
}

// TestEveryJSONRunEndsWithOneFinalEvent: failures before, at and after the
// start of an operation all end -o json output with its final event.
func TestEveryJSONRunEndsWithOneFinalEvent(t *testing.T) {
	sb := startSandbox(t, "cloudformation:CreateStack=AccessDenied")
	ini := writeINI(t, fmt.Sprintf(prodINI, "db-artifact:unused"))
	pw := map[string]string{"DB_PASSWORD": testPassword}
	for _, tc := range []struct {
		name  string
		env   map[string]string
		args  []string
		code  int
		final string
	}{
		{"build of a missing INI", nil, []string{"build", "/nonexistent/x.ini", "--yes"}, 2, "build_failed"},
		{"build with a bad push reference", nil, []string{"build", ini, "--yes", "--push", "Bad Ref!"}, 2, "build_failed"},
		{"clone whose CreateStack is refused", pw, []string{"clone", "--config", ini, "--name", "e2e-refused"}, 3, "clone_failed"},
		{"clone without a password", nil, []string{"clone", "--config", ini}, 2, "clone_failed"},
		{"teardown of no stack", nil, []string{"teardown", "e2e-nothing", "--yes"}, 2, "teardown_failed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := cmdRun{env: tc.env, sandbox: sb}.run(t, append(tc.args, "-o", "json")...)
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

func TestCloneBadInput(t *testing.T) {
	sb := startSandbox(t)
	ini := writeINI(t, fmt.Sprintf(prodINI, "db-artifact:unused"))
	stopped := writeINI(t, strings.Replace(fmt.Sprintf(prodINI, "x:y"), "prod-aurora", "reporting-stopped", 1))
	pw := map[string]string{"DB_PASSWORD": testPassword, "DBAF_ARTIFACT": "/nonexistent/artifact.json"}
	cases := []struct {
		name string
		run  cmdRun
		args []string
		code int
		says []string
	}{
		{"no password", cmdRun{sandbox: sb}, []string{"clone", "--config", ini}, 2, []string{"DB_PASSWORD", "--password-stdin", "--generate-password"}},
		{"short password", cmdRun{sandbox: sb, env: map[string]string{"DB_PASSWORD": "short"}}, []string{"clone", "--config", ini}, 2, []string{"DB_PASSWORD is 5 characters"}},
		// RDS's limit for both engines: refused before anything is created,
		// not by ModifyDBCluster once the clone exists.
		{"42-character password", cmdRun{sandbox: sb, env: map[string]string{"DB_PASSWORD": strings.Repeat("x", 42)}}, []string{"clone", "--config", ini}, 2,
			[]string{"DB_PASSWORD is 42 characters", "Aurora PostgreSQL master passwords have 8 to 41"}},
		{"empty stdin", cmdRun{sandbox: sb}, []string{"clone", "--config", ini, "--password-stdin"}, 2, []string{"standard input was empty"}},
		{"no artifact", cmdRun{sandbox: sb, env: pw}, []string{"clone"}, 2, []string{"--image", "--config"}},
		{"stopped source", cmdRun{sandbox: sb, env: pw}, []string{"clone", "--config", stopped}, 2, []string{"reporting-stopped", "stopped"}},
		{"bad name", cmdRun{sandbox: sb, env: pw}, []string{"clone", "--config", ini, "--name", "1-bad_name"}, 2, []string{"1-bad_name"}},
		{"bad login wait", cmdRun{sandbox: sb, env: pw}, []string{"clone", "--config", ini, "--login-wait", "0s"}, 2, []string{"--login-wait 0s", "positive duration"}},
		{"no credentials", cmdRun{env: pw}, []string{"--region", "eu-west-1", "--endpoint-url", endpointOf(sb), "clone", "--config", ini}, 3, []string{"credentials"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.run.run(t, tc.args...)
			if r.code != tc.code {
				t.Errorf("exit %d, want %d\n%s%s", r.code, tc.code, r.stdout, r.stderr)
			}
			for _, s := range tc.says {
				if !strings.Contains(r.stderr, s) {
					t.Errorf("stderr lacks %q:\n%s", s, r.stderr)
				}
			}
			noSecret(t, r.stdout, r.stderr)
		})
	}
	if n := sb.Calls()["cloudformation:CreateStack"]; n != 0 {
		t.Errorf("bad input made %d CreateStack calls, want none", n)
	}
}

func TestCloneSurvivesThrottling(t *testing.T) {
	t.Parallel()
	sb := startSandbox(t, "cloudformation:DescribeStackEvents=Throttling:3")
	ini := writeINI(t, fmt.Sprintf(prodINI, "db-artifact:unused"))
	r := cmdRun{sandbox: sb, stdin: testPassword + "\n", env: map[string]string{"DBAF_POLL_INTERVAL": "100ms"}}.
		run(t, "clone", "--config", ini, "--name", "e2e-throttled", "--password-stdin", "-o", "json")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, `"event":"throttled"`) || !strings.Contains(r.stdout, `"event":"clone_ready"`) {
		t.Errorf("want throttled events and a ready clone:\n%s", r.stdout)
	}
	noSecret(t, r.stdout, r.stderr)
}

// TestCloneSameNameTogether: two callers racing on one stack name get one
// stack, both the ready clone; then list shows it (JSON and table) and
// teardown removes it.
func TestCloneSameNameTogether(t *testing.T) {
	t.Parallel()
	sb := startSandbox(t)
	ini := writeINI(t, fmt.Sprintf(prodINI, "db-artifact:unused"))
	env := map[string]string{"DB_PASSWORD": testPassword, "DBAF_POLL_INTERVAL": "100ms"}
	if r := (cmdRun{sandbox: sb}).run(t, "list", "-o", "json"); r.code != 0 || strings.TrimSpace(r.stdout) != "[]" {
		t.Errorf("list -o json with no clones: exit %d, %q, want []", r.code, r.stdout)
	}
	if r := (cmdRun{sandbox: sb}).run(t, "list"); r.code != 0 || r.stdout != "" || !strings.Contains(r.stderr, "no dbaf clones in eu-west-1") {
		t.Errorf("list with no clones: exit %d, %q %q", r.code, r.stdout, r.stderr)
	}
	runs := make([]result, 2)
	var wg sync.WaitGroup
	for i := range runs {
		wg.Go(func() {
			runs[i] = cmdRun{env: env, sandbox: sb}.run(t, "clone", "--config", ini, "--name", "e2e-same", "-o", "json")
		})
	}
	wg.Wait()
	for i, r := range runs {
		if r.code != 0 {
			t.Errorf("run %d: exit %d\n%s%s", i, r.code, r.stdout, r.stderr)
			continue
		}
		if ev := lastJSONEvent(t, r.stdout); ev["event"] != "clone_ready" || finalEvents(r.stdout) != 1 {
			t.Errorf("run %d ends with %v (%d final events)", i, ev, finalEvents(r.stdout))
		}
		noSecret(t, r.stdout, r.stderr)
	}
	var stacks []map[string]any
	r := cmdRun{sandbox: sb}.run(t, "list", "-o", "json")
	if err := json.Unmarshal([]byte(r.stdout), &stacks); err != nil || len(stacks) != 1 || stacks[0]["stack"] != "e2e-same" {
		t.Errorf("want one stack, got %v (%v):\n%s", len(stacks), err, r.stdout)
	}
	table := cmdRun{sandbox: sb}.run(t, "list")
	if lines := strings.Split(strings.TrimSpace(table.stdout), "\n"); len(lines) != 2 || !strings.HasPrefix(lines[0], "STACK ") ||
		!strings.HasPrefix(lines[1], "e2e-same ") || !strings.Contains(lines[1], "sandbox-developer") || strings.Contains(lines[1], "arn:aws") {
		t.Errorf("list table:\n%s", table.stdout)
	}

	// Someone else (another owner, seen through the stack's tags) may not
	// be followed: that would reset their password.
	other := writeINI(t, strings.Replace(fmt.Sprintf(prodINI, "db-artifact:unused"), "prod-aurora", "orders-mysql", 1))
	r = cmdRun{env: env, sandbox: sb}.run(t, "clone", "--config", other, "--name", "e2e-same", "-o", "json")
	if r.code != 2 || !strings.Contains(r.stderr, "a clone of prod-aurora owned by") {
		t.Errorf("following a clone of another source: exit %d\n%s", r.code, r.stderr)
	}
	if ev := lastJSONEvent(t, r.stdout); ev["event"] != "clone_failed" {
		t.Errorf("final event %v", ev)
	}

	r = cmdRun{env: env, sandbox: sb}.run(t, "teardown", "e2e-same", "--yes", "-o", "json")
	if r.code != 0 || strings.Contains(r.stdout, "clone_started") || lastJSONEvent(t, r.stdout)["event"] != "torn_down" {
		t.Errorf("teardown: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := (cmdRun{env: env, sandbox: sb}).run(t, "teardown", "e2e-same", "--yes"); r.code != 2 || !strings.Contains(r.stderr, "nothing to tear down") {
		t.Errorf("second teardown: exit %d %s", r.code, r.stderr)
	}
}

// TestCloneResetDeniedNamesTheBilledStack: the stack exists when the
// password reset is refused; the run says so, with both ways out, and the
// resume (once the permission is back) finishes the clone.
func TestCloneResetDeniedNamesTheBilledStack(t *testing.T) {
	t.Parallel()
	sb := startSandbox(t, "rds:ModifyDBCluster=AccessDenied:1")
	ini := writeINI(t, fmt.Sprintf(prodINI, "db-artifact:unused"))
	c := cmdRun{sandbox: sb, env: map[string]string{"DB_PASSWORD": testPassword, "DBAF_POLL_INTERVAL": "100ms"}}
	r := c.run(t, "clone", "--config", ini, "--name", "e2e-denied", "-o", "json")
	if r.code != 3 {
		t.Errorf("exit %d, want 3 (AWS refused)\n%s", r.code, r.stderr)
	}
	cmds := artifact.Commands{Sandbox: true, Region: "eu-west-1", Config: ini}
	for _, want := range []string{"stack e2e-denied is created, but its master password was not reset", cmds.Resume("e2e-denied"), cmds.Teardown("e2e-denied")} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	ev := lastJSONEvent(t, r.stdout)
	if ev["event"] != "clone_failed" || ev["resume"] != cmds.Resume("e2e-denied") || ev["teardown"] != cmds.Teardown("e2e-denied") ||
		ev["state"] != "no_password" || ev["state_text"] != "created, but its master password was not reset" || finalEvents(r.stdout) != 1 {
		t.Errorf("final event %v", ev)
	}
	noSecret(t, r.stdout, r.stderr)

	r = c.run(t, "clone", "--config", ini, "--name", "e2e-denied", "-o", "json")
	if r.code != 0 || lastJSONEvent(t, r.stdout)["password_reset"] != true {
		t.Errorf("resume: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// A third run follows the finished clone and leaves its password alone.
	r = c.run(t, "clone", "--config", ini, "--name", "e2e-denied", "-o", "json")
	if r.code != 0 || lastJSONEvent(t, r.stdout)["password_reset"] != false || !strings.Contains(r.stdout, "--reset-password") {
		t.Errorf("follow: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// Plain output: the result line.
	r = c.run(t, "teardown", "e2e-denied", "--yes")
	if r.code != 0 || field(r.stdout, "torn down") != "e2e-denied" {
		t.Errorf("teardown: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// endpointOf is the sandbox's AWS endpoint URL.
func endpointOf(sb *sandbox.Server) string {
	for _, kv := range sb.Env() {
		if v, ok := strings.CutPrefix(kv, "AWS_ENDPOINT_URL="); ok {
			return v
		}
	}
	return ""
}
