package sandbox_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/jackc/pgx/v5"

	"github.com/dbaf/dbaf/internal/sandbox"
	"github.com/dbaf/dbaf/internal/sandbox/dbserver"
	"github.com/dbaf/dbaf/internal/testenv"
)

// startWithDatabases serves a sandbox (o, at test pace) whose prod-aurora
// has a real PostgreSQL server; outside CI it skips when PostgreSQL is
// missing.
func startWithDatabases(t *testing.T, o sandbox.Options) (*clients, string) {
	t.Helper()
	testenv.NeedPostgres(t)
	dir := t.TempDir()
	o.Pace, o.DBSources = testPace, []string{"prod-aurora"}
	o.Databases = &dbserver.Config{StateDir: dir, AddrBase: "127.79", Log: testLog{t}, TemplateDir: testenv.TemplateDir()}
	c := start(t, o)
	return c, dir
}

type testLog struct{ t *testing.T }

func (l testLog) Write(p []byte) (int, error) { l.t.Log(string(p)); return len(p), nil }

func pgLogin(ctx context.Context, host string, port int, user, password string) (*pgx.Conn, error) {
	cfg, err := pgx.ParseConfig(fmt.Sprintf("host=%s port=%d user=%s dbname=postgres sslmode=require", host, port, user))
	if err != nil {
		return nil, err
	}
	cfg.Password = password
	return pgx.ConnectConfig(ctx, cfg)
}

func dialable(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err == nil {
		c.Close()
	}
	return err == nil
}

// cloneStack creates a clone stack of prod-aurora and returns the clone's
// cluster id, endpoint and port from the stack outputs.
func cloneStack(t *testing.T, c *clients, name string) (stackID, cluster, host string, port int) {
	t.Helper()
	return stackOf(t, c, name, cloneTemplate(t, prodArtifact(), name))
}

// stackOf creates a stack of a clone template and returns what cloneStack does.
func stackOf(t *testing.T, c *clients, name, template string) (stackID, cluster, host string, port int) {
	t.Helper()
	stackID = createStack(t, c, &cloudformation.CreateStackInput{StackName: awssdk.String(name),
		TemplateBody: awssdk.String(template)})
	if status, evs := waitStack(t, c, stackID); status != "CREATE_COMPLETE" {
		t.Fatalf("status %s:\n%s", status, dump(evs))
	}
	out, err := c.cfn.DescribeStacks(ctx(t), &cloudformation.DescribeStacksInput{StackName: awssdk.String(stackID)})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range out.Stacks[0].Outputs {
		switch awssdk.ToString(o.OutputKey) {
		case "Endpoint":
			host = awssdk.ToString(o.OutputValue)
		case "Port":
			port, _ = strconv.Atoi(awssdk.ToString(o.OutputValue))
		}
	}
	res, err := c.cfn.DescribeStackResources(ctx(t), &cloudformation.DescribeStackResourcesInput{StackName: awssdk.String(stackID), LogicalResourceId: awssdk.String("Cluster")})
	if err != nil || len(res.StackResources) != 1 {
		t.Fatalf("cluster resource: %v", err)
	}
	return stackID, awssdk.ToString(res.StackResources[0].PhysicalResourceId), host, port
}

func setPassword(t *testing.T, c *clients, cluster, password string) {
	t.Helper()
	if _, err := c.rds.ModifyDBCluster(ctx(t), &rds.ModifyDBClusterInput{DBClusterIdentifier: awssdk.String(cluster),
		MasterUserPassword: awssdk.String(password), ApplyImmediately: awssdk.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	waitAvailable(t, c, cluster)
}

// waitAvailable waits until the cluster is available (again) and returns it.
func waitAvailable(t *testing.T, c *clients, cluster string) rdstypes.DBCluster {
	t.Helper()
	var cl rdstypes.DBCluster
	eventually(t, cluster+" to be available", func() bool {
		out, err := c.rds.DescribeDBClusters(ctx(t), &rds.DescribeDBClustersInput{DBClusterIdentifier: awssdk.String(cluster)})
		if err == nil {
			cl = out.DBClusters[0]
		}
		return err == nil && awssdk.ToString(cl.Status) == "available"
	})
	return cl
}

func TestCloneStackIsARealDatabase(t *testing.T) {
	t.Parallel()
	c, dir := startWithDatabases(t, sandbox.Options{})
	// The seeded source: its reported endpoint takes the printed password.
	src, err := c.rds.DescribeDBClusters(ctx(t), &rds.DescribeDBClustersInput{DBClusterIdentifier: awssdk.String("prod-aurora")})
	if err != nil {
		t.Fatal(err)
	}
	srcHost, srcPort := awssdk.ToString(src.DBClusters[0].Endpoint), int(awssdk.ToInt32(src.DBClusters[0].Port))
	if net.ParseIP(srcHost) == nil || srcPort != 5432 {
		t.Fatalf("prod-aurora endpoint %s:%d, want a loopback address and 5432", srcHost, srcPort)
	}
	conn, err := pgLogin(ctx(t), srcHost, srcPort, "postgres", c.sb.DBPassword())
	if err != nil {
		t.Fatalf("log in to prod-aurora: %v", err)
	}
	conn.Close(ctx(t))

	stackID, cluster, host, port := cloneStack(t, c, "alice-real-clone")
	desc, err := c.rds.DescribeDBClusters(ctx(t), &rds.DescribeDBClustersInput{DBClusterIdentifier: awssdk.String(cluster)})
	if err != nil {
		t.Fatal(err)
	}
	if got := awssdk.ToString(desc.DBClusters[0].Endpoint); got != host || host == srcHost || port != 5432 || int(awssdk.ToInt32(desc.DBClusters[0].Port)) != 5432 {
		t.Fatalf("clone endpoint: outputs %s:%d, DescribeDBClusters %s, source %s; want its own address on 5432", host, port, got, srcHost)
	}
	const password = "cl0ne-Passw0rd"
	setPassword(t, c, cluster, password)
	conn, err = pgLogin(ctx(t), host, port, "postgres", password)
	if err != nil {
		t.Fatalf("log in to the clone with the new password: %v", err)
	}
	var n int
	if err := conn.QueryRow(ctx(t), "SELECT COUNT(*) FROM legacy.customers").Scan(&n); err != nil || n == 0 {
		t.Errorf("clone customers: %d, %v", n, err)
	}
	if _, err := conn.Exec(ctx(t), "TRUNCATE legacy.customers"); err != nil {
		t.Fatal(err)
	}
	conn.Close(ctx(t))
	conn, _ = pgLogin(ctx(t), srcHost, srcPort, "postgres", c.sb.DBPassword())
	var srcN int
	if err := conn.QueryRow(ctx(t), "SELECT COUNT(*) FROM legacy.customers").Scan(&srcN); err != nil || srcN != n {
		t.Errorf("source customers after truncating the clone's: %d, %v; want %d", srcN, err, n)
	}
	conn.Close(ctx(t))

	if _, err := c.cfn.DeleteStack(ctx(t), &cloudformation.DeleteStackInput{StackName: awssdk.String(stackID)}); err != nil {
		t.Fatal(err)
	}
	if status, evs := waitStack(t, c, stackID); status != string(cfntypes.StackStatusDeleteComplete) {
		t.Fatalf("delete: %s\n%s", status, dump(evs))
	}
	if dialable(net.JoinHostPort(host, strconv.Itoa(port))) {
		t.Errorf("%s:%d still accepts connections after the stack is deleted", host, port)
	}
	if _, err := os.Stat(filepath.Join(dir, "servers", cluster)); !os.IsNotExist(err) {
		t.Errorf("the deleted clone's data: %v, want gone", err)
	}
}

func TestDatabaseFaults(t *testing.T) {
	t.Parallel()
	c, _ := startWithDatabases(t, sandbox.Options{})
	f, err := sandbox.ParseFault("rds:ModifyDBCluster=PasswordNotApplied:1")
	if err != nil {
		t.Fatal(err)
	}
	c.sb.Inject(f)
	_, cluster, host, port := cloneStack(t, c, "not-applied")
	setPassword(t, c, cluster, "never-Appl1ed")
	if conn, err := pgLogin(ctx(t), host, port, "postgres", "never-Appl1ed"); err == nil {
		conn.Close(ctx(t))
		t.Error("the new password works despite PasswordNotApplied")
	}
	conn, err := pgLogin(ctx(t), host, port, "postgres", c.sb.DBPassword())
	if err != nil {
		t.Fatalf("the old password should still work: %v", err)
	}
	conn.Close(ctx(t))

	f, _ = sandbox.ParseFault("rds:ModifyDBCluster=EndpointUnreachable:1")
	c.sb.Inject(f)
	_, cluster, host, port = cloneStack(t, c, "unreachable")
	if !dialable(net.JoinHostPort(host, strconv.Itoa(port))) {
		t.Fatal("the clone does not listen before the fault applies")
	}
	setPassword(t, c, cluster, "unre4chable-x")
	if dialable(net.JoinHostPort(host, strconv.Itoa(port))) {
		t.Errorf("%s:%d accepts connections despite EndpointUnreachable", host, port)
	}
}
