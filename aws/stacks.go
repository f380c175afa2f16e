package aws

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/aws/smithy-go"
)

// CreateStack creates a stack and returns its id. A failed stack is deleted
// by CloudFormation unless in.KeepOnFailure, which leaves it for inspection.
func (c *Client) CreateStack(ctx context.Context, in CreateStackInput) (string, error) {
	onFailure := cfntypes.OnFailureDelete
	if in.KeepOnFailure {
		onFailure = cfntypes.OnFailureDoNothing
	}
	tags := cfnTags(in.Tags)
	input := &cloudformation.CreateStackInput{
		StackName:    awssdk.String(in.Name),
		TemplateBody: awssdk.String(string(in.Template)),
		Tags:         tags,
		OnFailure:    onFailure,
	}
	if in.Token != "" {
		input.ClientRequestToken = awssdk.String(in.Token)
	}
	for _, cp := range in.Capabilities {
		input.Capabilities = append(input.Capabilities, cfntypes.Capability(cp))
	}
	out, err := c.cfn.CreateStack(ctx, input)
	if err != nil {
		var api smithy.APIError
		if errors.As(err, &api) && api.ErrorCode() == "AlreadyExistsException" {
			return "", &Error{Kind: AlreadyExists, Op: "cloudformation:CreateStack", Err: err,
				Msg: fmt.Sprintf("stack %s already exists in %s", in.Name, c.region)}
		}
		return "", Explain(err, "cloudformation:CreateStack")
	}
	return awssdk.ToString(out.StackId), nil
}

// UpdateStack asks CloudFormation to update a stack to template and tags
// (all of them: CloudFormation replaces the stack's tags); it returns at
// once, the update running on.
func (c *Client) UpdateStack(ctx context.Context, nameOrID string, template []byte, tags map[string]string) error {
	_, err := c.cfn.UpdateStack(ctx, &cloudformation.UpdateStackInput{StackName: awssdk.String(nameOrID),
		TemplateBody: awssdk.String(string(template)), Tags: cfnTags(tags)})
	if err != nil {
		return c.stackErr(err, nameOrID, "cloudformation:UpdateStack")
	}
	return nil
}

// cfnTags are tags in CloudFormation's form, sorted by key.
func cfnTags(m map[string]string) []cfntypes.Tag {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	tags := make([]cfntypes.Tag, 0, len(keys))
	for _, k := range keys {
		tags = append(tags, cfntypes.Tag{Key: awssdk.String(k), Value: awssdk.String(m[k])})
	}
	return tags
}

// GetTemplate returns a stack's template as it was given.
func (c *Client) GetTemplate(ctx context.Context, nameOrID string) ([]byte, error) {
	out, err := c.cfn.GetTemplate(ctx, &cloudformation.GetTemplateInput{StackName: awssdk.String(nameOrID)})
	if err != nil {
		return nil, c.stackErr(err, nameOrID, "cloudformation:GetTemplate")
	}
	return []byte(awssdk.ToString(out.TemplateBody)), nil
}

// DescribeStack returns one stack by name or id. A stack that does not
// exist is a NotFound error (CloudFormation says ValidationError).
func (c *Client) DescribeStack(ctx context.Context, nameOrID string) (*Stack, error) {
	out, err := c.cfn.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: awssdk.String(nameOrID)})
	if err != nil {
		return nil, c.stackErr(err, nameOrID, "cloudformation:DescribeStacks")
	}
	if len(out.Stacks) == 0 {
		return nil, &Error{Kind: NotFound, Op: "cloudformation:DescribeStacks", Msg: fmt.Sprintf("no stack %s in %s", nameOrID, c.region)}
	}
	s := stackFrom(out.Stacks[0])
	return &s, nil
}

// ListStacks returns every live stack in the region with its tags and
// outputs (DescribeStacks without a name, paged to the end).
func (c *Client) ListStacks(ctx context.Context) ([]Stack, error) {
	var stacks []Stack
	p := cloudformation.NewDescribeStacksPaginator(c.cfn, &cloudformation.DescribeStacksInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, Explain(err, "cloudformation:DescribeStacks")
		}
		for _, s := range out.Stacks {
			stacks = append(stacks, stackFrom(s))
		}
	}
	return stacks, nil
}

// StackEvents returns the stack's events newer than afterEventID ("" = all),
// oldest first. CloudFormation pages newest first, so paging stops at the
// first event already seen: a long history costs one call per poll.
func (c *Client) StackEvents(ctx context.Context, stackID, afterEventID string) ([]StackEvent, error) {
	var newestFirst []StackEvent
	p := cloudformation.NewDescribeStackEventsPaginator(c.cfn, &cloudformation.DescribeStackEventsInput{StackName: awssdk.String(stackID)})
pages:
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, c.stackErr(err, stackID, "cloudformation:DescribeStackEvents")
		}
		for _, e := range out.StackEvents {
			if afterEventID != "" && awssdk.ToString(e.EventId) == afterEventID {
				break pages
			}
			newestFirst = append(newestFirst, StackEvent{
				ID: awssdk.ToString(e.EventId), StackID: awssdk.ToString(e.StackId), LogicalID: awssdk.ToString(e.LogicalResourceId),
				PhysicalID: awssdk.ToString(e.PhysicalResourceId), ResourceType: awssdk.ToString(e.ResourceType),
				Status: string(e.ResourceStatus), Reason: awssdk.ToString(e.ResourceStatusReason), Time: awssdk.ToTime(e.Timestamp),
			})
		}
	}
	events := make([]StackEvent, len(newestFirst))
	for i, e := range newestFirst {
		events[len(newestFirst)-1-i] = e
	}
	return events, nil
}

// StackResources lists a stack's resources.
func (c *Client) StackResources(ctx context.Context, nameOrID string) ([]StackResource, error) {
	out, err := c.cfn.DescribeStackResources(ctx, &cloudformation.DescribeStackResourcesInput{StackName: awssdk.String(nameOrID)})
	if err != nil {
		return nil, c.stackErr(err, nameOrID, "cloudformation:DescribeStackResources")
	}
	rs := make([]StackResource, 0, len(out.StackResources))
	for _, r := range out.StackResources {
		rs = append(rs, StackResource{LogicalID: awssdk.ToString(r.LogicalResourceId), PhysicalID: awssdk.ToString(r.PhysicalResourceId),
			Type: awssdk.ToString(r.ResourceType), Status: string(r.ResourceStatus), Reason: awssdk.ToString(r.ResourceStatusReason)})
	}
	return rs, nil
}

// DeleteStack asks CloudFormation to delete a stack; it returns at once.
func (c *Client) DeleteStack(ctx context.Context, nameOrID string) error {
	if _, err := c.cfn.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: awssdk.String(nameOrID)}); err != nil {
		return c.stackErr(err, nameOrID, "cloudformation:DeleteStack")
	}
	return nil
}

// ResetMasterPassword sets a cluster's master password, applied now. The
// password goes only into the signed request body, never into a message.
func (c *Client) ResetMasterPassword(ctx context.Context, clusterID, password string) error {
	_, err := c.rdsw.ModifyDBCluster(ctx, &rds.ModifyDBClusterInput{
		DBClusterIdentifier: awssdk.String(clusterID),
		MasterUserPassword:  awssdk.String(password),
		ApplyImmediately:    awssdk.Bool(true),
	})
	if err != nil {
		return Explain(err, "rds:ModifyDBCluster")
	}
	return nil
}

// TagCluster adds (or replaces) tags on a DB cluster, by its ARN.
func (c *Client) TagCluster(ctx context.Context, clusterARN string, tags map[string]string) error {
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	in := &rds.AddTagsToResourceInput{ResourceName: awssdk.String(clusterARN)}
	for _, k := range keys {
		in.Tags = append(in.Tags, rdstypes.Tag{Key: awssdk.String(k), Value: awssdk.String(tags[k])})
	}
	if _, err := c.rdsw.AddTagsToResource(ctx, in); err != nil {
		return Explain(err, "rds:AddTagsToResource")
	}
	return nil
}

// stackErr turns CloudFormation's "Stack with id X does not exist"
// ValidationError into NotFound.
func (c *Client) stackErr(err error, stack, action string) error {
	var api smithy.APIError
	if errors.As(err, &api) && api.ErrorCode() == "ValidationError" && strings.Contains(api.ErrorMessage(), "does not exist") {
		return &Error{Kind: NotFound, Op: action, Err: err,
			Msg: fmt.Sprintf("no stack %s in %s (dbaf list shows the clones there)", stack, c.region)}
	}
	return Explain(err, action)
}

func stackFrom(s cfntypes.Stack) Stack {
	st := Stack{Name: awssdk.ToString(s.StackName), ID: awssdk.ToString(s.StackId), Status: string(s.StackStatus),
		StatusReason: awssdk.ToString(s.StackStatusReason), Created: awssdk.ToTime(s.CreationTime),
		Outputs: map[string]string{}, Tags: map[string]string{}}
	for _, o := range s.Outputs {
		st.Outputs[awssdk.ToString(o.OutputKey)] = awssdk.ToString(o.OutputValue)
	}
	for _, t := range s.Tags {
		st.Tags[awssdk.ToString(t.Key)] = awssdk.ToString(t.Value)
	}
	return st
}
