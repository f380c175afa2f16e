package aws

import (
	"context"
	"errors"
	"fmt"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
)

// ClusterSnapshot describes one DB cluster snapshot. One that does not
// exist is a NotFound error naming the region.
func (c *Client) ClusterSnapshot(ctx context.Context, id string) (*ClusterSnapshot, error) {
	const op = "rds:DescribeDBClusterSnapshots"
	out, err := c.rds.DescribeDBClusterSnapshots(ctx, &rds.DescribeDBClusterSnapshotsInput{DBClusterSnapshotIdentifier: awssdk.String(id)})
	err = Explain(err, op)
	var e *Error
	if err != nil && !(errors.As(err, &e) && e.Kind == NotFound) {
		return nil, err
	}
	if err != nil || len(out.DBClusterSnapshots) == 0 {
		return nil, &Error{Kind: NotFound, Op: op, Err: err, Msg: fmt.Sprintf("no DB cluster snapshot %q in %s", id, c.region)}
	}
	s := out.DBClusterSnapshots[0]
	return &ClusterSnapshot{ID: awssdk.ToString(s.DBClusterSnapshotIdentifier), ClusterID: awssdk.ToString(s.DBClusterIdentifier),
		Engine: awssdk.ToString(s.Engine), EngineVersion: awssdk.ToString(s.EngineVersion), Status: awssdk.ToString(s.Status),
		Port: awssdk.ToInt32(s.Port), MasterUsername: awssdk.ToString(s.MasterUsername)}, nil
}
