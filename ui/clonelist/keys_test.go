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
