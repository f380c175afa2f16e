package artifact

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dbaf/dbaf/aws"
)

// Stacks is what clone, teardown and list need from AWS. *aws.Client
// satisfies it.
type Stacks interface {
	StackEvents
	Region() string
	CallerIdentity(ctx context.Context) (*aws.Identity, error)
	ClusterSummary(ctx context.Context, id string) (*aws.Cluster, error)
	CreateStack(ctx context.Context, in aws.CreateStackInput) (stackID string, err error)
	DescribeStack(ctx context.Context, nameOrID string) (*aws.Stack, error)
	StackResources(ctx context.Context, nameOrID string) ([]aws.StackResource, error)
	DeleteStack(ctx context.Context, nameOrID string) error
	ListStacks(ctx context.Context) ([]aws.Stack, error)
	ResetMasterPassword(ctx context.Context, clusterID, password string) error
}

// CloneRequest is one clone to make (or follow).
type CloneRequest struct {
	Artifact          *Artifact
	Name              string // stack name; "" = StackName(now)
	Password          string // the clone's new master password; never logged
	PasswordGenerated bool   // dbaf made it up, so it is shown once at the end
	KeepOnFailure     bool
	PollInterval      time.Duration // 0 = DefaultPollInterval
	ThrottleBudget    time.Duration // 0 = DefaultThrottleBudget
	Now               func() time.Time
}

// CloneError is a clone that failed in AWS; the CloneFailed event carries
// the same facts.
type CloneError struct{ Failed CloneFailed }

func (e *CloneError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "clone %s failed", e.Failed.Stack)
	if e.Failed.Resource != "" {
		fmt.Fprintf(&b, ": %s", e.Failed.Resource)
	}
	fmt.Fprintf(&b, ": %s\n%s", e.Failed.Reason, e.Failed.Cleanup)
	if e.Failed.Publisher != "" {
		fmt.Fprintf(&b, "\nif this persists, contact the artifact's publisher: %s", e.Failed.Publisher)
	}
	return b.String()
}

// InterruptedError is a clone stopped by the user (Ctrl-C) after its stack
// may exist: the stack goes on in AWS, and this says how to remove it.
type InterruptedError struct {
	Stack   string
	Created bool // false: the create call itself was interrupted
}

func (e *InterruptedError) Error() string {
	verb := "is still being created"
	if !e.Created {
		verb = "may have been created"
	}
	return fmt.Sprintf("interrupted: stack %s %s in AWS; remove it with:\n  dbaf teardown %s --yes", e.Stack, verb, e.Stack)
}

func (e *InterruptedError) Unwrap() error { return context.Canceled }

// SourceError is a source cluster that cannot be cloned right now.
type SourceError struct{ Msg string }

func (e *SourceError) Error() string { return e.Msg }

// Clone creates a copy-on-write clone of the artifact's source through one
// CloudFormation stack, reports every stack event, resets the master
// password, waits for the cluster and reports the endpoint. When a dbaf
// stack of that name exists, it follows that stack instead of failing, so
// scripts can call it idempotently.
func Clone(ctx context.Context, req CloneRequest, s Stacks, emit Emit) (*CloneReady, error) {
	if emit == nil {
		emit = func(Event) {}
	}
	now := time.Now
	if req.Now != nil {
		now = req.Now
	}
	a := req.Artifact
	if req.Password == "" {
		return nil, errors.New("no password for the clone: set DB_PASSWORD, or pass --password-stdin or --generate-password")
	}
	name := req.Name
	if name == "" {
		name = StackName(now())
	} else if err := ValidateStackName(name); err != nil {
		return nil, err
	}
	p := newPacer(req.PollInterval, req.ThrottleBudget)

	stack, err := s.DescribeStack(ctx, name)
	var awsErr *aws.Error
	switch {
	case err == nil && stack.Status == "DELETE_COMPLETE":
		stack = nil // a deleted stack's name is free again
	case err == nil:
		if !IsDbafStack(stack.Tags) {
			return nil, &SourceError{Msg: fmt.Sprintf("stack %s exists and was not created by dbaf: choose another --name", name)}
		}
	case errors.As(err, &awsErr) && awsErr.Kind == aws.NotFound:
		stack = nil
	default:
		return nil, err
	}

	var stackID string
	attached := stack != nil
	if attached {
		stackID = stack.ID
	} else {
		if err := checkSource(ctx, s, a); err != nil {
			return nil, err
		}
		id, err := s.CallerIdentity(ctx)
		if err != nil {
			return nil, err
		}
		tmpl, err := Template(a, name)
		if err != nil {
			return nil, err
		}
		stackID, err = s.CreateStack(ctx, aws.CreateStackInput{Name: name, Template: tmpl, Tags: StackTags(a, id.ARN, now()), KeepOnFailure: req.KeepOnFailure})
		if err != nil {
			if ctx.Err() != nil {
				return nil, &InterruptedError{Stack: name}
			}
			return nil, err
		}
	}
	emit(CloneStarted{Stack: name, StackID: stackID, Source: a.Source.ClusterID, Region: s.Region(),
		Class: a.Target.InstanceClass, Resources: TemplateResources(a), Attached: attached})
	emit(Phase{Phase: PhaseCreating})

	if attached && stack.Status == "CREATE_COMPLETE" {
		// Nothing to watch: go straight to the endpoint.
	} else {
		res, err := watch(ctx, s, stackID, "", nil, p, emit)
		if err != nil {
			if ctx.Err() != nil {
				return nil, &InterruptedError{Stack: name, Created: true}
			}
			return nil, withResume(err, name)
		}
		if res.final.Status != "CREATE_COMPLETE" {
			return nil, failed(name, a, res, req.KeepOnFailure, emit)
		}
	}
	return finish(ctx, s, req, name, p, emit)
}

// withResume names the stack of a watch that ran out of throttling budget,
// with the commands that follow it again or remove it.
func withResume(err error, stack string) error {
	var tb *ThrottleBudgetError
	if errors.As(err, &tb) {
		tb.Stack = stack
		tb.Resume = "dbaf clone --name " + stack
		tb.Teardown = "dbaf teardown " + stack + " --yes"
	}
	return err
}

// checkSource refuses a source that is not there or not available, before
// anything is created.
func checkSource(ctx context.Context, s Stacks, a *Artifact) error {
	src, err := s.ClusterSummary(ctx, a.Source.ClusterID)
	if err != nil {
		return err
	}
	if src.Status != "available" {
		return &SourceError{Msg: fmt.Sprintf("source cluster %s is %s, not available: a clone can only be made from an available cluster; try again once it is (aws rds describe-db-clusters --db-cluster-identifier %s)",
			src.ID, src.Status, src.ID)}
	}
	return nil
}

func failed(name string, a *Artifact, res *watchResult, kept bool, emit Emit) error {
	resource, reason := RootCause(res.events)
	f := CloneFailed{Stack: name, Resource: resource, Reason: reason, Publisher: a.Publisher, Kept: kept}
	switch {
	case res.final.Status == "DELETE_COMPLETE":
		f.Cleanup = "everything it created was rolled back and the stack deleted: nothing is left behind"
	case kept:
		f.Cleanup = fmt.Sprintf("the stack was kept for inspection (status %s); remove it with: dbaf teardown %s --yes", res.final.Status, name)
	default:
		f.Cleanup = fmt.Sprintf("the stack ended in %s and may hold resources; remove it with: dbaf teardown %s --yes", res.final.Status, name)
	}
	emit(f)
	return &CloneError{Failed: f}
}

// finish reads the outputs, checks the network, resets the password and
// waits until the cluster is available again.
func finish(ctx context.Context, s Stacks, req CloneRequest, name string, p *pacer, emit Emit) (*CloneReady, error) {
	a := req.Artifact
	stack, err := s.DescribeStack(ctx, name)
	if err != nil {
		return nil, err
	}
	clusterID := stack.Outputs["ClusterId"]
	if clusterID == "" {
		clusterID = name
	}
	if err := checkNetwork(ctx, s, name, clusterID, emit); err != nil {
		return nil, err
	}

	emit(Phase{Phase: PhaseResetting})
	if err := s.ResetMasterPassword(ctx, clusterID, req.Password); err != nil {
		return nil, err
	}
	emit(Phase{Phase: PhaseWaiting})
	p.first = true
	for {
		if err := p.wait(ctx); err != nil {
			return nil, &InterruptedError{Stack: name, Created: true}
		}
		c, err := s.ClusterSummary(ctx, clusterID)
		if isThrottled(err) {
			const call = "rds:DescribeDBClusters"
			next, ok := p.throttled()
			if !ok {
				return nil, withResume(p.overBudget(call, err), name)
			}
			emit(Throttled{Call: call, RetryIn: next})
			continue
		}
		if err != nil {
			return nil, err
		}
		p.ok()
		if c.Status == "available" {
			break
		}
	}

	ready := CloneReady{Stack: name, ClusterID: clusterID, Endpoint: stack.Outputs["Endpoint"], ReaderEndpoint: stack.Outputs["ReaderEndpoint"],
		Port: stack.Outputs["Port"], Username: a.Source.MasterUsername}
	ready.Connection = ConnectionString(a.Source.Engine, ready.Endpoint, ready.Port, ready.Username)
	if t, ok := ExpiresAt(stack.Tags); ok {
		ready.ExpiresAt = &t
	}
	if req.PasswordGenerated {
		ready.Password = req.Password
	}
	emit(Phase{Phase: PhaseReady})
	emit(ready)
	return &ready, nil
}

// checkNetwork verifies the clone sits in the subnet group and security
// group the stack created: CloudFormation once ignored both on clones.
func checkNetwork(ctx context.Context, s Stacks, stack, clusterID string, emit Emit) error {
	resources, err := s.StackResources(ctx, stack)
	if err != nil {
		return err
	}
	c, err := s.ClusterSummary(ctx, clusterID)
	if err != nil {
		return err
	}
	for _, r := range resources {
		switch r.Type {
		case "AWS::RDS::DBSubnetGroup":
			if !strings.EqualFold(c.SubnetGroup, r.PhysicalID) {
				emit(Warning{Message: fmt.Sprintf("the clone is in subnet group %q, not the %q its stack created: check its network before use", c.SubnetGroup, r.PhysicalID)})
			}
		case "AWS::EC2::SecurityGroup":
			if !slices.Contains(c.SecurityGroups, r.PhysicalID) {
				emit(Warning{Message: fmt.Sprintf("the clone has security groups %v, not %s that its stack created: its access rules may not be the artifact's", c.SecurityGroups, r.PhysicalID)})
			}
		}
	}
	return nil
}

// ConnectionString is a client command line for the clone, by engine,
// without the password.
func ConnectionString(engine, host, port, user string) string {
	if engine == "aurora-mysql" {
		return fmt.Sprintf("mysql -h %s -P %s -u %s -p", host, port, user)
	}
	return fmt.Sprintf("psql \"host=%s port=%s user=%s dbname=postgres sslmode=require\"", host, port, user)
}
