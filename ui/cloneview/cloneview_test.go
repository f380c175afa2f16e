package cloneview

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	teatest "github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/dbaf/dbaf/artifact"
	"github.com/dbaf/dbaf/db"
	"github.com/dbaf/dbaf/ui/common"
	"github.com/dbaf/dbaf/ui/internal/uitest"
	"github.com/dbaf/dbaf/ui/stackprogress"
)

func cvStarted() artifact.CloneStarted {
	return artifact.CloneStarted{Stack: uitest.Stack, StackID: uitest.StackID, Source: "prod", Region: "eu-west-1", Class: "db.r6g.large",
		Resources: artifact.TemplateResources(uitest.Artifact())}
}

// cvCreating is what artifact.Clone emits up to a cluster being created.
func cvCreating() []artifact.Event {
	return []artifact.Event{
		cvStarted(), artifact.Phase{Phase: artifact.PhaseCreating},
		uitest.StackEv(0, "CREATE_IN_PROGRESS", "User Initiated"),
		uitest.Ev(2, "SecurityGroup", uitest.SG, "CREATE_IN_PROGRESS", ""),
		uitest.Ev(2, "SubnetGroup", uitest.SNG, "CREATE_IN_PROGRESS", ""),
		uitest.Ev(3, "SubnetGroup", uitest.SNG, "CREATE_IN_PROGRESS", "Resource creation Initiated"),
		uitest.Ev(4, "SubnetGroup", uitest.SNG, "CREATE_COMPLETE", ""),
		uitest.Ev(5, "SecurityGroup", uitest.SG, "CREATE_IN_PROGRESS", "Resource creation Initiated"),
		artifact.Throttled{Call: "cloudformation:DescribeStackEvents", RetryIn: 4 * time.Second},
		uitest.Ev(11, "SecurityGroup", uitest.SG, "CREATE_COMPLETE", ""),
		uitest.Ev(12, "Cluster", uitest.CL, "CREATE_IN_PROGRESS", ""),
		uitest.Ev(14, "Cluster", uitest.CL, "CREATE_IN_PROGRESS", "Resource creation Initiated"),
	}
}

func cvReady(password string) *artifact.CloneReady {
	exp := uitest.T0.Add(24 * time.Hour)
	return &artifact.CloneReady{Stack: uitest.Stack, ClusterID: uitest.Stack, Endpoint: uitest.Host, Port: "5432", Username: "postgres",
		Connection: artifact.ConnectionString(db.Target{Engine: "aurora-postgresql", Host: uitest.Host, Port: 5432, User: "postgres"}), ExpiresAt: &exp, Password: password,
		Login: &artifact.LoginSummary{Reachable: true, LoggedIn: true, ServerVersion: "16.4", Database: "postgres", Schemas: 3, Tables: 41,
			SizeBytes: 734_003_200, LatencyMS: 18.4}}
}

// success is a whole successful clone.
func success(ready *artifact.CloneReady) []artifact.Event {
	return append(cvCreating(),
		uitest.Ev(188, "Cluster", uitest.CL, "CREATE_COMPLETE", ""),
		uitest.Ev(189, "Instance", uitest.IN, "CREATE_IN_PROGRESS", ""),
		uitest.Ev(191, "Instance", uitest.IN, "CREATE_IN_PROGRESS", "Resource creation Initiated"),
		uitest.Ev(611, "Instance", uitest.IN, "CREATE_COMPLETE", ""),
		uitest.StackEv(612, "CREATE_COMPLETE", ""),
		artifact.Phase{Phase: artifact.PhaseResetting},
		artifact.Phase{Phase: artifact.PhaseWaiting},
		artifact.Phase{Phase: artifact.PhaseLoggingIn},
		artifact.Phase{Phase: artifact.PhaseReady},
		*ready,
	)
}

const instanceReason = "Resource handler returned message: \"RDS does not support creating a DB instance with the following combination: " +
	"DBInstanceClass=db.r6g.large, Engine=aurora-postgresql, EngineVersion=16.4, LicenseModel=postgresql-license. For supported combinations " +
	"of instance class and database engine version, see the documentation.\" (Service: Rds, Status Code: 400, Request ID: 5c6f1e2a-9b7d-4c3e-8f10-2a3b4c5d6e7f)"

// instanceFails is a clone whose instance fails; CloudFormation rolls
// everything back and deletes the stack.
func instanceFails() ([]artifact.Event, *artifact.CloneError) {
	f := artifact.CloneFailed{Stack: uitest.Stack, Resource: "Instance", Reason: stackprogress.TrimReason(instanceReason), Publisher: "dataops@example.com",
		Cleanup: "everything it created was rolled back and the stack deleted: nothing is left behind"}
	evs := append(cvCreating(),
		uitest.Ev(188, "Cluster", uitest.CL, "CREATE_COMPLETE", ""),
		uitest.Ev(189, "Instance", uitest.IN, "CREATE_IN_PROGRESS", ""),
		uitest.Ev(192, "Instance", uitest.IN, "CREATE_FAILED", instanceReason),
		uitest.StackEv(193, "DELETE_IN_PROGRESS", "The following resource(s) failed to create: [Instance]. Delete requested by user."),
		uitest.Ev(194, "Instance", uitest.IN, "DELETE_IN_PROGRESS", ""),
		uitest.Ev(195, "Instance", uitest.IN, "DELETE_COMPLETE", ""),
		uitest.Ev(196, "Cluster", uitest.CL, "DELETE_IN_PROGRESS", ""),
		uitest.Ev(260, "Cluster", uitest.CL, "DELETE_COMPLETE", ""),
		uitest.Ev(261, "SecurityGroup", uitest.SG, "DELETE_IN_PROGRESS", ""),
		uitest.Ev(261, "SubnetGroup", uitest.SNG, "DELETE_IN_PROGRESS", ""),
		uitest.Ev(262, "SubnetGroup", uitest.SNG, "DELETE_COMPLETE", ""),
		uitest.Ev(263, "SecurityGroup", uitest.SG, "DELETE_COMPLETE", ""),
		uitest.StackEv(264, "DELETE_COMPLETE", ""),
		f,
	)
	return evs, &artifact.CloneError{Failed: f}
}

// subnetFails is a kept stack whose subnet group fails while the
// security group is cancelled because of it.
func subnetFails() ([]artifact.Event, *artifact.CloneError) {
	reason := "Resource handler returned message: \"Some input subnets in :[subnet-8c9d0e1f] are invalid.\" (Service: Rds, Status Code: 400, Request ID: 0d1e2f3a-4b5c-6d7e-8f90-a1b2c3d4e5f6)"
	f := artifact.CloneFailed{Stack: uitest.Stack, Resource: "SubnetGroup", Reason: stackprogress.TrimReason(reason), Publisher: "dataops@example.com", Kept: true,
		Cleanup: "the stack was kept for inspection (status CREATE_FAILED); remove it with: dbaf teardown " + uitest.Stack + " --yes"}
	evs := []artifact.Event{
		cvStarted(), artifact.Phase{Phase: artifact.PhaseCreating},
		uitest.StackEv(0, "CREATE_IN_PROGRESS", "User Initiated"),
		uitest.Ev(2, "SecurityGroup", uitest.SG, "CREATE_IN_PROGRESS", ""),
		uitest.Ev(2, "SubnetGroup", uitest.SNG, "CREATE_IN_PROGRESS", ""),
		uitest.Ev(3, "SubnetGroup", uitest.SNG, "CREATE_FAILED", reason),
		uitest.Ev(4, "SecurityGroup", uitest.SG, "CREATE_FAILED", "Resource creation cancelled"),
		uitest.StackEv(5, "CREATE_FAILED", "The following resource(s) failed to create: [SecurityGroup, SubnetGroup]. "),
		f,
	}
	return evs, &artifact.CloneError{Failed: f}
}

// cvFake scripts Start and Teardown and records how they were called.
type cvFake struct {
	mu         sync.Mutex
	calls      []string // "start", "start returned", "teardown STACK"
	password   string
	generated  bool
	startEvs   []artifact.Event
	ready      *artifact.CloneReady
	startErr   error
	hold       bool // after its events, Start waits for cancellation, as a watch does
	beforeHold bool // Start waits for cancellation before emitting anything
	tdEvs      []artifact.Event
	tdErr      error
	clock      *uitest.Clock     // set to each stack event's time as it is emitted, as if live
	pre        *pfFake           // the summary's preflight; nil: the clone checks nothing before (a reset)
	last       *artifact.Checked // the last check that returned, as a plan keeps it
	checked    *artifact.Checked // the last check when Run started: what a plan would reuse, if recent
}

func (f *cvFake) emit(emit artifact.Emit, e artifact.Event) {
	if se, ok := e.(artifact.StackEvent); ok && f.clock != nil {
		f.clock.Set(se.Time)
	}
	emit(e)
}

func (f *cvFake) note(s string) { f.mu.Lock(); f.calls = append(f.calls, s); f.mu.Unlock() }

func (f *cvFake) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

func (f *cvFake) Name() string { return uitest.Stack }

func (f *cvFake) Checks() bool { return f.pre != nil }

func (f *cvFake) Check(ctx context.Context) *artifact.Checked {
	c := &artifact.Checked{}
	c.Preflight, c.Err = f.pre.Run(ctx, func(s string) { c.Warnings = append(c.Warnings, s) })
	c.At = f.clock.Now()
	if ctx.Err() == nil {
		f.mu.Lock()
		f.last = c
		f.mu.Unlock()
	}
	return c
}

func (f *cvFake) Run(ctx context.Context, password string, generated bool, emit artifact.Emit) (*artifact.CloneReady, error) {
	f.mu.Lock()
	f.password, f.generated, f.checked = password, generated, f.last
	f.mu.Unlock()
	f.note("start")
	defer f.note("start returned")
	if f.beforeHold {
		<-ctx.Done()
		return nil, &artifact.InterruptedError{Stack: uitest.Stack}
	}
	for _, e := range f.startEvs {
		f.emit(emit, e)
	}
	if f.hold {
		<-ctx.Done()
		return nil, &artifact.InterruptedError{Stack: uitest.Stack, State: artifact.StateCreating}
	}
	if f.startErr != nil {
		return nil, f.startErr
	}
	return f.ready, nil
}

func (f *cvFake) Teardown(ctx context.Context, stack string, emit artifact.Emit) error {
	f.note("teardown " + stack)
	for _, e := range f.tdEvs {
		f.emit(emit, e)
	}
	return f.tdErr
}

func cvAt(s cvStage) func(tea.Model) bool {
	return func(m tea.Model) bool { return m.(*Model).stage == s }
}

// newTest builds a clone view on the fake, at the golden clock, and
// stops its goroutines when the test ends.
func newTest(t *testing.T, f *cvFake, clock *uitest.Clock, edit func(*Options)) *Model {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	if f.clock == nil {
		f.clock = clock
	}
	o := Options{Artifact: uitest.Artifact(), Stack: uitest.Stack, Region: "eu-west-1", Clone: f, Teardown: f.Teardown,
		Theme: common.NewTheme(true, false), Now: clock.Now, Still: true}
	if edit != nil {
		edit(&o)
	}
	m := New(ctx, o)
	t.Cleanup(func() { cancel(); m.Close() })
	return m
}

func TestCloneViewPasswordPrompt(t *testing.T) {
	clock := &uitest.Clock{T: uitest.T0}
	m := newTest(t, &cvFake{}, clock, func(o *Options) { o.NeedPassword = true })
	h := uitest.RunHarness(t, m, 100, 30)
	h.Key("hunter2")
	h.Key("enter")
	h.WaitFor(t, "the length error", func(tm tea.Model) bool { return strings.Contains(tm.(*Model).pw.Err(), "7 characters") })
	golden.RequireEqual(t, uitest.Screen(h.Final(t)))
}

func TestCloneViewPasswordMismatchThenMatch(t *testing.T) {
	clock := &uitest.Clock{T: uitest.T0}
	f := &cvFake{startEvs: cvCreating(), hold: true}
	m := newTest(t, f, clock, func(o *Options) { o.NeedPassword, o.SkipSummary = true, true })
	h := uitest.RunHarness(t, m, 100, 30)
	h.Key("Correct-Horse-9")
	h.Key("enter")
	h.Key("Correct-Horse-8")
	h.Key("enter")
	h.WaitFor(t, "the mismatch", func(tm tea.Model) bool { return strings.Contains(tm.(*Model).pw.Err(), "differ") })
	h.Key("Correct-Horse-9")
	h.Key("enter")
	h.Key("Correct-Horse-9")
	h.Key("enter")
	h.WaitFor(t, "the clone to start", func(tm tea.Model) bool { return tm.(*Model).stackKnown })
	h.Final(t)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.password != "Correct-Horse-9" || f.generated {
		t.Fatalf("Start got password %q generated %v", f.password, f.generated)
	}
	if m.password != "" || !m.pw.Empty() {
		t.Fatal("the view still holds the password once the clone started")
	}
}

func TestCloneViewSummary(t *testing.T) {
	clock := &uitest.Clock{T: uitest.T0}
	m := newTest(t, &cvFake{}, clock, nil)
	h := uitest.RunHarness(t, m, 100, 30)
	h.WaitFor(t, "the size", func(tm tea.Model) bool { return tm.(*Model).Width == 100 })
	golden.RequireEqual(t, uitest.Screen(h.Final(t)))
}

// The summary lists the masking rules (four and a count when there are
// more than five) and the hooks.
func TestCloneViewSummaryMasking(t *testing.T) {
	clock := &uitest.Clock{T: uitest.T0}
	m := newTest(t, &cvFake{}, clock, func(o *Options) {
		for _, c := range []string{"email", "phone", "national_id", "full_name", "iban", "notes"} {
			o.Artifact.Masking = append(o.Artifact.Masking, artifact.MaskRule{Column: "legacy.customers." + c, Strategy: "null"})
		}
		o.Artifact.Hooks = []artifact.Hook{{Name: "sql/grants.sql", SQL: "CREATE ROLE analyst;\nGRANT SELECT ON legacy.customers TO analyst;\n"},
			{Name: "sql/cleanup.sql", SQL: "DELETE FROM legacy.sessions;\n"}}
	})
	h := uitest.RunHarness(t, m, 100, 40)
	h.WaitFor(t, "the size", func(tm tea.Model) bool { return tm.(*Model).Width == 100 })
	golden.RequireEqual(t, uitest.Screen(h.Final(t)))
}

func TestCloneViewSummaryQuitCreatesNothing(t *testing.T) {
	clock := &uitest.Clock{T: uitest.T0}
	f := &cvFake{}
	m := newTest(t, f, clock, nil)
	h := uitest.RunHarness(t, m, 100, 30)
	h.Key("q")
	h.TM.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
	m.Close()
	if got := m.Result(); !errors.Is(got.Err, ErrCancelled) || len(f.Calls()) != 0 {
		t.Fatalf("result %+v, calls %v", got, f.Calls())
	}
	if !strings.Contains(uitest.Screen(m), "nothing was created") {
		t.Fatalf("final frame: %q", uitest.Screen(m))
	}
}

// cvInProgress runs a clone up to its cluster being created, the clock 4m30s on.
func cvInProgress(t *testing.T) (*uitest.Harness, *Model, *cvFake, *uitest.Clock) {
	clock := &uitest.Clock{T: uitest.T0}
	f := &cvFake{startEvs: cvCreating(), hold: true, tdEvs: uitest.Deletion(300, "prod")}
	m := newTest(t, f, clock, func(o *Options) { o.SkipSummary = true })
	h := uitest.RunHarness(t, m, 100, 30)
	n := len(cvCreating()) - 2 // all but CloneStarted and the phase reach the log… plus the phase line
	h.WaitFor(t, "the creating events", func(tm tea.Model) bool { return tm.(*Model).prog.Len() == n+1 })
	clock.Set(uitest.T0.Add(4*time.Minute + 30*time.Second))
	return h, m, f, clock
}

func TestCloneViewInProgress(t *testing.T) {
	h, _, _, _ := cvInProgress(t)
	golden.RequireEqual(t, uitest.Screen(h.Final(t)))
}

func TestCloneViewCtrlCChoices(t *testing.T) {
	h, _, _, _ := cvInProgress(t)
	h.Key("ctrl+c")
	h.WaitFor(t, "the question", func(tm tea.Model) bool { return tm.(*Model).ask == askInterrupt })
	golden.RequireEqual(t, uitest.Screen(h.Final(t)))
}

func TestCloneViewCtrlCKeepCreating(t *testing.T) {
	h, m, f, _ := cvInProgress(t)
	h.Key("ctrl+c")
	h.Key("k")
	h.TM.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
	m.Close()
	res := m.Result()
	var ie *artifact.InterruptedError
	if res.LeftRunning != uitest.Stack || !errors.As(res.Err, &ie) || res.TeardownCommand() != "dbaf --region eu-west-1 teardown "+uitest.Stack+" --yes" {
		t.Fatalf("result %+v", res)
	}
	if calls := f.Calls(); strings.Join(calls, ",") != "start,start returned" {
		t.Fatalf("calls %v: want the watch stopped and no teardown", calls)
	}
	if s := uitest.Screen(m); !strings.Contains(s, "dbaf --region eu-west-1 teardown "+uitest.Stack+" --yes") || !strings.Contains(s, "still being created") {
		t.Fatalf("final frame: %s", s)
	}
}

func TestCloneViewCtrlCTearDownNow(t *testing.T) {
	h, m, f, _ := cvInProgress(t)
	h.Key("ctrl+c")
	h.Key("d")
	h.WaitFor(t, "the teardown to finish", cvAt(stageTornDown))
	h.Key("q")
	h.TM.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
	m.Close()
	if got := strings.Join(f.Calls(), ","); got != "start,start returned,teardown "+uitest.Stack {
		t.Fatalf("calls %s: the teardown must start once the watch has stopped", got)
	}
	if res := m.Result(); !res.TornDown || res.LeftRunning != "" || res.Err != nil {
		t.Fatalf("result %+v", res)
	}
}

func TestCloneViewCtrlCBeforeStackQuits(t *testing.T) {
	clock := &uitest.Clock{T: uitest.T0}
	f := &cvFake{beforeHold: true}
	m := newTest(t, f, clock, func(o *Options) { o.SkipSummary = true })
	h := uitest.RunHarness(t, m, 100, 30)
	h.WaitFor(t, "the start", func(tm tea.Model) bool { return len(f.Calls()) > 0 })
	h.Key("ctrl+c")
	h.TM.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
	m.Close()
	res := m.Result()
	var ie *artifact.InterruptedError
	// The fake's create call was in flight: the result names the stack it may have made.
	if !errors.As(res.Err, &ie) || res.LeftRunning != uitest.Stack {
		t.Fatalf("result %+v", res)
	}
}

func TestCloneViewReadyGeneratedPassword(t *testing.T) {
	clock := &uitest.Clock{T: uitest.T0}
	ready := cvReady("q7Rk2mXv9TzB4nWc8LpD3sHf")
	f := &cvFake{startEvs: success(ready), ready: ready}
	m := newTest(t, f, clock, func(o *Options) { o.NeedPassword = true })
	h := uitest.RunHarness(t, m, 100, 30)
	h.Key("ctrl+g")
	h.WaitFor(t, "the summary", cvAt(stageSummary))
	h.Key("enter")
	h.WaitFor(t, "ready", cvAt(stageReady))
	fm := h.Final(t)
	golden.RequireEqual(t, uitest.Screen(fm))
	if f.password != "" || !f.generated {
		t.Fatalf("Start got %q generated %v: want the starter to generate", f.password, f.generated)
	}
}

func TestCloneViewReadyCopyAndQuit(t *testing.T) {
	clock := &uitest.Clock{T: uitest.T0}
	ready := cvReady("")
	f := &cvFake{startEvs: success(ready), ready: ready}
	m := newTest(t, f, clock, func(o *Options) { o.SkipSummary = true })
	h := uitest.RunHarness(t, m, 100, 30)
	h.WaitFor(t, "ready", cvAt(stageReady))
	h.Key("c")
	h.WaitFor(t, "the copy notice", func(tm tea.Model) bool { return strings.Contains(tm.(*Model).flash, "clipboard") })
	h.Key("q")
	h.TM.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
	m.Close()
	res := m.Result()
	if res.Ready == nil || res.LeftRunning != uitest.Stack || res.Err != nil {
		t.Fatalf("result %+v", res)
	}
	s := uitest.Screen(m)
	if !strings.Contains(s, uitest.Host) || !strings.Contains(s, "dbaf --region eu-west-1 teardown "+uitest.Stack+" --yes") || strings.Contains(s, "password") {
		t.Fatalf("final frame: %s", s)
	}
}

func TestCloneViewFailedRootCause(t *testing.T) {
	clock := &uitest.Clock{T: uitest.T0}
	evs, cerr := instanceFails()
	f := &cvFake{startEvs: evs, startErr: cerr}
	m := newTest(t, f, clock, func(o *Options) { o.SkipSummary = true })
	h := uitest.RunHarness(t, m, 100, 30)
	h.WaitFor(t, "failed", cvAt(stageFailed))
	fm := h.Final(t).(*Model)
	golden.RequireEqual(t, uitest.Screen(fm))
	if fm.remains() {
		t.Fatal("a rolled-back, deleted stack offers a teardown")
	}
}

func TestCloneViewFailedCancelledKept(t *testing.T) {
	clock := &uitest.Clock{T: uitest.T0}
	evs, cerr := subnetFails()
	f := &cvFake{startEvs: evs, startErr: cerr, tdEvs: uitest.Deletion(30, "prod")}
	m := newTest(t, f, clock, func(o *Options) { o.SkipSummary = true })
	h := uitest.RunHarness(t, m, 100, 30)
	h.WaitFor(t, "failed", cvAt(stageFailed))
	fm := h.Final(t).(*Model)
	golden.RequireEqual(t, uitest.Screen(fm))
	if !fm.remains() {
		t.Fatal("a kept stack offers no teardown")
	}
	res := fm.Result()
	if res.Failed == nil || res.Failed.Resource != "SubnetGroup" {
		t.Fatalf("result %+v", res)
	}
}

func TestCloneViewTeardownNothingLeft(t *testing.T) {
	clock := &uitest.Clock{T: uitest.T0}
	ready := cvReady("")
	f := &cvFake{startEvs: success(ready), ready: ready, tdEvs: uitest.Deletion(700, "prod")}
	m := newTest(t, f, clock, func(o *Options) { o.SkipSummary = true })
	h := uitest.RunHarness(t, m, 100, 30)
	h.WaitFor(t, "ready", cvAt(stageReady))
	clock.Set(uitest.T0.Add(11 * time.Minute))
	h.Key("t")
	h.WaitFor(t, "the confirmation", func(tm tea.Model) bool { return tm.(*Model).ask == askTeardown })
	h.Key("y")
	h.WaitFor(t, "nothing left", cvAt(stageTornDown))
	fm := h.Final(t).(*Model)
	golden.RequireEqual(t, uitest.Screen(fm))
	if res := fm.Result(); !res.TornDown || res.LeftRunning != "" || res.Ready == nil {
		t.Fatalf("result %+v", res)
	}
}

func TestCloneViewTeardownFailsThenRetries(t *testing.T) {
	clock := &uitest.Clock{T: uitest.T0}
	var mu sync.Mutex
	tries := 0
	m := NewTeardown(context.Background(), Options{Stack: uitest.Stack, Region: "eu-west-1", Theme: common.NewTheme(true, false), Now: clock.Now, Still: true,
		Teardown: func(ctx context.Context, stack string, emit artifact.Emit) error {
			mu.Lock()
			tries++
			try := tries
			mu.Unlock()
			evs := uitest.Deletion(0, "prod")
			if try > 1 {
				for _, e := range evs {
					emit(e)
				}
				return nil
			}
			for _, e := range evs[:4] {
				emit(e)
			}
			emit(uitest.Ev(9, "Instance", uitest.IN, "DELETE_FAILED", "Cannot delete protected DB Instance, please disable deletion protection and try again. (Service: Rds, Status Code: 400, Request ID: x)"))
			emit(uitest.StackEv(10, "DELETE_FAILED", "The following resource(s) failed to delete: [Instance]. "))
			return errors.New("stack " + stack + " could not be deleted (DELETE_FAILED): Instance Cannot delete protected DB Instance; fix that and run dbaf teardown " + stack + " --yes again")
		}})
	defer m.Close()
	h := uitest.RunHarness(t, m, 100, 30)
	h.WaitFor(t, "the failure", cvAt(stageTeardownFailed))
	s := uitest.Screen(m)
	for _, want := range []string{"✗ Could not tear down", "Cannot delete protected DB Instance", "delete failed", "t tear down what remains"} {
		if !strings.Contains(s, want) {
			t.Errorf("missing %q in\n%s", want, s)
		}
	}
	order := func() string {
		var ids []string
		for _, r := range m.prog.Rows() {
			ids = append(ids, r.ID)
		}
		return strings.Join(ids, ",")
	}
	first := order()
	h.Key("t")
	h.Key("y")
	h.WaitFor(t, "nothing left", cvAt(stageTornDown))
	h.Final(t)
	if got := order(); got != first || got != "Instance,Cluster,SecurityGroup,SubnetGroup" {
		t.Fatalf("rows %s, then %s: want the deletion order both times", first, got)
	}
	if res := m.Result(); !res.TornDown || res.Err != nil {
		t.Fatalf("result %+v", res)
	}
}

// feed gives a view events as if its clone were running.
func feed(m *Model, evs ...artifact.Event) {
	if m.startOp == nil {
		// An operation whose goroutine never runs: the test delivers its events.
		m.startOp, _ = common.StartOp(context.Background(), func(context.Context, func(artifact.Event)) (*artifact.CloneReady, error) { return nil, nil })
		m.stage = stageRunning
		m.startAt = m.now()
	}
	m.Update(eventsMsg{Op: m.startOp.ID(), Events: evs})
}

func manyEvents(n int) []artifact.Event {
	evs := make([]artifact.Event, 0, n)
	for i := range n {
		evs = append(evs, uitest.Ev(i, "Cluster", uitest.CL, "CREATE_IN_PROGRESS", fmt.Sprintf("event %d: configuring the cluster's parameter group and enhanced monitoring", i)))
	}
	return evs
}

func TestCloneViewStaysWithinTerminal(t *testing.T) {
	clock := &uitest.Clock{T: uitest.T0}
	for _, size := range [][2]int{{100, 30}, {80, 24}, {60, 12}, {40, 8}, {120, 60}} {
		for _, evs := range [][]artifact.Event{success(cvReady("pw-generated-123")), mustEvents(instanceFails()), append(cvCreating(), manyEvents(5000)...)} {
			m := newTest(t, &cvFake{}, clock, nil)
			m.Update(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
			feed(m, evs...)
			m.stage = stageRunning
			for _, stage := range []cvStage{stageRunning, stageReady, stageFailed} {
				m.stage = stage
				if stage == stageFailed && m.failed == nil {
					continue
				}
				if stage == stageReady && m.ready == nil {
					continue
				}
				lines := strings.Split(m.View().Content, "\n")
				if len(lines) > size[1] {
					t.Errorf("%dx%d stage %d: %d lines", size[0], size[1], stage, len(lines))
				}
				for _, l := range lines {
					if w := ansi.StringWidth(l); w > size[0] {
						t.Errorf("%dx%d stage %d: line of %d cells: %q", size[0], size[1], stage, w, ansi.Strip(l))
					}
				}
			}
		}
	}
}

func mustEvents(evs []artifact.Event, _ *artifact.CloneError) []artifact.Event { return evs }

func TestCloneViewLogFollowsAndScrolls(t *testing.T) {
	clock := &uitest.Clock{T: uitest.T0}
	m := newTest(t, &cvFake{}, clock, nil)
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	feed(m, append(cvCreating(), manyEvents(3000)...)...)
	if !strings.Contains(uitest.Screen(m), "event 2999:") || m.prog.Scroll() != 0 {
		t.Fatal("the log does not follow the newest event")
	}
	m.Update(tea.KeyPressMsg{Code: tea.KeyPgUp})
	at := m.prog.Scroll()
	if at == 0 || strings.Contains(uitest.Screen(m), "event 2999:") {
		t.Fatal("pgup did not scroll")
	}
	logLines := func() string { // the visible events, without the title's counts
		var out []string
		for _, l := range strings.Split(uitest.Screen(m), "\n") {
			if strings.Contains(l, "event ") {
				out = append(out, l)
			}
		}
		return strings.Join(out, "\n")
	}
	before := logLines()
	feed(m, manyEvents(3)...)
	if m.prog.Scroll() != at+3 || logLines() != before {
		t.Fatal("a scrolled log moved when events arrived")
	}
	m.Update(tea.KeyPressMsg{Code: tea.KeyEnd})
	if m.prog.Scroll() != 0 || !strings.Contains(uitest.Screen(m), "event 2:") {
		t.Fatal("end did not go back to following")
	}
	m.Update(tea.KeyPressMsg{Code: tea.KeyHome})
	if !strings.Contains(uitest.Screen(m), "User Initiated") {
		t.Fatal("home did not reach the first event")
	}
}

func TestCloneViewLogLimit(t *testing.T) {
	clock := &uitest.Clock{T: uitest.T0}
	m := newTest(t, &cvFake{}, clock, func(o *Options) { o.LogLimit = 1000 })
	feed(m, manyEvents(5000)...)
	if n := m.prog.Len(); n < 1000 || n > 1250 {
		t.Fatalf("kept %d events with a limit of 1000", n)
	}
	if last := m.prog.Lines()[m.prog.Len()-1]; !strings.Contains(last, "event 4999:") {
		t.Fatalf("last entry %q", last)
	}
	if !strings.Contains(uitest.Screen(m), "Events 5000") {
		t.Fatal("the title does not count every event")
	}
}

func TestCloneViewRowDurationSurvivesRepeatedInProgress(t *testing.T) {
	clock := &uitest.Clock{T: uitest.T0.Add(time.Hour)}
	m := newTest(t, &cvFake{}, clock, nil)
	feed(m, cvStarted(),
		uitest.Ev(10, "Cluster", uitest.CL, "CREATE_IN_PROGRESS", ""),
		uitest.Ev(70, "Cluster", uitest.CL, "CREATE_IN_PROGRESS", "Resource creation Initiated"),
		uitest.Ev(190, "Cluster", uitest.CL, "CREATE_COMPLETE", ""))
	if got := m.prog.RowDuration("Cluster", clock.Now()); got != "3m00s" {
		t.Fatalf("duration %s, want 3m00s from the first IN_PROGRESS", got)
	}
	if rows := m.prog.Rows(); rows[slices.IndexFunc(rows, func(r stackprogress.RowState) bool { return r.ID == "Instance" })].Status != "" ||
		!strings.Contains(uitest.Screen(m), "waiting") {
		t.Fatal("a resource without events is not shown waiting")
	}
}

func TestCloneViewFailedKeptTornDown(t *testing.T) {
	clock := &uitest.Clock{T: uitest.T0}
	evs, cerr := subnetFails()
	td := []artifact.Event{
		artifact.CloneStarted{Stack: uitest.Stack, StackID: uitest.StackID, Source: "prod", Region: "eu-west-1", Resources: []artifact.ResourceInfo{
			{LogicalID: "SecurityGroup", Type: uitest.SG, Label: uitest.SG}, {LogicalID: "SubnetGroup", Type: uitest.SNG, Label: uitest.SNG}}},
		artifact.Phase{Phase: artifact.PhaseDeleting},
		uitest.StackEv(40, "DELETE_IN_PROGRESS", "User Initiated"),
		uitest.Ev(41, "SecurityGroup", uitest.SG, "DELETE_COMPLETE", ""),
		uitest.Ev(41, "SubnetGroup", uitest.SNG, "DELETE_COMPLETE", ""),
		uitest.StackEv(42, "DELETE_COMPLETE", ""),
		artifact.TornDown{Stack: uitest.Stack},
	}
	f := &cvFake{startEvs: evs, startErr: cerr, tdEvs: td}
	m := newTest(t, f, clock, func(o *Options) { o.SkipSummary = true })
	h := uitest.RunHarness(t, m, 100, 30)
	h.WaitFor(t, "failed", cvAt(stageFailed))
	h.Key("t")
	h.Key("y")
	h.WaitFor(t, "nothing left", cvAt(stageTornDown))
	s := uitest.Screen(h.Final(t))
	for _, want := range []string{"nothing to delete", "nothing left"} {
		if !strings.Contains(s, want) {
			t.Errorf("missing %q in\n%s", want, s)
		}
	}
	res := m.Result()
	var ce *artifact.CloneError
	if !res.TornDown || res.LeftRunning != "" || res.Failed == nil || !errors.As(res.Err, &ce) {
		t.Fatalf("result %+v: want torn down, and the clone's failure kept as the error", res)
	}
}

func TestCloneViewStartErrorAfterStackOffersTeardown(t *testing.T) {
	clock := &uitest.Clock{T: uitest.T0}
	ready := cvReady("")
	evs := success(ready)
	evs = evs[:len(evs)-4] // up to CREATE_COMPLETE and the password reset
	f := &cvFake{startEvs: evs, startErr: errors.New("rds:ModifyDBCluster: AccessDenied: not authorized to reset the master password")}
	m := newTest(t, f, clock, func(o *Options) { o.SkipSummary = true })
	h := uitest.RunHarness(t, m, 100, 30)
	h.WaitFor(t, "the error", cvAt(stageError))
	s := uitest.Screen(m)
	for _, want := range []string{"The clone stopped", "AccessDenied", "t tear down what remains"} {
		if !strings.Contains(s, want) {
			t.Errorf("missing %q in\n%s", want, s)
		}
	}
	h.Key("q")
	h.TM.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
	m.Close()
	if res := m.Result(); res.LeftRunning != uitest.Stack || res.Err == nil {
		t.Fatalf("result %+v", res)
	}
}
