package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dbaf/dbaf/artifact"
	dbafaws "github.com/dbaf/dbaf/aws"
)

// writeArtifact writes a minimal artifact file for iam-policy, which needs
// only its account, region, source and VPC.
func writeArtifact(t *testing.T, account string) string {
	t.Helper()
	a := artifact.Artifact{SchemaVersion: artifact.SchemaVersion, Image: "db-artifact:1", Region: "eu-west-1", Account: account,
		Source: artifact.Source{ClusterID: "prod-aurora", Engine: "aurora-postgresql", EngineVersion: "16.4", Port: 5432, MasterUsername: "postgres"},
		Target: artifact.Target{InstanceClass: "db.r6g.large", SubnetsFrom: "list", VpcID: "vpc-0123456789abcdef0", VpcCIDR: "10.0.0.0/16",
			Subnets: []artifact.Subnet{{ID: "subnet-0123456789abcdef0", AZ: "eu-west-1a"}, {ID: "subnet-0123456789abcdef1", AZ: "eu-west-1b"}}, AllowedCIDR: "10.0.0.0/16"}}
	data, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "artifact.json")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestIAMPolicyFromTheArtifact(t *testing.T) {
	env := map[string]string{"DBAF_ARTIFACT": writeArtifact(t, "123456789012")}
	scope := dbafaws.PolicyScope{Account: "123456789012", Region: "eu-west-1", Source: "prod-aurora", ClonePrefix: "dbartifact", VpcID: "vpc-0123456789abcdef0"}
	for _, role := range dbafaws.Roles {
		t.Run(string(role), func(t *testing.T) {
			r := run(t, env, "iam-policy", "--role", string(role))
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			doc, err := dbafaws.Policy(role, scope)
			if err != nil {
				t.Fatal(err)
			}
			want, _ := doc.JSON()
			if r.stdout != string(want) {
				t.Errorf("printed policy differs from aws.Policy:\n%s", r.stdout)
			}
		})
	}
	t.Run("prefix", func(t *testing.T) {
		r := run(t, env, "iam-policy", "--role", "clone", "--clone-prefix", "dev-")
		if r.code != 0 || !strings.Contains(r.stdout, ":cluster:dev-*") {
			t.Errorf("exit %d, want clusters named dev-*:\n%s%s", r.code, r.stdout, r.stderr)
		}
	})
	t.Run("cloudformation", func(t *testing.T) {
		for _, tc := range []struct {
			args []string
			want int
		}{{nil, 3}, {[]string{"--role", "clone"}, 1}} {
			r := run(t, env, append([]string{"iam-policy", "-o", "cloudformation"}, tc.args...)...)
			var tmpl struct {
				Resources map[string]struct{ Type string }
			}
			if err := json.Unmarshal([]byte(r.stdout), &tmpl); r.code != 0 || err != nil || len(tmpl.Resources) != tc.want {
				t.Fatalf("%v: exit %d, %v, %d resources:\n%s%s", tc.args, r.code, err, len(tmpl.Resources), r.stdout, r.stderr)
			}
			for id, res := range tmpl.Resources {
				if res.Type != "AWS::IAM::ManagedPolicy" {
					t.Errorf("%s is a %s", id, res.Type)
				}
			}
		}
	})
}

// Without an account in the artifact, the account is the caller's.
func TestIAMPolicyAccountFromSTS(t *testing.T) {
	t.Parallel()
	sb := startSandbox(t)
	id, err := sandboxClient(t, sb).CallerIdentity(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	c := cmdRun{sandbox: sb, env: map[string]string{}}
	r := c.run(t, "iam-policy", "--role", "clone", "--config", writeINI(t, fmt.Sprintf(prodINI, "db-artifact:1")))
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, "arn:aws:rds:eu-west-1:"+id.Account+":cluster:prod-aurora") {
		t.Errorf("policy not scoped to account %s and prod-aurora:\n%s", id.Account, r.stdout)
	}
}

func TestIAMPolicyUsageErrors(t *testing.T) {
	env := map[string]string{"AWS_REGION": "eu-west-1", "DBAF_ARTIFACT": writeArtifact(t, "123456789012")}
	for _, tc := range []struct {
		args []string
		says string
	}{
		{[]string{"iam-policy"}, "--role is required"},
		{[]string{"iam-policy", "--role", "admin"}, `--role "admin": want one of build, base, clone`},
		{[]string{"iam-policy", "--role", "clone", "--image", "x", "--config", "y"}, "--image and --config"},
		{[]string{"iam-policy", "--role", "clone", "-o", "yaml"}, `--output "yaml": want text, json or cloudformation`},
		{[]string{"list", "-o", "cloudformation"}, `--output "cloudformation": want text or json`},
		{[]string{"iam-policy", "--role", "clone", "--clone-prefix", "Dev*"}, `clone name prefix "Dev*"`},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			r := run(t, env, tc.args...)
			if r.code != ExitBadInput || !strings.Contains(r.stderr, tc.says) {
				t.Errorf("exit %d, want 2 and %q:\n%s", r.code, tc.says, r.stderr)
			}
		})
	}
	r := run(t, map[string]string{"DBAF_ARTIFACT": "/nonexistent/artifact.json"}, "iam-policy", "--role", "clone")
	if r.code != ExitBadInput || !strings.Contains(r.stderr, "--config FILE or --image IMAGE") {
		t.Errorf("no artifact: exit %d:\n%s", r.code, r.stderr)
	}
}

// TestAccessDeniedNamesTheRole: a refused call exits 3 with the action,
// the resource AWS named and the role whose policy grants it.
func TestAccessDeniedNamesTheRole(t *testing.T) {
	t.Parallel()
	sb := startSandbox(t, "cloudformation:CreateStack=AccessDenied")
	ini := writeINI(t, fmt.Sprintf(prodINI, "db-artifact:unused"))
	r := cmdRun{env: map[string]string{"DB_PASSWORD": testPassword}, sandbox: sb}.run(t, "clone", "--config", ini, "--name", "e2e-denied")
	if r.code != ExitAWS {
		t.Errorf("exit %d, want %d\n%s", r.code, ExitAWS, r.stderr)
	}
	for _, want := range []string{"cloudformation:CreateStack on arn:aws:cloudformation:", "dbaf iam-policy --role base or dbaf iam-policy --role clone"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
}
