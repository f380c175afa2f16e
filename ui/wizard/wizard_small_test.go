package wizard

// The source picker at the sizes people use: the reason a cluster cannot
// be chosen is never cut, an engine's whole version shows at 120 columns,
// and a list longer than the screen says how much more there is.

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/dbaf/dbaf/ui/internal/uitest"
)

func TestWizardClusterListAt80x24(t *testing.T) {
	tm, p := uitest.Run(t, wizNew(t, wizSandbox(), nil, nil), 80, 24)
	waitListed(t, p)
	s := uitest.Screen(wizFinish2(t, tm))
	for _, want := range []string{"✗ stopped", "✗ not Aurora"} {
		if !strings.Contains(s, want) {
			t.Errorf("the why-not column lacks %q:\n%s", want, s)
		}
	}
	golden.RequireEqual(t, s)
}

func TestWizardEngineVersionAt120(t *testing.T) {
	tm, p := uitest.Run(t, wizNew(t, wizSandbox(), nil, nil), 120, 30)
	waitListed(t, p)
	if s := uitest.Screen(wizFinish2(t, tm)); !strings.Contains(s, "aurora-mysql 8.0.mysql_aurora.3.05.2  available") {
		t.Errorf("the engine's version is cut at 120 columns:\n%s", s)
	}
}

func TestWizardClusterListSaysMore(t *testing.T) {
	d := wizSandbox()
	d.clusters = append(d.clusters, manyClusters(40)...)
	tm, p := uitest.Run(t, wizNew(t, d, nil, nil), 80, 24)
	uitest.WaitFor(t, p, "45 clusters", "↓ 35 more below")
	for range 12 {
		tm.Send(uitest.Down)
	}
	uitest.WaitFor(t, p, "↑ 3 more above · ↓ 32 more below")
	s := uitest.Screen(wizFinish2(t, tm))
	if n := len(strings.Split(s, "\n")); n > 24 {
		t.Errorf("%d lines at 80x24", n)
	}
}
