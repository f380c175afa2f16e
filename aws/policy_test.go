package aws

import (
	"bytes"
	"encoding/json"
	"flag"
	"maps"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

var updateGolden = flag.Bool("update", false, "rewrite the goldens in testdata/iam and docs/iam.md's table")

var testScope = PolicyScope{Account: "123456789012", Region: "eu-west-1", Source: "prod-aurora", ClonePrefix: "dbartifact", VpcID: "vpc-0123456789abcdef0"}

func TestPolicyGoldens(t *testing.T) {
	for _, r := range Roles {
		t.Run(string(r), func(t *testing.T) {
			doc, err := Policy(r, testScope)
			if err != nil {
				t.Fatal(err)
			}
			got, err := doc.JSON()
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, filepath.Join("testdata", "iam", string(r)+".json"), got)
			checkPolicyShape(t, got)
		})
	}
	t.Run("cloudformation", func(t *testing.T) {
		got, err := PoliciesTemplate(testScope)
		if err != nil {
			t.Fatal(err)
		}
		checkGolden(t, filepath.Join("testdata", "iam", "cloudformation.json"), got)
	})
}

func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *updateGolden {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./aws -run TestPolicyGoldens -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the policy built now (review, then -update):\n%s", path, got)
	}
}

var (
	sidRE       = regexp.MustCompile(`^[A-Za-z0-9]+$`)
	actionRE    = regexp.MustCompile(`^[a-z0-9-]+:[A-Za-z0-9*]+$`)
	operatorSet = map[string]bool{"StringEquals": true, "StringLike": true, "Null": true, "ForAllValues:StringNotEquals": true, "Bool": true}
)

// checkPolicyShape checks a document as IAM's policy grammar does: the
// version, unique alphanumeric Sids, Effect, Action and Resource present,
// known condition operators, and ARNs in the scope's account and region.
func checkPolicyShape(t *testing.T, data []byte) {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if doc["Version"] != "2012-10-17" {
		t.Errorf("Version = %v", doc["Version"])
	}
	// IAM counts the characters of a managed policy without its whitespace.
	var compact bytes.Buffer
	if err := json.Compact(&compact, data); err != nil {
		t.Fatal(err)
	}
	if compact.Len() > 6144 {
		t.Errorf("policy is %d characters: IAM's managed-policy limit is 6,144", compact.Len())
	}
	sids := map[string]bool{}
	stmts, _ := doc["Statement"].([]any)
	if len(stmts) == 0 {
		t.Fatal("no statements")
	}
	for _, raw := range stmts {
		s := raw.(map[string]any)
		sid, _ := s["Sid"].(string)
		if !sidRE.MatchString(sid) || sids[sid] {
			t.Errorf("Sid %q: must be unique and alphanumeric", sid)
		}
		sids[sid] = true
		if e := s["Effect"]; e != "Allow" && e != "Deny" {
			t.Errorf("%s: Effect %v", sid, e)
		}
		acts, _ := s["Action"].([]any)
		res, _ := s["Resource"].([]any)
		if len(acts) == 0 || len(res) == 0 {
			t.Errorf("%s: Action and Resource must be non-empty", sid)
		}
		for _, a := range acts {
			if !actionRE.MatchString(a.(string)) {
				t.Errorf("%s: action %q", sid, a)
			}
		}
		for _, r := range res {
			r := r.(string)
			inScope := strings.Contains(r, ":"+testScope.Region+":"+testScope.Account+":") ||
				strings.HasPrefix(r, "arn:aws:iam::"+testScope.Account+":") // IAM is global: no region
			if r != "*" && (!strings.HasPrefix(r, "arn:aws:") || !inScope) {
				t.Errorf("%s: resource %q is outside the account and region", sid, r)
			}
		}
		if c, ok := s["Condition"].(map[string]any); ok {
			for op := range c {
				if !operatorSet[op] {
					t.Errorf("%s: condition operator %q", sid, op)
				}
			}
		}
	}
}

// match reports whether arn matches an IAM resource pattern (* and ?
// match any characters, '/' and ':' included, as in IAM).
func match(pattern, arn string) bool {
	re := "^" + strings.NewReplacer(`\*`, ".*", `\?`, ".").Replace(regexp.QuoteMeta(pattern)) + "$"
	return regexp.MustCompile(re).MatchString(arn)
}

// allowsOn lists the Allow statements of doc that grant action on arn,
// ignoring conditions.
func allowsOn(doc *PolicyDocument, effect, action, arn string) []Statement {
	var out []Statement
	for _, s := range doc.Statement {
		if s.Effect != effect {
			continue
		}
		hasAction := false
		for _, a := range s.Action {
			hasAction = hasAction || a == action
		}
		for _, r := range s.Resource {
			if hasAction && match(r, arn) {
				out = append(out, s)
				break
			}
		}
	}
	return out
}

// TestClonePolicyNeverReachesTheSource: RestoreDBClusterToPointInTime is
// evaluated on the source's ARN as well as the new cluster's, and request
// tags are the same for both. So every Allow that matches the source's ARN
// must hinge on the source's own base-of tag, and an explicit Deny names it.
func TestClonePolicyNeverReachesTheSource(t *testing.T) {
	doc, err := Policy(RoleClone, testScope)
	if err != nil {
		t.Fatal(err)
	}
	source := "arn:aws:rds:eu-west-1:123456789012:cluster:prod-aurora"
	for _, action := range []string{"rds:RestoreDBClusterToPointInTime", "rds:ModifyDBCluster", "rds:DeleteDBCluster", "rds:AddTagsToResource", "rds:CreateDBInstance"} {
		for _, s := range allowsOn(doc, "Allow", action, source) {
			if s.Condition["StringEquals"]["rds:cluster-tag/"+TagKeyBaseOf] != "prod-aurora" &&
				s.Condition["StringEquals"]["aws:ResourceTag/"+TagKeyOwner] != ownerVar {
				t.Errorf("%s: statement %s allows it on the source with only %v", action, s.Sid, s.Condition)
			}
		}
		if len(allowsOn(doc, "Deny", action, source)) == 0 {
			t.Errorf("%s: no explicit Deny on the source", action)
		}
	}
	// The new cluster: only a clone's name, only untagged, only tagged as mine.
	newCluster := "arn:aws:rds:eu-west-1:123456789012:cluster:dbartifact1764000000-prod-clone"
	got := allowsOn(doc, "Allow", "rds:RestoreDBClusterToPointInTime", newCluster)
	if len(got) == 0 {
		t.Fatal("the clone role cannot create its clone's cluster")
	}
	for _, s := range got {
		if s.Sid == sidRestoreFromBase {
			continue
		}
		if s.Condition["StringEquals"]["aws:RequestTag/"+TagKeyOwner] != ownerVar || s.Condition["Null"]["rds:cluster-tag/"+TagKeyOwner] != "true" {
			t.Errorf("%s: the new cluster is allowed without the owner request tag and untagged check: %v", s.Sid, s.Condition)
		}
		tk, _ := s.Condition["ForAllValues:StringNotEquals"]["aws:TagKeys"].([]string)
		if !strings.Contains(strings.Join(tk, ","), TagKeyBaseOf) || !strings.Contains(strings.Join(tk, ","), TagKeyStage) {
			t.Errorf("%s: may set %s or %s", s.Sid, TagKeyBaseOf, TagKeyStage)
		}
	}
	if len(allowsOn(doc, "Allow", "rds:RestoreDBClusterToPointInTime", "arn:aws:rds:eu-west-1:123456789012:cluster:orders-mysql")) != 1 {
		t.Error("an untagged cluster not named as a clone must be reachable only through the base-of statement")
	}
}

func TestBuildPolicyChangesNothing(t *testing.T) {
	doc, err := Policy(RoleBuild, testScope)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range doc.Statement {
		for _, a := range s.Action {
			if !isReadOnly(a) {
				t.Errorf("build role grants %s", a)
			}
		}
	}
}

func TestEveryGrantedActionIsInItsPolicy(t *testing.T) {
	for _, r := range Roles {
		doc, err := Policy(r, testScope)
		if err != nil {
			t.Fatal(err)
		}
		in := map[string]bool{}
		for _, s := range doc.Statement {
			if s.Effect == "Allow" {
				for _, a := range s.Action {
					in[a] = true
				}
			}
		}
		for _, a := range Actions {
			// IAM's * in an action matches any characters, as path.Match's does
			// in a name without slashes.
			granted := slices.ContainsFunc(slices.Collect(maps.Keys(in)), func(p string) bool { ok, _ := path.Match(p, a.Name); return ok })
			if want := len(a.Grants[r]) > 0; want != granted {
				t.Errorf("%s: %s in policy = %v, in table = %v", r, a.Name, granted, want)
			}
		}
	}
}

func TestPolicyRefusesBadScopes(t *testing.T) {
	for _, tc := range []struct {
		mutate func(*PolicyScope)
		want   string
	}{
		{func(s *PolicyScope) { s.Account = "12345" }, "12-digit"},
		{func(s *PolicyScope) { s.Region = "" }, "region"},
		{func(s *PolicyScope) { s.Source = "prod*" }, "source cluster"},
		{func(s *PolicyScope) { s.ClonePrefix = "" }, "prefix"},
		{func(s *PolicyScope) { s.ClonePrefix = "Dev*" }, "prefix"},
	} {
		s := testScope
		tc.mutate(&s)
		if _, err := Policy(RoleClone, s); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: err = %v, want %q", s, err, tc.want)
		}
	}
	if _, err := Policy("admin", testScope); err == nil {
		t.Error("unknown role accepted")
	}
}
