package resources

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/dbaf/dbaf/internal/sandbox/cloudformation/template"
	"github.com/dbaf/dbaf/internal/sandbox/state"
	"github.com/dbaf/dbaf/internal/sandbox/wire"
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
		return template.ScalarString(v)
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
	n, err := strconv.Atoi(template.ScalarString(v))
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
	f, err := strconv.ParseFloat(template.ScalarString(v), 64)
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
			out = append(out, template.ScalarString(e))
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
	//lint:ignore ST1005 CloudFormation's own words, which dbaf's root-cause reader expects
	return fmt.Errorf("Properties validation failed for resource %s with message: [%s]", logicalID, strings.Join(p.errs, ", "))
}

// allowedProps are the writable properties of each type, from the
// CloudFormation resource schemas (read-only ones such as Endpoint left out).
func allowedProps(typ string) []string {
	switch typ {
	case "AWS::RDS::DBSubnetGroup":
		return []string{"DBSubnetGroupDescription", "DBSubnetGroupName", "SubnetIds", "Tags"}
	case "AWS::IAM::Role":
		return []string{"AssumeRolePolicyDocument", "Description", "ManagedPolicyArns", "MaxSessionDuration", "Path",
			"PermissionsBoundary", "Policies", "RoleName", "Tags"}
	case "AWS::Scheduler::Schedule":
		return []string{"Description", "EndDate", "FlexibleTimeWindow", "GroupName", "KmsKeyArn", "Name",
			"ScheduleExpression", "ScheduleExpressionTimezone", "StartDate", "State", "Target"}
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
	case strings.Contains(e.Code, "QuotaExceeded"):
		code = "ServiceLimitExceeded"
	case e.Status >= 500:
		code = "ServiceInternalError"
	}
	//lint:ignore ST1005 CloudFormation's own words, which dbaf's root-cause reader expects
	return fmt.Errorf("Resource handler returned message: \"%s (Service: %s, Status Code: %d, Request ID: %s)\" (RequestToken: %s, HandlerErrorCode: %s)",
		e.Message, service, e.Status, wire.NewUUID(), wire.NewUUID(), code)
}

func rdsErr(status int, code, format string, args ...any) error {
	return handlerError("Rds", wire.Errorf(status, code, format, args...))
}

func ec2Err(code, format string, args ...any) error {
	return handlerError("Ec2", wire.Errorf(400, code, format, args...))
}
