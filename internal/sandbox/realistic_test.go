package sandbox_test

import (
	"testing"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/dbaf/dbaf/internal/sandbox"
)

// TestRealisticDescribeMissesANewResourceOnce: at realistic timing the
// first describe by identifier of a cluster and of an instance a stack made
// answers not-found, as AWS's eventually consistent reads may just after a
// create; the next finds it. Filters and seeded resources are unaffected.
func TestRealisticDescribeMissesANewResourceOnce(t *testing.T) {
	c := start(t, sandbox.Options{Pace: testPace, Realistic: true})
	const name = "lagging-clone"
	id := createStack(t, c, &cloudformation.CreateStackInput{
		StackName: awssdk.String(name), TemplateBody: awssdk.String(cloneTemplate(t, prodArtifact(), name))})
	if status, evs := waitStack(t, c, id); status != "CREATE_COMPLETE" {
		t.Fatalf("status %s:\n%s", status, dump(evs))
	}
	// A filter finds the new cluster's instance without spending its miss.
	ins, err := c.rds.DescribeDBInstances(ctx(t), &rds.DescribeDBInstancesInput{
		Filters: []rdstypes.Filter{{Name: awssdk.String("db-cluster-id"), Values: []string{name}}}})
	if err != nil || len(ins.DBInstances) != 1 {
		t.Fatalf("instances of %s: %v %v", name, ins, err)
	}
	instance := awssdk.ToString(ins.DBInstances[0].DBInstanceIdentifier)

	_, err = c.rds.DescribeDBClusters(ctx(t), &rds.DescribeDBClustersInput{DBClusterIdentifier: awssdk.String(name)})
	wantAPIError(t, err, "DBClusterNotFoundFault")
	if _, err := c.rds.DescribeDBClusters(ctx(t), &rds.DescribeDBClustersInput{DBClusterIdentifier: awssdk.String(name)}); err != nil {
		t.Errorf("second describe of %s: %v", name, err)
	}
	_, err = c.rds.DescribeDBInstances(ctx(t), &rds.DescribeDBInstancesInput{DBInstanceIdentifier: awssdk.String(instance)})
	wantAPIError(t, err, "DBInstanceNotFound")
	if _, err := c.rds.DescribeDBInstances(ctx(t), &rds.DescribeDBInstancesInput{DBInstanceIdentifier: awssdk.String(instance)}); err != nil {
		t.Errorf("second describe of %s: %v", instance, err)
	}
	// The seed's clusters were not just created: found at the first call.
	if _, err := c.rds.DescribeDBClusters(ctx(t), &rds.DescribeDBClustersInput{DBClusterIdentifier: awssdk.String("prod-aurora")}); err != nil {
		t.Errorf("prod-aurora: %v", err)
	}
}
