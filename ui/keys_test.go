package ui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"
)

// At 80 columns the keys and confirm prompts wrap instead of being cut.

func TestCloneListConfirmWrapsAt80(t *testing.T) {
	m := clNewTest(t, &clFake{answers: []clAnswer{{clones: clClones(cvT0)}}}, nil)
	h := cvRunTest(t, m, 80, 24)
	h.waitFor(t, "the table", clAt(clStageTable))
	table := cvScreen(m)
	h.key("t")
	h.waitFor(t, "the question", func(tm tea.Model) bool { return tm.(*CloneList).confirm })
	s := cvScreen(h.final(t))
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

func TestCloneViewKeysWrapAt80(t *testing.T) {
	ready := cvReady("")
	m := cvNewTest(t, &cvFake{startEvs: cvSuccess(ready), ready: ready}, &cvClock{t: cvT0}, func(o *CloneViewOptions) { o.SkipSummary = true })
	h := cvRunTest(t, m, 80, 24)
	h.waitFor(t, "ready", cvAt(cvStageReady))
	s := cvScreen(m)
	if !strings.Contains(s, "q quit (clone keeps running)") || !strings.Contains(s, "scroll") {
		t.Errorf("the ready keys are cut at 80 columns:\n%s", s)
	}
	if n := len(strings.Split(s, "\n")); n > 24 {
		t.Errorf("%d lines on a 24-line terminal", n)
	}
	h.final(t)
}

func TestHomeKeysWrapAt80(t *testing.T) {
	tm, p := wizRun(t, NewHome(DefaultHomeEntries(), NewTheme(true, false)), 60, 12)
	wizWaitFor(t, p, "› 1  Build an artifact")
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	s := ansi.Strip(tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*wizProbe).m.View().Content)
	if !strings.Contains(s, "? all keys") || len(strings.Split(s, "\n")) != 12 {
		t.Errorf("home keys cut or screen not 12 lines at 60x12:\n%s", s)
	}
}

// Columns take their content's width when the terminal has room.
func TestCloneListColumnsFromContent(t *testing.T) {
	clones := clClones(cvT0)
	clones[0].Owner = "arn:aws:iam::123456789012:user/alexandra.konstantinopoulou"
	clones[1].Source = "orders-mysql-reporting-replica-eu"
	m := clNewTest(t, &clFake{answers: []clAnswer{{clones: clones}}}, nil)
	h := cvRunTest(t, m, 220, 24)
	h.waitFor(t, "the table", clAt(clStageTable))
	s := cvScreen(h.final(t))
	for _, want := range []string{"alexandra.konstantinopoulou", "orders-mysql-reporting-replica-eu", "gh-actions"} {
		if !strings.Contains(s, want) {
			t.Errorf("%q is cut on a 220-column terminal:\n%s", want, s)
		}
	}
}

// "?" in the clone view shows every key, and any key closes it.
func TestCloneViewHelpKey(t *testing.T) {
	h, m, _, _ := cvInProgress(t)
	h.key("?")
	h.waitFor(t, "the keys", func(tm tea.Model) bool { return tm.(*CloneView).showHelp })
	s := cvScreen(m)
	for _, want := range []string{"Keys", "ctrl+c", "stop…", "home/g", "the oldest event", "end/G", "follow new events"} {
		if !strings.Contains(s, want) {
			t.Errorf("the keys panel lacks %q:\n%s", want, s)
		}
	}
	h.key("x")
	h.waitFor(t, "the keys closed", func(tm tea.Model) bool { return !tm.(*CloneView).showHelp })
	if s := cvScreen(h.final(t)); strings.Contains(s, "the oldest event") {
		t.Errorf("the keys panel is still shown:\n%s", s)
	}
}
