package artifact

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/dbaf/dbaf/aws"
)

// What a plan's run gets of its check: nothing when it is old, could not
// finish, or there was nothing to check; its report and warnings when it
// is recent and found nothing wrong (the clone then asks AWS nothing again).
func TestClonePlanReusesItsCheck(t *testing.T) {
	denied := &aws.Error{Kind: aws.AccessDenied, Msg: "rds:DescribeAccountAttributes denied"}
	const warning = "could not read the account's RDS quotas (rds:DescribeAccountAttributes denied): cloning without checking for room"
	for _, tc := range []struct {
		name   string
		setup  func(f *fakeStacks)
		wait   time.Duration // between the check and the run
		handed bool
	}{
		{"fresh, with a warning", func(f *fakeStacks) { f.quotaErr = denied }, time.Minute, true},
		{"too old", nil, PreflightMaxAge + time.Second, false},
		{"could not check", func(f *fakeStacks) { f.listErr = errors.New("rds:DescribeDBClusters: connection reset") }, 0, false},
		{"a followed stack", func(f *fakeStacks) {
			f.stacks["pf1"] = &aws.Stack{Name: "pf1", ID: stackID, Status: "CREATE_COMPLETE", Tags: StackTags(testArtifact(), "arn:aws:iam::123456789012:user/dev", fixedNow()),
				Outputs: map[string]string{"Endpoint": "pf1.cluster-x", "Port": "5432", "ClusterId": "pf1"}}
		}, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeStacks()
			withClones(f, 3)
			f.batches = successBatches()
			f.completeClone("pf1")
			if tc.setup != nil {
				tc.setup(f)
			}
			s := &sourceReads{fakeStacks: f}
			now := fixedNow()
			req := CloneRequest{Artifact: testArtifact(), Login: loggedIn, Name: "pf1", PollInterval: time.Millisecond,
				Clock: &fakeClock{}, Now: func() time.Time { return now }}
			p := NewClonePlan(req, s, func() string { return "generated-pass-1" })
			c := p.Check(context.Background())
			if tc.name == "fresh, with a warning" && (len(c.Warnings) != 1 || c.Warnings[0] != warning || c.Blocks()) {
				t.Fatalf("check: %+v", c)
			}
			f.listErr = nil // the run's own check, if it makes one, succeeds
			before := s.calls()
			now = now.Add(tc.wait)
			evs, emit := collect()
			ready, err := p.Run(context.Background(), "", true, f.withOutputs(emit))
			if err != nil {
				t.Fatal(err)
			}
			if ready.Password != "generated-pass-1" {
				t.Errorf("password %q, want the generated one", ready.Password)
			}
			if tc.name == "a followed stack" { // following checks nothing, given a check or not
				for _, e := range *evs {
					if _, ok := e.(Preflight); ok || c.Preflight != nil {
						t.Errorf("following a stack: check %+v, event %#v", c, e)
					}
				}
				return
			}
			after := s.calls()
			if handed := after == before; handed != tc.handed {
				t.Fatalf("calls before the run %v, after %v: want handed over %v", before, after, tc.handed)
			}
			if tc.handed {
				if w, ok := (*evs)[0].(Warning); !ok || w.Message != warning {
					t.Errorf("first event %#v, want the check's warning", (*evs)[0])
				}
			}
		})
	}
}

// A plan names its stack once: the name its screen shows is the one the
// run creates.
func TestClonePlanNamesOnce(t *testing.T) {
	now := fixedNow()
	p := NewClonePlan(CloneRequest{Artifact: testArtifact(), Now: func() time.Time { return now }}, newFakeStacks(), nil)
	name := p.Name()
	now = now.Add(time.Hour)
	if name == "" || p.Name() != name || name != StackName(fixedNow()) {
		t.Errorf("Name() = %q then %q, want %q", name, p.Name(), StackName(fixedNow()))
	}
	if r := NewResetPlan(ResetRequest{CloneRequest: CloneRequest{Artifact: testArtifact(), Name: "keep-me"}}, newFakeStacks(), nil); r.Name() != "keep-me" || r.Checks() {
		t.Errorf("reset plan: %q, checks %v", r.Name(), r.Checks())
	}
}
