package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"github.com/charmbracelet/x/ansi"
)

// wrapParts joins styled parts with sep on lines at most w cells wide
// (w <= 0: one line), never splitting a part: key hints and confirm
// prompts wrap instead of being cut off at the terminal's edge.
func wrapParts(parts []string, sep string, w int) []string {
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

// keyParts renders key/description pairs as "key desc" parts.
func keyParts(t Theme, pairs ...string) []string {
	parts := make([]string, 0, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		parts = append(parts, t.Key.Render(pairs[i])+" "+t.Subtle.Render(pairs[i+1]))
	}
	return parts
}

// cvHelpWrap is cvHelp on as many lines of width w as it needs.
func cvHelpWrap(t Theme, w int, pairs ...string) string {
	return strings.Join(wrapParts(keyParts(t, pairs...), t.Subtle.Render(" · "), w), "\n")
}

// bindingLines are the short help of enabled bindings, wrapped at w.
func bindingLines(t Theme, bindings []key.Binding, w int) []string {
	var pairs []string
	for _, b := range bindings {
		if b.Enabled() && b.Help().Key != "" {
			pairs = append(pairs, b.Help().Key, b.Help().Desc)
		}
	}
	return wrapParts(keyParts(t, pairs...), t.Subtle.Render(" · "), w)
}
