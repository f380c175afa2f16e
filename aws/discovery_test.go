package aws

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
)

func wantKind(t *testing.T, err error, k Kind) *Error {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *aws.Error", err, err)
	}
	if e.Kind != k {
		t.Fatalf("kind = %v, want %v (message %q)", e.Kind, k, e.Msg)
	}
	return e
}

func TestClustersPagesToTheEndAndKeepsAuroraOnly(t *testing.T) {
	c, f := newFakeClient()
	f.rds.serverCap = 40 // below MaxRecords, so the fake forces paging
	var want []string
	for i := 249; i >= 0; i-- {
		engine := []string{"aurora-postgresql", "aurora-mysql"}[i%2]
		id := fmt.Sprintf("c-%03d", i)
		f.rds.clusters = append(f.rds.clusters, cluster(id, engine))
		want = append(want, id)
	}
	f.rds.clusters = append(f.rds.clusters, cluster("legacy-multiaz", "postgres"), cluster("plain-mysql", "mysql"))
	slices.Sort(want)

	got, err := c.Clusters(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, cl := range got {
		ids = append(ids, cl.ID)
	}
	if !slices.Equal(ids, want) {
		t.Fatalf("got %d clusters %v…, want the 250 Aurora ones sorted", len(ids), ids[:min(5, len(ids))])
	}
	if n := f.rds.calls["DescribeDBClusters"]; n != 7 { // ceil(252/40)
		t.Errorf("DescribeDBClusters calls = %d, want 7", n)
	}
	for _, s := range f.rds.sizes["DescribeDBClusters"] {
		if s != 100 {
			t.Errorf("MaxRecords = %d, want 100", s)
		}
	}
	fl := f.rds.lastFilters["DescribeDBClusters"]
	if len(fl) != 1 || awssdk.ToString(fl[0].Name) != "engine" || !slices.Equal(fl[0].Values, []string{"aurora-mysql", "aurora-postgresql"}) {
		t.Errorf("filters = %+v, want engine in the Aurora engines", fl)
	}
}

func TestClusterDetail(t *testing.T) {
	c, f := newFakeClient()
	f.rds.serverCap = 2
	dc := cluster("prod-aurora", "aurora-postgresql")
	dc.DBClusterArn = awssdk.String("arn:aws:rds:eu-west-1:123456789012:cluster:prod-aurora")
	dc.EngineVersion = awssdk.String("16.4")
	dc.Port = awssdk.Int32(5432)
	dc.MasterUsername = awssdk.String("postgres")
	dc.DBSubnetGroup = awssdk.String("prod-db-subnets")
	dc.VpcSecurityGroups = []rdstypes.VpcSecurityGroupMembership{{VpcSecurityGroupId: awssdk.String("sg-1")}, {VpcSecurityGroupId: awssdk.String("sg-2")}}
	dc.DBClusterMembers = []rdstypes.DBClusterMember{
		{DBInstanceIdentifier: awssdk.String("prod-aurora-b"), IsClusterWriter: awssdk.Bool(false)},
		{DBInstanceIdentifier: awssdk.String("prod-aurora-c"), IsClusterWriter: awssdk.Bool(false)},
		{DBInstanceIdentifier: awssdk.String("prod-aurora-a"), IsClusterWriter: awssdk.Bool(true)},
	}
	dc.ServerlessV2ScalingConfiguration = &rdstypes.ServerlessV2ScalingConfigurationInfo{MinCapacity: awssdk.Float64(0.5), MaxCapacity: awssdk.Float64(16)}
	dc.TagList = []rdstypes.Tag{{Key: awssdk.String("team"), Value: awssdk.String("data")}}
	f.rds.clusters = []rdstypes.DBCluster{cluster("other", "aurora-mysql"), dc}
	inst := func(id, cl, class string) rdstypes.DBInstance {
		return rdstypes.DBInstance{DBInstanceIdentifier: awssdk.String(id), DBClusterIdentifier: awssdk.String(cl), DBInstanceClass: awssdk.String(class)}
	}
	f.rds.instances = []rdstypes.DBInstance{
		inst("other-1", "other", "db.t4g.medium"),
		inst("prod-aurora-a", "prod-aurora", "db.r6g.large"),
		inst("prod-aurora-b", "prod-aurora", "db.r6g.large"),
		inst("prod-aurora-c", "prod-aurora", "db.serverless"), // on the second page
	}

	got, err := c.Cluster(context.Background(), "prod-aurora")
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != "prod-aurora" || got.Engine != "aurora-postgresql" || got.EngineVersion != "16.4" || got.Port != 5432 ||
		got.MasterUsername != "postgres" || got.SubnetGroup != "prod-db-subnets" || got.ARN == "" ||
		!slices.Equal(got.SecurityGroups, []string{"sg-1", "sg-2"}) || got.Tags["team"] != "data" {
		t.Errorf("cluster = %+v", got)
	}
	wantMembers := []Member{{"prod-aurora-a", true, "db.r6g.large"}, {"prod-aurora-b", false, "db.r6g.large"}, {"prod-aurora-c", false, "db.serverless"}}
	if !slices.Equal(got.Members, wantMembers) {
		t.Errorf("members = %+v, want %+v", got.Members, wantMembers)
	}
	if got.Serverless == nil || *got.Serverless != (ServerlessScaling{0.5, 16}) {
		t.Errorf("serverless = %+v", got.Serverless)
	}
	if n := f.rds.calls["DescribeDBInstances"]; n != 2 {
		t.Errorf("DescribeDBInstances calls = %d, want 2 pages", n)
	}
	fl := f.rds.lastFilters["DescribeDBInstances"]
	if len(fl) != 1 || awssdk.ToString(fl[0].Name) != "db-cluster-id" || !slices.Equal(fl[0].Values, []string{"prod-aurora"}) {
		t.Errorf("instance filters = %+v", fl)
	}
	if f.sts.calls["GetCallerIdentity"] != 0 {
		t.Error("a found cluster must not cost an STS call")
	}
}

func TestClusterNotFoundNamesRegionAndAccount(t *testing.T) {
	c, f := newFakeClient()
	_, err := c.Cluster(context.Background(), "prod-auror")
	e := wantKind(t, err, NotFound)
	want := `no DB cluster "prod-auror" in eu-west-1 (account 123456789012); check the id or the region, or list clusters with "aws rds describe-db-clusters"`
	if e.Msg != want {
		t.Errorf("message\n got %s\nwant %s", e.Msg, want)
	}
	if e.Err == nil {
		t.Error("the SDK error should stay reachable")
	}

	// Without the account when STS fails too.
	f.sts.errs = map[string]error{"GetCallerIdentity": apiErr("AccessDenied", "no")}
	_, err = c.Cluster(context.Background(), "prod-auror")
	e = wantKind(t, err, NotFound)
	if !strings.HasPrefix(e.Msg, `no DB cluster "prod-auror" in eu-west-1; check`) {
		t.Errorf("message = %s", e.Msg)
	}
}

func TestClusterErrorsAreExplained(t *testing.T) {
	c, f := newFakeClient()
	f.rds.errs = map[string]error{"DescribeDBClusters": apiErr("AccessDenied", "User: arn:aws:iam::1:user/x is not authorized to perform: rds:DescribeDBClusters")}
	_, err := c.Cluster(context.Background(), "x")
	e := wantKind(t, err, AccessDenied)
	if !strings.Contains(e.Msg, "rds:DescribeDBClusters") || e.Op != "rds:DescribeDBClusters" {
		t.Errorf("message = %s", e.Msg)
	}
	_, err = c.Clusters(context.Background())
	wantKind(t, err, AccessDenied)

	f.rds.errs = nil
	f.rds.clusters = []rdstypes.DBCluster{cluster("x", "aurora-mysql")}
	f.rds.errs = map[string]error{"DescribeDBInstances": apiErr("Throttling", "Rate exceeded")}
	_, err = c.Cluster(context.Background(), "x")
	e = wantKind(t, err, Throttled)
	if e.Op != "rds:DescribeDBInstances" {
		t.Errorf("op = %s", e.Op)
	}
}

func subnetGroupFixture(f fakes) {
	f.rds.subnetGroups = []rdstypes.DBSubnetGroup{{
		DBSubnetGroupName: awssdk.String("prod-db-subnets"), VpcId: awssdk.String("vpc-prod"),
		Subnets: []rdstypes.Subnet{
			{SubnetIdentifier: awssdk.String("subnet-c"), SubnetAvailabilityZone: &rdstypes.AvailabilityZone{Name: awssdk.String("eu-west-1c")}},
			{SubnetIdentifier: awssdk.String("subnet-a"), SubnetAvailabilityZone: &rdstypes.AvailabilityZone{Name: awssdk.String("eu-west-1a")}},
			{SubnetIdentifier: awssdk.String("subnet-b"), SubnetAvailabilityZone: &rdstypes.AvailabilityZone{Name: awssdk.String("eu-west-1b")}},
		},
	}}
	f.ec2.subnets = append(f.ec2.subnets,
		subnet("subnet-a", "vpc-prod", "eu-west-1a", "10.0.1.0/24", "prod-db-a"),
		subnet("subnet-b", "vpc-prod", "eu-west-1b", "10.0.2.0/24", "prod-db-b"),
		subnet("subnet-c", "vpc-prod", "eu-west-1c", "10.0.3.0/24", ""),
		subnet("subnet-x", "vpc-staging", "eu-west-1a", "10.1.1.0/24", ""),
	)
}

func TestSubnetGroup(t *testing.T) {
	c, f := newFakeClient()
	subnetGroupFixture(f)
	g, err := c.SubnetGroup(context.Background(), "prod-db-subnets")
	if err != nil {
		t.Fatal(err)
	}
	want := &SubnetGroup{Name: "prod-db-subnets", VpcID: "vpc-prod", Subnets: []Subnet{
		{"subnet-a", "vpc-prod", "eu-west-1a", "10.0.1.0/24", "prod-db-a"},
		{"subnet-b", "vpc-prod", "eu-west-1b", "10.0.2.0/24", "prod-db-b"},
		{"subnet-c", "vpc-prod", "eu-west-1c", "10.0.3.0/24", ""},
	}}
	if fmt.Sprint(g) != fmt.Sprint(want) {
		t.Errorf("got  %+v\nwant %+v", g, want)
	}

	_, err = c.SubnetGroup(context.Background(), "nope")
	e := wantKind(t, err, NotFound)
	if !strings.Contains(e.Msg, `no DB subnet group "nope" in eu-west-1`) {
		t.Errorf("message = %s", e.Msg)
	}
}

func TestSubnetsPagesAVPC(t *testing.T) {
	c, f := newFakeClient()
	f.ec2.serverCap = 7
	for i := range 30 {
		f.ec2.subnets = append(f.ec2.subnets, subnet(fmt.Sprintf("subnet-%02d", 29-i), "vpc-staging", fmt.Sprintf("eu-west-1%c", 'a'+i%3), "10.1.0.0/24", ""))
	}
	f.ec2.subnets = append(f.ec2.subnets, subnet("subnet-prod", "vpc-prod", "eu-west-1a", "10.0.0.0/24", ""))
	got, err := c.Subnets(context.Background(), "vpc-staging")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 30 {
		t.Fatalf("got %d subnets, want 30", len(got))
	}
	if !slices.IsSortedFunc(got, func(a, b Subnet) int {
		return strings.Compare(a.AZ+" "+a.ID, b.AZ+" "+b.ID)
	}) {
		t.Errorf("not sorted by AZ then id: %v", got)
	}
	if n := f.ec2.calls["DescribeSubnets"]; n != 5 {
		t.Errorf("DescribeSubnets calls = %d, want 5", n)
	}
	for _, s := range f.ec2.sizes["DescribeSubnets"] {
		if s != 1000 {
			t.Errorf("MaxResults = %d, want 1000", s)
		}
	}
}

func TestSubnetsByID(t *testing.T) {
	c, f := newFakeClient()
	subnetGroupFixture(f)
	got, err := c.SubnetsByID(context.Background(), []string{"subnet-c", "subnet-a", "subnet-c"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != "subnet-c" || got[1].ID != "subnet-a" || got[0].CIDR != "10.0.3.0/24" {
		t.Errorf("got %+v, want subnet-c then subnet-a", got)
	}

	_, err = c.SubnetsByID(context.Background(), []string{"subnet-a", "subnet-zzz"})
	e := wantKind(t, err, NotFound)
	if !strings.HasPrefix(e.Msg, `no subnet "subnet-zzz" in eu-west-1`) {
		t.Errorf("message = %s", e.Msg)
	}

	// An endpoint that drops unknown ids silently gets the same answer.
	f.ec2.dropUnknown = true
	_, err = c.SubnetsByID(context.Background(), []string{"subnet-a", "subnet-zzz", "subnet-yyy"})
	e = wantKind(t, err, NotFound)
	if !strings.HasPrefix(e.Msg, `no subnets subnet-zzz, subnet-yyy in eu-west-1`) {
		t.Errorf("message = %s", e.Msg)
	}
}

func TestVPC(t *testing.T) {
	c, f := newFakeClient()
	f.ec2.vpcs = append(f.ec2.vpcs, vpcFixture("vpc-prod", "10.0.0.0/16", "prod"))
	v, err := c.VPC(context.Background(), "vpc-prod")
	if err != nil {
		t.Fatal(err)
	}
	if *v != (VPC{"vpc-prod", "10.0.0.0/16", "prod"}) {
		t.Errorf("vpc = %+v", v)
	}
	_, err = c.VPC(context.Background(), "vpc-nope")
	e := wantKind(t, err, NotFound)
	if !strings.HasPrefix(e.Msg, `no VPC "vpc-nope" in eu-west-1`) {
		t.Errorf("message = %s", e.Msg)
	}
}

func TestOrderableClassesDedupAndSort(t *testing.T) {
	c, f := newFakeClient()
	f.rds.serverCap = 5
	opt := func(engine, version, class string) rdstypes.OrderableDBInstanceOption {
		return rdstypes.OrderableDBInstanceOption{Engine: awssdk.String(engine), EngineVersion: awssdk.String(version), DBInstanceClass: awssdk.String(class)}
	}
	for _, cl := range []string{"db.serverless", "db.r6g.2xlarge", "db.r6g.large", "db.t4g.medium", "db.r6g.xlarge",
		"db.r6g.16xlarge", "db.r6g.4xlarge", "db.r7g.large", "db.r6g.large", "db.t3.medium", "db.r6i.large", "db.serverless",
		"db.r6g.large", "db.x2g.large", "db.r6g.12xlarge", "db.t4g.medium"} {
		// Each class comes back twice per page set, as AWS lists it per
		// storage type.
		f.rds.orderable = append(f.rds.orderable, opt("aurora-postgresql", "16.4", cl), opt("aurora-postgresql", "16.4", cl))
	}
	f.rds.orderable = append(f.rds.orderable, opt("aurora-postgresql", "15.2", "db.t3.small"), opt("aurora-mysql", "16.4", "db.t3.small"))

	got, err := c.OrderableClasses(context.Background(), "aurora-postgresql", "16.4")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"db.r6g.large", "db.r6g.xlarge", "db.r6g.2xlarge", "db.r6g.4xlarge", "db.r6g.12xlarge", "db.r6g.16xlarge",
		"db.r6i.large", "db.r7g.large", "db.t3.medium", "db.t4g.medium", "db.x2g.large", "db.serverless"}
	if !slices.Equal(got, want) {
		t.Errorf("got  %v\nwant %v", got, want)
	}
	if n := f.rds.calls["DescribeOrderableDBInstanceOptions"]; n != 7 { // 32 options / 5
		t.Errorf("calls = %d, want 7", n)
	}
	for _, s := range f.rds.sizes["DescribeOrderableDBInstanceOptions"] {
		if s != 1000 {
			t.Errorf("MaxRecords = %d, want 1000", s)
		}
	}
}

func TestSortClasses(t *testing.T) {
	in := []string{"db.serverless", "db.r10g.large", "db.r6g.metal", "db.t3.micro", "db.r6g.24xlarge", "db.t3.small",
		"db.r6g.8xlarge", "db.r6gd.large", "db.t3.large", "db.t3.medium", "db.r6g.xlarge", "db.r7g.large"}
	sortClasses(in)
	want := []string{"db.r6g.xlarge", "db.r6g.8xlarge", "db.r6g.24xlarge", "db.r6g.metal", "db.r6gd.large", "db.r7g.large",
		"db.r10g.large", "db.t3.micro", "db.t3.small", "db.t3.medium", "db.t3.large", "db.serverless"}
	if !slices.Equal(in, want) {
		t.Errorf("got  %v\nwant %v", in, want)
	}
}

func TestCallerIdentity(t *testing.T) {
	c, f := newFakeClient()
	id, err := c.CallerIdentity(context.Background())
	if err != nil || id.Account != "123456789012" || !strings.HasSuffix(id.ARN, ":user/dev") || id.UserID == "" {
		t.Fatalf("identity = %+v, %v", id, err)
	}
	f.sts.errs = map[string]error{"GetCallerIdentity": apiErr("ExpiredToken", "The security token included in the request is expired")}
	_, err = c.CallerIdentity(context.Background())
	wantKind(t, err, ExpiredToken)
}
