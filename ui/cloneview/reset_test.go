package cloneview

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"
	teatest "github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/dbaf/dbaf/artifact"
	"github.com/dbaf/dbaf/ui/internal/uitest"
)

const recreateCmd = "dbaf clone --name " + uitest.Stack + " --image db-artifact:latest"

// resetDeleting is what artifact.Reset emits up to the old stack's
// instance being deleted: its start, then the teardown's.
func resetDeleting() []artifact.Event {
	del := uitest.Deletion(0, "prod")
	started := del[0].(artifact.CloneStarted)
	return []artifact.Event{
		artifact.ResetStarted{Stack: uitest.Stack, StackID: uitest.StackID, Source: "prod", Region: "eu-west-1", Image: "db-artifact:latest",
			Endpoint: uitest.Host, Recreate: recreateCmd},
		artifact.TeardownStarted{Stack: uitest.Stack, StackID: uitest.StackID, Source: "prod", Region: "eu-west-1", Resources: started.Resources},
		del[1], del[2], del[3],
	}
}

// resetSuccess is a whole reset: the deletion, the reset's word that the
// stack is gone, then a clone under the same name.
func resetSuccess(ready *artifact.CloneReady) []artifact.Event {
	evs := resetDeleting()
	evs = append(evs, uitest.Deletion(0, "prod")[4:12]...) // the rest of the deletion, without its TornDown
	evs = append(evs, artifact.Progress{Step: string(artifact.PhaseDeleting), Line: "nothing left of " + uitest.Stack + ": cloning prod again under the same name"})
	return append(evs, success(ready)...)
}

func newResetTest(t *testing.T, f *cvFake, clock *uitest.Clock) *Model {
	t.Helper()
	return newTest(t, f, clock, func(o *Options) { o.SkipSummary, o.Flow, o.Recreate = true, FlowReset, recreateCmd })
}

func TestResetViewSummary(t *testing.T) {
	clock := &uitest.Clock{T: uitest.T0}
	m := newTest(t, &cvFake{}, clock, func(o *Options) { o.Flow = FlowReset })
	h := uitest.RunHarness(t, m, 100, 34)
	h.WaitFor(t, "the size", func(tm tea.Model) bool { return tm.(*Model).Width == 100 })
	golden.RequireEqual(t, uitest.Screen(h.Final(t)))
}

func TestResetViewDeleting(t *testing.T) {
	clock := &uitest.Clock{T: uitest.T0.Add(90 * time.Second)}
	f := &cvFake{startEvs: resetDeleting(), hold: true}
	m := newResetTest(t, f, clock)
	h := uitest.RunHarness(t, m, 100, 30)
	h.WaitFor(t, "the deletion", func(tm tea.Model) bool {
		return tm.(*Model).stackState == "DELETE_IN_PROGRESS" && tm.(*Model).prog.Len() == 4
	})
	golden.RequireEqual(t, uitest.Screen(h.Final(t)))
}

// TestResetViewDeletesThenCreates: the rows run in reverse while the old
// stack goes, then afresh as the new one is made; the stepper starts with
// the deletion; the ready panel says what a reset did.
func TestResetViewDeletesThenCreates(t *testing.T) {
	clock := &uitest.Clock{T: uitest.T0}
	ready := cvReady("")
	f := &cvFake{startEvs: resetSuccess(ready), ready: ready}
	m := newResetTest(t, f, clock)
	h := uitest.RunHarness(t, m, 140, 40)
	h.WaitFor(t, "ready", cvAt(stageReady))
	fm := h.Final(t).(*Model)
	if fm.resetDel || fm.tearing {
		t.Errorf("still deleting: resetDel %v tearing %v", fm.resetDel, fm.tearing)
	}
	for _, r := range fm.prog.Rows() {
		if r.Status != "CREATE_COMPLETE" {
			t.Errorf("row %s: %s, want the new stack's CREATE_COMPLETE", r.ID, r.Status)
		}
	}
	if got := fm.phases(); got[0] != artifact.PhaseDeleting || got[len(got)-1] != artifact.PhaseReady {
		t.Errorf("phases %q", got)
	}
	s := uitest.Screen(fm)
	var log strings.Builder
	for _, e := range fm.prog.Lines() {
		log.WriteString(e + "\n")
	}
	for _, want := range []string{"dbaf reset", "✓ deleting stack › ✓ creating stack", "Clone reset: the same endpoint", uitest.Host} {
		if !strings.Contains(s, want) {
			t.Errorf("screen lacks %q:\n%s", want, s)
		}
	}
	for _, want := range []string{"resetting " + uitest.Stack + ": tearing it down", "DELETE_COMPLETE", "nothing left of", "creating " + uitest.Stack + " again"} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, log.String())
		}
	}
	if strings.Contains(s, "rolled back") {
		t.Errorf("the reset's deletion reads as a rollback:\n%s", s)
	}
}

// TestResetViewCtrlCWhileDeleting: ctrl+c asks; the answer can only be to
// quit (tearing down is what is happening) or go back; quitting names the
// command that makes the clone again.
func TestResetViewCtrlCWhileDeleting(t *testing.T) {
	clock := &uitest.Clock{T: uitest.T0}
	f := &cvFake{startEvs: resetDeleting(), hold: true}
	m := newResetTest(t, f, clock)
	h := uitest.RunHarness(t, m, 100, 30)
	h.WaitFor(t, "the deletion", func(tm tea.Model) bool { return tm.(*Model).resetDel && tm.(*Model).stackState == "DELETE_IN_PROGRESS" })
	h.Key("ctrl+c")
	h.WaitFor(t, "the question", func(tm tea.Model) bool {
		s := uitest.Screen(tm)
		return strings.Contains(s, "is being deleted for the reset") && strings.Contains(s, recreateCmd) && !strings.Contains(s, "tear down now")
	})
	h.Key("d") // not a choice here
	h.Key("k")
	h.TM.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
	m.Close()
	var gone *artifact.ResetGoneError
	res := m.Result()
	if !errors.As(res.Err, &gone) || gone.Recreate != recreateCmd || gone.State != artifact.StateResetDeleting || !errors.Is(res.Err, context.Canceled) {
		t.Fatalf("result %+v", res)
	}
	if calls := strings.Join(f.Calls(), ","); calls != "start,start returned" {
		t.Errorf("calls %s: want the reset stopped and no teardown of the view's own", calls)
	}
	if s := uitest.Screen(m); !strings.Contains(s, "is being deleted for the reset") || !strings.Contains(s, recreateCmd) {
		t.Errorf("final frame: %s", s)
	}
}

func TestResetViewSummaryQuitDeletesNothing(t *testing.T) {
	clock := &uitest.Clock{T: uitest.T0}
	f := &cvFake{}
	m := newTest(t, f, clock, func(o *Options) { o.Flow = FlowReset })
	h := uitest.RunHarness(t, m, 100, 34)
	h.Key("q")
	h.TM.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
	m.Close()
	if got := m.Result(); !errors.Is(got.Err, ErrCancelled) || len(f.Calls()) != 0 || !strings.Contains(uitest.Screen(m), "nothing was deleted") {
		t.Fatalf("result %+v, calls %v, frame %q", got, f.Calls(), uitest.Screen(m))
	}
}

// The password is asked again, saying why the old one is the one to give.
func TestResetViewPasswordPrompt(t *testing.T) {
	clock := &uitest.Clock{T: uitest.T0}
	m := newTest(t, &cvFake{}, clock, func(o *Options) { o.Flow, o.NeedPassword = FlowReset, true })
	h := uitest.RunHarness(t, m, 100, 14)
	h.WaitFor(t, "the size", func(tm tea.Model) bool { return tm.(*Model).Width == 100 })
	golden.RequireEqual(t, uitest.Screen(h.Final(t)))
}
