package artifact

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dbaf/dbaf/aws"
)

// sourceReads counts the fake's reads of the source cluster, the one
// preflight call the fake does not count itself.
type sourceReads struct {
	*fakeStacks
	n atomic.Int32
}

func (s *sourceReads) ClusterSummary(ctx context.Context, id string) (*aws.Cluster, error) {
	if id == "prod" {
		s.n.Add(1)
	}
	return s.fakeStacks.ClusterSummary(ctx, id)
}

// calls are the preflight's calls the clone made: source reads, quotas,
// cluster lists, key descriptions.
func (s *sourceReads) calls() [4]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return [4]int{int(s.n.Load()), s.quotaCalls, s.listCalls, s.keyCalls}
}

// A clone given this run's preflight reports it, with its warnings, as its
// own preflight would have, and asks AWS none of its questions again.
func TestCloneUsesTheRunsPreflight(t *testing.T) {
	const warning = "could not read the account's RDS quotas (rds:DescribeAccountAttributes denied): cloning without checking for room"
	run := func(t *testing.T, given *Preflight, warnings []string) ([]Event, [4]int) {
		t.Helper()
		f := newFakeStacks()
		withClones(f, 3) // every check has a call to make
		f.batches = successBatches()
		f.completeClone("pf1")
		s := &sourceReads{fakeStacks: f}
		evs, emit := collect()
		req := CloneRequest{Artifact: testArtifact(), Login: loggedIn, Name: "pf1", Password: "s3cret-pass", PollInterval: time.Millisecond,
			Clock: &fakeClock{}, Now: fixedNow, checked: &Checked{Preflight: given, Warnings: warnings}}
		if _, err := Clone(context.Background(), req, s, f.withOutputs(emit)); err != nil {
			t.Fatal(err)
		}
		if len(f.created) != 1 {
			t.Fatalf("%d stacks created", len(f.created))
		}
		return *evs, s.calls()
	}

	// Without one, the clone asks: one call per check.
	own, calls := run(t, nil, nil)
	if calls != [4]int{1, 1, 1, 1} {
		t.Fatalf("the clone's own preflight: calls (source, quotas, list, key) %v, want one each", calls)
	}
	ownPF := own[0].(Preflight)

	given := ownPF   // what the summary saw moments ago
	given.Clones = 7 // not what AWS would say now: the report is the summary's
	evs, calls := run(t, &given, []string{warning})
	if calls != [4]int{0, 0, 0, 0} {
		t.Errorf("given the run's preflight: calls (source, quotas, list, key) %v, want none", calls)
	}
	w, ok := evs[0].(Warning)
	if !ok || w.Message != warning {
		t.Fatalf("first event %#v, want the given warning", evs[0])
	}
	pf, ok := evs[1].(Preflight)
	if !ok || !reflect.DeepEqual(pf, given) {
		t.Fatalf("second event %#v, want the given preflight %#v", evs[1], given)
	}
	if _, ok := evs[2].(CloneStarted); !ok {
		t.Errorf("third event %T, want CloneStarted", evs[2])
	}
	// The stream is the same as with the clone's own preflight, but for the warning.
	if got, want := kinds(evs[1:]), kinds(own); got != want {
		t.Errorf("events\n%s\nwant\n%s", got, want)
	}

	t.Run("of another source: asked again", func(t *testing.T) {
		other := given
		other.Source = "orders"
		evs, calls := run(t, &other, nil)
		if calls != [4]int{1, 1, 1, 1} || !reflect.DeepEqual(evs[0], ownPF) {
			t.Errorf("calls %v, preflight %#v: want the clone's own", calls, evs[0])
		}
	})
	t.Run("same source in other case", func(t *testing.T) {
		upper := given
		upper.Source = "PROD"
		if _, calls := run(t, &upper, nil); calls != [4]int{0, 0, 0, 0} {
			t.Errorf("calls %v, want none", calls)
		}
	})
}

// Following an existing stack reports no preflight, given one or not.
func TestCloneFollowingIgnoresTheRunsPreflight(t *testing.T) {
	f := newFakeStacks()
	tags := StackTags(testArtifact(), "arn:aws:iam::123456789012:user/dev", fixedNow())
	f.stacks["ci-clone"] = &aws.Stack{Name: "ci-clone", ID: stackID, Status: "CREATE_COMPLETE", Tags: tags,
		Outputs: map[string]string{"Endpoint": "ci-clone.cluster-x", "Port": "5432", "ClusterId": "ci-clone"}}
	f.completeClone("ci-clone")
	evs, emit := collect()
	given := &Preflight{Source: "prod", SourceStatus: "available", Instances: 1, Calls: 2}
	_, err := Clone(context.Background(), CloneRequest{Artifact: testArtifact(), Login: loggedIn, Name: "ci-clone", Password: "s3cret-pass",
		PollInterval: time.Millisecond, Clock: &fakeClock{}, checked: &Checked{Preflight: given, Warnings: []string{"a warning"}}}, f, emit)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range *evs {
		switch e.(type) {
		case Preflight, Warning:
			t.Errorf("following a stack reported %#v", e)
		}
	}
}

// A reset's clone checks the account after the teardown, whatever it was
// given: before it, the old clone counted against the quotas.
func TestResetClonesWithItsOwnPreflight(t *testing.T) {
	f, s, req := resetSetup(t, testArtifact())
	f.quotas = map[string]aws.Quota{"DBClusters": {Used: 5, Max: 40}, "DBInstances": {Used: 5, Max: 40}}
	req.checked = &Checked{Preflight: &Preflight{Source: "prod", SourceStatus: "available", Instances: 1, Calls: 2,
		Quotas: []QuotaUse{{"DBClusters", 40, 40}, {"DBInstances", 40, 40}}}}
	evs, _, err := runReset(t, context.Background(), f, s, req)
	if err != nil {
		t.Fatal(err)
	}
	if f.quotaCalls != 1 {
		t.Errorf("%d quota calls, want the new clone's own", f.quotaCalls)
	}
	for _, e := range evs {
		if pf, ok := e.(Preflight); ok && pf.Quotas[0].Used != 5 {
			t.Errorf("the reset reported the given preflight: %+v", pf)
		}
	}
}

// The summary's preflight checks nothing for a stack the clone would
// follow, and checks as a clone would for a name that is free.
func TestPreflightForStack(t *testing.T) {
	tags := StackTags(testArtifact(), "arn:aws:iam::123456789012:user/dev", fixedNow())
	for _, tc := range []struct {
		name   string
		stack  *aws.Stack // nil: no stack of that name
		descr  error      // what DescribeStack fails with
		report bool       // a preflight is returned
		calls  int        // preflight calls
	}{
		{"a new name", nil, nil, true, 2},
		{"no name yet", nil, nil, true, 2},
		{"a deleted stack's name", &aws.Stack{Name: "n1", ID: stackID, Status: "DELETE_COMPLETE", Tags: tags}, nil, true, 2},
		{"an existing stack, followed", &aws.Stack{Name: "n1", ID: stackID, Status: "CREATE_IN_PROGRESS", Tags: tags}, nil, false, 0},
		{"the stack cannot be read", nil, &aws.Error{Kind: aws.AccessDenied, Msg: "cloudformation:DescribeStacks denied"}, false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeStacks()
			if tc.stack != nil {
				f.stacks["n1"] = tc.stack
			}
			name := "n1"
			if tc.name == "no name yet" {
				name = ""
			}
			c := &counting{PreflightAWS: f}
			pf, err := PreflightForStack(context.Background(), describeFails{counting: c, f: f, err: tc.descr}, name, testArtifact().Source, nil)
			if (pf != nil) != tc.report || int(c.n.Load()) != tc.calls {
				t.Errorf("preflight %+v, %d calls; want a report %v, %d calls", pf, c.n.Load(), tc.report, tc.calls)
			}
			if tc.descr != nil && !errors.Is(err, tc.descr) || tc.descr == nil && err != nil {
				t.Errorf("err = %v", err)
			}
			if tc.descr != nil && !strings.Contains(err.Error(), "DescribeStacks") {
				t.Errorf("err = %v", err)
			}
		})
	}
}

// describeFails counts the preflight's calls and reads stacks from f,
// failing with err when set.
type describeFails struct {
	*counting
	f   *fakeStacks
	err error
}

func (d describeFails) DescribeStack(ctx context.Context, name string) (*aws.Stack, error) {
	if d.err != nil {
		return nil, d.err
	}
	return d.f.DescribeStack(ctx, name)
}
