package artifact

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/dbaf/dbaf/aws"
	"github.com/dbaf/dbaf/config"
)

// Logical ids of the clone stack's resources. Other code (the clone view,
// the network check) finds resources by these names.
const (
	LogicalSubnetGroup   = "SubnetGroup"
	LogicalSecurityGroup = "SecurityGroup"
	LogicalCluster       = "Cluster"
	LogicalInstance      = "Instance"
	// LogicalExpiry is the clone's EventBridge schedule that deletes its
	// stack at its expiry (only when the account has dbaf setup's role).
	LogicalExpiry = "Expiry"
)

// Expiry is when AWS deletes a clone, and the role (dbaf setup's) its
// schedule assumes to do it.
type Expiry struct {
	At      time.Time
	RoleARN string
}

// DeleteStackTarget is EventBridge Scheduler's universal target for
// CloudFormation's DeleteStack.
const DeleteStackTarget = "arn:aws:scheduler:::aws-sdk:cloudformation:deleteStack"

// ScheduleExpression is the one-time schedule expression of t: at() in
// UTC, to the second, as Scheduler reads it.
func ScheduleExpression(t time.Time) string {
	return "at(" + t.UTC().Format("2006-01-02T15:04:05") + ")"
}

// InstanceSuffix is appended to the stack name to name the clone's only
// instance; ValidateStackName leaves room for it.
const InstanceSuffix = "-1"

// ResourceInfo describes one resource of a clone stack, so a view can list
// every resource before CloudFormation reports on it.
type ResourceInfo struct {
	LogicalID string `json:"logical_id"`
	Type      string `json:"type"`
	Label     string `json:"label"` // human name, e.g. "DB subnet group"
}

// templateResources is the single list Template and TemplateResources both
// follow, in dependency order, so the two can never disagree.
var templateResources = []ResourceInfo{
	{LogicalID: LogicalSubnetGroup, Type: "AWS::RDS::DBSubnetGroup", Label: "DB subnet group"},
	{LogicalID: LogicalSecurityGroup, Type: "AWS::EC2::SecurityGroup", Label: "Security group"},
	{LogicalID: LogicalCluster, Type: "AWS::RDS::DBCluster", Label: "DB cluster"},
	{LogicalID: LogicalInstance, Type: "AWS::RDS::DBInstance", Label: "DB instance"},
}

// ExpiryResource is the row of a clone's expiry schedule, last in a
// template that has one.
var ExpiryResource = ResourceInfo{LogicalID: LogicalExpiry, Type: "AWS::Scheduler::Schedule", Label: "Expiry schedule (deletes the clone)"}

// TemplateResources lists the resources Template(a, …) creates, in the
// order CloudFormation creates them.
func TemplateResources(a *Artifact) []ResourceInfo {
	out := make([]ResourceInfo, len(templateResources))
	copy(out, templateResources)
	if a != nil {
		// The class is what people ask about while the instance is the slow part.
		out[3].Label = "DB instance (" + a.Target.InstanceClass + ")"
	}
	return out
}

// Template returns the CloudFormation template that clones a's source
// cluster as the stack named stack. It is deterministic (same input, same
// bytes) and holds no secret: the clone keeps the source's master user and
// its password is reset after creation, outside CloudFormation.
func Template(a *Artifact, stack string) ([]byte, error) {
	return ExpiringTemplate(a, stack, nil)
}

// ExpiringTemplate is Template with, when exp is not nil, the schedule
// that deletes the stack at exp.At as exp.RoleARN.
func ExpiringTemplate(a *Artifact, stack string, exp *Expiry) ([]byte, error) {
	if err := checkTemplateInput(a, stack); err != nil {
		return nil, err
	}
	src, tgt := a.Source, a.Target

	subnetIDs := make([]string, len(tgt.Subnets))
	for i, s := range tgt.Subnets {
		subnetIDs[i] = s.ID
	}

	cluster := clusterProperties{
		DBClusterIdentifier: stack, // a clone's cluster id is its stack name
		Engine:              src.Engine,
		// No EngineVersion: neither restore API takes one for a clone, and
		// the clone always runs the source's (or snapshot's) version.
		DBSubnetGroupName:          ref(LogicalSubnetGroup),
		VpcSecurityGroupIds:        []intrinsic{getAtt(LogicalSecurityGroup, "GroupId")},
		Port:                       src.Port,
		BackupRetentionPeriod:      tgt.BackupRetention,
		PreferredBackupWindow:      tgt.BackupWindow,
		PreferredMaintenanceWindow: tgt.MaintenanceWindow,
		// A throw-away clone must be deletable by teardown, and must not
		// leave snapshots carrying copies of the source's tags.
		DeletionProtection: false,
		CopyTagsToSnapshot: false,
	}
	switch {
	case src.SnapshotIdentifier != "":
		cluster.SnapshotIdentifier = src.SnapshotIdentifier
	case src.RestoreToTime != nil:
		// RDS refuses RestoreToTime with copy-on-write: a past point in
		// time is a full copy (slower, its storage billed in full).
		cluster.RestoreType, cluster.SourceDBClusterIdentifier = RestoreFullCopy, src.ClusterID
		cluster.RestoreToTime = src.RestoreToTime.UTC().Format(time.RFC3339)
	default:
		cluster.RestoreType, cluster.SourceDBClusterIdentifier = RestoreCopyOnWrite, src.ClusterID
		cluster.UseLatestRestorableTime = true
	}
	if tgt.InstanceClass == config.ServerlessClass {
		cluster.ServerlessV2ScalingConfiguration = &serverlessScaling{MinCapacity: tgt.Serverless.Min, MaxCapacity: tgt.Serverless.Max}
	}

	source := src.ClusterID
	if src.SnapshotIdentifier != "" {
		source = "snapshot " + src.SnapshotIdentifier
	}

	desc := fmt.Sprintf("dbaf clone of Aurora cluster %s (%s %s), %s, from database artifact %s",
		src.ClusterID, src.Engine, src.EngineVersion, a.RestoreMode().Description, a.Image)
	if len(desc) > maxTemplateDescription {
		return nil, fmt.Errorf("template description is %d bytes, CloudFormation allows %d: shorten the artifact image name", len(desc), maxTemplateDescription)
	}

	tmpl := cloneTemplate{
		AWSTemplateFormatVersion: "2010-09-09",
		Description:              desc,
		Resources: cloneResources{
			SubnetGroup: resource[subnetGroupProperties]{
				Type: templateResources[0].Type,
				Properties: subnetGroupProperties{
					DBSubnetGroupDescription: fmt.Sprintf("Subnets of dbaf clone %s of %s", stack, source),
					SubnetIds:                subnetIDs,
				},
			},
			SecurityGroup: resource[securityGroupProperties]{
				Type: templateResources[1].Type,
				Properties: securityGroupProperties{
					GroupDescription: sgText(fmt.Sprintf("dbaf clone %s of %s: %s on port %d", stack, source, src.Engine, src.Port)),
					VpcId:            tgt.VpcID,
					// The only way in: the database port, from the artifact's CIDR.
					SecurityGroupIngress: []ingressRule{{
						IpProtocol:  "tcp",
						FromPort:    src.Port,
						ToPort:      src.Port,
						CidrIp:      tgt.AllowedCIDR,
						Description: sgText(fmt.Sprintf("%s clients from %s (dbaf artifact allowed CIDR)", src.Engine, tgt.AllowedCIDR)),
					}},
				},
			},
			Cluster: resource[clusterProperties]{
				Type: templateResources[2].Type,
				// CloudFormation's default for a DB cluster is Snapshot: every
				// teardown would leave a paid snapshot behind.
				DeletionPolicy:      "Delete",
				UpdateReplacePolicy: "Delete",
				Properties:          cluster,
			},
			Instance: resource[instanceProperties]{
				Type:                templateResources[3].Type,
				DeletionPolicy:      "Delete",
				UpdateReplacePolicy: "Delete",
				Properties: instanceProperties{
					DBInstanceIdentifier: stack + InstanceSuffix,
					DBClusterIdentifier:  ref(LogicalCluster),
					DBInstanceClass:      tgt.InstanceClass,
					Engine:               src.Engine,
					PubliclyAccessible:   tgt.PubliclyAccessible,
				},
			},
		},
		Outputs: cloneOutputs{
			Endpoint:       output{"Writer endpoint of the clone", getAtt(LogicalCluster, "Endpoint.Address")},
			ReaderEndpoint: output{"Reader endpoint of the clone", getAtt(LogicalCluster, "ReadEndpoint.Address")},
			Port:           output{"Port of the clone", getAtt(LogicalCluster, "Endpoint.Port")},
			ClusterId:      output{"DB cluster identifier of the clone", ref(LogicalCluster)},
		},
	}
	if exp != nil {
		if exp.RoleARN == "" || exp.At.IsZero() {
			return nil, errors.New("template: an expiry needs a time and dbaf setup's role")
		}
		input, err := json.Marshal(struct{ StackName string }{stack})
		if err != nil {
			return nil, err
		}
		tmpl.Resources.Expiry = &resource[scheduleProperties]{
			Type: "AWS::Scheduler::Schedule",
			Properties: scheduleProperties{
				Name:                       stack, // one schedule per clone, found by its name
				Description:                "Deletes dbaf clone " + stack + " at its expiry",
				ScheduleExpression:         ScheduleExpression(exp.At),
				ScheduleExpressionTimezone: "UTC",
				FlexibleTimeWindow:         flexibleTimeWindow{Mode: "OFF"},
				State:                      "ENABLED",
				Target: scheduleTarget{
					Arn:     DeleteStackTarget,
					RoleArn: exp.RoleARN,
					Input:   string(input),
				},
			},
		}
	}
	return encodeTemplate(tmpl)
}

// encodeTemplate writes a template indented, and without HTML escaping:
// a template is not HTML, and "&" should stay readable.
func encodeTemplate(tmpl any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(tmpl); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

const maxTemplateDescription = 1024

// checkTemplateInput refuses an artifact CloudFormation would reject, so
// the error comes before a stack exists and names the artifact field.
func checkTemplateInput(a *Artifact, stack string) error {
	if a == nil {
		return errors.New("template: no artifact")
	}
	if err := ValidateStackName(stack); err != nil {
		return err
	}
	src, tgt := a.Source, a.Target
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	if src.Engine == "" {
		bad("artifact source.engine is empty: want aurora-postgresql or aurora-mysql")
	}
	if src.SnapshotIdentifier == "" && src.ClusterID == "" {
		bad("artifact source.cluster_id is empty: a copy-on-write clone needs its source cluster")
	}
	if src.SnapshotIdentifier != "" && src.RestoreToTime != nil {
		bad("artifact sets both source.snapshot_identifier and source.restore_to_time: a clone restores from one or the other")
	}
	if src.RestoreToTime != nil && src.RestoreToTime.IsZero() {
		bad("artifact source.restore_to_time is the zero time")
	}
	if src.Port <= 0 || src.Port > 65535 {
		bad("artifact source.port %d is not a TCP port", src.Port)
	}
	if !strings.HasPrefix(tgt.InstanceClass, "db.") {
		bad("artifact target.instance_class %q is not an RDS instance class (like db.r6g.large or db.serverless)", tgt.InstanceClass)
	}
	if tgt.InstanceClass == config.ServerlessClass {
		switch sc := tgt.Serverless; {
		case sc == nil:
			bad("artifact target.instance_class is db.serverless but target.serverless (the capacity range) is missing")
		case sc.Min < 0 || sc.Max <= 0 || sc.Min > sc.Max:
			bad("artifact target.serverless range %g-%g ACU is invalid: want 0 <= min <= max, max > 0", sc.Min, sc.Max)
		}
	}
	if tgt.VpcID == "" {
		bad("artifact target.vpc_id is empty")
	}
	if err := checkSubnets(tgt.Subnets); err != nil {
		errs = append(errs, err)
	}
	if p, err := netip.ParsePrefix(tgt.AllowedCIDR); err != nil || !p.Addr().Is4() {
		bad("artifact target.allowed_cidr %q is not an IPv4 CIDR like 10.0.0.0/16", tgt.AllowedCIDR)
	} else if p.Masked() != p {
		bad("artifact target.allowed_cidr %q has host bits set: did you mean %s?", tgt.AllowedCIDR, p.Masked())
	}
	if tgt.BackupRetention < 0 || tgt.BackupRetention > 35 {
		bad("artifact target.backup_retention_days %d is out of range: Aurora keeps backups 1 to 35 days", tgt.BackupRetention)
	}
	return errors.Join(errs...)
}

// checkSubnets wants what a DB subnet group needs: two or more distinct
// subnets, in two or more AZs when the AZs are known.
func checkSubnets(subnets []Subnet) error {
	if len(subnets) < 2 {
		return fmt.Errorf("artifact target.subnets has %d subnet(s): a DB subnet group needs at least two, in two availability zones", len(subnets))
	}
	ids := map[string]bool{}
	var inAZs []aws.Subnet
	azKnown := true
	for _, s := range subnets {
		if s.ID == "" {
			return errors.New("artifact target.subnets has a subnet with no id")
		}
		if ids[s.ID] {
			return fmt.Errorf("artifact target.subnets lists %s twice", s.ID)
		}
		ids[s.ID] = true
		inAZs = append(inAZs, aws.Subnet{ID: s.ID, AZ: s.AZ})
		azKnown = azKnown && s.AZ != ""
	}
	if _, ok := aws.EnoughAZs(inAZs); azKnown && !ok {
		return fmt.Errorf("artifact target.subnets are all in one availability zone: a DB subnet group needs two or more")
	}
	return nil
}

// sgText keeps only the characters EC2 accepts in security group and rule
// descriptions; anything else would fail the stack, not this function.
func sgText(s string) string {
	const extra = ". _-:/()#,@[]+=&;{}!$*"
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', strings.ContainsRune(extra, r):
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	out := b.String()
	if len(out) > 255 {
		out = out[:255]
	}
	return out
}

// The clone template as CloudFormation reads it. Field names are the
// template's keys and field order is key order, so a template reads
// top-down (type, policies, then properties) and its bytes never change
// from run to run.
type cloneTemplate struct {
	AWSTemplateFormatVersion string
	Description              string
	Resources                cloneResources
	Outputs                  cloneOutputs
}

// cloneResources are the stack's resources, in templateResources' order.
type cloneResources struct {
	SubnetGroup   resource[subnetGroupProperties]
	SecurityGroup resource[securityGroupProperties]
	Cluster       resource[clusterProperties]
	Instance      resource[instanceProperties]
	Expiry        *resource[scheduleProperties] `json:",omitempty"`
}

type scheduleProperties struct {
	Name                       string
	Description                string
	ScheduleExpression         string
	ScheduleExpressionTimezone string
	FlexibleTimeWindow         flexibleTimeWindow
	// No ActionAfterCompletion: CloudFormation's schema for the type has
	// none, and the stack's deletion deletes the schedule with it.
	State  string
	Target scheduleTarget
}

type flexibleTimeWindow struct{ Mode string }

type scheduleTarget struct {
	Arn, RoleArn, Input string
}

type resource[P any] struct {
	Type                string
	DeletionPolicy      string `json:",omitempty"`
	UpdateReplacePolicy string `json:",omitempty"`
	Properties          P
}

type subnetGroupProperties struct {
	DBSubnetGroupDescription string
	SubnetIds                []string
}

type securityGroupProperties struct {
	GroupDescription     string
	VpcId                string
	SecurityGroupIngress []ingressRule
}

type ingressRule struct {
	IpProtocol       string
	FromPort, ToPort int32
	CidrIp           string
	Description      string
}

// clusterProperties: SnapshotIdentifier, or RestoreType with
// SourceDBClusterIdentifier and one of RestoreToTime and
// UseLatestRestorableTime (the template sets one way to restore).
type clusterProperties struct {
	DBClusterIdentifier              string
	Engine                           string
	SnapshotIdentifier               string `json:",omitempty"`
	RestoreType                      string `json:",omitempty"`
	SourceDBClusterIdentifier        string `json:",omitempty"`
	RestoreToTime                    string `json:",omitempty"`
	UseLatestRestorableTime          bool   `json:",omitempty"`
	DBSubnetGroupName                intrinsic
	VpcSecurityGroupIds              []intrinsic
	Port                             int32
	BackupRetentionPeriod            int                `json:",omitempty"`
	PreferredBackupWindow            string             `json:",omitempty"`
	PreferredMaintenanceWindow       string             `json:",omitempty"`
	ServerlessV2ScalingConfiguration *serverlessScaling `json:",omitempty"`
	DeletionProtection               bool
	CopyTagsToSnapshot               bool
}

type serverlessScaling struct {
	MinCapacity, MaxCapacity float64
}

type instanceProperties struct {
	DBInstanceIdentifier string
	DBClusterIdentifier  intrinsic
	DBInstanceClass      string
	Engine               string
	PubliclyAccessible   bool
}

type cloneOutputs struct {
	Endpoint, ReaderEndpoint, Port, ClusterId output
}

type output struct {
	Description string
	Value       intrinsic
}

// intrinsic is a CloudFormation function: a Ref or an Fn::GetAtt.
type intrinsic struct {
	Ref    string   `json:",omitempty"`
	GetAtt []string `json:"Fn::GetAtt,omitempty"`
}

func ref(logicalID string) intrinsic { return intrinsic{Ref: logicalID} }

func getAtt(logicalID, attr string) intrinsic {
	return intrinsic{GetAtt: []string{logicalID, attr}}
}
