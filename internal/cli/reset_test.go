package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"

	"github.com/dbaf/dbaf/artifact"
	dbafaws "github.com/dbaf/dbaf/aws"
	"github.com/dbaf/dbaf/config"
	"github.com/dbaf/dbaf/internal/sandbox"
)

// TestResetUsageErrorsExit2: every mistake a reset can see in its command
// line exits 2, naming it, before any AWS call (none is set up here:
// reaching AWS would fail differently), and a -o json run still ends with
// one final event that says nothing was deleted.
func TestResetUsageErrorsExit2(t *testing.T) {
	ini := writeINI(t, fmt.Sprintf(prodINI, "db-artifact:unused"))
	pw := map[string]string{"DB_PASSWORD": testPassword, "AWS_REGION": "eu-west-1", "DBAF_ARTIFACT": "/nonexistent/artifact.json"}
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		says string
	}{
		{"no stack", pw, []string{"reset", "--config", ini}, "name the one clone to reset"},
		{"two stacks", pw, []string{"reset", "a", "b", "--config", ini}, "name the one clone to reset"},
		{"no confirmation without a terminal", pw, []string{"reset", "dev-clone", "--config", ini}, "not deleting stack dev-clone and the data in it"},
		{"two artifacts", pw, []string{"reset", "dev-clone", "--image", "x:1", "--config", ini, "--yes"}, "--image and --config"},
		{"no artifact here", pw, []string{"reset", "dev-clone", "--yes"}, "no artifact here: run dbaf reset inside the artifact image"},
		{"a name no clone can have", pw, []string{"reset", "Dev_Clone", "--config", ini, "--yes"}, `invalid stack name "Dev_Clone"`},
		{"no password", map[string]string{"AWS_REGION": "eu-west-1"}, []string{"reset", "dev-clone", "--config", ini, "--yes"}, "no password for the clone"},
		{"two passwords", pw, []string{"reset", "dev-clone", "--config", ini, "--yes", "--password-stdin", "--generate-password"}, "--generate-password and --password-stdin"},
		{"bad login wait", pw, []string{"reset", "dev-clone", "--config", ini, "--yes", "--login-wait", "0s"}, "--login-wait 0s"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, out := range []string{"text", "json"} {
				r := run(t, tc.env, append(tc.args, "-o", out)...)
				if r.code != ExitBadInput || !strings.Contains(r.stderr, tc.says) {
					t.Errorf("-o %s: exit %d, want 2 and %q:\n%s", out, r.code, tc.says, r.stderr)
				}
				if strings.Contains(r.stderr, "credentials") || strings.Contains(r.stderr, "cannot reach") {
					t.Errorf("a usage error reached AWS:\n%s", r.stderr)
				}
				if out == "json" && tc.name != "no stack" && tc.name != "two stacks" {
					ev := lastJSONEvent(t, r.stdout)
					if ev["event"] != "clone_failed" || !strings.Contains(fmt.Sprint(ev["cleanup"]), "nothing was deleted") || finalEvents(r.stdout) != 1 {
						t.Errorf("json ends with %v (%d final events)", ev, finalEvents(r.stdout))
					}
				}
			}
		})
	}
}

func TestResetHelpSaysWhatIsKeptAndWhatIsNew(t *testing.T) {
	r := run(t, nil, "reset", "--help")
	if r.code != 0 {
		t.Fatalf("exit %d", r.code)
	}
	for _, want := range []string{"Kept: the name, and with it the endpoint", "The password", "The\nmasking", "New: the data", "the TTL", "--force", "--yes"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("help lacks %q:\n%s", want, r.stdout)
		}
	}
	var got *ResetOptions
	cmd := NewCmdReset(NewFactory(IOStreams{}, func(string) string { return "" }, nil, "test"), func(o *ResetOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"dev-clone", "--image", "img:1", "--force", "--generate-password", "-y"})
	if err := cmd.Execute(); err != nil || got == nil || got.Stack != "dev-clone" || got.Image != "img:1" || !got.Force || !got.Generate || !got.Yes {
		t.Errorf("reset options %+v, %v", got, err)
	}
}

// jsonEvents decodes a -o json run's events.
func jsonEvents(t *testing.T, stdout string) []map[string]any {
	t.Helper()
	var evs []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
		var ev map[string]any
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatalf("not a JSON event: %q", line)
		}
		evs = append(evs, ev)
	}
	return evs
}

func eventOf(evs []map[string]any, kind string) map[string]any {
	for _, ev := range evs {
		if ev["event"] == kind {
			return ev
		}
	}
	return nil
}

// cloneToReset clones prod-aurora as stack through the CLI and returns
// the run settings, the INI and the clone_ready event.
func cloneToReset(t *testing.T, sb *sandbox.Server, stack string) (cmdRun, string, map[string]any) {
	t.Helper()
	ini := writeINI(t, fmt.Sprintf(prodINI, "db-artifact:unused"))
	c := cmdRun{sandbox: sb, env: map[string]string{"DB_PASSWORD": testPassword, "DBAF_POLL_INTERVAL": "100ms"}}
	r := c.run(t, "clone", "--config", ini, "--name", stack, "-o", "json")
	if r.code != 0 {
		t.Fatalf("clone: exit %d\n%s", r.code, r.stderr)
	}
	return c, ini, lastJSONEvent(t, r.stdout)
}

// TestResetAgainstSandbox: a clone reset through the CLI keeps its
// endpoint and gets a TTL counted from the reset, in one JSON stream of
// the reset's start, the teardown and the new clone.
func TestResetAgainstSandbox(t *testing.T) {
	t.Parallel()
	c, ini, before := cloneToReset(t, startSandbox(t), "e2e-reset")

	resetAt := time.Now().UTC().Truncate(time.Second)
	r := c.run(t, "reset", "e2e-reset", "--config", ini, "--yes", "-o", "json")
	if r.code != 0 {
		t.Fatalf("reset: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	noSecret(t, r.stdout, r.stderr)
	evs := jsonEvents(t, r.stdout)
	var order []string
	for _, ev := range evs {
		if k := ev["event"].(string); k == "reset_started" || k == "teardown_started" || k == "clone_started" || k == "clone_ready" {
			order = append(order, k)
		}
		if ev["event"] == "torn_down" {
			t.Error("the reset's stream holds torn_down, a final event")
		}
	}
	if strings.Join(order, " ") != "reset_started teardown_started clone_started clone_ready" || finalEvents(r.stdout) != 1 {
		t.Errorf("events %v (%d final)", order, finalEvents(r.stdout))
	}
	started, after := evs[0], evs[len(evs)-1]
	if started["event"] != "reset_started" || started["endpoint"] != before["endpoint"] || started["expires_at"] != before["expires_at"] ||
		started["recreate"] != "dbaf --sandbox --region eu-west-1 clone --name e2e-reset --config "+ini {
		t.Errorf("reset_started %v", started)
	}
	if after["event"] != "clone_ready" || after["endpoint"] != before["endpoint"] || after["stack"] != "e2e-reset" {
		t.Errorf("after the reset %v; before %v", after, before)
	}
	oldExp, _ := time.Parse(time.RFC3339, before["expires_at"].(string))
	newExp, err := time.Parse(time.RFC3339, fmt.Sprint(after["expires_at"]))
	if err != nil || newExp.Before(resetAt.Add(72*time.Hour)) || newExp.Before(oldExp) {
		t.Errorf("expiry %v (was %v): want 3d from the reset (%v) on", after["expires_at"], before["expires_at"], resetAt)
	}
	// Plain output: the reset's words on stderr, the result on stdout.
	r = c.run(t, "reset", "e2e-reset", "--config", ini, "--yes")
	if r.code != 0 || field(r.stdout, "endpoint") != before["endpoint"] || !strings.Contains(r.stderr, "==> resetting stack e2e-reset") ||
		!strings.Contains(r.stderr, "==> deleting stack e2e-reset") || !strings.Contains(r.stderr, "nothing left of e2e-reset") {
		t.Errorf("plain reset: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// sandboxClient is a dbaf AWS client of the sandbox, for what the CLI
// cannot do (someone else's stack).
func sandboxClient(t *testing.T, sb *sandbox.Server) *dbafaws.Client {
	t.Helper()
	return dbafaws.New(sdkConfig(t, sb))
}

func sdkConfig(t *testing.T, sb *sandbox.Server) awssdk.Config {
	t.Helper()
	cfg, err := dbafaws.LoadConfig(context.Background(), sandboxAWSOptions(sb.Env(), ""))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestResetRefusesUnlessForced: stacks dbaf did not make and other
// owners' clones need --force; a clone of another source is refused
// whatever the flags; nothing is deleted by a refusal.
func TestResetRefusesUnlessForced(t *testing.T) {
	t.Parallel()
	sb := startSandbox(t)
	ctx := context.Background()
	ini := writeINI(t, fmt.Sprintf(prodINI, "db-artifact:unused"))
	cfg, _, err := config.Load(ini)
	if err != nil {
		t.Fatal(err)
	}
	client := sandboxClient(t, sb)
	a, err := artifact.Resolve(ctx, cfg, client, time.Unix(1764000000, 0), func(string) {})
	if err != nil {
		t.Fatal(err)
	}
	// Made as CloudFormation would make them for someone else.
	createStacks(t, sb, a, map[string]map[string]string{
		"alices-clone": artifact.StackTags(a, "arn:aws:iam::123456789012:user/alice", time.Now()),
		"hand-made":    {"team": "web"},
	})
	other := writeINI(t, strings.Replace(fmt.Sprintf(prodINI, "db-artifact:unused"), "prod-aurora", "orders-mysql", 1))
	c := cmdRun{sandbox: sb, env: map[string]string{"DB_PASSWORD": testPassword, "DBAF_POLL_INTERVAL": "100ms"}}
	for _, tc := range []struct {
		stack, ini, says string
		force            bool
	}{
		{"alices-clone", ini, "owned by arn:aws:iam::123456789012:user/alice", false},
		{"hand-made", ini, "was not created by dbaf", false},
		{"alices-clone", other, "is a clone of prod-aurora, but the artifact clones orders-mysql", true},
		{"nobodys", ini, "no stack nobodys in eu-west-1", false},
	} {
		args := []string{"reset", tc.stack, "--config", tc.ini, "--yes"}
		if tc.force {
			args = append(args, "--force")
		}
		r := c.run(t, args...)
		if r.code != ExitBadInput || !strings.Contains(r.stderr, tc.says) {
			t.Errorf("%v: exit %d, want 2 and %q\n%s", args, r.code, tc.says, r.stderr)
		}
	}
	if n := sb.Calls()["cloudformation:DeleteStack"]; n != 0 {
		t.Fatalf("%d DeleteStack calls from refused resets", n)
	}
	for _, stack := range []string{"alices-clone", "hand-made"} {
		t.Run("forced "+stack, func(t *testing.T) {
			t.Parallel()
			r := c.run(t, "reset", stack, "--config", ini, "--yes", "--force", "-o", "json")
			if r.code != 0 || lastJSONEvent(t, r.stdout)["event"] != "clone_ready" {
				t.Errorf("forced reset of %s: exit %d\n%s", stack, r.code, r.stderr)
			}
			st, err := client.DescribeStack(ctx, stack)
			if err != nil || st.Tags[artifact.TagOwner] == "arn:aws:iam::123456789012:user/alice" || !artifact.IsDbafStack(st.Tags) {
				t.Errorf("after the forced reset %s has tags %v (%v): want the caller's dbaf clone", stack, st.Tags, err)
			}
		})
	}
}

// TestResetStoppedBetweenTeardownAndClone: when the new stack cannot be
// made, the run says the clone is gone and names the command that makes it
// again, which then brings it back under the same endpoint.
func TestResetStoppedBetweenTeardownAndClone(t *testing.T) {
	t.Parallel()
	sb := startSandbox(t)
	c, ini, ready := cloneToReset(t, sb, "e2e-gone")
	endpoint := ready["endpoint"]
	flt, err := sandbox.ParseFault("cloudformation:CreateStack=AccessDenied:1")
	if err != nil {
		t.Fatal(err)
	}
	sb.Inject(flt)
	r := c.run(t, "reset", "e2e-gone", "--config", ini, "--yes", "-o", "json")
	recreate := "dbaf --sandbox --region eu-west-1 clone --name e2e-gone --config " + ini
	if r.code != ExitAWS || !strings.Contains(r.stderr, "stack e2e-gone is deleted by the reset, and not re-created") || !strings.Contains(r.stderr, recreate) {
		t.Errorf("exit %d, want 3 with the way back:\n%s", r.code, r.stderr)
	}
	ev := lastJSONEvent(t, r.stdout)
	if ev["event"] != "clone_failed" || ev["state"] != string(artifact.StateResetGone) || ev["state_text"] != artifact.StateResetGone.String() || ev["resume"] != recreate || finalEvents(r.stdout) != 1 {
		t.Errorf("final event %v", ev)
	}
	if r := runPrinted(t, c, recreate, "-o", "json"); r.code != 0 || lastJSONEvent(t, r.stdout)["endpoint"] != endpoint {
		t.Errorf("%s: exit %d, endpoint %v (was %v)\n%s", recreate, r.code, lastJSONEvent(t, r.stdout)["endpoint"], endpoint, r.stderr)
	}
}

// TestResetTeardownRefused: a teardown AWS refuses ends the stream with
// teardown_failed, exit 3, and leaves the clone as it was.
func TestResetTeardownRefused(t *testing.T) {
	t.Parallel()
	sb := startSandbox(t, "cloudformation:DeleteStack=AccessDenied")
	c, ini, _ := cloneToReset(t, sb, "e2e-kept")
	r := c.run(t, "reset", "e2e-kept", "--config", ini, "--yes", "-o", "json")
	if ev := lastJSONEvent(t, r.stdout); r.code != ExitAWS || ev["event"] != "teardown_failed" || finalEvents(r.stdout) != 1 ||
		!strings.Contains(r.stderr, "did not re-create e2e-kept") {
		t.Errorf("exit %d, final %v\n%s", r.code, ev, r.stderr)
	}
	st, err := sandboxClient(t, sb).DescribeStack(context.Background(), "e2e-kept")
	if err != nil || st.Status != "CREATE_COMPLETE" {
		t.Errorf("after the refused teardown: %+v, %v", st, err)
	}
}

// TestResetInsideTheImage: with the artifact file dbaf finds in its image
// (DBAF_ARTIFACT), reset needs no --image or --config, and the way back
// runs the image again.
func TestResetInsideTheImage(t *testing.T) {
	t.Parallel()
	sb := startSandbox(t)
	ctx := context.Background()
	cfg, _, err := config.Load(writeINI(t, fmt.Sprintf(prodINI, "registry.example.com/db-artifact:7")))
	if err != nil {
		t.Fatal(err)
	}
	a, err := artifact.Resolve(ctx, cfg, sandboxClient(t, sb), time.Unix(1764000000, 0), func(string) {})
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "artifact.json")
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
	c := cmdRun{sandbox: sb, env: map[string]string{"DB_PASSWORD": testPassword, "DBAF_POLL_INTERVAL": "100ms", "DBAF_ARTIFACT": file}}
	if r := c.run(t, "clone", "--name", "e2e-image"); r.code != 0 {
		t.Fatalf("clone: exit %d\n%s", r.code, r.stderr)
	}
	r := c.run(t, "reset", "e2e-image", "--yes", "-o", "json")
	if r.code != 0 {
		t.Fatalf("reset: exit %d\n%s", r.code, r.stderr)
	}
	// Against the sandbox the host's dbaf reads the image again.
	want := "dbaf --sandbox --region eu-west-1 clone --name e2e-image --image " + a.Image
	if got := eventOf(jsonEvents(t, r.stdout), "reset_started"); got == nil || got["recreate"] != want || got["image"] != "registry.example.com/db-artifact:7" {
		t.Errorf("reset_started %v; want recreate %q", got, want)
	}
}

// createStacks makes clone stacks of a with the given tags, as
// CloudFormation would for someone else, and waits until they are
// complete (a stack being created is refused by reset and connect alike).
func createStacks(t *testing.T, sb *sandbox.Server, a *artifact.Artifact, stacks map[string]map[string]string) {
	t.Helper()
	ctx, client := context.Background(), sandboxClient(t, sb)
	// All created first, then waited for: the stacks are made side by side.
	for name, tags := range stacks {
		tmpl, err := artifact.Template(a, name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := client.CreateStack(ctx, dbafaws.CreateStackInput{Name: name, Template: tmpl, Tags: tags, Token: "t-" + name}); err != nil {
			t.Fatal(err)
		}
	}
	for name := range stacks {
		// The SDK's own waiter, polling at most every 200 ms (its default
		// backoff would wait up to 120 s between polls).
		waiter := cloudformation.NewStackCreateCompleteWaiter(cloudformation.NewFromConfig(sdkConfig(t, sb)),
			func(o *cloudformation.StackCreateCompleteWaiterOptions) {
				o.MinDelay, o.MaxDelay = 100*time.Millisecond, 200*time.Millisecond
			})
		if err := waiter.Wait(ctx, &cloudformation.DescribeStacksInput{StackName: &name}, time.Minute); err != nil {
			t.Fatal(err)
		}
	}
}

// resolveINI resolves the artifact of the INI at path against the sandbox.
func resolveINI(t *testing.T, sb *sandbox.Server, path string) *artifact.Artifact {
	t.Helper()
	cfg, _, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	a, err := artifact.Resolve(context.Background(), cfg, sandboxClient(t, sb), time.Unix(1764000000, 0), func(string) {})
	if err != nil {
		t.Fatal(err)
	}
	return a
}
