package common

import (
	"fmt"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// The smallest window the full-screen programs draw in; below it they show
// TooSmall instead.
const (
	MinWidth  = 60
	MinHeight = 16
)

// Fit truncates every line to w cells and keeps at most h lines (h 0:
// all), so the view never wraps or scrolls the terminal.
func Fit(s string, w, h int) string {
	lines := strings.Split(s, "\n")
	if h > 0 && len(lines) > h {
		lines = lines[:h]
	}
	for i, l := range lines {
		if w > 0 && ansi.StringWidth(l) > w {
			lines[i] = ansi.Truncate(l, w, "…")
		}
	}
	return strings.Join(lines, "\n")
}

// Wrap wraps plain text to width w, at most maxLines lines (0: all),
// marking a cut with an ellipsis.
func Wrap(s string, w, maxLines int) []string {
	if w < 10 {
		w = 10
	}
	lines := strings.Split(ansi.Wrap(s, w, ""), "\n")
	if maxLines > 0 && len(lines) > maxLines {
		lines = lines[:maxLines]
		last := lines[maxLines-1]
		if ansi.StringWidth(last) >= w {
			last = ansi.Truncate(last, w-1, "")
		}
		lines[maxLines-1] = last + "…"
	}
	return lines
}

// Pad pads s with spaces to w cells.
func Pad(s string, w int) string {
	if d := w - ansi.StringWidth(s); d > 0 {
		return s + strings.Repeat(" ", d)
	}
	return s
}

// KV draws "key  value" with the value wrapped under itself.
func KV(t Theme, key string, keyW int, val string, w int, vst lipgloss.Style) []string {
	return KVLines(t, key, keyW, Wrap(val, w-keyW-2, 0), vst)
}

// KVExact breaks a value people copy (an endpoint, a command) at the
// width only, never at its hyphens, so the pieces join back to it.
func KVExact(t Theme, key string, keyW int, val string, w int, vst lipgloss.Style) []string {
	return KVLines(t, key, keyW, strings.Split(ansi.Hardwrap(val, max(10, w-keyW-2), true), "\n"), vst)
}

// KVLines draws "key  value" with each of vals on its own line under the first.
func KVLines(t Theme, key string, keyW int, vals []string, vst lipgloss.Style) []string {
	var out []string
	for i, l := range vals {
		k := strings.Repeat(" ", keyW)
		if i == 0 {
			k = t.Subtle.Render(Pad(key, keyW))
		}
		out = append(out, k+"  "+vst.Render(l))
	}
	return out
}

// Or is s, or def when s is empty.
func Or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// TooSmall is the whole screen when the window cannot hold a screen.
func TooSmall(th Theme, width, height int) string {
	msg := fmt.Sprintf("The window is %dx%d; dbaf needs at least %dx%d. Make it larger, or press ctrl+c to quit.",
		width, height, MinWidth, MinHeight)
	lines := WordWrap(msg, max(10, width))
	if len(lines) > height {
		lines = lines[:max(1, height)]
	}
	for i, l := range lines {
		lines[i] = th.Warn.Render(l)
	}
	return strings.Join(lines, "\n")
}

// Spread puts left and right on one line of width cells, right-aligned;
// right is dropped when the two do not fit.
func Spread(left, right string, width int) string {
	lw, rw := lipgloss.Width(left), lipgloss.Width(right)
	if lw+rw+2 > width {
		return left
	}
	return left + strings.Repeat(" ", width-lw-rw) + right
}

// WordWrap wraps plain text at spaces only. ansi.Wrap also breaks at
// hyphens, which splits the names the screens are full of (eu-west-1a,
// subnet-0a1b2c01, prod-aurora); a word longer than the line is cut.
func WordWrap(text string, width int) []string {
	var lines []string
	for _, para := range strings.Split(text, "\n") {
		line, lw := "", 0
		for _, word := range strings.Fields(para) {
			ww := ansi.StringWidth(word)
			for ww > width { // only a very long word gets here
				if line != "" {
					lines = append(lines, line)
					line, lw = "", 0
				}
				lines = append(lines, ansi.Cut(word, 0, width))
				word = ansi.Cut(word, width, ww)
				ww -= width
			}
			switch {
			case line == "":
				line, lw = word, ww
			case lw+1+ww <= width:
				line, lw = line+" "+word, lw+1+ww
			default:
				lines = append(lines, line)
				line, lw = word, ww
			}
		}
		lines = append(lines, line)
	}
	return lines
}

// Scrolled fits lines into h rows from the offset-th line: when they do
// not fit, a row at the top says how many lines are above and one at the
// bottom how many are below, so nothing is dropped silently. It returns
// the rows and the offset clamped to what can be shown (0 when all fit).
func Scrolled(t Theme, lines []string, h, offset int) ([]string, int) {
	if len(lines) <= h || h < 3 {
		return lines[:min(len(lines), max(h, 0))], 0
	}
	offset = max(0, min(offset, len(lines)-(h-1))) // at the bottom only the top marker shows
	rows := h
	if offset > 0 {
		rows--
	}
	below := len(lines) - offset - rows
	if below > 0 {
		rows--
		below++
	}
	out := make([]string, 0, h)
	if offset > 0 {
		out = append(out, t.Subtle.Render(fmt.Sprintf("  ↑ %d more above", offset)))
	}
	out = append(out, lines[offset:offset+rows]...)
	if below > 0 {
		out = append(out, t.Subtle.Render(fmt.Sprintf("  ↓ %d more below · ↑↓ scroll", below)))
	}
	return out, offset
}

// ScrollKey moves a Scrolled offset for the arrow, page, home and end
// keys; page is a page's height. ok is false for any other key.
func ScrollKey(k string, offset, page int) (int, bool) {
	switch k {
	case "up", "k":
		return offset - 1, true
	case "down", "j":
		return offset + 1, true
	case "pgup":
		return offset - max(1, page), true
	case "pgdown", "space":
		return offset + max(1, page), true
	case "home", "g":
		return 0, true
	case "end", "G":
		return 1 << 30, true
	}
	return offset, false
}
