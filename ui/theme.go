package ui

import (
	"image/color"

	"charm.land/lipgloss/v2"
)

// Theme holds the styles every screen shares, so the wizard, the clone view
// and the list look like one program. Build it with NewTheme once the
// terminal's background is known; NO_COLOR gives a theme without colours.
type Theme struct {
	NoColor bool

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
