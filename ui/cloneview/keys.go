package cloneview

import (
	"charm.land/bubbles/v2/key"

	"github.com/dbaf/dbaf/ui/common"
	"github.com/dbaf/dbaf/ui/stackprogress"
)

// keyMap holds the clone view's key bindings. The hint line and the "?"
// panel are built from them: help returns the ones of the stage shown.
type keyMap struct {
	Help, CloseHelp, Interrupt key.Binding

	// The summary.
	Create, SummaryQuit, SummaryBack, Recheck key.Binding

	// ctrl+c while the stack is being created (or, in a reset, deleted).
	Keep, TeardownNow, AskBack key.Binding
	KeepDeleting               key.Binding
	// The tear-down question.
	Yes, No key.Binding

	Stop, QuitNow, StopWatching key.Binding
	Teardown, TeardownRest      key.Binding
	Copy                        key.Binding
	Leave, LeaveKept, Close     key.Binding

	log stackprogress.Keys
}

// newKeyMap builds the bindings; back is what q does to the view: "quit",
// or "back" when a host shows it.
func newKeyMap(back string) keyMap {
	b := common.Bind
	return keyMap{
		Help:      b("?", "all keys", "?"),
		CloseHelp: b("any key", "close the keys"),
		Interrupt: b("ctrl+c", "quit", "ctrl+c"),

		Create:      b("enter", "create the clone", "enter"),
		SummaryQuit: b("q", "quit", "q", "ctrl+c"),
		SummaryBack: b("esc", "back to the password", "esc"),
		Recheck:     b("r", "check again", "r"),

		Keep:        b("k", "keep creating & quit", "k", "ctrl+c"),
		TeardownNow: b("d", "tear down now", "d"),
		// The same keys as Keep, said for a reset's deletion.
		KeepDeleting: b("k", "quit (the deletion goes on)", "k", "ctrl+c"),
		AskBack:      b("esc", "back", "esc", "b", "n"),
		Yes:          b("y", "tear down", "y"),
		No:           b("n", "keep", "n", "esc", "q"),

		Stop:         b("ctrl+c", "stop…", "ctrl+c", "q"),
		QuitNow:      b("ctrl+c", "quit now (the stack goes on)", "ctrl+c"),
		StopWatching: b("ctrl+c", "stop watching (deletion goes on)", "ctrl+c", "q"),
		Teardown:     b("t", "tear down", "t"),
		TeardownRest: b("t", "tear down what remains", "t"),
		Copy:         b("c", "copy connection", "c"),
		LeaveKept:    b("q", back+" (clone keeps running)", "q", "ctrl+c", "esc"),
		Leave:        b("q", back, "q", "ctrl+c", "esc"),
		Close:        b("q", back, "q", "ctrl+c", "esc", "enter"),

		log: stackprogress.NewKeys(),
	}
}

// help is the keys of the stage shown: its own first, then the log's
// (whose full list is the panel's second column).
func (m *Model) help() common.KeyMap {
	k := m.keys
	stage, log := m.stageKeys()
	return common.KeyMap{Short: append(stage, log...), Full: [][]key.Binding{stage, k.log.Full()}}
}

// stageKeys are the keys of the current stage, most useful first, and the
// log's short hints that go with them.
func (m *Model) stageKeys() (stage, log []key.Binding) {
	k := m.keys
	scroll := k.log.Short(m.prog.Focus)
	switch m.ask {
	case askInterrupt:
		if m.resetDel {
			return []key.Binding{k.KeepDeleting, k.AskBack}, nil
		}
		return []key.Binding{k.Keep, k.TeardownNow, k.AskBack}, nil
	case askTeardown:
		return []key.Binding{k.Yes, k.No}, nil
	}
	switch m.stage {
	case stagePassword:
		return m.pw.Keys.Help(), nil
	case stageSummary:
		keys := []key.Binding{k.Create, k.SummaryQuit}
		if m.pre.Recheckable() {
			keys = []key.Binding{k.Recheck, k.SummaryQuit}
			if !m.pre.Blocks() {
				keys = []key.Binding{k.Create, k.Recheck, k.SummaryQuit}
			}
		}
		if m.o.NeedPassword {
			keys = append(keys, k.SummaryBack)
		}
		return keys, nil
	case stageRunning:
		return []key.Binding{k.Stop}, scroll
	case stageStopping:
		return []key.Binding{k.QuitNow}, nil
	case stageReady:
		return []key.Binding{k.Teardown, k.Copy, k.LeaveKept}, scroll[:1]
	case stageFailed, stageError, stageTeardownFailed:
		var keys []key.Binding
		if m.remains() {
			keys = append(keys, k.TeardownRest)
		}
		return append(keys, k.Leave), scroll[:1]
	case stageTeardown:
		return []key.Binding{k.StopWatching}, scroll
	case stageTornDown:
		return []key.Binding{k.Close}, scroll[:1]
	}
	return nil, nil
}
