package cloneview

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/dbaf/dbaf/artifact"
	"github.com/dbaf/dbaf/ui/cloneresult"
	"github.com/dbaf/dbaf/ui/clonesummary"
	"github.com/dbaf/dbaf/ui/common"
	"github.com/dbaf/dbaf/ui/stackprogress"
)

// cvPhases are the clone's phases in order, as the stepper shows them.
var cvPhases = [...]artifact.PhaseID{artifact.PhaseCreating, artifact.PhaseResetting, artifact.PhaseWaiting, artifact.PhaseLoggingIn, artifact.PhaseReady}

// phases are this clone's phases: masking comes second when the artifact
// masks (or the stream says so).
func (m *Model) phases() []artifact.PhaseID {
	phases := cvPhases[:]
	if m.masking || m.o.Artifact != nil && m.o.Artifact.Masks() {
		phases = append([]artifact.PhaseID{cvPhases[0], artifact.PhaseMasking}, cvPhases[1:]...)
	}
	if m.flow == FlowReset {
		phases = append([]artifact.PhaseID{artifact.PhaseDeleting}, phases...)
	}
	return phases
}

// View draws the current stage within the terminal's width and height.
func (m *Model) View() tea.View {
	if m.quitting {
		// Left on the terminal once the program ends: the result, no log.
		// Bubble Tea erases the last line on exit, hence the empty one.
		return tea.NewView(common.Fit(m.final, m.Width, 0) + "\n")
	}
	var s string
	switch m.stage {
	case stagePassword:
		s = m.viewPassword()
	case stageSummary:
		s = m.viewSummary()
	default:
		s = m.viewRun()
	}
	return tea.NewView(common.Fit(s, m.Width, m.Height))
}

func (m *Model) spinFrame() string {
	return m.Theme.Accent.Render(strings.TrimSpace(ansi.Strip(m.spin.View())))
}

func (m *Model) header() string {
	t := m.Theme
	title := "dbaf clone"
	switch {
	case m.flow == FlowTeardown:
		title = "dbaf teardown"
	case m.flow == FlowReset:
		title = "dbaf reset"
	}
	stack := m.info.Stack
	if stack == "" {
		stack = "(new stack)"
	}
	left := t.Title.Render(title) + "  "
	switch {
	case m.flow == FlowTeardown && m.info.Source != "":
		left += t.Accent.Render(stack) + t.Subtle.Render(" (clone of "+m.info.Source+")")
	case m.info.Source != "":
		left += m.info.Source + t.Subtle.Render(" → ") + t.Accent.Render(stack)
	default:
		left += t.Accent.Render(stack)
	}
	if m.info.Attached && !m.tearing {
		left += t.Subtle.Render(" (existing stack, followed)")
	}
	var right []string
	if m.info.Region != "" {
		right = append(right, m.info.Region)
	}
	if m.info.Class != "" && !m.tearing {
		right = append(right, m.info.Class)
	}
	if !m.startAt.IsZero() {
		end := m.endAt
		if end.IsZero() {
			end = m.now()
		}
		right = append(right, stackprogress.Dur(end.Sub(m.startAt)))
	}
	for len(right) > 0 {
		r := t.Subtle.Render(strings.Join(right, " · "))
		if gap := m.Width - ansi.StringWidth(left) - ansi.StringWidth(r); gap >= 2 {
			return left + strings.Repeat(" ", gap) + r
		}
		right = right[1:] // the elapsed time is the last to go
	}
	return left
}

func (m *Model) phaseLine() string {
	t := m.Theme
	stack := ""
	if m.stackState != "" {
		stack = t.Subtle.Render("   stack " + m.stackState)
	}
	switch {
	case m.stage == stageStopping:
		return m.spinFrame() + " stopping the watcher; the teardown starts next"
	case m.tearing:
		switch m.stage {
		case stageTornDown:
			return t.OK.Render("✓ "+artifact.PhaseDeleting.String()) + t.Subtle.Render(" › ") + t.OK.Render("nothing left")
		case stageTeardownFailed:
			return t.Err.Render("✗ "+artifact.PhaseDeleting.String()) + stack
		}
		return m.spinFrame() + " " + artifact.PhaseDeleting.String() + stack
	}
	phases := m.phases()
	steps, cur := make([]stackprogress.Step, len(phases)), 0
	for i, id := range phases {
		steps[i] = stackprogress.Step{Name: id.String(), Done: id == artifact.PhaseReady}
		if id == m.phase {
			cur = i
		}
		if id == artifact.PhaseMasking {
			steps[i].Detail = m.maskTable
		}
	}
	return stackprogress.Steps(m.look(), steps, cur, m.phaseFail, stack)
}

// look is what the stack's progress needs to draw itself now.
func (m *Model) look() stackprogress.View {
	return stackprogress.View{Theme: m.Theme, Width: m.Width, Now: m.now(), Spin: m.spinFrame()}
}

// rowLines draws the resource rows, each failure reason in at most
// reasonMax lines; once the clone has failed the panel shows the root
// cause in full.
func (m *Model) rowLines(reasonMax int) []string {
	return m.prog.RowLines(m.look(), reasonMax, m.stage == stageFailed)
}

// boxed frames a panel's lines.
func (m *Model) boxed(lines []string) []string { return cloneresult.Box(m.Theme, m.Width, lines) }

// readyPanel is the ready panel as it is now.
func (m *Model) readyPanel() cloneresult.Ready {
	return cloneresult.Ready{Theme: m.Theme, Width: m.Width, Title: m.readyTitle(), Ready: m.ready, Preflight: m.preflight,
		Warnings: m.warnings, Now: m.now(), Final: m.quitting}
}

// panel is the block between the rows and the log: a question, or the
// outcome of the stage.
func (m *Model) panel() []string {
	t, w, stack := m.Theme, cloneresult.PanelWidth(m.Width), m.info.Stack
	var lines []string
	switch {
	case m.ask == askInterrupt && m.resetDel:
		lines = cloneresult.StopResetting(t, w, stack, m.stackState == "DELETE_COMPLETE", m.recreate())
	case m.ask == askInterrupt:
		lines = cloneresult.StopCreating(t, w, stack, m.teardownCmds().Teardown(stack))
	case m.ask == askTeardown:
		lines = cloneresult.ConfirmTeardown(t, w, stack)
	case m.stage == stageReady:
		lines, _ = m.readyPanel().Box()
		return lines
	case m.stage == stageFailed:
		lines = cloneresult.Failed(t, m.failed, m.prog.Label, w)
	case m.stage == stageError:
		td := ""
		if m.remains() {
			td = m.teardownCmds().Teardown(stack)
		}
		lines = cloneresult.Stopped(t, w, m.opNoun(), m.err, stack, td)
	case m.stage == stageTornDown:
		var took time.Duration
		if !m.startAt.IsZero() && !m.endAt.IsZero() {
			took = max(m.endAt.Sub(m.startAt), 1)
		}
		lines = cloneresult.TornDown(t, stack, took)
	case m.stage == stageTeardownFailed:
		lines = cloneresult.TeardownFailed(t, w, stack, m.err)
	default:
		return nil
	}
	return m.boxed(lines)
}

// layout splits the height between the fixed parts and the log. The
// panel (the outcome, a question) matters more than the rows: when both do
// not fit, it takes the rows' room (tight), and scrolls if it still does not.
func (m *Model) layout() (top, rows, panel []string, help string, logH int, tight bool) {
	top = []string{m.header(), m.phaseLine(), ""}
	panel = m.panel()
	if m.showHelp {
		panel = m.fullHelp()
	}
	help = m.helpLine()
	keys := strings.Count(help, "\n") + 1
	fixed := func() int {
		n := len(top) + len(rows) + 1 + keys // blank after rows, help
		if len(panel) > 0 {
			n += len(panel) + 1
		}
		return n
	}
	rows = m.rowLines(3)
	if m.Height-fixed() < 6 {
		rows = m.rowLines(1) // short terminal: one line per reason
	}
	if len(panel) > 0 && m.Height-fixed() < 0 {
		panel, _ = common.Scrolled(m.Theme, panel, m.Height-len(top)-keys, m.panelScroll)
		return top, nil, panel, help, 0, true
	}
	logH = m.Height - fixed()
	if logH < 2 {
		logH = 0 // no room: the rows and panel matter more
	}
	return top, rows, panel, help, logH, false
}

// logHeight is how many log lines are visible (for paging and clamping).
func (m *Model) logHeight() int {
	_, _, _, _, h, _ := m.layout()
	return max(0, h-1)
}

// scrollPanel moves a panel too tall for the terminal for a scrolling
// key; false when the panel fits or the key is another.
func (m *Model) scrollPanel(msg tea.KeyPressMsg) bool {
	top, _, panel, help, _, tight := m.layout()
	if !tight {
		return false
	}
	room := m.Height - len(top) - strings.Count(help, "\n") - 1
	off, ok := common.ScrollKey(msg.String(), m.panelScroll, room-2)
	if ok {
		full := m.panel()
		if m.showHelp {
			full = m.fullHelp()
		}
		_, m.panelScroll = common.Scrolled(m.Theme, full, room, off)
	}
	return ok && len(panel) > 0
}

func (m *Model) viewRun() string {
	top, rows, panel, help, logH, tight := m.layout()
	body := make([]string, 0, m.Height)
	body = append(body, top...)
	if tight {
		body = append(body, panel...)
		return strings.Join(append(body, help), "\n")
	}
	body = append(body, rows...)
	body = append(body, "")
	if len(panel) > 0 {
		body = append(body, panel...)
		body = append(body, "")
	}
	body = append(body, m.logLines(logH)...)
	if keys := strings.Count(help, "\n") + 1; len(body) > m.Height-keys {
		body = body[:max(0, m.Height-keys)] // keep the keys on screen whatever happens
	}
	return strings.Join(append(body, help), "\n")
}

func (m *Model) logLines(h int) []string { return m.prog.LogLines(m.look(), h) }

func (m *Model) helpLine() string {
	t := m.Theme
	if m.flash != "" {
		// In place of the keys until the next key: always on screen.
		return t.OK.Render("✓ " + m.flash)
	}
	if m.showHelp {
		return common.Hints(t, m.Width, m.keys.CloseHelp)
	}
	if m.stage == stagePassword || m.stage == stageSummary {
		return "" // their screens show their keys in place
	}
	keys := m.help().ShortHelp()
	if len(keys) == 0 {
		return ""
	}
	return common.Hints(t, m.Width, append(keys, m.keys.Help)...)
}

// fullHelp is the "?" panel: every key of the stage, then the log's.
func (m *Model) fullHelp() []string {
	h := help.New()
	h.Styles = m.Theme.HelpStyles()
	h.SetWidth(cloneresult.PanelWidth(m.Width))
	lines := []string{m.Theme.Title.Render("Keys"), ""}
	lines = append(lines, strings.Split(h.FullHelpView(m.help().FullHelp()), "\n")...)
	return m.boxed(lines)
}

func (m *Model) viewPassword() string {
	t := m.Theme
	user := "its master user"
	if a := m.o.Artifact; a != nil && a.Source.MasterUsername != "" {
		user = "its master user, " + a.Source.MasterUsername
	}
	lines := []string{m.header(), ""}
	lines = append(lines, m.pw.Lines(t, fmt.Sprintf(flowWords[m.flow].ask, user), m.Width)...)
	lines = append(lines, "", common.Hints(t, m.Width, m.help().ShortHelp()...))
	return strings.Join(lines, "\n")
}

func (m *Model) viewSummary() string {
	hints, room := m.summaryRoom()
	lines := append([]string{m.header(), ""}, m.sumScroll.Window(m.Theme, m.summary().Lines(), room, m.pre.Blocks())...)
	return strings.Join(append(lines, "", hints), "\n")
}

// summaryRoom is the summary's keys and the rows left for it between the
// header and them.
func (m *Model) summaryRoom() (hints string, room int) {
	hints = common.Hints(m.Theme, m.Width, m.help().ShortHelp()...)
	return hints, m.Height - 3 - (strings.Count(hints, "\n") + 1) // header, blank; blank, keys
}

// summary is what the summary screen says now.
func (m *Model) summary() *clonesummary.Summary {
	c := &m.pre
	return &clonesummary.Summary{Theme: m.Theme, Width: m.Width, Artifact: m.o.Artifact, Stack: m.info.Stack, Region: m.info.Region,
		Reset: m.flow == FlowReset, Password: m.passwordSaid(),
		Check: c.Check(m.o.Clone != nil && m.o.Clone.Checks(), m.spinFrame())}
}

// passwordSaid is where the clone's password comes from, as the summary
// says it.
func (m *Model) passwordSaid() string {
	switch {
	case m.o.Artifact != nil && m.o.Artifact.Target.ManagedPassword:
		return m.o.Artifact.Target.PasswordDescription()
	case m.generated:
		return "generated: shown once, when the clone is ready"
	case m.o.NeedPassword:
		return "as typed (not shown)"
	}
	return "as given (not shown)"
}

// finalFrame is what stays on the terminal after the view ends: the
// outcome and the next step, without the log.
func (m *Model) finalFrame() string {
	t := m.Theme
	stack := m.info.Stack
	w := cloneresult.PanelWidth(m.Width)
	if lines, ok := m.resetFinalFrame(w); ok {
		return strings.Join(lines, "\n")
	}
	var lines []string
	switch {
	case m.stage == stageSummary && m.pre.Blocks():
		lines = clonesummary.BlockedFinal(t, m.opNoun(), m.pre.Result, w)
	case m.stage == stagePassword || m.stage == stageSummary:
		lines = []string{t.Subtle.Render("dbaf clone: cancelled, nothing was created.")}
	case m.stage == stageRunning && !m.stackKnown:
		lines = []string{t.Warn.Render("dbaf clone: cancelled before the stack was created.")}
		if stack != "" {
			lines = append(lines, common.Wrap("If "+stack+" was created after all, dbaf list shows it and "+m.teardownCmds().Teardown(stack)+" removes it.", w, 0)...)
		}
	case m.stage == stageRunning || m.stage == stageStopping:
		lines = []string{t.Warn.Render("Stack " + stack + " is still being created in AWS; dbaf stopped watching it.")}
		lines = append(lines, "Tear it down later with:", "  "+t.Accent.Render(m.teardownCmds().Teardown(stack)))
	case m.stage == stageReady:
		lines, m.res.Afterword = m.readyPanel().Box()
		lines = append(lines, "The clone keeps running, and is billed, until torn down with:", "  "+t.Accent.Render(m.teardownCmds().Teardown(stack)))
	case m.stage == stageFailed:
		lines = m.boxed(cloneresult.Failed(t, m.failed, m.prog.Label, w))
	case m.stage == stageTeardown:
		lines = []string{t.Warn.Render("Stopped watching: CloudFormation goes on deleting " + stack + " (dbaf list shows it).")}
	default:
		lines = m.panel()
		if m.remains() && m.stage != stageTornDown {
			lines = append(lines, "Tear it down with:", "  "+t.Accent.Render(m.teardownCmds().Teardown(stack)))
		}
	}
	return strings.Join(lines, "\n")
}
