package cli

// dbaf reset against a sandbox whose prod-aurora is a real PostgreSQL
// server: the AWS CLI and psql, independent clients, check what it kept
// and what it renewed.

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/dbaf/dbaf/artifact"
	"github.com/dbaf/dbaf/internal/sandbox"
	"github.com/dbaf/dbaf/internal/sandbox/dbserver"
	"github.com/dbaf/dbaf/internal/testenv"
)

// awsCLI runs the AWS CLI against the sandbox and decodes its JSON output.
func awsCLI(t *testing.T, sb *sandbox.Server, out any, args ...string) {
	t.Helper()
	testenv.AWSCLIJSON(t, sb.URL(), out, args...)
}

// clusterEndpoint is a cluster's endpoint and port, as the AWS CLI reads them.
func clusterEndpoint(t *testing.T, sb *sandbox.Server, id string) (string, int) {
	t.Helper()
	var resp struct {
		DBClusters []struct {
			Endpoint string
			Port     int
		}
	}
	awsCLI(t, sb, &resp, "rds", "describe-db-clusters", "--db-cluster-identifier", id)
	if len(resp.DBClusters) != 1 {
		t.Fatalf("describe-db-clusters %s: %+v", id, resp)
	}
	return resp.DBClusters[0].Endpoint, resp.DBClusters[0].Port
}

// stackExpiry is a stack's expiry tag, as the AWS CLI reads it.
func stackExpiry(t *testing.T, sb *sandbox.Server, stack string) time.Time {
	t.Helper()
	var resp struct {
		Stacks []struct{ Tags []struct{ Key, Value string } }
	}
	awsCLI(t, sb, &resp, "cloudformation", "describe-stacks", "--stack-name", stack)
	for _, s := range resp.Stacks {
		for _, tag := range s.Tags {
			if tag.Key == artifact.TagExpiresAt {
				at, err := time.Parse(time.RFC3339, tag.Value)
				if err != nil {
					t.Fatal(err)
				}
				return at
			}
		}
	}
	t.Fatalf("stack %s has no %s tag: %+v", stack, artifact.TagExpiresAt, resp)
	return time.Time{}
}

// customerName is customer id's name as psql reads it from host ("" when
// there is no such row), verifying the server with the sandbox's CA.
func customerName(t *testing.T, sb *sandbox.Server, host string, port int, password string, id int) string {
	t.Helper()
	testenv.Need(t, "psql", "--version")
	cmd := exec.Command("psql", "-XAtc", fmt.Sprintf("SELECT full_name FROM legacy.customers WHERE id = %d", id),
		fmt.Sprintf("host=%s port=%d user=postgres dbname=postgres sslmode=verify-full sslrootcert=%s", host, port, sb.DBCAFile()))
	cmd.Env = append(os.Environ(), "PGPASSWORD="+password)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("psql on %s: %v\n%s", host, err, out)
	}
	return strings.TrimSpace(string(out))
}

// TestResetBringsTheSourcesLatestRows: a row written to the source after
// the clone was made is in the clone once it is reset, under the same
// endpoint (DescribeDBClusters before and after), with its TTL restarted.
func TestResetBringsTheSourcesLatestRows(t *testing.T) {
	t.Parallel()
	testenv.NeedPostgres(t)
	acct := testenv.StartSandbox(t, sandbox.Options{Pace: 0.05, DBSources: []string{"prod-aurora"},
		Databases: &dbserver.Config{StateDir: t.TempDir(), AddrBase: "127.88", TemplateDir: testenv.TemplateDir()}})
	sb := acct.Server
	c, ini, ready := cloneToReset(t, sb, "e2e-fresh")
	endpoint, port := clusterEndpoint(t, sb, "e2e-fresh")
	if endpoint != ready["endpoint"] {
		t.Fatalf("the AWS CLI says %s, dbaf said %v", endpoint, ready["endpoint"])
	}
	expiry := stackExpiry(t, sb, "e2e-fresh")

	// A row the source gains after the clone was made.
	const probe = 9000001
	srcHost, srcPort := clusterEndpoint(t, sb, "prod-aurora")
	cfg, err := pgx.ParseConfig(fmt.Sprintf("host=%s port=%d user=postgres dbname=postgres sslmode=verify-full sslrootcert=%s", srcHost, srcPort, sb.DBCAFile()))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Password = sb.DBPassword()
	ctx := context.Background()
	src, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close(ctx)
	if _, err := src.Exec(ctx, "INSERT INTO legacy.customers (id, full_name, email, created_at) VALUES ($1, 'Reset Probe', 'probe@example.com', now())", probe); err != nil {
		t.Fatal(err)
	}
	if got := customerName(t, sb, endpoint, port, testPassword, probe); got != "" {
		t.Fatalf("the clone has the new row before the reset: %q", got)
	}

	r := c.run(t, "reset", "e2e-fresh", "--config", ini, "--yes", "-o", "json")
	if r.code != 0 {
		t.Fatalf("reset: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	noSecret(t, r.stdout, r.stderr)
	if after, afterPort := clusterEndpoint(t, sb, "e2e-fresh"); after != endpoint || afterPort != port {
		t.Errorf("endpoint %s:%d after the reset, %s:%d before", after, afterPort, endpoint, port)
	}
	if got := customerName(t, sb, endpoint, port, testPassword, probe); got != "Reset Probe" {
		t.Errorf("the reset clone's customer %d is %q, want the row added to the source", probe, got)
	}
	if after := stackExpiry(t, sb, "e2e-fresh"); !after.After(expiry) {
		t.Errorf("expiry %v after the reset, %v before: want it restarted", after, expiry)
	}
	if ev := lastJSONEvent(t, r.stdout); ev["event"] != "clone_ready" || ev["endpoint"] != endpoint || finalEvents(r.stdout) != 1 {
		t.Errorf("final event %v", ev)
	}
}
