package aws_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/dbaf/dbaf/aws"
	"github.com/dbaf/dbaf/internal/sandbox"
	"github.com/dbaf/dbaf/internal/sandbox/dbserver"
	"github.com/dbaf/dbaf/internal/testenv"
)

// cloneOnly is a stack of one copy-on-write clone of prod-aurora (no
// instance: the sandbox's server comes with the cluster).
const cloneOnly = `{"Resources":{"Cluster":{"Type":"AWS::RDS::DBCluster","DeletionPolicy":"Delete","Properties":{
 "DBClusterIdentifier":%q,"SourceDBClusterIdentifier":"prod-aurora","RestoreType":"copy-on-write",
 "UseLatestRestorableTime":true,"DBSubnetGroupName":"prod-db-subnets"}}},
 "Outputs":{"Endpoint":{"Value":{"Fn::GetAtt":["Cluster","Endpoint.Address"]}},"Port":{"Value":{"Fn::GetAtt":["Cluster","Endpoint.Port"]}}}}`

// createClone creates a clone stack and waits for it; it returns the
// clone's endpoint.
func createClone(t *testing.T, c *aws.Client, id string) (host string, port int) {
	t.Helper()
	ctx := context.Background()
	stackID, err := c.CreateStack(ctx, aws.CreateStackInput{Name: id, Template: []byte(fmt.Sprintf(cloneOnly, id))})
	if err != nil {
		t.Fatal(err)
	}
	st := waitFor(t, "stack "+id, func() (*aws.Stack, bool) {
		st, err := c.DescribeStack(ctx, stackID)
		if err != nil {
			t.Fatal(err)
		}
		return st, !strings.HasSuffix(st.Status, "_IN_PROGRESS")
	})
	if st.Status != "CREATE_COMPLETE" {
		t.Fatalf("stack %s: %s %s", id, st.Status, st.StatusReason)
	}
	port, _ = strconv.Atoi(st.Outputs["Port"])
	return st.Outputs["Endpoint"], port
}

// waitFor polls f until it says done; no wall-clock assertions.
func waitFor[T any](t *testing.T, what string, f func() (T, bool)) T {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		v, done := f()
		if done {
			return v
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func waitAvailable(t *testing.T, c *aws.Client, id string) *aws.Cluster {
	t.Helper()
	return waitFor(t, id+" to be available", func() (*aws.Cluster, bool) {
		cl, err := c.ClusterSummary(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		return cl, cl.Status == "available"
	})
}

// RDS manages a clone's password: the secret dbaf reads logs in to the
// clone's real server, and DescribeDBClusters names the secret.
func TestSandboxManagedPassword(t *testing.T) {
	aws.IsolateEnv(t)
	testenv.NeedPostgres(t)
	a := startSandbox(t, sandbox.Options{Pace: 0.02, DBSources: []string{"prod-aurora"},
		Databases: &dbserver.Config{StateDir: t.TempDir(), AddrBase: "127.81", TemplateDir: testenv.TemplateDir()}})
	c := a.Client(t, 0)
	ctx := context.Background()
	host, port := createClone(t, c, "managed-clone")

	arn, err := c.ManageMasterPassword(ctx, "managed-clone")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(arn, "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!cluster-") {
		t.Errorf("secret ARN %q", arn)
	}
	cl := waitAvailable(t, c, "managed-clone")
	if cl.MasterUserSecretARN != arn {
		t.Errorf("MasterUserSecretARN %q, want %q", cl.MasterUserSecretARN, arn)
	}
	pw, err := c.SecretPassword(ctx, arn)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := pgx.ParseConfig(fmt.Sprintf("host=%s port=%d user=postgres dbname=postgres sslmode=require", host, port))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Password = pw
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatalf("log in to the clone with the managed password: %v", err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, "SELECT COUNT(*) FROM legacy.customers").Scan(&n); err != nil || n == 0 {
		t.Errorf("the clone's customers: %d, %v", n, err)
	}

	// An unknown secret is NotFound, and its error never holds a password.
	_, err = c.SecretPassword(ctx, arn+"x")
	if e, ok := err.(*aws.Error); !ok || e.Kind != aws.NotFound || strings.Contains(e.Msg, pw) {
		t.Errorf("unknown secret: %#v", err)
	}
}

// The key of an encrypted source, as a preflight reads it: usable, then
// disabled, then denied.
func TestSandboxKMSKey(t *testing.T) {
	aws.IsolateEnv(t)
	a := startSandbox(t, sandbox.Options{})
	c := a.Client(t, 1)
	ctx := context.Background()
	cl, err := c.ClusterSummary(ctx, "prod-aurora")
	if err != nil {
		t.Fatal(err)
	}
	if !cl.Encrypted || !strings.HasPrefix(cl.KMSKeyID, "arn:aws:kms:eu-west-1:123456789012:key/") {
		t.Fatalf("prod-aurora: encrypted %v with %q", cl.Encrypted, cl.KMSKeyID)
	}
	k, err := c.KMSKey(ctx, cl.KMSKeyID)
	if err != nil || !k.Usable() || k.ARN != cl.KMSKeyID || k.Manager != "CUSTOMER" || !strings.HasSuffix(cl.KMSKeyID, "/"+k.ID) {
		t.Fatalf("KMSKey = %+v, %v", k, err)
	}

	if err := a.Server.SetKeyState("alias/prod-data", "Disabled"); err != nil {
		t.Fatal(err)
	}
	if k, err := c.KMSKey(ctx, cl.KMSKeyID); err != nil || k.Usable() || k.State != "Disabled" {
		t.Errorf("disabled key = %+v, %v", k, err)
	}

	f, err := sandbox.ParseFault("kms:DescribeKey=AccessDeniedException")
	if err != nil {
		t.Fatal(err)
	}
	a.Server.Inject(f)
	_, err = c.KMSKey(ctx, cl.KMSKeyID)
	if e, ok := err.(*aws.Error); !ok || e.Kind != aws.AccessDenied || !strings.Contains(e.Msg, "kms:DescribeKey") {
		t.Errorf("denied: %#v", err)
	}
	// The message names the action, the resource AWS named and the roles
	// whose generated policy grants it (from aws.Actions).
	for _, want := range []string{"kms:DescribeKey on arn:aws:kms:", "dbaf iam-policy --role build or dbaf iam-policy --role base or dbaf iam-policy --role clone", "docs/iam.md"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("denied message lacks %q: %v", want, err)
		}
	}
	a.Server.ClearFaults()
	_, err = c.KMSKey(ctx, "alias/nope")
	if e, ok := err.(*aws.Error); !ok || e.Kind != aws.NotFound {
		t.Errorf("unknown key: %#v", err)
	}
}

// Every point-in-time restore of a source is in its clone group (RDS's
// model), the full copy Aurora makes past the group's limit too: the group
// does not say whether a clone is copy-on-write.
func TestSandboxCloneGroups(t *testing.T) {
	aws.IsolateEnv(t)
	a := startSandbox(t, sandbox.Options{Pace: 0.02, Quotas: map[string]int64{"clones-per-group": 1}})
	c := a.Client(t, 0)
	createClone(t, c, "first-clone")
	createClone(t, c, "second-clone")
	src, first, second := waitAvailable(t, c, "prod-aurora"), waitAvailable(t, c, "first-clone"), waitAvailable(t, c, "second-clone")
	if src.CloneGroupID == "" || first.CloneGroupID != src.CloneGroupID || second.CloneGroupID != src.CloneGroupID {
		t.Errorf("clone groups: source %q, first %q, second %q", src.CloneGroupID, first.CloneGroupID, second.CloneGroupID)
	}
	if !first.Encrypted || first.KMSKeyID != src.KMSKeyID {
		t.Errorf("the clone's key %q (encrypted %v), the source's %q", first.KMSKeyID, first.Encrypted, src.KMSKeyID)
	}
}

// The seeded prod VPC routes its public subnets to an internet gateway;
// staging has none.
func TestSandboxInternetGateway(t *testing.T) {
	aws.IsolateEnv(t)
	c := startSandbox(t, sandbox.Options{}).Client(t, 0)
	for vpc, want := range map[string]bool{"vpc-0a1b2c3d4e5f60001": true, "vpc-0a1b2c3d4e5f60002": false} {
		if got, err := c.InternetGateway(context.Background(), vpc); err != nil || got != want {
			t.Errorf("InternetGateway(%s) = %v, %v; want %v", vpc, got, err, want)
		}
	}
}
