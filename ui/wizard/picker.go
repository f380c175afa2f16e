package wizard

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/dbaf/dbaf/ui/common"
)

// picker is the filterable list behind the wizard's cluster, subnet and
// class steps. bubbles/list re-filters and re-renders every item on each
// keystroke; an account with thousands of clusters or a VPC with tens of
// thousands of subnets needs better, so the picker keeps a lower-case
// search string per item, narrows the previous matches when the filter only
// grows, and draws only the rows that fit on screen.
type picker struct {
	titles []string // column titles; nil draws no header row
	caps   []int    // widest a column may be drawn
	widths []int    // widest cell seen per column, capped by caps
	flex   []int    // columns that give up width in a narrow window, in order
	soft   []int    // width a flex column keeps before notes lose their room
	noteW  int      // widest note, capped: flex columns make room for it

	items  []pickerItem
	shown  []int // indices into items that pass the filter, ascending
	filter string
	terms  []string // lower-case words of filter; an item must contain each

	cursor int // position in shown
	offset int // first position of shown drawn
	height int // rows of items drawn; set by the wizard's layout
	multi  bool
	marked int // how many items are marked (multi)

	// want is the id the cursor should land on when it arrives (a choice
	// from a pre-filled config or an earlier visit); moved says the user has
	// since moved the cursor themselves, which wins.
	want  string
	moved bool
}

// pickerItem is one row.
type pickerItem struct {
	id       string
	cols     []string
	search   string // lower-case text the filter matches against
	disabled string // why it cannot be chosen; "" when it can
	note     string // drawn after the columns, e.g. "source's class"
	marked   bool
}

func newPicker(titles []string, caps []int, multi bool) picker {
	p := picker{titles: titles, caps: caps, multi: multi, widths: make([]int, len(caps))}
	for i, t := range titles {
		p.widths[i] = min(pickerWidth(t), caps[i])
	}
	return p
}

// pickerWidth is a cell's width on screen; ASCII, by far the common case,
// skips the grapheme walk.
func pickerWidth(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return ansi.StringWidth(s)
		}
	}
	return len(s)
}

// reset drops every item but keeps the filter, so a reload (retry, another
// region) is filtered the way the user left it.
func (p *picker) reset() {
	p.items, p.shown = nil, nil
	p.cursor, p.offset, p.marked = 0, 0, 0
	for i, t := range p.titles {
		p.widths[i] = min(pickerWidth(t), p.caps[i])
	}
	if p.titles == nil {
		clear(p.widths)
	}
	p.noteW = 0
}

// pickerNoteCap bounds the room flex columns give up for notes: a short
// reason ("✗ stopped") must show; a long note may be cut.
const pickerNoteCap = 14

// add appends items (a page as it arrives); the cursor stays where it is
// unless the wanted item has just arrived.
func (p *picker) add(items []pickerItem) {
	base := len(p.items)
	p.items = append(p.items, items...)
	for i := range items {
		it := &p.items[base+i]
		for c, cell := range it.cols {
			if c < len(p.widths) {
				p.widths[c] = max(p.widths[c], min(pickerWidth(cell), p.caps[c]))
			}
		}
		if it.marked {
			p.marked++
		}
		note := it.note
		if it.disabled != "" {
			note = "✗ " + it.disabled
		}
		p.noteW = max(p.noteW, min(pickerWidth(note), pickerNoteCap))
		if p.matches(it) {
			p.shown = append(p.shown, base+i)
			if !p.moved && p.want != "" && it.id == p.want {
				p.cursor = len(p.shown) - 1
				p.follow()
			}
		}
	}
}

func (p *picker) matches(it *pickerItem) bool {
	for _, t := range p.terms {
		if !strings.Contains(it.search, t) {
			return false
		}
	}
	return true
}

// setFilter applies a new filter text. When it only extends the old one
// every new match is an old match, so only the current matches are
// re-checked: typing stays cheap however long the list.
func (p *picker) setFilter(f string) {
	if f == p.filter {
		return
	}
	narrower := strings.HasPrefix(f, p.filter)
	keep := -1
	if it := p.current(); it != nil {
		keep = p.shown[p.cursor]
	}
	p.filter = f
	p.terms = strings.Fields(strings.ToLower(f))
	if narrower {
		out := p.shown[:0]
		for _, i := range p.shown {
			if p.matches(&p.items[i]) {
				out = append(out, i)
			}
		}
		p.shown = out
	} else {
		p.shown = p.shown[:0]
		for i := range p.items {
			if p.matches(&p.items[i]) {
				p.shown = append(p.shown, i)
			}
		}
	}
	// Keep the highlighted item when it still matches; otherwise start
	// from the best (first) match, as fuzzy finders do.
	p.cursor, p.offset = 0, 0
	if keep >= 0 {
		if pos, ok := pickerSearch(p.shown, keep); ok {
			p.cursor = pos
		}
	}
	p.follow()
}

// pickerSearch finds item index i in the ascending shown slice.
func pickerSearch(shown []int, i int) (int, bool) {
	lo, hi := 0, len(shown)
	for lo < hi {
		m := (lo + hi) / 2
		if shown[m] < i {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo, lo < len(shown) && shown[lo] == i
}

// current is the highlighted item, or nil when nothing is shown.
func (p *picker) current() *pickerItem {
	if p.cursor < 0 || p.cursor >= len(p.shown) {
		return nil
	}
	return &p.items[p.shown[p.cursor]]
}

// selectID puts the cursor on id, clearing the filter if that hides it.
func (p *picker) selectID(id string) bool {
	for pos, i := range p.shown {
		if p.items[i].id == id {
			p.cursor = pos
			p.follow()
			return true
		}
	}
	for i := range p.items {
		if p.items[i].id == id {
			p.setFilter("")
			return p.selectID(id)
		}
	}
	p.want = id
	return false
}

func (p *picker) move(n int) {
	if len(p.shown) == 0 {
		return
	}
	p.moved = true
	p.cursor = max(0, min(len(p.shown)-1, p.cursor+n))
	p.follow()
}

func (p *picker) setHeight(h int) {
	p.height = max(1, h)
	p.follow()
}

// follow scrolls just enough to keep the cursor on screen.
func (p *picker) follow() {
	h := p.rows()
	if p.cursor < p.offset {
		p.offset = p.cursor
	}
	if p.cursor >= p.offset+h {
		p.offset = p.cursor - h + 1
	}
	p.offset = max(0, min(p.offset, len(p.shown)-h))
}

// toggle marks or unmarks the highlighted item (multi-select).
func (p *picker) toggle() {
	it := p.current()
	if it == nil || it.disabled != "" {
		return
	}
	it.marked = !it.marked
	if it.marked {
		p.marked++
	} else {
		p.marked--
	}
}

// toggleShown marks every shown item, or unmarks them all when all are
// marked already: "select everything matching eu-west-1b".
func (p *picker) toggleShown() {
	all := true
	for _, i := range p.shown {
		if !p.items[i].marked && p.items[i].disabled == "" {
			all = false
			break
		}
	}
	for _, i := range p.shown {
		it := &p.items[i]
		if it.disabled != "" || it.marked == !all {
			continue
		}
		it.marked = !all
		if it.marked {
			p.marked++
		} else {
			p.marked--
		}
	}
}

// markIDs marks exactly the given ids and returns those it did not find.
func (p *picker) markIDs(ids []string) (missing []string) {
	want := make(map[string]bool, len(ids))
	for _, id := range ids {
		want[id] = true
	}
	p.marked = 0
	for i := range p.items {
		it := &p.items[i]
		it.marked = want[it.id] && it.disabled == ""
		if it.marked {
			p.marked++
			delete(want, it.id)
		}
	}
	for _, id := range ids {
		if want[id] {
			missing = append(missing, id)
		}
	}
	return missing
}

// key handles the list's own keys: moving and typing into the filter. It
// reports whether it used the key. The caller takes the keys it reserves
// (enter, esc, ?, space in a multi-select) before calling it.
func (p *picker) key(msg tea.KeyPressMsg) bool {
	switch msg.String() {
	case "up", "ctrl+p":
		p.move(-1)
	case "down", "ctrl+n":
		p.move(1)
	case "pgup":
		p.move(-max(1, p.height-1))
	case "pgdown":
		p.move(max(1, p.height-1))
	case "home":
		p.move(-len(p.shown))
	case "end":
		p.move(len(p.shown))
	case "backspace", "ctrl+h":
		if p.filter != "" {
			_, n := utf8.DecodeLastRuneInString(p.filter)
			p.setFilter(p.filter[:len(p.filter)-n])
		}
	case "ctrl+u":
		p.setFilter("")
	case "ctrl+w":
		f := strings.TrimRight(p.filter, " ")
		p.setFilter(f[:strings.LastIndexByte(f, ' ')+1])
	default:
		if msg.Text == "" || msg.Mod.Contains(tea.ModCtrl) || msg.Mod.Contains(tea.ModAlt) {
			return false
		}
		p.setFilter(p.filter + msg.Text)
	}
	return true
}

// filterLine is the filter prompt with the match count at the right edge.
func (p *picker) filterLine(th common.Theme, width int, one, many string) string {
	noun := many
	if len(p.items) == 1 {
		noun = one
	}
	count := pickerCount(len(p.shown)) + " of " + pickerCount(len(p.items)) + " " + noun
	if p.filter == "" {
		count = pickerCount(len(p.items)) + " " + noun
	}
	left := th.Accent.Render("filter: ") + p.filter + "▏"
	if p.filter == "" {
		left = th.Accent.Render("filter: ") + th.Subtle.Render("type to filter")
	}
	if ansi.StringWidth(left)+ansi.StringWidth(count)+2 > width {
		count = pickerCount(len(p.shown)) + "/" + pickerCount(len(p.items)) // narrow windows
	}
	return common.Spread(left, th.Subtle.Render(count), width)
}

// pickerCount writes n with thousands separators: 5,000 reads faster.
func pickerCount(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// view draws the header row (if any) and the visible rows, at most
// width cells each; never more than height rows of items.
func (p *picker) view(th common.Theme, width int) []string {
	lines := make([]string, 0, p.height+1)
	ws := p.fit(width)
	if p.titles != nil {
		blank := strings.Repeat(" ", len(p.prefix(false, false)))
		lines = append(lines, th.Subtle.Render(ansi.Truncate(p.row(ws, blank, p.titles, ""), width, "…")))
	}
	end := min(len(p.shown), p.offset+p.rows())
	for pos := p.offset; pos < end; pos++ {
		it := &p.items[p.shown[pos]]
		on := pos == p.cursor
		note := it.note
		if it.disabled != "" {
			note = "✗ " + it.disabled
		}
		line := p.row(ws, p.prefix(on, it.marked), it.cols, note)
		if nw := pickerWidth(note); note != "" && pickerWidth(line) > width {
			// The note says why a row cannot be chosen: the cells give way
			// to it, never the note.
			room := max(1, width-2-max(nw, p.noteW))
			line = common.Pad(ansi.Truncate(p.row(ws, p.prefix(on, it.marked), it.cols, ""), room, "…"), room) + "  " + note
		}
		line = ansi.Truncate(line, width, "…")
		switch {
		case it.disabled != "":
			line = th.Disabled.Render(line)
		case on:
			line = th.Selected.Render(line)
		case it.marked:
			line = th.OK.Render(line)
		}
		lines = append(lines, line)
	}
	if len(p.shown) > p.rows() {
		// Longer than the screen: say so, and how much is either side.
		mark := fmt.Sprintf("  ↓ %d more below", len(p.shown)-end)
		if p.offset > 0 {
			mark = fmt.Sprintf("  ↑ %d more above · ↓ %d more below", p.offset, len(p.shown)-end)
		}
		lines = append(lines, th.Subtle.Render(mark))
	}
	return lines
}

// rows is how many items are drawn: the height, less the row that says
// how many more there are when they do not all fit.
func (p *picker) rows() int {
	if h := max(1, p.height); len(p.shown) > h {
		return max(1, h-1)
	}
	return max(1, p.height)
}

// prefix is the cursor mark, plus the check box of a multi-select. Marks
// are characters, not colours, so NO_COLOR loses nothing.
func (p *picker) prefix(on, marked bool) string {
	s := "  "
	if on {
		s = "› "
	}
	if p.multi {
		if marked {
			s += "[x] "
		} else {
			s += "[ ] "
		}
	}
	return s
}

// fit returns the column widths for a window width cells wide. Flex
// columns shrink first to their soft width to make room for notes; if that
// is not enough the notes give up their room (they are cut at the edge),
// and then flex columns shrink on, to 8 cells.
func (p *picker) fit(width int) []int {
	ws := append([]int(nil), p.widths...)
	total := len(p.prefix(false, false)) + 2*max(0, len(ws)-1)
	for _, w := range ws {
		total += w
	}
	over := total - width
	if p.noteW > 0 {
		over += 2 + p.noteW
	}
	shrink := func(floor func(c int) int) {
		for _, c := range p.flex {
			if over <= 0 {
				return
			}
			if cut := min(over, ws[c]-floor(c)); cut > 0 {
				ws[c] -= cut
				over -= cut
			}
		}
	}
	shrink(func(c int) int {
		if c < len(p.soft) {
			return max(8, p.soft[c])
		}
		return 8
	})
	if over > 0 && p.noteW > 0 {
		over -= 2 + p.noteW
	}
	shrink(func(int) int { return 8 })
	return ws
}

func (p *picker) row(ws []int, prefix string, cols []string, note string) string {
	var b strings.Builder
	b.WriteString(prefix)
	for c, cell := range cols {
		if c >= len(ws) {
			break
		}
		w := ws[c]
		if pickerWidth(cell) > w {
			cell = ansi.Truncate(cell, w, "…")
		}
		b.WriteString(cell)
		if c < len(cols)-1 || note != "" {
			b.WriteString(strings.Repeat(" ", w-pickerWidth(cell)+2))
		}
	}
	b.WriteString(note)
	return b.String()
}
