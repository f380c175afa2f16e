package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dbaf/dbaf/artifact"
	dbafaws "github.com/dbaf/dbaf/aws"
	"github.com/dbaf/dbaf/internal/sandbox"
)

// secretPassword reads a managed clone's password from the sandbox, as
// dbaf does, to prove it is nowhere in dbaf's output.
func secretPassword(t *testing.T, sb *sandbox.Server, arn string) string {
	t.Helper()
	cfg, err := dbafaws.LoadConfig(context.Background(), dbafaws.Options{Region: "eu-west-1", EndpointURL: endpointOf(sb),
		AccessKeyID: "sandbox", SecretAccessKey: "sandbox"})
	if err != nil {
		t.Fatal(err)
	}
	pw, err := dbafaws.New(cfg).SecretPassword(context.Background(), arn)
	if err != nil || pw == "" {
		t.Fatalf("reading %s: %q, %v", arn, pw, err)
	}
	return pw
}

// TestCloneManagedPassword: with password = secrets-manager in the
// artifact, or --managed-password, dbaf clone asks for no password and
// hands over the secret and the command that reads it, in JSON and plain
// output, neither of which holds the password; dbaf connect reads it and
// gives it to the client through its environment.
func TestCloneManagedPassword(t *testing.T) {
	sb := startSandbox(t)
	plainINI := fmt.Sprintf(prodINI, "db-artifact:unused")
	managedINI := writeINI(t, strings.Replace(plainINI, "[target_db]\n", "[target_db]\npassword = secrets-manager\n", 1))
	// DB_PASSWORD, set as a container might set it for every run, goes
	// unused, and so does standard input: nothing reads it.
	c := cmdRun{sandbox: sb, stdin: testPassword + "\n", env: map[string]string{"DB_PASSWORD": testPassword, "DBAF_POLL_INTERVAL": "100ms"}}

	r := c.run(t, "clone", "--config", managedINI, "--name", "e2e-managed", "-o", "json")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	ev := lastJSONEvent(t, r.stdout)
	arn, _ := ev["secret_arn"].(string)
	if ev["event"] != "clone_ready" || !strings.HasPrefix(arn, "arn:aws:secretsmanager:eu-west-1:") ||
		ev["password_command"] != (artifact.Commands{Sandbox: true}).Secret("eu-west-1", arn) || ev["password"] != nil {
		t.Fatalf("final event %v; want clone_ready with the secret and its command, no password", ev)
	}
	if !strings.Contains(r.stderr, "warning: DB_PASSWORD is not used: RDS generates this clone's password and keeps it in Secrets Manager (the artifact's password = secrets-manager)") {
		t.Errorf("no warning that DB_PASSWORD goes unused:\n%s", r.stderr)
	}
	managed := secretPassword(t, sb, arn)
	noSecret(t, r.stdout, r.stderr)
	if strings.Contains(r.stdout+r.stderr, managed) {
		t.Errorf("the managed password is in the JSON run's output:\n%s%s", r.stdout, r.stderr)
	}

	// --managed-password on an artifact that does not say so; plain output.
	flagINI := writeINI(t, plainINI)
	r = cmdRun{sandbox: sb, env: c.env}.run(t, "clone", "--config", flagINI, "--name", "e2e-managed-flag", "--managed-password")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	flagARN := field(r.stdout, "secret")
	if !strings.HasPrefix(flagARN, "arn:aws:secretsmanager:") || flagARN == arn ||
		field(r.stdout, "password command") != (artifact.Commands{Sandbox: true}).Secret("eu-west-1", flagARN) || field(r.stdout, "password") != "" {
		t.Errorf("plain result lines:\n%s", r.stdout)
	}
	if pw := secretPassword(t, sb, flagARN); strings.Contains(r.stdout+r.stderr, pw) || strings.Contains(r.stdout+r.stderr, managed) {
		t.Errorf("a managed password is in the plain run's output:\n%s%s", r.stdout, r.stderr)
	}

	// dbaf connect finds the secret and hands its password to the client
	// through the environment, never its arguments.
	r = c.run(t, "connect", "e2e-managed", "--print", "-o", "json")
	if r.code != 0 || !strings.Contains(r.stdout, `"secret_arn": "`+arn+`"`) || strings.Contains(r.stdout, managed) {
		t.Errorf("connect --print: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	dir := t.TempDir()
	record := filepath.Join(dir, "seen")
	script := "#!/bin/sh\n{ printf 'args: %s\\n' \"$*\"; printf 'PGPASSWORD=%s\\n' \"$PGPASSWORD\"; } > " + record + "\n"
	if err := os.WriteFile(filepath.Join(dir, "psql"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)
	r = c.run(t, "connect", "e2e-managed")
	seen, _ := os.ReadFile(record)
	if r.code != 0 || !strings.Contains(string(seen), "PGPASSWORD="+managed+"\n") || strings.Contains(strings.SplitN(string(seen), "\n", 2)[0], managed) {
		t.Errorf("connect: exit %d, the client saw:\n%s\n%s", r.code, seen, r.stderr)
	}
	if !strings.Contains(r.stderr, "with the password RDS keeps in "+arn) || strings.Contains(r.stdout+r.stderr, managed) {
		t.Errorf("connect said:\n%s%s", r.stdout, r.stderr)
	}

	for _, stack := range []string{"e2e-managed", "e2e-managed-flag"} {
		if r := c.run(t, "teardown", stack, "--yes"); r.code != 0 {
			t.Errorf("teardown %s: exit %d\n%s", stack, r.code, r.stderr)
		}
	}
}
