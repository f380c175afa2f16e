package sandbox_test

import (
	"strings"
	"testing"

	"github.com/dbaf/dbaf/internal/testenv"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"

	"github.com/dbaf/dbaf/internal/sandbox"
)

// runAWSCLI and awsCLI are testenv's, named as these tests always called them.
func runAWSCLI(t *testing.T, url string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	return testenv.AWSCLI(t, url, args...)
}

func awsCLI(t *testing.T, url string, v any, args ...string) {
	t.Helper()
	testenv.AWSCLIJSON(t, url, v, args...)
}

func TestAWSCLIReads(t *testing.T) {
	t.Parallel()
	c := start(t, sandbox.Options{})

	// The CLI pages through with Marker at 20 a page and merges the pages.
	var clusters struct {
		DBClusters []struct {
			DBClusterIdentifier, Engine string
			DBClusterMembers            []struct{ DBInstanceIdentifier string }
		}
	}
	awsCLI(t, c.url, &clusters, "rds", "describe-db-clusters", "--page-size", "20")
	ids := map[string]bool{}
	for _, cl := range clusters.DBClusters {
		ids[cl.DBClusterIdentifier] = true
	}
	if len(ids) != 25 || !ids["prod-aurora"] || !ids["legacy-multiaz"] || !ids["shipping-mysql"] {
		t.Errorf("aws rds describe-db-clusters --page-size 20: %d distinct clusters, want 25", len(ids))
	}
	if c.sb.Calls()["rds:DescribeDBClusters"] != 2 {
		t.Errorf("calls = %v, want the CLI to have fetched 2 pages", c.sb.Calls())
	}

	var subnets struct {
		Subnets []struct{ SubnetId, VpcId, AvailabilityZone, CidrBlock string }
	}
	awsCLI(t, c.url, &subnets, "ec2", "describe-subnets", "--filters", "Name=vpc-id,Values=vpc-0a1b2c3d4e5f60001")
	if len(subnets.Subnets) != 5 {
		t.Errorf("prod subnets: %+v", subnets.Subnets)
	}
	for _, s := range subnets.Subnets {
		if s.VpcId != "vpc-0a1b2c3d4e5f60001" || !strings.HasPrefix(s.AvailabilityZone, "eu-west-1") || !strings.HasPrefix(s.CidrBlock, "10.0.") {
			t.Errorf("subnet %+v", s)
		}
	}

	var id struct{ Account, Arn, UserId string }
	awsCLI(t, c.url, &id, "sts", "get-caller-identity")
	if id.Account != "123456789012" || id.Arn != "arn:aws:iam::123456789012:user/sandbox-developer" || id.UserId != "AIDASANDBOXDEVELOPER" {
		t.Errorf("caller identity %+v", id)
	}
}

func TestAWSCLIStack(t *testing.T) {
	t.Parallel()
	c := start(t, sandbox.Options{Pace: testPace})
	const name = "cli-clone"
	id := createStack(t, c, &cloudformation.CreateStackInput{StackName: awssdk.String(name),
		TemplateBody: awssdk.String(cloneTemplate(t, prodArtifact(), name))})
	if status, evs := waitStack(t, c, id); status != "CREATE_COMPLETE" {
		t.Fatalf("%s\n%s", status, dump(evs))
	}
	want := allEvents(t, c, id)

	var events struct {
		StackEvents []struct {
			EventId, StackId, LogicalResourceId, PhysicalResourceId, ResourceType, ResourceStatus, ResourceStatusReason, Timestamp string
		}
	}
	awsCLI(t, c.url, &events, "cloudformation", "describe-stack-events", "--stack-name", name)
	if len(events.StackEvents) != len(want) {
		t.Fatalf("the CLI read %d events, the SDK %d", len(events.StackEvents), len(want))
	}
	newest, oldest := events.StackEvents[0], events.StackEvents[len(events.StackEvents)-1]
	if newest.LogicalResourceId != name || newest.ResourceStatus != "CREATE_COMPLETE" || newest.StackId != id ||
		oldest.ResourceStatus != "CREATE_IN_PROGRESS" || oldest.ResourceStatusReason != "User Initiated" || newest.Timestamp == "" {
		t.Errorf("newest %+v\noldest %+v", newest, oldest)
	}
	for i, e := range events.StackEvents {
		if w := want[len(want)-1-i]; e.EventId != awssdk.ToString(w.EventId) {
			t.Errorf("event %d: CLI %s, SDK %s", i, e.EventId, awssdk.ToString(w.EventId))
		}
	}

	var stacks struct {
		Stacks []struct {
			StackName, StackStatus string
			Outputs                []struct{ OutputKey, OutputValue string }
		}
	}
	awsCLI(t, c.url, &stacks, "cloudformation", "describe-stacks", "--stack-name", name)
	if len(stacks.Stacks) != 1 || stacks.Stacks[0].StackStatus != "CREATE_COMPLETE" || len(stacks.Stacks[0].Outputs) != 4 {
		t.Errorf("describe-stacks %+v", stacks)
	}

	_, stderr, err := runAWSCLI(t, c.url, "cloudformation", "describe-stacks", "--stack-name", "no-such-stack")
	if err == nil || !strings.Contains(stderr, "(ValidationError)") || !strings.Contains(stderr, "Stack with id no-such-stack does not exist") {
		t.Errorf("missing stack: %v\n%s", err, stderr)
	}
}

// The AWS CLI reads the route tables: prod's public one routes to an
// internet gateway, staging's only within the VPC.
func TestAWSCLIRouteTables(t *testing.T) {
	t.Parallel()
	c := start(t, sandbox.Options{})
	var out struct {
		RouteTables []struct {
			RouteTableId, VpcId string
			Routes              []struct{ DestinationCidrBlock, GatewayId string }
			Associations        []struct {
				Main     bool
				SubnetId string
			}
		}
	}
	awsCLI(t, c.url, &out, "ec2", "describe-route-tables", "--filters", "Name=route.gateway-id,Values=igw-*")
	if len(out.RouteTables) != 1 || out.RouteTables[0].VpcId != "vpc-0a1b2c3d4e5f60001" || len(out.RouteTables[0].Associations) != 2 ||
		out.RouteTables[0].Routes[1].GatewayId != "igw-0a1b2c3d4e5f66001" || out.RouteTables[0].Routes[1].DestinationCidrBlock != "0.0.0.0/0" {
		t.Errorf("route tables to an internet gateway: %+v", out.RouteTables)
	}
	awsCLI(t, c.url, &out, "ec2", "describe-route-tables", "--filters", "Name=vpc-id,Values=vpc-0a1b2c3d4e5f60002")
	if len(out.RouteTables) != 1 || len(out.RouteTables[0].Routes) != 1 || out.RouteTables[0].Routes[0].GatewayId != "local" || !out.RouteTables[0].Associations[0].Main {
		t.Errorf("staging's route tables: %+v", out.RouteTables)
	}
}
