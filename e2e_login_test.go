package main

// The handover login check through the real binary, against the sandbox
// account of TestSandboxAccountJourneys, whose clusters are real databases.

import (
	"fmt"
	"strings"
	"testing"

	"github.com/dbaf/dbaf/artifact"
	"github.com/dbaf/dbaf/db"
)

// A password that does not apply fails the clone (exit 5) naming the
// refused login and the stack left behind; an endpoint that stops answering
// is still ready, saying to connect from inside the VPC (exit 0).
func loginCheck(t *testing.T, a *testAccount) {
	env := a.user
	// One reset each, in this order: the first clone's password does not
	// apply, the second clone's endpoint stops answering.
	injectFault(t, envValue(a.sbEnv, "AWS_ENDPOINT_URL"), "rds:ModifyDBCluster=PasswordNotApplied:1")
	injectFault(t, envValue(a.sbEnv, "AWS_ENDPOINT_URL"), "rds:ModifyDBCluster=EndpointUnreachable:1")
	ini := writeINI(t, fmt.Sprintf(prodINI, "db-artifact:unused"))
	cloneEnv := with(env, "DBAF_POLL_INTERVAL=200ms", "DB_PASSWORD="+testPassword)

	refused := runDbaf(t, cloneEnv, "clone", "--config", ini, "--name", "e2e-refused", "--login-wait", "2s")
	if refused.code != 5 {
		t.Fatalf("clone with a password that does not apply: exit %d, want 5\n%s%s", refused.code, refused.stdout, refused.stderr)
	}
	for _, want := range []string{"postgres@", "refused the login", artifact.StateLoginFailed,
		artifact.ResumeResetCommand("e2e-refused"), artifact.TeardownCommand("e2e-refused")} {
		if !strings.Contains(refused.stderr, want) {
			t.Errorf("refused clone's message lacks %q:\n%s", want, refused.stderr)
		}
	}
	if field(refused.stdout, "endpoint") != "" {
		t.Errorf("a refused clone printed a result:\n%s", refused.stdout)
	}

	unreachable := runDbaf(t, cloneEnv, "clone", "--config", ini, "--name", "e2e-unreachable", "--login-wait", "2s")
	if unreachable.code != 0 {
		t.Fatalf("clone with an unreachable endpoint: exit %d, want 0\n%s%s", unreachable.code, unreachable.stdout, unreachable.stderr)
	}
	if login := field(unreachable.stdout, "login"); !strings.HasPrefix(login, db.UnreachableAdvice) || field(unreachable.stdout, "endpoint") == "" {
		t.Errorf("unreachable clone's result lacks the login line %q:\n%s", db.UnreachableAdvice, unreachable.stdout)
	}
	noSecret(t, refused.stdout, refused.stderr, unreachable.stdout, unreachable.stderr)

	for _, stack := range []string{"e2e-refused", "e2e-unreachable"} {
		if td := runDbaf(t, with(env, "DBAF_POLL_INTERVAL=200ms"), "teardown", stack, "--yes"); td.code != 0 {
			t.Errorf("teardown %s: exit %d\n%s", stack, td.code, td.stderr)
		}
	}
}
