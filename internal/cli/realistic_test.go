package cli

import (
	"fmt"
	"strings"
	"testing"

	"github.com/dbaf/dbaf/internal/sandbox"
	"github.com/dbaf/dbaf/internal/sandbox/dbserver"
	"github.com/dbaf/dbaf/internal/testenv"
)

// TestCloneAtRealisticTiming: with the sandbox lagging status changes as
// AWS does (the cluster still "available", its new password pending, and
// a managed password's secret "creating" for a while after
// ModifyDBCluster), a clone and a managed-password clone wait for the
// change they asked for, say so in the stream, and log in with the new
// password; the sandbox's first describe of each new cluster misses it, and
// the clone retries it: no spurious failure.
func TestCloneAtRealisticTiming(t *testing.T) {
	t.Parallel()
	testenv.NeedPostgres(t)
	sb := startSandboxWith(t, sandbox.Options{Pace: 0.05, Realistic: true, DBSources: []string{"prod-aurora"},
		Databases: &dbserver.Config{StateDir: t.TempDir(), AddrBase: "127.89", TemplateDir: testenv.TemplateDir()}})
	plainINI := fmt.Sprintf(prodINI, "db-artifact:unused")
	c := cmdRun{sandbox: sb, env: map[string]string{"DB_PASSWORD": testPassword, "DBAF_POLL_INTERVAL": "100ms"}}
	for _, tc := range []struct{ name, ini string }{
		{"realistic-plain", writeINI(t, plainINI)},
		{"realistic-managed", writeINI(t, strings.Replace(plainINI, "[target_db]\n", "[target_db]\npassword = secrets-manager\n", 1))},
	} {
		r := c.run(t, "clone", "--config", tc.ini, "--name", tc.name, "-o", "json")
		if r.code != ExitOK {
			t.Fatalf("%s: exit %d\n%s%s", tc.name, r.code, r.stdout, r.stderr)
		}
		ev := lastJSONEvent(t, r.stdout)
		if ev["event"] != "clone_ready" || ev["login"] == nil {
			t.Errorf("%s: final event %v, want clone_ready with a login", tc.name, ev)
		}
		if !strings.Contains(r.stdout, "waiting: the cluster reads available, but its new master password is still pending") {
			t.Errorf("%s: the stream does not say it waits for the pending password:\n%s", tc.name, r.stdout)
		}
		// The sandbox misses the new cluster once, as AWS's describe may
		// just after a create: the clone retried, and said so.
		if !strings.Contains(r.stdout, "the new cluster "+tc.name+" is not visible to DescribeDBClusters yet") {
			t.Errorf("%s: the stream does not say it retried the describe the sandbox missed:\n%s", tc.name, r.stdout)
		}
		noSecret(t, r.stdout, r.stderr)
		if td := c.run(t, "teardown", tc.name, "--yes"); td.code != ExitOK {
			t.Errorf("teardown %s: exit %d\n%s", tc.name, td.code, td.stderr)
		}
	}
}
