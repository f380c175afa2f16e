package aws

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
)

// pageOf serves one page of items the way AWS does: token is the index to
// start from, the page holds min(max, serverCap) items.
func pageOf[T any](items []T, token *string, max *int32, serverCap int) ([]T, *string) {
	start := 0
	if token != nil && *token != "" {
		start, _ = strconv.Atoi(*token)
	}
	n := serverCap
	if max != nil && int(*max) < n {
		n = int(*max)
	}
	end := min(start+n, len(items))
	var next *string
	if end < len(items) {
		next = awssdk.String(strconv.Itoa(end))
	}
	return items[start:end], next
}

func apiErr(code, msg string) error { return &smithy.GenericAPIError{Code: code, Message: msg} }

// recorder counts calls and keeps the page sizes asked for.
type recorder struct {
	mu    sync.Mutex
	calls map[string]int
	sizes map[string][]int32
	errs  map[string]error // by operation
}

func (r *recorder) record(op string, size *int32) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.calls == nil {
		r.calls, r.sizes = map[string]int{}, map[string][]int32{}
	}
	r.calls[op]++
	if size != nil {
		r.sizes[op] = append(r.sizes[op], *size)
	} else {
		r.sizes[op] = append(r.sizes[op], 0)
	}
	return r.errs[op]
}

type fakeRDS struct {
	recorder
	serverCap    int // the most items the fake returns per page
	clusters     []rdstypes.DBCluster
	instances    []rdstypes.DBInstance
	subnetGroups []rdstypes.DBSubnetGroup
	orderable    []rdstypes.OrderableDBInstanceOption
	lastFilters  map[string][]rdstypes.Filter
}

func (f *fakeRDS) filters(op string, fl []rdstypes.Filter) {
	if f.lastFilters == nil {
		f.lastFilters = map[string][]rdstypes.Filter{}
	}
	f.lastFilters[op] = fl
}

func (f *fakeRDS) DescribeDBClusters(_ context.Context, in *rds.DescribeDBClustersInput, _ ...func(*rds.Options)) (*rds.DescribeDBClustersOutput, error) {
	if err := f.record("DescribeDBClusters", in.MaxRecords); err != nil {
		return nil, err
	}
	f.filters("DescribeDBClusters", in.Filters)
	if id := awssdk.ToString(in.DBClusterIdentifier); id != "" {
		for _, c := range f.clusters {
			if awssdk.ToString(c.DBClusterIdentifier) == id {
				return &rds.DescribeDBClustersOutput{DBClusters: []rdstypes.DBCluster{c}}, nil
			}
		}
		return nil, apiErr("DBClusterNotFoundFault", "DBCluster "+id+" not found.")
	}
	// Filters are deliberately ignored: the client must not rely on them.
	items, next := pageOf(f.clusters, in.Marker, in.MaxRecords, f.serverCap)
	return &rds.DescribeDBClustersOutput{DBClusters: items, Marker: next}, nil
}

func (f *fakeRDS) DescribeAccountAttributes(_ context.Context, _ *rds.DescribeAccountAttributesInput, _ ...func(*rds.Options)) (*rds.DescribeAccountAttributesOutput, error) {
	return &rds.DescribeAccountAttributesOutput{}, f.record("DescribeAccountAttributes", nil)
}

func (f *fakeRDS) DescribeDBEngineVersions(_ context.Context, _ *rds.DescribeDBEngineVersionsInput, _ ...func(*rds.Options)) (*rds.DescribeDBEngineVersionsOutput, error) {
	return &rds.DescribeDBEngineVersionsOutput{}, f.record("DescribeDBEngineVersions", nil)
}

func (f *fakeRDS) DescribeDBInstances(_ context.Context, in *rds.DescribeDBInstancesInput, _ ...func(*rds.Options)) (*rds.DescribeDBInstancesOutput, error) {
	if err := f.record("DescribeDBInstances", in.MaxRecords); err != nil {
		return nil, err
	}
	f.filters("DescribeDBInstances", in.Filters)
	var match []rdstypes.DBInstance
	for _, i := range f.instances {
		ok := true
		for _, fl := range in.Filters {
			if awssdk.ToString(fl.Name) == "db-cluster-id" && !slices.Contains(fl.Values, awssdk.ToString(i.DBClusterIdentifier)) {
				ok = false
			}
		}
		if ok {
			match = append(match, i)
		}
	}
	items, next := pageOf(match, in.Marker, in.MaxRecords, f.serverCap)
	return &rds.DescribeDBInstancesOutput{DBInstances: items, Marker: next}, nil
}

func (f *fakeRDS) DescribeDBSubnetGroups(_ context.Context, in *rds.DescribeDBSubnetGroupsInput, _ ...func(*rds.Options)) (*rds.DescribeDBSubnetGroupsOutput, error) {
	if err := f.record("DescribeDBSubnetGroups", in.MaxRecords); err != nil {
		return nil, err
	}
	for _, g := range f.subnetGroups {
		if awssdk.ToString(g.DBSubnetGroupName) == awssdk.ToString(in.DBSubnetGroupName) {
			return &rds.DescribeDBSubnetGroupsOutput{DBSubnetGroups: []rdstypes.DBSubnetGroup{g}}, nil
		}
	}
	return nil, apiErr("DBSubnetGroupNotFoundFault", "DB Subnet Group "+awssdk.ToString(in.DBSubnetGroupName)+" not found.")
}

func (f *fakeRDS) DescribeDBClusterSnapshots(context.Context, *rds.DescribeDBClusterSnapshotsInput, ...func(*rds.Options)) (*rds.DescribeDBClusterSnapshotsOutput, error) {
	return &rds.DescribeDBClusterSnapshotsOutput{}, nil
}

func (f *fakeRDS) DescribeOrderableDBInstanceOptions(_ context.Context, in *rds.DescribeOrderableDBInstanceOptionsInput, _ ...func(*rds.Options)) (*rds.DescribeOrderableDBInstanceOptionsOutput, error) {
	if err := f.record("DescribeOrderableDBInstanceOptions", in.MaxRecords); err != nil {
		return nil, err
	}
	var match []rdstypes.OrderableDBInstanceOption
	for _, o := range f.orderable {
		if awssdk.ToString(o.Engine) == awssdk.ToString(in.Engine) &&
			(in.EngineVersion == nil || awssdk.ToString(o.EngineVersion) == *in.EngineVersion) {
			match = append(match, o)
		}
	}
	items, next := pageOf(match, in.Marker, in.MaxRecords, f.serverCap)
	return &rds.DescribeOrderableDBInstanceOptionsOutput{OrderableDBInstanceOptions: items, Marker: next}, nil
}

type fakeEC2 struct {
	recorder
	serverCap   int
	subnets     []ec2types.Subnet
	vpcs        []ec2types.Vpc
	dropUnknown bool // answer unknown ids with silence instead of an error
}

func (f *fakeEC2) DescribeSubnets(_ context.Context, in *ec2.DescribeSubnetsInput, _ ...func(*ec2.Options)) (*ec2.DescribeSubnetsOutput, error) {
	if err := f.record("DescribeSubnets", in.MaxResults); err != nil {
		return nil, err
	}
	var match []ec2types.Subnet
	if len(in.SubnetIds) > 0 {
		var missing []string
		for _, id := range in.SubnetIds {
			i := slices.IndexFunc(f.subnets, func(s ec2types.Subnet) bool { return awssdk.ToString(s.SubnetId) == id })
			if i < 0 {
				missing = append(missing, id)
				continue
			}
			match = append(match, f.subnets[i])
		}
		if len(missing) > 0 && !f.dropUnknown {
			return nil, apiErr("InvalidSubnetID.NotFound", fmt.Sprintf("The subnet ID '%s' does not exist", strings.Join(missing, ", ")))
		}
	} else {
		for _, s := range f.subnets {
			ok := true
			for _, fl := range in.Filters {
				if awssdk.ToString(fl.Name) == "vpc-id" && !slices.Contains(fl.Values, awssdk.ToString(s.VpcId)) {
					ok = false
				}
			}
			if ok {
				match = append(match, s)
			}
		}
	}
	items, next := pageOf(match, in.NextToken, in.MaxResults, f.serverCap)
	return &ec2.DescribeSubnetsOutput{Subnets: items, NextToken: next}, nil
}

func (f *fakeEC2) DescribeVpcs(_ context.Context, in *ec2.DescribeVpcsInput, _ ...func(*ec2.Options)) (*ec2.DescribeVpcsOutput, error) {
	if err := f.record("DescribeVpcs", in.MaxResults); err != nil {
		return nil, err
	}
	for _, v := range f.vpcs {
		if slices.Contains(in.VpcIds, awssdk.ToString(v.VpcId)) {
			return &ec2.DescribeVpcsOutput{Vpcs: []ec2types.Vpc{v}}, nil
		}
	}
	return nil, apiErr("InvalidVpcID.NotFound", fmt.Sprintf("The vpc ID '%s' does not exist", strings.Join(in.VpcIds, ",")))
}

// DescribeRouteTables: the fake account has none (the sandbox tests read
// real ones).
func (f *fakeEC2) DescribeRouteTables(_ context.Context, in *ec2.DescribeRouteTablesInput, _ ...func(*ec2.Options)) (*ec2.DescribeRouteTablesOutput, error) {
	if err := f.record("DescribeRouteTables", in.MaxResults); err != nil {
		return nil, err
	}
	return &ec2.DescribeRouteTablesOutput{}, nil
}

type fakeSTS struct {
	recorder
	account string
}

func (f *fakeSTS) GetCallerIdentity(context.Context, *sts.GetCallerIdentityInput, ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error) {
	if err := f.record("GetCallerIdentity", nil); err != nil {
		return nil, err
	}
	return &sts.GetCallerIdentityOutput{Account: awssdk.String(f.account),
		Arn: awssdk.String("arn:aws:iam::" + f.account + ":user/dev"), UserId: awssdk.String("AIDAEXAMPLE")}, nil
}

type fakes struct {
	rds *fakeRDS
	ec2 *fakeEC2
	sts *fakeSTS
}

func newFakeClient() (*Client, fakes) {
	f := fakes{rds: &fakeRDS{serverCap: 100}, ec2: &fakeEC2{serverCap: 1000}, sts: &fakeSTS{account: "123456789012"}}
	return &Client{region: "eu-west-1", rds: f.rds, ec2: f.ec2, sts: f.sts}, f
}

func cluster(id, engine string) rdstypes.DBCluster {
	return rdstypes.DBCluster{DBClusterIdentifier: awssdk.String(id), Engine: awssdk.String(engine), Status: awssdk.String("available")}
}

func subnet(id, vpc, az, cidr, name string) ec2types.Subnet {
	s := ec2types.Subnet{SubnetId: awssdk.String(id), VpcId: awssdk.String(vpc), AvailabilityZone: awssdk.String(az), CidrBlock: awssdk.String(cidr)}
	if name != "" {
		s.Tags = []ec2types.Tag{{Key: awssdk.String("Owner"), Value: awssdk.String("x")}, {Key: awssdk.String("Name"), Value: awssdk.String(name)}}
	}
	return s
}

func vpcFixture(id, cidr, name string) ec2types.Vpc {
	return ec2types.Vpc{VpcId: awssdk.String(id), CidrBlock: awssdk.String(cidr),
		Tags: []ec2types.Tag{{Key: awssdk.String("Name"), Value: awssdk.String(name)}}}
}
