// Package uitest holds what the screens' tests share: a probe that hands
// each frame to the test, a harness that waits on a model's state, the key
// presses, a settable clock and the clone fixtures.
//
// Test support only: deadcode reports it unreachable from main, as it should.
package uitest

import (
	"image/color"
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

// Probe wraps a model under test and hands each frame it would draw to
// the test, which can then wait for a state instead of sleeping, or for
// fragments of a diff-rendered terminal stream.
type Probe struct {
	M     tea.Model
	views chan string
	Last  string // the last frame a wait looked at (test goroutine only)
}

func (p *Probe) Init() tea.Cmd { return p.M.Init() }

func (p *Probe) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	m, cmd := p.M.Update(msg)
	p.M = m
	select {
	case p.views <- ansi.Strip(m.View().Content):
	default: // a test that stopped reading must not stall the program
	}
	return p, cmd
}

func (p *Probe) View() tea.View { return p.M.View() }

var (
	Enter = Key(tea.KeyEnter)
	Esc   = Key(tea.KeyEscape)
	Tab   = Key(tea.KeyTab)
	Down  = Key(tea.KeyDown)
	Up    = Key(tea.KeyUp)
	Space = tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	Bksp  = Key(tea.KeyBackspace)
)

// T0 is when the test clones start; event times count from it.
var T0 = time.Date(2026, 11, 25, 1, 0, 0, 0, time.UTC)

const (
	Stack   = "dbartifact1764032400-prod-clone"
	StackID = "arn:aws:cloudformation:eu-west-1:123456789012:stack/" + Stack + "/5e1f0a40-ca1b-11f0-9d6e-0a1b2c3d4e5f"
	Host    = Stack + ".cluster-c9akciq32xyz.eu-west-1.rds.amazonaws.com"
)

// Clock is a settable clock: goldens show the same times on every run.
type Clock struct {
	mu sync.Mutex
	T  time.Time
}

func (c *Clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.T }
func (c *Clock) Set(t time.Time) { c.mu.Lock(); c.T = t; c.mu.Unlock() }

const (
	SG  = "AWS::EC2::SecurityGroup"
	SNG = "AWS::RDS::DBSubnetGroup"
	CL  = "AWS::RDS::DBCluster"
	IN  = "AWS::RDS::DBInstance"
)

// probe watches the model from inside the program's event loop (a
// WithFilter hook), so tests wait on state rather than on screen bytes.
type probe struct {
	mu   sync.Mutex
	cond func(tea.Model) bool
	hit  chan struct{}
}

// ping wakes the filter up so it can look at the model.
type ping struct{}

func (p *probe) filter(m tea.Model, msg tea.Msg) tea.Msg {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cond != nil && p.cond(m) {
		p.cond = nil
		close(p.hit)
	}
	return msg
}

type Harness struct {
	TM    *teatest.TestModel
	probe *probe
}

// waitFor pings the program until cond holds for its model.
func (h *Harness) WaitFor(t *testing.T, what string, cond func(tea.Model) bool) {
	t.Helper()
	hit := make(chan struct{})
	h.probe.mu.Lock()
	h.probe.cond, h.probe.hit = cond, hit
	h.probe.mu.Unlock()
	deadline := time.After(5 * time.Second)
	for {
		h.TM.Send(ping{})
		select {
		case <-hit:
			return
		case <-time.After(2 * time.Millisecond):
		case <-deadline:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func (h *Harness) Key(s string) {
	switch s {
	case "enter":
		h.TM.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	case "esc":
		h.TM.Send(tea.KeyPressMsg{Code: tea.KeyEscape})
	case "tab":
		h.TM.Send(tea.KeyPressMsg{Code: tea.KeyTab})
	case "up":
		h.TM.Send(tea.KeyPressMsg{Code: tea.KeyUp})
	case "down":
		h.TM.Send(tea.KeyPressMsg{Code: tea.KeyDown})
	case "pgup":
		h.TM.Send(tea.KeyPressMsg{Code: tea.KeyPgUp})
	case "ctrl+c":
		h.TM.Send(tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl})
	case "ctrl+g":
		h.TM.Send(tea.KeyPressMsg{Code: 'g', Mod: tea.ModCtrl})
	default:
		h.TM.Type(s)
	}
}

// final stops the program (unless it ended itself) and returns its model.
func (h *Harness) Final(t *testing.T) tea.Model {
	t.Helper()
	_ = h.TM.Quit()
	return h.TM.FinalModel(t, teatest.WithFinalTimeout(5*time.Second))
}

var LightBackground = tea.BackgroundColorMsg{Color: color.RGBA{0xfa, 0xfa, 0xfa, 0xff}}

// Run starts model in teatest at width x height with the ASCII profile.
func Run(t *testing.T, model tea.Model, width, height int) (*teatest.TestModel, *Probe) {
	t.Helper()
	p := &Probe{M: model, views: make(chan string, 4096)}
	tm := teatest.NewTestModel(t, p, teatest.WithInitialTermSize(width, height),
		teatest.WithProgramOptions(
			tea.WithColorProfile(colorprofile.Ascii),
			tea.WithEnvironment([]string{"TERM=xterm-256color"})))
	t.Cleanup(func() { _ = tm.Quit() })
	return tm, p
}

// Wait returns the first frame for which ok holds, failing after a few
// seconds with the last frame seen.
func Wait(t *testing.T, p *Probe, ok func(string) bool) string {
	t.Helper()
	// The frame already reached counts: waiting twice for one state
	// must not need a new frame.
	if p.Last != "" && ok(p.Last) {
		return p.Last
	}
	// Generous: a passing wait returns at its frame; a loaded machine (the
	// whole suite on two cores) can take seconds to serve the discovery.
	timeout := time.After(20 * time.Second)
	for {
		select {
		case v := <-p.views:
			p.Last = v
			if ok(v) {
				return v
			}
		case <-timeout:
			t.Fatalf("timed out waiting for a frame; last frame:\n%s", p.Last)
		}
	}
}

// WaitFor waits for a frame containing every one of subs.
func WaitFor(t *testing.T, p *Probe, subs ...string) string {
	t.Helper()
	return Wait(t, p, func(v string) bool {
		for _, s := range subs {
			if !strings.Contains(v, s) {
				return false
			}
		}
		return true
	})
}

func Key(code rune) tea.KeyPressMsg { return tea.KeyPressMsg{Code: code} }

func Ctrl(r rune) tea.KeyPressMsg { return tea.KeyPressMsg{Code: r, Mod: tea.ModCtrl} }

func Ev(sec int, id, typ, status, reason string) artifact.StackEvent {
	return artifact.StackEvent{Time: T0.Add(time.Duration(sec) * time.Second), LogicalID: id, ResourceType: typ, Status: status,
		Reason: reason, PhysicalID: strings.ToLower(id) + "-phys"}
}

func StackEv(sec int, status, reason string) artifact.StackEvent {
	e := Ev(sec, Stack, "AWS::CloudFormation::Stack", status, reason)
	e.PhysicalID, e.IsStack = StackID, true
	return e
}

// Deletion is what artifact.Teardown emits for a ready clone: resources
// listed by type (as StackResources gives them) in AWS's order.
func Deletion(start int, source string) []artifact.Event {
	s := start
	return []artifact.Event{
		artifact.CloneStarted{Stack: Stack, StackID: StackID, Source: source, Region: "eu-west-1", Resources: []artifact.ResourceInfo{
			{LogicalID: "Cluster", Type: CL, Label: CL}, {LogicalID: "Instance", Type: IN, Label: IN},
			{LogicalID: "SecurityGroup", Type: SG, Label: SG}, {LogicalID: "SubnetGroup", Type: SNG, Label: SNG}}},
		artifact.Phase{Phase: artifact.PhaseDeleting},
		StackEv(s, "DELETE_IN_PROGRESS", "User Initiated"),
		Ev(s+1, "Instance", IN, "DELETE_IN_PROGRESS", ""),
		Ev(s+305, "Instance", IN, "DELETE_COMPLETE", ""),
		Ev(s+306, "Cluster", CL, "DELETE_IN_PROGRESS", ""),
		Ev(s+371, "Cluster", CL, "DELETE_COMPLETE", ""),
		Ev(s+372, "SecurityGroup", SG, "DELETE_IN_PROGRESS", ""),
		Ev(s+372, "SubnetGroup", SNG, "DELETE_IN_PROGRESS", ""),
		Ev(s+373, "SubnetGroup", SNG, "DELETE_COMPLETE", ""),
		Ev(s+374, "SecurityGroup", SG, "DELETE_COMPLETE", ""),
		StackEv(s+375, "DELETE_COMPLETE", ""),
		artifact.TornDown{Stack: Stack},
	}
}

func RunHarness(t *testing.T, m tea.Model, w, h int) *Harness {
	t.Helper()
	p := &probe{}
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(w, h), teatest.WithProgramOptions(
		tea.WithColorProfile(colorprofile.Ascii),
		tea.WithEnvironment([]string{"TERM=xterm-256color"}),
		tea.WithFilter(p.filter)))
	return &Harness{TM: tm, probe: p}
}

func Screen(m tea.Model) string { return ansi.Strip(m.View().Content) }

// ColourFrame quits the program and returns its final frame as a 256-colour
// terminal would receive it, escape codes kept: a screen drawn without
// colours does not match its golden file.
func ColourFrame(t *testing.T, tm *teatest.TestModel) (tea.Model, string) {
	t.Helper()
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*Probe)
	var b strings.Builder
	w := &colorprofile.Writer{Forward: &b, Profile: colorprofile.ANSI256}
	if _, err := w.WriteString(fm.M.View().Content); err != nil {
		t.Fatal(err)
	}
	return fm.M, b.String()
}

// RequireColour fails unless the frame sets a foreground colour.
func RequireColour(t *testing.T, frame string) {
	t.Helper()
	if !strings.Contains(frame, "\x1b[38;5;") {
		t.Errorf("no foreground colour in the frame:\n%q", frame)
	}
}

// Artifact is the artifact the clone fixtures come from.
func Artifact() *artifact.Artifact {
	return &artifact.Artifact{SchemaVersion: 1, Image: "db-artifact:latest", Region: "eu-west-1", Publisher: "dataops@example.com",
		CloneTTL: artifact.Duration(24 * time.Hour),
		Source:   artifact.Source{ClusterID: "prod", Engine: "aurora-postgresql", EngineVersion: "16.4", Port: 5432, MasterUsername: "postgres"},
		Target: artifact.Target{InstanceClass: "db.r6g.large", SubnetsFrom: "source", SourceSubnetGroup: "prod-db-subnets", VpcID: "vpc-0a1b2c3d",
			VpcCIDR: "10.0.0.0/16", AllowedCIDR: "10.0.0.0/16",
			Subnets: []artifact.Subnet{{ID: "subnet-0a1b2c3d", AZ: "eu-west-1a", CIDR: "10.0.1.0/24"}, {ID: "subnet-4e5f6a7b", AZ: "eu-west-1b", CIDR: "10.0.2.0/24"},
				{ID: "subnet-8c9d0e1f", AZ: "eu-west-1c", CIDR: "10.0.3.0/24"}}}}
}

// Finish quits the program and compares its final frame with the golden
// file named after the test, after cutting every cut string out of it.
func Finish(t *testing.T, tm *teatest.TestModel, cut func(tea.Model) string) tea.Model {
	t.Helper()
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*Probe)
	view := ansi.Strip(fm.M.View().Content)
	if cut != nil {
		if c := cut(fm.M); c != "" {
			view = strings.ReplaceAll(view, c, "")
		}
	}
	golden.RequireEqual(t, view)
	return fm.M
}
