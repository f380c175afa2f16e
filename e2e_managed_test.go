package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/dbaf/dbaf/internal/testenv"
)

// managedInContainer: an artifact whose clones get an RDS-managed password
// runs in a container given no password at all; it hands over the secret's
// ARN and the command that reads it. That command, run with the AWS CLI
// against the sandbox, prints a password psql logs in with, and neither
// dbaf's output nor the container's config holds it.
func managedInContainer(t *testing.T, a *testAccount) {
	tag := uniqueTag(t, "managed")
	ini := strings.Replace(fmt.Sprintf(prodINI, tag), "[target_db]\n", "[target_db]\npassword = secrets-manager\n", 1)
	if build := runDbaf(t, a.user, "build", writeINI(t, ini), "--yes"); build.code != 0 {
		t.Fatalf("build: exit %d\n%s", build.code, build.stderr)
	}
	stack := fmt.Sprintf("e2e%d-managed", time.Now().UnixNano()%1e9)
	container := strings.ReplaceAll(stack, "-", "_")
	args := []string{"run", "--name", container, "--network", "host",
		"-e", "AWS_ENDPOINT_URL", "-e", "AWS_REGION", "-e", "AWS_ACCESS_KEY_ID", "-e", "AWS_SECRET_ACCESS_KEY",
		// The sandbox's CA, at its own path: the clone verifies the server with it.
		"-e", "DBAF_CA_BUNDLE", "-v", envValue(a.sbEnv, "DBAF_CA_BUNDLE") + ":" + envValue(a.sbEnv, "DBAF_CA_BUNDLE") + ":ro",
		"-e", "DBAF_POLL_INTERVAL=200ms", tag, "clone", "--name", stack, "-o", "json"}
	t.Cleanup(func() { exec.Command("docker", "rm", "-f", container).Run() })
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "docker", args...)
	cmd.Env = append(cleanEnv(t), a.sbEnv...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("docker %s: %v\n%s%s", strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	testenv.CheckJSONRun(t, args, stdout.String())
	var ready struct {
		Event           string  `json:"event"`
		Endpoint        string  `json:"endpoint"`
		Port            string  `json:"port"`
		SecretARN       string  `json:"secret_arn"`
		PasswordCommand string  `json:"password_command"`
		Password        *string `json:"password"`
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &ready); err != nil {
		t.Fatalf("last line is not JSON: %q: %v", lines[len(lines)-1], err)
	}
	if ready.Event != "clone_ready" || ready.SecretARN == "" || !strings.Contains(ready.PasswordCommand, ready.SecretARN) || ready.Password != nil {
		t.Fatalf("final event %+v: want clone_ready with the secret and its command, no password", ready)
	}

	// The handed-over command, run as a developer would (a shell, the AWS
	// CLI, the sandbox's environment), prints the secret.
	sh := exec.Command("sh", "-c", ready.PasswordCommand)
	sh.Env = append(cleanEnv(t), a.sbEnv...)
	secret, err := sh.Output()
	if err != nil {
		t.Fatalf("%s: %v", ready.PasswordCommand, err)
	}
	var value struct{ Username, Password string }
	if err := json.Unmarshal(secret, &value); err != nil || value.Password == "" {
		t.Fatalf("the secret is not RDS's JSON with a password: %v", err)
	}
	connURL := fmt.Sprintf("postgresql://%s@%s:%s/postgres?sslmode=verify-full&sslrootcert=%s", value.Username, ready.Endpoint, ready.Port, envValue(a.sbEnv, "DBAF_CA_BUNDLE"))
	if n := psql(t, connURL, value.Password, "SELECT count(*) FROM legacy.customers"); n == "" || n == "0" {
		t.Errorf("legacy.customers in the managed clone: %q rows", n)
	}

	inspect, err := exec.Command("docker", "container", "inspect", container).Output()
	if err != nil {
		t.Fatalf("docker inspect: %v", err)
	}
	for where, text := range map[string]string{"dbaf's output": stdout.String() + stderr.String(), "the container's config": string(inspect)} {
		if strings.Contains(text, value.Password) {
			t.Errorf("the managed password shows in %s", where)
		}
	}
	if td := runDbaf(t, with(a.user, "DBAF_POLL_INTERVAL=200ms"), "teardown", stack, "--yes"); td.code != 0 {
		t.Errorf("teardown: exit %d\n%s", td.code, td.stderr)
	}
}
