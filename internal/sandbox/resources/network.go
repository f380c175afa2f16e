package resources

import (
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/dbaf/dbaf/internal/sandbox/cloudformation"
	"github.com/dbaf/dbaf/internal/sandbox/state"
	"github.com/dbaf/dbaf/internal/sandbox/wire"
)

func (pr *Provider) provisionSubnetGroup(r cloudformation.Resource, p *props) (*provisioned, error) {
	p.required("DBSubnetGroupDescription", "SubnetIds")
	desc, ids, name, tags := p.str("DBSubnetGroupDescription"), p.strList("SubnetIds"), p.str("DBSubnetGroupName"), p.tags("Tags")
	if err := p.check(r.LogicalID); err != nil {
		return nil, err
	}
	if name == "" {
		name = generatedName(r, 255, true)
	}
	name = strings.ToLower(name)
	if name == "default" {
		return nil, rdsErr(400, "InvalidParameterValue", "The DB subnet group name 'default' is reserved.")
	}
	if _, exists := pr.st.SubnetGroups.Get(name); exists {
		return nil, rdsErr(400, "DBSubnetGroupAlreadyExists", "The DB subnet group '%s' already exists.", name)
	}
	if n, max := int64(pr.st.SubnetGroups.Len()), pr.acct.Quota("db-subnet-groups"); n >= max {
		return nil, rdsErr(400, "DBSubnetGroupQuotaExceeded", "Cannot create DB subnet group %s: the account's quota of %d DB subnet groups (DBSubnetGroups) is used up, %d exist. Delete subnet groups or request a quota increase.", name, max, n)
	}
	if len(ids) == 0 {
		return nil, rdsErr(400, "InvalidParameterValue", "The DB subnet group must contain at least one subnet.")
	}
	var bad []string
	vpcOf := map[string]string{}
	for _, id := range ids {
		sn, ok := pr.st.Subnets.Get(id)
		if !ok {
			bad = append(bad, id)
			continue
		}
		vpcOf[id] = sn.VPCID
	}
	if len(bad) > 0 {
		return nil, rdsErr(400, "InvalidSubnet", "Some input subnets in :[%s] are invalid.", strings.Join(bad, ", "))
	}
	vpcID := vpcOf[ids[0]]
	for _, id := range ids[1:] {
		if vpcOf[id] != vpcID {
			return nil, rdsErr(400, "InvalidSubnet", "The subnets of a DB subnet group must all be in one VPC: %s is in %s, %s in %s.", ids[0], vpcID, id, vpcOf[id])
		}
	}
	if zones := pr.st.SubnetAZs(ids); len(zones) < 2 {
		return nil, rdsErr(400, "DBSubnetGroupDoesNotCoverEnoughAZs",
			"The DB subnet group doesn't meet Availability Zone (AZ) coverage requirement. Current AZ coverage: %s. Add subnets to cover at least 2 AZs.", strings.Join(zones, ", "))
	}
	pr.st.SubnetGroups.Put(name, &state.SubnetGroup{Name: name, Desc: desc, VPCID: vpcID, SubnetIDs: slices.Compact(slices.Clone(ids)),
		Status: "Complete", Tags: resourceTags(r, tags)})
	return &provisioned{physicalID: name, ref: name, attrs: map[string]string{}}, nil
}

// sgText is the character set EC2 accepts in security group and rule
// descriptions.
var sgText = regexp.MustCompile(`^[a-zA-Z0-9. _\-:/()#,@\[\]+=&;{}!$*]*$`)

func (pr *Provider) provisionSecurityGroup(r cloudformation.Resource, p *props) (*provisioned, error) {
	p.required("GroupDescription")
	desc, vpcID, name, tags := p.str("GroupDescription"), p.str("VpcId"), p.str("GroupName"), p.tags("Tags")
	ingress, egress := p.objects("SecurityGroupIngress"), p.objects("SecurityGroupEgress")
	if err := p.check(r.LogicalID); err != nil {
		return nil, err
	}
	if vpcID == "" {
		return nil, ec2Err("VPCIdNotSpecified", "No default VPC for this user. GroupName is only supported for EC2-Classic and default VPC.")
	}
	if _, ok := pr.st.VPCs.Get(vpcID); !ok {
		return nil, ec2Err("InvalidVpcID.NotFound", "The vpc ID '%s' does not exist", vpcID)
	}
	if len(desc) > 255 || !sgText.MatchString(desc) {
		return nil, ec2Err("InvalidParameterValue", "Value (%s) for parameter GroupDescription is invalid. Character sets beyond ASCII are not supported.", desc)
	}
	if name == "" {
		name = generatedName(r, 255, false)
	}
	for _, g := range pr.st.SGs.All() {
		if g.VPCID == vpcID && g.Name == name {
			return nil, ec2Err("InvalidGroup.Duplicate", "The security group '%s' already exists for VPC '%s'", name, vpcID)
		}
	}
	in, err := pr.permissions(r.LogicalID, ingress, "SourceSecurityGroupId")
	if err != nil {
		return nil, err
	}
	out, err := pr.permissions(r.LogicalID, egress, "DestinationSecurityGroupId")
	if err != nil {
		return nil, err
	}
	if len(egress) == 0 {
		out = []state.IPPermission{{Proto: "-1", Ranges: []state.IPRange{{CIDR: "0.0.0.0/0"}}}}
	}
	id := "sg-0" + wire.RandomSuffix(16, "0123456789abcdef")
	pr.st.SGs.Put(id, &state.SecurityGroup{ID: id, Name: name, Desc: desc, VPCID: vpcID, Ingress: in, Egress: out, Tags: resourceTags(r, tags)})
	return &provisioned{physicalID: id, ref: id, attrs: map[string]string{"GroupId": id, "Id": id, "VpcId": vpcID}}, nil
}

// permissions reads security group rules, checked as EC2 checks them.
func (pr *Provider) permissions(logicalID string, rules []*props, groupKey string) ([]state.IPPermission, error) {
	var out []state.IPPermission
	for _, rule := range rules {
		rule.required("IpProtocol")
		proto := strings.ToLower(rule.str("IpProtocol"))
		from, hasFrom := rule.integer("FromPort")
		to, hasTo := rule.integer("ToPort")
		cidr, group, desc := rule.str("CidrIp"), rule.str(groupKey), rule.str("Description")
		if err := rule.check(logicalID); err != nil {
			return nil, err
		}
		switch proto {
		case "tcp", "udp", "6", "17":
			if !hasFrom || !hasTo || from < 0 || to > 65535 || from > to {
				return nil, ec2Err("InvalidParameterValue", "Invalid port range %d-%d for protocol %s: FromPort and ToPort must be 0-65535, FromPort first.", from, to, proto)
			}
		case "icmp", "-1", "all":
			if proto == "all" {
				proto = "-1"
			}
		default:
			if _, err := strconv.Atoi(proto); err != nil {
				return nil, ec2Err("InvalidParameterValue", "Invalid value '%s' for IP protocol. Unknown protocol.", proto)
			}
		}
		if len(desc) > 255 || !sgText.MatchString(desc) {
			return nil, ec2Err("InvalidParameterValue", "Invalid rule description. Valid descriptions are strings less than 256 characters from the following set:  a-zA-Z0-9. _-:/()#,@[]+=&;{}!$*")
		}
		perm := state.IPPermission{Proto: proto, From: from, To: to}
		switch {
		case cidr != "":
			pfx, err := netip.ParsePrefix(cidr)
			if err != nil || !pfx.Addr().Is4() {
				return nil, ec2Err("InvalidParameterValue", "Value (%s) for parameter cidrIp is invalid. This is not a valid CIDR block.", cidr)
			}
			perm.Ranges = []state.IPRange{{CIDR: pfx.Masked().String(), Desc: desc}}
		case group != "":
			if _, ok := pr.st.SGs.Get(group); !ok {
				return nil, ec2Err("InvalidGroup.NotFound", "The security group '%s' does not exist", group)
			}
			perm.Groups = []string{group}
		default:
			return nil, ec2Err("MissingParameter", "Either CidrIp, CidrIpv6, SourcePrefixListId or the source security group must be specified (rule %s).", rule.path)
		}
		out = append(out, perm)
	}
	return out, nil
}
