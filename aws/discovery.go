package aws

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/dbaf/dbaf/internal/engine"
)

// Clusters lists the region's Aurora clusters, sorted by id. Multi-AZ DB
// clusters of plain postgres or mysql are left out.
func (c *Client) Clusters(ctx context.Context) ([]Cluster, error) {
	var out []Cluster
	// The engine filter costs nothing and saves pages of non-Aurora
	// clusters; the client-side check guards against an endpoint that
	// ignores it.
	err := c.clusterPages(ctx, engine.Aurora(), func(page []Cluster) {
		for _, cl := range page {
			if slices.Contains(engine.Aurora(), cl.Engine) {
				out = append(out, cl)
			}
		}
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b Cluster) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

// ClusterPages calls page with each page of the region's DB clusters, of any
// engine, as it arrives, so a picker can show the first page at once and say
// why a non-Aurora cluster cannot be cloned.
func (c *Client) ClusterPages(ctx context.Context, page func([]Cluster)) error {
	return c.clusterPages(ctx, nil, page)
}

func (c *Client) clusterPages(ctx context.Context, engines []string, fn func([]Cluster)) error {
	const op = "rds:DescribeDBClusters"
	in := &rds.DescribeDBClustersInput{MaxRecords: awssdk.Int32(rdsPageSize)}
	if len(engines) > 0 {
		in.Filters = []rdstypes.Filter{{Name: awssdk.String("engine"), Values: engines}}
	}
	p := rds.NewDescribeDBClustersPaginator(c.rds, in, func(o *rds.DescribeDBClustersPaginatorOptions) { o.StopOnDuplicateToken = true })
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return Explain(err, op)
		}
		out := make([]Cluster, 0, len(page.DBClusters))
		for _, dc := range page.DBClusters {
			out = append(out, clusterFrom(dc))
		}
		fn(out)
	}
	return nil
}

// Cluster describes one cluster, whatever its engine, with its members'
// instance classes.
func (c *Client) Cluster(ctx context.Context, id string) (*Cluster, error) {
	cl, err := c.ClusterSummary(ctx, id)
	if err != nil {
		return nil, err
	}
	classes := map[string]string{}
	p := rds.NewDescribeDBInstancesPaginator(c.rds, &rds.DescribeDBInstancesInput{
		Filters:    []rdstypes.Filter{{Name: awssdk.String("db-cluster-id"), Values: []string{id}}},
		MaxRecords: awssdk.Int32(rdsPageSize),
	}, func(o *rds.DescribeDBInstancesPaginatorOptions) { o.StopOnDuplicateToken = true })
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, Explain(err, "rds:DescribeDBInstances")
		}
		for _, in := range page.DBInstances {
			classes[awssdk.ToString(in.DBInstanceIdentifier)] = awssdk.ToString(in.DBInstanceClass)
		}
	}
	for i := range cl.Members {
		cl.Members[i].Class = classes[cl.Members[i].InstanceID]
	}
	return cl, nil
}

// ClusterSummary describes one cluster in a single call, without its
// members' instance classes: what status polls need.
func (c *Client) ClusterSummary(ctx context.Context, id string) (*Cluster, error) {
	const op = "rds:DescribeDBClusters"
	out, err := c.rds.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{DBClusterIdentifier: awssdk.String(id)})
	if err != nil {
		err = Explain(err, op)
		var e *Error
		if errors.As(err, &e) && e.Kind == NotFound {
			return nil, c.noCluster(ctx, id, err)
		}
		return nil, err
	}
	if len(out.DBClusters) == 0 {
		return nil, c.noCluster(ctx, id, nil)
	}
	cl := clusterFrom(out.DBClusters[0])
	return &cl, nil
}

// noCluster names the region and account, because the usual cause of a
// missing cluster is the wrong one of either. The account is looked up only
// here, and left out if that fails too.
func (c *Client) noCluster(ctx context.Context, id string, cause error) error {
	where := c.region
	if ident, err := c.CallerIdentity(ctx); err == nil && ident.Account != "" {
		where += " (account " + ident.Account + ")"
	}
	return &Error{Kind: NotFound, Op: "rds:DescribeDBClusters", Err: cause, Msg: fmt.Sprintf(
		"no DB cluster %q in %s; check the id or the region, or list clusters with \"aws rds describe-db-clusters\"", id, where)}
}

func clusterFrom(dc rdstypes.DBCluster) Cluster {
	cl := Cluster{
		ID:                 awssdk.ToString(dc.DBClusterIdentifier),
		ARN:                awssdk.ToString(dc.DBClusterArn),
		Engine:             awssdk.ToString(dc.Engine),
		EngineVersion:      awssdk.ToString(dc.EngineVersion),
		Status:             awssdk.ToString(dc.Status),
		Port:               awssdk.ToInt32(dc.Port),
		MasterUsername:     awssdk.ToString(dc.MasterUsername),
		SubnetGroup:        awssdk.ToString(dc.DBSubnetGroup),
		EarliestRestorable: awssdk.ToTime(dc.EarliestRestorableTime),
		LatestRestorable:   awssdk.ToTime(dc.LatestRestorableTime),
		CloneGroupID:       awssdk.ToString(dc.CloneGroupId),
		Encrypted:          awssdk.ToBool(dc.StorageEncrypted),
		KMSKeyID:           awssdk.ToString(dc.KmsKeyId),
	}
	if dc.MasterUserSecret != nil {
		cl.MasterUserSecretARN = awssdk.ToString(dc.MasterUserSecret.SecretArn)
		cl.SecretStatus = awssdk.ToString(dc.MasterUserSecret.SecretStatus)
	}
	if pm := dc.PendingModifiedValues; pm != nil && pm.MasterUserPassword != nil {
		cl.PendingPassword = true
	}
	for _, sg := range dc.VpcSecurityGroups {
		cl.SecurityGroups = append(cl.SecurityGroups, awssdk.ToString(sg.VpcSecurityGroupId))
	}
	for _, m := range dc.DBClusterMembers {
		cl.Members = append(cl.Members, Member{InstanceID: awssdk.ToString(m.DBInstanceIdentifier), Writer: awssdk.ToBool(m.IsClusterWriter)})
	}
	// Writer first, then by id: the order people read a cluster in.
	slices.SortStableFunc(cl.Members, func(a, b Member) int {
		if a.Writer != b.Writer {
			if a.Writer {
				return -1
			}
			return 1
		}
		return strings.Compare(a.InstanceID, b.InstanceID)
	})
	if s := dc.ServerlessV2ScalingConfiguration; s != nil && (s.MinCapacity != nil || s.MaxCapacity != nil) {
		cl.Serverless = &ServerlessScaling{Min: awssdk.ToFloat64(s.MinCapacity), Max: awssdk.ToFloat64(s.MaxCapacity)}
	}
	if len(dc.TagList) > 0 {
		cl.Tags = make(map[string]string, len(dc.TagList))
		for _, t := range dc.TagList {
			cl.Tags[awssdk.ToString(t.Key)] = awssdk.ToString(t.Value)
		}
	}
	return cl
}

// SubnetGroup describes a DB subnet group. Its subnets carry their CIDRs and
// names from EC2, which RDS does not report.
func (c *Client) SubnetGroup(ctx context.Context, name string) (*SubnetGroup, error) {
	const op = "rds:DescribeDBSubnetGroups"
	out, err := c.rds.DescribeDBSubnetGroups(ctx, &rds.DescribeDBSubnetGroupsInput{DBSubnetGroupName: awssdk.String(name)})
	if err == nil && len(out.DBSubnetGroups) == 0 {
		err = &Error{Kind: NotFound, Op: op}
	}
	if err != nil {
		err = Explain(err, op)
		var e *Error
		if errors.As(err, &e) && e.Kind == NotFound {
			e.Msg = fmt.Sprintf("no DB subnet group %q in %s; list them with \"aws rds describe-db-subnet-groups\"", name, c.region)
		}
		return nil, err
	}
	g := out.DBSubnetGroups[0]
	sg := &SubnetGroup{Name: awssdk.ToString(g.DBSubnetGroupName), VpcID: awssdk.ToString(g.VpcId)}
	var ids []string
	azs := map[string]string{}
	for _, s := range g.Subnets {
		id := awssdk.ToString(s.SubnetIdentifier)
		ids = append(ids, id)
		if s.SubnetAvailabilityZone != nil {
			azs[id] = awssdk.ToString(s.SubnetAvailabilityZone.Name)
		}
	}
	if len(ids) == 0 {
		return sg, nil
	}
	subnets, err := c.SubnetsByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	for i := range subnets {
		if subnets[i].AZ == "" {
			subnets[i].AZ = azs[subnets[i].ID]
		}
	}
	sortSubnets(subnets)
	sg.Subnets = subnets
	return sg, nil
}

// Subnets lists a VPC's subnets, by AZ then id. An unknown VPC has none.
func (c *Client) Subnets(ctx context.Context, vpcID string) ([]Subnet, error) {
	p := ec2.NewDescribeSubnetsPaginator(c.ec2, &ec2.DescribeSubnetsInput{
		Filters:    []ec2types.Filter{{Name: awssdk.String("vpc-id"), Values: []string{vpcID}}},
		MaxResults: awssdk.Int32(ec2PageSize),
	}, func(o *ec2.DescribeSubnetsPaginatorOptions) { o.StopOnDuplicateToken = true })
	var out []Subnet
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, Explain(err, "ec2:DescribeSubnets")
		}
		for _, s := range page.Subnets {
			out = append(out, subnetFrom(s))
		}
	}
	sortSubnets(out)
	return out, nil
}

// SubnetsByID describes the given subnets, in the order given, duplicates
// dropped. An unknown id is a NotFound error naming it.
func (c *Client) SubnetsByID(ctx context.Context, ids []string) ([]Subnet, error) {
	const op = "ec2:DescribeSubnets"
	var want []string
	for _, id := range ids {
		if !slices.Contains(want, id) {
			want = append(want, id)
		}
	}
	if len(want) == 0 {
		return nil, nil
	}
	// No MaxResults: EC2 answers an id list in one page, and some EC2 list
	// calls refuse ids and MaxResults together.
	p := ec2.NewDescribeSubnetsPaginator(c.ec2, &ec2.DescribeSubnetsInput{SubnetIds: want},
		func(o *ec2.DescribeSubnetsPaginatorOptions) { o.StopOnDuplicateToken = true })
	got := map[string]Subnet{}
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			err = Explain(err, op)
			var e *Error
			if errors.As(err, &e) && e.Kind == NotFound {
				return nil, c.noSubnets(want, e.Msg, err)
			}
			return nil, err
		}
		for _, s := range page.Subnets {
			got[awssdk.ToString(s.SubnetId)] = subnetFrom(s)
		}
	}
	var out []Subnet
	var missing []string
	for _, id := range want {
		if s, ok := got[id]; ok {
			out = append(out, s)
		} else {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		return nil, c.noSubnets(missing, strings.Join(missing, " "), nil)
	}
	return out, nil
}

// noSubnets names the ids AWS reported missing (all of candidates if its
// message names none of them).
func (c *Client) noSubnets(candidates []string, awsMsg string, cause error) error {
	var named []string
	for _, id := range candidates {
		if strings.Contains(awsMsg, id) {
			named = append(named, id)
		}
	}
	var msg string
	switch {
	case len(named) == 1:
		msg = fmt.Sprintf("no subnet %q in %s", named[0], c.region)
	case len(named) > 1:
		msg = fmt.Sprintf("no subnets %s in %s", strings.Join(named, ", "), c.region)
	default:
		msg = fmt.Sprintf("one of the subnets %s does not exist in %s", strings.Join(candidates, ", "), c.region)
	}
	return &Error{Kind: NotFound, Op: "ec2:DescribeSubnets", Err: cause,
		Msg: msg + "; check the ids, or list a VPC's subnets with \"aws ec2 describe-subnets\""}
}

func subnetFrom(s ec2types.Subnet) Subnet {
	return Subnet{
		ID:    awssdk.ToString(s.SubnetId),
		VpcID: awssdk.ToString(s.VpcId),
		AZ:    awssdk.ToString(s.AvailabilityZone),
		CIDR:  awssdk.ToString(s.CidrBlock),
		Name:  nameTag(s.Tags),
	}
}

func sortSubnets(s []Subnet) {
	slices.SortFunc(s, func(a, b Subnet) int {
		if c := strings.Compare(a.AZ, b.AZ); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
}

func nameTag(tags []ec2types.Tag) string {
	for _, t := range tags {
		if awssdk.ToString(t.Key) == "Name" {
			return awssdk.ToString(t.Value)
		}
	}
	return ""
}

// VPC describes one VPC; its CIDR is the primary IPv4 block.
func (c *Client) VPC(ctx context.Context, id string) (*VPC, error) {
	const op = "ec2:DescribeVpcs"
	out, err := c.ec2.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{VpcIds: []string{id}})
	if err == nil && len(out.Vpcs) == 0 {
		err = &Error{Kind: NotFound, Op: op}
	}
	if err != nil {
		err = Explain(err, op)
		var e *Error
		if errors.As(err, &e) && e.Kind == NotFound {
			e.Msg = fmt.Sprintf("no VPC %q in %s; list them with \"aws ec2 describe-vpcs\"", id, c.region)
		}
		return nil, err
	}
	v := out.Vpcs[0]
	return &VPC{ID: awssdk.ToString(v.VpcId), CIDR: awssdk.ToString(v.CidrBlock), Name: nameTag(v.Tags)}, nil
}

// InternetGateway reports whether a VPC has an internet gateway, as its
// route tables show it (a route to an igw-): RDS refuses a publicly
// accessible instance in a VPC without one (InvalidVPCNetworkStateFault).
// One call per page of the VPC's route tables.
func (c *Client) InternetGateway(ctx context.Context, vpcID string) (bool, error) {
	const op = "ec2:DescribeRouteTables"
	p := ec2.NewDescribeRouteTablesPaginator(c.ec2, &ec2.DescribeRouteTablesInput{
		Filters: []ec2types.Filter{{Name: awssdk.String("vpc-id"), Values: []string{vpcID}}}})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return false, Explain(err, op)
		}
		for _, rt := range out.RouteTables {
			for _, r := range rt.Routes {
				if strings.HasPrefix(awssdk.ToString(r.GatewayId), "igw-") {
					return true, nil
				}
			}
		}
	}
	return false, nil
}

// OrderableClasses lists the instance classes orderable for an engine and
// version, de-duplicated (AWS repeats a class per storage type and AZ set)
// and in size order (see sortClasses).
func (c *Client) OrderableClasses(ctx context.Context, engine, version string) ([]string, error) {
	in := &rds.DescribeOrderableDBInstanceOptionsInput{
		Engine:     awssdk.String(engine),
		MaxRecords: awssdk.Int32(orderablePageSize),
	}
	if version != "" {
		in.EngineVersion = awssdk.String(version)
	}
	p := rds.NewDescribeOrderableDBInstanceOptionsPaginator(c.rds, in,
		func(o *rds.DescribeOrderableDBInstanceOptionsPaginatorOptions) { o.StopOnDuplicateToken = true })
	seen := map[string]bool{}
	var out []string
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, Explain(err, "rds:DescribeOrderableDBInstanceOptions")
		}
		for _, o := range page.OrderableDBInstanceOptions {
			cl := awssdk.ToString(o.DBInstanceClass)
			if cl != "" && !seen[cl] {
				seen[cl] = true
				out = append(out, cl)
			}
		}
	}
	sortClasses(out)
	return out, nil
}

// ServerlessLimits are the Aurora Serverless v2 capacity bounds (ACUs) an
// engine version allows: a Min of 0 means it can auto-pause.
type ServerlessLimits struct{ Min, Max float64 }

// ServerlessLimits asks RDS for an engine version's Serverless v2 bounds
// (DescribeDBEngineVersions' ServerlessV2FeaturesSupport); nil when the
// account reports none for it.
func (c *Client) ServerlessLimits(ctx context.Context, engine, version string) (*ServerlessLimits, error) {
	p := rds.NewDescribeDBEngineVersionsPaginator(c.rds, &rds.DescribeDBEngineVersionsInput{
		Engine: awssdk.String(engine), EngineVersion: awssdk.String(version),
	}, func(o *rds.DescribeDBEngineVersionsPaginatorOptions) { o.StopOnDuplicateToken = true })
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, Explain(err, "rds:DescribeDBEngineVersions")
		}
		for _, v := range page.DBEngineVersions {
			f := v.ServerlessV2FeaturesSupport
			if awssdk.ToString(v.EngineVersion) != version || f == nil || f.MinCapacity == nil || f.MaxCapacity == nil {
				continue
			}
			return &ServerlessLimits{Min: *f.MinCapacity, Max: *f.MaxCapacity}, nil
		}
	}
	return nil, nil
}

// Quota is one RDS account quota in the client's region: how much of it
// is used and the most allowed.
type Quota struct{ Used, Max int64 }

// AccountQuotas are the region's RDS account quotas by AWS's name
// ("DBClusters", "DBInstances", …), in one call.
func (c *Client) AccountQuotas(ctx context.Context) (map[string]Quota, error) {
	out, err := c.rds.DescribeAccountAttributes(ctx, &rds.DescribeAccountAttributesInput{})
	if err != nil {
		return nil, Explain(err, "rds:DescribeAccountAttributes")
	}
	qs := make(map[string]Quota, len(out.AccountQuotas))
	for _, q := range out.AccountQuotas {
		qs[awssdk.ToString(q.AccountQuotaName)] = Quota{Used: awssdk.ToInt64(q.Used), Max: awssdk.ToInt64(q.Max)}
	}
	return qs, nil
}

// CallerIdentity is who the credentials belong to.
func (c *Client) CallerIdentity(ctx context.Context) (*Identity, error) {
	out, err := c.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return nil, Explain(err, "sts:GetCallerIdentity")
	}
	return &Identity{Account: awssdk.ToString(out.Account), ARN: awssdk.ToString(out.Arn), UserID: awssdk.ToString(out.UserId)}, nil
}
