package cli

import (
	"fmt"
	"strings"
	"testing"

	"github.com/dbaf/dbaf/internal/sandbox"
)

// At the account's DB cluster quota, dbaf clone stops before CreateStack
// with exit 2 naming the quota and its numbers, and the AWS CLI, an
// independent client, finds no stack, subnet group or security group more
// than before.
func TestCloneAtQuotaLeavesNothingTheAWSCLISees(t *testing.T) {
	t.Parallel()
	used := clusterQuotaUsed(t, startSandbox(t))
	sb := startQuotaSandbox(t, used)
	count := func() (stacks, subnetGroups, securityGroups int) {
		var st struct{ Stacks []any }
		awsCLI(t, sb, &st, "cloudformation", "describe-stacks")
		var sg struct{ DBSubnetGroups []any }
		awsCLI(t, sb, &sg, "rds", "describe-db-subnet-groups")
		var sec struct{ SecurityGroups []any }
		awsCLI(t, sb, &sec, "ec2", "describe-security-groups")
		return len(st.Stacks), len(sg.DBSubnetGroups), len(sec.SecurityGroups)
	}
	s0, g0, x0 := count()

	ini := writeINI(t, fmt.Sprintf(prodINI, "db-artifact:unused"))
	r := cmdRun{sandbox: sb, env: map[string]string{"DB_PASSWORD": testPassword}}.run(t, "clone", "--config", ini, "--name", "at-quota", "--yes")
	want := fmt.Sprintf("RDS quota DBClusters: %d of %d used", used, used)
	if r.code != ExitBadInput || !strings.Contains(r.stderr, want) {
		t.Fatalf("exit %d, want 2 and %q:\n%s", r.code, want, r.stderr)
	}
	if n := sb.Calls()["cloudformation:CreateStack"]; n != 0 {
		t.Errorf("%d CreateStack calls at quota", n)
	}
	if s1, g1, x1 := count(); s1 != s0 || g1 != g0 || x1 != x0 {
		t.Errorf("after the refused clone: %d stacks, %d subnet groups, %d security groups; before: %d, %d, %d", s1, g1, x1, s0, g0, x0)
	}
}

// clusterQuotaUsed is how many DB clusters the seeded account holds, as
// the AWS CLI reads its quota.
func clusterQuotaUsed(t *testing.T, probe *sandbox.Server) int {
	t.Helper()
	var quotas struct {
		AccountQuotas []struct {
			AccountQuotaName string
			Used, Max        int
		}
	}
	awsCLI(t, probe, &quotas, "rds", "describe-account-attributes")
	for _, q := range quotas.AccountQuotas {
		if q.AccountQuotaName == "DBClusters" {
			return q.Used
		}
	}
	t.Fatalf("no DBClusters quota in %+v", quotas)
	return 0
}

// startQuotaSandbox is the seeded account with a DB cluster quota of clusters.
func startQuotaSandbox(t *testing.T, clusters int) *sandbox.Server {
	t.Helper()
	sb := sandbox.New(sandbox.Options{Pace: 0.05, Quotas: map[string]int64{"db-clusters": int64(clusters)}})
	if _, err := sb.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sb.Close)
	return sb
}
