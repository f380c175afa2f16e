package artifact

import (
	"testing"

	"github.com/dbaf/dbaf/aws"
)

// templateActions are the IAM actions CloudFormation performs, with the
// caller's credentials, for each resource type of a clone's template.
var templateActions = map[string][]string{
	"AWS::RDS::DBSubnetGroup": {"rds:CreateDBSubnetGroup", "rds:DeleteDBSubnetGroup", "rds:AddTagsToResource"},
	"AWS::EC2::SecurityGroup": {"ec2:CreateSecurityGroup", "ec2:AuthorizeSecurityGroupIngress", "ec2:DeleteSecurityGroup", "ec2:CreateTags", "ec2:DescribeSecurityGroups"},
	"AWS::RDS::DBCluster":     {"rds:RestoreDBClusterToPointInTime", "rds:RestoreDBClusterFromSnapshot", "rds:DeleteDBCluster", "rds:AddTagsToResource"},
	"AWS::RDS::DBInstance":    {"rds:CreateDBInstance", "rds:DeleteDBInstance", "rds:AddTagsToResource"},
}

// TestTemplateActionsInTheTable: every resource the clone template creates
// has its create and delete actions in aws.Actions, so the generated
// policies let CloudFormation make and remove a clone. A new resource type
// fails here until its actions are listed.
func TestTemplateActionsInTheTable(t *testing.T) {
	for _, r := range TemplateResources(nil) {
		actions, ok := templateActions[r.Type]
		if !ok {
			t.Errorf("%s (%s): which IAM actions does CloudFormation need for it? add them to templateActions and aws.Actions", r.LogicalID, r.Type)
			continue
		}
		for _, a := range actions {
			if _, ok := aws.ActionNamed(a); !ok {
				t.Errorf("%s needs %s, which aws.Actions lacks", r.Type, a)
			}
		}
	}
}
