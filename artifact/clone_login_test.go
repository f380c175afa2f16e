package artifact

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dbaf/dbaf/aws"
	"github.com/dbaf/dbaf/db"
)

// loggedIn is a login check that succeeds: the unit tests' default.
func loggedIn(_ context.Context, t db.Target) (*db.Summary, error) {
	return &db.Summary{Reachable: true, ServerVersion: "16.4", Database: "postgres", Schemas: 2, Tables: 7,
		SizeBytes: 9 << 20, LoginLatency: 12500 * time.Microsecond, Attempts: 1}, nil
}

// fakeLogin records the targets it was asked about and answers with err
// (or a summary when err is nil).
type fakeLogin struct {
	targets []db.Target
	err     error
}

func (f *fakeLogin) check(ctx context.Context, t db.Target) (*db.Summary, error) {
	f.targets = append(f.targets, t)
	if f.err == nil {
		return loggedIn(ctx, t)
	}
	if errors.Is(f.err, db.ErrUnreachable) {
		return &db.Summary{Database: "postgres", Attempts: 3}, f.err
	}
	return nil, f.err
}

func loginClone(t *testing.T, check LoginChecker) (*CloneReady, []Event, error) {
	t.Helper()
	f := newFakeStacks()
	f.batches = successBatches()
	f.completeClone("login")
	evs, emit := collect()
	ready, err := cloneWithOutputs(t, f, CloneRequest{Artifact: testArtifact(), Login: check, Name: "login", Password: "s3cret-pass",
		PollInterval: time.Millisecond, Now: fixedNow}, emit)
	return ready, *evs, err
}

func TestCloneLogsInBeforeReady(t *testing.T) {
	fl := &fakeLogin{}
	ready, evs, err := loginClone(t, fl.check)
	if err != nil {
		t.Fatal(err)
	}
	want := db.Target{Engine: "aurora-postgresql", Host: "login.cluster-x.eu-west-1.rds.amazonaws.com", Port: 5432, User: "postgres", Password: "s3cret-pass"}
	if len(fl.targets) != 1 || fl.targets[0] != want {
		t.Errorf("login targets %+v, want one %+v", fl.targets, want)
	}
	l := ready.Login
	if l == nil || !l.Reachable || !l.LoggedIn || l.ServerVersion != "16.4" || l.Database != "postgres" || l.Schemas != 2 || l.Tables != 7 ||
		l.SizeBytes != 9<<20 || l.LatencyMS != 12.5 || l.Note != "" {
		t.Errorf("ready.Login = %+v", l)
	}
	// The login phase comes after the wait, before ready; the final event
	// carries the summary.
	var phases []string
	for _, e := range evs {
		if p, ok := e.(Phase); ok {
			phases = append(phases, p.Phase.String())
		}
	}
	if got := strings.Join(phases, ","); got != "creating stack,resetting password,waiting for the cluster,logging in,ready" {
		t.Errorf("phases %s", got)
	}
	if r, ok := lastEvent(evs).(CloneReady); !ok || r.Login == nil || r.Login.Tables != 7 {
		t.Errorf("final event %#v", lastEvent(evs))
	}
}

func TestCloneUnreachableIsReadyWithAdvice(t *testing.T) {
	fl := &fakeLogin{err: fmt.Errorf("%w: 10.0.1.5:5432: i/o timeout", db.ErrUnreachable)}
	ready, evs, err := loginClone(t, fl.check)
	if err != nil {
		t.Fatalf("an unreachable clone is still ready: %v", err)
	}
	l := ready.Login
	if l == nil || l.Reachable || l.LoggedIn || !strings.HasPrefix(l.Note, db.UnreachableAdvice) || !strings.Contains(l.Note, "10.0.1.5:5432: i/o timeout") {
		t.Errorf("ready.Login = %+v", l)
	}
	if _, ok := lastEvent(evs).(CloneReady); !ok || finals(evs) != 1 {
		t.Errorf("events %#v", evs)
	}
}

func TestCloneRefusedLoginFails(t *testing.T) {
	refused := &db.LoginRefusedError{User: "postgres", Addr: "login.cluster-x.eu-west-1.rds.amazonaws.com:5432", Message: `password authentication failed for user "postgres"`}
	fl := &fakeLogin{err: refused}
	ready, evs, err := loginClone(t, fl.check)
	var ce *CloneError
	var lr *db.LoginRefusedError
	if ready != nil || !errors.As(err, &ce) || !errors.As(err, &lr) {
		t.Fatalf("Clone = %+v, %v; want a CloneError wrapping the refusal", ready, err)
	}
	msg := err.Error()
	for _, want := range []string{"postgres@login.cluster-x.eu-west-1.rds.amazonaws.com:5432 refused the login", "password authentication failed",
		StateLoginFailed.String(), "dbaf --region eu-west-1 clone --name login --reset-password", "dbaf --region eu-west-1 teardown login --yes", "dataops@example.com"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "s3cret-pass") {
		t.Errorf("the password leaked: %s", msg)
	}
	f, ok := lastEvent(evs).(CloneFailed)
	if !ok || finals(evs) != 1 || !f.Kept || f.State != StateLoginFailed || f.Resume != euCmds.ResumeReset("login") || f.Teardown != euCmds.Teardown("login") {
		t.Errorf("final event %#v", lastEvent(evs))
	}
	// Any other failure of the check is a failed clone too: "ready" means
	// dbaf logged in and saw the data.
	fl = &fakeLogin{err: errors.New("logged in to postgres@x:5432 but could not read what is there: permission denied")}
	if _, _, err := loginClone(t, fl.check); !errors.As(err, &ce) || !strings.Contains(err.Error(), "permission denied") {
		t.Errorf("summary failure: %v", err)
	}
}

// A follower that left an earlier run's password alone may rightly be
// refused with its own: a warning, not a failure.
func TestCloneFollowerRefusedIsAWarning(t *testing.T) {
	f := newFakeStacks()
	f.completeClone("mine")
	f.clusters["mine"].Tags = map[string]string{TagPasswordResetAt: "2026-11-25T00:00:00Z"}
	f.stacks["mine"] = &aws.Stack{Name: "mine", ID: stackID, Status: "CREATE_COMPLETE", Tags: StackTags(testArtifact(), me, fixedNow()),
		Outputs: map[string]string{"Endpoint": "mine.cluster-x", "Port": "5432", "ClusterId": "mine"}}
	fl := &fakeLogin{err: &db.LoginRefusedError{User: "postgres", Addr: "mine.cluster-x:5432", Message: "password authentication failed"}}
	evs, emit := collect()
	ready, err := Clone(context.Background(), CloneRequest{Artifact: testArtifact(), Login: fl.check, Name: "mine", Password: "second-pass",
		PollInterval: time.Millisecond}, f, emit)
	if err != nil {
		t.Fatal(err)
	}
	if ready.PasswordReset || ready.Login == nil || ready.Login.LoggedIn || !ready.Login.Reachable || ready.Login.Note == "" {
		t.Errorf("ready = %+v, login %+v", ready, ready.Login)
	}
	warned := false
	for _, e := range *evs {
		if w, ok := e.(Warning); ok && strings.Contains(w.Message, "refused the login") && strings.Contains(w.Message, "dbaf --region eu-west-1 clone --name mine --reset-password") {
			warned = true
		}
	}
	if !warned {
		t.Errorf("no warning naming the refusal and --reset-password: %#v", *evs)
	}
}

func TestCloneInterruptedWhileLoggingIn(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	f := newFakeStacks()
	f.batches = successBatches()
	f.completeClone("login")
	check := func(ctx context.Context, t db.Target) (*db.Summary, error) {
		cancel()
		return nil, ctx.Err()
	}
	evs, emit := collect()
	_, err := cloneWithOutputs(t, f, CloneRequest{Artifact: testArtifact(), Login: check, Name: "login", Password: "s3cret-pass",
		PollInterval: time.Millisecond}, emit, ctx)
	var ie *InterruptedError
	if !errors.As(err, &ie) || ie.State != StateLoggingIn || !strings.Contains(err.Error(), "dbaf --region eu-west-1 teardown login --yes") {
		t.Fatalf("err = %v", err)
	}
	if _, ok := lastEvent(*evs).(CloneInterrupted); !ok || finals(*evs) != 1 {
		t.Errorf("events %#v", *evs)
	}
}
