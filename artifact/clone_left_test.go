package artifact

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/dbaf/dbaf/aws"
)

const me = "arn:aws:iam::123456789012:user/dev"

// ownClone is a finished clone stack named name, made by owner from source.
func ownClone(f *fakeStacks, name, owner, source string) {
	a := testArtifact()
	a.Source.ClusterID = source
	f.stacks[name] = &aws.Stack{Name: name, ID: stackID, Status: "CREATE_COMPLETE", Tags: StackTags(a, owner, fixedNow()),
		Outputs: map[string]string{"Endpoint": name + ".cluster-x", "Port": "5432", "ClusterId": name}}
	f.completeClone(name)
}

func lastEvent(evs []Event) Event {
	if len(evs) == 0 {
		return nil
	}
	return evs[len(evs)-1]
}

// finals counts the final events of a clone stream.
func finals(evs []Event) int {
	n := 0
	for _, e := range evs {
		if IsFinal(e) {
			n++
		}
	}
	return n
}

func TestCloneRefusesToFollowSomeoneElsesStack(t *testing.T) {
	for _, tc := range []struct{ name, owner, source, want string }{
		{"other owner", "arn:aws:iam::123456789012:user/alice", "prod", "owned by arn:aws:iam::123456789012:user/alice"},
		{"other source", me, "billing", "a clone of billing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeStacks()
			ownClone(f, "shared", tc.owner, tc.source)
			evs, emit := collect()
			_, err := Clone(context.Background(), CloneRequest{Artifact: testArtifact(), Login: loggedIn, Name: "shared", Password: "s3cret-pass", PollInterval: time.Millisecond, Clock: &fakeClock{}}, f, emit)
			var se *SourceError
			if !errors.As(err, &se) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "choose another --name") {
				t.Fatalf("err = %v", err)
			}
			if len(f.passwords) != 0 || len(f.created) != 0 {
				t.Errorf("reset %d passwords, created %d stacks", len(f.passwords), len(f.created))
			}
			if fe, ok := lastEvent(*evs).(CloneFailed); !ok || finals(*evs) != 1 || !strings.Contains(fe.Reason, tc.want) {
				t.Errorf("events %#v", *evs)
			}
		})
	}
}

func TestCloneFollowingOwnCloneKeepsItsPassword(t *testing.T) {
	f := newFakeStacks()
	f.batches = successBatches()
	f.completeClone("mine")
	req := CloneRequest{Artifact: testArtifact(), Login: loggedIn, Name: "mine", Password: "first-pass", PollInterval: time.Millisecond, Now: fixedNow, Clock: &fakeClock{}}
	f.stacks["mine"] = &aws.Stack{Name: "mine", ID: stackID, Status: "CREATE_COMPLETE", Tags: StackTags(testArtifact(), me, fixedNow()),
		Outputs: map[string]string{"Endpoint": "mine.cluster-x", "Port": "5432", "ClusterId": "mine"}}
	if _, err := Clone(context.Background(), req, f, nil); err != nil {
		t.Fatal(err)
	}
	if f.clusters["mine"].Tags[TagPasswordResetAt] == "" {
		t.Fatal("the reset was not recorded on the cluster")
	}

	req.Password, req.PasswordGenerated = "second-pass", true
	evs, emit := collect()
	ready, err := Clone(context.Background(), req, f, emit)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.passwords) != 1 || ready.PasswordReset || ready.Password != "" {
		t.Errorf("passwords %v, ready %+v: a follower reset the password or showed one that does not work", f.passwords, ready)
	}
	warned := false
	for _, e := range *evs {
		if w, ok := e.(Warning); ok && strings.Contains(w.Message, "--reset-password") {
			warned = true
		}
	}
	if !warned {
		t.Errorf("no warning naming --reset-password in %#v", *evs)
	}

	req.ResetPassword = true
	if ready, err = Clone(context.Background(), req, f, nil); err != nil {
		t.Fatal(err)
	}
	if len(f.passwords) != 2 || f.passwords[1] != "second-pass" || !ready.PasswordReset {
		t.Errorf("with ResetPassword: passwords %v, ready %+v", f.passwords, ready)
	}
}

func TestCloneFollowsStackCreatedByARacer(t *testing.T) {
	f := newFakeStacks()
	f.completeClone("race")
	f.racer = &aws.Stack{Name: "race", ID: stackID, Status: "CREATE_COMPLETE", Tags: StackTags(testArtifact(), me, fixedNow()),
		Outputs: map[string]string{"Endpoint": "race.cluster-x", "Port": "5432", "ClusterId": "race"}}
	evs, emit := collect()
	ready, err := Clone(context.Background(), CloneRequest{Artifact: testArtifact(), Login: loggedIn, Name: "race", Password: "s3cret-pass", PollInterval: time.Millisecond, Clock: &fakeClock{}}, f, emit)
	if err != nil {
		t.Fatalf("AlreadyExists on CreateStack failed the clone: %v", err)
	}
	if ready.Endpoint != "race.cluster-x" {
		t.Errorf("ready %+v", ready)
	}
	// The preflight ran (this caller meant to create the stack), then the
	// racer's stack was followed.
	if _, ok := (*evs)[0].(Preflight); !ok {
		t.Errorf("first event %#v, want the preflight", (*evs)[0])
	}
	if st, ok := (*evs)[1].(CloneStarted); !ok || !st.Attached {
		t.Errorf("second event %#v", (*evs)[1])
	}
}

func TestCloneCreateStackTokenIsSet(t *testing.T) {
	f := newFakeStacks()
	f.batches = successBatches()
	name := StackName(fixedNow())
	f.completeClone(name)
	if _, err := cloneWithOutputs(t, f, CloneRequest{Artifact: testArtifact(), Login: loggedIn, Password: "s3cret-pass", PollInterval: time.Millisecond, Now: fixedNow, Clock: &fakeClock{}}, nil); err != nil {
		t.Fatal(err)
	}
	if len(f.created) != 1 || !strings.HasPrefix(f.created[0].Token, "dbaf-"+name) {
		t.Errorf("created %+v", f.created)
	}
}

// checkLeftRunning checks an error and the final event name the stack, its
// state and both ways out.
func checkLeftRunning(t *testing.T, err error, evs []Event, stack string, state StackState) {
	t.Helper()
	msg := err.Error()
	for _, want := range []string{"stack " + stack + " is " + state.String(), "dbaf --region eu-west-1 clone --name " + stack, "dbaf --region eu-west-1 teardown " + stack + " --yes"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q:\n%s", want, msg)
		}
	}
	if finals(evs) != 1 {
		t.Errorf("%d final events in %#v", finals(evs), evs)
	}
	switch e := lastEvent(evs).(type) {
	case CloneFailed:
		if e.Stack != stack || e.State != state || e.Resume != euCmds.Resume(stack) || e.Teardown != euCmds.Teardown(stack) {
			t.Errorf("final event %+v", e)
		}
	case CloneInterrupted:
		if e.Stack != stack || e.State != state || e.Resume != euCmds.Resume(stack) || e.Teardown != euCmds.Teardown(stack) {
			t.Errorf("final event %+v", e)
		}
	default:
		t.Errorf("final event %#v", e)
	}
}

func TestCloneFailureAfterStackExistsNamesIt(t *testing.T) {
	t.Run("reset denied", func(t *testing.T) {
		f := newFakeStacks()
		f.batches = successBatches()
		f.completeClone("ci")
		f.resetErr = &aws.Error{Kind: aws.AccessDenied, Op: "rds:ModifyDBCluster", Msg: "not authorized to perform rds:ModifyDBCluster"}
		evs, emit := collect()
		_, err := cloneWithOutputs(t, f, CloneRequest{Artifact: testArtifact(), Login: loggedIn, Name: "ci", Password: "s3cret-pass", PollInterval: time.Millisecond, Clock: &fakeClock{}}, emit)
		var ae *aws.Error
		if !errors.As(err, &ae) || ae.Kind != aws.AccessDenied {
			t.Fatalf("err = %v: the cause (and its exit code) is lost", err)
		}
		checkLeftRunning(t, err, *evs, "ci", StateNoPassword)
	})
	t.Run("events fail mid-watch", func(t *testing.T) {
		f := &expiringStacks{fakeStacks: newFakeStacks()}
		f.batches = successBatches()
		evs, emit := collect()
		_, err := Clone(context.Background(), CloneRequest{Artifact: testArtifact(), Login: loggedIn, Name: "ci", Password: "s3cret-pass", PollInterval: time.Millisecond, Clock: &fakeClock{}}, f, emit)
		var ae *aws.Error
		if !errors.As(err, &ae) || ae.Kind != aws.ExpiredToken {
			t.Fatalf("err = %v", err)
		}
		checkLeftRunning(t, err, *evs, "ci", StateCreating)
	})
	t.Run("interrupted during the reset", func(t *testing.T) {
		f := newFakeStacks()
		f.batches = successBatches()
		f.completeClone("ci")
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		f.onReset = cancel
		f.resetErr = context.Canceled
		evs, emit := collect()
		_, err := cloneWithOutputs(t, f, CloneRequest{Artifact: testArtifact(), Login: loggedIn, Name: "ci", Password: "s3cret-pass", PollInterval: time.Millisecond, Clock: &fakeClock{}}, emit, ctx)
		var ie *InterruptedError
		if !errors.As(err, &ie) || !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v", err)
		}
		if strings.Contains(err.Error(), "still being created") {
			t.Errorf("says the stack is still being created after CREATE_COMPLETE: %v", err)
		}
		checkLeftRunning(t, err, *evs, "ci", StateNoPassword)
	})
}

// expiringStacks lets the first events through, then the session expires.
type expiringStacks struct {
	*fakeStacks
	calls int
}

func (e *expiringStacks) StackEvents(ctx context.Context, id, after string) ([]aws.StackEvent, error) {
	e.calls++
	if e.calls > 1 {
		return nil, &aws.Error{Kind: aws.ExpiredToken, Msg: "the security token included in the request is expired"}
	}
	return e.fakeStacks.StackEvents(ctx, id, after)
}

func TestCloneTornDownMeanwhileSaysSo(t *testing.T) {
	f := newFakeStacks()
	f.batches = [][]aws.StackEvent{
		{stackEv("e1", "CREATE_IN_PROGRESS", "User Initiated"), ev("e2", "Cluster", "AWS::RDS::DBCluster", "CREATE_IN_PROGRESS", "")},
		{stackEv("e3", "DELETE_IN_PROGRESS", "User Initiated"), ev("e4", "Cluster", "AWS::RDS::DBCluster", "DELETE_COMPLETE", "")},
		{stackEv("e5", "DELETE_COMPLETE", "")},
	}
	evs, emit := collect()
	_, err := Clone(context.Background(), CloneRequest{Artifact: testArtifact(), Login: loggedIn, Name: "ci", Password: "s3cret-pass", PollInterval: time.Millisecond, Clock: &fakeClock{}}, f, emit)
	var ce *CloneError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "torn down by someone else") || strings.Contains(err.Error(), "without saying why") {
		t.Fatalf("err = %v", err)
	}
	if finals(*evs) != 1 {
		t.Errorf("%d final events", finals(*evs))
	}
}

func TestCloneRefusedCreateStackEndsWithFinalEvent(t *testing.T) {
	f := newFakeStacks()
	f.createErr = &aws.Error{Kind: aws.AccessDenied, Op: "cloudformation:CreateStack", Msg: "not authorized to perform cloudformation:CreateStack"}
	evs, emit := collect()
	_, err := Clone(context.Background(), CloneRequest{Artifact: testArtifact(), Login: loggedIn, Name: "ci", Password: "s3cret-pass", PollInterval: time.Millisecond, Clock: &fakeClock{}}, f, emit)
	if err == nil {
		t.Fatal("no error")
	}
	if fe, ok := lastEvent(*evs).(CloneFailed); !ok || finals(*evs) != 1 || !strings.Contains(fe.Reason, "CreateStack") {
		t.Errorf("events %#v", *evs)
	}
}
