package sandbox_test

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/dbaf/dbaf/artifact"
	"github.com/dbaf/dbaf/internal/sandbox"
)

// testPace makes a clone take about half a second.
const testPace = 0.02

// prodArtifact clones the seed's prod-aurora into the prod VPC's private
// subnets, as `dbaf build` would resolve it.
func prodArtifact() *artifact.Artifact {
	return &artifact.Artifact{
		SchemaVersion: artifact.SchemaVersion, Image: "db-artifact:test", Region: "eu-west-1", Publisher: "dataops@example.com",
		Source: artifact.Source{ClusterID: "prod-aurora", Engine: "aurora-postgresql", EngineVersion: "16.4", Port: 5432, MasterUsername: "postgres"},
		Target: artifact.Target{
			InstanceClass: "db.r6g.large", SubnetsFrom: "source", SourceSubnetGroup: "prod-db-subnets",
			VpcID: "vpc-0a1b2c3d4e5f60001", VpcCIDR: "10.0.0.0/16", AllowedCIDR: "10.0.0.0/16",
			Subnets: []artifact.Subnet{
				{ID: "subnet-0a1b2c3d4e5f61001", AZ: "eu-west-1a", CIDR: "10.0.1.0/24"},
				{ID: "subnet-0a1b2c3d4e5f61002", AZ: "eu-west-1b", CIDR: "10.0.2.0/24"},
				{ID: "subnet-0a1b2c3d4e5f61003", AZ: "eu-west-1c", CIDR: "10.0.3.0/24"},
			},
		},
	}
}

func cloneTemplate(t *testing.T, a *artifact.Artifact, stack string) string {
	t.Helper()
	b, err := artifact.Template(a, stack)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func createStack(t *testing.T, c *clients, in *cloudformation.CreateStackInput) string {
	t.Helper()
	out, err := c.cfn.CreateStack(ctx(t), in)
	if err != nil {
		t.Fatalf("CreateStack %s: %v", awssdk.ToString(in.StackName), err)
	}
	return awssdk.ToString(out.StackId)
}

// waitStack polls until the stack leaves *_IN_PROGRESS and returns its
// final status and every event, oldest first.
func waitStack(t *testing.T, c *clients, stackID string) (string, []cfntypes.StackEvent) {
	t.Helper()
	var status string
	eventually(t, "stack "+stackID+" to finish", func() bool {
		out, err := c.cfn.DescribeStacks(ctx(t), &cloudformation.DescribeStacksInput{StackName: awssdk.String(stackID)})
		if err != nil {
			t.Fatal(err)
		}
		status = string(out.Stacks[0].StackStatus)
		return !strings.HasSuffix(status, "_IN_PROGRESS")
	})
	return status, allEvents(t, c, stackID)
}

func allEvents(t *testing.T, c *clients, stackID string) []cfntypes.StackEvent {
	t.Helper()
	var evs []cfntypes.StackEvent
	p := cloudformation.NewDescribeStackEventsPaginator(c.cfn, &cloudformation.DescribeStackEventsInput{StackName: awssdk.String(stackID)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx(t))
		if err != nil {
			t.Fatal(err)
		}
		evs = append(evs, out.StackEvents...)
	}
	slices.Reverse(evs)
	return evs
}

// eventLine is an event as "Logical STATUS" for order checks and messages.
func eventLine(e cfntypes.StackEvent) string {
	return awssdk.ToString(e.LogicalResourceId) + " " + string(e.ResourceStatus)
}

func indexOf(t *testing.T, evs []cfntypes.StackEvent, line string) int {
	t.Helper()
	for i, e := range evs {
		if eventLine(e) == line {
			return i
		}
	}
	t.Fatalf("no event %q in:\n%s", line, dump(evs))
	return -1
}

// before checks that event a comes before event b.
func before(t *testing.T, evs []cfntypes.StackEvent, a, b string) {
	t.Helper()
	if indexOf(t, evs, a) > indexOf(t, evs, b) {
		t.Errorf("%q came after %q:\n%s", a, b, dump(evs))
	}
}

func dump(evs []cfntypes.StackEvent) string {
	var b strings.Builder
	for _, e := range evs {
		fmt.Fprintf(&b, "  %s %s %s\n", eventLine(e), awssdk.ToString(e.PhysicalResourceId), awssdk.ToString(e.ResourceStatusReason))
	}
	return b.String()
}

func TestCloneAndDeleteStack(t *testing.T) {
	c := start(t, sandbox.Options{Pace: testPace})
	const name = "alice-prod-clone"
	id := createStack(t, c, &cloudformation.CreateStackInput{
		StackName: awssdk.String(name), TemplateBody: awssdk.String(cloneTemplate(t, prodArtifact(), name)),
		OnFailure: cfntypes.OnFailureDelete,
		Tags:      []cfntypes.Tag{{Key: awssdk.String("dbaf:managed-by"), Value: awssdk.String("dbaf")}},
	})
	if !strings.HasPrefix(id, "arn:aws:cloudformation:eu-west-1:123456789012:stack/"+name+"/") {
		t.Errorf("stack id %s", id)
	}
	_, err := c.cfn.CreateStack(ctx(t), &cloudformation.CreateStackInput{StackName: awssdk.String(name), TemplateBody: awssdk.String(cloneTemplate(t, prodArtifact(), name))})
	if msg, _ := wantAPIError(t, err, "AlreadyExistsException"); msg != "Stack ["+name+"] already exists" {
		t.Errorf("duplicate: %q", msg)
	}

	status, evs := waitStack(t, c, id)
	if status != "CREATE_COMPLETE" {
		t.Fatalf("status %s:\n%s", status, dump(evs))
	}
	ids := map[string]bool{}
	for _, e := range evs {
		if ids[awssdk.ToString(e.EventId)] {
			t.Errorf("EventId %s repeated", awssdk.ToString(e.EventId))
		}
		ids[awssdk.ToString(e.EventId)] = true
	}
	if first := evs[0]; eventLine(first) != name+" CREATE_IN_PROGRESS" || awssdk.ToString(first.ResourceStatusReason) != "User Initiated" ||
		awssdk.ToString(first.PhysicalResourceId) != id || awssdk.ToString(first.ResourceType) != "AWS::CloudFormation::Stack" {
		t.Errorf("first event %s", dump(evs[:1]))
	}
	if last := evs[len(evs)-1]; eventLine(last) != name+" CREATE_COMPLETE" {
		t.Errorf("last event %s", dump(evs[len(evs)-1:]))
	}
	for _, r := range []string{"SubnetGroup", "SecurityGroup", "Cluster", "Instance"} {
		var seq []string
		for _, e := range evs {
			if awssdk.ToString(e.LogicalResourceId) == r {
				seq = append(seq, string(e.ResourceStatus)+"|"+awssdk.ToString(e.ResourceStatusReason))
				if e.ResourceStatus == cfntypes.ResourceStatusCreateComplete && awssdk.ToString(e.PhysicalResourceId) == "" {
					t.Errorf("%s completed without a physical id", r)
				}
			}
		}
		want := []string{"CREATE_IN_PROGRESS|", "CREATE_IN_PROGRESS|Resource creation Initiated", "CREATE_COMPLETE|"}
		if !slices.Equal(seq, want) {
			t.Errorf("%s events %q, want %q", r, seq, want)
		}
	}
	before(t, evs, "SubnetGroup CREATE_COMPLETE", "Cluster CREATE_IN_PROGRESS")
	before(t, evs, "SecurityGroup CREATE_COMPLETE", "Cluster CREATE_IN_PROGRESS")
	before(t, evs, "Cluster CREATE_COMPLETE", "Instance CREATE_IN_PROGRESS")

	// Outputs, and the clone as RDS and EC2 now see it.
	st, err := c.cfn.DescribeStacks(ctx(t), &cloudformation.DescribeStacksInput{StackName: awssdk.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	outputs := map[string]string{}
	for _, o := range st.Stacks[0].Outputs {
		outputs[awssdk.ToString(o.OutputKey)] = awssdk.ToString(o.OutputValue)
	}
	want := map[string]string{"Endpoint": name + ".cluster-c0sandbox.eu-west-1.rds.amazonaws.com",
		"ReaderEndpoint": name + ".cluster-ro-c0sandbox.eu-west-1.rds.amazonaws.com", "Port": "5432", "ClusterId": name}
	for k, v := range want {
		if outputs[k] != v {
			t.Errorf("output %s = %q, want %q", k, outputs[k], v)
		}
	}
	res, err := c.cfn.DescribeStackResources(ctx(t), &cloudformation.DescribeStackResourcesInput{StackName: awssdk.String(name)})
	if err != nil || len(res.StackResources) != 4 {
		t.Fatalf("resources %+v, %v", res, err)
	}
	physical := map[string]string{}
	for _, r := range res.StackResources {
		physical[awssdk.ToString(r.LogicalResourceId)] = awssdk.ToString(r.PhysicalResourceId)
		if r.ResourceStatus != cfntypes.ResourceStatusCreateComplete {
			t.Errorf("%s is %s", awssdk.ToString(r.LogicalResourceId), r.ResourceStatus)
		}
	}
	cls, err := c.rds.DescribeDBClusters(ctx(t), &rds.DescribeDBClustersInput{DBClusterIdentifier: awssdk.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	cl := cls.DBClusters[0]
	if awssdk.ToString(cl.Status) != "available" || awssdk.ToString(cl.Engine) != "aurora-postgresql" || awssdk.ToString(cl.EngineVersion) != "16.4" ||
		awssdk.ToInt32(cl.Port) != 5432 || awssdk.ToString(cl.MasterUsername) != "postgres" || awssdk.ToString(cl.Endpoint) != want["Endpoint"] ||
		awssdk.ToString(cl.DBSubnetGroup) != physical["SubnetGroup"] || len(cl.VpcSecurityGroups) != 1 ||
		awssdk.ToString(cl.VpcSecurityGroups[0].VpcSecurityGroupId) != physical["SecurityGroup"] || awssdk.ToString(cl.CloneGroupId) == "" {
		t.Errorf("clone cluster %+v", cl)
	}
	if len(cl.DBClusterMembers) != 1 || awssdk.ToString(cl.DBClusterMembers[0].DBInstanceIdentifier) != name+"-1" || !awssdk.ToBool(cl.DBClusterMembers[0].IsClusterWriter) {
		t.Errorf("clone members %+v", cl.DBClusterMembers)
	}
	tags := map[string]string{}
	for _, tg := range cl.TagList {
		tags[awssdk.ToString(tg.Key)] = awssdk.ToString(tg.Value)
	}
	if tags["dbaf:managed-by"] != "dbaf" || tags["aws:cloudformation:stack-name"] != name || tags["aws:cloudformation:logical-id"] != "Cluster" {
		t.Errorf("clone tags %v", tags)
	}
	ins, err := c.rds.DescribeDBInstances(ctx(t), &rds.DescribeDBInstancesInput{DBInstanceIdentifier: awssdk.String(name + "-1")})
	if err != nil || awssdk.ToString(ins.DBInstances[0].DBInstanceClass) != "db.r6g.large" || awssdk.ToString(ins.DBInstances[0].DBInstanceStatus) != "available" {
		t.Errorf("clone instance %+v, %v", ins, err)
	}
	sgs, err := c.ec2.DescribeSecurityGroups(ctx(t), &ec2.DescribeSecurityGroupsInput{GroupIds: []string{physical["SecurityGroup"]}})
	if err != nil || len(sgs.SecurityGroups[0].IpPermissions) != 1 || awssdk.ToInt32(sgs.SecurityGroups[0].IpPermissions[0].FromPort) != 5432 ||
		awssdk.ToString(sgs.SecurityGroups[0].IpPermissions[0].IpRanges[0].CidrIp) != "10.0.0.0/16" {
		t.Errorf("clone security group %+v, %v", sgs, err)
	}
	if g, err := c.rds.DescribeDBSubnetGroups(ctx(t), &rds.DescribeDBSubnetGroupsInput{DBSubnetGroupName: awssdk.String(physical["SubnetGroup"])}); err != nil || len(g.DBSubnetGroups[0].Subnets) != 3 {
		t.Errorf("clone subnet group %+v, %v", g, err)
	}

	// Delete: dependents first, then the stack is gone by name.
	if _, err := c.cfn.DeleteStack(ctx(t), &cloudformation.DeleteStackInput{StackName: awssdk.String(name)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.cfn.DeleteStack(ctx(t), &cloudformation.DeleteStackInput{StackName: awssdk.String(name)}); err != nil {
		t.Errorf("a second DeleteStack: %v", err)
	}
	status, evs = waitStack(t, c, id)
	if status != "DELETE_COMPLETE" {
		t.Fatalf("status %s:\n%s", status, dump(evs))
	}
	before(t, evs, name+" DELETE_IN_PROGRESS", "Instance DELETE_IN_PROGRESS")
	before(t, evs, "Instance DELETE_COMPLETE", "Cluster DELETE_IN_PROGRESS")
	before(t, evs, "Cluster DELETE_COMPLETE", "SecurityGroup DELETE_IN_PROGRESS")
	before(t, evs, "Cluster DELETE_COMPLETE", "SubnetGroup DELETE_IN_PROGRESS")
	before(t, evs, "SubnetGroup DELETE_COMPLETE", name+" DELETE_COMPLETE")

	_, err = c.cfn.DescribeStacks(ctx(t), &cloudformation.DescribeStacksInput{StackName: awssdk.String(name)})
	if msg, status := wantAPIError(t, err, "ValidationError"); msg != "Stack with id "+name+" does not exist" || status != 400 {
		t.Errorf("deleted stack by name: HTTP %d %q", status, msg)
	}
	_, err = c.rds.DescribeDBClusters(ctx(t), &rds.DescribeDBClustersInput{DBClusterIdentifier: awssdk.String(name)})
	wantAPIError(t, err, "DBClusterNotFoundFault")
	_, err = c.ec2.DescribeSecurityGroups(ctx(t), &ec2.DescribeSecurityGroupsInput{GroupIds: []string{physical["SecurityGroup"]}})
	wantAPIError(t, err, "InvalidGroup.NotFound")
	_, err = c.rds.DescribeDBSubnetGroups(ctx(t), &rds.DescribeDBSubnetGroupsInput{DBSubnetGroupName: awssdk.String(physical["SubnetGroup"])})
	wantAPIError(t, err, "DBSubnetGroupNotFoundFault")
	snaps, err := c.rds.DescribeDBClusterSnapshots(ctx(t), &rds.DescribeDBClusterSnapshotsInput{DBClusterIdentifier: awssdk.String(name)})
	if err != nil || len(snaps.DBClusterSnapshots) != 0 {
		t.Errorf("DeletionPolicy Delete left snapshots: %+v, %v", snaps, err)
	}
	if _, err := c.cfn.DeleteStack(ctx(t), &cloudformation.DeleteStackInput{StackName: awssdk.String("never-existed")}); err != nil {
		t.Errorf("deleting a missing stack: %v", err)
	}

	// ListStacks keeps deleted stacks, as CloudFormation does for 90 days.
	list, err := c.cfn.ListStacks(ctx(t), &cloudformation.ListStacksInput{})
	if err != nil || len(list.StackSummaries) != 1 || list.StackSummaries[0].StackStatus != cfntypes.StackStatusDeleteComplete ||
		list.StackSummaries[0].DeletionTime == nil {
		t.Errorf("ListStacks %+v, %v", list, err)
	}
	list, err = c.cfn.ListStacks(ctx(t), &cloudformation.ListStacksInput{StackStatusFilter: []cfntypes.StackStatus{cfntypes.StackStatusCreateComplete}})
	if err != nil || len(list.StackSummaries) != 0 {
		t.Errorf("ListStacks CREATE_COMPLETE: %+v, %v", list, err)
	}
	live, err := c.cfn.DescribeStacks(ctx(t), &cloudformation.DescribeStacksInput{})
	if err != nil || len(live.Stacks) != 0 {
		t.Errorf("DescribeStacks without a name lists deleted stacks: %+v, %v", live, err)
	}
}

func TestResourceFaultRollsBack(t *testing.T) {
	c := start(t, sandbox.Options{Pace: testPace})
	const reason = "DB instance alice-rollback-1 could not be created: insufficient capacity in eu-west-1b"
	c.sb.Inject(sandbox.Fault{Service: "cloudformation", Action: "Resource:Instance", Message: reason, Times: 1})
	const name = "alice-rollback"
	id := createStack(t, c, &cloudformation.CreateStackInput{StackName: awssdk.String(name),
		TemplateBody: awssdk.String(cloneTemplate(t, prodArtifact(), name)), OnFailure: cfntypes.OnFailureRollback})
	status, evs := waitStack(t, c, id)
	if status != "ROLLBACK_COMPLETE" {
		t.Fatalf("status %s:\n%s", status, dump(evs))
	}
	failed := evs[indexOf(t, evs, "Instance CREATE_FAILED")]
	if awssdk.ToString(failed.ResourceStatusReason) != reason {
		t.Errorf("Instance failed with %q", awssdk.ToString(failed.ResourceStatusReason))
	}
	rb := evs[indexOf(t, evs, name+" ROLLBACK_IN_PROGRESS")]
	if got := awssdk.ToString(rb.ResourceStatusReason); got != "The following resource(s) failed to create: [Instance]. Rollback requested by user." {
		t.Errorf("rollback reason %q", got)
	}
	before(t, evs, "Instance CREATE_FAILED", name+" ROLLBACK_IN_PROGRESS")
	before(t, evs, name+" ROLLBACK_IN_PROGRESS", "Instance DELETE_IN_PROGRESS")
	before(t, evs, "Instance DELETE_COMPLETE", "Cluster DELETE_IN_PROGRESS")
	before(t, evs, "Cluster DELETE_COMPLETE", "SecurityGroup DELETE_IN_PROGRESS")
	before(t, evs, "Cluster DELETE_COMPLETE", "SubnetGroup DELETE_COMPLETE")
	if last := eventLine(evs[len(evs)-1]); last != name+" ROLLBACK_COMPLETE" {
		t.Errorf("last event %s", last)
	}
	if _, err := c.rds.DescribeDBClusters(ctx(t), &rds.DescribeDBClustersInput{DBClusterIdentifier: awssdk.String(name)}); err == nil {
		t.Error("the rolled-back cluster still exists")
	}
	// A rolled-back stack stays, by name, until deleted.
	if _, err := c.cfn.DeleteStack(ctx(t), &cloudformation.DeleteStackInput{StackName: awssdk.String(name)}); err != nil {
		t.Fatal(err)
	}
	if status, evs := waitStack(t, c, id); status != "DELETE_COMPLETE" {
		t.Errorf("after DeleteStack: %s\n%s", status, dump(evs))
	}

	// The fault was for one time only: the same template now succeeds.
	id = createStack(t, c, &cloudformation.CreateStackInput{StackName: awssdk.String(name),
		TemplateBody: awssdk.String(cloneTemplate(t, prodArtifact(), name))})
	if status, evs := waitStack(t, c, id); status != "CREATE_COMPLETE" {
		t.Errorf("second try: %s\n%s", status, dump(evs))
	}
}

func TestOnFailureDelete(t *testing.T) {
	c := start(t, sandbox.Options{Pace: testPace})
	c.sb.Inject(sandbox.Fault{Service: "cloudformation", Action: "Resource:Cluster", Message: "injected cluster failure"})
	const name = "bob-on-failure-delete"
	id := createStack(t, c, &cloudformation.CreateStackInput{StackName: awssdk.String(name),
		TemplateBody: awssdk.String(cloneTemplate(t, prodArtifact(), name)), OnFailure: cfntypes.OnFailureDelete})
	status, evs := waitStack(t, c, id)
	if status != "DELETE_COMPLETE" {
		t.Fatalf("status %s:\n%s", status, dump(evs))
	}
	before(t, evs, "Cluster CREATE_FAILED", name+" ROLLBACK_IN_PROGRESS")
	before(t, evs, "SecurityGroup DELETE_COMPLETE", name+" ROLLBACK_COMPLETE")
	before(t, evs, name+" ROLLBACK_COMPLETE", name+" DELETE_COMPLETE")
	if slices.ContainsFunc(evs, func(e cfntypes.StackEvent) bool { return awssdk.ToString(e.LogicalResourceId) == "Instance" }) {
		t.Errorf("the instance was started although its cluster failed:\n%s", dump(evs))
	}
	_, err := c.cfn.DescribeStacks(ctx(t), &cloudformation.DescribeStacksInput{StackName: awssdk.String(name)})
	wantAPIError(t, err, "ValidationError")
}

func TestDisableRollbackKeepsResources(t *testing.T) {
	c := start(t, sandbox.Options{Pace: testPace})
	a := prodArtifact()
	a.Target.InstanceClass = "db.t3.small"
	const name = "carol-keep"
	id := createStack(t, c, &cloudformation.CreateStackInput{StackName: awssdk.String(name),
		TemplateBody: awssdk.String(cloneTemplate(t, a, name)), DisableRollback: awssdk.Bool(true)})
	status, evs := waitStack(t, c, id)
	if status != "CREATE_FAILED" {
		t.Fatalf("status %s:\n%s", status, dump(evs))
	}
	reason := awssdk.ToString(evs[indexOf(t, evs, "Instance CREATE_FAILED")].ResourceStatusReason)
	for _, want := range []string{"DBInstanceClass=db.t3.small", "Engine=aurora-postgresql", "EngineVersion=16.4", "(Service: Rds, Status Code: 400"} {
		if !strings.Contains(reason, want) {
			t.Errorf("reason %q lacks %q", reason, want)
		}
	}
	cls, err := c.rds.DescribeDBClusters(ctx(t), &rds.DescribeDBClustersInput{DBClusterIdentifier: awssdk.String(name)})
	if err != nil || awssdk.ToString(cls.DBClusters[0].Status) != "available" {
		t.Errorf("kept cluster: %+v, %v", cls, err)
	}
	if _, err := c.cfn.DeleteStack(ctx(t), &cloudformation.DeleteStackInput{StackName: awssdk.String(id)}); err != nil {
		t.Fatal(err)
	}
	if status, evs := waitStack(t, c, id); status != "DELETE_COMPLETE" {
		t.Errorf("delete after CREATE_FAILED: %s\n%s", status, dump(evs))
	}
}

// TestResourceValidation: what RDS and EC2 would refuse fails that
// resource, with their reason.
func TestResourceValidation(t *testing.T) {
	c := start(t, sandbox.Options{Pace: testPace})
	at := time.Now().Add(-time.Hour)
	cases := []struct {
		name     string
		edit     func(a *artifact.Artifact)
		template func(string) string
		resource string
		says     string
	}{
		{name: "missing-source", edit: func(a *artifact.Artifact) { a.Source.ClusterID = "prod-auror" },
			resource: "Cluster", says: "DBCluster prod-auror not found. (Service: Rds, Status Code: 404"},
		{name: "stopped-source", edit: func(a *artifact.Artifact) {
			a.Source.ClusterID, a.Source.EngineVersion = "reporting-stopped", "14.9"
		}, resource: "Cluster", says: "not in the available state (it is stopped)"},
		{name: "multi-az-source", edit: func(a *artifact.Artifact) {
			a.Source.ClusterID, a.Source.Engine = "legacy-multiaz", "postgres"
		}, resource: "Cluster", says: "copy-on-write cloning is supported only for Aurora"},
		// dbaf makes point-in-time restores full copies; a template that
		// asks for a copy-on-write one fails as RDS would.
		{name: "restore-time-clone", template: func(name string) string {
			a := prodArtifact()
			a.Source.RestoreToTime = &at
			return strings.Replace(cloneTemplate(t, a, name), `"RestoreType": "full-copy"`, `"RestoreType": "copy-on-write"`, 1)
		}, resource: "Cluster", says: "RestoreToTime can't be specified if RestoreType is copy-on-write"},
		{name: "one-az", edit: func(a *artifact.Artifact) {
			a.Target.VpcID, a.Target.AllowedCIDR = "vpc-0a1b2c3d4e5f60002", "10.1.0.0/16"
			a.Target.Subnets = []artifact.Subnet{{ID: "subnet-0a1b2c3d4e5f62004"}, {ID: "subnet-0a1b2c3d4e5f62005"}}
		}, resource: "SubnetGroup", says: "Current AZ coverage: eu-west-1a. Add subnets to cover at least 2 AZs."},
		{name: "other-vpc", edit: func(a *artifact.Artifact) { a.Target.VpcID = "vpc-0a1b2c3d4e5f60002" },
			resource: "Cluster", says: "are in different VPCs"},
		{name: "unknown-subnet", edit: func(a *artifact.Artifact) { a.Target.Subnets[0].ID = "subnet-0000000000000dead" },
			resource: "SubnetGroup", says: "Some input subnets in :[subnet-0000000000000dead] are invalid."},
		{name: "serverless-without-scaling", template: func(name string) string {
			a := prodArtifact()
			a.Target.InstanceClass, a.Target.Serverless = "db.serverless", &artifact.Scaling{Min: 0.5, Max: 4}
			return strings.Replace(cloneTemplate(t, a, name), `"ServerlessV2ScalingConfiguration"`, `"ScalingConfiguration"`, 1)
		}, resource: "Instance", says: "Serverless v2 scaling configuration"},
		{name: "unsupported-property", template: func(name string) string {
			return strings.Replace(cloneTemplate(t, prodArtifact(), name), `"PubliclyAccessible": false`, `"PubliclyAccessible": false, "Colour": "blue"`, 1)
		}, resource: "Instance", says: "Encountered unsupported property Colour"},
		{name: "read-only-property", template: func(name string) string {
			return strings.Replace(cloneTemplate(t, prodArtifact(), name), `"CopyTagsToSnapshot": false`, `"CopyTagsToSnapshot": false, "Endpoint": {"Address": "x"}`, 1)
		}, resource: "Cluster", says: "Encountered unsupported property Endpoint"},
		{name: "wrong-type", template: func(name string) string {
			return strings.Replace(cloneTemplate(t, prodArtifact(), name), `"Port": 5432`, `"Port": true`, 1)
		}, resource: "Cluster", says: "Properties validation failed for resource Cluster with message: [#/Port: expected type: Integer, found: Boolean]"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var body string
			if tc.template != nil {
				body = tc.template(tc.name)
			} else {
				a := prodArtifact()
				tc.edit(a)
				body = cloneTemplate(t, a, tc.name)
			}
			id := createStack(t, c, &cloudformation.CreateStackInput{StackName: awssdk.String(tc.name), TemplateBody: awssdk.String(body),
				OnFailure: cfntypes.OnFailureDoNothing})
			status, evs := waitStack(t, c, id)
			if status != "CREATE_FAILED" {
				t.Fatalf("status %s:\n%s", status, dump(evs))
			}
			var root cfntypes.StackEvent
			for _, e := range evs {
				if e.ResourceStatus == cfntypes.ResourceStatusCreateFailed && awssdk.ToString(e.ResourceStatusReason) != "Resource creation cancelled" {
					root = e
					break
				}
			}
			if awssdk.ToString(root.LogicalResourceId) != tc.resource || !strings.Contains(awssdk.ToString(root.ResourceStatusReason), tc.says) {
				t.Errorf("root cause %s %q; want %s saying %q\n%s", awssdk.ToString(root.LogicalResourceId), awssdk.ToString(root.ResourceStatusReason), tc.resource, tc.says, dump(evs))
			}
		})
	}
}

func TestTemplateValidation(t *testing.T) {
	c := start(t, sandbox.Options{})
	good := cloneTemplate(t, prodArtifact(), "tv")
	cases := []struct{ name, body, says string }{
		{"not-json", `{"Resources": `, "Template format error: JSON not well-formed."},
		{"yaml", "Resources:\n  X:\n    Type: AWS::S3::Bucket\n", "JSON templates only"},
		{"no-resources", `{"AWSTemplateFormatVersion": "2010-09-09"}`, "At least one Resources member must be defined."},
		{"unknown-type", strings.Replace(good, `"AWS::EC2::SecurityGroup"`, `"AWS::S3::Bucket"`, 1), "Unrecognized resource types: [AWS::S3::Bucket]"},
		{"unknown-ref", strings.Replace(good, `"Ref": "SubnetGroup"`, `"Ref": "SubnetGrop"`, 1), "Unresolved resource dependencies [SubnetGrop] in the Resources block of the template"},
		{"bad-getatt", strings.Replace(good, `"Endpoint.Address"`, `"Endpoint.Adress"`, 1), "resource Cluster does not support attribute type Endpoint.Adress in Fn::GetAtt"},
		{"cycle", strings.Replace(good, `"Type": "AWS::RDS::DBSubnetGroup",`, `"Type": "AWS::RDS::DBSubnetGroup", "DependsOn": "Instance",`, 1), "Circular dependency between resources: [Cluster, Instance, SubnetGroup]"},
		{"bad-section", strings.Replace(good, `"Outputs"`, `"Outputz"`, 1), "Invalid template property or properties [Outputz]"},
	}
	for _, tc := range cases {
		_, err := c.cfn.CreateStack(ctx(t), &cloudformation.CreateStackInput{StackName: awssdk.String("tv"), TemplateBody: awssdk.String(tc.body)})
		if msg, status := wantAPIError(t, err, "ValidationError"); !strings.Contains(msg, tc.says) || status != 400 {
			t.Errorf("%s: HTTP %d %q, want %q", tc.name, status, msg, tc.says)
		}
	}
	for _, tc := range []struct {
		in   cloudformation.CreateStackInput
		says string
	}{
		{cloudformation.CreateStackInput{StackName: awssdk.String("1bad"), TemplateBody: awssdk.String(good)}, "regular expression pattern"},
		{cloudformation.CreateStackInput{StackName: awssdk.String("tv")}, "Either Template URL or Template Body must be specified."},
		{cloudformation.CreateStackInput{StackName: awssdk.String("tv"), TemplateBody: awssdk.String(good), DisableRollback: awssdk.Bool(true), OnFailure: cfntypes.OnFailureDelete},
			"both DisableRollback and OnFailure"},
		{cloudformation.CreateStackInput{StackName: awssdk.String("tv"), TemplateBody: awssdk.String(good),
			Tags: []cfntypes.Tag{{Key: awssdk.String("k"), Value: awssdk.String("")}}}, "tags.1.member.value"},
	} {
		_, err := c.cfn.CreateStack(ctx(t), &tc.in)
		if msg, _ := wantAPIError(t, err, "ValidationError"); !strings.Contains(msg, tc.says) {
			t.Errorf("%q, want %q", msg, tc.says)
		}
	}
	if list, _ := c.cfn.ListStacks(ctx(t), &cloudformation.ListStacksInput{}); len(list.StackSummaries) != 0 {
		t.Errorf("rejected templates left stacks: %+v", list.StackSummaries)
	}
}

// paramTemplate exercises parameters (NoEcho, AllowedValues, AWS types),
// conditions, Fn::Sub, Fn::Join and outputs.
const paramTemplate = `{
  "AWSTemplateFormatVersion": "2010-09-09",
  "Description": "parameters and intrinsic functions",
  "Parameters": {
    "Env": {"Type": "String", "AllowedValues": ["dev", "prod"], "Default": "dev"},
    "Vpc": {"Type": "AWS::EC2::VPC::Id"},
    "Secret": {"Type": "String", "NoEcho": true, "MinLength": 8},
    "Port": {"Type": "Number", "Default": 5432, "MinValue": 1150, "MaxValue": 65535}
  },
  "Conditions": {
    "IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]},
    "IsDev": {"Fn::Not": [{"Condition": "IsProd"}]}
  },
  "Resources": {
    "AppGroup": {
      "Type": "AWS::EC2::SecurityGroup",
      "Properties": {
        "GroupDescription": {"Fn::Sub": "app ${Env} in ${AWS::Region} for ${AWS::StackName}"},
        "VpcId": {"Ref": "Vpc"},
        "SecurityGroupIngress": [{"IpProtocol": "tcp", "FromPort": {"Ref": "Port"}, "ToPort": {"Ref": "Port"}, "CidrIp": "10.0.0.0/16"}],
        "Tags": [{"Key": "Name", "Value": {"Fn::Join": ["-", [{"Ref": "AWS::StackName"}, "app", {"Fn::If": ["IsDev", "dev", "prod"]}]]}}]
      }
    },
    "ProdOnly": {
      "Type": "AWS::EC2::SecurityGroup",
      "Condition": "IsProd",
      "Properties": {"GroupDescription": "prod only", "VpcId": {"Ref": "Vpc"}}
    }
  },
  "Outputs": {
    "GroupId": {"Value": {"Fn::GetAtt": ["AppGroup", "GroupId"]}},
    "Leaky": {"Description": "a careless output", "Value": {"Fn::Sub": "password=${Secret}"}},
    "Where": {"Value": {"Fn::Join": [":", [{"Ref": "AWS::AccountId"}, {"Ref": "AWS::Region"}]]}}
  }
}`

func TestParametersNoEchoAndConditions(t *testing.T) {
	c := start(t, sandbox.Options{Pace: testPace})
	param := func(k, v string) cfntypes.Parameter {
		return cfntypes.Parameter{ParameterKey: awssdk.String(k), ParameterValue: awssdk.String(v)}
	}
	for _, tc := range []struct {
		params []cfntypes.Parameter
		says   string
	}{
		{[]cfntypes.Parameter{param("Vpc", "vpc-0a1b2c3d4e5f60001")}, "Parameters: [Secret] must have values"},
		{[]cfntypes.Parameter{param("Vpc", "vpc-0a1b2c3d4e5f60001"), param("Secret", "s3cret-value"), param("Colour", "x")}, "Parameters: [Colour] do not exist in the template"},
		{[]cfntypes.Parameter{param("Vpc", "vpc-0a1b2c3d4e5f60001"), param("Secret", "s3cret-value"), param("Env", "qa")}, "Parameter 'Env' must be one of AllowedValues"},
		{[]cfntypes.Parameter{param("Vpc", "vpc-0000000000000dead"), param("Secret", "s3cret-value")}, "parameter value vpc-0000000000000dead for parameter name Vpc does not exist"},
		{[]cfntypes.Parameter{param("Vpc", "vpc-0a1b2c3d4e5f60001"), param("Secret", "short")}, "must contain at least 8 characters"},
		{[]cfntypes.Parameter{param("Vpc", "vpc-0a1b2c3d4e5f60001"), param("Secret", "s3cret-value"), param("Port", "80")}, "not less than 1150"},
	} {
		_, err := c.cfn.CreateStack(ctx(t), &cloudformation.CreateStackInput{StackName: awssdk.String("params"), TemplateBody: awssdk.String(paramTemplate), Parameters: tc.params})
		if msg, _ := wantAPIError(t, err, "ValidationError"); !strings.Contains(msg, tc.says) || strings.Contains(msg, "s3cret-value") {
			t.Errorf("%q, want %q (and never the secret)", msg, tc.says)
		}
	}

	id := createStack(t, c, &cloudformation.CreateStackInput{StackName: awssdk.String("params"), TemplateBody: awssdk.String(paramTemplate),
		Parameters: []cfntypes.Parameter{param("Vpc", "vpc-0a1b2c3d4e5f60001"), param("Secret", "s3cret-value")}})
	status, evs := waitStack(t, c, id)
	if status != "CREATE_COMPLETE" {
		t.Fatalf("status %s\n%s", status, dump(evs))
	}
	if slices.ContainsFunc(evs, func(e cfntypes.StackEvent) bool { return awssdk.ToString(e.LogicalResourceId) == "ProdOnly" }) {
		t.Error("ProdOnly was created although its condition is false")
	}
	out, err := c.cfn.DescribeStacks(ctx(t), &cloudformation.DescribeStacksInput{StackName: awssdk.String("params")})
	if err != nil {
		t.Fatal(err)
	}
	st := out.Stacks[0]
	params := map[string]string{}
	for _, p := range st.Parameters {
		params[awssdk.ToString(p.ParameterKey)] = awssdk.ToString(p.ParameterValue)
	}
	if params["Secret"] != "****" || params["Env"] != "dev" || params["Port"] != "5432" || params["Vpc"] != "vpc-0a1b2c3d4e5f60001" {
		t.Errorf("parameters %v", params)
	}
	outputs := map[string]string{}
	for _, o := range st.Outputs {
		outputs[awssdk.ToString(o.OutputKey)] = awssdk.ToString(o.OutputValue)
	}
	if outputs["Leaky"] != "password=****" || outputs["Where"] != "123456789012:eu-west-1" || !strings.HasPrefix(outputs["GroupId"], "sg-") {
		t.Errorf("outputs %v", outputs)
	}
	g, err := c.ec2.DescribeSecurityGroups(ctx(t), &ec2.DescribeSecurityGroupsInput{GroupIds: []string{outputs["GroupId"]}})
	if err != nil {
		t.Fatal(err)
	}
	sg := g.SecurityGroups[0]
	name := ""
	for _, tg := range sg.Tags {
		if awssdk.ToString(tg.Key) == "Name" {
			name = awssdk.ToString(tg.Value)
		}
	}
	if awssdk.ToString(sg.Description) != "app dev in eu-west-1 for params" || name != "params-app-dev" || awssdk.ToInt32(sg.IpPermissions[0].FromPort) != 5432 ||
		!strings.HasPrefix(awssdk.ToString(sg.GroupName), "params-AppGroup-") {
		t.Errorf("security group %+v (Name %q)", sg, name)
	}
}

func TestModifyDBClusterPassword(t *testing.T) {
	c := start(t, sandbox.Options{Pace: testPace})
	const password = "n3w-Passw0rd"
	out, err := c.rds.ModifyDBCluster(ctx(t), &rds.ModifyDBClusterInput{DBClusterIdentifier: awssdk.String("orders-mysql"),
		MasterUserPassword: awssdk.String(password), ApplyImmediately: awssdk.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	if awssdk.ToString(out.DBCluster.Status) != "resetting-master-credentials" || out.DBCluster.PendingModifiedValues == nil ||
		awssdk.ToString(out.DBCluster.PendingModifiedValues.MasterUserPassword) != "****" {
		t.Errorf("ModifyDBCluster returned %+v", out.DBCluster)
	}
	eventually(t, "orders-mysql to be available again", func() bool {
		cl, err := c.rds.DescribeDBClusters(ctx(t), &rds.DescribeDBClustersInput{DBClusterIdentifier: awssdk.String("orders-mysql")})
		return err == nil && awssdk.ToString(cl.DBClusters[0].Status) == "available" && cl.DBClusters[0].PendingModifiedValues == nil
	})

	_, err = c.rds.ModifyDBCluster(ctx(t), &rds.ModifyDBClusterInput{DBClusterIdentifier: awssdk.String("orders-mysql"), MasterUserPassword: awssdk.String("has space@x")})
	if msg, _ := wantAPIError(t, err, "InvalidParameterValue"); !strings.Contains(msg, "MasterUserPassword") || strings.Contains(msg, "has space") {
		t.Errorf("bad password: %q", msg)
	}
	// RDS's model: 8 to 41 characters for every Aurora cluster, PostgreSQL too.
	long := strings.Repeat("x", 42)
	_, err = c.rds.ModifyDBCluster(ctx(t), &rds.ModifyDBClusterInput{DBClusterIdentifier: awssdk.String("geo-pg"), MasterUserPassword: awssdk.String(long)})
	if msg, _ := wantAPIError(t, err, "InvalidParameterValue"); msg != "The parameter MasterUserPassword is not a valid password because it is longer than 41 characters." {
		t.Errorf("42-character password on Aurora PostgreSQL: %q", msg)
	}
	_, err = c.rds.ModifyDBCluster(ctx(t), &rds.ModifyDBClusterInput{DBClusterIdentifier: awssdk.String("nope"), MasterUserPassword: awssdk.String(password)})
	wantAPIError(t, err, "DBClusterNotFoundFault")
	_, err = c.rds.ModifyDBCluster(ctx(t), &rds.ModifyDBClusterInput{DBClusterIdentifier: awssdk.String("reporting-stopped"), MasterUserPassword: awssdk.String(password)})
	wantAPIError(t, err, "InvalidDBClusterStateFault")
	// Other settings are accepted.
	if _, err := c.rds.ModifyDBCluster(ctx(t), &rds.ModifyDBClusterInput{DBClusterIdentifier: awssdk.String("geo-pg"), BackupRetentionPeriod: awssdk.Int32(5),
		EnableIAMDatabaseAuthentication: awssdk.Bool(true)}); err != nil {
		t.Errorf("other settings: %v", err)
	}
}

func TestDeletionPolicySnapshotAndDeleteDuringCreate(t *testing.T) {
	c := start(t, sandbox.Options{Pace: testPace})
	// No DeletionPolicy on the cluster: CloudFormation's default, Snapshot.
	const name = "dave-snap"
	body := strings.Replace(cloneTemplate(t, prodArtifact(), name), `"Type": "AWS::RDS::DBCluster",
      "DeletionPolicy": "Delete",`, `"Type": "AWS::RDS::DBCluster",`, 1)
	if strings.Count(body, `"DeletionPolicy"`) != 1 {
		t.Fatal("could not drop the cluster's DeletionPolicy from the template")
	}
	id := createStack(t, c, &cloudformation.CreateStackInput{StackName: awssdk.String(name), TemplateBody: awssdk.String(body)})
	if status, evs := waitStack(t, c, id); status != "CREATE_COMPLETE" {
		t.Fatalf("%s\n%s", status, dump(evs))
	}
	if _, err := c.cfn.DeleteStack(ctx(t), &cloudformation.DeleteStackInput{StackName: awssdk.String(name)}); err != nil {
		t.Fatal(err)
	}
	status, evs := waitStack(t, c, id)
	if status != "DELETE_COMPLETE" {
		t.Fatalf("%s\n%s", status, dump(evs))
	}
	snaps, err := c.rds.DescribeDBClusterSnapshots(ctx(t), &rds.DescribeDBClusterSnapshotsInput{DBClusterIdentifier: awssdk.String(name)})
	if err != nil || len(snaps.DBClusterSnapshots) != 1 {
		t.Fatalf("snapshots %+v, %v", snaps, err)
	}
	snap := awssdk.ToString(snaps.DBClusterSnapshots[0].DBClusterSnapshotIdentifier)
	if !strings.HasPrefix(snap, name+"-snapshot-cluster-") || awssdk.ToString(snaps.DBClusterSnapshots[0].Status) != "available" {
		t.Errorf("snapshot %s", snap)
	}
	if !slices.ContainsFunc(evs, func(e cfntypes.StackEvent) bool {
		return awssdk.ToString(e.LogicalResourceId) == "Cluster" && strings.Contains(awssdk.ToString(e.ResourceStatusReason), snap)
	}) {
		t.Errorf("no event names the snapshot %s:\n%s", snap, dump(evs))
	}

	// DeleteStack while the stack is still being created cancels it.
	slow := start(t, sandbox.Options{Pace: 0.1})
	id = createStack(t, slow, &cloudformation.CreateStackInput{StackName: awssdk.String("erin-impatient"),
		TemplateBody: awssdk.String(cloneTemplate(t, prodArtifact(), "erin-impatient"))})
	eventually(t, "the cluster to start", func() bool {
		_, err := slow.rds.DescribeDBClusters(ctx(t), &rds.DescribeDBClustersInput{DBClusterIdentifier: awssdk.String("erin-impatient")})
		return err == nil
	})
	if _, err := slow.cfn.DeleteStack(ctx(t), &cloudformation.DeleteStackInput{StackName: awssdk.String("erin-impatient")}); err != nil {
		t.Fatal(err)
	}
	status, evs = waitStack(t, slow, id)
	if status != "DELETE_COMPLETE" {
		t.Fatalf("%s\n%s", status, dump(evs))
	}
	before(t, evs, "erin-impatient DELETE_IN_PROGRESS", "Cluster CREATE_FAILED")
	if r := awssdk.ToString(evs[indexOf(t, evs, "Cluster CREATE_FAILED")].ResourceStatusReason); r != "Resource creation cancelled" {
		t.Errorf("cancelled cluster reason %q", r)
	}
	before(t, evs, "Cluster CREATE_FAILED", "Cluster DELETE_COMPLETE")
	if _, err := slow.rds.DescribeDBClusters(ctx(t), &rds.DescribeDBClustersInput{DBClusterIdentifier: awssdk.String("erin-impatient")}); err == nil {
		t.Error("the cancelled clone's cluster is still there")
	}
}

func TestStackEventsPagingAndThrottling(t *testing.T) {
	c := start(t, sandbox.Options{Pace: testPace})
	var res []string
	for i := range 40 {
		res = append(res, fmt.Sprintf(`"G%d": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "group %d", "VpcId": "vpc-0a1b2c3d4e5f60002"}}`, i, i))
	}
	body := `{"Resources": {` + strings.Join(res, ",") + `}}`
	id := createStack(t, c, &cloudformation.CreateStackInput{StackName: awssdk.String("many"), TemplateBody: awssdk.String(body)})
	status, _ := waitStack(t, c, id)
	if status != "CREATE_COMPLETE" {
		t.Fatal(status)
	}
	p := cloudformation.NewDescribeStackEventsPaginator(c.cfn, &cloudformation.DescribeStackEventsInput{StackName: awssdk.String("many")})
	var pages, total int
	var last time.Time
	seen := map[string]bool{}
	for p.HasMorePages() {
		out, err := p.NextPage(ctx(t))
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, e := range out.StackEvents {
			total++
			seen[awssdk.ToString(e.EventId)] = true
			if !last.IsZero() && e.Timestamp.After(last) {
				t.Errorf("events not newest first at %s", eventLine(e))
			}
			last = *e.Timestamp
		}
	}
	if want := 2 + 40*3; pages != 2 || total != want || len(seen) != want {
		t.Errorf("%d pages, %d events (%d distinct); want 2 pages, %d", pages, total, len(seen), want)
	}

	c.sb.Inject(sandbox.Fault{Service: "cloudformation", Action: "DescribeStackEvents", Code: "Throttling", Times: 2})
	for range 2 {
		_, err := c.cfn.DescribeStackEvents(ctx(t), &cloudformation.DescribeStackEventsInput{StackName: awssdk.String("many")})
		if msg, _ := wantAPIError(t, err, "Throttling"); msg != "Rate exceeded" {
			t.Errorf("throttling message %q", msg)
		}
	}
	if _, err := c.cfn.DescribeStackEvents(ctx(t), &cloudformation.DescribeStackEventsInput{StackName: awssdk.String("many")}); err != nil {
		t.Errorf("after the throttling: %v", err)
	}
	_, err := c.cfn.DescribeStackEvents(ctx(t), &cloudformation.DescribeStackEventsInput{StackName: awssdk.String("nope")})
	if msg, _ := wantAPIError(t, err, "ValidationError"); !strings.Contains(msg, "does not exist") {
		t.Errorf("missing stack: %q", msg)
	}
}

// TestCloseStopsBackgroundWork: Close in the middle of a slow clone leaves
// no sandbox goroutine behind.
func TestCloseStopsBackgroundWork(t *testing.T) {
	sb := sandbox.New(sandbox.Options{Pace: 1})
	url, err := sb.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cl := clientsFor(t, url)
	createStack(t, cl, &cloudformation.CreateStackInput{StackName: awssdk.String("slow"),
		TemplateBody: awssdk.String(cloneTemplate(t, prodArtifact(), "slow"))})
	if _, err := cl.rds.ModifyDBCluster(ctx(t), &rds.ModifyDBClusterInput{DBClusterIdentifier: awssdk.String("geo-pg"), MasterUserPassword: awssdk.String("another-pass-1")}); err != nil {
		t.Fatal(err)
	}
	sb.Close()
	eventually(t, "the sandbox's goroutines to end", func() bool {
		buf := make([]byte, 1<<20)
		return !strings.Contains(string(buf[:runtime.Stack(buf, true)]), "dbaf/internal/sandbox.(*Server)")
	})
}
