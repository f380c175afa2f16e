package sandbox_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/dbaf/dbaf/internal/sandbox"
)

func TestDescribeDBClustersPages(t *testing.T) {
	c := start(t, sandbox.Options{})
	auroraOnly := []rdstypes.Filter{{Name: awssdk.String("engine"), Values: []string{"aurora-postgresql", "aurora-mysql"}}}
	for _, tc := range []struct {
		name      string
		filters   []rdstypes.Filter
		wantTotal int
	}{
		{"all", nil, 25},
		{"aurora", auroraOnly, 24},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := rds.NewDescribeDBClustersPaginator(c.rds, &rds.DescribeDBClustersInput{MaxRecords: awssdk.Int32(20), Filters: tc.filters})
			pages, seen := 0, map[string]bool{}
			for p.HasMorePages() {
				out, err := p.NextPage(ctx(t))
				if err != nil {
					t.Fatal(err)
				}
				pages++
				for _, cl := range out.DBClusters {
					id := awssdk.ToString(cl.DBClusterIdentifier)
					if seen[id] {
						t.Errorf("%s listed twice", id)
					}
					seen[id] = true
					if tc.filters != nil && !strings.HasPrefix(awssdk.ToString(cl.Engine), "aurora-") {
						t.Errorf("filter let %s (%s) through", id, awssdk.ToString(cl.Engine))
					}
				}
			}
			if pages != 2 || len(seen) != tc.wantTotal {
				t.Errorf("%d pages, %d clusters; want 2 pages, %d clusters", pages, len(seen), tc.wantTotal)
			}
		})
	}
}

func TestExtraClustersPageByHundred(t *testing.T) {
	c := start(t, sandbox.Options{ExtraClusters: 250})
	p := rds.NewDescribeDBClustersPaginator(c.rds, &rds.DescribeDBClustersInput{})
	pages, total, load := 0, 0, 0
	for p.HasMorePages() {
		out, err := p.NextPage(ctx(t))
		if err != nil {
			t.Fatal(err)
		}
		pages++
		total += len(out.DBClusters)
		for _, cl := range out.DBClusters {
			if strings.HasPrefix(awssdk.ToString(cl.DBClusterIdentifier), "load-") {
				load++
			}
		}
	}
	if pages != 3 || total != 275 || load != 250 {
		t.Errorf("%d pages, %d clusters (%d load-*); want 3 pages of the default 100, 275 clusters, 250 load-*", pages, total, load)
	}
}

func TestClusterDetail(t *testing.T) {
	c := start(t, sandbox.Options{})
	out, err := c.rds.DescribeDBClusters(ctx(t), &rds.DescribeDBClustersInput{DBClusterIdentifier: awssdk.String("prod-aurora")})
	if err != nil {
		t.Fatal(err)
	}
	cl := out.DBClusters[0]
	if awssdk.ToString(cl.Engine) != "aurora-postgresql" || awssdk.ToString(cl.EngineVersion) != "16.4" || awssdk.ToInt32(cl.Port) != 5432 ||
		awssdk.ToString(cl.MasterUsername) != "postgres" || awssdk.ToString(cl.DBSubnetGroup) != "prod-db-subnets" ||
		len(cl.VpcSecurityGroups) != 1 || awssdk.ToString(cl.Status) != "available" || cl.LatestRestorableTime == nil {
		t.Errorf("prod-aurora = %+v", cl)
	}
	if len(cl.DBClusterMembers) != 2 || !awssdk.ToBool(cl.DBClusterMembers[0].IsClusterWriter) || awssdk.ToBool(cl.DBClusterMembers[1].IsClusterWriter) {
		t.Errorf("members = %+v", cl.DBClusterMembers)
	}
	if got := awssdk.ToString(cl.Endpoint); got != "prod-aurora.cluster-c0sandbox.eu-west-1.rds.amazonaws.com" {
		t.Errorf("endpoint %s", got)
	}

	out, err = c.rds.DescribeDBClusters(ctx(t), &rds.DescribeDBClustersInput{DBClusterIdentifier: awssdk.String("analytics-serverless")})
	if err != nil {
		t.Fatal(err)
	}
	if sc := out.DBClusters[0].ServerlessV2ScalingConfiguration; sc == nil || awssdk.ToFloat64(sc.MinCapacity) != 0.5 || awssdk.ToFloat64(sc.MaxCapacity) != 16 {
		t.Errorf("analytics-serverless scaling = %+v", sc)
	}

	ins, err := c.rds.DescribeDBInstances(ctx(t), &rds.DescribeDBInstancesInput{
		Filters: []rdstypes.Filter{{Name: awssdk.String("db-cluster-id"), Values: []string{"prod-aurora"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(ins.DBInstances) != 2 {
		t.Fatalf("%d instances of prod-aurora, want 2", len(ins.DBInstances))
	}
	for _, in := range ins.DBInstances {
		if awssdk.ToString(in.DBInstanceClass) != "db.r6g.large" || awssdk.ToString(in.DBClusterIdentifier) != "prod-aurora" ||
			in.DBSubnetGroup == nil || len(in.DBSubnetGroup.Subnets) != 3 {
			t.Errorf("instance %+v", in)
		}
	}
	in, err := c.rds.DescribeDBInstances(ctx(t), &rds.DescribeDBInstancesInput{DBInstanceIdentifier: awssdk.String("orders-mysql-1")})
	if err != nil || awssdk.ToString(in.DBInstances[0].DBInstanceClass) != "db.r6g.xlarge" {
		t.Errorf("orders-mysql-1: %+v, %v", in, err)
	}
}

func TestRDSErrors(t *testing.T) {
	c := start(t, sandbox.Options{})
	_, err := c.rds.DescribeDBClusters(ctx(t), &rds.DescribeDBClustersInput{DBClusterIdentifier: awssdk.String("prod-auror")})
	if msg, status := wantAPIError(t, err, "DBClusterNotFoundFault"); msg != "DBCluster prod-auror not found." || status != 404 {
		t.Errorf("not found: %q, HTTP %d", msg, status)
	}
	var nf *rdstypes.DBClusterNotFoundFault
	if !errors.As(err, &nf) {
		t.Errorf("the SDK did not decode its modelled DBClusterNotFoundFault: %T", err)
	}
	_, err = c.rds.DescribeDBInstances(ctx(t), &rds.DescribeDBInstancesInput{DBInstanceIdentifier: awssdk.String("nope-1")})
	wantAPIError(t, err, "DBInstanceNotFound")
	_, err = c.rds.DescribeDBSubnetGroups(ctx(t), &rds.DescribeDBSubnetGroupsInput{DBSubnetGroupName: awssdk.String("nope")})
	wantAPIError(t, err, "DBSubnetGroupNotFoundFault")
	for _, n := range []int32{19, 101} {
		_, err = c.rds.DescribeDBClusters(ctx(t), &rds.DescribeDBClustersInput{MaxRecords: awssdk.Int32(n)})
		wantAPIError(t, err, "InvalidParameterValue")
	}
	_, err = c.rds.DescribeDBClusters(ctx(t), &rds.DescribeDBClustersInput{Marker: awssdk.String("not-a-marker!")})
	wantAPIError(t, err, "InvalidParameterValue")
	_, err = c.rds.DescribeDBClusters(ctx(t), &rds.DescribeDBClustersInput{
		Filters: []rdstypes.Filter{{Name: awssdk.String("colour"), Values: []string{"blue"}}}})
	wantAPIError(t, err, "InvalidParameterValue")
}

func TestSubnetGroups(t *testing.T) {
	c := start(t, sandbox.Options{})
	out, err := c.rds.DescribeDBSubnetGroups(ctx(t), &rds.DescribeDBSubnetGroupsInput{})
	if err != nil {
		t.Fatal(err)
	}
	azs := map[string]map[string]bool{}
	for _, g := range out.DBSubnetGroups {
		name := awssdk.ToString(g.DBSubnetGroupName)
		azs[name] = map[string]bool{}
		for _, s := range g.Subnets {
			azs[name][awssdk.ToString(s.SubnetAvailabilityZone.Name)] = true
		}
	}
	if len(azs["prod-db-subnets"]) != 3 || len(azs["staging-db-subnets"]) != 3 || len(azs["single-az-subnets"]) != 1 {
		t.Errorf("AZs per subnet group: %v", azs)
	}
}

func TestOrderableOptions(t *testing.T) {
	c := start(t, sandbox.Options{})
	p := rds.NewDescribeOrderableDBInstanceOptionsPaginator(c.rds, &rds.DescribeOrderableDBInstanceOptionsInput{
		Engine: awssdk.String("aurora-postgresql"), EngineVersion: awssdk.String("16.4"), Vpc: awssdk.Bool(true)})
	pages, entries := 0, 0
	classes := map[string]int{}
	for p.HasMorePages() {
		out, err := p.NextPage(ctx(t))
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, o := range out.OrderableDBInstanceOptions {
			entries++
			classes[awssdk.ToString(o.DBInstanceClass)]++
		}
	}
	if entries <= 100 || pages < 2 {
		t.Errorf("%d entries in %d pages: want more than one page of 100", entries, pages)
	}
	if classes["db.r6g.large"] < 2 || classes["db.serverless"] == 0 || classes["db.t3.small"] != 0 {
		t.Errorf("classes = %v: want db.r6g.large repeated, db.serverless, no db.t3.small", classes)
	}

	out, err := c.rds.DescribeOrderableDBInstanceOptions(ctx(t), &rds.DescribeOrderableDBInstanceOptionsInput{
		Engine: awssdk.String("aurora-postgresql"), EngineVersion: awssdk.String("16.4"), MaxRecords: awssdk.Int32(1000)})
	if err != nil || len(out.OrderableDBInstanceOptions) != entries || out.Marker != nil {
		t.Errorf("MaxRecords 1000: %d entries, marker %v, %v", len(out.OrderableDBInstanceOptions), out.Marker, err)
	}
	out, err = c.rds.DescribeOrderableDBInstanceOptions(ctx(t), &rds.DescribeOrderableDBInstanceOptionsInput{
		Engine: awssdk.String("aurora-postgresql"), EngineVersion: awssdk.String("9.6.1")})
	if err != nil || len(out.OrderableDBInstanceOptions) != 0 {
		t.Errorf("unknown version: %d entries, %v", len(out.OrderableDBInstanceOptions), err)
	}
}

func TestDescribeSubnets(t *testing.T) {
	c := start(t, sandbox.Options{})
	vpcs, err := c.ec2.DescribeVpcs(ctx(t), &ec2.DescribeVpcsInput{
		Filters: []ec2types.Filter{{Name: awssdk.String("tag:Name"), Values: []string{"staging"}}}})
	if err != nil || len(vpcs.Vpcs) != 1 || awssdk.ToString(vpcs.Vpcs[0].CidrBlock) != "10.1.0.0/16" {
		t.Fatalf("staging VPC: %+v, %v", vpcs, err)
	}
	staging := awssdk.ToString(vpcs.Vpcs[0].VpcId)

	out, err := c.ec2.DescribeSubnets(ctx(t), &ec2.DescribeSubnetsInput{
		Filters: []ec2types.Filter{{Name: awssdk.String("vpc-id"), Values: []string{staging}}}})
	if err != nil {
		t.Fatal(err)
	}
	byAZ := map[string]int{}
	for _, s := range out.Subnets {
		if awssdk.ToString(s.VpcId) != staging || awssdk.ToString(s.CidrBlock) == "" || len(s.Tags) == 0 {
			t.Errorf("subnet %+v", s)
		}
		byAZ[awssdk.ToString(s.AvailabilityZone)]++
	}
	if len(byAZ) != 3 || byAZ["eu-west-1a"] < 2 {
		t.Errorf("staging subnets by AZ: %v; want all three AZs and two sharing one", byAZ)
	}

	out, err = c.ec2.DescribeSubnets(ctx(t), &ec2.DescribeSubnetsInput{Filters: []ec2types.Filter{
		{Name: awssdk.String("vpc-id"), Values: []string{staging}},
		{Name: awssdk.String("availability-zone"), Values: []string{"eu-west-1b", "eu-west-1c"}}}})
	if err != nil || len(out.Subnets) != 2 {
		t.Errorf("two filters: %d subnets, %v", len(out.Subnets), err)
	}

	id := awssdk.ToString(out.Subnets[0].SubnetId)
	_, err = c.ec2.DescribeSubnets(ctx(t), &ec2.DescribeSubnetsInput{SubnetIds: []string{id, "subnet-0000000000000dead"}})
	if msg, _ := wantAPIError(t, err, "InvalidSubnetID.NotFound"); msg != "The subnet ID 'subnet-0000000000000dead' does not exist" {
		t.Errorf("message %q", msg)
	}
	_, err = c.ec2.DescribeSubnets(ctx(t), &ec2.DescribeSubnetsInput{SubnetIds: []string{"sub-1"}})
	wantAPIError(t, err, "InvalidSubnetID.Malformed")
	_, err = c.ec2.DescribeVpcs(ctx(t), &ec2.DescribeVpcsInput{VpcIds: []string{"vpc-0000000000000dead"}})
	wantAPIError(t, err, "InvalidVpcID.NotFound")
	_, err = c.ec2.DescribeSubnets(ctx(t), &ec2.DescribeSubnetsInput{MaxResults: awssdk.Int32(4)})
	wantAPIError(t, err, "InvalidParameterValue")
	_, err = c.ec2.DescribeSubnets(ctx(t), &ec2.DescribeSubnetsInput{Filters: []ec2types.Filter{{Name: awssdk.String("colour"), Values: []string{"x"}}}})
	wantAPIError(t, err, "InvalidParameterValue")
}

func TestExtraSubnetsPaging(t *testing.T) {
	c := start(t, sandbox.Options{ExtraSubnets: 2345})
	filter := []ec2types.Filter{{Name: awssdk.String("tag:Name"), Values: []string{"staging-*"}}}
	all, err := c.ec2.DescribeSubnets(ctx(t), &ec2.DescribeSubnetsInput{Filters: filter})
	if err != nil || len(all.Subnets) != 2350 || all.NextToken != nil {
		t.Fatalf("without MaxResults: %d subnets, token %v, %v; want all 2350 at once", len(all.Subnets), all.NextToken, err)
	}
	p := ec2.NewDescribeSubnetsPaginator(c.ec2, &ec2.DescribeSubnetsInput{Filters: filter, MaxResults: awssdk.Int32(1000)})
	pages, seen := 0, map[string]bool{}
	for p.HasMorePages() {
		out, err := p.NextPage(ctx(t))
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, s := range out.Subnets {
			seen[awssdk.ToString(s.SubnetId)] = true
		}
	}
	if pages != 3 || len(seen) != 2350 {
		t.Errorf("%d pages, %d distinct subnets; want 3 and 2350", pages, len(seen))
	}
}

func TestSecurityGroupsAndIdentity(t *testing.T) {
	c := start(t, sandbox.Options{})
	out, err := c.ec2.DescribeSecurityGroups(ctx(t), &ec2.DescribeSecurityGroupsInput{Filters: []ec2types.Filter{
		{Name: awssdk.String("vpc-id"), Values: []string{"vpc-0a1b2c3d4e5f60001"}},
		{Name: awssdk.String("group-name"), Values: []string{"prod-aurora-*"}}}})
	if err != nil || len(out.SecurityGroups) != 2 {
		t.Fatalf("prod aurora security groups: %+v, %v", out, err)
	}
	for _, g := range out.SecurityGroups {
		if len(g.IpPermissions) != 1 || len(g.IpPermissions[0].IpRanges) != 1 || len(g.IpPermissionsEgress) != 1 {
			t.Errorf("rules of %s: %+v", awssdk.ToString(g.GroupId), g.IpPermissions)
		}
	}
	_, err = c.ec2.DescribeSecurityGroups(ctx(t), &ec2.DescribeSecurityGroupsInput{GroupIds: []string{"sg-0000000000000dead"}})
	wantAPIError(t, err, "InvalidGroup.NotFound")

	id, err := c.sts.GetCallerIdentity(ctx(t), &sts.GetCallerIdentityInput{})
	if err != nil || awssdk.ToString(id.Account) != "123456789012" || awssdk.ToString(id.Arn) != "arn:aws:iam::123456789012:user/sandbox-developer" ||
		awssdk.ToString(id.UserId) != "AIDASANDBOXDEVELOPER" {
		t.Errorf("identity %+v, %v", id, err)
	}
}

func TestRegionAndAccountOptions(t *testing.T) {
	sb := sandbox.New(sandbox.Options{Region: "us-east-2", AccountID: "210987654321"})
	defer sb.Close()
	url, err := sb.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c := clientsIn(t, url, "us-east-2")
	out, err := c.ec2.DescribeSubnets(ctx(t), &ec2.DescribeSubnetsInput{})
	if err != nil {
		t.Fatal(err)
	}
	var zones []string
	for _, s := range out.Subnets {
		if !slices.Contains(zones, awssdk.ToString(s.AvailabilityZone)) {
			zones = append(zones, awssdk.ToString(s.AvailabilityZone))
		}
		if awssdk.ToString(s.OwnerId) != "210987654321" {
			t.Errorf("owner %s", awssdk.ToString(s.OwnerId))
		}
	}
	slices.Sort(zones)
	if !slices.Equal(zones, []string{"us-east-2a", "us-east-2b", "us-east-2c"}) || awssdk.ToString(out.Subnets[0].AvailabilityZoneId) == "" {
		t.Errorf("zones %v", zones)
	}
}
