package sandbox_test

import (
	"strings"
	"testing"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/dbaf/dbaf/internal/sandbox"
)

func cloneGroup(t *testing.T, c *clients, id string) string {
	t.Helper()
	out, err := c.rds.DescribeDBClusters(ctx(t), &rds.DescribeDBClustersInput{DBClusterIdentifier: awssdk.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	return awssdk.ToString(out.DBClusters[0].CloneGroupId)
}

// With one copy-on-write clone allowed per clone group, the second clone
// of prod-aurora is a full copy, as Aurora makes the 16th; like every
// point-in-time restore it stays in its source's clone group (RDS's
// model), which the AWS CLI shows: the group proves nothing about storage.
func TestCloneGroupLimitMakesAFullCopy(t *testing.T) {
	c := start(t, sandbox.Options{Pace: testPace, Quotas: map[string]int64{"clones-per-group": 1}})
	_, first, _, _ := cloneStack(t, c, "first-clone")
	_, second, _, _ := cloneStack(t, c, "second-clone")
	src, g1, g2 := cloneGroup(t, c, "prod-aurora"), cloneGroup(t, c, first), cloneGroup(t, c, second)
	if src == "" || g1 != src || g2 != src {
		t.Fatalf("clone groups: prod-aurora %q, first %q, second %q; want all three the same", src, g1, g2)
	}

	var out struct {
		DBClusters []struct{ DBClusterIdentifier, CloneGroupId string }
	}
	awsCLI(t, c.url, &out, "rds", "describe-db-clusters", "--filters", "Name=clone-group-id,Values="+src)
	var ids []string
	for _, cl := range out.DBClusters {
		ids = append(ids, cl.DBClusterIdentifier)
	}
	if strings.Join(ids, " ") != first+" prod-aurora "+second {
		t.Errorf("aws rds describe-db-clusters --filters Name=clone-group-id,Values=%s: %v, want %s, prod-aurora and %s", src, ids, first, second)
	}
}

// At the account's quota the stack's resource fails with RDS's reason and
// the stack rolls back, leaving nothing behind.
func TestQuotasFailTheStack(t *testing.T) {
	for _, tc := range []struct {
		quota          string
		max            int64 // what the seed uses
		resource, says string
	}{
		{"db-clusters", 25, "Cluster", "quota of 25 DB clusters (DBClusters) is used up, 25 exist"},
		{"db-instances", 33, "Instance", "quota of 33 DB instances (DBInstances) is used up, 33 exist"},
		{"db-subnet-groups", 3, "SubnetGroup", "quota of 3 DB subnet groups (DBSubnetGroups) is used up, 3 exist"},
	} {
		t.Run(tc.quota, func(t *testing.T) {
			c := start(t, sandbox.Options{Pace: testPace, Quotas: map[string]int64{tc.quota: tc.max}})
			before := counts(t, c)
			name := "over-" + tc.quota
			id := createStack(t, c, &cloudformation.CreateStackInput{StackName: awssdk.String(name),
				TemplateBody: awssdk.String(cloneTemplate(t, prodArtifact(), name))})
			status, evs := waitStack(t, c, id)
			reason := awssdk.ToString(evs[indexOf(t, evs, tc.resource+" CREATE_FAILED")].ResourceStatusReason)
			if status != "ROLLBACK_COMPLETE" || !strings.Contains(reason, tc.says) || !strings.Contains(reason, "HandlerErrorCode: ServiceLimitExceeded") {
				t.Errorf("%s: %s\n%s", status, reason, dump(evs))
			}
			if after := counts(t, c); after != before {
				t.Errorf("clusters, instances, security groups: %v before, %v after the rollback", before, after)
			}
		})
	}
}

// counts is how many clusters, instances and security groups the account
// holds, through the API.
func counts(t *testing.T, c *clients) [3]int {
	t.Helper()
	cls, err := c.rds.DescribeDBClusters(ctx(t), &rds.DescribeDBClustersInput{})
	if err != nil {
		t.Fatal(err)
	}
	var ins []rdstypes.DBInstance
	p := rds.NewDescribeDBInstancesPaginator(c.rds, &rds.DescribeDBInstancesInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx(t))
		if err != nil {
			t.Fatal(err)
		}
		ins = append(ins, out.DBInstances...)
	}
	sgs, err := c.ec2.DescribeSecurityGroups(ctx(t), &ec2.DescribeSecurityGroupsInput{})
	if err != nil {
		t.Fatal(err)
	}
	return [3]int{len(cls.DBClusters), len(ins), len(sgs.SecurityGroups)}
}
