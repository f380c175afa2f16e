package cloneview

// The summary's preflight: what a clone would find in the account now (the
// source, the quotas, the source's existing clones, its key), asked as the
// view opens and shown on the summary, where the developer decides. The
// Clone keeps its report for the run, so the clone does not ask AWS the
// same questions again. A problem that would stop the clone is said there, and creating is
// not offered: the clone would fail before creating anything.

import (
	"context"

	tea "charm.land/bubbletea/v2"

	"github.com/dbaf/dbaf/artifact"
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
