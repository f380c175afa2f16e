package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/dbaf/dbaf/artifact"
)

// cvT0 is when the test clones start; event times count from it.
var cvT0 = time.Date(2026, 11, 25, 1, 0, 0, 0, time.UTC)

const (
	cvStack   = "dbartifact1764032400-prod-clone"
	cvStackID = "arn:aws:cloudformation:eu-west-1:123456789012:stack/" + cvStack + "/5e1f0a40-ca1b-11f0-9d6e-0a1b2c3d4e5f"
	cvHost    = cvStack + ".cluster-c9akciq32xyz.eu-west-1.rds.amazonaws.com"
)

// cvClock is a settable clock: goldens show the same times on every run.
type cvClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *cvClock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *cvClock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

func cvTestArtifact() *artifact.Artifact {
	return &artifact.Artifact{SchemaVersion: 1, Image: "db-artifact:latest", Region: "eu-west-1", Publisher: "dataops@example.com",
		CloneTTL: artifact.Duration(24 * time.Hour),
		Source:   artifact.Source{ClusterID: "prod", Engine: "aurora-postgresql", EngineVersion: "16.4", Port: 5432, MasterUsername: "postgres"},
		Target: artifact.Target{InstanceClass: "db.r6g.large", SubnetsFrom: "source", SourceSubnetGroup: "prod-db-subnets", VpcID: "vpc-0a1b2c3d",
			VpcCIDR: "10.0.0.0/16", AllowedCIDR: "10.0.0.0/16",
			Subnets: []artifact.Subnet{{ID: "subnet-0a1b2c3d", AZ: "eu-west-1a", CIDR: "10.0.1.0/24"}, {ID: "subnet-4e5f6a7b", AZ: "eu-west-1b", CIDR: "10.0.2.0/24"},
				{ID: "subnet-8c9d0e1f", AZ: "eu-west-1c", CIDR: "10.0.3.0/24"}}}}
}

func cvEv(sec int, id, typ, status, reason string) artifact.StackEvent {
	return artifact.StackEvent{Time: cvT0.Add(time.Duration(sec) * time.Second), LogicalID: id, ResourceType: typ, Status: status,
		Reason: reason, PhysicalID: strings.ToLower(id) + "-phys"}
}

func cvStackEv(sec int, status, reason string) artifact.StackEvent {
	e := cvEv(sec, cvStack, "AWS::CloudFormation::Stack", status, reason)
	e.PhysicalID, e.IsStack = cvStackID, true
	return e
}

func cvStarted() artifact.CloneStarted {
	return artifact.CloneStarted{Stack: cvStack, StackID: cvStackID, Source: "prod", Region: "eu-west-1", Class: "db.r6g.large",
		Resources: artifact.TemplateResources(cvTestArtifact())}
}

const (
	cvSG  = "AWS::EC2::SecurityGroup"
	cvSNG = "AWS::RDS::DBSubnetGroup"
	cvCL  = "AWS::RDS::DBCluster"
	cvIN  = "AWS::RDS::DBInstance"
)

// cvCreating is what artifact.Clone emits up to a cluster being created.
func cvCreating() []artifact.Event {
	return []artifact.Event{
		cvStarted(), artifact.Phase{Phase: artifact.PhaseCreating},
		cvStackEv(0, "CREATE_IN_PROGRESS", "User Initiated"),
		cvEv(2, "SecurityGroup", cvSG, "CREATE_IN_PROGRESS", ""),
		cvEv(2, "SubnetGroup", cvSNG, "CREATE_IN_PROGRESS", ""),
		cvEv(3, "SubnetGroup", cvSNG, "CREATE_IN_PROGRESS", "Resource creation Initiated"),
		cvEv(4, "SubnetGroup", cvSNG, "CREATE_COMPLETE", ""),
		cvEv(5, "SecurityGroup", cvSG, "CREATE_IN_PROGRESS", "Resource creation Initiated"),
		artifact.Throttled{Call: "cloudformation:DescribeStackEvents", RetryIn: 4 * time.Second},
		cvEv(11, "SecurityGroup", cvSG, "CREATE_COMPLETE", ""),
		cvEv(12, "Cluster", cvCL, "CREATE_IN_PROGRESS", ""),
		cvEv(14, "Cluster", cvCL, "CREATE_IN_PROGRESS", "Resource creation Initiated"),
	}
}

func cvReady(password string) *artifact.CloneReady {
	exp := cvT0.Add(24 * time.Hour)
	return &artifact.CloneReady{Stack: cvStack, ClusterID: cvStack, Endpoint: cvHost, Port: "5432", Username: "postgres",
		Connection: artifact.ConnectionString("aurora-postgresql", cvHost, "5432", "postgres"), ExpiresAt: &exp, Password: password,
		Login: &artifact.LoginSummary{Reachable: true, LoggedIn: true, ServerVersion: "16.4", Database: "postgres", Schemas: 3, Tables: 41,
			SizeBytes: 734_003_200, LatencyMS: 18.4}}
}

// cvSuccess is a whole successful clone.
func cvSuccess(ready *artifact.CloneReady) []artifact.Event {
	return append(cvCreating(),
		cvEv(188, "Cluster", cvCL, "CREATE_COMPLETE", ""),
		cvEv(189, "Instance", cvIN, "CREATE_IN_PROGRESS", ""),
		cvEv(191, "Instance", cvIN, "CREATE_IN_PROGRESS", "Resource creation Initiated"),
		cvEv(611, "Instance", cvIN, "CREATE_COMPLETE", ""),
		cvStackEv(612, "CREATE_COMPLETE", ""),
		artifact.Phase{Phase: artifact.PhaseResetting},
		artifact.Phase{Phase: artifact.PhaseWaiting},
		artifact.Phase{Phase: artifact.PhaseLoggingIn},
		artifact.Phase{Phase: artifact.PhaseReady},
		*ready,
	)
}

const cvInstanceReason = "Resource handler returned message: \"RDS does not support creating a DB instance with the following combination: " +
	"DBInstanceClass=db.r6g.large, Engine=aurora-postgresql, EngineVersion=16.4, LicenseModel=postgresql-license. For supported combinations " +
	"of instance class and database engine version, see the documentation.\" (Service: Rds, Status Code: 400, Request ID: 5c6f1e2a-9b7d-4c3e-8f10-2a3b4c5d6e7f)"

// cvInstanceFails is a clone whose instance fails; CloudFormation rolls
// everything back and deletes the stack.
func cvInstanceFails() ([]artifact.Event, *artifact.CloneError) {
	f := artifact.CloneFailed{Stack: cvStack, Resource: "Instance", Reason: cvTrimReason(cvInstanceReason), Publisher: "dataops@example.com",
		Cleanup: "everything it created was rolled back and the stack deleted: nothing is left behind"}
	evs := append(cvCreating(),
		cvEv(188, "Cluster", cvCL, "CREATE_COMPLETE", ""),
		cvEv(189, "Instance", cvIN, "CREATE_IN_PROGRESS", ""),
		cvEv(192, "Instance", cvIN, "CREATE_FAILED", cvInstanceReason),
		cvStackEv(193, "DELETE_IN_PROGRESS", "The following resource(s) failed to create: [Instance]. Delete requested by user."),
		cvEv(194, "Instance", cvIN, "DELETE_IN_PROGRESS", ""),
		cvEv(195, "Instance", cvIN, "DELETE_COMPLETE", ""),
		cvEv(196, "Cluster", cvCL, "DELETE_IN_PROGRESS", ""),
		cvEv(260, "Cluster", cvCL, "DELETE_COMPLETE", ""),
		cvEv(261, "SecurityGroup", cvSG, "DELETE_IN_PROGRESS", ""),
		cvEv(261, "SubnetGroup", cvSNG, "DELETE_IN_PROGRESS", ""),
		cvEv(262, "SubnetGroup", cvSNG, "DELETE_COMPLETE", ""),
		cvEv(263, "SecurityGroup", cvSG, "DELETE_COMPLETE", ""),
		cvStackEv(264, "DELETE_COMPLETE", ""),
		f,
	)
	return evs, &artifact.CloneError{Failed: f}
}

// cvSubnetFails is a kept stack whose subnet group fails while the
// security group is cancelled because of it.
func cvSubnetFails() ([]artifact.Event, *artifact.CloneError) {
	reason := "Resource handler returned message: \"Some input subnets in :[subnet-8c9d0e1f] are invalid.\" (Service: Rds, Status Code: 400, Request ID: 0d1e2f3a-4b5c-6d7e-8f90-a1b2c3d4e5f6)"
	f := artifact.CloneFailed{Stack: cvStack, Resource: "SubnetGroup", Reason: cvTrimReason(reason), Publisher: "dataops@example.com", Kept: true,
		Cleanup: "the stack was kept for inspection (status CREATE_FAILED); remove it with: dbaf teardown " + cvStack + " --yes"}
	evs := []artifact.Event{
		cvStarted(), artifact.Phase{Phase: artifact.PhaseCreating},
		cvStackEv(0, "CREATE_IN_PROGRESS", "User Initiated"),
		cvEv(2, "SecurityGroup", cvSG, "CREATE_IN_PROGRESS", ""),
		cvEv(2, "SubnetGroup", cvSNG, "CREATE_IN_PROGRESS", ""),
		cvEv(3, "SubnetGroup", cvSNG, "CREATE_FAILED", reason),
		cvEv(4, "SecurityGroup", cvSG, "CREATE_FAILED", "Resource creation cancelled"),
		cvStackEv(5, "CREATE_FAILED", "The following resource(s) failed to create: [SecurityGroup, SubnetGroup]. "),
		f,
	}
	return evs, &artifact.CloneError{Failed: f}
}

// cvDeletion is what artifact.Teardown emits for a ready clone: resources
// listed by type (as StackResources gives them) in AWS's order.
func cvDeletion(start int, source string) []artifact.Event {
	s := start
	return []artifact.Event{
		artifact.CloneStarted{Stack: cvStack, StackID: cvStackID, Source: source, Region: "eu-west-1", Resources: []artifact.ResourceInfo{
			{LogicalID: "Cluster", Type: cvCL, Label: cvCL}, {LogicalID: "Instance", Type: cvIN, Label: cvIN},
			{LogicalID: "SecurityGroup", Type: cvSG, Label: cvSG}, {LogicalID: "SubnetGroup", Type: cvSNG, Label: cvSNG}}},
		artifact.Phase{Phase: artifact.PhaseDeleting},
		cvStackEv(s, "DELETE_IN_PROGRESS", "User Initiated"),
		cvEv(s+1, "Instance", cvIN, "DELETE_IN_PROGRESS", ""),
		cvEv(s+305, "Instance", cvIN, "DELETE_COMPLETE", ""),
		cvEv(s+306, "Cluster", cvCL, "DELETE_IN_PROGRESS", ""),
		cvEv(s+371, "Cluster", cvCL, "DELETE_COMPLETE", ""),
		cvEv(s+372, "SecurityGroup", cvSG, "DELETE_IN_PROGRESS", ""),
		cvEv(s+372, "SubnetGroup", cvSNG, "DELETE_IN_PROGRESS", ""),
		cvEv(s+373, "SubnetGroup", cvSNG, "DELETE_COMPLETE", ""),
		cvEv(s+374, "SecurityGroup", cvSG, "DELETE_COMPLETE", ""),
		cvStackEv(s+375, "DELETE_COMPLETE", ""),
		artifact.TornDown{Stack: cvStack},
	}
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
	clock      *cvClock // set to each stack event's time as it is emitted, as if live
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

func (f *cvFake) Start(ctx context.Context, password string, generated bool, emit artifact.Emit) (*artifact.CloneReady, error) {
	f.mu.Lock()
	f.password, f.generated = password, generated
	f.mu.Unlock()
	f.note("start")
	defer f.note("start returned")
	if f.beforeHold {
		<-ctx.Done()
		return nil, &artifact.InterruptedError{Stack: cvStack}
	}
	for _, e := range f.startEvs {
		f.emit(emit, e)
	}
	if f.hold {
		<-ctx.Done()
		return nil, &artifact.InterruptedError{Stack: cvStack, State: artifact.StateCreating}
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

// cvProbe watches the model from inside the program's event loop (a
// WithFilter hook), so tests wait on state rather than on screen bytes.
type cvProbe struct {
	mu   sync.Mutex
	cond func(tea.Model) bool
	hit  chan struct{}
}

// cvPing wakes the filter up so it can look at the model.
type cvPing struct{}

func (p *cvProbe) filter(m tea.Model, msg tea.Msg) tea.Msg {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cond != nil && p.cond(m) {
		p.cond = nil
		close(p.hit)
	}
	return msg
}

type cvHarness struct {
	tm    *teatest.TestModel
	probe *cvProbe
}

func cvRunTest(t *testing.T, m tea.Model, w, h int) *cvHarness {
	t.Helper()
	p := &cvProbe{}
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(w, h), teatest.WithProgramOptions(
		tea.WithColorProfile(colorprofile.Ascii),
		tea.WithEnvironment([]string{"TERM=xterm-256color"}),
		tea.WithFilter(p.filter)))
	return &cvHarness{tm: tm, probe: p}
}

// waitFor pings the program until cond holds for its model.
func (h *cvHarness) waitFor(t *testing.T, what string, cond func(tea.Model) bool) {
	t.Helper()
	hit := make(chan struct{})
	h.probe.mu.Lock()
	h.probe.cond, h.probe.hit = cond, hit
	h.probe.mu.Unlock()
	deadline := time.After(5 * time.Second)
	for {
		h.tm.Send(cvPing{})
		select {
		case <-hit:
			return
		case <-time.After(2 * time.Millisecond):
		case <-deadline:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func (h *cvHarness) key(s string) {
	switch s {
	case "enter":
		h.tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	case "esc":
		h.tm.Send(tea.KeyPressMsg{Code: tea.KeyEscape})
	case "tab":
		h.tm.Send(tea.KeyPressMsg{Code: tea.KeyTab})
	case "up":
		h.tm.Send(tea.KeyPressMsg{Code: tea.KeyUp})
	case "down":
		h.tm.Send(tea.KeyPressMsg{Code: tea.KeyDown})
	case "pgup":
		h.tm.Send(tea.KeyPressMsg{Code: tea.KeyPgUp})
	case "ctrl+c":
		h.tm.Send(tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl})
	case "ctrl+g":
		h.tm.Send(tea.KeyPressMsg{Code: 'g', Mod: tea.ModCtrl})
	default:
		h.tm.Type(s)
	}
}

// final stops the program (unless it ended itself) and returns its model.
func (h *cvHarness) final(t *testing.T) tea.Model {
	t.Helper()
	_ = h.tm.Quit()
	return h.tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second))
}

func cvScreen(m tea.Model) string { return ansi.Strip(m.View().Content) }

func cvAt(s cvStage) func(tea.Model) bool {
	return func(m tea.Model) bool { return m.(*CloneView).stage == s }
}

// cvNewTest builds a clone view on the fake, at the golden clock, and
// stops its goroutines when the test ends.
func cvNewTest(t *testing.T, f *cvFake, clock *cvClock, edit func(*CloneViewOptions)) *CloneView {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	if f.clock == nil {
		f.clock = clock
	}
	o := CloneViewOptions{Artifact: cvTestArtifact(), Stack: cvStack, Region: "eu-west-1", Start: f.Start, Teardown: f.Teardown,
		Theme: NewTheme(true, false), Now: clock.Now, Still: true}
	if edit != nil {
		edit(&o)
	}
	m := NewCloneView(ctx, o)
	t.Cleanup(func() { cancel(); m.Close() })
	return m
}

func TestCloneViewPasswordPrompt(t *testing.T) {
	clock := &cvClock{t: cvT0}
	m := cvNewTest(t, &cvFake{}, clock, func(o *CloneViewOptions) { o.NeedPassword = true })
	h := cvRunTest(t, m, 100, 30)
	h.key("hunter2")
	h.key("enter")
	h.waitFor(t, "the length error", func(tm tea.Model) bool { return strings.Contains(tm.(*CloneView).pwErr, "7 characters") })
	golden.RequireEqual(t, cvScreen(h.final(t)))
}

func TestCloneViewPasswordRules(t *testing.T) {
	for pw, want := range map[string]string{
		"":                      "ctrl+g",
		"short":                 "8 to 41",
		"has space here":        "refuses",
		"no@at-signs-ok":        "refuses",
		`quote"inside1`:         "refuses",
		"slash/inside1":         "refuses",
		"Correct-Horse-9":       "",
		strings.Repeat("x", 42): "42 characters",
	} {
		err := cvCheckPassword(pw)
		if want == "" && err != nil || want != "" && (err == nil || !strings.Contains(err.Error(), want)) {
			t.Errorf("cvCheckPassword(%q) = %v, want %q", pw, err, want)
		}
		if err != nil && pw != "" && strings.Contains(err.Error(), pw) {
			t.Errorf("the error shows the password: %v", err)
		}
	}
}

func TestCloneViewPasswordMismatchThenMatch(t *testing.T) {
	clock := &cvClock{t: cvT0}
	f := &cvFake{startEvs: cvCreating(), hold: true}
	m := cvNewTest(t, f, clock, func(o *CloneViewOptions) { o.NeedPassword, o.SkipSummary = true, true })
	h := cvRunTest(t, m, 100, 30)
	h.key("Correct-Horse-9")
	h.key("enter")
	h.key("Correct-Horse-8")
	h.key("enter")
	h.waitFor(t, "the mismatch", func(tm tea.Model) bool { return strings.Contains(tm.(*CloneView).pwErr, "differ") })
	h.key("Correct-Horse-9")
	h.key("enter")
	h.key("Correct-Horse-9")
	h.key("enter")
	h.waitFor(t, "the clone to start", func(tm tea.Model) bool { return tm.(*CloneView).stackKnown })
	h.final(t)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.password != "Correct-Horse-9" || f.generated {
		t.Fatalf("Start got password %q generated %v", f.password, f.generated)
	}
	if m.password != "" || m.pw[0].Value() != "" || m.pw[1].Value() != "" {
		t.Fatal("the view still holds the password once the clone started")
	}
}

func TestCloneViewSummary(t *testing.T) {
	clock := &cvClock{t: cvT0}
	m := cvNewTest(t, &cvFake{}, clock, nil)
	h := cvRunTest(t, m, 100, 30)
	h.waitFor(t, "the size", func(tm tea.Model) bool { return tm.(*CloneView).w == 100 })
	golden.RequireEqual(t, cvScreen(h.final(t)))
}

func TestCloneViewSummaryQuitCreatesNothing(t *testing.T) {
	clock := &cvClock{t: cvT0}
	f := &cvFake{}
	m := cvNewTest(t, f, clock, nil)
	h := cvRunTest(t, m, 100, 30)
	h.key("q")
	h.tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
	m.Close()
	if got := m.Result(); !errors.Is(got.Err, ErrCloneCancelled) || len(f.Calls()) != 0 {
		t.Fatalf("result %+v, calls %v", got, f.Calls())
	}
	if !strings.Contains(cvScreen(m), "nothing was created") {
		t.Fatalf("final frame: %q", cvScreen(m))
	}
}

// cvInProgress runs a clone up to its cluster being created, the clock 4m30s on.
func cvInProgress(t *testing.T) (*cvHarness, *CloneView, *cvFake, *cvClock) {
	clock := &cvClock{t: cvT0}
	f := &cvFake{startEvs: cvCreating(), hold: true, tdEvs: cvDeletion(300, "prod")}
	m := cvNewTest(t, f, clock, func(o *CloneViewOptions) { o.SkipSummary = true })
	h := cvRunTest(t, m, 100, 30)
	n := len(cvCreating()) - 2 // all but CloneStarted and the phase reach the log… plus the phase line
	h.waitFor(t, "the creating events", func(tm tea.Model) bool { return tm.(*CloneView).log.len() == n+1 })
	clock.Set(cvT0.Add(4*time.Minute + 30*time.Second))
	return h, m, f, clock
}

func TestCloneViewInProgress(t *testing.T) {
	h, _, _, _ := cvInProgress(t)
	golden.RequireEqual(t, cvScreen(h.final(t)))
}

func TestCloneViewCtrlCChoices(t *testing.T) {
	h, _, _, _ := cvInProgress(t)
	h.key("ctrl+c")
	h.waitFor(t, "the question", func(tm tea.Model) bool { return tm.(*CloneView).ask == cvAskInterrupt })
	golden.RequireEqual(t, cvScreen(h.final(t)))
}

func TestCloneViewCtrlCKeepCreating(t *testing.T) {
	h, m, f, _ := cvInProgress(t)
	h.key("ctrl+c")
	h.key("k")
	h.tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
	m.Close()
	res := m.Result()
	var ie *artifact.InterruptedError
	if res.LeftRunning != cvStack || !errors.As(res.Err, &ie) || res.TeardownCommand() != "dbaf teardown "+cvStack+" --yes" {
		t.Fatalf("result %+v", res)
	}
	if calls := f.Calls(); strings.Join(calls, ",") != "start,start returned" {
		t.Fatalf("calls %v: want the watch stopped and no teardown", calls)
	}
	if s := cvScreen(m); !strings.Contains(s, "dbaf teardown "+cvStack+" --yes") || !strings.Contains(s, "still being created") {
		t.Fatalf("final frame: %s", s)
	}
}

func TestCloneViewCtrlCTearDownNow(t *testing.T) {
	h, m, f, _ := cvInProgress(t)
	h.key("ctrl+c")
	h.key("d")
	h.waitFor(t, "the teardown to finish", cvAt(cvStageTornDown))
	h.key("q")
	h.tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
	m.Close()
	if got := strings.Join(f.Calls(), ","); got != "start,start returned,teardown "+cvStack {
		t.Fatalf("calls %s: the teardown must start once the watch has stopped", got)
	}
	if res := m.Result(); !res.TornDown || res.LeftRunning != "" || res.Err != nil {
		t.Fatalf("result %+v", res)
	}
}

func TestCloneViewCtrlCBeforeStackQuits(t *testing.T) {
	clock := &cvClock{t: cvT0}
	f := &cvFake{beforeHold: true}
	m := cvNewTest(t, f, clock, func(o *CloneViewOptions) { o.SkipSummary = true })
	h := cvRunTest(t, m, 100, 30)
	h.waitFor(t, "the start", func(tm tea.Model) bool { return len(f.Calls()) > 0 })
	h.key("ctrl+c")
	h.tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
	m.Close()
	res := m.Result()
	var ie *artifact.InterruptedError
	// The fake's create call was in flight: the result names the stack it may have made.
	if !errors.As(res.Err, &ie) || res.LeftRunning != cvStack {
		t.Fatalf("result %+v", res)
	}
}

func TestCloneViewReadyGeneratedPassword(t *testing.T) {
	clock := &cvClock{t: cvT0}
	ready := cvReady("q7Rk2mXv9TzB4nWc8LpD3sHf")
	f := &cvFake{startEvs: cvSuccess(ready), ready: ready}
	m := cvNewTest(t, f, clock, func(o *CloneViewOptions) { o.NeedPassword = true })
	h := cvRunTest(t, m, 100, 30)
	h.key("ctrl+g")
	h.waitFor(t, "the summary", cvAt(cvStageSummary))
	h.key("enter")
	h.waitFor(t, "ready", cvAt(cvStageReady))
	fm := h.final(t)
	golden.RequireEqual(t, cvScreen(fm))
	if f.password != "" || !f.generated {
		t.Fatalf("Start got %q generated %v: want the starter to generate", f.password, f.generated)
	}
}

func TestCloneViewReadyCopyAndQuit(t *testing.T) {
	clock := &cvClock{t: cvT0}
	ready := cvReady("")
	f := &cvFake{startEvs: cvSuccess(ready), ready: ready}
	m := cvNewTest(t, f, clock, func(o *CloneViewOptions) { o.SkipSummary = true })
	h := cvRunTest(t, m, 100, 30)
	h.waitFor(t, "ready", cvAt(cvStageReady))
	h.key("c")
	h.waitFor(t, "the copy notice", func(tm tea.Model) bool { return strings.Contains(tm.(*CloneView).flash, "clipboard") })
	h.key("q")
	h.tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
	m.Close()
	res := m.Result()
	if res.Ready == nil || res.LeftRunning != cvStack || res.Err != nil {
		t.Fatalf("result %+v", res)
	}
	s := cvScreen(m)
	if !strings.Contains(s, cvHost) || !strings.Contains(s, "dbaf teardown "+cvStack+" --yes") || strings.Contains(s, "password") {
		t.Fatalf("final frame: %s", s)
	}
}

func TestCloneViewFailedRootCause(t *testing.T) {
	clock := &cvClock{t: cvT0}
	evs, cerr := cvInstanceFails()
	f := &cvFake{startEvs: evs, startErr: cerr}
	m := cvNewTest(t, f, clock, func(o *CloneViewOptions) { o.SkipSummary = true })
	h := cvRunTest(t, m, 100, 30)
	h.waitFor(t, "failed", cvAt(cvStageFailed))
	fm := h.final(t).(*CloneView)
	golden.RequireEqual(t, cvScreen(fm))
	if fm.remains() {
		t.Fatal("a rolled-back, deleted stack offers a teardown")
	}
}

func TestCloneViewFailedCancelledKept(t *testing.T) {
	clock := &cvClock{t: cvT0}
	evs, cerr := cvSubnetFails()
	f := &cvFake{startEvs: evs, startErr: cerr, tdEvs: cvDeletion(30, "prod")}
	m := cvNewTest(t, f, clock, func(o *CloneViewOptions) { o.SkipSummary = true })
	h := cvRunTest(t, m, 100, 30)
	h.waitFor(t, "failed", cvAt(cvStageFailed))
	fm := h.final(t).(*CloneView)
	golden.RequireEqual(t, cvScreen(fm))
	if !fm.remains() {
		t.Fatal("a kept stack offers no teardown")
	}
	res := fm.Result()
	if res.Failed == nil || res.Failed.Resource != "SubnetGroup" {
		t.Fatalf("result %+v", res)
	}
}

func TestCloneViewTeardownNothingLeft(t *testing.T) {
	clock := &cvClock{t: cvT0}
	ready := cvReady("")
	f := &cvFake{startEvs: cvSuccess(ready), ready: ready, tdEvs: cvDeletion(700, "prod")}
	m := cvNewTest(t, f, clock, func(o *CloneViewOptions) { o.SkipSummary = true })
	h := cvRunTest(t, m, 100, 30)
	h.waitFor(t, "ready", cvAt(cvStageReady))
	clock.Set(cvT0.Add(11 * time.Minute))
	h.key("t")
	h.waitFor(t, "the confirmation", func(tm tea.Model) bool { return tm.(*CloneView).ask == cvAskTeardown })
	h.key("y")
	h.waitFor(t, "nothing left", cvAt(cvStageTornDown))
	fm := h.final(t).(*CloneView)
	golden.RequireEqual(t, cvScreen(fm))
	if res := fm.Result(); !res.TornDown || res.LeftRunning != "" || res.Ready == nil {
		t.Fatalf("result %+v", res)
	}
}

func TestCloneViewTeardownFailsThenRetries(t *testing.T) {
	clock := &cvClock{t: cvT0}
	var mu sync.Mutex
	tries := 0
	m := NewTeardownView(context.Background(), CloneViewOptions{Stack: cvStack, Region: "eu-west-1", Theme: NewTheme(true, false), Now: clock.Now, Still: true,
		Teardown: func(ctx context.Context, stack string, emit artifact.Emit) error {
			mu.Lock()
			tries++
			try := tries
			mu.Unlock()
			evs := cvDeletion(0, "prod")
			if try > 1 {
				for _, e := range evs {
					emit(e)
				}
				return nil
			}
			for _, e := range evs[:4] {
				emit(e)
			}
			emit(cvEv(9, "Instance", cvIN, "DELETE_FAILED", "Cannot delete protected DB Instance, please disable deletion protection and try again. (Service: Rds, Status Code: 400, Request ID: x)"))
			emit(cvStackEv(10, "DELETE_FAILED", "The following resource(s) failed to delete: [Instance]. "))
			return errors.New("stack " + stack + " could not be deleted (DELETE_FAILED): Instance Cannot delete protected DB Instance; fix that and run dbaf teardown " + stack + " --yes again")
		}})
	defer m.Close()
	h := cvRunTest(t, m, 100, 30)
	h.waitFor(t, "the failure", cvAt(cvStageTeardownFailed))
	s := cvScreen(m)
	for _, want := range []string{"✗ Could not tear down", "Cannot delete protected DB Instance", "delete failed", "t tear down what remains"} {
		if !strings.Contains(s, want) {
			t.Errorf("missing %q in\n%s", want, s)
		}
	}
	order := func() string {
		var ids []string
		for _, r := range m.rows {
			ids = append(ids, r.id)
		}
		return strings.Join(ids, ",")
	}
	first := order()
	h.key("t")
	h.key("y")
	h.waitFor(t, "nothing left", cvAt(cvStageTornDown))
	h.final(t)
	if got := order(); got != first || got != "Instance,Cluster,SecurityGroup,SubnetGroup" {
		t.Fatalf("rows %s, then %s: want the deletion order both times", first, got)
	}
	if res := m.Result(); !res.TornDown || res.Err != nil {
		t.Fatalf("result %+v", res)
	}
}

// cvFeed gives a view events as if its clone were running.
func cvFeed(m *CloneView, evs ...artifact.Event) {
	if m.startOp == nil {
		// An operation whose goroutine never runs: the test delivers its events.
		m.startOp, _ = cvLaunch(context.Background(), func(context.Context, artifact.Emit) (*artifact.CloneReady, error) { return nil, nil })
		m.stage = cvStageRunning
		m.startAt = m.now()
	}
	m.Update(cvEventsMsg{op: m.startOp, events: evs})
}

func cvManyEvents(n int) []artifact.Event {
	evs := make([]artifact.Event, 0, n)
	for i := range n {
		evs = append(evs, cvEv(i, "Cluster", cvCL, "CREATE_IN_PROGRESS", fmt.Sprintf("event %d: configuring the cluster's parameter group and enhanced monitoring", i)))
	}
	return evs
}

func TestCloneViewStaysWithinTerminal(t *testing.T) {
	clock := &cvClock{t: cvT0}
	for _, size := range [][2]int{{100, 30}, {80, 24}, {60, 12}, {40, 8}, {120, 60}} {
		for _, evs := range [][]artifact.Event{cvSuccess(cvReady("pw-generated-123")), cvMustEvents(cvInstanceFails()), append(cvCreating(), cvManyEvents(5000)...)} {
			m := cvNewTest(t, &cvFake{}, clock, nil)
			m.Update(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
			cvFeed(m, evs...)
			m.stage = cvStageRunning
			for _, stage := range []cvStage{cvStageRunning, cvStageReady, cvStageFailed} {
				m.stage = stage
				if stage == cvStageFailed && m.failed == nil {
					continue
				}
				if stage == cvStageReady && m.ready == nil {
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

func cvMustEvents(evs []artifact.Event, _ *artifact.CloneError) []artifact.Event { return evs }

func TestCloneViewLogFollowsAndScrolls(t *testing.T) {
	clock := &cvClock{t: cvT0}
	m := cvNewTest(t, &cvFake{}, clock, nil)
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	cvFeed(m, append(cvCreating(), cvManyEvents(3000)...)...)
	if !strings.Contains(cvScreen(m), "event 2999:") || m.logScroll != 0 {
		t.Fatal("the log does not follow the newest event")
	}
	m.Update(tea.KeyPressMsg{Code: tea.KeyPgUp})
	at := m.logScroll
	if at == 0 || strings.Contains(cvScreen(m), "event 2999:") {
		t.Fatal("pgup did not scroll")
	}
	logLines := func() string { // the visible events, without the title's counts
		var out []string
		for _, l := range strings.Split(cvScreen(m), "\n") {
			if strings.Contains(l, "event ") {
				out = append(out, l)
			}
		}
		return strings.Join(out, "\n")
	}
	before := logLines()
	cvFeed(m, cvManyEvents(3)...)
	if m.logScroll != at+3 || logLines() != before {
		t.Fatal("a scrolled log moved when events arrived")
	}
	m.Update(tea.KeyPressMsg{Code: tea.KeyEnd})
	if m.logScroll != 0 || !strings.Contains(cvScreen(m), "event 2:") {
		t.Fatal("end did not go back to following")
	}
	m.Update(tea.KeyPressMsg{Code: tea.KeyHome})
	if !strings.Contains(cvScreen(m), "User Initiated") {
		t.Fatal("home did not reach the first event")
	}
}

func TestCloneViewLogLimit(t *testing.T) {
	clock := &cvClock{t: cvT0}
	m := cvNewTest(t, &cvFake{}, clock, func(o *CloneViewOptions) { o.LogLimit = 1000 })
	cvFeed(m, cvManyEvents(5000)...)
	if n := m.log.len(); n < 1000 || n > 1250 {
		t.Fatalf("kept %d events with a limit of 1000", n)
	}
	if last := m.log.entries[m.log.len()-1].text; !strings.Contains(last, "event 4999:") {
		t.Fatalf("last entry %q", last)
	}
	if !strings.Contains(cvScreen(m), "Events 5000") {
		t.Fatal("the title does not count every event")
	}
}

func TestCloneViewRowDurationSurvivesRepeatedInProgress(t *testing.T) {
	clock := &cvClock{t: cvT0.Add(time.Hour)}
	m := cvNewTest(t, &cvFake{}, clock, nil)
	cvFeed(m, cvStarted(),
		cvEv(10, "Cluster", cvCL, "CREATE_IN_PROGRESS", ""),
		cvEv(70, "Cluster", cvCL, "CREATE_IN_PROGRESS", "Resource creation Initiated"),
		cvEv(190, "Cluster", cvCL, "CREATE_COMPLETE", ""))
	r := m.rows[m.rowIndex("Cluster")]
	if got := m.rowDur(&r); got != "3m00s" {
		t.Fatalf("duration %s, want 3m00s from the first IN_PROGRESS", got)
	}
	if i := m.rowIndex("Instance"); m.rows[i].status != "" || !strings.Contains(cvScreen(m), "waiting") {
		t.Fatal("a resource without events is not shown waiting")
	}
}

func TestCloneViewFailedKeptTornDown(t *testing.T) {
	clock := &cvClock{t: cvT0}
	evs, cerr := cvSubnetFails()
	td := []artifact.Event{
		artifact.CloneStarted{Stack: cvStack, StackID: cvStackID, Source: "prod", Region: "eu-west-1", Resources: []artifact.ResourceInfo{
			{LogicalID: "SecurityGroup", Type: cvSG, Label: cvSG}, {LogicalID: "SubnetGroup", Type: cvSNG, Label: cvSNG}}},
		artifact.Phase{Phase: artifact.PhaseDeleting},
		cvStackEv(40, "DELETE_IN_PROGRESS", "User Initiated"),
		cvEv(41, "SecurityGroup", cvSG, "DELETE_COMPLETE", ""),
		cvEv(41, "SubnetGroup", cvSNG, "DELETE_COMPLETE", ""),
		cvStackEv(42, "DELETE_COMPLETE", ""),
		artifact.TornDown{Stack: cvStack},
	}
	f := &cvFake{startEvs: evs, startErr: cerr, tdEvs: td}
	m := cvNewTest(t, f, clock, func(o *CloneViewOptions) { o.SkipSummary = true })
	h := cvRunTest(t, m, 100, 30)
	h.waitFor(t, "failed", cvAt(cvStageFailed))
	h.key("t")
	h.key("y")
	h.waitFor(t, "nothing left", cvAt(cvStageTornDown))
	s := cvScreen(h.final(t))
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
	clock := &cvClock{t: cvT0}
	ready := cvReady("")
	evs := cvSuccess(ready)
	evs = evs[:len(evs)-4] // up to CREATE_COMPLETE and the password reset
	f := &cvFake{startEvs: evs, startErr: errors.New("rds:ModifyDBCluster: AccessDenied: not authorized to reset the master password")}
	m := cvNewTest(t, f, clock, func(o *CloneViewOptions) { o.SkipSummary = true })
	h := cvRunTest(t, m, 100, 30)
	h.waitFor(t, "the error", cvAt(cvStageError))
	s := cvScreen(m)
	for _, want := range []string{"The clone stopped", "AccessDenied", "t tear down what remains"} {
		if !strings.Contains(s, want) {
			t.Errorf("missing %q in\n%s", want, s)
		}
	}
	h.key("q")
	h.tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
	m.Close()
	if res := m.Result(); res.LeftRunning != cvStack || res.Err == nil {
		t.Fatalf("result %+v", res)
	}
}
