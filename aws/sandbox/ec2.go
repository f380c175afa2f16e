package sandbox

import (
	"fmt"
	"github.com/dbaf/dbaf/aws/sandbox/wire"
	"slices"
	"strconv"
	"strings"
)

// ec2MaxResults reads MaxResults: absent means everything in one page, as
// EC2 answers DescribeSubnets without it; otherwise 5..1000.
func ec2MaxResults(p wire.Params) (int, *wire.APIError) {
	n, ok, err := p.Int("MaxResults")
	if err != nil {
		return 0, err
	}
	if !ok {
		return int(^uint(0) >> 1), nil
	}
	if n < 5 || n > 1000 {
		return 0, wire.Errorf(400, "InvalidParameterValue", "Value ( %d ) for parameter maxResults is invalid. Parameter may only be between 5 and 1000.", n)
	}
	return n, nil
}

func badNextToken() *wire.APIError {
	return wire.Errorf(400, "InvalidPaginationToken", "The specified pagination token is not valid: pass the NextToken of the previous response unchanged.")
}

// ec2Filters reads Filter.N.Name / Filter.N.Value.M and checks the names;
// "tag:KEY" is always allowed.
func ec2Filters(p wire.Params, supported ...string) ([]wire.Filter, *wire.APIError) {
	fs := p.Filters("Filter", "Value")
	for _, f := range fs {
		if !slices.Contains(supported, f.Name) && !strings.HasPrefix(f.Name, "tag:") {
			return nil, wire.Errorf(400, "InvalidParameterValue", "The filter '%s' is invalid", f.Name)
		}
	}
	return fs, nil
}

func tagField(tags []tag, name string) ([]string, bool) {
	if k, ok := strings.CutPrefix(name, "tag:"); ok {
		if v, ok := tagValue(tags, k); ok {
			return []string{v}, true
		}
		return nil, true
	}
	if name == "tag-key" {
		var keys []string
		for _, t := range tags {
			keys = append(keys, t.key)
		}
		return keys, true
	}
	return nil, false
}

// idsNotFound builds EC2's not-found error for the ids of a kind, e.g.
// InvalidSubnetID.NotFound "The subnet ID 'subnet-1' does not exist".
func idsNotFound(code, kind string, missing []string) *wire.APIError {
	if len(missing) == 1 {
		return wire.Errorf(400, code, "The %s ID '%s' does not exist", kind, missing[0])
	}
	return wire.Errorf(400, code, "The %s IDs '%s' do not exist", kind, strings.Join(missing, ", "))
}

// lookupIDs resolves requested ids in order, de-duplicated; malformed ids
// and missing ones are EC2's errors.
func lookupIDs[T any](t *table[T], ids []string, prefix, kind, codeBase string) ([]T, *wire.APIError) {
	var out []T
	var missing []string
	seen := map[string]bool{}
	for _, id := range ids {
		if !strings.HasPrefix(id, prefix+"-") {
			return nil, wire.Errorf(400, codeBase+".Malformed", "Invalid id: \"%s\" (expecting \"%s-...\")", id, prefix)
		}
		if seen[id] {
			continue
		}
		seen[id] = true
		v, ok := t.get(id)
		if !ok {
			missing = append(missing, id)
			continue
		}
		out = append(out, v)
	}
	if len(missing) > 0 {
		return nil, idsNotFound(codeBase+".NotFound", kind, missing)
	}
	return out, nil
}

func (s *Server) describeSubnets(c *wire.Call) *wire.APIError {
	max, err := ec2MaxResults(c.Params)
	if err != nil {
		return err
	}
	fs, err := ec2Filters(c.Params, "vpc-id", "availability-zone", "availability-zone-id", "subnet-id", "cidr-block", "cidr", "cidrBlock",
		"state", "default-for-az", "owner-id", "subnet-arn", "tag-key")
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	list := s.st.subnets.all()
	if ids := c.Params.List("SubnetId"); len(ids) > 0 {
		if list, err = lookupIDs(s.st.subnets, ids, "subnet", "subnet", "InvalidSubnetID"); err != nil {
			return err
		}
		slices.SortFunc(list, func(a, b *subnet) int { return strings.Compare(a.id, b.id) })
	}
	list = slices.DeleteFunc(list, func(sn *subnet) bool {
		return !wire.MatchFilters(fs, wire.Glob, func(name string) []string {
			if v, ok := tagField(sn.tags, name); ok {
				return v
			}
			switch name {
			case "vpc-id":
				return []string{sn.vpcID}
			case "availability-zone":
				return []string{sn.az}
			case "availability-zone-id":
				return []string{azID(sn.az)}
			case "subnet-id":
				return []string{sn.id}
			case "cidr-block", "cidr", "cidrBlock":
				return []string{sn.cidr}
			case "state":
				return []string{"available"}
			case "default-for-az":
				return []string{"false"}
			case "owner-id":
				return []string{s.account}
			case "subnet-arn":
				return []string{s.subnetARN(sn.id)}
			}
			return nil
		})
	})
	pg, next, err := wire.Page(list, func(sn *subnet) string { return sn.id }, c.Params.Get("NextToken"), max, badNextToken)
	if err != nil {
		return err
	}
	x := &c.Out
	wire.List(x, "subnetSet", "item", pg, func(sn *subnet) {
		x.Text("subnetId", sn.id)
		x.Text("subnetArn", s.subnetARN(sn.id))
		x.Text("state", "available")
		x.Text("ownerId", s.account)
		x.Text("vpcId", sn.vpcID)
		x.Text("cidrBlock", sn.cidr)
		x.Empty("ipv6CidrBlockAssociationSet")
		x.Int("availableIpAddressCount", sn.free)
		x.Text("availabilityZone", sn.az)
		x.Text("availabilityZoneId", azID(sn.az))
		x.Bool("defaultForAz", false)
		x.Bool("mapPublicIpOnLaunch", false)
		x.Bool("assignIpv6AddressOnCreation", false)
		writeEC2Tags(x, sn.tags)
		x.Bool("enableDns64", false)
		x.Bool("ipv6Native", false)
		x.Open("privateDnsNameOptionsOnLaunch")
		x.Text("hostnameType", "ip-name")
		x.Bool("enableResourceNameDnsARecord", false)
		x.Bool("enableResourceNameDnsAAAARecord", false)
		x.Close("privateDnsNameOptionsOnLaunch")
		x.Open("blockPublicAccessStates")
		x.Text("internetGatewayBlockMode", "off")
		x.Close("blockPublicAccessStates")
	})
	x.Opt("nextToken", next)
	return nil
}

func (s *Server) subnetARN(id string) string {
	return "arn:aws:ec2:" + s.region + ":" + s.account + ":subnet/" + id
}

func writeEC2Tags(x *wire.XML, tags []tag) {
	wire.List(x, "tagSet", "item", tags, func(t tag) {
		x.Text("key", t.key)
		x.Text("value", t.value)
	})
}

func (s *Server) describeVpcs(c *wire.Call) *wire.APIError {
	max, err := ec2MaxResults(c.Params)
	if err != nil {
		return err
	}
	fs, err := ec2Filters(c.Params, "vpc-id", "cidr", "cidr-block-association.cidr-block", "state", "is-default", "owner-id", "tag-key")
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	list := s.st.vpcs.all()
	if ids := c.Params.List("VpcId"); len(ids) > 0 {
		if list, err = lookupIDs(s.st.vpcs, ids, "vpc", "vpc", "InvalidVpcID"); err != nil {
			return err
		}
	}
	list = slices.DeleteFunc(list, func(v *vpc) bool {
		return !wire.MatchFilters(fs, wire.Glob, func(name string) []string {
			if t, ok := tagField(v.tags, name); ok {
				return t
			}
			switch name {
			case "vpc-id":
				return []string{v.id}
			case "cidr":
				return []string{v.cidr}
			case "cidr-block-association.cidr-block":
				return append([]string{v.cidr}, v.extra...)
			case "state":
				return []string{"available"}
			case "is-default":
				return []string{"false"}
			case "owner-id":
				return []string{s.account}
			}
			return nil
		})
	})
	pg, next, err := wire.Page(list, func(v *vpc) string { return v.id }, c.Params.Get("NextToken"), max, badNextToken)
	if err != nil {
		return err
	}
	x := &c.Out
	wire.List(x, "vpcSet", "item", pg, func(v *vpc) {
		x.Text("vpcId", v.id)
		x.Text("ownerId", s.account)
		x.Text("state", "available")
		x.Text("cidrBlock", v.cidr)
		x.Open("cidrBlockAssociationSet")
		for i, cidr := range append([]string{v.cidr}, v.extra...) {
			x.Open("item")
			x.Text("associationId", hexID("vpc-cidr-assoc", v.id+strconv.Itoa(i)))
			x.Text("cidrBlock", cidr)
			x.Open("cidrBlockState")
			x.Text("state", "associated")
			x.Close("cidrBlockState")
			x.Close("item")
		}
		x.Close("cidrBlockAssociationSet")
		x.Text("dhcpOptionsId", "dopt-0a1b2c3d4e5f60001")
		writeEC2Tags(x, v.tags)
		x.Text("instanceTenancy", "default")
		x.Bool("isDefault", false)
		x.Open("blockPublicAccessStates")
		x.Text("internetGatewayBlockMode", "off")
		x.Close("blockPublicAccessStates")
	})
	x.Opt("nextToken", next)
	return nil
}

func (s *Server) describeSecurityGroups(c *wire.Call) *wire.APIError {
	max, err := ec2MaxResults(c.Params)
	if err != nil {
		return err
	}
	fs, err := ec2Filters(c.Params, "vpc-id", "group-name", "group-id", "description", "owner-id", "tag-key")
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	list := s.st.sgs.all()
	if ids := c.Params.List("GroupId"); len(ids) > 0 {
		if list, err = lookupIDs(s.st.sgs, ids, "sg", "security group", "InvalidGroupId"); err != nil {
			if err.Code == "InvalidGroupId.NotFound" {
				// EC2 names this one differently from its Malformed twin.
				err.Code = "InvalidGroup.NotFound"
			}
			return err
		}
	}
	if names := c.Params.List("GroupName"); len(names) > 0 {
		var missing []string
		for _, n := range names {
			if !slices.ContainsFunc(list, func(g *securityGroup) bool { return g.name == n }) {
				missing = append(missing, n)
			}
		}
		if len(missing) > 0 {
			return wire.Errorf(400, "InvalidGroup.NotFound", "The security group '%s' does not exist", strings.Join(missing, ", "))
		}
		list = slices.DeleteFunc(list, func(g *securityGroup) bool { return !slices.Contains(names, g.name) })
	}
	list = slices.DeleteFunc(list, func(g *securityGroup) bool {
		return !wire.MatchFilters(fs, wire.Glob, func(name string) []string {
			if t, ok := tagField(g.tags, name); ok {
				return t
			}
			switch name {
			case "vpc-id":
				return []string{g.vpcID}
			case "group-name":
				return []string{g.name}
			case "group-id":
				return []string{g.id}
			case "description":
				return []string{g.desc}
			case "owner-id":
				return []string{s.account}
			}
			return nil
		})
	})
	pg, next, err := wire.Page(list, func(g *securityGroup) string { return g.id }, c.Params.Get("NextToken"), max, badNextToken)
	if err != nil {
		return err
	}
	x := &c.Out
	wire.List(x, "securityGroupInfo", "item", pg, func(g *securityGroup) {
		x.Text("ownerId", s.account)
		x.Text("groupId", g.id)
		x.Text("groupName", g.name)
		x.Text("groupDescription", g.desc)
		x.Text("vpcId", g.vpcID)
		x.Text("securityGroupArn", "arn:aws:ec2:"+s.region+":"+s.account+":security-group/"+g.id)
		s.writePermissions(x, "ipPermissions", g.ingress)
		s.writePermissions(x, "ipPermissionsEgress", g.egress)
		writeEC2Tags(x, g.tags)
	})
	x.Opt("nextToken", next)
	return nil
}

func (s *Server) writePermissions(x *wire.XML, tag string, perms []ipPermission) {
	wire.List(x, tag, "item", perms, func(p ipPermission) {
		x.Text("ipProtocol", p.proto)
		if p.proto != "-1" {
			x.Int("fromPort", p.from)
			x.Int("toPort", p.to)
		}
		wire.List(x, "groups", "item", p.groups, func(g string) {
			x.Text("userId", s.account)
			x.Text("groupId", g)
		})
		wire.List(x, "ipRanges", "item", p.ranges, func(r ipRange) {
			x.Text("cidrIp", r.cidr)
			x.Opt("description", r.desc)
		})
		x.Empty("ipv6Ranges")
		x.Empty("prefixListIds")
	})
}

// label names a VPC for messages: its id and Name tag.
func (v *vpc) label() string {
	if n, ok := tagValue(v.tags, "Name"); ok {
		return fmt.Sprintf("%s (%s)", v.id, n)
	}
	return v.id
}
