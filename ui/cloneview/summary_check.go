package cloneview

// The summary's preflight: what a clone would find in the account now (the
// source, the quotas, the source's existing clones, its key), asked as the
// view opens and shown on the summary, where the developer decides. The
// Clone keeps its report for the run, so the clone does not ask AWS the
// same questions again. A problem that would stop the clone is said there, and creating is
// not offered: the clone would fail before creating anything.

import (
	"context"
	"errors"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/dbaf/dbaf/artifact"
	"github.com/dbaf/dbaf/ui/common"
	"github.com/dbaf/dbaf/ui/printer"
)

// summaryCheck is the summary's preflight (the Clone's Check): running,
// or what it returned.
type summaryCheck struct {
	loading bool
	seq     int // the check in flight; a result of another is stale
	cancel  context.CancelFunc
	c       *artifact.Checked // the last check that returned; nil before
	// startAsked: enter was pressed while checking; the clone starts once
	// the check has found nothing that stops it.
	startAsked bool
}

type checkedMsg struct {
	seq int
	c   *artifact.Checked
}

func (c *summaryCheck) stop() {
	if c.cancel != nil {
		c.cancel()
		c.cancel = nil
	}
}

// blocks says whether the check found what stops the clone before it
// creates anything.
func (c *summaryCheck) blocks() bool { return c.c != nil && c.c.Blocks() }

// recheckable says whether r may check again: the last check found a
// problem or could not finish.
func (c *summaryCheck) recheckable() bool { return !c.loading && c.c != nil && c.c.Err != nil }

// checkAccount starts the summary's preflight, dropping one in flight.
func (m *Model) checkAccount() tea.Cmd {
	clone := m.o.Clone
	if clone == nil || !clone.Checks() {
		return nil
	}
	c := &m.pre
	c.stop()
	c.seq++
	ctx, cancel := context.WithCancel(m.Ctx)
	c.loading, c.cancel = true, cancel
	seq := c.seq
	check := func() tea.Msg { return checkedMsg{seq: seq, c: clone.Check(ctx)} }
	return tea.Batch(check, m.tick())
}

func (m *Model) onChecked(msg checkedMsg) tea.Cmd {
	c := &m.pre
	if msg.seq != c.seq || !c.loading {
		return nil
	}
	c.stop()
	c.loading, c.c = false, msg.c
	if c.startAsked && m.stage == stageSummary {
		c.startAsked = false
		return m.create()
	}
	c.startAsked = false
	return nil
}

// create starts the clone from the summary: once the check is done, and
// not when it found what would stop the clone.
func (m *Model) create() tea.Cmd {
	switch {
	case m.pre.loading:
		m.pre.startAsked = true
		return nil
	case m.pre.blocks():
		return nil
	}
	m.stage = stageRunning
	return m.startClone()
}

// cancelled is the result of leaving the summary: nothing was created,
// for the reason the check gave when it found one.
func (m *Model) cancelled() error {
	if m.pre.blocks() {
		return m.pre.c.Err
	}
	return ErrCancelled
}

// checkLines are the summary's lines about the check, w wide.
func (m *Model) checkLines(w int) []string {
	c := &m.pre
	if m.o.Clone == nil || !m.o.Clone.Checks() || !c.loading && c.c == nil {
		return nil
	}
	t := m.Theme
	plain := lipgloss.NewStyle()
	var out []string
	kv := func(k, v string, st lipgloss.Style) {
		for _, l := range common.KV(t, k, 9, v, w, st) {
			out = append(out, "  "+l)
		}
	}
	indent := "  " + strings.Repeat(" ", 9+2)
	// said wraps a problem or a warning under the facts, marked.
	said := func(mark, text string, st lipgloss.Style) {
		for i, l := range common.Wrap(text, w-len(indent)-2, 0) {
			if i == 0 {
				out = append(out, indent+st.Render(mark+" "+l))
			} else {
				out = append(out, indent+"  "+st.Render(l))
			}
		}
	}
	if c.loading {
		msg := "checking the account: the source, the quotas, its clones, its key…"
		if c.startAsked {
			msg = "checking the account first; the clone starts once nothing stops it…"
		}
		out = append(out, "  "+t.Subtle.Render(common.Pad("checked", 9))+"  "+m.spinFrame()+" "+msg)
		return out
	}
	ch := c.c
	switch {
	case ch.Preflight == nil && ch.Err == nil:
		kv("checked", "nothing to check: stack "+m.info.Stack+" exists, and the clone follows it", plain)
		return out
	case ch.Preflight == nil:
		kv("checked", "could not check the account; the clone checks again before it creates anything (r checks now)", t.Warn)
		said("!", ch.Err.Error(), t.Warn)
		return out
	}
	verdict, vst := "nothing found that stops the clone", t.OK
	switch {
	case c.blocks():
		verdict, vst = "a clone now would fail before creating anything", t.Err
	case ch.Err != nil:
		verdict, vst = "not every check finished; the clone checks again before it creates anything", t.Warn
	}
	kv("checked", "the account at "+ch.At.Format("15:04:05")+": "+verdict, vst)
	for _, f := range printer.PreflightFacts(*ch.Preflight) {
		for _, l := range common.KV(t, f.Key, 7, f.Text, w-len(indent), plain) {
			out = append(out, indent+l)
		}
	}
	for _, msg := range ch.Warnings {
		said("!", msg, t.Warn)
	}
	for _, e := range artifact.Problems(ch.Err) {
		var se *artifact.SourceError
		if errors.As(e, &se) {
			said("✗", e.Error(), t.Err)
		} else {
			said("!", "could not check: "+e.Error(), t.Warn)
		}
	}
	return out
}

// blockedLines replace the summary's cost note when the check found what
// stops the clone.
func (m *Model) blockedLines(w int) []string {
	var out []string
	for _, l := range common.Wrap("Nothing is created while this stands: fix what it names, then r checks again; q quits.", w-2, 0) {
		out = append(out, "  "+m.Theme.Err.Render(l))
	}
	return out
}

// blockedFinal is the final frame of a summary left because of the check:
// what would have stopped the clone stays on the terminal.
func (m *Model) blockedFinal(w int) []string {
	t := m.Theme
	lines := []string{t.Err.Render("dbaf " + m.opNoun() + ": not started, nothing was created: a clone now would fail before creating anything:")}
	for _, e := range artifact.Problems(m.pre.c.Err) {
		for i, l := range common.Wrap(e.Error(), w-4, 0) {
			mark := "    "
			if i == 0 {
				mark = "  ✗ "
			}
			lines = append(lines, mark+l)
		}
	}
	return lines
}
