package sandbox_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/dbaf/dbaf/internal/sandbox"
)

// The account a crash ended is served again from its saved file: the
// stack with its events and resources, the cluster with its tags; and it
// can be deleted as if nothing happened. (A crash is the file left as it
// was: here a copy taken before the clean Close, which removes it.)
func TestSavedAccountIsServedAgain(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "account-state.json")
	a := start(t, sandbox.Options{Pace: testPace, StateFile: file})
	stackID, cluster, _, _ := cloneStack(t, a, "crash-me")
	// A change answered is saved before the answer.
	if _, err := a.rds.AddTagsToResource(ctx(t), &rds.AddTagsToResourceInput{ResourceName: awssdk.String("arn:aws:rds:eu-west-1:123456789012:cluster:" + cluster),
		Tags: []rdstypes.Tag{{Key: awssdk.String("team"), Value: awssdk.String("data")}}}); err != nil {
		t.Fatal(err)
	}
	before := allEvents(t, a, stackID)
	saved, err := os.ReadFile(file)
	if err != nil || !bytes.Contains(saved, []byte("CREATE_COMPLETE")) {
		t.Fatalf("saved account: %v\n%.300s", err, saved)
	}
	if fi, _ := os.Stat(file); fi.Mode().Perm() != 0o600 {
		t.Errorf("saved account mode %v, want 0600: it holds the secrets RDS manages", fi.Mode().Perm())
	}
	a.sb.Close()
	if _, err := os.Stat(file); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a clean Close left the saved account: %v", err)
	}

	if err := os.WriteFile(file, saved, 0o600); err != nil {
		t.Fatal(err)
	}
	b := start(t, sandbox.Options{Pace: testPace, StateFile: file})
	out, err := b.cfn.DescribeStacks(ctx(t), &cloudformation.DescribeStacksInput{StackName: awssdk.String("crash-me")})
	if err != nil || awssdk.ToString(out.Stacks[0].StackId) != stackID || out.Stacks[0].StackStatus != "CREATE_COMPLETE" || len(out.Stacks[0].Outputs) == 0 {
		t.Fatalf("the stack after the restart: %+v %v", out, err)
	}
	if after := allEvents(t, b, stackID); len(after) != len(before) || dump(after) != dump(before) {
		t.Errorf("events after the restart:\n%s\nwant\n%s", dump(after), dump(before))
	}
	cl := waitAvailable(t, b, cluster)
	if len(cl.TagList) == 0 || awssdk.ToString(cl.TagList[len(cl.TagList)-1].Key) != "team" {
		t.Errorf("the cluster's tags after the restart: %+v", cl.TagList)
	}
	// The name is taken, as it was before the restart.
	_, err = b.cfn.CreateStack(ctx(t), &cloudformation.CreateStackInput{StackName: awssdk.String("crash-me"), TemplateBody: awssdk.String(cloneTemplate(t, prodArtifact(), "crash-me"))})
	wantAPIError(t, err, "AlreadyExistsException")
	deleteStack(t, b, stackID)
}

// A stack a crash caught half way is not left in progress for ever: a
// creation ends CREATE_FAILED, its cluster failed, and it can be deleted.
func TestCrashMidCreationFailsTheStack(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "account-state.json")
	a := start(t, sandbox.Options{Pace: 1, StateFile: file}) // demo pace: still creating when read
	stackID := createStack(t, a, &cloudformation.CreateStackInput{StackName: awssdk.String("half-way"), TemplateBody: awssdk.String(cloneTemplate(t, prodArtifact(), "half-way"))})
	var saved []byte
	eventually(t, "the cluster being created to be saved", func() bool {
		saved, _ = os.ReadFile(file)
		return bytes.Contains(saved, []byte(`"Status":"creating"`))
	})
	a.sb.Close()
	if err := os.WriteFile(file, saved, 0o600); err != nil {
		t.Fatal(err)
	}
	b := start(t, sandbox.Options{Pace: testPace, StateFile: file})
	status, evs := waitStack(t, b, stackID)
	if status != "CREATE_FAILED" || !strings.Contains(dump(evs), "stopped (killed or crashed)") {
		t.Fatalf("the interrupted stack: %s\n%s", status, dump(evs))
	}
	res, err := b.cfn.DescribeStackResources(ctx(t), &cloudformation.DescribeStackResourcesInput{StackName: awssdk.String(stackID), LogicalResourceId: awssdk.String("Cluster")})
	if err != nil || len(res.StackResources) != 1 {
		t.Fatalf("cluster resource: %v", err)
	}
	out, err := b.rds.DescribeDBClusters(ctx(t), &rds.DescribeDBClustersInput{DBClusterIdentifier: res.StackResources[0].PhysicalResourceId})
	if err != nil || awssdk.ToString(out.DBClusters[0].Status) != "failed" {
		t.Errorf("the cluster being created at the crash: %v %v, want failed", out, err)
	}
	deleteStack(t, b, stackID)
}

// A source whose server dies (here killed) shows as stopped, cluster and
// instance, and a clone of it fails at once, naming it and its status;
// StartDBCluster starts its server again on its data.
func TestDeadServerStopsItsCluster(t *testing.T) {
	t.Parallel()
	c, dir := startWithDatabases(t, sandbox.Options{})
	b, err := os.ReadFile(filepath.Join(dir, "servers", "prod-aurora", "pid"))
	if err != nil {
		t.Fatal(err)
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	eventually(t, "prod-aurora to show as stopped", func() bool {
		out, err := c.rds.DescribeDBClusters(ctx(t), &rds.DescribeDBClustersInput{DBClusterIdentifier: awssdk.String("prod-aurora")})
		return err == nil && awssdk.ToString(out.DBClusters[0].Status) == "stopped"
	})
	ins, err := c.rds.DescribeDBInstances(ctx(t), &rds.DescribeDBInstancesInput{Filters: []rdstypes.Filter{{Name: awssdk.String("db-cluster-id"), Values: []string{"prod-aurora"}}}})
	if err != nil || len(ins.DBInstances) == 0 {
		t.Fatal(err)
	}
	for _, in := range ins.DBInstances {
		if awssdk.ToString(in.DBInstanceStatus) != "stopped" {
			t.Errorf("instance %s is %s, want stopped", awssdk.ToString(in.DBInstanceIdentifier), awssdk.ToString(in.DBInstanceStatus))
		}
	}
	stackID := createStack(t, c, &cloudformation.CreateStackInput{StackName: awssdk.String("of-a-dead-source"), TemplateBody: awssdk.String(cloneTemplate(t, prodArtifact(), "of-a-dead-source"))})
	status, evs := waitStack(t, c, stackID)
	if status != "ROLLBACK_COMPLETE" || !strings.Contains(dump(evs), "DB cluster prod-aurora is not in the available state (it is stopped)") {
		t.Errorf("clone of a dead source: %s\n%s", status, dump(evs))
	}

	if _, err := c.rds.StartDBCluster(ctx(t), &rds.StartDBClusterInput{DBClusterIdentifier: awssdk.String("prod-aurora")}); err != nil {
		t.Fatal(err)
	}
	cl := waitAvailable(t, c, "prod-aurora")
	conn, err := pgLogin(ctx(t), awssdk.ToString(cl.Endpoint), int(awssdk.ToInt32(cl.Port)), "postgres", c.sb.DBPassword())
	if err != nil {
		t.Fatalf("login to prod-aurora started again: %v", err)
	}
	var n int
	if err := conn.QueryRow(ctx(t), "SELECT count(*) FROM legacy.customers").Scan(&n); err != nil || n == 0 {
		t.Errorf("prod-aurora started again holds %d customers: %v", n, err)
	}
	conn.Close(ctx(t))
	_, err = c.rds.StartDBCluster(ctx(t), &rds.StartDBClusterInput{DBClusterIdentifier: awssdk.String("prod-aurora")})
	if msg, _ := wantAPIError(t, err, "InvalidDBClusterStateFault"); !strings.Contains(msg, "available") {
		t.Errorf("StartDBCluster of an available cluster: %q", msg)
	}
}

// deleteStack deletes a stack and waits until it is gone.
func deleteStack(t *testing.T, c *clients, stackID string) {
	t.Helper()
	if _, err := c.cfn.DeleteStack(ctx(t), &cloudformation.DeleteStackInput{StackName: awssdk.String(stackID)}); err != nil {
		t.Fatal(err)
	}
	if status, evs := waitStack(t, c, stackID); status != "DELETE_COMPLETE" {
		t.Errorf("delete after the restart: %s\n%s", status, dump(evs))
	}
}
