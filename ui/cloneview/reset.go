package cloneview

// dbaf reset in the clone view: the same screen, titled "dbaf reset", whose
// stepper starts with the old stack's deletion; the rows run in reverse
// while it is deleted, then afresh for the new stack.

import (
	"context"
	"fmt"

	tea "charm.land/bubbletea/v2"

	"github.com/dbaf/dbaf/artifact"
	"github.com/dbaf/dbaf/ui/cloneresult"
	"github.com/dbaf/dbaf/ui/common"
	"github.com/dbaf/dbaf/ui/stackprogress"
)

// deleting says whether the rows show a deletion: a teardown, or the
// reset's own.
func (m *Model) deleting() bool { return m.tearing || m.resetDel }

// resetKeys says what enter does on a reset's summary.
func (k *keyMap) resetKeys() {
	k.Create = common.Bind("enter", "tear down & clone again", "enter")
}

// resetStarted begins the reset's deletion of the old stack.
func (m *Model) resetStarted(e artifact.ResetStarted) {
	m.apply(artifact.CloneStarted{Stack: e.Stack, StackID: e.StackID, Source: e.Source, Region: e.Region})
	m.resetDel, m.prog.Deleting = true, true
	if e.Recreate != "" {
		m.o.Recreate = e.Recreate
	}
	m.prog.Reverse()
	m.prog.Add(stackprogress.Phase, "── resetting "+e.Stack+": tearing it down, then cloning "+m.info.Source+" again under the same name")
}

// resetCreating ends the deletion: the new stack's rows start afresh.
func (m *Model) resetCreating() {
	m.resetDel, m.prog.Deleting = false, m.tearing
	m.prog.Reverse() // creation order again, timings cleared
	m.prog.Add(stackprogress.Phase, "── creating "+m.info.Stack+" again")
}

// quitResetting is ctrl+c's "quit" during the reset's deletion: the
// deletion goes on in AWS, and nothing makes the clone again.
func (m *Model) quitResetting() tea.Cmd {
	state := artifact.StateResetDeleting
	if m.stackState == "DELETE_COMPLETE" {
		state = artifact.StateResetGone
	}
	m.res.Err = &artifact.ResetGoneError{Stack: m.info.Stack, State: state, Recreate: m.recreate(),
		Err: fmt.Errorf("interrupted: dbaf stopped the reset: %w", context.Canceled)}
	m.startOp.Cancel()
	return m.quit()
}

func (m *Model) recreate() string {
	if m.o.Recreate != "" {
		return m.o.Recreate
	}
	return m.teardownCmds().Resume(m.info.Stack)
}

// flowWords are how the panels of a flow name it: the operation, the
// ready panel's title, and whose password the form asks for (%s: the user).
var flowWords = map[Flow]struct{ noun, ready, ask string }{
	FlowClone:    {"clone", "✓ Clone ready", "The clone needs a password for %s"},
	FlowTeardown: {"clone", "✓ Clone ready", "The clone needs a password for %s"},
	FlowReset: {"reset", "✓ Clone reset: the same endpoint, the source's latest data",
		"The clone is made again and needs a password for %s: type the one it had to keep your configs working"},
}

func (m *Model) opNoun() string     { return flowWords[m.flow].noun }
func (m *Model) readyTitle() string { return flowWords[m.flow].ready }

// resetFinalFrame is the final frame of a reset that never got as far as
// the new clone; ok is false when the clone's frames say it.
func (m *Model) resetFinalFrame(w int) (lines []string, ok bool) {
	if m.flow != FlowReset {
		return nil, false
	}
	t, stack := m.Theme, m.info.Stack
	switch {
	case m.stage == stagePassword || m.stage == stageSummary:
		return []string{t.Subtle.Render("dbaf reset: cancelled, nothing was deleted.")}, true
	case m.stage == stageRunning && !m.stackKnown:
		return []string{t.Warn.Render("dbaf reset: cancelled before anything was deleted: " + stack + " is as it was.")}, true
	case (m.stage == stageRunning || m.stage == stageStopping) && m.resetDel:
		return cloneresult.ResetStoppedDeleting(t, w, stack, m.recreate()), true
	}
	return nil, false
}
