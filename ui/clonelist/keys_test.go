package clonelist

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/dbaf/dbaf/ui/internal/uitest"
)

func TestCloneListConfirmWrapsAt80(t *testing.T) {
	m := newTest(t, &fake{answers: []clAnswer{{clones: clClones(uitest.T0)}}}, nil)
	h := uitest.RunHarness(t, m, 80, 24)
	h.WaitFor(t, "the table", clAt(stageTable))
	table := uitest.Screen(m)
	h.Key("t")
	h.WaitFor(t, "the question", func(tm tea.Model) bool { return tm.(*Model).confirm })
	s := uitest.Screen(h.Final(t))
	for _, want := range []string{"y tear down · n keep", "in its stack."} {
		if !strings.Contains(s, want) {
			t.Errorf("the question lacks %q at 80 columns:\n%s", want, s)
		}
	}
	if !strings.Contains(table, "q quit") {
		t.Errorf("the table's keys are cut at 80 columns:\n%s", table)
	}
	for _, l := range strings.Split(s, "\n") {
		if ansi.StringWidth(l) > 80 {
			t.Errorf("line too wide: %q", l)
		}
	}
}

// Columns take their content's width when the terminal has room.
func TestCloneListColumnsFromContent(t *testing.T) {
	clones := clClones(uitest.T0)
	clones[0].Owner = "arn:aws:iam::123456789012:user/alexandra.konstantinopoulou"
	clones[1].Source = "orders-mysql-reporting-replica-eu"
	m := newTest(t, &fake{answers: []clAnswer{{clones: clones}}}, nil)
	h := uitest.RunHarness(t, m, 220, 24)
	h.WaitFor(t, "the table", clAt(stageTable))
	s := uitest.Screen(h.Final(t))
	for _, want := range []string{"alexandra.konstantinopoulou", "orders-mysql-reporting-replica-eu", "gh-actions"} {
		if !strings.Contains(s, want) {
			t.Errorf("%q is cut on a 220-column terminal:\n%s", want, s)
		}
	}
}

// press is the key press a binding's key name stands for.
func press(k string) tea.KeyPressMsg {
	switch k {
	case "up":
		return uitest.Up
	case "down":
		return uitest.Down
	case "enter":
		return uitest.Enter
	case "esc":
		return uitest.Esc
	}
	r := []rune(k)[0]
	return tea.KeyPressMsg{Code: r, Text: k}
}

// Every key a hint line shows does something on that screen: the hints
// are the bindings the list matches, not a copy of them.
func TestCloneListHintedKeysAct(t *testing.T) {
	type state struct {
		stage                        clStage
		cursor, sortBy, seq          int
		confirm, filtering, quitting bool
		flash                        string
		showHelp                     bool
	}
	snap := func(m *Model) state {
		return state{m.stage, m.cursor, m.sortBy, m.seq, m.confirm, m.filtering, m.quitting, m.flash, m.showHelp}
	}
	screens := map[string]func(*Model){
		"table":  func(*Model) {},
		"detail": func(m *Model) { m.Update(uitest.Enter) },
	}
	for name, open := range screens {
		fresh := func() *Model {
			m := newTest(t, &fake{}, nil)
			m.Update(loadedMsg{seq: m.seq, clones: clClones(uitest.T0)})
			m.move(1) // off the first row, so both directions move
			open(m)
			return m
		}
		hints := fresh().help().ShortHelp()
		if len(hints) < 3 {
			t.Fatalf("%s: %d hints", name, len(hints))
		}
		for _, b := range hints {
			acted := false
			for _, k := range b.Keys() {
				m := fresh()
				before := snap(m)
				m.Update(press(k))
				acted = acted || snap(m) != before
			}
			if !acted {
				t.Errorf("%s: the hint %q %q does nothing", name, b.Help().Key, b.Help().Desc)
			}
		}
	}
}
