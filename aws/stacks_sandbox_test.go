package aws_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/dbaf/dbaf/aws"
	"github.com/dbaf/dbaf/internal/sandbox"
)

const tinyTemplate = `{"Resources":{"SG":{"Type":"AWS::EC2::SecurityGroup","Properties":{"GroupDescription":"t","VpcId":"vpc-0a1b2c3d"}}}}`

// A retried CreateStack (same ClientRequestToken) is the same request; a
// second caller's (another token) is AlreadyExists, which callers follow.
func TestSandboxCreateStackTokenAndAlreadyExists(t *testing.T) {
	aws.IsolateEnv(t)
	c := startSandbox(t, sandbox.Options{}).Client(t, 0)
	ctx := context.Background()
	in := aws.CreateStackInput{Name: "tok", Template: []byte(tinyTemplate), Token: "dbaf-tok-1"}
	id1, err := c.CreateStack(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	id2, err := c.CreateStack(ctx, in)
	if err != nil || id2 != id1 {
		t.Fatalf("retry with the same token: id %q (first %q), err %v", id2, id1, err)
	}
	in.Token = "dbaf-tok-2"
	_, err = c.CreateStack(ctx, in)
	var e *aws.Error
	if !errors.As(err, &e) || e.Kind != aws.AlreadyExists {
		t.Fatalf("another token: err = %#v, want AlreadyExists", err)
	}
}

// The reset marker dbaf puts on a clone reads back from DescribeDBClusters.
func TestSandboxTagCluster(t *testing.T) {
	aws.IsolateEnv(t)
	c := startSandbox(t, sandbox.Options{}).Client(t, 0)
	ctx := context.Background()
	cl, err := c.ClusterSummary(ctx, "prod-aurora")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 25, 1, 0, 0, 0, time.UTC).Format(time.RFC3339)
	if err := c.TagCluster(ctx, cl.ARN, map[string]string{"dbaf:password-reset-at": at}); err != nil {
		t.Fatal(err)
	}
	cl, err = c.ClusterSummary(ctx, "prod-aurora")
	if err != nil || cl.Tags["dbaf:password-reset-at"] != at {
		t.Errorf("tags %v, err %v", cl.Tags, err)
	}
	if cl.EarliestRestorable.IsZero() || !cl.LatestRestorable.After(cl.EarliestRestorable) {
		t.Errorf("restorable window %v..%v", cl.EarliestRestorable, cl.LatestRestorable)
	}
	snap, err := c.ClusterSnapshot(ctx, "prod-aurora-before-migration")
	if err != nil || snap.Engine != "aurora-postgresql" || snap.Status != "available" || snap.ClusterID != "prod-aurora" {
		t.Errorf("snapshot %+v, err %v", snap, err)
	}
	_, err = c.ClusterSnapshot(ctx, "nope")
	var e *aws.Error
	if !errors.As(err, &e) || e.Kind != aws.NotFound {
		t.Errorf("unknown snapshot: err = %#v", err)
	}
}
