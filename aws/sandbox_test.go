package aws_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/dbaf/dbaf/aws"
	"github.com/dbaf/dbaf/internal/sandbox"
	"github.com/dbaf/dbaf/internal/testenv"
)

// These tests drive the real SDK over HTTP against the sandbox account.

type account = testenv.Account

func startSandbox(tb testing.TB, o sandbox.Options) *account {
	return testenv.StartSandbox(tb, o)
}

func TestSandboxClusters(t *testing.T) {
	aws.IsolateEnv(t)
	a := startSandbox(t, sandbox.Options{})
	c := a.Client(t, 0)
	ctx := context.Background()

	cls, err := c.Clusters(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]aws.Cluster{}
	for _, cl := range cls {
		ids[cl.ID] = cl
		if cl.Engine != "aurora-postgresql" && cl.Engine != "aurora-mysql" {
			t.Errorf("non-Aurora cluster %s (%s) listed", cl.ID, cl.Engine)
		}
	}
	for _, want := range []string{"prod-aurora", "orders-mysql", "analytics-serverless", "reporting-stopped"} {
		if _, ok := ids[want]; !ok {
			t.Errorf("%s missing from %d clusters", want, len(cls))
		}
	}
	if _, ok := ids["legacy-multiaz"]; ok {
		t.Error("legacy-multiaz (engine postgres) must be left out")
	}
	if !slices.IsSortedFunc(cls, func(x, y aws.Cluster) int { return strings.Compare(x.ID, y.ID) }) {
		t.Error("clusters not sorted by id")
	}
	if ids["reporting-stopped"].Status != "stopped" {
		t.Errorf("reporting-stopped status = %q", ids["reporting-stopped"].Status)
	}
}

func TestSandboxClusterDetail(t *testing.T) {
	aws.IsolateEnv(t)
	a := startSandbox(t, sandbox.Options{})
	c := a.Client(t, 0)
	ctx := context.Background()

	cl, err := c.Cluster(ctx, "prod-aurora")
	if err != nil {
		t.Fatal(err)
	}
	if cl.Engine != "aurora-postgresql" || cl.EngineVersion != "16.4" || cl.Port != 5432 || cl.MasterUsername == "" ||
		cl.SubnetGroup != "prod-db-subnets" || len(cl.SecurityGroups) == 0 || cl.ARN == "" {
		t.Errorf("prod-aurora = %+v", cl)
	}
	if len(cl.Members) != 2 || !cl.Members[0].Writer || cl.Members[1].Writer {
		t.Fatalf("members = %+v, want a writer then a reader", cl.Members)
	}
	for _, m := range cl.Members {
		if m.Class != "db.r6g.large" {
			t.Errorf("member %s class %q, want db.r6g.large", m.InstanceID, m.Class)
		}
	}
	if cl.Serverless != nil {
		t.Errorf("prod-aurora is provisioned, got serverless %+v", cl.Serverless)
	}

	sl, err := c.Cluster(ctx, "analytics-serverless")
	if err != nil {
		t.Fatal(err)
	}
	if sl.Serverless == nil || sl.Serverless.Min != 0.5 || sl.Serverless.Max != 16 {
		t.Errorf("analytics-serverless scaling = %+v", sl.Serverless)
	}

	// The resolver, not discovery, rejects non-Aurora sources.
	if lg, err := c.Cluster(ctx, "legacy-multiaz"); err != nil || lg.Engine != "postgres" {
		t.Errorf("legacy-multiaz = %+v, %v", lg, err)
	}
}

func TestSandboxUnknownCluster(t *testing.T) {
	aws.IsolateEnv(t)
	a := startSandbox(t, sandbox.Options{})
	c := a.Client(t, 0)
	ctx := context.Background()

	id, err := c.CallerIdentity(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(id.Account) != 12 || !strings.HasPrefix(id.ARN, "arn:aws:") || id.UserID == "" {
		t.Errorf("identity = %+v", id)
	}

	_, err = c.Cluster(ctx, "prod-auror")
	var e *aws.Error
	if !errors.As(err, &e) || e.Kind != aws.NotFound {
		t.Fatalf("err = %v, want NotFound", err)
	}
	want := `no DB cluster "prod-auror" in eu-west-1 (account ` + id.Account + `); check the id or the region, or list clusters with "aws rds describe-db-clusters"`
	if e.Msg != want {
		t.Errorf("message\n got %s\nwant %s", e.Msg, want)
	}
}

func TestSandboxNetwork(t *testing.T) {
	aws.IsolateEnv(t)
	a := startSandbox(t, sandbox.Options{})
	c := a.Client(t, 0)
	ctx := context.Background()

	g, err := c.SubnetGroup(ctx, "prod-db-subnets")
	if err != nil {
		t.Fatal(err)
	}
	azs := map[string]bool{}
	for _, s := range g.Subnets {
		azs[s.AZ] = true
		if s.CIDR == "" || s.VpcID != g.VpcID {
			t.Errorf("subnet %+v: want a CIDR and VPC %s", s, g.VpcID)
		}
	}
	if len(azs) != 3 || !strings.HasPrefix(g.VpcID, "vpc-") {
		t.Errorf("subnet group = %+v, want 3 AZs and a VPC id", g)
	}

	v, err := c.VPC(ctx, g.VpcID)
	if err != nil {
		t.Fatal(err)
	}
	if v.CIDR != "10.0.0.0/16" {
		t.Errorf("prod VPC = %+v, want 10.0.0.0/16", v)
	}

	all, err := c.Subnets(ctx, g.VpcID)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) < len(g.Subnets) {
		t.Errorf("VPC has %d subnets, fewer than its subnet group's %d", len(all), len(g.Subnets))
	}

	ids := []string{g.Subnets[1].ID, g.Subnets[0].ID}
	got, err := c.SubnetsByID(ctx, ids)
	if err != nil || len(got) != 2 || got[0].ID != ids[0] {
		t.Errorf("SubnetsByID(%v) = %+v, %v", ids, got, err)
	}
	_, err = c.SubnetsByID(ctx, []string{ids[0], "subnet-0000000000000dead"})
	if !errors.As(err, new(*aws.Error)) || !strings.Contains(err.Error(), `"subnet-0000000000000dead"`) {
		t.Errorf("unknown subnet: %v", err)
	}

	_, err = c.VPC(ctx, "vpc-0000000000000dead")
	var e *aws.Error
	if !errors.As(err, &e) || e.Kind != aws.NotFound {
		t.Errorf("unknown VPC: %v", err)
	}
}

func TestSandboxOrderableClasses(t *testing.T) {
	aws.IsolateEnv(t)
	a := startSandbox(t, sandbox.Options{})
	c := a.Client(t, 0)

	classes, err := c.OrderableClasses(context.Background(), "aurora-postgresql", "16.4")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(classes, "db.r6g.large") || slices.Contains(classes, "db.t3.small") {
		t.Errorf("classes = %v: want db.r6g.large and not db.t3.small", classes)
	}
	seen := map[string]bool{}
	for _, cl := range classes {
		if seen[cl] {
			t.Errorf("%s listed twice", cl)
		}
		seen[cl] = true
	}
}

func TestSandboxInjectedFaults(t *testing.T) {
	aws.IsolateEnv(t)
	a := startSandbox(t, sandbox.Options{})
	ctx := context.Background()
	cases := []struct {
		code string
		kind aws.Kind
		says []string
	}{
		{"AccessDenied", aws.AccessDenied, []string{"rds:DescribeDBClusters", "ask your AWS administrator"}},
		{"ExpiredToken", aws.ExpiredToken, []string{"expired", "aws sso login"}},
		{"Throttling", aws.Throttled, []string{"rds:DescribeDBClusters", "wait a minute"}},
	}
	for _, tc := range cases {
		t.Run(tc.code, func(t *testing.T) {
			a.Server.ClearFaults()
			a.Server.Inject(sandbox.Fault{Service: "rds", Action: "DescribeDBClusters", Code: tc.code})
			defer a.Server.ClearFaults()
			// One attempt: a fresh client per case so that the adaptive
			// retryer's throttling state does not carry over.
			_, err := a.Client(t, 1).Clusters(ctx)
			var e *aws.Error
			if !errors.As(err, &e) || e.Kind != tc.kind {
				t.Fatalf("err = %v, want kind %v", err, tc.kind)
			}
			for _, s := range tc.says {
				if !strings.Contains(e.Msg, s) {
					t.Errorf("message %q lacks %q", e.Msg, s)
				}
			}
		})
	}
}

// BenchmarkDiscovery is one wizard's worth of discovery against an account
// with 1000 extra clusters and 5000 extra subnets in the staging VPC.
func BenchmarkDiscovery(b *testing.B) {
	a := startSandbox(b, sandbox.Options{ExtraClusters: 1000, ExtraSubnets: 5000})
	c := a.Client(b, 0)
	ctx := context.Background()
	staging := stagingVPC(b, c)

	a.Server.ResetCalls()
	b.ResetTimer()
	ops := 0
	for b.Loop() {
		ops++
		cls, err := c.Clusters(ctx)
		if err != nil || len(cls) < 1000 {
			b.Fatalf("%d clusters, %v", len(cls), err)
		}
		cl, err := c.Cluster(ctx, "prod-aurora")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := c.SubnetGroup(ctx, cl.SubnetGroup); err != nil {
			b.Fatal(err)
		}
		subnets, err := c.Subnets(ctx, staging)
		if err != nil || len(subnets) < 5000 {
			b.Fatalf("%d staging subnets, %v", len(subnets), err)
		}
		if _, err := c.OrderableClasses(ctx, cl.Engine, cl.EngineVersion); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	total := 0
	for _, n := range a.Server.Calls() {
		total += n
	}
	b.ReportMetric(float64(total)/float64(ops), "calls/op")
}

func stagingVPC(tb testing.TB, c *aws.Client) string {
	tb.Helper()
	id, err := aws.VPCNamed(context.Background(), c, "staging")
	if err != nil {
		tb.Fatal(err)
	}
	return id
}

func TestSandboxAccountQuotas(t *testing.T) {
	aws.IsolateEnv(t)
	a := startSandbox(t, sandbox.Options{Quotas: map[string]int64{"db-clusters": 5}})
	ctx := context.Background()
	qs, err := a.Client(t, 0).AccountQuotas(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if q := qs["DBClusters"]; q.Max != 5 || q.Used == 0 {
		t.Errorf("DBClusters = %+v, want Max 5 and the seeded clusters used", q)
	}
	if q := qs["DBInstances"]; q.Max != 40 || q.Used == 0 {
		t.Errorf("DBInstances = %+v, want Max 40 and the seeded instances used", q)
	}

	// A refusal is classified like every other call's.
	a.Server.Inject(sandbox.Fault{Service: "rds", Action: "DescribeAccountAttributes", Code: "AccessDenied"})
	_, err = a.Client(t, 1).AccountQuotas(ctx)
	var e *aws.Error
	if !errors.As(err, &e) || e.Kind != aws.AccessDenied || !strings.Contains(e.Msg, "rds:DescribeAccountAttributes") {
		t.Errorf("err = %v, want AccessDenied naming rds:DescribeAccountAttributes", err)
	}
}
