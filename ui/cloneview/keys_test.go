package cloneview

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/dbaf/dbaf/ui/internal/uitest"
)

func TestCloneViewKeysWrapAt80(t *testing.T) {
	ready := cvReady("")
	m := newTest(t, &cvFake{startEvs: success(ready), ready: ready}, &uitest.Clock{T: uitest.T0}, func(o *Options) { o.SkipSummary = true })
	h := uitest.RunHarness(t, m, 80, 24)
	h.WaitFor(t, "ready", cvAt(stageReady))
	s := uitest.Screen(m)
	if !strings.Contains(s, "q quit (clone keeps running)") || !strings.Contains(s, "scroll") {
		t.Errorf("the ready keys are cut at 80 columns:\n%s", s)
	}
	if n := len(strings.Split(s, "\n")); n > 24 {
		t.Errorf("%d lines on a 24-line terminal", n)
	}
	h.Final(t)
}

// "?" in the clone view shows every key, and any key closes it.
func TestCloneViewHelpKey(t *testing.T) {
	h, m, _, _ := cvInProgress(t)
	h.Key("?")
	h.WaitFor(t, "the keys", func(tm tea.Model) bool { return tm.(*Model).showHelp })
	s := uitest.Screen(m)
	for _, want := range []string{"Keys", "ctrl+c", "stop…", "home/g", "the oldest event", "end/G", "follow new events"} {
		if !strings.Contains(s, want) {
			t.Errorf("the keys panel lacks %q:\n%s", want, s)
		}
	}
	h.Key("x")
	h.WaitFor(t, "the keys closed", func(tm tea.Model) bool { return !tm.(*Model).showHelp })
	if s := uitest.Screen(h.Final(t)); strings.Contains(s, "the oldest event") {
		t.Errorf("the keys panel is still shown:\n%s", s)
	}
}
