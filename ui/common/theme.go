package common

import (
	"image/color"

	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"
	lipgloss "charm.land/lipgloss/v2"
)

// Theme holds the styles every screen shares, so the wizard, the clone view
// and the list look like one program. Build it with NewTheme once the
// terminal's background is known; NO_COLOR gives a theme without colours.
type Theme struct {
	NoColor bool
	// Auto: the background is not known yet. The model showing the theme
	// asks the terminal (Init) and rebuilds it from the answer (Update).
	Auto bool

	Title    lipgloss.Style // screen titles
	Header   lipgloss.Style // the region/profile bar
	Subtle   lipgloss.Style // hints, secondary text
	Selected lipgloss.Style // the row under the cursor
	Disabled lipgloss.Style // rows that cannot be chosen
	OK       lipgloss.Style // ✓, ready
	Warn     lipgloss.Style // warnings, expiring
	Err      lipgloss.Style // ✗, failures
	Accent   lipgloss.Style // keys, highlights
	Box      lipgloss.Style // result and review panels
	Key      lipgloss.Style // a key name in help text
}

// NewTheme builds the theme for a dark or light background.
func NewTheme(isDark, noColor bool) Theme {
	ld := lipgloss.LightDark(isDark)
	c := func(light, dark string) color.Color { return ld(lipgloss.Color(light), lipgloss.Color(dark)) }
	t := Theme{NoColor: noColor}
	if noColor {
		plain := lipgloss.NewStyle()
		t.Title = plain.Bold(true)
		t.Header = plain
		t.Subtle = plain
		t.Selected = plain.Bold(true)
		t.Disabled = plain
		t.OK, t.Warn, t.Err, t.Accent, t.Key = plain, plain, plain.Bold(true), plain, plain.Bold(true)
		t.Box = plain.Border(lipgloss.NormalBorder()).Padding(0, 1)
		return t
	}
	t.Title = lipgloss.NewStyle().Bold(true).Foreground(c("#5A3FC0", "#B9A6FF"))
	t.Header = lipgloss.NewStyle().Foreground(c("#444444", "#BBBBBB"))
	t.Subtle = lipgloss.NewStyle().Foreground(c("#767676", "#8A8A8A"))
	t.Selected = lipgloss.NewStyle().Bold(true).Foreground(c("#1F6FEB", "#79C0FF"))
	t.Disabled = lipgloss.NewStyle().Foreground(c("#A0A0A0", "#5C5C5C"))
	t.OK = lipgloss.NewStyle().Foreground(c("#1A7F37", "#3FB950"))
	t.Warn = lipgloss.NewStyle().Foreground(c("#9A6700", "#D29922"))
	t.Err = lipgloss.NewStyle().Bold(true).Foreground(c("#CF222E", "#F85149"))
	t.Accent = lipgloss.NewStyle().Foreground(c("#8250DF", "#D2A8FF"))
	t.Key = lipgloss.NewStyle().Bold(true).Foreground(c("#0550AE", "#A5D6FF"))
	t.Box = lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(c("#8250DF", "#8957E5")).Padding(0, 1)
	return t
}

// ThemeFor is the theme every screen starts from, the one place where the
// command's NO_COLOR and the terminal's background meet: without colours
// under NO_COLOR, else a dark theme that follows the background the
// terminal reports.
func ThemeFor(noColor bool) Theme {
	t := NewTheme(true, noColor)
	t.Auto = !noColor
	return t
}

// Resolve is what a model shows for the theme it was given: a zero
// Theme (nothing injected) follows the terminal like ThemeFor(false).
func Resolve(t Theme) Theme {
	if t.Box.GetBorderStyle() == (lipgloss.Border{}) {
		return ThemeFor(false)
	}
	return t
}

// Request asks the terminal for its background when the theme follows it.
func (t Theme) Request() tea.Cmd {
	if t.Auto {
		return tea.RequestBackgroundColor
	}
	return nil
}

// Follow rebuilds the theme for the background the terminal reported; it
// says whether anything changed (a fixed theme ignores the report).
func (t *Theme) Follow(msg tea.BackgroundColorMsg) bool {
	if !t.Auto {
		return false
	}
	*t = NewTheme(msg.IsDark(), false)
	t.Auto = true // a later report (the terminal's theme switched) applies too
	return true
}

// HelpStyles styles the bubbles help line like the rest of the screen.
func (t Theme) HelpStyles() help.Styles {
	return help.Styles{
		Ellipsis: t.Subtle, ShortKey: t.Key, ShortDesc: t.Subtle, ShortSeparator: t.Subtle,
		FullKey: t.Key, FullDesc: t.Subtle, FullSeparator: t.Subtle,
	}
}
