package main

// End-to-end tests of the developer's side: the artifact image clones its
// source against a standalone sandbox, `dbaf list` and `dbaf teardown` find
// and remove the clone, and the AWS CLI checks the account independently.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dbaf/dbaf/internal/testenv"
)

// testPassword is what the tests give the clone; no output may show it.
const testPassword = "e2e-Secret-pw-123"

// testPace makes a whole clone take about a second in the sandbox.
var testPaceArgs = []string{"--pace", "0.05"}

func envValue(env []string, key string) string {
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, key+"="); ok {
			return v
		}
	}
	return ""
}

// awsCLI runs the independent AWS CLI against the sandbox and decodes its JSON.
func awsCLI(t *testing.T, env []string, out any, args ...string) error {
	t.Helper()
	need(t, "aws", "--version")
	cmd := exec.Command("aws", append(args, "--output", "json")...)
	cmd.Env = append(cleanEnv(t), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	b, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("aws %s: %v: %s", strings.Join(args, " "), err, stderr.String())
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

// liveClusters lists the DB cluster ids the sandbox holds, via the AWS CLI.
func liveClusters(t *testing.T, env []string) map[string]string {
	t.Helper()
	var resp struct {
		DBClusters []struct{ DBClusterIdentifier, Status, Endpoint string }
	}
	if err := awsCLI(t, env, &resp, "rds", "describe-db-clusters"); err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, c := range resp.DBClusters {
		m[c.DBClusterIdentifier] = c.Endpoint
	}
	return m
}

// with returns env plus kvs in a new slice, so cases never share a backing array.
func with(env []string, kvs ...string) []string {
	return append(append([]string(nil), env...), kvs...)
}

func noSecret(t *testing.T, outputs ...string) {
	t.Helper()
	for _, o := range outputs {
		if strings.Contains(o, testPassword) {
			t.Errorf("the password appears in the output:\n%s", o)
		}
	}
}

func TestCloneInContainerListTeardown(t *testing.T) {
	t.Parallel()
	tag := prodImage(t)
	env := startSandbox(t, testPaceArgs...)

	// The developer's command: the image's default command is the clone.
	stack := fmt.Sprintf("e2e%d-prod-clone", time.Now().UnixNano()%1e9)
	// As a developer runs it: credentials and region from a mounted ~/.aws
	// and AWS_PROFILE; only the endpoint and password come from the env.
	awsDir := t.TempDir()
	os.WriteFile(filepath.Join(awsDir, "config"), []byte("[profile dev]\nregion = eu-west-1\n"), 0o644)
	os.WriteFile(filepath.Join(awsDir, "credentials"), []byte("[dev]\naws_access_key_id = "+envValue(env, "AWS_ACCESS_KEY_ID")+
		"\naws_secret_access_key = "+envValue(env, "AWS_SECRET_ACCESS_KEY")+"\n"), 0o644)
	args := []string{"run", "--rm", "--network", "host", "-v", awsDir + ":/root/.aws:ro", "-e", "AWS_PROFILE=dev",
		"-e", "AWS_ENDPOINT_URL", "-e", "DB_PASSWORD", "-e", "DBAF_POLL_INTERVAL=200ms", tag, "clone", "--name", stack}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "docker", args...)
	cmd.Env = append(append(cleanEnv(t), env...), "DB_PASSWORD="+testPassword)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("docker run clone: %v\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
	}
	out := stdout.String()
	endpoint := field(out, "endpoint")
	if field(out, "stack") != stack || field(out, "port") != "5432" || field(out, "username") != "postgres" || endpoint == "" {
		t.Fatalf("result lines:\n%s\nstderr:\n%s", out, stderr.String())
	}
	if !strings.Contains(field(out, "connect"), "psql") || field(out, "password") != "" {
		t.Errorf("connect/password lines:\n%s", out)
	}
	for _, want := range []string{"Cluster", "AWS::RDS::DBCluster", "CREATE_COMPLETE", "==> resetting password", "==> waiting for the cluster"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("event log lacks %q:\n%s", want, stderr.String())
		}
	}
	noSecret(t, out, stderr.String())

	// The AWS CLI sees the clone, with the endpoint dbaf printed.
	if got := liveClusters(t, env)[stack]; got != endpoint {
		t.Errorf("AWS CLI: cluster %s endpoint %q, dbaf printed %q", stack, got, endpoint)
	}
	var stacks struct {
		Stacks []struct {
			StackStatus string
			Parameters  []struct{ ParameterKey, ParameterValue string }
			Tags        []struct{ Key, Value string }
		}
	}
	if err := awsCLI(t, env, &stacks, "cloudformation", "describe-stacks", "--stack-name", stack); err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(stacks)
	noSecret(t, string(raw))
	if len(stacks.Stacks) != 1 || stacks.Stacks[0].StackStatus != "CREATE_COMPLETE" || !bytes.Contains(raw, []byte("prod-aurora")) {
		t.Errorf("describe-stacks: %s", raw)
	}

	// Calling clone again with the same name follows the existing clone.
	again := runDbaf(t, with(env, "DB_PASSWORD="+testPassword, "DBAF_POLL_INTERVAL=200ms"), "clone", "--image", tag, "--name", stack)
	if again.code != 0 || field(again.stdout, "endpoint") != endpoint || !strings.Contains(again.stderr, "following existing stack "+stack) {
		t.Errorf("second clone: exit %d\n%s%s", again.code, again.stdout, again.stderr)
	}

	// dbaf list finds it by its tags.
	list := runDbaf(t, env, "list", "-o", "json")
	var clones []struct {
		Stack, Source, Owner, Status, Endpoint string
	}
	if list.code != 0 || json.Unmarshal([]byte(list.stdout), &clones) != nil {
		t.Fatalf("list: exit %d\n%s%s", list.code, list.stdout, list.stderr)
	}
	found := false
	for _, c := range clones {
		if c.Stack == stack {
			found = true
			if c.Source != "prod-aurora" || c.Endpoint != endpoint || !strings.Contains(c.Owner, "sandbox-developer") {
				t.Errorf("list entry %+v", c)
			}
		}
	}
	if !found {
		t.Errorf("list lacks %s: %s", stack, list.stdout)
	}
	plain := runDbaf(t, env, "list")
	if !strings.Contains(plain.stdout, "STACK") || !strings.Contains(plain.stdout, stack) || !strings.Contains(plain.stdout, "sandbox-developer") {
		t.Errorf("plain list:\n%s", plain.stdout)
	}

	// Teardown needs --yes without a terminal, then removes everything.
	if r := runDbaf(t, env, "teardown", stack); r.code != 2 || !strings.Contains(r.stderr, "--yes") {
		t.Errorf("teardown without --yes: exit %d %s", r.code, r.stderr)
	}
	td := runDbaf(t, with(env, "DBAF_POLL_INTERVAL=200ms"), "teardown", stack, "--yes")
	if td.code != 0 || field(td.stdout, "torn down") != stack || !strings.Contains(td.stderr, "DELETE_COMPLETE") {
		t.Fatalf("teardown: exit %d\n%s%s", td.code, td.stdout, td.stderr)
	}
	if _, ok := liveClusters(t, env)[stack]; ok {
		t.Errorf("the AWS CLI still sees cluster %s after teardown", stack)
	}
	if err := awsCLI(t, env, nil, "cloudformation", "describe-stacks", "--stack-name", stack); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("describe-stacks after teardown: %v", err)
	}
	// A second teardown says there is nothing to tear down.
	if r := runDbaf(t, env, "teardown", stack, "--yes"); r.code != 2 || !strings.Contains(r.stderr, "nothing to tear down") {
		t.Errorf("second teardown: exit %d %s", r.code, r.stderr)
	}
}

func TestCloneInterruptNamesTeardown(t *testing.T) {
	t.Parallel()
	env := startSandbox(t, "--pace", "0.5") // slow enough to interrupt mid-creation
	ini := writeINI(t, fmt.Sprintf(prodINI, "db-artifact:unused"))
	cmd := exec.Command(dbafBin, "clone", "--config", ini, "--name", "e2e-interrupted", "-o", "json")
	cmd.Env = append(append(cleanEnv(t), env...), "DB_PASSWORD="+testPassword, "DBAF_POLL_INTERVAL=200ms")
	var stdout, stderr testenv.LockedBuffer
	cmd.Stderr = &stderr
	pipe, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Interrupt once the first stack event arrived: the stack exists. The
	// rest of stdout is still read, for the final event.
	stackEvent := make(chan struct{})
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		sc := bufio.NewScanner(pipe)
		seen := false
		for sc.Scan() {
			stdout.Write(append(sc.Bytes(), '\n'))
			if !seen && strings.Contains(sc.Text(), `"event":"stack_event"`) {
				seen = true
				close(stackEvent)
			}
		}
	}()
	select {
	case <-stackEvent:
	case <-copied:
		t.Fatalf("dbaf ended before any stack event:\n%s%s", stdout.String(), stderr.String())
	case <-time.After(time.Minute):
		t.Fatalf("no stack event after a minute:\n%s%s", stdout.String(), stderr.String())
	}
	cmd.Process.Signal(syscall.SIGINT)
	<-copied // Wait closes the pipe: read it to the end first
	err = cmd.Wait()
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ExitCode() != 130 {
		t.Fatalf("exit %v, want 130\n%s%s", err, stdout.String(), stderr.String())
	}
	at := "dbaf --region eu-west-1 --endpoint-url " + envValue(env, "AWS_ENDPOINT_URL")
	teardown, resume := at+" teardown e2e-interrupted --yes", at+" clone --name e2e-interrupted --config "+ini
	for _, want := range []string{teardown, resume, "stack e2e-interrupted is still being created"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("interrupt message lacks %q:\n%s", want, stderr.String())
		}
	}
	if ev := lastJSONEvent(t, stdout.String()); ev["event"] != "clone_interrupted" || ev["teardown"] != teardown ||
		ev["resume"] != resume || finalEvents(stdout.String()) != 1 {
		t.Errorf("final event %v (%d final events)", ev, finalEvents(stdout.String()))
	}
	// The stack goes on in AWS, as the message says; clean it up with the
	// line it printed, as a shell splits it.
	r := runDbaf(t, with(env, "DBAF_POLL_INTERVAL=200ms"), strings.Fields(strings.TrimPrefix(teardown, "dbaf "))...)
	if r.code != 0 {
		t.Errorf("teardown after interrupt: exit %d\n%s", r.code, r.stderr)
	}
}
