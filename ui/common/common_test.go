package common

import (
	"context"
	"image/color"
	"testing"

	tea "charm.land/bubbletea/v2"
)

func TestPrologue(t *testing.T) {
	c := NewCommon(context.Background(), ThemeFor(false))
	if c.Ctx == nil || c.Width != 80 || c.Height != 24 {
		t.Fatalf("NewCommon = ctx %v, %dx%d; want a context and 80x24", c.Ctx, c.Width, c.Height)
	}
	if !c.Prologue(tea.WindowSizeMsg{Width: 120, Height: 40}) || c.Width != 120 || c.Height != 40 || c.Help.Width() != 120 {
		t.Errorf("after a resize: %dx%d, help %d; want 120x40, help 120", c.Width, c.Height, c.Help.Width())
	}
	dark := c.Theme.Title.GetForeground()
	if !c.Prologue(tea.BackgroundColorMsg{Color: color.White}) {
		t.Error("the background report was not handled")
	}
	if c.Theme.Title.GetForeground() == dark || c.Help.Styles.ShortKey.GetForeground() != c.Theme.Key.GetForeground() {
		t.Error("the theme (and the help's styles) did not follow a light background")
	}
	if c.Prologue(tea.KeyPressMsg{Code: 'x', Text: "x"}) {
		t.Error("a key was taken for the prologue")
	}

	fixed := NewCommon(context.Background(), NewTheme(true, false))
	before := fixed.Theme.Title.GetForeground()
	fixed.Prologue(tea.BackgroundColorMsg{Color: color.White})
	if fixed.Theme.Title.GetForeground() != before {
		t.Error("a fixed theme followed the background")
	}
}
