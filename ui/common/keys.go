package common

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"github.com/charmbracelet/x/ansi"
)

// WrapParts joins styled parts with sep on lines at most w cells wide
// (w <= 0: one line), never splitting a part: key hints and confirm
// prompts wrap instead of being cut off at the terminal's edge.
func WrapParts(parts []string, sep string, w int) []string {
	var lines []string
	cur, curW := "", 0
	sepW := ansi.StringWidth(sep)
	for _, p := range parts {
		pw := ansi.StringWidth(p)
		switch {
		case cur == "":
			cur, curW = p, pw
		case w > 0 && curW+sepW+pw > w:
			lines = append(lines, cur)
			cur, curW = p, pw
		default:
			cur, curW = cur+sep+p, curW+sepW+pw
		}
	}
	return append(lines, cur)
}

// KeyParts renders key/description pairs as "key desc" parts.
func KeyParts(t Theme, pairs ...string) []string {
	parts := make([]string, 0, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		parts = append(parts, t.Key.Render(pairs[i])+" "+t.Subtle.Render(pairs[i+1]))
	}
	return parts
}

// HelpWrap is Help on as many lines of width w as it needs.
func HelpWrap(t Theme, w int, pairs ...string) string {
	return strings.Join(WrapParts(KeyParts(t, pairs...), t.Subtle.Render(" · "), w), "\n")
}

// BindingLines are the short help of enabled bindings, wrapped at w.
func BindingLines(t Theme, bindings []key.Binding, w int) []string {
	var pairs []string
	for _, b := range bindings {
		if b.Enabled() && b.Help().Key != "" {
			pairs = append(pairs, b.Help().Key, b.Help().Desc)
		}
	}
	return WrapParts(KeyParts(t, pairs...), t.Subtle.Render(" · "), w)
}

// Hints is the hint line of bindings (BindingLines), joined: w 0 keeps it
// on one line.
func Hints(t Theme, w int, bindings ...key.Binding) string {
	return strings.Join(BindingLines(t, bindings, w), "\n")
}

// KeyMap is a help.KeyMap made of the bindings a screen shows now.
type KeyMap struct {
	Short []key.Binding
	Full  [][]key.Binding
}

func (k KeyMap) ShortHelp() []key.Binding  { return k.Short }
func (k KeyMap) FullHelp() [][]key.Binding { return k.Full }

// Bind makes a binding for keys, shown in help as k with desc.
func Bind(help, desc string, keys ...string) key.Binding {
	return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
}
