package home

import (
	"context"
	"errors"
	"io"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/dbaf/dbaf/ui/common"
	"github.com/dbaf/dbaf/ui/internal/uitest"
)

func homeEntries() []Entry {
	e := DefaultEntries()
	e[2].Disabled = "coming in the next release"
	return e
}

func TestHomeScreen(t *testing.T) {
	tm, p := uitest.Run(t, New(homeEntries(), common.NewTheme(true, false)), 100, 30)
	uitest.WaitFor(t, p, "› 1  Build an artifact")
	tm.Send(uitest.Down)
	uitest.WaitFor(t, p, "› 2  Clone from an artifact")
	uitest.Finish(t, tm, nil)
}

func TestHomeChooseByNumber(t *testing.T) {
	tm, _ := uitest.Run(t, New(homeEntries(), common.NewTheme(true, false)), 100, 30)
	tm.Type("2")
	fm := tm.FinalModel(t).(*uitest.Probe)
	if got := fm.M.(*Model).Choice(); got != Clone {
		t.Errorf("choice = %v, want clone", got)
	}
}

func TestHomeChooseByEnter(t *testing.T) {
	tm, _ := uitest.Run(t, New(homeEntries(), common.NewTheme(true, false)), 100, 30)
	tm.Send(uitest.Enter)
	fm := tm.FinalModel(t).(*uitest.Probe)
	if got := fm.M.(*Model).Choice(); got != Build {
		t.Errorf("choice = %v, want build", got)
	}
}

func TestHomeDisabledEntry(t *testing.T) {
	tm, p := uitest.Run(t, New(homeEntries(), common.NewTheme(true, false)), 100, 30)
	tm.Type("3")
	uitest.WaitFor(t, p, "! My clones: coming in the next release")
	h := uitest.Finish(t, tm, nil).(*Model)
	if got := h.Choice(); got != Quit {
		t.Errorf("choice = %v after a disabled entry and quitting, want quit", got)
	}
}

func TestHomeQuit(t *testing.T) {
	for _, k := range []tea.KeyPressMsg{{Code: 'q', Text: "q"}, uitest.Esc, uitest.Ctrl('c')} {
		tm, _ := uitest.Run(t, New(homeEntries(), common.NewTheme(true, false)), 80, 24)
		tm.Send(k)
		fm := tm.FinalModel(t).(*uitest.Probe)
		if got := fm.M.(*Model).Choice(); got != Quit {
			t.Errorf("%s: choice = %v, want quit", k, got)
		}
	}
}

func TestHomeOnlyEnabled(t *testing.T) {
	// The lead may pass only the entries it has wired.
	entries := []Entry{{Choice: Build, Title: "Build an artifact"}, {Choice: Quit, Title: "Quit"}}
	tm, _ := uitest.Run(t, New(entries, common.NewTheme(true, true)), 80, 24)
	tm.Type("2")
	fm := tm.FinalModel(t).(*uitest.Probe)
	if got := fm.M.(*Model).Choice(); got != Quit {
		t.Errorf("choice = %v, want quit", got)
	}
}

func TestHomeRunCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	got, err := Run(ctx, DefaultEntries(), common.NewTheme(true, true),
		tea.WithInput(nil), tea.WithOutput(io.Discard), tea.WithWindowSize(80, 24))
	if got != Quit || !errors.Is(err, tea.ErrProgramKilled) {
		t.Errorf("Run with a cancelled context = %v, %v", got, err)
	}
}
