package common

import (
	"context"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
)

// Common is what every screen model embeds (as soft-serve's components
// do): the context bounding what it starts, the window size, the theme and
// the help that renders its key bindings. Prologue keeps them current.
type Common struct {
	Ctx           context.Context
	Width, Height int
	Theme         Theme
	Help          help.Model
}

// NewCommon is the state of a screen that has not been told its size:
// 80x24, the theme resolved (Resolve), help styled from it. A nil ctx is
// context.Background().
func NewCommon(ctx context.Context, theme Theme) Common {
	if ctx == nil {
		ctx = context.Background()
	}
	c := Common{Ctx: ctx, Width: 80, Height: 24, Theme: Resolve(theme), Help: help.New()}
	c.Help.Styles = c.Theme.HelpStyles()
	c.Help.ShortSeparator = " · "
	return c
}

// SetSize records the window size, as a host hands it to a child.
func (c *Common) SetSize(w, h int) {
	c.Width, c.Height = w, h
	c.Help.SetWidth(w)
}

// SetTheme replaces the theme, as when a host's follows the background.
func (c *Common) SetTheme(t Theme) {
	c.Theme = t
	c.Help.Styles = t.HelpStyles()
}

// Prologue handles what every screen's Update handles alike: the window
// size and the terminal's background (the theme follows it). It says
// whether msg was one of them; the screen then adjusts what depends on it.
func (c *Common) Prologue(msg tea.Msg) bool {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		c.SetSize(msg.Width, msg.Height)
		return true
	case tea.BackgroundColorMsg:
		if c.Theme.Follow(msg) {
			c.Help.Styles = c.Theme.HelpStyles()
		}
		return true
	}
	return false
}

// Spin turns spin one frame while turning is true; the chain of ticks ends
// (no Cmd) once it is false, so an idle screen does no work.
func Spin(spin *spinner.Model, msg spinner.TickMsg, turning bool) tea.Cmd {
	if !turning {
		return nil
	}
	var cmd tea.Cmd
	*spin, cmd = spin.Update(msg)
	return cmd
}
