package aws

import (
	"context"
	"fmt"
	"strings"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
)

// IsolateEnv lets the external integration tests use the same account-less
// environment as the unit tests.
var IsolateEnv = isolate

// VPCNamed finds a VPC by a substring of its Name tag; discovery itself
// never lists VPCs, only the benchmark needs to.
func VPCNamed(ctx context.Context, c *Client, part string) (string, error) {
	out, err := c.ec2.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{})
	if err != nil {
		return "", Explain(err, "ec2:DescribeVpcs")
	}
	for _, v := range out.Vpcs {
		if strings.Contains(strings.ToLower(nameTag(v.Tags)), part) {
			return awssdk.ToString(v.VpcId), nil
		}
	}
	return "", fmt.Errorf("no VPC named like %q among %d", part, len(out.Vpcs))
}
