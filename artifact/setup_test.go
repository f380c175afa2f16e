package artifact

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// The setup template passes the IAM role's schema, and its role can be
// assumed only by this account's schedules and delete only dbaf clones.
func TestSetupTemplate(t *testing.T) {
	b, err := SetupTemplate()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range checkTemplate(cfnSchemas(t), decodeTemplate(t, b)) {
		t.Error(p)
	}
	again, _ := SetupTemplate()
	if string(again) != string(b) {
		t.Error("the setup template is not deterministic: a second dbaf setup would always update")
	}
	var tmpl struct {
		Resources map[string]struct {
			Type       string
			Properties roleProperties
		}
	}
	if err := json.Unmarshal(b, &tmpl); err != nil {
		t.Fatal(err)
	}
	if len(tmpl.Resources) != 1 || tmpl.Resources[LogicalExpiryRole].Type != "AWS::IAM::Role" {
		t.Fatalf("resources %v: want the one role", tmpl.Resources)
	}
	role := tmpl.Resources[LogicalExpiryRole].Properties
	trust := role.AssumeRolePolicyDocument.Statement
	if len(trust) != 1 || trust[0].Principal == nil || trust[0].Principal.Service != "scheduler.amazonaws.com" ||
		!strings.Contains(mustJSON(t, trust[0].Condition), `"aws:SourceAccount":{"Ref":"AWS::AccountId"}`) {
		t.Errorf("trust policy %s: want scheduler.amazonaws.com of this account only", mustJSON(t, trust))
	}
	for _, st := range role.Policies[0].PolicyDocument.Statement {
		cond := mustJSON(t, st.Condition)
		for _, a := range st.Action {
			if !strings.Contains(a, ":Delete") && !strings.Contains(a, ":Describe") && a != "scheduler:GetSchedule" {
				t.Errorf("action %s: the role only deletes (and reads what a delete waits on)", a)
			}
			if a == "cloudformation:DeleteStack" && !strings.Contains(cond, `"aws:ResourceTag/dbaf:managed-by":"dbaf"`) {
				t.Errorf("DeleteStack is not limited to dbaf clones: %s", cond)
			}
			if a != "cloudformation:DeleteStack" && !strings.Contains(cond, "cloudformation.amazonaws.com") {
				t.Errorf("%s is allowed outside CloudFormation: %s", a, cond)
			}
		}
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestEffectiveTTL(t *testing.T) {
	a := &Artifact{CloneTTL: Duration(72 * time.Hour)}
	if d, err := EffectiveTTL(a, 0); err != nil || d != 72*time.Hour {
		t.Errorf("no --ttl: %s, %v; want the artifact's 72h", d, err)
	}
	if d, err := EffectiveTTL(a, time.Hour); err != nil || d != time.Hour {
		t.Errorf("--ttl 1h: %s, %v", d, err)
	}
	if _, err := EffectiveTTL(a, 73*time.Hour); err == nil || !strings.Contains(err.Error(), "clone_ttl") {
		t.Errorf("--ttl past clone_ttl: %v; want refused", err)
	}
	if d, err := ParseTTL("3d"); err != nil || d != 72*time.Hour {
		t.Errorf("ParseTTL(3d) = %s, %v", d, err)
	}
	for _, bad := range []string{"", "-1h", "0", "soon", "1.5d"} {
		if _, err := ParseTTL(bad); err == nil {
			t.Errorf("ParseTTL(%q) accepted", bad)
		}
	}
}
