package cli

// The handover login check through the commands, against an in-process
// sandbox whose prod-aurora is a real PostgreSQL server.

import (
	"fmt"
	"strings"
	"testing"

	"github.com/dbaf/dbaf/artifact"
	"github.com/dbaf/dbaf/db"
	"github.com/dbaf/dbaf/internal/sandbox"
	"github.com/dbaf/dbaf/internal/sandbox/dbserver"
	"github.com/dbaf/dbaf/internal/testenv"
)

// A password that does not apply fails the clone (exit 5) naming the
// refused login and the stack left behind; an endpoint that stops answering
// is still ready, saying to connect from inside the VPC (exit 0).
func TestCloneLoginCheck(t *testing.T) {
	t.Parallel()
	testenv.Need(t, "initdb", "--version")
	// One reset each, in this order: the first clone's password does not
	// apply, the second clone's endpoint stops answering.
	sb := startSandboxWith(t, sandbox.Options{Pace: 0.05, DBSources: []string{"prod-aurora"},
		Databases: &dbserver.Config{StateDir: t.TempDir(), AddrBase: "127.85", TemplateDir: testenv.TemplateDir()}},
		"rds:ModifyDBCluster=PasswordNotApplied:1", "rds:ModifyDBCluster=EndpointUnreachable:1")
	if sb.DBPassword() == "" {
		t.Fatal("prod-aurora has no real server")
	}
	ini := writeINI(t, fmt.Sprintf(prodINI, "db-artifact:unused"))
	c := cmdRun{sandbox: sb, env: map[string]string{"DB_PASSWORD": testPassword, "DBAF_POLL_INTERVAL": "100ms"}}

	refused := c.run(t, "clone", "--config", ini, "--name", "e2e-refused", "--login-wait", "2s")
	cmds := artifact.Commands{Sandbox: true, Region: "eu-west-1", Config: ini}
	if refused.code != ExitCloneFailed {
		t.Fatalf("clone with a password that does not apply: exit %d, want %d\n%s%s", refused.code, ExitCloneFailed, refused.stdout, refused.stderr)
	}
	for _, want := range []string{"postgres@", "refused the login", artifact.StateLoginFailed.String(),
		cmds.ResumeReset("e2e-refused"), cmds.Teardown("e2e-refused")} {
		if !strings.Contains(refused.stderr, want) {
			t.Errorf("refused clone's message lacks %q:\n%s", want, refused.stderr)
		}
	}
	if field(refused.stdout, "endpoint") != "" {
		t.Errorf("a refused clone printed a result:\n%s", refused.stdout)
	}

	unreachable := c.run(t, "clone", "--config", ini, "--name", "e2e-unreachable", "--login-wait", "2s")
	if unreachable.code != ExitOK {
		t.Fatalf("clone with an unreachable endpoint: exit %d, want 0\n%s%s", unreachable.code, unreachable.stdout, unreachable.stderr)
	}
	if login := field(unreachable.stdout, "login"); !strings.HasPrefix(login, db.UnreachableAdvice) || field(unreachable.stdout, "endpoint") == "" {
		t.Errorf("unreachable clone's result lacks the login line %q:\n%s", db.UnreachableAdvice, unreachable.stdout)
	}
	noSecret(t, refused.stdout, refused.stderr, unreachable.stdout, unreachable.stderr)

	for _, stack := range []string{"e2e-refused", "e2e-unreachable"} {
		if td := c.run(t, "teardown", stack, "--yes"); td.code != ExitOK {
			t.Errorf("teardown %s: exit %d\n%s", stack, td.code, td.stderr)
		}
	}
}
