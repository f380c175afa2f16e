package clonelist

// My clones at 80x24, alone and hosted by the home screen.

import (
	"context"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/dbaf/dbaf/ui/common"
	"github.com/dbaf/dbaf/ui/internal/uitest"
)

// The detail view at 80x24 says how to connect and has ?, which lists
// every key of the view.
func TestCloneListDetailAt80x24(t *testing.T) {
	m := newTest(t, &fake{answers: []clAnswer{{clones: clClones(uitest.T0)}}}, nil)
	h := uitest.RunHarness(t, m, 80, 24)
	h.WaitFor(t, "the table", clAt(stageTable))
	h.Key("enter")
	h.WaitFor(t, "the details", clAt(stageDetail))
	s := uitest.Screen(m)
	for _, want := range []string{"Connect as the source's master user", "connect dbartifact1763852400-prod-clone", "? all keys"} {
		if !strings.Contains(s, want) {
			t.Errorf("the detail view lacks %q:\n%s", want, s)
		}
	}
	if n := len(strings.Split(s, "\n")); n > 24 {
		t.Errorf("%d lines at 80x24:\n%s", n, s)
	}
	golden.RequireEqual(t, s)
	h.Key("?")
	h.WaitFor(t, "the keys", func(tm tea.Model) bool { return tm.(*Model).showHelp })
	if s := uitest.Screen(m); !strings.Contains(s, "Keys") || !strings.Contains(s, "ctrl+c quit") || !strings.Contains(s, "any key close the keys") {
		t.Errorf("the keys panel:\n%s", s)
	}
	h.Key("x")
	h.WaitFor(t, "the keys closed", func(tm tea.Model) bool { m := tm.(*Model); return !m.showHelp && m.stage == stageDetail })
	h.Final(t)
}

// Hosted by the home screen, q goes back there, and the keys say so.
func TestCloneListEmbeddedSaysBack(t *testing.T) {
	lf := &fake{answers: []clAnswer{{clones: clClones(uitest.T0)}}}
	m := New(context.Background(), Options{Region: "eu-west-1", List: lf.List, Theme: common.NewTheme(true, false), Now: (&uitest.Clock{T: uitest.T0}).Now,
		Still: true, Embedded: true})
	t.Cleanup(m.Close)
	h := uitest.RunHarness(t, m, 80, 24)
	h.WaitFor(t, "the table", clAt(stageTable))
	table := uitest.Screen(m)
	h.Key("enter")
	h.WaitFor(t, "the details", clAt(stageDetail))
	detail := uitest.Screen(m)
	for name, s := range map[string]string{"table": table, "detail": detail} {
		if !strings.Contains(s, "q back") || strings.Contains(s, "q quit") {
			t.Errorf("%s: q goes back to the home screen, but the keys say:\n%s", name, s)
		}
	}
	h.Key("q")
	h.WaitFor(t, "left", func(tm tea.Model) bool { return tm.(*Model).quitting })
	h.Final(t)
}
