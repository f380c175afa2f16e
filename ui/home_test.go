package ui

import (
	"context"
	"errors"
	"io"
	"testing"

	tea "charm.land/bubbletea/v2"
)

func homeEntries() []HomeEntry {
	e := DefaultHomeEntries()
	e[2].Disabled = "coming in the next release"
	return e
}

func TestHomeScreen(t *testing.T) {
	tm, p := wizRun(t, NewHome(homeEntries(), NewTheme(true, false)), 100, 30)
	wizWaitFor(t, p, "› 1  Build an artifact")
	tm.Send(wizDown)
	wizWaitFor(t, p, "› 2  Clone from an artifact")
	wizFinish(t, tm)
}

func TestHomeChooseByNumber(t *testing.T) {
	tm, _ := wizRun(t, NewHome(homeEntries(), NewTheme(true, false)), 100, 30)
	tm.Type("2")
	fm := tm.FinalModel(t).(*wizProbe)
	if got := fm.m.(*Home).Choice(); got != HomeClone {
		t.Errorf("choice = %v, want clone", got)
	}
}

func TestHomeChooseByEnter(t *testing.T) {
	tm, _ := wizRun(t, NewHome(homeEntries(), NewTheme(true, false)), 100, 30)
	tm.Send(wizEnter)
	fm := tm.FinalModel(t).(*wizProbe)
	if got := fm.m.(*Home).Choice(); got != HomeBuild {
		t.Errorf("choice = %v, want build", got)
	}
}

func TestHomeDisabledEntry(t *testing.T) {
	tm, p := wizRun(t, NewHome(homeEntries(), NewTheme(true, false)), 100, 30)
	tm.Type("3")
	wizWaitFor(t, p, "! My clones: coming in the next release")
	h := wizFinish(t, tm).(*Home)
	if got := h.Choice(); got != HomeQuit {
		t.Errorf("choice = %v after a disabled entry and quitting, want quit", got)
	}
}

func TestHomeQuit(t *testing.T) {
	for _, k := range []tea.KeyPressMsg{{Code: 'q', Text: "q"}, wizEsc, wizCtrl('c')} {
		tm, _ := wizRun(t, NewHome(homeEntries(), NewTheme(true, false)), 80, 24)
		tm.Send(k)
		fm := tm.FinalModel(t).(*wizProbe)
		if got := fm.m.(*Home).Choice(); got != HomeQuit {
			t.Errorf("%s: choice = %v, want quit", k, got)
		}
	}
}

func TestHomeOnlyEnabled(t *testing.T) {
	// The lead may pass only the entries it has wired.
	entries := []HomeEntry{{Choice: HomeBuild, Title: "Build an artifact"}, {Choice: HomeQuit, Title: "Quit"}}
	tm, _ := wizRun(t, NewHome(entries, NewTheme(true, true)), 80, 24)
	tm.Type("2")
	fm := tm.FinalModel(t).(*wizProbe)
	if got := fm.m.(*Home).Choice(); got != HomeQuit {
		t.Errorf("choice = %v, want quit", got)
	}
}

func TestHomeRunCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	got, err := RunHome(ctx, DefaultHomeEntries(), NewTheme(true, true),
		tea.WithInput(nil), tea.WithOutput(io.Discard), tea.WithWindowSize(80, 24))
	if got != HomeQuit || !errors.Is(err, tea.ErrProgramKilled) {
		t.Errorf("RunHome with a cancelled context = %v, %v", got, err)
	}
}
