package cloneview

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/dbaf/dbaf/ui/internal/uitest"
)

// The values people copy from the ready panel (endpoint, connect line)
// are never broken inside it: the box grows to hold them, and what is
// wider than the terminal goes whole after the view.
func TestCloneViewReadyValuesWhole(t *testing.T) {
	ready := cvReady("")
	for _, width := range []int{100, 200} {
		m := newTest(t, &cvFake{startEvs: success(ready), ready: ready}, &uitest.Clock{T: uitest.T0}, func(o *Options) { o.SkipSummary = true })
		h := uitest.RunHarness(t, m, width, 40)
		h.WaitFor(t, "ready", cvAt(stageReady))
		live := uitest.Screen(m)
		h.Key("c")
		h.WaitFor(t, "the copy notice", func(tm tea.Model) bool { return tm.(*Model).flash != "" })
		if s := uitest.Screen(m); !strings.Contains(s, "✓ copied the connection string to the clipboard (OSC 52") {
			t.Errorf("%d columns: no visible copy notice:\n%s", width, s)
		}
		h.Key("q")
		h.TM.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
		m.Close()
		final, after := uitest.Screen(m), m.Result().Afterword
		for _, s := range []string{live, final} {
			if !strings.Contains(s, "endpoint  "+ready.Endpoint+" ") {
				t.Errorf("%d columns: the endpoint is not whole on one line:\n%s", width, s)
			}
		}
		fits := width >= len(ready.Connection)+14
		if got := strings.Contains(live, ready.Connection); got != fits {
			t.Errorf("%d columns: connect line whole on screen = %v, want %v:\n%s", width, got, fits, live)
		}
		if fits != (len(after) == 0) || !fits && after[0] != ready.Connection {
			t.Errorf("%d columns: afterword %q", width, after)
		}
	}
}
