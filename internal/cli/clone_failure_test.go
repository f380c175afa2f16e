package cli

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// TestCloneFailureNamesRootCauseAndCleansUp: a resource that fails in
// CloudFormation fails the clone (exit 5) with the root cause alone and
// the publisher to ask, the stack deleted; --keep-on-failure keeps it and
// says how to remove it.
func TestCloneFailureNamesRootCauseAndCleansUp(t *testing.T) {
	t.Parallel()
	sb := startSandbox(t, "cloudformation:Resource:Instance=DB instance quota exceeded for db.r6g.large (Service: Rds; Status Code: 400; Request ID: abc)")
	ini := writeINI(t, fmt.Sprintf(prodINI, "db-artifact:unused"))
	c := cmdRun{sandbox: sb, env: map[string]string{"DB_PASSWORD": testPassword, "DBAF_POLL_INTERVAL": "100ms"}}

	r := c.run(t, "clone", "--config", ini, "--name", "e2e-fail-clone")
	if r.code != ExitCloneFailed {
		t.Fatalf("exit %d, want %d\n%s%s", r.code, ExitCloneFailed, r.stdout, r.stderr)
	}
	for _, want := range []string{"Instance", "DB instance quota exceeded for db.r6g.large", "dataops@example.com", "deleted"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("failure report lacks %q:\n%s", want, r.stderr)
		}
	}
	lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	if last := lines[len(lines)-1]; strings.Contains(last, "Resource creation cancelled") || strings.Contains(last, "Request ID") {
		t.Errorf("root cause not isolated: %s", last)
	}
	noSecret(t, r.stdout, r.stderr)
	aws := sandboxClient(t, sb)
	clusters, err := aws.Clusters(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, cl := range clusters {
		if cl.ID == "e2e-fail-clone" {
			t.Errorf("the failed clone's cluster is still there: %+v", cl)
		}
	}

	k := c.run(t, "clone", "--config", ini, "--name", "e2e-kept-clone", "--keep-on-failure", "-o", "json")
	if k.code != ExitCloneFailed || !strings.Contains(k.stdout, `"kept":true`) || !strings.Contains(k.stderr, "dbaf --sandbox --region eu-west-1 teardown e2e-kept-clone --yes") {
		t.Errorf("keep-on-failure: exit %d\n%s%s", k.code, k.stdout, k.stderr)
	}
	if st, err := aws.DescribeStack(context.Background(), "e2e-kept-clone"); err != nil || st.Status != "CREATE_FAILED" {
		t.Errorf("kept stack: %+v, %v; want CREATE_FAILED", st, err)
	}
}
