package cli

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dbaf/dbaf/internal/testenv"
)

// The preflight's facts and the copy-on-write proof reach the plain and
// JSON output, and list shows each clone's restore kind.
func TestCloneSaysWhatThePreflightSaw(t *testing.T) {
	t.Parallel()
	sb := startSandbox(t)
	ini := writeINI(t, fmt.Sprintf(prodINI, "db-artifact:unused"))
	c := cmdRun{sandbox: sb, env: map[string]string{"DB_PASSWORD": testPassword, "DBAF_POLL_INTERVAL": "100ms"}}
	for i := range 3 {
		if r := c.run(t, "clone", "--config", ini, "--name", fmt.Sprintf("e2e-pf-%d", i), "-o", "json"); r.code != 0 {
			t.Fatalf("clone %d: exit %d\n%s", i, r.code, r.stderr)
		}
	}
	r := c.run(t, "clone", "--config", ini, "--name", "e2e-pf-3")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	for _, want := range []string{"==> preflight: 4 AWS calls\n", "    clones:  3 existing clones of prod-aurora\n", "    key:     KMS key arn:aws:kms:eu-west-1:"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	if got := field(r.stdout, "restore"); !strings.HasPrefix(got, "copy-on-write: shares the storage of prod-aurora") {
		t.Errorf("restore: %q\n%s", got, r.stdout)
	}
	noSecret(t, r.stdout, r.stderr)

	var clones []map[string]any
	r = c.run(t, "list", "-o", "json")
	if err := json.Unmarshal([]byte(r.stdout), &clones); err != nil || len(clones) != 4 {
		t.Fatalf("list: %v\n%s", err, r.stdout)
	}
	for _, cl := range clones {
		if cl["restore"] != "copy-on-write" {
			t.Errorf("list -o json: %v", cl)
		}
	}
	table := c.run(t, "list")
	lines := strings.Split(strings.TrimSpace(table.stdout), "\n")
	if len(lines) != 5 || !strings.Contains(lines[0], " RESTORE ") || !strings.Contains(lines[1], " copy-on-write ") {
		t.Errorf("list table:\n%s", table.stdout)
	}
}

// A denied KMS key is bad input (exit 2) named before anything exists.
func TestCloneDeniedKeyExitsTwo(t *testing.T) {
	sb := startSandbox(t, "kms:DescribeKey=AccessDeniedException")
	ini := writeINI(t, fmt.Sprintf(prodINI, "db-artifact:unused"))
	r := cmdRun{sandbox: sb, env: map[string]string{"DB_PASSWORD": testPassword}}.run(t, "clone", "--config", ini, "--name", "e2e-key", "-o", "json")
	if r.code != 2 || !strings.Contains(r.stderr, "KMS key arn:aws:kms:eu-west-1:") || !strings.Contains(r.stderr, "kms:DescribeKey was denied") {
		t.Errorf("exit %d, want 2 naming the key\n%s", r.code, r.stderr)
	}
	if ev := lastJSONEvent(t, r.stdout); ev["event"] != "clone_failed" || ev["cleanup"] != "nothing was created" {
		t.Errorf("final event %v", ev)
	}
	if n := sb.Calls()["cloudformation:CreateStack"]; n != 0 {
		t.Errorf("%d CreateStack calls", n)
	}
}

// A restore_to_time clone is a full copy, and dbaf says so, although AWS
// (RDS's model, which the sandbox follows) puts every point-in-time
// restore in its source's clone group, as the AWS CLI shows.
func TestPointInTimeCloneIsAFullCopyInItsSourcesGroup(t *testing.T) {
	t.Parallel()
	sb := startSandbox(t)
	at := sb.Clock().Now().Add(-time.Hour).UTC().Format(time.RFC3339)
	cow := writeINI(t, fmt.Sprintf(prodINI, "db-artifact:unused"))
	ini := writeINI(t, strings.Replace(fmt.Sprintf(prodINI, "db-artifact:unused"), "[target_db]", "restore_to_time = "+at+"\n[target_db]", 1))
	c := cmdRun{sandbox: sb, env: map[string]string{"DB_PASSWORD": testPassword, "DBAF_POLL_INTERVAL": "100ms"}}
	if r := c.run(t, "clone", "--config", cow, "--name", "e2e-cow"); r.code != 0 { // gives prod-aurora its clone group
		t.Fatalf("copy-on-write clone: exit %d\n%s", r.code, r.stderr)
	}
	r := c.run(t, "clone", "--config", ini, "--name", "e2e-pitr")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	if got := field(r.stdout, "restore"); got != "full copy: storage billed in full (full copy as of "+at+")" {
		t.Errorf("restore: %q\n%s", got, r.stdout)
	}
	var out []struct{ DBClusterIdentifier, CloneGroupId string }
	testenv.AWSCLIJSON(t, endpointOf(sb), &out, "rds", "describe-db-clusters", "--query", "DBClusters[?DBClusterIdentifier=='prod-aurora' || DBClusterIdentifier=='e2e-pitr']")
	groups := map[string]string{}
	for _, cl := range out {
		groups[cl.DBClusterIdentifier] = cl.CloneGroupId
	}
	if groups["prod-aurora"] == "" || groups["e2e-pitr"] != groups["prod-aurora"] {
		t.Errorf("aws rds describe-db-clusters: clone groups %v, want e2e-pitr in prod-aurora's", groups)
	}
	var clones []map[string]any
	r = c.run(t, "list", "-o", "json")
	if err := json.Unmarshal([]byte(r.stdout), &clones); err != nil {
		t.Fatalf("list: %v\n%s", err, r.stdout)
	}
	for _, cl := range clones {
		if want := map[string]string{"e2e-cow": "copy-on-write", "e2e-pitr": "full-copy"}[cl["stack"].(string)]; cl["restore"] != want {
			t.Errorf("list -o json: %v, want restore %s", cl, want)
		}
	}
}

// A public clone in a VPC without an internet gateway (the sandbox's
// staging VPC) is refused before anything is created, naming the VPC.
func TestPublicCloneWithoutAnInternetGatewayIsRefused(t *testing.T) {
	t.Parallel()
	sb := startSandbox(t)
	ini := writeINI(t, strings.Replace(strings.Replace(fmt.Sprintf(prodINI, "db-artifact:unused"), "prod-aurora", "catalog-pg", 1),
		"[target_db]", "[target_db]\npublicly_accessible = true", 1))
	r := cmdRun{sandbox: sb, env: map[string]string{"DB_PASSWORD": testPassword}}.run(t, "clone", "--config", ini, "--name", "e2e-public")
	if r.code != ExitBadInput || !strings.Contains(r.stderr, "publicly_accessible = true, but VPC vpc-0a1b2c3d4e5f60002 has no internet gateway") {
		t.Errorf("exit %d, want 2 naming the VPC:\n%s", r.code, r.stderr)
	}
	if n := sb.Calls()["cloudformation:CreateStack"]; n != 0 {
		t.Errorf("%d CreateStack calls, want none", n)
	}
}
