package clonelist

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/dbaf/dbaf/artifact"
	"github.com/dbaf/dbaf/ui/cloneview"
	"github.com/dbaf/dbaf/ui/common"
)

// Options configures the list of clones (`dbaf list`, "my clones").
type Options struct {
	Region string
	// List returns the dbaf clones in the region (artifact.List).
	List func(ctx context.Context) ([]artifact.CloneInfo, error)
	// Teardown deletes one clone's stack (artifact.Teardown), shown live.
	Teardown func(ctx context.Context, stack string, emit artifact.Emit) error
	// Commands spells the lines the list tells the user to run, with the
	// run's global flags.
	Commands artifact.Commands

	Theme common.Theme     // zero: a dark theme, replaced once the terminal reports its background
	Now   func() time.Time // nil: time.Now
	Still bool             // no spinner animation (golden tests, reduced motion)
	// Embedded makes leaving the list send ClosedMsg instead of
	// quitting the program, so the home screen can host it.
	Embedded bool
}

// Result is what happened in the list.
type Result struct {
	TornDown []string // stacks deleted from the list
}

// ClosedMsg is sent instead of quitting when the list is Embedded.
type ClosedMsg struct{ Result Result }

type clStage int

const (
	stageLoading clStage = iota
	stageError
	stageTable
	stageDetail
	stageTeardown
)

// clSorts are the columns `s` cycles through; age (oldest first) is the
// order artifact.List returns.
var clSorts = [...]string{"age", "stack", "source", "owner", "expires", "status"}

// loadedMsg carries a List call's answer; seq drops answers a newer
// refresh has overtaken.
type loadedMsg struct {
	seq    int
	clones []artifact.CloneInfo
	err    error
}

// autoRefresh is how often an idle list asks again: clones being created
// or deleted change status while the table is open.
const autoRefresh = 15 * time.Second

// refreshMsg is the auto-refresh tick of load seq; a newer load makes it stale.
type refreshMsg struct{ seq int }

// closedTeardownMsg says the finished teardown view has released its goroutine.
type closedTeardownMsg struct{}

// Model is the Bubble Tea model of the clone table.
type Model struct {
	common.Common
	o   Options
	now func() time.Time

	stage    clStage
	seq      int
	loadErr  error
	clones   []artifact.CloneInfo
	shown    []int // indices into clones, filtered and sorted
	cursor   int
	top      int
	sortBy   int
	desc     bool
	confirm  bool // asking whether to tear down the selected clone
	flash    string
	showHelp bool // the "?" panel of every key

	keys      keyMap
	filter    textinput.Model
	filtering bool

	td *cloneview.Model

	spin spinner.Model

	res         Result
	quitting    bool
	interrupted bool // left with ctrl+c
}

// New builds the list; ctx bounds its List and Teardown calls.
func New(ctx context.Context, o Options) *Model {
	back := "quit"
	if o.Embedded {
		back = "back"
	}
	m := &Model{Common: common.NewCommon(ctx, o.Theme), o: o, now: o.Now, keys: newKeyMap(back)}
	if m.now == nil {
		m.now = time.Now
	}
	m.spin = spinner.New(spinner.WithSpinner(spinner.Dot))
	m.filter = textinput.New()
	m.filter.Prompt = "/ "
	m.filter.Placeholder = "stack, source, owner, status or endpoint"
	m.filter.SetWidth(40)
	st := textinput.DefaultStyles(true)
	st.Cursor.Blink = !o.Still
	m.filter.SetStyles(st)
	return m
}

// Run runs the list until the user leaves it.
func Run(ctx context.Context, o Options, progOpts ...tea.ProgramOption) (Result, error) {
	o.Embedded = o.Embedded || common.HostFrom(ctx) != nil
	m := New(ctx, o)
	_, err := common.RunModel(ctx, m, func(msg tea.Msg) bool { _, ok := msg.(ClosedMsg); return ok }, progOpts)
	m.Close()
	if err == nil && m.interrupted {
		err = common.ErrInterrupted
	}
	return m.Result(), err
}

// Result is what happened in the list.
func (m *Model) Result() Result { return m.res }

// Close stops a teardown view still watching (CloudFormation goes on).
func (m *Model) Close() {
	if m.td != nil {
		m.td.Close()
	}
}

// Init loads the clones.
func (m *Model) Init() tea.Cmd {
	return tea.Batch(m.load(), m.Theme.Request())
}

func (m *Model) load() tea.Cmd {
	m.stage, m.loadErr = stageLoading, nil
	return m.fetch()
}

// fetch asks for the clones again; the table stays on screen meanwhile.
func (m *Model) fetch() tea.Cmd {
	m.seq++
	seq, list, ctx := m.seq, m.o.List, m.Ctx
	load := func() tea.Msg {
		if list == nil {
			return loadedMsg{seq: seq, err: fmt.Errorf("no way to list clones (Options.List is nil)")}
		}
		clones, err := list(ctx)
		return loadedMsg{seq: seq, clones: clones, err: err}
	}
	if m.o.Still || m.stage != stageLoading {
		return load
	}
	// A second tick chain (a refresh while loading) is dropped by the spinner's tag check.
	return tea.Batch(load, m.spin.Tick)
}

// Update handles one message.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if m.stage == stageTeardown && m.td != nil {
		return m, m.updateTeardown(msg)
	}
	if m.Prologue(msg) {
		m.keepCursorVisible()
		return m, nil
	}
	switch msg := msg.(type) {
	case spinner.TickMsg:
		return m, common.Spin(&m.spin, msg, m.stage == stageLoading && !m.o.Still)
	case loadedMsg:
		if msg.seq != m.seq {
			return m, nil
		}
		if msg.err != nil {
			if m.stage == stageTable { // a background refresh: keep the table
				m.flash = "could not refresh: " + msg.err.Error()
				return m, m.scheduleRefresh()
			}
			m.stage, m.loadErr = stageError, msg.err
			return m, nil
		}
		selected := m.selectedStack()
		m.clones, m.stage = msg.clones, stageTable
		m.refresh(selected)
		return m, m.scheduleRefresh()
	case refreshMsg:
		if msg.seq != m.seq || m.stage != stageTable {
			return m, nil
		}
		return m, m.fetch()
	case closedTeardownMsg:
		return m, nil
	case tea.PasteMsg:
		if m.filtering {
			var cmd tea.Cmd
			m.filter, cmd = m.filter.Update(msg)
			m.refresh(m.selectedStack())
			return m, cmd
		}
		return m, nil
	case tea.KeyPressMsg:
		m.flash = ""
		return m, m.onKey(msg)
	}
	if m.filtering {
		var cmd tea.Cmd
		m.filter, cmd = m.filter.Update(msg)
		return m, cmd
	}
	return m, nil
}

// scheduleRefresh starts the next auto-refresh (not in still, golden mode).
func (m *Model) scheduleRefresh() tea.Cmd {
	if m.o.Still {
		return nil
	}
	seq := m.seq
	return tea.Tick(autoRefresh, func(time.Time) tea.Msg { return refreshMsg{seq: seq} })
}

// updateTeardown hands every message to the live teardown view until it
// closes, then goes back to a refreshed list.
func (m *Model) updateTeardown(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case cloneview.ClosedMsg:
		td := m.td
		m.td = nil
		if msg.Result.TornDown {
			m.res.TornDown = append(m.res.TornDown, td.Stack())
		}
		// Close waits for the goroutine: off the event loop.
		return tea.Batch(func() tea.Msg { td.Close(); return closedTeardownMsg{} }, m.load())
	case tea.WindowSizeMsg:
		m.SetSize(msg.Width, msg.Height)
	case tea.BackgroundColorMsg:
		if m.Prologue(msg) {
			m.td.SetTheme(m.Theme)
		}
		return nil
	}
	_, cmd := m.td.Update(msg)
	return cmd
}

func (m *Model) onKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	if key.Matches(msg, k.Interrupt) {
		m.interrupted = true
		return m.quit()
	}
	if m.showHelp {
		m.showHelp = false // any key closes the keys
		return nil
	}
	if key.Matches(msg, k.Help) && m.stage == stageDetail && !m.confirm {
		m.showHelp = true
		return nil
	}
	if m.confirm {
		switch {
		case key.Matches(msg, k.Yes):
			m.confirm = false
			return m.startTeardown()
		case key.Matches(msg, k.No):
			m.confirm = false
		}
		return nil
	}
	if m.filtering {
		switch {
		case key.Matches(msg, k.KeepFilter):
			m.filtering = false
			m.filter.Blur()
		case key.Matches(msg, k.ClearFilter):
			m.filtering = false
			m.filter.Blur()
			m.filter.Reset()
			m.refresh(m.selectedStack())
		case key.Matches(msg, k.FilterMove):
			m.move(map[string]int{"up": -1, "down": 1}[msg.String()])
		default:
			var cmd tea.Cmd
			m.filter, cmd = m.filter.Update(msg)
			m.refresh(m.selectedStack())
			return cmd
		}
		return nil
	}
	switch m.stage {
	case stageLoading:
		if key.Matches(msg, k.Leave) {
			return m.quit()
		}
	case stageError:
		switch {
		case key.Matches(msg, k.Retry):
			return m.load()
		case key.Matches(msg, k.Leave):
			return m.quit()
		}
	case stageDetail:
		switch {
		case key.Matches(msg, k.Back):
			m.stage = stageTable
		case key.Matches(msg, k.Teardown):
			if m.selected() != nil {
				m.confirm = true
			}
		case key.Matches(msg, k.Copy):
			if c := m.selected(); c != nil && c.Endpoint != "" {
				m.flash = "endpoint sent to the clipboard (where the terminal allows OSC 52)"
				return tea.SetClipboard(c.Endpoint)
			}
		case key.Matches(msg, k.Quit):
			return m.quit()
		}
	case stageTable:
		switch {
		case key.Matches(msg, k.Quit):
			return m.quit()
		case key.Matches(msg, k.Esc):
			if m.filter.Value() != "" {
				m.filter.Reset()
				m.refresh(m.selectedStack())
				return nil
			}
			return m.quit()
		case key.Matches(msg, k.Up):
			m.move(-1)
		case key.Matches(msg, k.Down):
			m.move(1)
		case key.Matches(msg, k.PageUp):
			m.move(-m.tableHeight())
		case key.Matches(msg, k.PageDown):
			m.move(m.tableHeight())
		case key.Matches(msg, k.Top):
			m.move(-len(m.shown))
		case key.Matches(msg, k.Bottom):
			m.move(len(m.shown))
		case key.Matches(msg, k.Details):
			if m.selected() != nil {
				m.stage = stageDetail
			}
		case key.Matches(msg, k.Teardown):
			if m.selected() != nil {
				m.confirm = true
			}
		case key.Matches(msg, k.Sort):
			m.sortBy = (m.sortBy + 1) % len(clSorts)
			m.refresh(m.selectedStack())
		case key.Matches(msg, k.Reverse):
			m.desc = !m.desc
			m.refresh(m.selectedStack())
		case key.Matches(msg, k.Filter):
			m.filtering = true
			return m.filter.Focus()
		case key.Matches(msg, k.Refresh):
			return m.load()
		}
	}
	return nil
}

func (m *Model) quit() tea.Cmd {
	m.quitting = true
	if m.o.Embedded {
		res := m.res
		return func() tea.Msg { return ClosedMsg{Result: res} }
	}
	return tea.Quit
}

func (m *Model) startTeardown() tea.Cmd {
	c := m.selected()
	if c == nil {
		return nil
	}
	m.td = cloneview.NewTeardown(m.Ctx, cloneview.Options{Stack: c.Stack, Region: m.o.Region, Teardown: m.o.Teardown, Commands: m.o.Commands,
		Theme: m.Theme, Now: m.now, Still: m.o.Still, Embedded: true, Source: c.Source})
	m.td.SetSize(m.Width, m.Height)
	m.stage = stageTeardown
	return m.td.Init()
}

func (m *Model) selected() *artifact.CloneInfo {
	if m.cursor < 0 || m.cursor >= len(m.shown) {
		return nil
	}
	return &m.clones[m.shown[m.cursor]]
}

func (m *Model) selectedStack() string {
	if c := m.selected(); c != nil {
		return c.Stack
	}
	return ""
}

func (m *Model) move(d int) {
	m.cursor = max(0, min(len(m.shown)-1, m.cursor+d))
	m.keepCursorVisible()
}

func (m *Model) keepCursorVisible() {
	h := m.tableHeight()
	if m.cursor < m.top {
		m.top = m.cursor
	}
	if m.cursor >= m.top+h {
		m.top = m.cursor - h + 1
	}
	m.top = max(0, min(m.top, len(m.shown)-h))
}

// refresh filters and sorts, keeping the cursor on the same stack.
func (m *Model) refresh(keep string) {
	q := strings.ToLower(strings.TrimSpace(m.filter.Value()))
	m.shown = m.shown[:0]
	for i, c := range m.clones {
		if q == "" || strings.Contains(strings.ToLower(strings.Join([]string{c.Stack, c.Source, c.Owner, c.Status, c.Endpoint, c.Image}, " ")), q) {
			m.shown = append(m.shown, i)
		}
	}
	by := clSorts[m.sortBy]
	slices.SortStableFunc(m.shown, func(a, b int) int {
		x, y := &m.clones[a], &m.clones[b]
		var r int
		switch by {
		case "age":
			r = x.Created.Compare(y.Created)
		case "stack":
			r = cmp.Compare(x.Stack, y.Stack)
		case "source":
			r = cmp.Compare(x.Source, y.Source)
		case "owner":
			r = cmp.Compare(clOwner(x.Owner), clOwner(y.Owner))
		case "expires":
			switch { // no expiry sorts last
			case x.ExpiresAt == nil && y.ExpiresAt == nil:
			case x.ExpiresAt == nil:
				r = 1
			case y.ExpiresAt == nil:
				r = -1
			default:
				r = x.ExpiresAt.Compare(*y.ExpiresAt)
			}
		case "status":
			r = cmp.Compare(x.Status, y.Status)
		}
		if m.desc {
			r = -r
		}
		return r
	})
	m.cursor = 0
	for i, idx := range m.shown {
		if m.clones[idx].Stack == keep {
			m.cursor = i
		}
	}
	m.keepCursorVisible()
}

// clOwner keeps the name part of an IAM ARN, which is what people read.
func clOwner(arn string) string {
	if i := strings.LastIndex(arn, "/"); i >= 0 {
		return arn[i+1:]
	}
	return arn
}

// expired says whether a clone's TTL has passed, by the view's clock.
func (m *Model) expired(c *artifact.CloneInfo) bool {
	return c.Expired || c.ExpiresAt != nil && !m.now().Before(*c.ExpiresAt)
}

func (m *Model) expiresText(c *artifact.CloneInfo) string {
	if c.ExpiresAt == nil {
		return "-"
	}
	d := c.ExpiresAt.Sub(m.now())
	if m.expired(c) {
		return "expired " + artifact.Age(-d) + " ago"
	}
	return "in " + artifact.Remaining(d)
}

// fullCopies counts the clones AWS made full copies of their source.
func (m *Model) fullCopies() int {
	n := 0
	for i := range m.clones {
		if m.clones[i].Restore == artifact.RestoreFullCopy {
			n++
		}
	}
	return n
}

// tableHeight is how many clone rows fit.
func (m *Model) tableHeight() int {
	// header, blank, column titles … blank, notes, help
	return max(1, m.Height-6)
}

// View draws the current stage.
func (m *Model) View() tea.View {
	if m.quitting {
		return tea.NewView("")
	}
	if m.stage == stageTeardown && m.td != nil {
		return m.td.View()
	}
	var s string
	switch m.stage {
	case stageLoading:
		s = m.viewLoading()
	case stageError:
		s = m.viewError()
	case stageDetail:
		s = m.viewDetail()
		if m.showHelp {
			s = m.viewKeys()
		}
	default:
		s = m.viewTable()
	}
	return tea.NewView(common.Fit(s, m.Width, m.Height))
}

func (m *Model) header(right string) string {
	t := m.Theme
	left := t.Title.Render("dbaf list") + "  " + "clones in " + common.Or(m.o.Region, "the current region")
	r := t.Subtle.Render(right)
	if gap := m.Width - ansi.StringWidth(left) - ansi.StringWidth(r); gap >= 2 && right != "" {
		return left + strings.Repeat(" ", gap) + r
	}
	return left
}

func (m *Model) viewLoading() string {
	frame := strings.TrimSpace(ansi.Strip(m.spin.View()))
	return strings.Join([]string{m.header(""), "", m.Theme.Accent.Render(frame) + " loading the dbaf clones…", "",
		m.hints(0)}, "\n")
}

func (m *Model) viewError() string {
	t := m.Theme
	lines := []string{m.header(""), "", t.Err.Render("✗ Could not list the clones")}
	for _, l := range common.Wrap(m.loadErr.Error(), m.Width-4, 8) {
		lines = append(lines, "  "+l)
	}
	lines = append(lines, "", m.hints(0))
	return strings.Join(lines, "\n")
}

// clCols are the table's columns; the last two are the first to go when
// the terminal is narrow (enter shows them).
var clCols = [...]string{"STACK", "SOURCE", "OWNER", "AGE", "EXPIRES", "STATUS", "RESTORE", "ENDPOINT"}

const (
	colStatus  = 5
	colRestore = 6
	colLast    = len(clCols) - 1
)

func (m *Model) cells(c *artifact.CloneInfo) [len(clCols)]string {
	return [...]string{c.Stack, c.Source, clOwner(c.Owner), artifact.Age(m.now().Sub(c.Created)), m.expiresText(c),
		c.Status, artifact.RestoreWords(c.Restore), common.Or(c.Endpoint, "-")}
}

func (m *Model) viewTable() string {
	t := m.Theme
	dir := "↑"
	if m.desc {
		dir = "↓"
	}
	expired := 0
	for i := range m.clones {
		if m.expired(&m.clones[i]) {
			expired++
		}
	}
	count := fmt.Sprintf("%d clones", len(m.clones))
	if len(m.clones) == 1 {
		count = "1 clone"
	}
	if q := m.filter.Value(); q != "" {
		count = fmt.Sprintf("%d of %s", len(m.shown), count)
	}
	lines := []string{m.header(count + " · sorted by " + clSorts[m.sortBy] + " " + dir), ""}

	if len(m.clones) == 0 {
		lines = append(lines, "No dbaf clones in "+common.Or(m.o.Region, "this region")+". dbaf clone makes one.", "")
		lines = append(lines, m.hints(0))
		return strings.Join(lines, "\n")
	}

	// Column widths from the content; the endpoint takes what is left, and
	// only a terminal too narrow for them all makes columns give way.
	var wd [len(clCols)]int
	for i, c := range clCols {
		wd[i] = len(c)
	}
	all := make([][len(clCols)]string, len(m.shown))
	for i, idx := range m.shown {
		all[i] = m.cells(&m.clones[idx])
		for j, v := range all[i] {
			wd[j] = max(wd[j], ansi.StringWidth(v))
		}
	}
	used := 3
	for j := range colLast {
		used += wd[j] + 2
	}
	cols := len(clCols)
	switch {
	case m.Width-used >= 16:
		wd[colLast] = min(wd[colLast], m.Width-used)
	case used-2 <= m.Width:
		cols = colLast // no room for the endpoint: enter shows it
	default:
		// No room for the restore kind either: the note flags full copies.
		cols = colRestore
		used -= wd[colRestore] + 2
		// Narrower still: owner, source, status and last the stack give way.
		over := used - 2 - m.Width
		for _, c := range [][2]int{{2, 8}, {1, 10}, {colStatus, 15}, {0, 20}} {
			if over <= 0 {
				break
			}
			cut := min(over, max(0, wd[c[0]]-c[1]))
			wd[c[0]] -= cut
			over -= cut
		}
	}

	row := func(v [len(clCols)]string, st [len(clCols)]lipgloss.Style) string {
		var b strings.Builder
		for j := range cols {
			cell := v[j]
			if ansi.StringWidth(cell) > wd[j] {
				cell = ansi.Truncate(cell, wd[j], "…")
			}
			if j < cols-1 {
				cell = common.Pad(cell, wd[j])
			}
			b.WriteString(st[j].Render(cell))
			if j < cols-1 {
				b.WriteString("  ")
			}
		}
		return b.String()
	}
	var head [len(clCols)]lipgloss.Style
	for j := range head {
		head[j] = t.Subtle
	}
	lines = append(lines, "   "+row(clCols, head))

	if len(m.shown) == 0 {
		lines = append(lines, "", "  No clone matches "+t.Accent.Render(m.filter.Value())+". esc clears the filter.")
	}
	h := m.tableHeight()
	for i := m.top; i < len(m.shown) && i < m.top+h; i++ {
		c := &m.clones[m.shown[i]]
		var st [len(clCols)]lipgloss.Style
		cur, mark := " ", " "
		if i == m.cursor {
			cur = t.Selected.Render("▸")
			st[0] = t.Selected
		}
		if m.expired(c) {
			// A marker and the word "expired", not colour alone.
			mark = t.Err.Render("!")
			st[4] = t.Err
		} else if c.ExpiresAt != nil && artifact.ExpiresSoon(c.ExpiresAt.Sub(m.now())) {
			// Within the hour AWS deletes it: a marker, not colour alone.
			mark = t.Warn.Render("⚠")
			st[4] = t.Warn
		}
		if c.Restore == artifact.RestoreFullCopy {
			st[colRestore] = t.Warn // billed in full
		}
		if strings.HasSuffix(c.Status, "_FAILED") {
			st[colStatus] = t.Err
		} else if strings.HasSuffix(c.Status, "_IN_PROGRESS") {
			st[colStatus] = t.Warn
		}
		lines = append(lines, cur+mark+" "+row(all[i], st))
	}
	lines = append(lines, "")
	end := len(lines) // the rows end here; the note and keys follow
	switch {
	case m.confirm:
		lines = append(lines, m.confirmLines(m.selectedStack())...)
	case m.filtering:
		lines = append(lines, m.filter.View()+"   "+m.hints(0))
	default:
		note := ""
		if q := m.filter.Value(); q != "" {
			note = t.Subtle.Render("filter: ") + t.Accent.Render(q) + "   "
		}
		if expired > 0 {
			word := "clones have"
			if expired == 1 {
				word = "clone has"
			}
			note += t.Err.Render(fmt.Sprintf("! %d %s expired: select and press t to tear down", expired, word))
		}
		if full := m.fullCopies(); cols <= colRestore && full > 0 {
			if expired > 0 {
				note += "   "
			}
			what := fmt.Sprintf("%d full copies", full)
			if full == 1 {
				what = "1 full copy"
			}
			note += t.Warn.Render("! " + what + ": storage billed in full")
		}
		if m.flash != "" {
			note = t.OK.Render(m.flash)
		}
		lines = append(lines, note)
		lines = append(lines, strings.Split(m.hints(m.Width), "\n")...)
	}
	// The note and keys stay at the bottom whatever the height.
	if len(lines) > m.Height {
		tail := len(lines) - end
		lines = append(lines[:max(0, m.Height-tail)], lines[end:]...)
	}
	return strings.Join(lines, "\n")
}

// viewKeys is the "?" panel: every key of the screen, then how to close it.
func (m *Model) viewKeys() string {
	lines := []string{m.header(""), "", m.Theme.Title.Render("Keys"), ""}
	for _, group := range m.detailKeys().FullHelp() {
		lines = append(lines, common.BindingLines(m.Theme, group, m.Width)...)
	}
	return strings.Join(append(lines, "", m.hints(m.Width)), "\n")
}

func (m *Model) viewDetail() string {
	t := m.Theme
	c := m.selected()
	if c == nil {
		return m.viewTable()
	}
	plain := lipgloss.NewStyle()
	w := max(20, min(m.Width, 160)-4)
	var body []string
	kv := func(k, v string, st lipgloss.Style) { body = append(body, common.KV(t, k, 8, v, w, st)...) }
	body = append(body, t.Title.Render(c.Stack))
	kv("source", c.Source, plain)
	if c.Image != "" {
		kv("artifact", c.Image, plain)
	}
	kv("owner", common.Or(c.Owner, "-"), plain)
	kv("created", c.Created.UTC().Format("2006-01-02 15:04 UTC")+" ("+artifact.Age(m.now().Sub(c.Created))+" ago)", plain)
	switch {
	case c.ExpiresAt == nil:
		kv("expires", "never: it runs until torn down", plain)
	case m.expired(c):
		kv("expires", "! "+c.ExpiresAt.UTC().Format("2006-01-02 15:04 UTC")+", "+m.expiresText(c)+": tear it down", t.Err)
	default:
		kv("expires", c.ExpiresAt.UTC().Format("2006-01-02 15:04 UTC")+" ("+m.expiresText(c)+") · "+artifact.Enforcement(c.Enforced), plain)
	}
	if c.ScheduleError != "" {
		kv("schedule", c.ScheduleError+" (the expiry shown is the stack's tag)", t.Warn)
	}
	switch c.Restore {
	case artifact.RestoreFullCopy:
		kv("restore", artifact.FullCopyNote, t.Warn)
	case "":
		kv("restore", "unknown: the clone's cluster or its source was not found", t.Subtle)
	default:
		kv("restore", c.Restore+": shares the source's storage until pages change", plain)
	}
	kv("status", c.Status, plain)
	body = append(body, common.KVExact(t, "endpoint", 8, common.Or(c.Endpoint, "- (not ready)"), w, t.Accent)...)
	lines := []string{m.header(""), ""}
	lines = append(lines, strings.Split(t.Box.Render(strings.Join(body, "\n")), "\n")...)
	lines = append(lines, "")
	cmds := m.o.Commands.In(m.o.Region)
	// The commands on lines of their own, wrapped rather than cut: they
	// are copied whole.
	if c.Endpoint != "" {
		lines = append(lines, common.Wrap("Connect as the source's master user, with the password chosen when the clone was made:", m.Width-2, 0)...)
		for _, l := range common.Wrap(cmds.Connect(c.Stack), m.Width-4, 0) {
			lines = append(lines, "  "+l)
		}
	}
	lines = append(lines, "Tear it down here with t, or with:")
	for _, l := range common.Wrap(cmds.Teardown(c.Stack), m.Width-4, 0) {
		lines = append(lines, "  "+t.Accent.Render(l))
	}
	lines = append(lines, "")
	switch {
	case m.confirm:
		lines = append(lines, m.confirmLines(c.Stack)...)
	case m.flash != "":
		lines = append(lines, t.OK.Render(m.flash))
	default:
		lines = append(lines, m.hints(m.Width))
	}
	return strings.Join(lines, "\n")
}

// confirmLines ask whether to tear a stack down, wrapped to the width so
// that the answers stay on screen.
func (m *Model) confirmLines(stack string) []string {
	t := m.Theme
	parts := []string{}
	for _, l := range common.Wrap("Tear down "+stack+"? It deletes the clone and everything in its stack.", m.Width, 0) {
		parts = append(parts, t.Warn.Render(l))
	}
	return append(parts, strings.Split(m.hints(m.Width), "\n")...)
}
