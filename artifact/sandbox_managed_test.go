package artifact_test

// A clone whose master password RDS manages, through the real SDK against
// an in-process sandbox whose clusters are real PostgreSQL servers; the
// AWS CLI and psql as independent clients.

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/dbaf/dbaf/artifact"
	"github.com/dbaf/dbaf/internal/sandbox"
	"github.com/dbaf/dbaf/internal/testenv"
)

// runHandedOver runs the command line the clone handed over in a shell, as
// the developer would, with the sandbox's endpoint and keys, and returns
// what it printed.
func runHandedOver(t *testing.T, sb *sandbox.Server, command string) (string, error) {
	t.Helper()
	cmd := exec.Command("sh", "-c", command+" --endpoint-url "+sb.URL())
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(append(cmd.Env, sb.Env()...), "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_PAGER=", "AWS_EC2_METADATA_DISABLED=true")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func TestManagedPasswordCloneAgainstRealDatabase(t *testing.T) {
	t.Parallel()
	testenv.Need(t, "aws")
	testenv.Need(t, "psql")
	c, sb := sandboxWithDatabases(t)
	a := resolveProd(t, c)
	a.Target.ManagedPassword = true
	ctx := context.Background()
	req := artifact.CloneRequest{Artifact: a, Name: "managed-pw", PollInterval: 100 * time.Millisecond, LoginWait: 30 * time.Second,
		CA: testenv.CA(t, sb.DBCAFile())}

	var tl timeline
	ready, err := artifact.Clone(ctx, req, c, tl.emit)
	if err != nil {
		t.Fatal(err)
	}
	if l := ready.Login; l == nil || !l.LoggedIn || l.Tables < 4 {
		t.Fatalf("ready.Login = %+v; want dbaf logged in with the managed password and saw the legacy tables", l)
	}
	if !strings.HasPrefix(ready.SecretARN, "arn:aws:secretsmanager:eu-west-1:") || ready.PasswordCommand != (artifact.Commands{}).Secret("eu-west-1", ready.SecretARN) ||
		ready.Password != "" || !ready.PasswordReset {
		t.Fatalf("ready = %+v; want the secret and its command, no password", ready)
	}

	// The handed-over command, run by the AWS CLI (an independent client),
	// prints the secret; its password logs in to the clone with psql.
	out, err := runHandedOver(t, sb, ready.PasswordCommand)
	if err != nil {
		t.Fatalf("%s: %v\n%s", ready.PasswordCommand, err, out)
	}
	var secret struct{ Username, Password string }
	if err := json.Unmarshal([]byte(out), &secret); err != nil || secret.Username != "postgres" || len(secret.Password) < 16 {
		t.Fatalf("the command printed %q (%v); want RDS's {\"username\": \"postgres\", \"password\": …}", out, err)
	}
	psql := exec.Command("psql", "-XAtc", `SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')`,
		"host="+ready.Endpoint+" port="+ready.Port+" user=postgres dbname=postgres sslmode=require")
	psql.Env = append(os.Environ(), "PGPASSWORD="+secret.Password)
	if got, err := psql.CombinedOutput(); err != nil || strings.TrimSpace(string(got)) != fmt.Sprint(ready.Login.Tables) {
		t.Errorf("psql with the secret's password: %q, %v; want %d tables", got, err, ready.Login.Tables)
	}
	noPasswordIn(t, secret.Password, tl.events)

	// Following the clone keeps its secret: no second password, and dbaf
	// still logs in with the one RDS keeps.
	var again timeline
	followed, err := artifact.Clone(ctx, req, c, again.emit)
	if err != nil {
		t.Fatal(err)
	}
	if followed.SecretARN != ready.SecretARN || followed.PasswordReset || followed.Login == nil || !followed.Login.LoggedIn {
		t.Errorf("followed = %+v, login %+v; want the same secret, untouched, and a login", followed, followed.Login)
	}
	var still struct{ Password string }
	if out2, err := runHandedOver(t, sb, followed.PasswordCommand); err != nil || json.Unmarshal([]byte(out2), &still) != nil || still.Password != secret.Password {
		t.Errorf("the secret changed when the clone was followed: %v\n%s", err, out2)
	}
	noPasswordIn(t, secret.Password, again.events)

	// The secret goes with the clone.
	if err := artifact.Teardown(ctx, artifact.TeardownRequest{Stack: "managed-pw", PollInterval: 100 * time.Millisecond}, c, nil); err != nil {
		t.Fatal(err)
	}
	if out, err := runHandedOver(t, sb, ready.PasswordCommand); err == nil || !strings.Contains(out, "ResourceNotFoundException") {
		t.Errorf("after the teardown the command printed %q (%v); want ResourceNotFoundException", out, err)
	}
}

// noPasswordIn fails when password is in any event, Go or JSON form.
func noPasswordIn(t *testing.T, password string, evs []artifact.Event) {
	t.Helper()
	for _, e := range evs {
		b, _ := json.Marshal(e)
		if strings.Contains(fmt.Sprintf("%#v", e), password) || strings.Contains(string(b), password) {
			t.Errorf("the managed password is in event %s: %s", artifact.Kind(e), b)
		}
	}
}
