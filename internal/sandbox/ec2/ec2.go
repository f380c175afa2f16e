package ec2

import (
	"github.com/dbaf/dbaf/internal/sandbox/state"
	"github.com/dbaf/dbaf/internal/sandbox/wire"
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

func tagField(tags []state.Tag, name string) ([]string, bool) {
	if k, ok := strings.CutPrefix(name, "tag:"); ok {
		if v, ok := state.TagValue(tags, k); ok {
			return []string{v}, true
		}
		return nil, true
	}
	if name == "tag-key" {
		var keys []string
		for _, t := range tags {
			keys = append(keys, t.Key)
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
func lookupIDs[T any](t *state.Table[T], ids []string, prefix, kind, codeBase string) ([]T, *wire.APIError) {
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
		v, ok := t.Get(id)
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

func (s *Service) describeSubnets(c *wire.Call) *wire.APIError {
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
	list := s.st.Subnets.All()
	if ids := c.Params.List("SubnetId"); len(ids) > 0 {
		if list, err = lookupIDs(s.st.Subnets, ids, "subnet", "subnet", "InvalidSubnetID"); err != nil {
			return err
		}
		slices.SortFunc(list, func(a, b *state.Subnet) int { return strings.Compare(a.ID, b.ID) })
	}
	list = slices.DeleteFunc(list, func(sn *state.Subnet) bool {
		return !wire.MatchFilters(fs, wire.Glob, func(name string) []string {
			if v, ok := tagField(sn.Tags, name); ok {
				return v
			}
			switch name {
			case "vpc-id":
				return []string{sn.VPCID}
			case "availability-zone":
				return []string{sn.AZ}
			case "availability-zone-id":
				return []string{state.AZID(sn.AZ)}
			case "subnet-id":
				return []string{sn.ID}
			case "cidr-block", "cidr", "cidrBlock":
				return []string{sn.CIDR}
			case "state":
				return []string{"available"}
			case "default-for-az":
				return []string{"false"}
			case "owner-id":
				return []string{s.account}
			case "subnet-arn":
				return []string{s.subnetARN(sn.ID)}
			}
			return nil
		})
	})
	pg, next, err := wire.Page(list, func(sn *state.Subnet) string { return sn.ID }, c.Params.Get("NextToken"), max, badNextToken)
	if err != nil {
		return err
	}
	x := &c.Out
	wire.List(x, "subnetSet", "item", pg, func(sn *state.Subnet) {
		x.Text("subnetId", sn.ID)
		x.Text("subnetArn", s.subnetARN(sn.ID))
		x.Text("state", "available")
		x.Text("ownerId", s.account)
		x.Text("vpcId", sn.VPCID)
		x.Text("cidrBlock", sn.CIDR)
		x.Empty("ipv6CidrBlockAssociationSet")
		x.Int("availableIpAddressCount", sn.Free)
		x.Text("availabilityZone", sn.AZ)
		x.Text("availabilityZoneId", state.AZID(sn.AZ))
		x.Bool("defaultForAz", false)
		x.Bool("mapPublicIpOnLaunch", false)
		x.Bool("assignIpv6AddressOnCreation", false)
		writeEC2Tags(x, sn.Tags)
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

func (s *Service) subnetARN(id string) string {
	return "arn:aws:ec2:" + s.region + ":" + s.account + ":subnet/" + id
}

func writeEC2Tags(x *wire.XML, tags []state.Tag) {
	wire.List(x, "tagSet", "item", tags, func(t state.Tag) {
		x.Text("key", t.Key)
		x.Text("value", t.Value)
	})
}

func (s *Service) describeVpcs(c *wire.Call) *wire.APIError {
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
	list := s.st.VPCs.All()
	if ids := c.Params.List("VpcId"); len(ids) > 0 {
		if list, err = lookupIDs(s.st.VPCs, ids, "vpc", "vpc", "InvalidVpcID"); err != nil {
			return err
		}
	}
	list = slices.DeleteFunc(list, func(v *state.VPC) bool {
		return !wire.MatchFilters(fs, wire.Glob, func(name string) []string {
			if t, ok := tagField(v.Tags, name); ok {
				return t
			}
			switch name {
			case "vpc-id":
				return []string{v.ID}
			case "cidr":
				return []string{v.CIDR}
			case "cidr-block-association.cidr-block":
				return append([]string{v.CIDR}, v.Extra...)
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
	pg, next, err := wire.Page(list, func(v *state.VPC) string { return v.ID }, c.Params.Get("NextToken"), max, badNextToken)
	if err != nil {
		return err
	}
	x := &c.Out
	wire.List(x, "vpcSet", "item", pg, func(v *state.VPC) {
		x.Text("vpcId", v.ID)
		x.Text("ownerId", s.account)
		x.Text("state", "available")
		x.Text("cidrBlock", v.CIDR)
		x.Open("cidrBlockAssociationSet")
		for i, cidr := range append([]string{v.CIDR}, v.Extra...) {
			x.Open("item")
			x.Text("associationId", state.HexID("vpc-cidr-assoc", v.ID+strconv.Itoa(i)))
			x.Text("cidrBlock", cidr)
			x.Open("cidrBlockState")
			x.Text("state", "associated")
			x.Close("cidrBlockState")
			x.Close("item")
		}
		x.Close("cidrBlockAssociationSet")
		x.Text("dhcpOptionsId", "dopt-0a1b2c3d4e5f60001")
		writeEC2Tags(x, v.Tags)
		x.Text("instanceTenancy", "default")
		x.Bool("isDefault", false)
		x.Open("blockPublicAccessStates")
		x.Text("internetGatewayBlockMode", "off")
		x.Close("blockPublicAccessStates")
	})
	x.Opt("nextToken", next)
	return nil
}

func (s *Service) describeSecurityGroups(c *wire.Call) *wire.APIError {
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
	list := s.st.SGs.All()
	if ids := c.Params.List("GroupId"); len(ids) > 0 {
		if list, err = lookupIDs(s.st.SGs, ids, "sg", "security group", "InvalidGroupId"); err != nil {
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
			if !slices.ContainsFunc(list, func(g *state.SecurityGroup) bool { return g.Name == n }) {
				missing = append(missing, n)
			}
		}
		if len(missing) > 0 {
			return wire.Errorf(400, "InvalidGroup.NotFound", "The security group '%s' does not exist", strings.Join(missing, ", "))
		}
		list = slices.DeleteFunc(list, func(g *state.SecurityGroup) bool { return !slices.Contains(names, g.Name) })
	}
	list = slices.DeleteFunc(list, func(g *state.SecurityGroup) bool {
		return !wire.MatchFilters(fs, wire.Glob, func(name string) []string {
			if t, ok := tagField(g.Tags, name); ok {
				return t
			}
			switch name {
			case "vpc-id":
				return []string{g.VPCID}
			case "group-name":
				return []string{g.Name}
			case "group-id":
				return []string{g.ID}
			case "description":
				return []string{g.Desc}
			case "owner-id":
				return []string{s.account}
			}
			return nil
		})
	})
	pg, next, err := wire.Page(list, func(g *state.SecurityGroup) string { return g.ID }, c.Params.Get("NextToken"), max, badNextToken)
	if err != nil {
		return err
	}
	x := &c.Out
	wire.List(x, "securityGroupInfo", "item", pg, func(g *state.SecurityGroup) {
		x.Text("ownerId", s.account)
		x.Text("groupId", g.ID)
		x.Text("groupName", g.Name)
		x.Text("groupDescription", g.Desc)
		x.Text("vpcId", g.VPCID)
		x.Text("securityGroupArn", "arn:aws:ec2:"+s.region+":"+s.account+":security-group/"+g.ID)
		s.writePermissions(x, "ipPermissions", g.Ingress)
		s.writePermissions(x, "ipPermissionsEgress", g.Egress)
		writeEC2Tags(x, g.Tags)
	})
	x.Opt("nextToken", next)
	return nil
}

func (s *Service) writePermissions(x *wire.XML, tag string, perms []state.IPPermission) {
	wire.List(x, tag, "item", perms, func(p state.IPPermission) {
		x.Text("ipProtocol", p.Proto)
		if p.Proto != "-1" {
			x.Int("fromPort", p.From)
			x.Int("toPort", p.To)
		}
		wire.List(x, "groups", "item", p.Groups, func(g string) {
			x.Text("userId", s.account)
			x.Text("groupId", g)
		})
		wire.List(x, "ipRanges", "item", p.Ranges, func(r state.IPRange) {
			x.Text("cidrIp", r.CIDR)
			x.Opt("description", r.Desc)
		})
		x.Empty("ipv6Ranges")
		x.Empty("prefixListIds")
	})
}

// describeRouteTables lists the account's route tables, by id or with
// EC2's filters: enough for a client to tell whether a VPC has an
// internet gateway (a route to an igw-).
func (s *Service) describeRouteTables(c *wire.Call) *wire.APIError {
	max, err := ec2MaxResults(c.Params)
	if err != nil {
		return err
	}
	fs, err := ec2Filters(c.Params, "vpc-id", "route-table-id", "association.main", "association.subnet-id", "route.gateway-id", "owner-id", "tag-key")
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	list := s.st.RouteTables.All()
	if ids := c.Params.List("RouteTableId"); len(ids) > 0 {
		if list, err = lookupIDs(s.st.RouteTables, ids, "rtb", "route table", "InvalidRouteTableID"); err != nil {
			return err
		}
	}
	list = slices.DeleteFunc(list, func(rt *state.RouteTable) bool {
		return !wire.MatchFilters(fs, wire.Glob, func(name string) []string {
			if t, ok := tagField(rt.Tags, name); ok {
				return t
			}
			switch name {
			case "vpc-id":
				return []string{rt.VPCID}
			case "route-table-id":
				return []string{rt.ID}
			case "association.main":
				return []string{strconv.FormatBool(rt.Main)}
			case "association.subnet-id":
				return rt.Subnets
			case "route.gateway-id":
				var gws []string
				for _, r := range rt.Routes {
					gws = append(gws, r.Gateway)
				}
				return gws
			case "owner-id":
				return []string{s.account}
			}
			return nil
		})
	})
	pg, next, err := wire.Page(list, func(rt *state.RouteTable) string { return rt.ID }, c.Params.Get("NextToken"), max, badNextToken)
	if err != nil {
		return err
	}
	x := &c.Out
	wire.List(x, "routeTableSet", "item", pg, func(rt *state.RouteTable) {
		x.Text("routeTableId", rt.ID)
		x.Text("vpcId", rt.VPCID)
		x.Text("ownerId", s.account)
		wire.List(x, "routeSet", "item", rt.Routes, func(r state.Route) {
			x.Text("destinationCidrBlock", r.Dest)
			x.Text("gatewayId", r.Gateway)
			x.Text("state", "active")
			x.Text("origin", map[bool]string{true: "CreateRouteTable", false: "CreateRoute"}[r.Gateway == "local"])
		})
		var assoc []string
		if rt.Main {
			assoc = append(assoc, "")
		}
		assoc = append(assoc, rt.Subnets...)
		wire.List(x, "associationSet", "item", assoc, func(subnet string) {
			x.Text("routeTableAssociationId", state.HexID("rtbassoc", rt.ID+subnet))
			x.Text("routeTableId", rt.ID)
			x.Bool("main", subnet == "")
			x.Opt("subnetId", subnet)
			x.Open("associationState")
			x.Text("state", "associated")
			x.Close("associationState")
		})
		x.Open("propagatingVgwSet")
		x.Close("propagatingVgwSet")
		writeEC2Tags(x, rt.Tags)
	})
	x.Opt("nextToken", next)
	return nil
}
