package artifact

import (
	"encoding/json"
	"testing"

	"github.com/dbaf/dbaf/aws"
)

// TestIAMPoliciesTemplateMatchesSchema checks `dbaf iam-policy -o
// cloudformation` against CloudFormation's AWS::IAM::ManagedPolicy schema,
// with the same check as the clone template, and that it can fail.
func TestIAMPoliciesTemplateMatchesSchema(t *testing.T) {
	schemas := cfnSchemas(t)
	scope := aws.PolicyScope{Account: "123456789012", Region: "eu-west-1", Source: "prod-aurora", ClonePrefix: "dbartifact"}
	data, err := aws.PoliciesTemplate(scope)
	if err != nil {
		t.Fatal(err)
	}
	var tmpl map[string]any
	if err := json.Unmarshal(data, &tmpl); err != nil {
		t.Fatal(err)
	}
	for _, p := range checkTemplate(schemas, tmpl) {
		t.Error(p)
	}
	// A broken one is caught.
	props(t, tmpl, "DbafClonePolicy")["Path"] = "no-slashes"
	props(t, tmpl, "DbafBasePolicy")["PolicyName"] = "x"
	if got := checkTemplate(schemas, tmpl); len(got) < 2 {
		t.Errorf("a bad Path and an unknown property passed: %v", got)
	}
}
