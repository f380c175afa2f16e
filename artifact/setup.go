package artifact

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/dbaf/dbaf/aws"
	"github.com/dbaf/dbaf/internal/clock"
)

// SetupStack is the stack dbaf setup keeps in each account and region:
// the role the clones' expiry schedules assume to delete them. It is the
// only IAM dbaf creates; clones never create any.
const SetupStack = "dbaf-account"

// Logical id of the setup stack's role, and its output with the role's ARN.
const (
	LogicalExpiryRole = "ExpiryRole"
	OutputExpiryRole  = "ExpiryRoleArn"
)

// SetupTemplate is the setup stack's template: one role that EventBridge
// Scheduler (of this account only) may assume, allowed to delete stacks
// tagged as dbaf clones and, only through CloudFormation, the resources
// those stacks hold. It is deterministic.
func SetupTemplate() ([]byte, error) {
	tagged := map[string]map[string]any{"StringEquals": {"aws:ResourceTag/" + TagManagedBy: ManagedByDbaf}}
	viaCFN := map[string]any{"ForAnyValue:StringEquals": map[string]any{"aws:CalledVia": []string{"cloudformation.amazonaws.com"}}}
	// viaCFNTagged: called by CloudFormation, on a resource it tagged as a
	// dbaf clone's (stack tags are copied onto every resource).
	viaCFNTagged := map[string]any{
		"ForAnyValue:StringEquals": map[string]any{"aws:CalledVia": []string{"cloudformation.amazonaws.com"}},
		"StringEquals":             map[string]any{"aws:ResourceTag/" + TagManagedBy: ManagedByDbaf},
	}
	arn := func(service, resource string) sub {
		return sub{"arn:${AWS::Partition}:" + service + ":${AWS::Region}:${AWS::AccountId}:" + resource}
	}
	t := setupTemplate{
		AWSTemplateFormatVersion: "2010-09-09",
		Description:              "dbaf account setup: the role EventBridge Scheduler assumes to delete expired dbaf clones (their stacks and nothing else)",
		Resources: setupResources{ExpiryRole: resource[roleProperties]{
			Type: "AWS::IAM::Role",
			Properties: roleProperties{
				Description: "Deletes expired dbaf clone stacks, at the time their schedules say",
				AssumeRolePolicyDocument: policyDocument{Version: "2012-10-17", Statement: []statement{{
					Effect:    "Allow",
					Principal: &principal{Service: "scheduler.amazonaws.com"},
					Action:    []string{"sts:AssumeRole"},
					// Only this account's schedules: the confused-deputy guard.
					Condition: map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": ref("AWS::AccountId")}},
				}}},
				Policies: []inlinePolicy{{
					PolicyName: "delete-expired-dbaf-clones",
					PolicyDocument: policyDocument{Version: "2012-10-17", Statement: []statement{
						{
							Sid: "DeleteDbafCloneStacks", Effect: "Allow",
							Action:    []string{"cloudformation:DeleteStack"},
							Resource:  []any{arn("cloudformation", "stack/*/*")},
							Condition: map[string]any{"StringEquals": tagged["StringEquals"]},
						},
						{
							// CloudFormation deletes a stack's resources with the
							// caller's permissions: these are those deletes.
							Sid: "DeleteCloneResourcesViaCloudFormation", Effect: "Allow",
							Action: []string{"rds:DeleteDBCluster", "rds:DeleteDBInstance", "rds:DeleteDBSubnetGroup", "ec2:DeleteSecurityGroup"},
							Resource: []any{arn("rds", "cluster:*"), arn("rds", "db:*"), arn("rds", "subgrp:*"),
								arn("ec2", "security-group/*")},
							Condition: viaCFNTagged,
						},
						{
							// Schedules carry no tags: they are named after their
							// clone, and only CloudFormation may delete them.
							Sid: "DeleteCloneSchedulesViaCloudFormation", Effect: "Allow",
							Action:    []string{"scheduler:DeleteSchedule", "scheduler:GetSchedule"},
							Resource:  []any{arn("scheduler", "schedule/default/*")},
							Condition: viaCFN,
						},
						{
							// What CloudFormation reads while it waits for the deletes;
							// these actions take no resource or tag condition.
							Sid: "DescribeWhileDeletingViaCloudFormation", Effect: "Allow",
							Action:    []string{"rds:DescribeDBClusters", "rds:DescribeDBInstances", "rds:DescribeDBSubnetGroups", "ec2:DescribeSecurityGroups"},
							Resource:  []any{"*"},
							Condition: viaCFN,
						},
					}},
				}},
				Tags: []cfnTag{{Key: TagManagedBy, Value: ManagedByDbaf}},
			},
		}},
		Outputs: setupOutputs{ExpiryRoleArn: output{"The role the clones' expiry schedules assume", getAtt(LogicalExpiryRole, "Arn")}},
	}
	return encodeTemplate(t)
}

type setupTemplate struct {
	AWSTemplateFormatVersion string
	Description              string
	Resources                setupResources
	Outputs                  setupOutputs
}

type setupResources struct {
	ExpiryRole resource[roleProperties]
}

type setupOutputs struct {
	ExpiryRoleArn output
}

type roleProperties struct {
	Description              string
	AssumeRolePolicyDocument policyDocument
	Policies                 []inlinePolicy
	Tags                     []cfnTag
}

type inlinePolicy struct {
	PolicyName     string
	PolicyDocument policyDocument
}

type policyDocument struct {
	Version   string
	Statement []statement
}

type statement struct {
	Sid       string `json:",omitempty"`
	Effect    string
	Principal *principal `json:",omitempty"`
	Action    []string
	Resource  []any          `json:",omitempty"`
	Condition map[string]any `json:",omitempty"`
}

type principal struct{ Service string }

type cfnTag struct{ Key, Value string }

// sub is an Fn::Sub.
type sub struct {
	Sub string `json:"Fn::Sub"`
}

// SetupAWS is what dbaf setup needs of AWS.
type SetupAWS interface {
	StackEvents
	Region() string
	DescribeStack(ctx context.Context, nameOrID string) (*aws.Stack, error)
	CreateStack(ctx context.Context, in aws.CreateStackInput) (stackID string, err error)
	GetTemplate(ctx context.Context, nameOrID string) ([]byte, error)
}

// SetupResult is what dbaf setup did.
type SetupResult struct {
	Stack   string `json:"stack"`
	Region  string `json:"region"`
	Action  string `json:"action"` // "created" or "unchanged"
	RoleARN string `json:"role_arn"`
}

// Setup creates the setup stack, or says it is unchanged; a stack whose
// template differs is refused (dbaf does not update IAM in place); it
// waits for CloudFormation to finish.
func Setup(ctx context.Context, s SetupAWS, pollInterval time.Duration, emit Emit) (*SetupResult, error) {
	tmpl, err := SetupTemplate()
	if err != nil {
		return nil, err
	}
	res := &SetupResult{Stack: SetupStack, Region: s.Region()}
	st, err := s.DescribeStack(ctx, SetupStack)
	var awsErr *aws.Error
	exists := err == nil && st.Status != "DELETE_COMPLETE"
	if err != nil && !(errors.As(err, &awsErr) && awsErr.Kind == aws.NotFound) {
		return nil, err
	}
	in := aws.CreateStackInput{Name: SetupStack, Template: tmpl, Tags: map[string]string{TagManagedBy: ManagedByDbaf},
		Capabilities: []string{"CAPABILITY_IAM"}}
	if exists {
		if strings.HasSuffix(st.Status, "_IN_PROGRESS") {
			return nil, fmt.Errorf("stack %s is %s: wait for it to finish, then run dbaf setup again", SetupStack, st.Status)
		}
		cur, err := s.GetTemplate(ctx, st.ID)
		if err != nil {
			return nil, err
		}
		if bytes.Equal(bytes.TrimSpace(cur), bytes.TrimSpace(tmpl)) && st.Outputs[OutputExpiryRole] != "" {
			res.Action, res.RoleARN = "unchanged", st.Outputs[OutputExpiryRole]
			return res, nil
		}
		// Updating IAM is left to the administrator's own tools for now:
		// dbaf never changes a role in place.
		return nil, &SourceError{Msg: fmt.Sprintf("stack %s in %s differs from this dbaf's setup template: update it with dbaf setup --print and your own CloudFormation tools, or delete it and run dbaf setup again", SetupStack, s.Region())}
	}
	res.Action = "created"
	stackID, err := s.CreateStack(ctx, in)
	if err != nil {
		return nil, err
	}
	w, err := watch(ctx, s, stackID, "", nil, newPacer(pollInterval, 0, nil, nil), emit)
	if err != nil {
		return nil, err
	}
	if w.final.Status != "CREATE_COMPLETE" {
		resource, reason := RootCause(w.events)
		return nil, fmt.Errorf("stack %s ended %s: %s %s", SetupStack, w.final.Status, resource, reason)
	}
	if st, err = s.DescribeStack(ctx, stackID); err != nil {
		return nil, err
	}
	res.RoleARN = st.Outputs[OutputExpiryRole]
	return res, nil
}

// ExpiryRole is the ARN of the role dbaf setup made in the account and
// region, or "" when there is none: clones' TTLs are then tags that
// nothing enforces.
func ExpiryRole(ctx context.Context, s interface {
	DescribeStack(ctx context.Context, nameOrID string) (*aws.Stack, error)
}) (string, error) {
	st, err := s.DescribeStack(ctx, SetupStack)
	var awsErr *aws.Error
	if errors.As(err, &awsErr) && awsErr.Kind == aws.NotFound {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	switch st.Status {
	case "CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE":
		return st.Outputs[OutputExpiryRole], nil
	}
	return "", nil
}

// NotEnforced is what every place that shows a TTL says when nothing
// deletes the clone at its expiry.
const NotEnforced = "not enforced: run dbaf setup"

// Enforcement is what follows an expiry wherever one is shown: who
// deletes the clone then.
func Enforcement(enforced bool) string {
	if enforced {
		return "deleted by AWS at expiry"
	}
	return NotEnforced
}

// EffectiveTTL is a clone's TTL: want, or the artifact's clone_ttl when
// want is 0. The artifact's clone_ttl is the most a clone may have.
func EffectiveTTL(a *Artifact, want time.Duration) (time.Duration, error) {
	limit := time.Duration(a.CloneTTL)
	switch {
	case want < 0:
		return 0, &SourceError{Msg: fmt.Sprintf("--ttl %s is negative: give how long the clone lives, like 8h", want)}
	case want == 0:
		return limit, nil
	case limit > 0 && want > limit:
		return 0, &SourceError{Msg: fmt.Sprintf("--ttl %s is longer than the artifact's clone_ttl %s, the most a clone may live: give %s or less", want, limit, limit)}
	}
	return want, nil
}

// ParseTTL reads a TTL or an extension: a Go duration ("8h", "90m") or
// whole days ("3d"), positive.
func ParseTTL(v string) (time.Duration, error) {
	d, err := clock.ParseDuration(v)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration: give a positive one such as 90m, 8h or 3d", v)
	}
	return d, nil
}
