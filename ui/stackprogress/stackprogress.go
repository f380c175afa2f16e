// Package stackprogress is the live view of one CloudFormation stack: a
// row per resource (status, colour, elapsed time, failure reason) and the
// log of every event, scrollable and bounded. The clone view shows it for a
// clone, a reset and a teardown, and the clone list through that view.
package stackprogress

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/dbaf/dbaf/artifact"
	"github.com/dbaf/dbaf/ui/common"
)

// DefaultLogLimit keeps thousands of events, as a long stack can produce,
// while bounding memory.
const DefaultLogLimit = 10000

// Kind chooses a log line's style.
type Kind uint8

const (
	Plain Kind = iota
	OK
	Err
	Warn
	Phase
	Quiet
)

// Model is the rows and the log of one stack. Deleting says the rows show
// a deletion (a teardown, or a reset's), which decides their words.
type Model struct {
	rows     []row
	log      eventLog
	scroll   int  // lines above the bottom; 0 follows new events
	Focus    bool // the arrow keys scroll the log
	Deleting bool
}

// New is a stack's progress with a row per resource of res, waiting, and a
// log that keeps the newest limit events (0: DefaultLogLimit).
func New(limit int, res []artifact.ResourceInfo) Model {
	if limit <= 0 {
		limit = DefaultLogLimit
	}
	return Model{rows: rowsFrom(res), log: eventLog{limit: limit}, Focus: true}
}

// View is what drawing needs from the host: its theme and width, the
// time, and the spinner's frame for what is in progress.
type View struct {
	Theme common.Theme
	Width int
	Now   time.Time
	Spin  string
}

// SetResources starts the rows afresh from res (a stack that reported its
// resources); an empty res keeps them.
func (p *Model) SetResources(res []artifact.ResourceInfo) {
	if len(res) > 0 {
		p.rows = rowsFrom(res)
	}
}

// Reverse turns the rows around, timings and reasons cleared: creation
// rows become deletion rows (what was made last goes first) and back.
func (p *Model) Reverse() { p.rows = reverseRows(p.rows) }

// Refresh clears the rows' timings and reasons, keeping their order (a
// teardown tried again).
func (p *Model) Refresh() { p.rows = reverseRows(reverseRows(p.rows)) }

// MergeTeardown takes the resources a teardown found: rows that are not
// among them have nothing to delete; new ones join in reverse template
// order.
func (p *Model) MergeTeardown(res []artifact.ResourceInfo) { p.rows = mergeTeardownRows(p.rows, res) }

// Stack folds a stack event into its row (the stack's own events have
// none) and the log.
func (p *Model) Stack(e artifact.StackEvent) {
	if !e.IsStack {
		i := p.index(e.LogicalID)
		if i < 0 {
			p.rows = append(p.rows, newRow(e.LogicalID, labelFor(e.LogicalID, e.ResourceType)))
			i = len(p.rows) - 1
		}
		p.rows[i].apply(e, p.Deleting)
	}
	p.Add(stackLogKind(e), stackLogText(e))
}

// Add logs a line. A log scrolled up stays on the same lines while new ones
// arrive below.
func (p *Model) Add(kind Kind, text string) {
	p.log.add(entry{kind: kind, text: text})
	if p.scroll > 0 {
		p.scroll++
	}
}

// Settle marks every row without an event with status: a followed stack
// already complete ("CREATE_COMPLETE"), or nothing left to delete ("GONE").
func (p *Model) Settle(status string) {
	verb, _, _ := strings.Cut(status, "_")
	for i := range p.rows {
		if p.rows[i].status == "" {
			p.rows[i].status = status
			if status != gone {
				p.rows[i].verb = verb
			}
		}
	}
}

// MarkRootCause marks the row of the resource that failed the stack.
func (p *Model) MarkRootCause(id string) {
	if i := p.index(id); i >= 0 {
		p.rows[i].rootCause = true
	}
}

// Label is a resource's label, "" when it has no row.
func (p *Model) Label(id string) string {
	if i := p.index(id); i >= 0 {
		return p.rows[i].label
	}
	return ""
}

// RowState is a row as Rows reports it.
type RowState struct{ ID, Status string }

// Rows are the rows in order, with their latest status.
func (p *Model) Rows() []RowState {
	out := make([]RowState, len(p.rows))
	for i, r := range p.rows {
		out[i] = RowState{r.id, r.status}
	}
	return out
}

// RowDuration is how long id's resource has been (or was) in its step, as
// its row shows it.
func (p *Model) RowDuration(id string, now time.Time) string {
	if i := p.index(id); i >= 0 {
		return p.rowDur(&p.rows[i], now)
	}
	return ""
}

// Len is how many log lines are kept; Lines are their texts.
func (p *Model) Len() int { return len(p.log.entries) }

// Lines are the kept log lines' texts, oldest first.
func (p *Model) Lines() []string {
	out := make([]string, len(p.log.entries))
	for i, e := range p.log.entries {
		out[i] = e.text
	}
	return out
}

// Scroll is how many lines the log is scrolled up; 0 follows new events.
func (p *Model) Scroll() int { return p.scroll }

// Clamp keeps the scroll within a log showing h lines.
func (p *Model) Clamp(h int) {
	p.scroll = max(0, min(p.scroll, p.log.len()-h))
}

func (p *Model) index(id string) int {
	for i := range p.rows {
		if p.rows[i].id == id {
			return i
		}
	}
	return -1
}

// Keys are the log's bindings: the short hints, then those that act.
type Keys struct {
	Scroll, Follow, FocusHint        key.Binding
	Up, Down, Page, Top, Bottom, Tab key.Binding
}

// NewKeys are the log's bindings.
func NewKeys() Keys {
	b := common.Bind
	return Keys{
		Scroll:    b("↑↓ pgup pgdn", "scroll", "up", "down", "pgup", "pgdown"),
		Follow:    b("end", "follow", "end"),
		FocusHint: b("tab", "scroll the log", "tab"),
		Up:        b("↑/k", "scroll the log up", "up", "k"),
		Down:      b("↓/j", "scroll down", "down", "j"),
		Page:      b("pgup/pgdn", "a page", "pgup", "pgdown"),
		Top:       b("home/g", "the oldest event", "home", "g"),
		Bottom:    b("end/G", "follow new events", "end", "G"),
		Tab:       b("tab", "keys to the log or not", "tab"),
	}
}

// Short are the hints for the log; Full every binding that acts on it.
func (k Keys) Short(focus bool) []key.Binding {
	if !focus {
		return []key.Binding{k.FocusHint}
	}
	return []key.Binding{k.Scroll, k.Follow}
}

// Full is every binding that acts on the log.
func (k Keys) Full() []key.Binding {
	return []key.Binding{k.Up, k.Down, k.Page, k.Top, k.Bottom, k.Tab}
}

// Key acts on a key when the log has the keys (or it is tab); h is how
// many log lines show, for paging.
func (p *Model) Key(msg tea.KeyPressMsg, k Keys, h int) {
	if !p.Focus && !key.Matches(msg, k.Tab) {
		return
	}
	page := max(1, h-1)
	switch {
	case key.Matches(msg, k.Tab):
		p.Focus = !p.Focus
	case key.Matches(msg, k.Up):
		p.scroll++
	case key.Matches(msg, k.Down):
		p.scroll--
	case key.Matches(msg, k.Page):
		if msg.String() == "pgup" {
			p.scroll += page
		} else {
			p.scroll -= page
		}
	case key.Matches(msg, k.Top):
		p.scroll = p.log.len()
	case key.Matches(msg, k.Bottom):
		p.scroll = 0
	}
	p.Clamp(h)
}

// entry is one log line, formatted once when it arrives; only the visible
// ones are styled, at render time.
type entry struct {
	kind Kind
	text string
}

// eventLog keeps the newest limit entries (up to a quarter more, so
// trimming is amortised rather than a copy per event).
type eventLog struct {
	limit   int
	entries []entry
	dropped int
}

func (l *eventLog) add(e entry) {
	l.entries = append(l.entries, e)
	if n := len(l.entries); n > l.limit+l.limit/4 {
		keep := make([]entry, l.limit, l.limit+l.limit/4+1)
		copy(keep, l.entries[n-l.limit:])
		l.dropped += n - l.limit
		l.entries = keep
	}
}

func (l *eventLog) len() int { return len(l.entries) }

func stackLogKind(e artifact.StackEvent) Kind {
	switch {
	case strings.HasSuffix(e.Status, "_FAILED"):
		return Err
	case strings.HasSuffix(e.Status, "_COMPLETE"):
		return OK
	}
	return Plain
}

func stackLogText(e artifact.StackEvent) string {
	id := e.LogicalID
	if e.IsStack {
		id = "stack"
	}
	text := fmt.Sprintf("%s  %-14s %-20s", e.Time.UTC().Format("15:04:05"), id, e.Status)
	if e.Reason != "" {
		text += " " + strings.Join(strings.Fields(e.Reason), " ")
	}
	return strings.TrimRight(text, " ")
}

// LogLines draws the title and the visible window of the log, h lines:
// only those lines are styled, so a frame costs the same with 50 or 5,000
// events.
func (p *Model) LogLines(v View, h int) []string {
	if h <= 0 {
		return nil
	}
	t := v.Theme
	n, body := p.log.len(), h-1
	scroll := min(p.scroll, max(0, n-body))
	end := n - scroll
	start := max(0, end-body)

	state := "following"
	if scroll > 0 {
		state = fmt.Sprintf("%d newer below · end to follow", scroll)
	}
	if !p.Focus {
		state += " · tab to scroll"
	}
	title := t.Subtle.Render("── ") + t.Title.Render("Events") + t.Subtle.Render(fmt.Sprintf(" %d · %s ", n+p.log.dropped, state))
	if p.log.dropped > 0 {
		title += t.Subtle.Render(fmt.Sprintf("(oldest %d not kept) ", p.log.dropped))
	}
	if rest := v.Width - ansi.StringWidth(title); rest > 0 {
		title += t.Subtle.Render(strings.Repeat("─", rest))
	}
	out := make([]string, 0, h)
	out = append(out, title)
	for _, e := range p.log.entries[start:end] {
		text := e.text
		if ansi.StringWidth(text) > v.Width-2 {
			text = ansi.Truncate(text, max(1, v.Width-2), "…")
		}
		var st lipgloss.Style
		switch e.kind {
		case Err:
			st = t.Err
		case Warn:
			st = t.Warn
		case Phase:
			st = t.Accent
		case Quiet:
			st = t.Subtle
		default:
			out = append(out, "  "+text)
			continue
		}
		out = append(out, "  "+st.Render(text))
	}
	for len(out) < h {
		out = append(out, "")
	}
	return out
}

// Dur formats a duration briefly: 4s, 3m05s, 1h02m, 3d00h.
func Dur(d time.Duration) string {
	d = d.Round(time.Second)
	switch {
	case d < 0:
		return "0s"
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	default: // days and hours: a 3d TTL a minute on is 2d23h, not "2d"
		return fmt.Sprintf("%dd%02dh", int(d.Hours()/24), int(d.Hours())%24)
	}
}

// sortByTemplateReversed orders res as the template lists them, reversed:
// the order a teardown deletes them in.
func sortByTemplateReversed(res []artifact.ResourceInfo) []artifact.ResourceInfo {
	order := map[string]int{}
	for i, t := range artifact.TemplateResources(nil) {
		order[t.LogicalID] = i + 1
	}
	add := slices.Clone(res)
	slices.SortStableFunc(add, func(a, b artifact.ResourceInfo) int { return order[b.LogicalID] - order[a.LogicalID] })
	return add
}

// Step is one step of an operation as Steps draws it.
type Step struct {
	Name   string
	Done   bool // the last step, reached: done rather than running
	Detail string
}

// Steps draws an operation's steps on one line, the cur-th running (or
// failed); what does not fit v.Width goes: status first, then the other
// steps ("phase 2/5: …").
func Steps(v View, steps []Step, cur int, failed bool, status string) string {
	t := v.Theme
	parts := make([]string, len(steps))
	for i, s := range steps {
		switch {
		case i < cur:
			parts[i] = t.OK.Render("✓ " + s.Name)
		case i > cur:
			parts[i] = t.Subtle.Render("· " + s.Name)
		case failed:
			parts[i] = t.Err.Render("✗ " + s.Name)
		case s.Done:
			parts[i] = t.OK.Render("✓ " + s.Name)
		default:
			parts[i] = v.Spin + " " + t.Selected.Render(strings.TrimSpace(s.Name+" "+s.Detail))
		}
	}
	full := strings.Join(parts, t.Subtle.Render(" › "))
	compact := t.Subtle.Render(fmt.Sprintf("phase %d/%d: ", cur+1, len(steps))) + parts[cur]
	line := full + status
	for _, l := range []string{full + status, full, compact + status, compact} {
		if line = l; ansi.StringWidth(l) <= v.Width {
			break
		}
	}
	return line
}
