package artifact

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dbaf/dbaf/aws"
)

// fakeStacks is a scripted CloudFormation: each StackEvents call reveals the
// next batch of events; the stack's status follows its own events.
type fakeStacks struct {
	mu          sync.Mutex
	clusters    map[string]*aws.Cluster
	stacks      map[string]*aws.Stack // by name
	history     map[string][]aws.StackEvent
	batches     [][]aws.StackEvent // revealed one per StackEvents call
	throttle    int                // StackEvents calls to throttle first
	resources   []aws.StackResource
	resetting   int // Cluster calls that still report resetting-master-credentials
	unseen      int // ClusterSummary calls of a clone that answer NotFound, as AWS's may just after a create
	created     []aws.CreateStackInput
	deleted     []string
	passwords   []string
	eventsCalls int
	cancel      context.CancelFunc   // called at the first StackEvents call, to simulate Ctrl-C
	resetErr    error                // what ResetMasterPassword returns
	onReset     func()               // called inside ResetMasterPassword, e.g. to cancel
	createErr   error                // what CreateStack returns (and creates nothing)
	racer       *aws.Stack           // made by "another caller" inside CreateStack, which then fails AlreadyExists
	onDelete    [][]aws.StackEvent   // batches DeleteStack queues: the deletion's events
	quotas      map[string]aws.Quota // AccountQuotas' answer; nil = plenty of room
	quotaErr    error                // what AccountQuotas returns
	quotaCalls  int
	listErr     error                  // what Clusters returns
	listCalls   int                    // Clusters calls
	keys        map[string]*aws.KMSKey // by id; a missing key is NotFound
	schedules   map[string]time.Time   // ScheduleTime's answers, by name; a missing one is NotFound
	keyErr      error                  // what KMSKey returns
	keyCalls    int
	// RDS-managed passwords: secret ARN → password.
	secrets   map[string]string
	manages   int   // ManageMasterPassword calls
	manageErr error // what ManageMasterPassword returns
	secretErr error // what SecretPassword returns
	quietARN  bool  // ManageMasterPassword reports no ARN, as an unapplied change may
}

const stackID = "arn:aws:cloudformation:eu-west-1:123456789012:stack/s1/1"

func newFakeStacks() *fakeStacks {
	return &fakeStacks{
		clusters: map[string]*aws.Cluster{
			"prod": {ID: "prod", Status: "available", Engine: "aurora-postgresql", Members: []aws.Member{{InstanceID: "prod-1", Writer: true}}},
		},
		stacks:  map[string]*aws.Stack{},
		history: map[string][]aws.StackEvent{},
	}
}

func ev(id, logical, typ, status, reason string) aws.StackEvent {
	phys := "phys-" + logical
	if typ == "AWS::CloudFormation::Stack" {
		phys = stackID
	}
	return aws.StackEvent{ID: id, StackID: stackID, LogicalID: logical, PhysicalID: phys, ResourceType: typ, Status: status, Reason: reason,
		Time: time.Date(2026, 11, 25, 1, 0, 0, 0, time.UTC)}
}

func stackEv(id, status, reason string) aws.StackEvent {
	return ev(id, "s1", "AWS::CloudFormation::Stack", status, reason)
}

func successBatches() [][]aws.StackEvent {
	return [][]aws.StackEvent{
		{stackEv("e1", "CREATE_IN_PROGRESS", "User Initiated"), ev("e2", "SubnetGroup", "AWS::RDS::DBSubnetGroup", "CREATE_IN_PROGRESS", "")},
		{ev("e3", "SubnetGroup", "AWS::RDS::DBSubnetGroup", "CREATE_COMPLETE", ""), ev("e4", "Cluster", "AWS::RDS::DBCluster", "CREATE_IN_PROGRESS", "")},
		{},
		{ev("e5", "Cluster", "AWS::RDS::DBCluster", "CREATE_COMPLETE", ""), stackEv("e6", "CREATE_COMPLETE", "")},
	}
}

func (f *fakeStacks) Region() string { return "eu-west-1" }
func (f *fakeStacks) CallerIdentity(context.Context) (*aws.Identity, error) {
	return &aws.Identity{Account: "123456789012", ARN: "arn:aws:iam::123456789012:user/dev"}, nil
}
func (f *fakeStacks) ClusterSummary(_ context.Context, id string) (*aws.Cluster, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.clusters[id]
	if f.unseen > 0 && id != "prod" {
		f.unseen--
		ok = false
	}
	if !ok {
		return nil, &aws.Error{Kind: aws.NotFound, Msg: "no cluster " + id}
	}
	cp := *c
	if f.resetting > 0 && id != "prod" {
		f.resetting--
		cp.Status = "resetting-master-credentials"
	}
	return &cp, nil
}
func (f *fakeStacks) AccountQuotas(context.Context) (map[string]aws.Quota, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.quotaCalls++
	if f.quotaErr != nil {
		return nil, f.quotaErr
	}
	if f.quotas == nil {
		return map[string]aws.Quota{"DBClusters": {Used: 1, Max: 40}, "DBInstances": {Used: 1, Max: 40}}, nil
	}
	return f.quotas, nil
}
func (f *fakeStacks) Clusters(context.Context) ([]aws.Cluster, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.listCalls++
	if f.listErr != nil {
		return nil, f.listErr
	}
	var out []aws.Cluster
	for _, c := range f.clusters {
		out = append(out, *c)
	}
	return out, nil
}
func (f *fakeStacks) KMSKey(_ context.Context, id string) (*aws.KMSKey, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.keyCalls++
	if f.keyErr != nil {
		return nil, f.keyErr
	}
	k, ok := f.keys[id]
	if !ok {
		return nil, &aws.Error{Kind: aws.NotFound, Msg: "no key " + id}
	}
	cp := *k
	return &cp, nil
}
func (f *fakeStacks) CreateStack(_ context.Context, in aws.CreateStackInput) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.racer != nil {
		f.stacks[f.racer.Name] = f.racer
		return "", &aws.Error{Kind: aws.AlreadyExists, Msg: "stack " + f.racer.Name + " already exists"}
	}
	if f.createErr != nil {
		return "", f.createErr
	}
	f.created = append(f.created, in)
	f.stacks[in.Name] = &aws.Stack{Name: in.Name, ID: stackID, Status: "CREATE_IN_PROGRESS", Tags: in.Tags}
	return stackID, nil
}
func (f *fakeStacks) DescribeStack(_ context.Context, name string) (*aws.Stack, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, s := range f.stacks {
		if s.Name == name || s.ID == name {
			cp := *s
			return &cp, nil
		}
	}
	return nil, &aws.Error{Kind: aws.NotFound, Msg: "Stack with id " + name + " does not exist"}
}
func (f *fakeStacks) StackEvents(_ context.Context, id, after string) ([]aws.StackEvent, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.eventsCalls++
	if f.cancel != nil {
		f.cancel()
	}
	if f.throttle > 0 {
		f.throttle--
		return nil, &aws.Error{Kind: aws.Throttled, Msg: "Rate exceeded"}
	}
	if len(f.batches) > 0 {
		f.history[id] = append(f.history[id], f.batches[0]...)
		for _, e := range f.batches[0] {
			if e.IsStack() {
				for _, s := range f.stacks {
					if s.ID == id {
						s.Status = e.Status
					}
				}
			}
		}
		f.batches = f.batches[1:]
	}
	h := f.history[id]
	start := 0
	for i, e := range h {
		if e.ID == after {
			start = i + 1
		}
	}
	// Return an overlapping page now and then, as paging can: the watcher
	// must de-duplicate by EventId.
	if start > 0 && f.eventsCalls%2 == 0 {
		start--
	}
	return append([]aws.StackEvent(nil), h[start:]...), nil
}
func (f *fakeStacks) StackResources(context.Context, string) ([]aws.StackResource, error) {
	return f.resources, nil
}
func (f *fakeStacks) DeleteStack(_ context.Context, name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.deleted = append(f.deleted, name)
	f.batches = append(f.batches, f.onDelete...)
	return nil
}
func (f *fakeStacks) ListStacks(context.Context) ([]aws.Stack, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []aws.Stack
	for _, s := range f.stacks {
		out = append(out, *s)
	}
	return out, nil
}
func (f *fakeStacks) ResetMasterPassword(_ context.Context, id, pw string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.onReset != nil {
		f.onReset()
	}
	if f.resetErr != nil {
		return f.resetErr
	}
	f.passwords = append(f.passwords, pw)
	return nil
}
func (f *fakeStacks) ManageMasterPassword(_ context.Context, id string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.manages++
	if f.manageErr != nil {
		return "", f.manageErr
	}
	c, ok := f.clusters[id]
	if !ok {
		return "", &aws.Error{Kind: aws.NotFound, Msg: "no cluster " + id}
	}
	c.MasterUserSecretARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!cluster-" + id + "-AbCdEf"
	if f.secrets == nil {
		f.secrets = map[string]string{}
	}
	f.secrets[c.MasterUserSecretARN] = fmt.Sprintf("rds-Managed-%d-xyz", f.manages)
	if f.quietARN {
		return "", nil
	}
	return c.MasterUserSecretARN, nil
}
func (f *fakeStacks) SecretPassword(_ context.Context, arn string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.secretErr != nil {
		return "", f.secretErr
	}
	pw, ok := f.secrets[arn]
	if !ok {
		return "", &aws.Error{Kind: aws.NotFound, Msg: "Secrets Manager can't find the specified secret " + arn}
	}
	return pw, nil
}
func (f *fakeStacks) ScheduleTime(_ context.Context, name string) (time.Time, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if t, ok := f.schedules[name]; ok {
		return t, nil
	}
	return time.Time{}, &aws.Error{Kind: aws.NotFound, Op: "scheduler:GetSchedule", Msg: "Schedule " + name + " does not exist."}
}

func (f *fakeStacks) TagCluster(_ context.Context, arn string, tags map[string]string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range f.clusters {
		if c.ARN == arn {
			if c.Tags == nil {
				c.Tags = map[string]string{}
			}
			for k, v := range tags {
				c.Tags[k] = v
			}
			return nil
		}
	}
	return &aws.Error{Kind: aws.NotFound, Msg: "no cluster " + arn}
}

func testArtifact() *Artifact {
	return &Artifact{SchemaVersion: 1, Image: "db-artifact:latest", Region: "eu-west-1", Publisher: "dataops@example.com", CloneTTL: Duration(24 * time.Hour),
		Source: Source{ClusterID: "prod", Engine: "aurora-postgresql", EngineVersion: "16.4", Port: 5432, MasterUsername: "postgres"},
		Target: Target{InstanceClass: "db.r6g.large", SubnetsFrom: "source", VpcID: "vpc-1", VpcCIDR: "10.0.0.0/16", AllowedCIDR: "10.0.0.0/16",
			Subnets: []Subnet{{"subnet-aaaaaaaa", "eu-west-1a", "10.0.1.0/24"}, {"subnet-bbbbbbbb", "eu-west-1b", "10.0.2.0/24"}}}}
}

var fixedNow = func() time.Time { return time.Date(2026, 11, 25, 1, 0, 0, 0, time.UTC) }

// completeStack makes the fake stack CREATE_COMPLETE with outputs and the
// clone cluster in the stack's network and, as a copy-on-write clone, in
// the source's clone group (which the source gets at its first clone).
func (f *fakeStacks) completeClone(name string) {
	src := f.clusters["prod"]
	if src != nil && src.CloneGroupID == "" {
		src.CloneGroupID = "cg-prod"
	}
	group := ""
	if src != nil {
		group = src.CloneGroupID
	}
	f.clusters[name] = &aws.Cluster{ID: name, ARN: "arn:aws:rds:eu-west-1:123456789012:cluster:" + name, Status: "available", SubnetGroup: "phys-subnetgroup", SecurityGroups: []string{"sg-1"},
		CloneGroupID: group}
	f.resources = []aws.StackResource{
		{LogicalID: "SubnetGroup", Type: "AWS::RDS::DBSubnetGroup", PhysicalID: "phys-subnetgroup"},
		{LogicalID: "SecurityGroup", Type: "AWS::EC2::SecurityGroup", PhysicalID: "sg-1"},
	}
}

func collect() (*[]Event, Emit) {
	var mu sync.Mutex
	var evs []Event
	return &evs, func(e Event) { mu.Lock(); evs = append(evs, e); mu.Unlock() }
}

func TestCloneSuccess(t *testing.T) {
	f := newFakeStacks()
	f.batches = successBatches()
	f.throttle = 2
	f.resetting = 2
	name := StackName(fixedNow())
	f.completeClone(name)
	evs, emit := collect()
	req := CloneRequest{Artifact: testArtifact(), Login: loggedIn, Password: "s3cret-pass", PollInterval: time.Millisecond, Now: fixedNow, Clock: &fakeClock{}}
	ready, err := cloneWithOutputs(t, f, req, emit)
	if err != nil {
		t.Fatal(err)
	}
	if ready.Endpoint != name+".cluster-x.eu-west-1.rds.amazonaws.com" || ready.Port != "5432" || ready.Username != "postgres" || ready.Stack != name {
		t.Errorf("ready = %+v", ready)
	}
	// No CA given: AWS's RDS bundle, which the client finds by itself.
	if ready.Connection != `psql 'host=`+ready.Endpoint+` port=5432 user=postgres dbname=postgres sslmode=verify-full'` {
		t.Errorf("connection = %q", ready.Connection)
	}
	if ready.Password != "" || strings.Contains(fmt.Sprint(*evs), "s3cret-pass") {
		t.Errorf("the password leaked into events: %v", *evs)
	}
	if len(f.passwords) != 1 || f.passwords[0] != "s3cret-pass" {
		t.Errorf("password resets = %q", f.passwords)
	}
	if ready.ExpiresAt == nil || !ready.ExpiresAt.Equal(fixedNow().Add(24*time.Hour)) {
		t.Errorf("expires = %v", ready.ExpiresAt)
	}
	in := f.created[0]
	if in.Name != name || !IsDbafStack(in.Tags) || in.Tags[TagOwner] != "arn:aws:iam::123456789012:user/dev" || strings.Contains(string(in.Template), "s3cret") {
		t.Errorf("create input = %+v", in)
	}

	// Every event once, in order; throttling reported, phases in order.
	var ids, phases []string
	throttled := 0
	for _, e := range *evs {
		switch e := e.(type) {
		case StackEvent:
			ids = append(ids, e.LogicalID+":"+e.Status)
		case Phase:
			phases = append(phases, e.Phase.String())
		case Throttled:
			throttled++
		}
	}
	wantIDs := "s1:CREATE_IN_PROGRESS SubnetGroup:CREATE_IN_PROGRESS SubnetGroup:CREATE_COMPLETE Cluster:CREATE_IN_PROGRESS Cluster:CREATE_COMPLETE s1:CREATE_COMPLETE"
	if strings.Join(ids, " ") != wantIDs {
		t.Errorf("events:\n%s\nwant\n%s", strings.Join(ids, " "), wantIDs)
	}
	if strings.Join(phases, ",") != "creating stack,resetting password,waiting for the cluster,logging in,ready" {
		t.Errorf("phases = %q", phases)
	}
	if throttled != 2 {
		t.Errorf("throttled events = %d, want 2", throttled)
	}
	// The preflight comes first, before anything exists; then the stack.
	if pf, ok := (*evs)[0].(Preflight); !ok || pf.Source != "prod" || pf.Instances != 1 {
		t.Errorf("first event %#v, want the preflight of prod", (*evs)[0])
	}
	if _, ok := (*evs)[1].(CloneStarted); !ok {
		t.Errorf("second event %T, want CloneStarted", (*evs)[1])
	}
	if ready.FullCopy || !strings.HasPrefix(ready.Restore, "copy-on-write") {
		t.Errorf("a clone in its source's clone group: full copy %v, restore %q", ready.FullCopy, ready.Restore)
	}
}

// cloneWithOutputs runs Clone with the fake stack gaining its outputs when it
// completes, as CloudFormation's do.
func cloneWithOutputs(t *testing.T, f *fakeStacks, req CloneRequest, emit Emit, ctx ...context.Context) (*CloneReady, error) {
	t.Helper()
	if emit == nil {
		emit = func(Event) {}
	}
	c := context.Background()
	if len(ctx) > 0 {
		c = ctx[0]
	}
	return Clone(c, req, f, f.withOutputs(emit))
}

// withOutputs passes events to emit, giving the fake's stacks their
// outputs when one completes, as CloudFormation does.
func (f *fakeStacks) withOutputs(emit Emit) Emit {
	return func(e Event) {
		if se, ok := e.(StackEvent); ok && se.IsStack && se.Status == "CREATE_COMPLETE" {
			f.mu.Lock()
			for _, s := range f.stacks {
				s.Outputs = map[string]string{"Endpoint": s.Name + ".cluster-x.eu-west-1.rds.amazonaws.com", "Port": "5432", "ClusterId": s.Name}
			}
			f.mu.Unlock()
		}
		emit(e)
	}
}

func TestCloneFailureNamesRootCause(t *testing.T) {
	f := newFakeStacks()
	f.batches = [][]aws.StackEvent{
		{stackEv("e1", "CREATE_IN_PROGRESS", "User Initiated"), ev("e2", "Cluster", "AWS::RDS::DBCluster", "CREATE_IN_PROGRESS", "")},
		{ev("e3", "Instance", "AWS::RDS::DBInstance", "CREATE_FAILED", "DB Instance class db.x9.huge not supported (Service: Rds, Status Code: 400, Request ID: abc)"),
			ev("e4", "Cluster", "AWS::RDS::DBCluster", "CREATE_FAILED", "Resource creation cancelled"),
			stackEv("e5", "DELETE_IN_PROGRESS", "The following resource(s) failed to create: [Instance, Cluster]. Delete requested by user.")},
		{stackEv("e6", "DELETE_COMPLETE", "")},
	}
	evs, emit := collect()
	_, err := Clone(context.Background(), CloneRequest{Artifact: testArtifact(), Login: loggedIn, Name: "ci-clone", Password: "s3cret-pass", PollInterval: time.Millisecond, Clock: &fakeClock{}}, f, emit)
	var ce *CloneError
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v, want a CloneError", err)
	}
	if ce.Failed.Resource != "Instance" || ce.Failed.Reason != "DB Instance class db.x9.huge not supported" {
		t.Errorf("root cause = %q %q", ce.Failed.Resource, ce.Failed.Reason)
	}
	for _, want := range []string{"dataops@example.com", "nothing is left behind", "Instance: DB Instance class db.x9.huge not supported"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if last, ok := (*evs)[len(*evs)-1].(CloneFailed); !ok || last.Kept {
		t.Errorf("last event = %#v", (*evs)[len(*evs)-1])
	}
	if len(f.passwords) != 0 {
		t.Error("password reset on a failed clone")
	}
}

func TestCloneKeepOnFailure(t *testing.T) {
	f := newFakeStacks()
	f.batches = [][]aws.StackEvent{
		{stackEv("e1", "CREATE_IN_PROGRESS", "User Initiated"), ev("e2", "Cluster", "AWS::RDS::DBCluster", "CREATE_FAILED", "Source cluster is busy")},
		{stackEv("e3", "CREATE_FAILED", "The following resource(s) failed to create: [Cluster].")},
	}
	_, err := Clone(context.Background(), CloneRequest{Artifact: testArtifact(), Login: loggedIn, Name: "kept", Password: "s3cret-pass", KeepOnFailure: true, PollInterval: time.Millisecond, Clock: &fakeClock{}}, f, nil)
	var ce *CloneError
	if !errors.As(err, &ce) || !ce.Failed.Kept || !strings.Contains(err.Error(), "dbaf --region eu-west-1 teardown kept --yes") || !f.created[0].KeepOnFailure {
		t.Fatalf("err = %v", err)
	}
}

func TestCloneRefusals(t *testing.T) {
	t.Run("source not available", func(t *testing.T) {
		f := newFakeStacks()
		f.clusters["prod"].Status = "stopped"
		_, err := Clone(context.Background(), CloneRequest{Artifact: testArtifact(), Login: loggedIn, Password: "s3cret-pass", Now: fixedNow}, f, nil)
		var se *SourceError
		if !errors.As(err, &se) || !strings.Contains(err.Error(), "source cluster prod is stopped") || len(f.created) != 0 {
			t.Errorf("err = %v, created %d", err, len(f.created))
		}
	})
	t.Run("unknown source", func(t *testing.T) {
		f := newFakeStacks()
		delete(f.clusters, "prod")
		_, err := Clone(context.Background(), CloneRequest{Artifact: testArtifact(), Login: loggedIn, Password: "s3cret-pass", Now: fixedNow}, f, nil)
		var ae *aws.Error
		if !errors.As(err, &ae) || ae.Kind != aws.NotFound || len(f.created) != 0 {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("foreign stack of that name", func(t *testing.T) {
		f := newFakeStacks()
		f.stacks["theirs"] = &aws.Stack{Name: "theirs", ID: "x", Status: "CREATE_COMPLETE", Tags: map[string]string{"team": "x"}}
		_, err := Clone(context.Background(), CloneRequest{Artifact: testArtifact(), Login: loggedIn, Name: "theirs", Password: "s3cret-pass"}, f, nil)
		if err == nil || !strings.Contains(err.Error(), "not created by dbaf") || len(f.created) != 0 {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("no password", func(t *testing.T) {
		_, err := Clone(context.Background(), CloneRequest{Artifact: testArtifact()}, newFakeStacks(), nil)
		if err == nil || !strings.Contains(err.Error(), "DB_PASSWORD") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("bad name", func(t *testing.T) {
		_, err := Clone(context.Background(), CloneRequest{Artifact: testArtifact(), Login: loggedIn, Name: "9lives", Password: "s3cret-pass"}, newFakeStacks(), nil)
		if err == nil {
			t.Error("a name starting with a digit was accepted")
		}
	})
}

func TestCloneQuotaPreflight(t *testing.T) {
	for _, tc := range []struct {
		name   string
		quotas map[string]aws.Quota
		says   string // "" = the clone proceeds
	}{
		{"clusters at quota", map[string]aws.Quota{"DBClusters": {Used: 40, Max: 40}, "DBInstances": {Used: 3, Max: 40}},
			"RDS quota DBClusters: 40 of 40 used in eu-west-1: a clone needs one more; delete a cluster or ask AWS for a higher quota (Service Quotas)"},
		{"instances over quota", map[string]aws.Quota{"DBClusters": {Used: 3, Max: 40}, "DBInstances": {Used: 12, Max: 10}},
			"RDS quota DBInstances: 12 of 10 used in eu-west-1"},
		{"room for one more", map[string]aws.Quota{"DBClusters": {Used: 39, Max: 40}, "DBInstances": {Used: 39, Max: 40}}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeStacks()
			f.quotas = tc.quotas
			f.batches = successBatches()
			f.completeClone("q1")
			_, err := cloneWithOutputs(t, f, CloneRequest{Artifact: testArtifact(), Login: loggedIn, Name: "q1", Password: "s3cret-pass",
				PollInterval: time.Millisecond, Clock: &fakeClock{}, Now: fixedNow}, nil)
			if f.quotaCalls != 1 {
				t.Errorf("%d AccountQuotas calls, want 1", f.quotaCalls)
			}
			if tc.says == "" {
				if err != nil || len(f.created) != 1 {
					t.Errorf("err = %v, created %d stacks, want the clone made", err, len(f.created))
				}
				return
			}
			var se *SourceError
			if !errors.As(err, &se) || !strings.Contains(err.Error(), tc.says) || len(f.created) != 0 {
				t.Errorf("err = %v, created %d stacks; want a SourceError saying %q and no stack", err, len(f.created), tc.says)
			}
		})
	}
	t.Run("quotas unreadable", func(t *testing.T) {
		f := newFakeStacks()
		f.quotaErr = &aws.Error{Kind: aws.AccessDenied, Msg: "denied"}
		f.batches = successBatches()
		f.completeClone("q1")
		evs, emit := collect()
		_, err := cloneWithOutputs(t, f, CloneRequest{Artifact: testArtifact(), Login: loggedIn, Name: "q1", Password: "s3cret-pass",
			PollInterval: time.Millisecond, Clock: &fakeClock{}, Now: fixedNow}, emit)
		warned := slices.ContainsFunc(*evs, func(e Event) bool {
			w, ok := e.(Warning)
			return ok && strings.Contains(w.Message, "rds:DescribeAccountAttributes denied")
		})
		if err != nil || len(f.created) != 1 || !warned {
			t.Errorf("err = %v, created %d, warned %v: want the clone made with a warning", err, len(f.created), warned)
		}
	})
	t.Run("throttled", func(t *testing.T) {
		f := newFakeStacks()
		f.quotaErr = &aws.Error{Kind: aws.Throttled, Msg: "slow down"}
		_, err := Clone(context.Background(), CloneRequest{Artifact: testArtifact(), Login: loggedIn, Name: "q1", Password: "s3cret-pass", Now: fixedNow}, f, nil)
		if !errors.Is(err, f.quotaErr) || len(f.created) != 0 {
			t.Errorf("err = %v, created %d", err, len(f.created))
		}
	})
}

func TestCloneAttachesToExistingStack(t *testing.T) {
	f := newFakeStacks()
	withClones(f, 2) // every preflight check would have a call to make
	tags := StackTags(testArtifact(), "arn:aws:iam::123456789012:user/dev", fixedNow())
	f.stacks["ci-clone"] = &aws.Stack{Name: "ci-clone", ID: stackID, Status: "CREATE_COMPLETE", Tags: tags,
		Outputs: map[string]string{"Endpoint": "ci-clone.cluster-x", "Port": "5432", "ClusterId": "ci-clone"}}
	f.completeClone("ci-clone")
	evs, emit := collect()
	ready, err := Clone(context.Background(), CloneRequest{Artifact: testArtifact(), Login: loggedIn, Name: "ci-clone", Password: "s3cret-pass", PollInterval: time.Millisecond, Clock: &fakeClock{}}, f, emit)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.created) != 0 || ready.Endpoint != "ci-clone.cluster-x" {
		t.Errorf("created %d stacks; ready %+v", len(f.created), ready)
	}
	if f.quotaCalls+f.listCalls+f.keyCalls != 0 {
		t.Errorf("quota %d, list %d, key %d calls for a stack that exists, want none", f.quotaCalls, f.listCalls, f.keyCalls)
	}
	// No preflight: the first event is the stack followed.
	if st, ok := (*evs)[0].(CloneStarted); !ok || !st.Attached {
		t.Errorf("first event %#v", (*evs)[0])
	}
	// Without a preflight the restore kind is what the artifact asks for
	// (the stack carries no dbaf:restore tag saying otherwise).
	if ready.FullCopy || ready.Restore != "copy-on-write: shares the storage of prod" {
		t.Errorf("ready: full copy %v, restore %q", ready.FullCopy, ready.Restore)
	}
}

func TestCloneInterruptedNamesTeardown(t *testing.T) {
	f := newFakeStacks()
	f.batches = successBatches()
	ctx, cancel := context.WithCancel(context.Background())
	f.cancel = cancel
	_, err := Clone(ctx, CloneRequest{Artifact: testArtifact(), Login: loggedIn, Name: "ci-clone", Password: "s3cret-pass", PollInterval: time.Millisecond, Clock: &fakeClock{}}, f, nil)
	var ie *InterruptedError
	if !errors.As(err, &ie) || !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "dbaf --region eu-west-1 teardown ci-clone --yes") {
		t.Fatalf("err = %v", err)
	}
}

func TestCloneWarnsOnNetworkMismatch(t *testing.T) {
	f := newFakeStacks()
	f.batches = successBatches()
	name := "netcheck"
	f.completeClone(name)
	f.clusters[name].SubnetGroup = "default"
	evs, emit := collect()
	if _, err := cloneWithOutputs(t, f, CloneRequest{Artifact: testArtifact(), Login: loggedIn, Name: name, Password: "s3cret-pass", PollInterval: time.Millisecond, Clock: &fakeClock{}}, emit); err != nil {
		t.Fatal(err)
	}
	var warned bool
	for _, e := range *evs {
		if w, ok := e.(Warning); ok && strings.Contains(w.Message, `subnet group "default"`) {
			warned = true
		}
	}
	if !warned {
		t.Errorf("no warning about the subnet group in %v", *evs)
	}
}

func TestRootCause(t *testing.T) {
	tests := []struct {
		name           string
		events         []aws.StackEvent
		logical, cause string
	}{
		{"first real failure wins over later cancellations",
			[]aws.StackEvent{ev("1", "A", "T", "CREATE_FAILED", "Resource creation cancelled"), ev("2", "B", "T", "CREATE_FAILED", "quota exceeded (Service: Rds; Request ID: 1)"), ev("3", "C", "T", "CREATE_FAILED", "boom")},
			"B", "quota exceeded"},
		{"only the stack failed", []aws.StackEvent{stackEv("1", "ROLLBACK_IN_PROGRESS", ""), stackEv("2", "CREATE_FAILED", "Template error")}, "", "Template error"},
		{"nothing failed", []aws.StackEvent{stackEv("1", "ROLLBACK_COMPLETE", "")}, "", "the stack failed without saying why"},
		{"resource handler wording", []aws.StackEvent{ev("1", "Cluster", "AWS::RDS::DBCluster", "CREATE_FAILED",
			`Resource handler returned message: "DBCluster prod-auror not found. (Service: Rds, Status Code: 404, Request ID: 5e1f)" (RequestToken: 9b2c, HandlerErrorCode: NotFound)`)},
			"Cluster", "DBCluster prod-auror not found."},
		{"handler wording without service tail", []aws.StackEvent{ev("1", "Instance", "AWS::RDS::DBInstance", "CREATE_FAILED",
			`Resource handler returned message: "Quota exceeded" (RequestToken: 1, HandlerErrorCode: ServiceLimitExceeded)`)},
			"Instance", "Quota exceeded"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, c := RootCause(tt.events)
			if l != tt.logical || c != tt.cause {
				t.Errorf("RootCause = %q %q, want %q %q", l, c, tt.logical, tt.cause)
			}
		})
	}
}

func TestTeardown(t *testing.T) {
	dbafTags := StackTags(testArtifact(), "arn:aws:iam::123456789012:user/dev", fixedNow())
	t.Run("deletes and reports only new events", func(t *testing.T) {
		f := newFakeStacks()
		f.stacks["c1"] = &aws.Stack{Name: "c1", ID: stackID, Status: "CREATE_COMPLETE", Tags: dbafTags}
		f.history[stackID] = []aws.StackEvent{stackEv("old1", "CREATE_IN_PROGRESS", ""), stackEv("old2", "CREATE_COMPLETE", "")}
		f.batches = [][]aws.StackEvent{nil,
			{stackEv("d1", "DELETE_IN_PROGRESS", "User Initiated"), ev("d2", "Instance", "AWS::RDS::DBInstance", "DELETE_IN_PROGRESS", "")},
			{ev("d3", "Instance", "AWS::RDS::DBInstance", "DELETE_COMPLETE", ""), stackEv("d4", "DELETE_COMPLETE", "")}}
		evs, emit := collect()
		if err := Teardown(context.Background(), TeardownRequest{Stack: "c1", PollInterval: time.Millisecond, Clock: &fakeClock{}}, f, emit); err != nil {
			t.Fatal(err)
		}
		var seen []string
		for _, e := range *evs {
			if se, ok := e.(StackEvent); ok {
				seen = append(seen, se.Status)
			}
		}
		if strings.Join(seen, ",") != "DELETE_IN_PROGRESS,DELETE_IN_PROGRESS,DELETE_COMPLETE,DELETE_COMPLETE" {
			t.Errorf("events %q", seen)
		}
		if _, ok := (*evs)[len(*evs)-1].(TornDown); !ok || len(f.deleted) != 1 {
			t.Errorf("last %T, deleted %v", (*evs)[len(*evs)-1], f.deleted)
		}
		if st, ok := (*evs)[0].(TeardownStarted); !ok || st.Stack != "c1" || st.Source != "prod" {
			t.Errorf("first event %#v, want TeardownStarted", (*evs)[0])
		}
		for _, e := range *evs {
			if _, ok := e.(CloneStarted); ok {
				t.Error("a teardown reported clone_started")
			}
		}
	})
	t.Run("refuses a foreign stack", func(t *testing.T) {
		f := newFakeStacks()
		f.stacks["theirs"] = &aws.Stack{Name: "theirs", ID: stackID, Status: "CREATE_COMPLETE"}
		evs, emit := collect()
		err := Teardown(context.Background(), TeardownRequest{Stack: "theirs"}, f, emit)
		if err == nil || !strings.Contains(err.Error(), "--force") || len(f.deleted) != 0 {
			t.Errorf("err = %v deleted %v", err, f.deleted)
		}
		if len(*evs) != 1 {
			t.Fatalf("events %#v", *evs)
		}
		if tf, ok := (*evs)[0].(TeardownFailed); !ok || tf.Stack != "theirs" || !strings.Contains(tf.Reason, "--force") {
			t.Errorf("final event %#v, want TeardownFailed", (*evs)[0])
		}
	})
	t.Run("unknown stack", func(t *testing.T) {
		err := Teardown(context.Background(), TeardownRequest{Stack: "nope"}, newFakeStacks(), nil)
		if err == nil || !strings.Contains(err.Error(), "no stack nope in eu-west-1") {
			t.Errorf("err = %v", err)
		}
	})
}

func TestListAndExpired(t *testing.T) {
	f := newFakeStacks()
	a := testArtifact()
	old := StackTags(a, "arn:aws:iam::1:user/old", fixedNow().Add(-48*time.Hour))
	fresh := StackTags(a, "arn:aws:iam::1:user/new", fixedNow().Add(-time.Hour))
	f.stacks["old"] = &aws.Stack{Name: "old", ID: stackID, Status: "CREATE_COMPLETE", Tags: old, Outputs: map[string]string{"Endpoint": "old.x"}}
	f.stacks["fresh"] = &aws.Stack{Name: "fresh", ID: "fresh-id", Status: "CREATE_COMPLETE", Tags: fresh}
	f.stacks["other"] = &aws.Stack{Name: "other", ID: "o", Status: "CREATE_COMPLETE"}
	clones, err := List(context.Background(), f, fixedNow())
	if err != nil {
		t.Fatal(err)
	}
	if len(clones) != 2 || clones[0].Stack != "old" || !clones[0].Expired || clones[1].Expired || clones[0].Age != "2d" || clones[0].Endpoint != "old.x" || clones[1].Owner != "arn:aws:iam::1:user/new" {
		t.Fatalf("clones = %+v", clones)
	}
	f.batches = [][]aws.StackEvent{nil, {stackEv("d1", "DELETE_COMPLETE", "")}}
	evs, emit := collect()
	done, err := TeardownExpired(context.Background(), f, fixedNow(), time.Millisecond, emit)
	if err != nil || len(done) != 1 || done[0] != "old" || len(f.deleted) != 1 {
		t.Errorf("done %v deleted %v err %v", done, f.deleted, err)
	}
	if fin, ok := lastEvent(*evs).(TeardownFinished); !ok || finals(*evs) != 1 || fin.Count != 1 || fin.Stacks[0] != "old" {
		t.Errorf("events %#v; want one final teardown_finished naming old", *evs)
	}
	// Nothing left expired: the stream is that one final event.
	evs, emit = collect()
	if _, err := TeardownExpired(context.Background(), f, fixedNow().Add(-72*time.Hour), time.Millisecond, emit); err != nil {
		t.Fatal(err)
	}
	if fin, ok := lastEvent(*evs).(TeardownFinished); !ok || len(*evs) != 1 || fin.Count != 0 || fin.Stacks == nil {
		t.Errorf("events %#v; want only teardown_finished with count 0", *evs)
	}
}

func TestRemainingRoundsToTheUnitShown(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{72*time.Hour - time.Minute, "3d"},
		{48 * time.Hour, "2d"},
		{47*time.Hour + 40*time.Minute, "2d"},
		{3*time.Hour - 10*time.Second, "3h"},
		{90 * time.Minute, "2h"},
		{10*time.Minute - time.Second, "10m"},
		{1500 * time.Millisecond, "2s"},
	} {
		if got := Remaining(tc.d); got != tc.want {
			t.Errorf("Remaining(%s) = %q, want %q", tc.d, got, tc.want)
		}
	}
}

func TestCloneGivesUpAfterThrottleBudget(t *testing.T) {
	f := newFakeStacks()
	f.batches = successBatches()
	f.throttle = 1 << 30 // an account that throttles every call
	evs, emit := collect()
	// The real interval and budget: a quarter of an hour of backoff, on a
	// fake clock.
	clk := &fakeClock{}
	req := CloneRequest{Artifact: testArtifact(), Login: loggedIn, Name: "busy", Password: "s3cret-pass", Clock: clk, Now: fixedNow}
	_, err := Clone(context.Background(), req, f, emit)
	var tb *ThrottleBudgetError
	if !errors.As(err, &tb) {
		t.Fatalf("err = %v, want a ThrottleBudgetError", err)
	}
	var ae *aws.Error
	if !errors.As(err, &ae) || ae.Kind != aws.Throttled {
		t.Errorf("err does not unwrap to the AWS throttling error: %v", err)
	}
	for _, want := range []string{"stack busy", "cloudformation:DescribeStackEvents", "dbaf --region eu-west-1 clone --name busy", "dbaf --region eu-west-1 teardown busy --yes"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	var backedOff time.Duration
	for _, e := range *evs {
		if th, ok := e.(Throttled); ok {
			backedOff += th.RetryIn
		}
	}
	if backedOff < DefaultThrottleBudget-maxBackoff || backedOff > DefaultThrottleBudget {
		t.Errorf("backed off %v in all, want nearly all of the budget %v and no more", backedOff, DefaultThrottleBudget)
	}
	if slept := clk.total(); slept < backedOff || tb.For != backedOff {
		t.Errorf("the clock slept %v and the error says %v for %v of announced backoff", slept, tb.For, backedOff)
	}
}

func TestTeardownGivesUpAfterThrottleBudget(t *testing.T) {
	f := newFakeStacks()
	f.stacks["old"] = &aws.Stack{Name: "old", ID: stackID, Status: "CREATE_COMPLETE", Tags: map[string]string{TagManagedBy: "dbaf"}}
	// The first StackEvents call (the events before the teardown) passes;
	// every watch call after it is throttled.
	var calls int
	s := &throttleAfter{fakeStacks: f, after: 1, calls: &calls}
	err := Teardown(context.Background(), TeardownRequest{Stack: "old", Clock: &fakeClock{}}, s, nil)
	var tb *ThrottleBudgetError
	if !errors.As(err, &tb) || tb.Stack != "old" || !strings.Contains(err.Error(), "dbaf --region eu-west-1 teardown old --yes") {
		t.Fatalf("err = %v, want a ThrottleBudgetError naming stack old and its teardown", err)
	}
}

// throttleAfter throttles every StackEvents call after the first few.
type throttleAfter struct {
	*fakeStacks
	after int
	calls *int
}

func (s *throttleAfter) StackEvents(ctx context.Context, id, after string) ([]aws.StackEvent, error) {
	*s.calls++
	if *s.calls > s.after {
		return nil, &aws.Error{Kind: aws.Throttled, Msg: "Rate exceeded"}
	}
	return s.fakeStacks.StackEvents(ctx, id, after)
}

// euCmds spells the lines a clone in the fakes' region prints.
var euCmds = Commands{Region: "eu-west-1"}

// List takes an enforced clone's expiry from its schedule, as AWS will run
// it, not from the stack's tag; an unreadable schedule leaves the tag's
// time and says why, and the list goes on. A clone within the hour is
// marked.
func TestListReadsTheSchedule(t *testing.T) {
	f := newFakeStacks()
	a := testArtifact()
	for _, name := range []string{"moved", "lost"} {
		tags := StackTags(a, "arn:aws:iam::1:user/dev", fixedNow().Add(-time.Hour))
		tags[TagExpiresAt] = fixedNow().Add(5 * time.Hour).Format(time.RFC3339)
		tags[TagExpirySchedule] = name
		f.stacks[name] = &aws.Stack{Name: name, ID: name + "-id", Status: "CREATE_COMPLETE", Tags: tags}
	}
	f.schedules = map[string]time.Time{"moved": fixedNow().Add(42 * time.Minute)}
	clones, err := List(context.Background(), f, fixedNow())
	if err != nil || len(clones) != 2 {
		t.Fatalf("List = %+v, %v", clones, err)
	}
	by := map[string]CloneInfo{clones[0].Stack: clones[0], clones[1].Stack: clones[1]}
	if m := by["moved"]; !m.ExpiresAt.Equal(fixedNow().Add(42*time.Minute)) || m.ScheduleError != "" || ExpiryMark(m) != "⚠ in 42m" {
		t.Errorf("moved: expires %v, error %q, mark %q; want the schedule's time, marked ⚠ in 42m", m.ExpiresAt, m.ScheduleError, ExpiryMark(m))
	}
	if l := by["lost"]; !l.ExpiresAt.Equal(fixedNow().Add(5*time.Hour)) || !strings.Contains(l.ScheduleError, "schedule not readable") || !strings.Contains(l.ScheduleError, "lost") || ExpiryMark(l) != "" {
		t.Errorf("lost: expires %v, error %q, mark %q; want the tag's time, the reason and no mark", l.ExpiresAt, l.ScheduleError, ExpiryMark(l))
	}
}

// TestExpiresSoon: the one rule the plain list and the list screen mark a
// clone by: inside the hour before its expiry, the hour itself included,
// and not once it has expired.
func TestExpiresSoon(t *testing.T) {
	for left, want := range map[time.Duration]bool{
		-time.Minute: false, 0: false, time.Second: true, 42 * time.Minute: true,
		time.Hour: true, time.Hour + time.Second: false, 3 * time.Hour: false,
	} {
		if got := ExpiresSoon(left); got != want {
			t.Errorf("ExpiresSoon(%v) = %v, want %v", left, got, want)
		}
	}
}
