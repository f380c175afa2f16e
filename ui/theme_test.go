package ui

import (
	"image/color"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest/v2"
)

// colourFrame quits the program and returns its final frame as a 256-colour
// terminal would receive it, escape codes kept: a screen drawn without
// colours does not match its golden file.
func colourFrame(t *testing.T, tm *teatest.TestModel) (tea.Model, string) {
	t.Helper()
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*wizProbe)
	var b strings.Builder
	w := &colorprofile.Writer{Forward: &b, Profile: colorprofile.ANSI256}
	if _, err := w.WriteString(fm.m.View().Content); err != nil {
		t.Fatal(err)
	}
	return fm.m, b.String()
}

// requireColour fails unless the frame sets a foreground colour.
func requireColour(t *testing.T, frame string) {
	t.Helper()
	if !strings.Contains(frame, "\x1b[38;5;") {
		t.Errorf("no foreground colour in the frame:\n%q", frame)
	}
}

var lightBackground = tea.BackgroundColorMsg{Color: color.RGBA{0xfa, 0xfa, 0xfa, 0xff}}

// TestHomeColour: the theme the command passes (ThemeFor, as for a colour
// terminal) colours the home screen, and follows a light background.
func TestHomeColour(t *testing.T) {
	tm, p := wizRun(t, NewHome(DefaultHomeEntries(), ThemeFor(false)), 80, 12)
	wizWaitFor(t, p, "› 1  Build an artifact")
	tm.Send(lightBackground)
	tm.Send(wizDown)
	wizWaitFor(t, p, "› 2  Clone from an artifact")
	_, frame := colourFrame(t, tm)
	requireColour(t, frame)
	golden.RequireEqual(t, frame)
}

// TestHomeZeroThemeColour: a caller that resolved no theme still gets one.
func TestHomeZeroThemeColour(t *testing.T) {
	tm, p := wizRun(t, NewHome(DefaultHomeEntries(), Theme{}), 80, 12)
	wizWaitFor(t, p, "› 1  Build an artifact")
	_, frame := colourFrame(t, tm)
	requireColour(t, frame)
}

// TestWizardColour: the wizard's first screen is coloured too.
func TestWizardColour(t *testing.T) {
	opts := wizTestOptions(t, wizSandbox(), nil)
	opts.Theme = ThemeFor(false)
	tm, p := wizRun(t, NewWizard(t.Context(), opts), 100, 30)
	wizWaitListed(t, p)
	_, frame := colourFrame(t, tm)
	requireColour(t, frame)
	golden.RequireEqual(t, frame)
}

// TestNoColorTheme: NO_COLOR's theme sets no colour at all.
func TestNoColorTheme(t *testing.T) {
	tm, p := wizRun(t, NewHome(DefaultHomeEntries(), ThemeFor(true)), 80, 12)
	wizWaitFor(t, p, "› 1  Build an artifact")
	tm.Send(lightBackground) // ignored: NO_COLOR wins
	_, frame := colourFrame(t, tm)
	if strings.Contains(frame, "\x1b[38;") {
		t.Errorf("NO_COLOR frame has a colour:\n%q", frame)
	}
}
