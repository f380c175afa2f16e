package home

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/dbaf/dbaf/ui/common"
	"github.com/dbaf/dbaf/ui/internal/uitest"
)

// TestHomeColour: the theme the command passes (ThemeFor, as for a colour
// terminal) colours the home screen, and follows a light background.
func TestHomeColour(t *testing.T) {
	tm, p := uitest.Run(t, New(DefaultEntries(), common.ThemeFor(false)), 80, 12)
	uitest.WaitFor(t, p, "› 1  Build an artifact")
	tm.Send(uitest.LightBackground)
	tm.Send(uitest.Down)
	uitest.WaitFor(t, p, "› 2  Clone from an artifact")
	_, frame := uitest.ColourFrame(t, tm)
	uitest.RequireColour(t, frame)
	golden.RequireEqual(t, frame)
}

// TestHomeZeroThemeColour: a caller that resolved no theme still gets one.
func TestHomeZeroThemeColour(t *testing.T) {
	tm, p := uitest.Run(t, New(DefaultEntries(), common.Theme{}), 80, 12)
	uitest.WaitFor(t, p, "› 1  Build an artifact")
	_, frame := uitest.ColourFrame(t, tm)
	uitest.RequireColour(t, frame)
}

// TestNoColorTheme: NO_COLOR's theme sets no colour at all.
func TestNoColorTheme(t *testing.T) {
	tm, p := uitest.Run(t, New(DefaultEntries(), common.ThemeFor(true)), 80, 12)
	uitest.WaitFor(t, p, "› 1  Build an artifact")
	tm.Send(uitest.LightBackground) // ignored: NO_COLOR wins
	_, frame := uitest.ColourFrame(t, tm)
	if strings.Contains(frame, "\x1b[38;") {
		t.Errorf("NO_COLOR frame has a colour:\n%q", frame)
	}
}
