package aws

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Tag keys the policies reason about. They mirror artifact's tag names
// (aws cannot import artifact); TestPolicyTagKeysMatchArtifact keeps them equal.
const (
	TagKeyOwner     = "dbaf:owner"
	TagKeyBaseOf    = "dbaf:base-of" // on a base: the source cluster it masks
	TagKeyStage     = "dbaf:stage"   // on a staging cluster: unmasked, never a restore source for clones
	TagKeyManagedBy = "dbaf:managed-by"
)

// ownerVar is the policy variable a clone's dbaf:owner tag must equal.
const ownerVar = "${aws:PrincipalArn}"

// PolicyScope is what a role's policy is scoped to: one artifact's account,
// region and source cluster.
type PolicyScope struct {
	Account string // 12 digits
	Region  string
	Source  string // the source cluster's identifier
	// ClonePrefix is how clone names start (a clone's stack, cluster,
	// instance and subnet group are named after it). The clone role may
	// create only clusters so named: RestoreDBClusterToPointInTime is
	// evaluated against the source and the new cluster alike, and a name is
	// the one thing that tells a new (untagged) cluster from an untagged
	// production cluster.
	ClonePrefix string
	VpcID       string // the clones' VPC; "" = any VPC of the account
}

var (
	accountRE = regexp.MustCompile(`^[0-9]{12}$`)
	prefixRE  = regexp.MustCompile(`^[a-z][a-z0-9-]{0,40}$`)
)

// Check names the first field that cannot scope a policy.
func (s PolicyScope) Check() error {
	switch {
	case !accountRE.MatchString(s.Account):
		return fmt.Errorf("account %q is not a 12-digit AWS account id", s.Account)
	case s.Region == "":
		return fmt.Errorf("no region: set the artifact's region or pass --region")
	case s.Source == "" || strings.ContainsAny(s.Source, "*?:/ "):
		return fmt.Errorf("source cluster %q is not a DB cluster identifier", s.Source)
	case !prefixRE.MatchString(s.ClonePrefix):
		return fmt.Errorf("clone name prefix %q: want a lowercase letter, then letters, digits and hyphens (e.g. dbartifact, the default clone names' prefix)", s.ClonePrefix)
	}
	return nil
}

// PolicyDocument is an IAM identity-based policy.
type PolicyDocument struct {
	Version   string
	Statement []Statement
}

// Statement is one statement of a policy. Condition maps an operator to
// its keys and values.
type Statement struct {
	Sid       string
	Effect    string
	Action    []string
	Resource  []string
	Condition map[string]map[string]any `json:",omitempty"`
}

type cond = map[string]map[string]any

// protectedTags are the tags only the base role may set: who owns a clone,
// and which clusters are bases or unmasked stages.
var protectedTags = []string{TagKeyBaseOf, TagKeyStage}

// scheduleActions are exactly the actions scheduler:*Schedule matches
// (ListSchedules and the ScheduleGroup actions end otherwise).
var scheduleActions = []string{"scheduler:CreateSchedule", "scheduler:DeleteSchedule", "scheduler:GetSchedule", "scheduler:UpdateSchedule"}

// shortActions writes all four of scheduleActions as scheduler:*Schedule:
// the clone policy is near IAM's 6,144-character limit.
func shortActions(actions []string) []string {
	if slices.Equal(slices.Sorted(slices.Values(actions)), scheduleActions) {
		return []string{"scheduler:*Schedule"}
	}
	return actions
}

// Policy builds role's policy from the Actions table, scoped by s.
func Policy(role Role, s PolicyScope) (*PolicyDocument, error) {
	if err := s.Check(); err != nil {
		return nil, err
	}
	if _, ok := ParseRole(string(role)); !ok {
		return nil, fmt.Errorf("role %q: want build, base or clone", role)
	}
	doc := &PolicyDocument{Version: "2012-10-17"}
	var order []string
	actions := map[string][]string{}
	for _, a := range Actions {
		for _, sid := range a.Grants[role] {
			if _, seen := actions[sid]; !seen {
				order = append(order, sid)
			}
			actions[sid] = append(actions[sid], a.Name)
		}
	}
	for _, sid := range order {
		res, c, err := allowShape(role, sid, s)
		if err != nil {
			return nil, err
		}
		doc.Statement = append(doc.Statement, Statement{Sid: sid, Effect: "Allow", Action: shortActions(actions[sid]), Resource: res, Condition: c})
	}
	doc.Statement = append(doc.Statement, denies(role, s)...)
	return doc, nil
}

func (s PolicyScope) rds(kind, name string) string {
	return fmt.Sprintf("arn:aws:rds:%s:%s:%s:%s", s.Region, s.Account, kind, name)
}

// allowShape is the resources and conditions of one Allow statement.
func allowShape(role Role, sid string, s PolicyScope) ([]string, cond, error) {
	owner := map[string]any{"aws:RequestTag/" + TagKeyOwner: ownerVar}
	owned := map[string]any{"aws:ResourceTag/" + TagKeyOwner: ownerVar}
	noProtected := map[string]any{"aws:TagKeys": protectedTags}
	clones := s.ClonePrefix + "*"
	switch sid {
	case sidDescribe:
		return []string{"*"}, nil, nil
	case sidDescribeKey:
		return []string{fmt.Sprintf("arn:aws:kms:%s:%s:key/*", s.Region, s.Account)}, nil, nil
	case sidStacks:
		res := []string{fmt.Sprintf("arn:aws:cloudformation:%s:%s:stack/%s/*", s.Region, s.Account, clones)}
		if role == RoleBase {
			res = []string{fmt.Sprintf("arn:aws:cloudformation:%s:%s:stack/*", s.Region, s.Account)}
			return res, cond{"StringEquals": owner}, nil
		}
		return res, cond{"StringEquals": owner, "ForAllValues:StringNotEquals": noProtected}, nil
	case sidDeleteOwnStack:
		return []string{fmt.Sprintf("arn:aws:cloudformation:%s:%s:stack/*", s.Region, s.Account)}, cond{"StringEquals": owned}, nil
	case sidRestoreFromBase:
		// The source side of a clone's restore: a base of this source, and
		// never a staging cluster (which holds unmasked data).
		return []string{s.rds("cluster", "*")}, cond{
			"StringEquals": {"rds:cluster-tag/" + TagKeyBaseOf: s.Source},
			"Null":         {"rds:cluster-tag/" + TagKeyStage: "true"},
		}, nil
	case sidRestoreSnapshot:
		return []string{s.rds("cluster-snapshot", "*")}, nil, nil
	case sidRestoreSource:
		return []string{s.rds("cluster", s.Source)}, nil, nil
	case sidCreateOwn:
		// The new side: a cluster, instance and subnet group named as clones,
		// that carry no dbaf tag yet (so no existing cluster, another's clone
		// or a base, matches) and that the request tags as the caller's own.
		return []string{s.rds("cluster", clones), s.rds("db", clones), s.rds("subgrp", clones)}, cond{
			"StringEquals":                 owner,
			"ForAllValues:StringNotEquals": noProtected,
			"Null": {
				"rds:cluster-tag/" + TagKeyOwner:     "true",
				"rds:cluster-tag/" + TagKeyManagedBy: "true",
				"rds:cluster-tag/" + TagKeyBaseOf:    "true",
				"rds:cluster-tag/" + TagKeyStage:     "true",
			},
		}, nil
	case sidDefaultGroups:
		return []string{s.rds("cluster-pg", "default.*"), s.rds("pg", "default.*"), s.rds("og", "default:*")}, nil, nil
	case sidManageOwn:
		return []string{s.rds("cluster", "*"), s.rds("db", "*"), s.rds("subgrp", "*")}, cond{"StringEquals": owned}, nil
	case sidTagOwn:
		return []string{s.rds("cluster", "*")}, cond{
			"StringEquals":                 owned,
			"ForAllValues:StringNotEquals": {"aws:TagKeys": append(append([]string{}, protectedTags...), TagKeyOwner)},
		}, nil
	case sidManageAny:
		// The base maker makes staging clusters and bases of any name; the
		// source itself is out of reach (see denies).
		return []string{s.rds("cluster", "*"), s.rds("db", "*"), s.rds("subgrp", "*")}, nil, nil
	case sidSecurityGroups:
		vpc := "*"
		if s.VpcID != "" {
			vpc = s.VpcID
		}
		return []string{fmt.Sprintf("arn:aws:ec2:%s:%s:security-group/*", s.Region, s.Account),
			fmt.Sprintf("arn:aws:ec2:%s:%s:vpc/%s", s.Region, s.Account, vpc)}, nil, nil
	case sidTagNewSGs:
		return []string{fmt.Sprintf("arn:aws:ec2:%s:%s:security-group/*", s.Region, s.Account)}, cond{
			"StringEquals":                 owner,
			"ForAllValues:StringNotEquals": noProtected,
			"Null":                         {"aws:ResourceTag/" + TagKeyOwner: "true"},
		}, nil
	case sidOwnSGs:
		return []string{fmt.Sprintf("arn:aws:ec2:%s:%s:security-group/*", s.Region, s.Account)}, cond{"StringEquals": owned}, nil
	case sidKMS:
		return []string{fmt.Sprintf("arn:aws:kms:%s:%s:key/*", s.Region, s.Account)}, cond{
			"StringEquals": {"kms:ViaService": []string{"rds." + s.Region + ".amazonaws.com", "secretsmanager." + s.Region + ".amazonaws.com"}},
		}, nil
	case sidSchedules:
		name := clones
		if role == RoleBase {
			name = "*"
		}
		// No condition: the policy is near IAM's size limit, and the name
		// (the clone's stack name) already scopes it.
		return []string{fmt.Sprintf("arn:aws:scheduler:%s:%s:schedule/default/%s", s.Region, s.Account, name)}, nil, nil
	case sidPassExpiryRole:
		return []string{fmt.Sprintf("arn:aws:iam::%s:role/dbaf-account-ExpiryRole-*", s.Account)}, cond{
			"StringEquals": {"iam:PassedToService": "scheduler.amazonaws.com"},
		}, nil
	case sidSecrets:
		return []string{fmt.Sprintf("arn:aws:secretsmanager:%s:%s:secret:rds!cluster-*", s.Region, s.Account)}, nil, nil
	case sidReadSecret:
		cluster := clones
		if role == RoleBase {
			cluster = "*"
		}
		return []string{fmt.Sprintf("arn:aws:secretsmanager:%s:%s:secret:rds!cluster-*", s.Region, s.Account)}, cond{
			"StringLike": {"secretsmanager:ResourceTag/aws:rds:primaryDBClusterArn": s.rds("cluster", cluster)},
		}, nil
	}
	return nil, nil, fmt.Errorf("policy: no statement %q for role %s", sid, role)
}

// neverForClones are the ways to copy a base out of dbaf's control; the
// clone role is denied them outright, whatever else grants them.
var neverForClones = []string{"rds:CreateDBClusterSnapshot", "rds:CopyDBClusterSnapshot", "rds:ModifyDBClusterSnapshotAttribute",
	"rds:BacktrackDBCluster", "rds:StartExportTask"}

// denies are the explicit Deny statements: they hold even when another
// policy of the same principal allows more.
func denies(role Role, s PolicyScope) []Statement {
	var rdsActions []string
	for _, a := range Actions {
		if len(a.Grants[role]) > 0 && strings.HasPrefix(a.Name, "rds:") && !strings.HasPrefix(a.Name, "rds:Describe") {
			rdsActions = append(rdsActions, a.Name)
		}
	}
	switch role {
	case RoleClone:
		return []Statement{
			{Sid: "NeverTheSource", Effect: "Deny", Action: rdsActions, Resource: []string{s.rds("cluster", s.Source)}},
			{Sid: "NeverStages", Effect: "Deny", Action: rdsActions, Resource: []string{s.rds("cluster", "*")},
				Condition: cond{"Null": {"rds:cluster-tag/" + TagKeyStage: "false"}}},
			{Sid: "NoCopiesOfBases", Effect: "Deny", Action: neverForClones, Resource: []string{"*"}},
		}
	case RoleBase:
		var change []string
		for _, a := range rdsActions {
			if a != "rds:RestoreDBClusterToPointInTime" {
				change = append(change, a)
			}
		}
		return []Statement{{Sid: "NeverChangeTheSource", Effect: "Deny", Action: change, Resource: []string{s.rds("cluster", s.Source)}}}
	}
	return nil
}

// JSON is the policy as `aws iam create-policy --policy-document` takes it.
func (d *PolicyDocument) JSON() ([]byte, error) {
	return marshalIndent(d)
}

func marshalIndent(v any) ([]byte, error) {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return []byte(b.String()), nil
}

// PoliciesTemplate is a CloudFormation template of roles' policies (all
// three when none is named) as AWS::IAM::ManagedPolicy resources, for teams
// that deploy IAM with CloudFormation.
func PoliciesTemplate(s PolicyScope, roles ...Role) ([]byte, error) {
	if len(roles) == 0 {
		roles = Roles
	}
	resources := map[string]any{}
	for _, r := range roles {
		doc, err := Policy(r, s)
		if err != nil {
			return nil, err
		}
		title := strings.ToUpper(string(r[:1])) + string(r[1:])
		resources["Dbaf"+title+"Policy"] = map[string]any{
			"Type": "AWS::IAM::ManagedPolicy",
			"Properties": map[string]any{
				"ManagedPolicyName": fmt.Sprintf("dbaf-%s-%s", r, s.Source),
				"Description":       fmt.Sprintf("dbaf %s role for clones of %s (dbaf iam-policy --role %s)", r, s.Source, r),
				"PolicyDocument":    doc,
			},
		}
	}
	return marshalIndent(map[string]any{
		"AWSTemplateFormatVersion": "2010-09-09",
		"Description":              fmt.Sprintf("dbaf's IAM policies for clones of %s in %s, account %s", s.Source, s.Region, s.Account),
		"Resources":                resources,
	})
}
