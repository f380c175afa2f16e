package sandbox

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// ec2MaxResults reads MaxResults: absent means everything in one page, as
// EC2 answers DescribeSubnets without it; otherwise 5..1000.
func ec2MaxResults(p params) (int, *apiError) {
	n, ok, err := p.intParam("MaxResults")
	if err != nil {
		return 0, err
	}
	if !ok {
		return int(^uint(0) >> 1), nil
	}
	if n < 5 || n > 1000 {
		return 0, errf(400, "InvalidParameterValue", "Value ( %d ) for parameter maxResults is invalid. Parameter may only be between 5 and 1000.", n)
	}
	return n, nil
}

func badNextToken() *apiError {
	return errf(400, "InvalidPaginationToken", "The specified pagination token is not valid: pass the NextToken of the previous response unchanged.")
}

// ec2Filters reads Filter.N.Name / Filter.N.Value.M and checks the names;
// "tag:KEY" is always allowed.
func ec2Filters(p params, supported ...string) ([]filter, *apiError) {
	fs := p.filters("Filter", "Value")
	for _, f := range fs {
		if !slices.Contains(supported, f.name) && !strings.HasPrefix(f.name, "tag:") {
			return nil, errf(400, "InvalidParameterValue", "The filter '%s' is invalid", f.name)
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
func idsNotFound(code, kind string, missing []string) *apiError {
	if len(missing) == 1 {
		return errf(400, code, "The %s ID '%s' does not exist", kind, missing[0])
	}
	return errf(400, code, "The %s IDs '%s' do not exist", kind, strings.Join(missing, ", "))
}

// lookupIDs resolves requested ids in order, de-duplicated; malformed ids
// and missing ones are EC2's errors.
func lookupIDs[T any](t *table[T], ids []string, prefix, kind, codeBase string) ([]T, *apiError) {
	var out []T
	var missing []string
	seen := map[string]bool{}
	for _, id := range ids {
		if !strings.HasPrefix(id, prefix+"-") {
			return nil, errf(400, codeBase+".Malformed", "Invalid id: \"%s\" (expecting \"%s-...\")", id, prefix)
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

func (s *Server) describeSubnets(c *call) *apiError {
	max, err := ec2MaxResults(c.p)
	if err != nil {
		return err
	}
	fs, err := ec2Filters(c.p, "vpc-id", "availability-zone", "availability-zone-id", "subnet-id", "cidr-block", "cidr", "cidrBlock",
		"state", "default-for-az", "owner-id", "subnet-arn", "tag-key")
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	list := s.st.subnets.all()
	if ids := c.p.list("SubnetId"); len(ids) > 0 {
		if list, err = lookupIDs(s.st.subnets, ids, "subnet", "subnet", "InvalidSubnetID"); err != nil {
			return err
		}
		slices.SortFunc(list, func(a, b *subnet) int { return strings.Compare(a.id, b.id) })
	}
	list = slices.DeleteFunc(list, func(sn *subnet) bool {
		return !matchFilters(fs, glob, func(name string) []string {
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
	pg, next, err := page(list, func(sn *subnet) string { return sn.id }, c.p.get("NextToken"), max, badNextToken)
	if err != nil {
		return err
	}
	x := &c.out
	xmlList(x, "subnetSet", "item", pg, func(sn *subnet) {
		x.text("subnetId", sn.id)
		x.text("subnetArn", s.subnetARN(sn.id))
		x.text("state", "available")
		x.text("ownerId", s.account)
		x.text("vpcId", sn.vpcID)
		x.text("cidrBlock", sn.cidr)
		x.empty("ipv6CidrBlockAssociationSet")
		x.integer("availableIpAddressCount", sn.free)
		x.text("availabilityZone", sn.az)
		x.text("availabilityZoneId", azID(sn.az))
		x.boolean("defaultForAz", false)
		x.boolean("mapPublicIpOnLaunch", false)
		x.boolean("assignIpv6AddressOnCreation", false)
		writeEC2Tags(x, sn.tags)
		x.boolean("enableDns64", false)
		x.boolean("ipv6Native", false)
		x.open("privateDnsNameOptionsOnLaunch")
		x.text("hostnameType", "ip-name")
		x.boolean("enableResourceNameDnsARecord", false)
		x.boolean("enableResourceNameDnsAAAARecord", false)
		x.close("privateDnsNameOptionsOnLaunch")
		x.open("blockPublicAccessStates")
		x.text("internetGatewayBlockMode", "off")
		x.close("blockPublicAccessStates")
	})
	x.opt("nextToken", next)
	return nil
}

func (s *Server) subnetARN(id string) string {
	return "arn:aws:ec2:" + s.region + ":" + s.account + ":subnet/" + id
}

func writeEC2Tags(x *xmlw, tags []tag) {
	xmlList(x, "tagSet", "item", tags, func(t tag) {
		x.text("key", t.key)
		x.text("value", t.value)
	})
}

func (s *Server) describeVpcs(c *call) *apiError {
	max, err := ec2MaxResults(c.p)
	if err != nil {
		return err
	}
	fs, err := ec2Filters(c.p, "vpc-id", "cidr", "cidr-block-association.cidr-block", "state", "is-default", "owner-id", "tag-key")
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	list := s.st.vpcs.all()
	if ids := c.p.list("VpcId"); len(ids) > 0 {
		if list, err = lookupIDs(s.st.vpcs, ids, "vpc", "vpc", "InvalidVpcID"); err != nil {
			return err
		}
	}
	list = slices.DeleteFunc(list, func(v *vpc) bool {
		return !matchFilters(fs, glob, func(name string) []string {
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
	pg, next, err := page(list, func(v *vpc) string { return v.id }, c.p.get("NextToken"), max, badNextToken)
	if err != nil {
		return err
	}
	x := &c.out
	xmlList(x, "vpcSet", "item", pg, func(v *vpc) {
		x.text("vpcId", v.id)
		x.text("ownerId", s.account)
		x.text("state", "available")
		x.text("cidrBlock", v.cidr)
		x.open("cidrBlockAssociationSet")
		for i, cidr := range append([]string{v.cidr}, v.extra...) {
			x.open("item")
			x.text("associationId", hexID("vpc-cidr-assoc", v.id+strconv.Itoa(i)))
			x.text("cidrBlock", cidr)
			x.open("cidrBlockState")
			x.text("state", "associated")
			x.close("cidrBlockState")
			x.close("item")
		}
		x.close("cidrBlockAssociationSet")
		x.text("dhcpOptionsId", "dopt-0a1b2c3d4e5f60001")
		writeEC2Tags(x, v.tags)
		x.text("instanceTenancy", "default")
		x.boolean("isDefault", false)
		x.open("blockPublicAccessStates")
		x.text("internetGatewayBlockMode", "off")
		x.close("blockPublicAccessStates")
	})
	x.opt("nextToken", next)
	return nil
}

func (s *Server) describeSecurityGroups(c *call) *apiError {
	max, err := ec2MaxResults(c.p)
	if err != nil {
		return err
	}
	fs, err := ec2Filters(c.p, "vpc-id", "group-name", "group-id", "description", "owner-id", "tag-key")
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	list := s.st.sgs.all()
	if ids := c.p.list("GroupId"); len(ids) > 0 {
		if list, err = lookupIDs(s.st.sgs, ids, "sg", "security group", "InvalidGroupId"); err != nil {
			if err.code == "InvalidGroupId.NotFound" {
				// EC2 names this one differently from its Malformed twin.
				err.code = "InvalidGroup.NotFound"
			}
			return err
		}
	}
	if names := c.p.list("GroupName"); len(names) > 0 {
		var missing []string
		for _, n := range names {
			if !slices.ContainsFunc(list, func(g *securityGroup) bool { return g.name == n }) {
				missing = append(missing, n)
			}
		}
		if len(missing) > 0 {
			return errf(400, "InvalidGroup.NotFound", "The security group '%s' does not exist", strings.Join(missing, ", "))
		}
		list = slices.DeleteFunc(list, func(g *securityGroup) bool { return !slices.Contains(names, g.name) })
	}
	list = slices.DeleteFunc(list, func(g *securityGroup) bool {
		return !matchFilters(fs, glob, func(name string) []string {
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
	pg, next, err := page(list, func(g *securityGroup) string { return g.id }, c.p.get("NextToken"), max, badNextToken)
	if err != nil {
		return err
	}
	x := &c.out
	xmlList(x, "securityGroupInfo", "item", pg, func(g *securityGroup) {
		x.text("ownerId", s.account)
		x.text("groupId", g.id)
		x.text("groupName", g.name)
		x.text("groupDescription", g.desc)
		x.text("vpcId", g.vpcID)
		x.text("securityGroupArn", "arn:aws:ec2:"+s.region+":"+s.account+":security-group/"+g.id)
		s.writePermissions(x, "ipPermissions", g.ingress)
		s.writePermissions(x, "ipPermissionsEgress", g.egress)
		writeEC2Tags(x, g.tags)
	})
	x.opt("nextToken", next)
	return nil
}

func (s *Server) writePermissions(x *xmlw, tag string, perms []ipPermission) {
	xmlList(x, tag, "item", perms, func(p ipPermission) {
		x.text("ipProtocol", p.proto)
		if p.proto != "-1" {
			x.integer("fromPort", p.from)
			x.integer("toPort", p.to)
		}
		xmlList(x, "groups", "item", p.groups, func(g string) {
			x.text("userId", s.account)
			x.text("groupId", g)
		})
		xmlList(x, "ipRanges", "item", p.ranges, func(r ipRange) {
			x.text("cidrIp", r.cidr)
			x.opt("description", r.desc)
		})
		x.empty("ipv6Ranges")
		x.empty("prefixListIds")
	})
}

// label names a VPC for messages: its id and Name tag.
func (v *vpc) label() string {
	if n, ok := tagValue(v.tags, "Name"); ok {
		return fmt.Sprintf("%s (%s)", v.id, n)
	}
	return v.id
}
