package sandbox_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/dbaf/dbaf/internal/sandbox"
)

func TestDescribeAccountAttributesQuotas(t *testing.T) {
	c := start(t, sandbox.Options{Pace: 0.05, Quotas: map[string]int64{"db-clusters": 3}})
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
	want := map[string][2]int64{
		"DBClusters":  {int64(len(clusters.DBClusters)), 3},
		"DBInstances": {int64(len(instances.DBInstances)), 40},
	}
	if len(got) != 2 || got["DBClusters"] != want["DBClusters"] || got["DBInstances"] != want["DBInstances"] {
		t.Errorf("quotas = %v, want %v", got, want)
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
