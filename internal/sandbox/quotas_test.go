package sandbox_test

import (
	"maps"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/dbaf/dbaf/internal/sandbox"
)

func TestDescribeAccountAttributesQuotas(t *testing.T) {
	c := start(t, sandbox.Options{Pace: 0.05, Quotas: map[string]int64{"db-clusters": 3, "manual-cluster-snapshots": 2}})
	out, err := c.rds.DescribeAccountAttributes(ctx(t), &rds.DescribeAccountAttributesInput{})
	if err != nil {
		t.Fatal(err)
	}
	clusters, err := c.rds.DescribeDBClusters(ctx(t), &rds.DescribeDBClustersInput{})
	if err != nil {
		t.Fatal(err)
	}
	instances, err := c.rds.DescribeDBInstances(ctx(t), &rds.DescribeDBInstancesInput{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][2]int64{}
	for _, q := range out.AccountQuotas {
		got[*q.AccountQuotaName] = [2]int64{*q.Used, *q.Max}
	}
	groups, err := c.rds.DescribeDBSubnetGroups(ctx(t), &rds.DescribeDBSubnetGroupsInput{})
	if err != nil {
		t.Fatal(err)
	}
	snaps, err := c.rds.DescribeDBClusterSnapshots(ctx(t), &rds.DescribeDBClusterSnapshotsInput{SnapshotType: aws.String("manual")})
	if err != nil {
		t.Fatal(err)
	}
	// AWS's names and defaults: the quotas a clone counts against, and
	// those dbaf needs next.
	want := map[string][2]int64{
		"DBClusters":               {int64(len(clusters.DBClusters)), 3},
		"DBInstances":              {int64(len(instances.DBInstances)), 40},
		"DBSubnetGroups":           {int64(len(groups.DBSubnetGroups)), 50},
		"ManualClusterSnapshots":   {int64(len(snaps.DBClusterSnapshots)), 2},
		"DBClusterParameterGroups": {0, 50},
	}
	if !maps.Equal(got, want) {
		t.Errorf("quotas = %v, want %v", got, want)
	}
	// At the quota, a snapshot is refused as RDS refuses it.
	_, err = c.rds.CreateDBClusterSnapshot(ctx(t), &rds.CreateDBClusterSnapshotInput{DBClusterIdentifier: aws.String("prod-aurora"), DBClusterSnapshotIdentifier: aws.String("one-too-many")})
	if msg, _ := wantAPIError(t, err, "SnapshotQuotaExceeded"); !strings.Contains(msg, "quota of 2 manual DB cluster snapshots (ManualClusterSnapshots)") {
		t.Errorf("snapshot at quota: %q", msg)
	}
	if want["DBClusters"][0] == 0 {
		t.Error("the seed has no clusters: Used proves nothing")
	}
}

func TestParseQuota(t *testing.T) {
	if name, n, err := sandbox.ParseQuota("db-instances=7"); err != nil || name != "db-instances" || n != 7 {
		t.Errorf("ParseQuota = %q %d %v", name, n, err)
	}
	for _, bad := range []string{"db-clusters", "clusters=3", "db-clusters=-1", "db-clusters=x", ""} {
		if _, _, err := sandbox.ParseQuota(bad); err == nil {
			t.Errorf("ParseQuota(%q) = nil error", bad)
		}
	}
}

func TestAWSCLIAccountQuotas(t *testing.T) {
	t.Parallel()
	c := start(t, sandbox.Options{Quotas: map[string]int64{"db-instances": 9}})
	var out struct {
		AccountQuotas []struct {
			AccountQuotaName string
			Used, Max        int64
		}
	}
	awsCLI(t, c.url, &out, "rds", "describe-account-attributes")
	got := map[string]int64{}
	for _, q := range out.AccountQuotas {
		got[q.AccountQuotaName] = q.Max
	}
	if got["DBClusters"] != 40 || got["DBInstances"] != 9 {
		t.Errorf("aws rds describe-account-attributes: Max = %v, want DBClusters 40, DBInstances 9", got)
	}
}
