package sandbox

import (
	"encoding/json"
	"fmt"
	"github.com/dbaf/dbaf/aws/sandbox/cloudformation"
	"github.com/dbaf/dbaf/aws/sandbox/state"
	"github.com/dbaf/dbaf/aws/sandbox/wire"
	"math"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// props reads a resource's resolved properties, collecting type errors the
// way CloudFormation's schema validation reports them.
type props struct {
	m    map[string]any
	path string // JSON pointer of m within the resource's Properties, for messages
	errs []string
}

func jsonType(v any) string {
	switch v.(type) {
	case string:
		return "String"
	case json.Number:
		return "Number"
	case bool:
		return "Boolean"
	case []any:
		return "JSONArray"
	case map[string]any:
		return "JSONObject"
	}
	return "Null"
}

func (p *props) has(k string) bool {
	_, ok := p.m[k]
	return ok
}

func (p *props) typeErr(k, want string) {
	p.errs = append(p.errs, fmt.Sprintf("#%s/%s: expected type: %s, found: %s", p.path, k, want, jsonType(p.m[k])))
}

func (p *props) str(k string) string {
	switch v := p.m[k].(type) {
	case nil, string, json.Number, bool:
		return cloudformation.ScalarString(v)
	}
	p.typeErr(k, "String")
	return ""
}

// integer accepts a JSON number or a string of digits, as CloudFormation
// does.
func (p *props) integer(k string) (int, bool) {
	v, ok := p.m[k]
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(cloudformation.ScalarString(v))
	if _, isBool := v.(bool); err != nil || isBool {
		p.typeErr(k, "Integer")
		return 0, false
	}
	return n, true
}

func (p *props) number(k string) (float64, bool) {
	v, ok := p.m[k]
	if !ok {
		return 0, false
	}
	f, err := strconv.ParseFloat(cloudformation.ScalarString(v), 64)
	if _, isBool := v.(bool); err != nil || isBool {
		p.typeErr(k, "Number")
		return 0, false
	}
	return f, true
}

func (p *props) boolean(k string) (bool, bool) {
	switch x := p.m[k].(type) {
	case nil:
		return false, false
	case bool:
		return x, true
	case string:
		if b, err := strconv.ParseBool(x); err == nil {
			return b, true
		}
	}
	p.typeErr(k, "Boolean")
	return false, false
}

// array reads k as a JSON array; ok is false when it is absent or, with a
// type error, not an array.
func (p *props) array(k string) (l []any, ok bool) {
	v, ok := p.m[k]
	if !ok {
		return nil, false
	}
	l, ok = v.([]any)
	if !ok {
		p.typeErr(k, "JSONArray")
	}
	return l, ok
}

func (p *props) strList(k string) []string {
	l, ok := p.array(k)
	if !ok {
		return nil
	}
	out := make([]string, 0, len(l))
	for i, e := range l {
		switch e.(type) {
		case []any, map[string]any:
			p.errs = append(p.errs, fmt.Sprintf("#%s/%s/%d: expected type: String, found: %s", p.path, k, i, jsonType(e)))
		default:
			out = append(out, cloudformation.ScalarString(e))
		}
	}
	return out
}

func (p *props) object(k string) (*props, bool) {
	v, ok := p.m[k]
	if !ok {
		return nil, false
	}
	m, isObj := v.(map[string]any)
	if !isObj {
		p.typeErr(k, "JSONObject")
		return nil, false
	}
	return &props{m: m, path: p.path + "/" + k}, true
}

func (p *props) objects(k string) []*props {
	l, _ := p.array(k)
	var out []*props
	for i, e := range l {
		m, isObj := e.(map[string]any)
		if !isObj {
			p.errs = append(p.errs, fmt.Sprintf("#%s/%s/%d: expected type: JSONObject, found: %s", p.path, k, i, jsonType(e)))
			continue
		}
		out = append(out, &props{m: m, path: fmt.Sprintf("%s/%s/%d", p.path, k, i)})
	}
	return out
}

func (p *props) tags(k string) []state.Tag {
	var out []state.Tag
	for i, o := range p.objects(k) {
		key, val := o.str("Key"), o.str("Value")
		if key == "" {
			p.errs = append(p.errs, fmt.Sprintf("#%s/%s/%d: required key [Key] not found", p.path, k, i))
		}
		out = append(out, state.Tag{Key: key, Value: val})
	}
	return out
}

func (p *props) required(keys ...string) {
	for _, k := range keys {
		if !p.has(k) {
			p.errs = append(p.errs, fmt.Sprintf("#%s: required key [%s] not found", p.path, k))
		}
	}
}

// check turns collected errors into the resource's failure reason.
func (p *props) check(logicalID string) error {
	if len(p.errs) == 0 {
		return nil
	}
	return fmt.Errorf("Properties validation failed for resource %s with message: [%s]", logicalID, strings.Join(p.errs, ", "))
}

// allowedProps are the writable properties of each type, from the
// CloudFormation resource schemas (read-only ones such as Endpoint left out).
func allowedProps(typ string) []string {
	switch typ {
	case "AWS::RDS::DBSubnetGroup":
		return []string{"DBSubnetGroupDescription", "DBSubnetGroupName", "SubnetIds", "Tags"}
	case "AWS::EC2::SecurityGroup":
		return []string{"GroupDescription", "GroupName", "SecurityGroupEgress", "SecurityGroupIngress", "Tags", "VpcId"}
	case "AWS::RDS::DBCluster":
		return []string{"AllocatedStorage", "AssociatedRoles", "AutoMinorVersionUpgrade", "AvailabilityZones", "BacktrackWindow",
			"BackupRetentionPeriod", "ClusterScalabilityType", "CopyTagsToSnapshot", "DBClusterIdentifier",
			"DBClusterInstanceClass", "DBClusterParameterGroupName", "DBInstanceParameterGroupName", "DBSubnetGroupName",
			"DBSystemId", "DatabaseInsightsMode", "DatabaseName", "DeleteAutomatedBackups", "DeletionProtection",
			"Domain", "DomainIAMRoleName", "EnableCloudwatchLogsExports", "EnableGlobalWriteForwarding",
			"EnableHttpEndpoint", "EnableIAMDatabaseAuthentication", "EnableLocalWriteForwarding", "Engine",
			"EngineLifecycleSupport", "EngineMode", "EngineVersion", "GlobalClusterIdentifier", "Iops", "KmsKeyId",
			"ManageMasterUserPassword", "MasterUserAuthenticationType", "MasterUserPassword", "MasterUserSecret",
			"MasterUsername", "MonitoringInterval", "MonitoringRoleArn", "NetworkType", "PerformanceInsightsEnabled",
			"PerformanceInsightsKmsKeyId", "PerformanceInsightsRetentionPeriod", "Port", "PreferredBackupWindow",
			"PreferredMaintenanceWindow", "PubliclyAccessible", "ReplicationSourceIdentifier", "RestoreToTime",
			"RestoreType", "ScalingConfiguration", "ServerlessV2ScalingConfiguration", "SnapshotIdentifier",
			"SourceDBClusterIdentifier", "SourceDbClusterResourceId", "SourceRegion", "StorageEncrypted", "StorageType",
			"Tags", "UseLatestRestorableTime", "VpcSecurityGroupIds"}
	case "AWS::RDS::DBInstance":
		return []string{"AdditionalStorageVolumes", "AllocatedStorage", "AllowMajorVersionUpgrade", "ApplyImmediately",
			"AssociatedRoles", "AutoMinorVersionUpgrade", "AutomaticBackupReplicationKmsKeyId",
			"AutomaticBackupReplicationRegion", "AutomaticBackupReplicationRetentionPeriod", "AvailabilityZone",
			"BackupRetentionPeriod", "BackupTarget", "CACertificateIdentifier", "CertificateRotationRestart",
			"CharacterSetName", "CopyTagsToSnapshot", "CustomIAMInstanceProfile", "DBClusterIdentifier",
			"DBClusterSnapshotIdentifier", "DBInstanceClass", "DBInstanceIdentifier", "DBName", "DBParameterGroupName",
			"DBSecurityGroups", "DBSnapshotIdentifier", "DBSubnetGroupName", "DBSystemId", "DatabaseInsightsMode",
			"DedicatedLogVolume", "DeleteAutomatedBackups", "DeletionProtection", "Domain", "DomainAuthSecretArn",
			"DomainDnsIps", "DomainFqdn", "DomainIAMRoleName", "DomainOu", "EnableCloudwatchLogsExports",
			"EnableIAMDatabaseAuthentication", "EnablePerformanceInsights", "Engine", "EngineLifecycleSupport",
			"EngineVersion", "Iops", "KmsKeyId", "LicenseModel", "ManageMasterUserPassword",
			"MasterUserAuthenticationType", "MasterUserPassword", "MasterUserSecret", "MasterUsername",
			"MaxAllocatedStorage", "MonitoringInterval", "MonitoringRoleArn", "MultiAZ", "NcharCharacterSetName",
			"NetworkType", "OptionGroupName", "PerformanceInsightsKMSKeyId", "PerformanceInsightsRetentionPeriod",
			"Port", "PreferredBackupWindow", "PreferredMaintenanceWindow", "ProcessorFeatures", "PromotionTier",
			"PubliclyAccessible", "ReplicaMode", "RestoreTime", "SourceDBClusterIdentifier",
			"SourceDBInstanceAutomatedBackupsArn", "SourceDBInstanceIdentifier", "SourceDbiResourceId", "SourceRegion",
			"StorageEncrypted", "StorageThroughput", "StorageType", "Tags", "TdeCredentialArn", "TdeCredentialPassword",
			"Timezone", "UseDefaultProcessorFeatures", "UseLatestRestorableTime", "VPCSecurityGroups"}
	}
	return nil
}

// handlerError words a failed RDS or EC2 call the way CloudFormation's
// resource handlers report it.
func handlerError(service string, e *wire.APIError) error {
	code := "InvalidRequest"
	switch {
	case e.Status == 404 || strings.Contains(e.Code, "NotFound"):
		code = "NotFound"
	case strings.Contains(e.Code, "AlreadyExists") || strings.Contains(e.Code, "Duplicate"):
		code = "AlreadyExists"
	case e.Status >= 500:
		code = "ServiceInternalError"
	}
	return fmt.Errorf("Resource handler returned message: \"%s (Service: %s, Status Code: %d, Request ID: %s)\" (RequestToken: %s, HandlerErrorCode: %s)",
		e.Message, service, e.Status, wire.NewUUID(), wire.NewUUID(), code)
}

func rdsErr(status int, code, format string, args ...any) error {
	return handlerError("Rds", wire.Errorf(status, code, format, args...))
}

func ec2Err(code, format string, args ...any) error {
	return handlerError("Ec2", wire.Errorf(400, code, format, args...))
}

// provisioned is what creating a resource gave: its ids and attributes.
type provisioned struct {
	physicalID, ref string
	attrs           map[string]string
	fullCopy        bool         // a full-copy restore, slower than a clone
	ready           <-chan error // the copy of a real database server, if any
}

// provision validates a resource against the account and creates it there,
// in its initial state. Callers hold s.mu.
func (s *Server) provision(r cloudformation.Resource, p *props) (*provisioned, error) {
	switch r.Type {
	case "AWS::RDS::DBSubnetGroup":
		return s.provisionSubnetGroup(r, p)
	case "AWS::EC2::SecurityGroup":
		return s.provisionSecurityGroup(r, p)
	case "AWS::RDS::DBCluster":
		return s.provisionCluster(r, p)
	case "AWS::RDS::DBInstance":
		return s.provisionInstance(r, p)
	}
	return nil, fmt.Errorf("the sandbox cannot create %s", r.Type)
}

// resourceTags are a resource's own tags, then the stack's, then the
// aws:cloudformation ones CloudFormation adds to everything it creates.
func resourceTags(r cloudformation.Resource, own []state.Tag) []state.Tag {
	out := slices.Clone(own)
	for _, t := range r.StackTags {
		if _, dup := state.TagValue(out, t.Key); !dup {
			out = append(out, state.Tag{Key: t.Key, Value: t.Value})
		}
	}
	return append(out,
		state.Tag{Key: "aws:cloudformation:stack-name", Value: r.StackName},
		state.Tag{Key: "aws:cloudformation:logical-id", Value: r.LogicalID},
		state.Tag{Key: "aws:cloudformation:stack-id", Value: r.StackID})
}

// generatedName is the name CloudFormation makes up for a resource whose
// template gives none: stack, logical id and a random suffix, trimmed to
// the service's limit.
func generatedName(r cloudformation.Resource, maxLen int, lower bool) string {
	suffix := wire.RandomSuffix(12, wire.LowerAlnum)
	base := r.StackName + "-" + r.LogicalID
	if lower {
		base = strings.ToLower(base)
	} else {
		suffix = wire.RandomSuffix(13, wire.UpperAlnum)
	}
	if room := maxLen - len(suffix) - 1; len(base) > room {
		base = strings.TrimRight(base[:room], "-")
	}
	return base + "-" + suffix
}

var rdsIdentifier = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)

func checkIdentifier(param, id string) error {
	if len(id) > 63 || !rdsIdentifier.MatchString(id) {
		return rdsErr(400, "InvalidParameterValue", "The parameter %s is not a valid identifier. Identifiers must begin with a letter; must contain only ASCII letters, digits, and hyphens; and must not end with a hyphen or contain two consecutive hyphens.", param)
	}
	return nil
}

func (s *Server) provisionSubnetGroup(r cloudformation.Resource, p *props) (*provisioned, error) {
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
	if _, exists := s.st.SubnetGroups.Get(name); exists {
		return nil, rdsErr(400, "DBSubnetGroupAlreadyExists", "The DB subnet group '%s' already exists.", name)
	}
	if len(ids) == 0 {
		return nil, rdsErr(400, "InvalidParameterValue", "The DB subnet group must contain at least one subnet.")
	}
	var bad []string
	vpcOf := map[string]string{}
	for _, id := range ids {
		sn, ok := s.st.Subnets.Get(id)
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
	if zones := s.st.SubnetAZs(ids); len(zones) < 2 {
		return nil, rdsErr(400, "DBSubnetGroupDoesNotCoverEnoughAZs",
			"The DB subnet group doesn't meet Availability Zone (AZ) coverage requirement. Current AZ coverage: %s. Add subnets to cover at least 2 AZs.", strings.Join(zones, ", "))
	}
	s.st.SubnetGroups.Put(name, &state.SubnetGroup{Name: name, Desc: desc, VPCID: vpcID, SubnetIDs: slices.Compact(slices.Clone(ids)),
		Status: "Complete", Tags: resourceTags(r, tags)})
	return &provisioned{physicalID: name, ref: name, attrs: map[string]string{}}, nil
}

// sgText is the character set EC2 accepts in security group and rule
// descriptions.
var sgText = regexp.MustCompile(`^[a-zA-Z0-9. _\-:/()#,@\[\]+=&;{}!$*]*$`)

func (s *Server) provisionSecurityGroup(r cloudformation.Resource, p *props) (*provisioned, error) {
	p.required("GroupDescription")
	desc, vpcID, name, tags := p.str("GroupDescription"), p.str("VpcId"), p.str("GroupName"), p.tags("Tags")
	ingress, egress := p.objects("SecurityGroupIngress"), p.objects("SecurityGroupEgress")
	if err := p.check(r.LogicalID); err != nil {
		return nil, err
	}
	if vpcID == "" {
		return nil, ec2Err("VPCIdNotSpecified", "No default VPC for this user. GroupName is only supported for EC2-Classic and default VPC.")
	}
	if _, ok := s.st.VPCs.Get(vpcID); !ok {
		return nil, ec2Err("InvalidVpcID.NotFound", "The vpc ID '%s' does not exist", vpcID)
	}
	if len(desc) > 255 || !sgText.MatchString(desc) {
		return nil, ec2Err("InvalidParameterValue", "Value (%s) for parameter GroupDescription is invalid. Character sets beyond ASCII are not supported.", desc)
	}
	if name == "" {
		name = generatedName(r, 255, false)
	}
	for _, g := range s.st.SGs.All() {
		if g.VPCID == vpcID && g.Name == name {
			return nil, ec2Err("InvalidGroup.Duplicate", "The security group '%s' already exists for VPC '%s'", name, vpcID)
		}
	}
	in, err := s.permissions(r.LogicalID, ingress, "SourceSecurityGroupId")
	if err != nil {
		return nil, err
	}
	out, err := s.permissions(r.LogicalID, egress, "DestinationSecurityGroupId")
	if err != nil {
		return nil, err
	}
	if len(egress) == 0 {
		out = []state.IPPermission{{Proto: "-1", Ranges: []state.IPRange{{CIDR: "0.0.0.0/0"}}}}
	}
	id := "sg-0" + wire.RandomSuffix(16, "0123456789abcdef")
	s.st.SGs.Put(id, &state.SecurityGroup{ID: id, Name: name, Desc: desc, VPCID: vpcID, Ingress: in, Egress: out, Tags: resourceTags(r, tags)})
	return &provisioned{physicalID: id, ref: id, attrs: map[string]string{"GroupId": id, "Id": id, "VpcId": vpcID}}, nil
}

// permissions reads security group rules, checked as EC2 checks them.
func (s *Server) permissions(logicalID string, rules []*props, groupKey string) ([]state.IPPermission, error) {
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
			if _, ok := s.st.SGs.Get(group); !ok {
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

var (
	backupWindow      = regexp.MustCompile(`^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$`)
	maintenanceWindow = regexp.MustCompile(`^(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d-(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d$`)
)

func (s *Server) provisionCluster(r cloudformation.Resource, p *props) (*provisioned, error) {
	id := strings.ToLower(p.str("DBClusterIdentifier"))
	engine, version := p.str("Engine"), p.str("EngineVersion")
	restoreType, source, snapshotID := p.str("RestoreType"), p.str("SourceDBClusterIdentifier"), p.str("SnapshotIdentifier")
	useLatest, _ := p.boolean("UseLatestRestorableTime")
	restoreTo := p.str("RestoreToTime")
	subnetGroupName := strings.ToLower(p.str("DBSubnetGroupName"))
	sgIDs := p.strList("VpcSecurityGroupIds")
	port, hasPort := p.integer("Port")
	retention, hasRetention := p.integer("BackupRetentionPeriod")
	bw, mw := p.str("PreferredBackupWindow"), p.str("PreferredMaintenanceWindow")
	deletionProtection, _ := p.boolean("DeletionProtection")
	copyTags, _ := p.boolean("CopyTagsToSnapshot")
	encrypted, hasEncrypted := p.boolean("StorageEncrypted")
	masterUser, masterPassword := p.str("MasterUsername"), p.str("MasterUserPassword")
	manageMaster, _ := p.boolean("ManageMasterUserPassword")
	dbName, storageType := p.str("DatabaseName"), p.str("StorageType")
	tags := p.tags("Tags")
	var sv2 *state.Scaling
	if sc, ok := p.object("ServerlessV2ScalingConfiguration"); ok {
		sc.required("MinCapacity", "MaxCapacity")
		minC, _ := sc.number("MinCapacity")
		maxC, _ := sc.number("MaxCapacity")
		sv2 = &state.Scaling{Min: minC, Max: maxC}
		p.errs = append(p.errs, sc.errs...)
	}
	if err := p.check(r.LogicalID); err != nil {
		return nil, err
	}

	if id == "" {
		id = generatedName(r, 63, true)
	}
	if err := checkIdentifier("DBClusterIdentifier", id); err != nil {
		return nil, err
	}
	if _, exists := s.st.Clusters.Get(id); exists {
		return nil, rdsErr(400, "DBClusterAlreadyExistsFault", "DB Cluster already exists")
	}

	cl := &state.Cluster{ID: id, ResourceID: "cluster-" + wire.RandomSuffix(26, wire.UpperAlnum), Status: "creating", Created: time.Now().UTC(),
		StorageType: "aurora", BackupRetention: 1, BackupWindow: "03:47-04:17", MaintenanceWindow: "tue:05:30-tue:06:00",
		DeletionProtection: deletionProtection, CopyTagsToSnapshot: copyTags, StorageEncrypted: true}
	res := &provisioned{physicalID: id, ref: id}
	switch {
	case source != "" && snapshotID != "":
		return nil, rdsErr(400, "InvalidParameterCombination", "Specify SourceDBClusterIdentifier or SnapshotIdentifier, not both.")
	case source != "":
		src, ok := s.st.FindCluster(source)
		if !ok {
			return nil, rdsErr(404, "DBClusterNotFoundFault", "DBCluster %s not found.", source)
		}
		switch restoreType {
		case "", "full-copy":
			res.fullCopy = true
		case "copy-on-write":
		default:
			return nil, rdsErr(400, "InvalidParameterValue", "Invalid RestoreType %s: use full-copy or copy-on-write.", restoreType)
		}
		if !strings.HasPrefix(src.Engine, "aurora") && !res.fullCopy {
			return nil, rdsErr(400, "InvalidParameterCombination",
				"DB cluster %s is a Multi-AZ DB cluster (engine %s): copy-on-write cloning is supported only for Aurora DB clusters.", src.ID, src.Engine)
		}
		if src.Status != "available" {
			return nil, rdsErr(400, "InvalidDBClusterStateFault", "DB cluster %s is not in the available state (it is %s).", src.ID, src.Status)
		}
		switch {
		case useLatest && restoreTo != "":
			return nil, rdsErr(400, "InvalidParameterCombination", "Cannot specify both RestoreToTime and UseLatestRestorableTime.")
		case restoreTo != "" && !res.fullCopy:
			return nil, rdsErr(400, "InvalidParameterCombination", "RestoreToTime can't be specified if RestoreType is copy-on-write: a clone is always of the source's latest data. Use full-copy to restore to a point in time.")
		case restoreTo == "" && !useLatest:
			return nil, rdsErr(400, "InvalidParameterCombination", "RestoreToTime must be specified if UseLatestRestorableTime isn't enabled.")
		case restoreTo != "":
			at, err := time.Parse(time.RFC3339, restoreTo)
			if err != nil {
				return nil, rdsErr(400, "InvalidParameterValue", "Invalid RestoreToTime %s: use an ISO 8601 UTC time like 2026-11-24T21:30:00Z.", restoreTo)
			}
			earliest := time.Now().Add(-time.Duration(src.BackupRetention) * 24 * time.Hour)
			if earliest.Before(src.Created) {
				earliest = src.Created
			}
			if latest := src.LatestRestorable(); at.Before(earliest) || at.After(latest) {
				return nil, rdsErr(400, "InvalidRestoreFault", "The restore time %s is outside the restorable window of DB cluster %s: %s to %s.",
					restoreTo, src.ID, wire.ISOTime(earliest), wire.ISOTime(latest))
			}
		}
		if engine != "" && engine != src.Engine {
			return nil, rdsErr(400, "InvalidParameterCombination", "The engine of the new DB cluster (%s) must be the source's (%s).", engine, src.Engine)
		}
		if version != "" && version != src.Version {
			return nil, rdsErr(400, "InvalidParameterCombination", "Cannot change the engine version when restoring DB cluster %s (%s): leave EngineVersion out or set %s.", src.ID, src.Version, src.Version)
		}
		cl.Engine, cl.Version, cl.Port, cl.MasterUser = src.Engine, src.Version, src.Port, src.MasterUser
		cl.StorageEncrypted, cl.DatabaseName, cl.IAMAuth = src.StorageEncrypted, src.DatabaseName, src.IAMAuth
		if src.MultiAZ {
			cl.MultiAZ, cl.ClusterClass, cl.StorageType = true, src.ClusterClass, src.StorageType
		}
		if !res.fullCopy {
			if src.CloneGroup == "" {
				src.CloneGroup = wire.NewUUID()
			}
			cl.CloneGroup = src.CloneGroup
		}
	case snapshotID != "":
		sn, ok := s.st.Snapshots.Get(strings.ToLower(snapshotID))
		if !ok {
			return nil, rdsErr(404, "DBClusterSnapshotNotFoundFault", "DBClusterSnapshot %s not found.", snapshotID)
		}
		if sn.Status != "available" {
			return nil, rdsErr(400, "InvalidDBClusterSnapshotStateFault", "DB cluster snapshot %s is not available (it is %s).", sn.ID, sn.Status)
		}
		if engine == "" {
			return nil, rdsErr(400, "InvalidParameterValue", "The parameter Engine must be provided and must not be blank.")
		}
		if engine != sn.Engine {
			return nil, rdsErr(400, "InvalidParameterCombination", "The engine of the new DB cluster (%s) must be the snapshot's (%s).", engine, sn.Engine)
		}
		res.fullCopy = true
		cl.Engine, cl.Version, cl.Port, cl.MasterUser, cl.StorageEncrypted = sn.Engine, sn.Version, sn.Port, sn.MasterUser, sn.StorageEncrypted
		if version != "" {
			cl.Version = version
		}
	default:
		if engine == "" {
			return nil, rdsErr(400, "InvalidParameterValue", "The parameter Engine must be provided and must not be blank.")
		}
		if version == "" {
			if vs := state.EngineVersions(engine); len(vs) > 0 {
				version = vs[len(vs)-1]
			}
		}
		if !state.KnownVersion(engine, version) {
			return nil, rdsErr(400, "InvalidParameterCombination", "Cannot find version %s for %s", version, engine)
		}
		if masterUser == "" {
			return nil, rdsErr(400, "InvalidParameterValue", "The parameter MasterUsername must be provided and must not be blank.")
		}
		if masterPassword == "" && !manageMaster {
			return nil, rdsErr(400, "InvalidParameterValue", "The parameter MasterUserPassword must be provided and must not be blank.")
		}
		res.fullCopy = true
		cl.Engine, cl.Version, cl.MasterUser = engine, version, masterUser
		cl.Port = 5432
		if strings.Contains(engine, "mysql") {
			cl.Port = 3306
		}
		if hasEncrypted {
			cl.StorageEncrypted = encrypted
		}
	}
	if masterPassword != "" {
		if msg := state.PasswordProblem(masterPassword, cl.Engine); msg != "" {
			return nil, rdsErr(400, "InvalidParameterValue", "The parameter MasterUserPassword is not a valid password%s", msg)
		}
		cl.PasswordHash = state.HashPassword(masterPassword)
	}
	if hasPort {
		if port < 1150 || port > 65535 {
			return nil, rdsErr(400, "InvalidParameterValue", "Invalid port %d: it must be from 1150 to 65535.", port)
		}
		cl.Port = port
	}
	if hasRetention {
		if retention < 1 || retention > 35 {
			return nil, rdsErr(400, "InvalidParameterValue", "Invalid backup retention period %d: it must be from 1 to 35 days.", retention)
		}
		cl.BackupRetention = retention
	}
	if bw != "" {
		if !backupWindow.MatchString(bw) {
			return nil, rdsErr(400, "InvalidParameterValue", "The backup window %s is not valid: use the format hh24:mi-hh24:mi in UTC, e.g. 03:00-03:30.", bw)
		}
		cl.BackupWindow = bw
	}
	if mw != "" {
		if !maintenanceWindow.MatchString(strings.ToLower(mw)) {
			return nil, rdsErr(400, "InvalidParameterValue", "The maintenance window %s is not valid: use the format ddd:hh24:mi-ddd:hh24:mi in UTC, e.g. sun:05:00-sun:05:30.", mw)
		}
		cl.MaintenanceWindow = strings.ToLower(mw)
	}
	if dbName != "" {
		cl.DatabaseName = dbName
	}
	if storageType != "" {
		cl.StorageType = storageType
	}
	if sv2 != nil {
		if err := checkScaling(sv2); err != nil {
			return nil, err
		}
		cl.Serverless = sv2
	}

	// Network: the subnet group and security groups must exist and share a VPC.
	if subnetGroupName == "" {
		return nil, rdsErr(400, "InvalidVPCNetworkStateFault", "The account has no default VPC, so DBSubnetGroupName is required.")
	}
	g, ok := s.st.SubnetGroups.Get(subnetGroupName)
	if !ok {
		return nil, rdsErr(404, "DBSubnetGroupNotFoundFault", "DBSubnetGroup '%s' not found.", subnetGroupName)
	}
	if zones := s.st.SubnetAZs(g.SubnetIDs); len(zones) < 2 {
		return nil, rdsErr(400, "DBSubnetGroupDoesNotCoverEnoughAZs",
			"The DB subnet group doesn't meet Availability Zone (AZ) coverage requirement. Current AZ coverage: %s. Add subnets to cover at least 2 AZs.", strings.Join(zones, ", "))
	}
	cl.SubnetGroup = g.Name
	if len(sgIDs) == 0 {
		if v, ok := s.st.VPCs.Get(g.VPCID); ok {
			sgIDs = []string{v.DefaultSG}
		}
	}
	for _, sgID := range sgIDs {
		sg, ok := s.st.SGs.Get(sgID)
		if !ok {
			return nil, rdsErr(400, "InvalidParameterValue", "Invalid security group, groupId= %s, groupName=.", sgID)
		}
		if sg.VPCID != g.VPCID {
			return nil, rdsErr(400, "InvalidParameterCombination", "The DB subnet group %s (VPC %s) and the security group %s (VPC %s) are in different VPCs.", g.Name, g.VPCID, sg.ID, sg.VPCID)
		}
	}
	cl.SGIDs = slices.Clone(sgIDs)
	cl.Tags = resourceTags(r, tags)
	// A restore of a cluster with a real server gets a physical copy of
	// that server's data (for a snapshot: of its cluster's current data).
	copyOf := source
	if snapshotID != "" {
		if sn, ok := s.st.Snapshots.Get(strings.ToLower(snapshotID)); ok {
			copyOf = sn.Cluster
		}
	}
	if copyOf != "" {
		if src, ok := s.st.FindCluster(copyOf); ok {
			ready, err := s.backClone(src.ID, id, cl.Port)
			if err != nil {
				return nil, rdsErr(500, "InternalFailure", "The sandbox cannot start a database server for %s: %v", id, err)
			}
			res.ready = ready
		}
	}
	s.st.Clusters.Put(id, cl)
	res.attrs = map[string]string{
		"Endpoint.Address":     s.clusterEndpoint(id),
		"Endpoint.Port":        strconv.Itoa(cl.Port),
		"ReadEndpoint.Address": s.readerEndpoint(id),
		"DBClusterArn":         s.clusterARN(id),
		"DBClusterResourceId":  cl.ResourceID,
	}
	return res, nil
}

// checkScaling checks a Serverless v2 range as RDS does: half-ACU steps,
// 0-256 minimum, 1-256 maximum, minimum not above maximum.
func checkScaling(sc *state.Scaling) error {
	half := func(f float64) bool { return math.Mod(f*2, 1) == 0 }
	switch {
	case sc.Min < 0 || sc.Min > 256 || !half(sc.Min):
		return rdsErr(400, "InvalidParameterValue", "Serverless v2 minimum capacity %g isn't valid: use 0 to 256 ACUs in steps of 0.5.", sc.Min)
	case sc.Max < 1 || sc.Max > 256 || !half(sc.Max):
		return rdsErr(400, "InvalidParameterValue", "Serverless v2 maximum capacity %g isn't valid: use 1 to 256 ACUs in steps of 0.5.", sc.Max)
	case sc.Min > sc.Max:
		return rdsErr(400, "InvalidParameterCombination", "Serverless v2 minimum capacity %g is above its maximum %g.", sc.Min, sc.Max)
	}
	return nil
}

func (s *Server) provisionInstance(r cloudformation.Resource, p *props) (*provisioned, error) {
	id := strings.ToLower(p.str("DBInstanceIdentifier"))
	clusterID := strings.ToLower(p.str("DBClusterIdentifier"))
	class, engine := p.str("DBInstanceClass"), p.str("Engine")
	public, _ := p.boolean("PubliclyAccessible")
	tier, hasTier := p.integer("PromotionTier")
	az, subnetGroupName := p.str("AvailabilityZone"), strings.ToLower(p.str("DBSubnetGroupName"))
	tags := p.tags("Tags")
	if err := p.check(r.LogicalID); err != nil {
		return nil, err
	}
	// Settings that belong to an Aurora cluster, not its instances.
	for _, k := range []string{"MasterUsername", "MasterUserPassword", "BackupRetentionPeriod", "VPCSecurityGroups", "AllocatedStorage", "StorageEncrypted"} {
		if p.has(k) {
			what := map[string]string{"MasterUsername": "master user name", "MasterUserPassword": "master user password",
				"BackupRetentionPeriod": "backup retention period", "VPCSecurityGroups": "VPC security groups",
				"AllocatedStorage": "allocated storage", "StorageEncrypted": "storage encryption"}[k]
			return nil, rdsErr(400, "InvalidParameterCombination", "The requested DB Instance will be a member of a DB Cluster. Set %s for the DB Cluster.", what)
		}
	}
	if clusterID == "" {
		return nil, rdsErr(400, "InvalidParameterValue", "The sandbox creates only Aurora DB instances in a DB cluster: set DBClusterIdentifier.")
	}
	cl, ok := s.st.FindCluster(clusterID)
	if !ok {
		return nil, rdsErr(404, "DBClusterNotFoundFault", "DBCluster %s not found.", clusterID)
	}
	if cl.Status != "available" {
		return nil, rdsErr(400, "InvalidDBClusterStateFault", "DB cluster %s is not in the available state (it is %s).", cl.ID, cl.Status)
	}
	if cl.MultiAZ {
		return nil, rdsErr(400, "InvalidParameterCombination", "DB cluster %s is a Multi-AZ DB cluster: RDS creates its instances itself.", cl.ID)
	}
	if engine == "" {
		return nil, rdsErr(400, "InvalidParameterValue", "The parameter Engine must be provided and must not be blank.")
	}
	if engine != cl.Engine {
		return nil, rdsErr(400, "InvalidParameterCombination", "The engine name requested for your DB instance (%s) doesn't match the engine name of your DB cluster (%s).", engine, cl.Engine)
	}
	if class == "" {
		return nil, rdsErr(400, "InvalidParameterValue", "The parameter DBInstanceClass must be provided and must not be blank.")
	}
	if !state.IsOrderable(cl.Engine, cl.Version, class) {
		return nil, rdsErr(400, "InvalidParameterCombination",
			"RDS does not support creating a DB instance with the following combination: DBInstanceClass=%s, Engine=%s, EngineVersion=%s, LicenseModel=%s. For supported combinations of instance class and database engine version, see the documentation.",
			class, cl.Engine, cl.Version, state.LicenseModel(cl.Engine))
	}
	if class == "db.serverless" && cl.Serverless == nil {
		return nil, rdsErr(400, "InvalidParameterCombination", "Set the Serverless v2 scaling configuration on the parent DB cluster %s before creating a Serverless v2 DB instance.", cl.ID)
	}
	if subnetGroupName != "" && subnetGroupName != cl.SubnetGroup {
		return nil, rdsErr(400, "InvalidParameterCombination", "The DB instance's subnet group %s must be its DB cluster's, %s.", subnetGroupName, cl.SubnetGroup)
	}
	zones := state.AZs(s.region)
	if g, ok := s.st.SubnetGroups.Get(cl.SubnetGroup); ok {
		zones = s.st.SubnetAZs(g.SubnetIDs)
	}
	if az == "" {
		az = zones[len(cl.Members)%len(zones)]
	} else if !slices.Contains(zones, az) {
		return nil, rdsErr(400, "InvalidParameterCombination", "Availability zone %s is not in the DB cluster's subnet group (%s).", az, strings.Join(zones, ", "))
	}
	if id == "" {
		id = generatedName(r, 63, true)
	}
	if err := checkIdentifier("DBInstanceIdentifier", id); err != nil {
		return nil, err
	}
	if _, exists := s.st.Instances.Get(id); exists {
		return nil, rdsErr(400, "DBInstanceAlreadyExists", "DB instance already exists")
	}
	if !hasTier {
		tier = 1
	}
	in := &state.Instance{ID: id, ResourceID: "db-" + wire.RandomSuffix(26, wire.UpperAlnum), Cluster: cl.ID, Class: class, Engine: cl.Engine,
		Version: cl.Version, Status: "creating", AZ: az, Created: time.Now().UTC(), Public: public, Tier: tier, Tags: resourceTags(r, tags)}
	s.st.Instances.Put(id, in)
	hasWriter := slices.ContainsFunc(cl.Members, func(m state.Member) bool { return m.Writer })
	cl.Members = append(cl.Members, state.Member{Instance: id, Writer: !hasWriter, Tier: tier})
	return &provisioned{physicalID: id, ref: id, attrs: map[string]string{
		"Endpoint.Address":      s.instanceEndpoint(id),
		"Endpoint.Port":         strconv.Itoa(cl.Port),
		"Endpoint.HostedZoneId": state.HostedZone,
		"DBInstanceArn":         s.instanceARN(id),
		"DbiResourceId":         in.ResourceID,
	}}, nil
}

// finishCreate moves a provisioned resource to its ready state. Callers
// hold s.mu.
func (s *Server) finishCreate(r cloudformation.Resource) {
	switch r.Type {
	case "AWS::RDS::DBCluster":
		if cl, ok := s.st.Clusters.Get(r.PhysicalID); ok && cl.Status == "creating" {
			cl.Status = "available"
		}
	case "AWS::RDS::DBInstance":
		if in, ok := s.st.Instances.Get(r.PhysicalID); ok && in.Status == "creating" {
			in.Status = "available"
		}
	}
}

// failProvisioned marks a resource that failed after it was created.
func (s *Server) failProvisioned(r cloudformation.Resource) {
	switch r.Type {
	case "AWS::RDS::DBCluster":
		if cl, ok := s.st.Clusters.Get(r.PhysicalID); ok {
			cl.Status = "failed"
		}
	case "AWS::RDS::DBInstance":
		if in, ok := s.st.Instances.Get(r.PhysicalID); ok {
			in.Status = "failed"
		}
	}
}

// startDelete checks that a resource can be deleted and starts it; the
// note, if any, is an event reason worth showing. Callers hold s.mu.
func (s *Server) startDelete(r cloudformation.Resource, snapshot bool) (note, snapshotID string, err error) {
	switch r.Type {
	case "AWS::RDS::DBSubnetGroup":
		for _, cl := range s.st.Clusters.All() {
			if cl.SubnetGroup == r.PhysicalID && cl.Status != "deleting" {
				return "", "", rdsErr(400, "InvalidDBSubnetGroupStateFault", "Cannot delete the subnet group '%s' because at least one database cluster: %s is still using it.", r.PhysicalID, cl.ID)
			}
		}
	case "AWS::EC2::SecurityGroup":
		for _, cl := range s.st.Clusters.All() {
			if slices.Contains(cl.SGIDs, r.PhysicalID) && cl.Status != "deleting" {
				return "", "", ec2Err("DependencyViolation", "resource %s has a dependent object", r.PhysicalID)
			}
		}
	case "AWS::RDS::DBCluster":
		cl, ok := s.st.Clusters.Get(r.PhysicalID)
		if !ok {
			return "", "", nil // already gone: nothing to do
		}
		if cl.DeletionProtection {
			return "", "", rdsErr(400, "InvalidParameterCombination", "Cannot delete protected Cluster, please disable deletion protection and try again.")
		}
		for _, m := range cl.Members {
			if in, ok := s.st.Instances.Get(m.Instance); ok && in.Status != "deleting" {
				return "", "", rdsErr(400, "InvalidDBClusterStateFault", "Cluster cannot be deleted, it still contains DB instances in non-deleting state.")
			}
		}
		cl.Status = "deleting"
		if snapshot {
			id := strings.ToLower(r.StackName + "-snapshot-" + r.LogicalID + "-" + wire.RandomSuffix(12, wire.LowerAlnum))
			sg, _ := s.st.SubnetGroups.Get(cl.SubnetGroup)
			vpcID := ""
			if sg != nil {
				vpcID = sg.VPCID
			}
			s.st.Snapshots.Put(id, &state.Snapshot{ID: id, Cluster: cl.ID, Engine: cl.Engine, Version: cl.Version, Port: cl.Port,
				VPCID: vpcID, MasterUser: cl.MasterUser, Type: "manual", Status: "creating", Created: time.Now().UTC(),
				ClusterCreated: cl.Created, StorageEncrypted: cl.StorageEncrypted, Tags: slices.Clone(cl.Tags)})
			policy := "DeletionPolicy Snapshot"
			if r.DeletionPolicy == "" {
				policy = "no DeletionPolicy, so CloudFormation's default for AWS::RDS::DBCluster, Snapshot"
			}
			return fmt.Sprintf("Creating final snapshot %s of DB cluster %s before deleting it (%s); the snapshot is kept, and billed, after the stack is gone", id, cl.ID, policy), id, nil
		}
	case "AWS::RDS::DBInstance":
		if in, ok := s.st.Instances.Get(r.PhysicalID); ok {
			in.Status = "deleting"
		}
	}
	return "", "", nil
}

// finishDelete removes a deleted resource from the account. Callers hold s.mu.
func (s *Server) finishDelete(r cloudformation.Resource, snapshotID string) {
	switch r.Type {
	case "AWS::RDS::DBSubnetGroup":
		s.st.SubnetGroups.Del(r.PhysicalID)
	case "AWS::EC2::SecurityGroup":
		s.st.SGs.Del(r.PhysicalID)
	case "AWS::RDS::DBCluster":
		s.st.Clusters.Del(r.PhysicalID)
		if id := snapshotID; id != "" {
			if sn, ok := s.st.Snapshots.Get(id); ok {
				sn.Status = "available"
			}
		}
	case "AWS::RDS::DBInstance":
		in, ok := s.st.Instances.Get(r.PhysicalID)
		if !ok {
			return
		}
		s.st.Instances.Del(in.ID)
		if cl, ok := s.st.Clusters.Get(in.Cluster); ok {
			wasWriter := false
			cl.Members = slices.DeleteFunc(cl.Members, func(m state.Member) bool {
				if m.Instance == in.ID {
					wasWriter = m.Writer
					return true
				}
				return false
			})
			if wasWriter && len(cl.Members) > 0 {
				cl.Members[0].Writer = true // failover to a reader
			}
		}
	}
}
