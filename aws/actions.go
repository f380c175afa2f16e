package aws

import (
	"fmt"
	"regexp"
	"strings"
)

// Role is one of the three IAM roles a team gives dbaf's users. Each role's
// policy is built from Actions, so the policy, the docs' permissions page
// and dbaf's AccessDenied messages cannot disagree.
type Role string

// The roles, from least to most trusted.
const (
	RoleBuild Role = "build" // DataOps: describe the account, build and push artifacts
	RoleClone Role = "clone" // developer: clone bases of one source, manage own clones only
	RoleBase  Role = "base"  // base maker: clone the source itself, mask, tag bases
)

// Roles lists every role, in the order the docs show them.
var Roles = []Role{RoleBuild, RoleBase, RoleClone}

// ParseRole reads a --role value.
func ParseRole(s string) (Role, bool) {
	for _, r := range Roles {
		if string(r) == s {
			return r, true
		}
	}
	return "", false
}

// Who makes the call: dbaf itself with the SDK, CloudFormation with the
// caller's credentials (no service role) while creating or deleting a
// clone stack's resources, or RDS on the caller's behalf.
const (
	ByDbaf           = "dbaf"
	ByCloudFormation = "CloudFormation"
	ByRDS            = "RDS"
)

// Action is one IAM action dbaf needs: what it acts on, who needs it, why.
// Grants says which statement of each role's policy allows it (the
// statements are in policy.go); a role absent from Grants never gets it.
type Action struct {
	Name     string // service:Operation, as IAM spells it
	Resource string // the ARN pattern it acts on, as the docs show it
	By       string // ByDbaf, ByCloudFormation or ByRDS
	Why      string
	// NoPermission: AWS allows the call to every identity (sts:GetCallerIdentity).
	NoPermission bool
	Grants       map[Role][]string // role -> the ids of the statements that allow it
}

// Roles are the roles whose policy grants a, in Roles order.
func (a Action) Roles() []Role {
	var out []Role
	for _, r := range Roles {
		if _, ok := a.Grants[r]; ok {
			out = append(out, r)
		}
	}
	return out
}

// Statement ids, shared by the table and policy.go.
const (
	sidDescribe        = "Describe"
	sidDescribeKey     = "DescribeKey"
	sidStacks          = "CloneStacks"
	sidDeleteOwnStack  = "DeleteOwnStacks"
	sidRestoreFromBase = "RestoreFromBasesOnly"
	sidRestoreSource   = "RestoreFromSource"
	sidRestoreSnapshot = "RestoreFromSnapshots"
	sidCreateOwn       = "CreateOwnClones"
	sidDefaultGroups   = "DefaultGroups"
	sidManageOwn       = "ManageOwnClones"
	sidTagOwn          = "TagOwnClones"
	sidManageAny       = "ManageStages"
	sidSecurityGroups  = "SecurityGroups"
	sidOwnSGs          = "OwnSecurityGroups"
	sidTagNewSGs       = "TagNewSecurityGroups"
	sidKMS             = "UseKeyViaRDS"
	sidSecrets         = "ManagedSecrets"
	sidReadSecret      = "ReadOwnSecrets"
	sidSchedules       = "CloneExpirySchedules"
	sidPassExpiryRole  = "PassExpiryRole"
)

// Resource patterns, as the docs show them.
const (
	arnCluster  = "arn:aws:rds:REGION:ACCOUNT:cluster:NAME"
	arnInstance = "arn:aws:rds:REGION:ACCOUNT:db:NAME"
	arnSubgrp   = "arn:aws:rds:REGION:ACCOUNT:subgrp:NAME"
	arnStack    = "arn:aws:cloudformation:REGION:ACCOUNT:stack/NAME/*"
	arnSG       = "arn:aws:ec2:REGION:ACCOUNT:security-group/* and vpc/VPC"
	arnKey      = "arn:aws:kms:REGION:ACCOUNT:key/*"
	arnSecret   = "arn:aws:secretsmanager:REGION:ACCOUNT:secret:rds!cluster-*"
	arnSchedule = "arn:aws:scheduler:REGION:ACCOUNT:schedule/default/NAME"
)

func all(sid string) map[Role][]string {
	return map[Role][]string{RoleBuild: {sid}, RoleBase: {sid}, RoleClone: {sid}}
}

func cloners(clone, base string) map[Role][]string {
	return map[Role][]string{RoleClone: {clone}, RoleBase: {base}}
}

// Actions is every AWS action dbaf calls, directly or through the
// CloudFormation stack of a clone (TestActionsCoverTheSDKCalls fails when the
// aws package calls an SDK operation missing here). Resource types and
// condition keys per action follow AWS's Service Authorization Reference:
// https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonrds.html
// (RestoreDBClusterToPointInTime: cluster*, cluster-pg, og, subgrp*, and
// aws:RequestTag/aws:TagKeys apply to all of them; rds:cluster-tag/KEY on
// the cluster resource type), list_amazonec2.html (Describe* take no
// resource; CreateSecurityGroup: security-group and vpc; ec2:CreateAction
// on CreateTags), list_awskeymanagementservice.html (kms:ViaService) and
// list_awssecretsmanager.html (secretsmanager:ResourceTag/KEY).
var Actions = []Action{
	{Name: "sts:GetCallerIdentity", Resource: "*", By: ByDbaf, NoPermission: true,
		Why: "who is calling: the account an artifact is built in, and a clone's owner tag", Grants: nil},
	{Name: "rds:DescribeDBClusters", Resource: "*", By: ByDbaf, Why: "list the source clusters, read a source's settings, wait for a clone", Grants: all(sidDescribe)},
	{Name: "rds:DescribeDBInstances", Resource: "*", By: ByDbaf, Why: "a source's instance classes; a clone's instance status", Grants: all(sidDescribe)},
	{Name: "rds:DescribeDBSubnetGroups", Resource: "*", By: ByDbaf, Why: "the source's subnet group, to place clones beside it", Grants: all(sidDescribe)},
	{Name: "rds:DescribeOrderableDBInstanceOptions", Resource: "*", By: ByDbaf, Why: "the instance classes the engine version offers", Grants: all(sidDescribe)},
	{Name: "rds:DescribeDBEngineVersions", Resource: "*", By: ByDbaf, Why: "the Serverless v2 capacity bounds of the source's engine version", Grants: all(sidDescribe)},
	{Name: "rds:DescribeDBClusterSnapshots", Resource: "*", By: ByDbaf, Why: "an artifact that restores from a snapshot: check it exists", Grants: all(sidDescribe)},
	{Name: "rds:DescribeAccountAttributes", Resource: "*", By: ByDbaf, Why: "preflight: the account's cluster, instance and subnet-group quotas", Grants: all(sidDescribe)},
	{Name: "ec2:DescribeSubnets", Resource: "*", By: ByDbaf, Why: "the subnets a clone may use (EC2 describes take no resource)", Grants: all(sidDescribe)},
	{Name: "ec2:DescribeVpcs", Resource: "*", By: ByDbaf, Why: "the VPC's CIDR for the clone's allowed range", Grants: all(sidDescribe)},
	{Name: "ec2:DescribeRouteTables", Resource: "*", By: ByDbaf, Why: "a publicly accessible clone needs an internet gateway in its VPC", Grants: all(sidDescribe)},
	{Name: "cloudformation:DescribeStacks", Resource: "*", By: ByDbaf, Why: "list clones (stacks tagged dbaf:managed-by), follow a stack", Grants: all(sidDescribe)},
	{Name: "cloudformation:DescribeStackEvents", Resource: "*", By: ByDbaf, Why: "progress and the root cause of a failed stack", Grants: all(sidDescribe)},
	{Name: "cloudformation:DescribeStackResources", Resource: "*", By: ByDbaf, Why: "a stack's cluster, instance and security group", Grants: all(sidDescribe)},
	{Name: "kms:DescribeKey", Resource: arnKey, By: ByDbaf, Why: "preflight: the source's KMS key is enabled (a caller that may not describe it may not use it)", Grants: all(sidDescribeKey)},

	{Name: "cloudformation:CreateStack", Resource: arnStack, By: ByDbaf, Why: "create a clone's stack, tagged with its owner", Grants: cloners(sidStacks, sidStacks)},
	{Name: "cloudformation:DeleteStack", Resource: arnStack, By: ByDbaf, Why: "teardown, and rollback of a failed clone", Grants: cloners(sidDeleteOwnStack, sidDeleteOwnStack)},
	{Name: "cloudformation:GetTemplate", Resource: arnStack, By: ByDbaf, Why: "dbaf setup: is the dbaf-account stack up to date (read-only); dbaf extend reads a clone's schedule", Grants: all(sidDescribe)},
	{Name: "cloudformation:UpdateStack", Resource: arnStack, By: ByDbaf, Why: "dbaf extend: a clone's expiry schedule and dbaf:expires-at tag", Grants: cloners(sidDeleteOwnStack, sidDeleteOwnStack)},
	{Name: "rds:RestoreDBClusterToPointInTime", Resource: arnCluster + " (source and new), " + arnSubgrp + ", default parameter and option groups", By: ByCloudFormation,
		Why:    "the clone's cluster: a copy-on-write clone of a base (clone role) or of the source (base role)",
		Grants: map[Role][]string{RoleClone: {sidRestoreFromBase, sidCreateOwn, sidDefaultGroups}, RoleBase: {sidRestoreSource, sidManageAny, sidDefaultGroups}}},
	// CreateDBInstance is evaluated on the new instance (CreateOwnClones) and
	// on the clone's cluster, which exists and is tagged by then (ManageOwnClones).
	{Name: "rds:CreateDBInstance", Resource: arnInstance + ", " + arnCluster + ", default parameter and option groups", By: ByCloudFormation, Why: "the clone's writer instance",
		Grants: map[Role][]string{RoleClone: {sidCreateOwn, sidManageOwn, sidDefaultGroups}, RoleBase: {sidManageAny, sidDefaultGroups}}},
	{Name: "rds:RestoreDBClusterFromSnapshot", Resource: arnCluster + " (new), arn:aws:rds:REGION:ACCOUNT:cluster-snapshot:NAME, " + arnSubgrp, By: ByCloudFormation,
		Why:    "an artifact with snapshot_identifier: the clone's cluster from that snapshot (unmasked data: the base role only)",
		Grants: map[Role][]string{RoleBase: {sidRestoreSnapshot, sidManageAny, sidDefaultGroups}}},
	{Name: "rds:CreateDBSubnetGroup", Resource: arnSubgrp, By: ByCloudFormation, Why: "the clone's subnet group", Grants: cloners(sidCreateOwn, sidManageAny)},
	{Name: "rds:AddTagsToResource", Resource: arnCluster + ", " + arnInstance + ", " + arnSubgrp, By: ByDbaf + " and " + ByCloudFormation,
		Why: "the stack's tags on each resource it creates; dbaf:password-reset-at and the masking tags on a clone", Grants: map[Role][]string{RoleClone: {sidCreateOwn, sidTagOwn}, RoleBase: {sidManageAny}}},
	{Name: "rds:ModifyDBCluster", Resource: arnCluster, By: ByDbaf, Why: "set the clone's master password, or have RDS manage it in Secrets Manager", Grants: cloners(sidManageOwn, sidManageAny)},
	{Name: "rds:DeleteDBCluster", Resource: arnCluster, By: ByCloudFormation, Why: "teardown (without a final snapshot: DeletionPolicy Delete)", Grants: cloners(sidManageOwn, sidManageAny)},
	{Name: "rds:DeleteDBInstance", Resource: arnInstance, By: ByCloudFormation, Why: "teardown", Grants: cloners(sidManageOwn, sidManageAny)},
	{Name: "rds:DeleteDBSubnetGroup", Resource: arnSubgrp, By: ByCloudFormation, Why: "teardown", Grants: cloners(sidManageOwn, sidManageAny)},
	{Name: "ec2:DescribeSecurityGroups", Resource: "*", By: ByCloudFormation, Why: "CloudFormation reads the clone's security group back", Grants: cloners(sidDescribe, sidDescribe)},
	{Name: "ec2:CreateSecurityGroup", Resource: arnSG, By: ByCloudFormation, Why: "the clone's security group: the database port from the artifact's CIDR only", Grants: cloners(sidSecurityGroups, sidSecurityGroups)},
	{Name: "ec2:CreateTags", Resource: arnSG, By: ByCloudFormation, Why: "the stack's tags on the security group, only while it has none", Grants: cloners(sidTagNewSGs, sidTagNewSGs)},
	{Name: "ec2:AuthorizeSecurityGroupIngress", Resource: arnSG, By: ByCloudFormation, Why: "the one ingress rule", Grants: cloners(sidOwnSGs, sidOwnSGs)},
	{Name: "ec2:DeleteSecurityGroup", Resource: arnSG, By: ByCloudFormation, Why: "teardown", Grants: cloners(sidOwnSGs, sidOwnSGs)},
	// A clone's expiry schedule (only once dbaf setup made the role):
	// schedules take no tags, so they are scoped by name (the stack's).
	{Name: "scheduler:CreateSchedule", Resource: arnSchedule, By: ByCloudFormation, Why: "the clone's expiry schedule, which deletes its stack at its TTL", Grants: cloners(sidSchedules, sidSchedules)},
	{Name: "scheduler:GetSchedule", Resource: arnSchedule, By: ByDbaf, Why: "dbaf list reads when AWS deletes each clone (CloudFormation reads the schedule back too)", Grants: cloners(sidSchedules, sidSchedules)},
	{Name: "scheduler:UpdateSchedule", Resource: arnSchedule, By: ByCloudFormation, Why: "dbaf extend moves the clone's expiry schedule", Grants: cloners(sidSchedules, sidSchedules)},
	{Name: "scheduler:DeleteSchedule", Resource: arnSchedule, By: ByCloudFormation, Why: "teardown of a clone with an expiry schedule", Grants: cloners(sidSchedules, sidSchedules)},
	{Name: "iam:PassRole", Resource: "arn:aws:iam::ACCOUNT:role/dbaf-account-ExpiryRole-*", By: ByCloudFormation, Why: "hand dbaf setup's role to the clone's expiry schedule (to scheduler.amazonaws.com only)", Grants: cloners(sidPassExpiryRole, sidPassExpiryRole)},
	{Name: "kms:CreateGrant", Resource: arnKey, By: ByRDS, Why: "RDS restores an encrypted source with the caller's grant on its key", Grants: cloners(sidKMS, sidKMS)},
	{Name: "kms:GenerateDataKey", Resource: arnKey, By: ByRDS, Why: "RDS encrypts the managed master-user secret", Grants: cloners(sidKMS, sidKMS)},
	{Name: "kms:Decrypt", Resource: arnKey, By: ByRDS, Why: "RDS and Secrets Manager read what they encrypted", Grants: cloners(sidKMS, sidKMS)},
	{Name: "secretsmanager:CreateSecret", Resource: arnSecret, By: ByRDS, Why: "password = secrets-manager: RDS creates the clone's master-user secret", Grants: cloners(sidSecrets, sidSecrets)},
	{Name: "secretsmanager:TagResource", Resource: arnSecret, By: ByRDS, Why: "RDS tags the secret with the cluster it belongs to", Grants: cloners(sidSecrets, sidSecrets)},
	{Name: "secretsmanager:GetSecretValue", Resource: arnSecret, By: ByDbaf, Why: "dbaf connect and the masking step read a managed clone's password", Grants: cloners(sidReadSecret, sidReadSecret)},
}

// ActionNamed returns the table's row for an action, e.g. "rds:ModifyDBCluster".
func ActionNamed(name string) (Action, bool) {
	for _, a := range Actions {
		if strings.EqualFold(a.Name, name) {
			return a, true
		}
	}
	return Action{}, false
}

// deniedResource is the ARN AWS's AccessDenied message names, if any:
// "User: ARN is not authorized to perform: ACTION on resource: ARN because …".
var deniedResource = regexp.MustCompile(`on resource: (\S+)`)

// PermissionsTable is docs/iam.md's table of every action, in Markdown.
// deadcode: the test that keeps docs/iam.md current is its one caller.
func PermissionsTable() string {
	var b strings.Builder
	b.WriteString("| Action | Resource | Roles | Called by | Why |\n|---|---|---|---|---|\n")
	for _, a := range Actions {
		roles := "every identity (no permission needed)"
		if !a.NoPermission {
			var rs []string
			for _, r := range a.Roles() {
				rs = append(rs, string(r))
			}
			roles = strings.Join(rs, ", ")
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s |\n", a.Name, strings.ReplaceAll(a.Resource, "|", "\\|"), roles, a.By, a.Why)
	}
	return b.String()
}
