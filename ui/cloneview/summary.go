package cloneview

// The summary's preflight: what a clone would find in the account now (the
// source, the quotas, the source's existing clones, its key), asked as the
// view opens and shown on the summary, where the developer decides. The
// Clone keeps its report for the run, so the clone does not ask AWS the
// same questions again. A problem that would stop the clone is said
// there, and creating is not offered: the clone would fail before creating
// anything.

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/dbaf/dbaf/ui/clonesummary"
)

// checkAccount starts the summary's preflight, dropping one in flight.
func (m *Model) checkAccount() tea.Cmd {
	clone := m.o.Clone
	if clone == nil || !clone.Checks() {
		return nil
	}
	return tea.Batch(m.pre.Start(m.Ctx, clone.Check), m.tick())
}

func (m *Model) onChecked(msg clonesummary.CheckedMsg) tea.Cmd {
	c := &m.pre
	if !c.Done(msg) {
		return nil
	}
	if c.StartAsked && m.stage == stageSummary {
		c.StartAsked = false
		return m.create()
	}
	c.StartAsked = false
	return nil
}

// create starts the clone from the summary: once the check is done, and
// not when it found what would stop the clone.
func (m *Model) create() tea.Cmd {
	switch {
	case m.pre.Loading:
		m.pre.StartAsked = true
		return nil
	case m.pre.Blocks():
		return nil
	}
	m.stage = stageRunning
	return m.startClone()
}

// cancelled is the result of leaving the summary: nothing was created,
// for the reason the check gave when it found one.
func (m *Model) cancelled() error {
	if m.pre.Blocks() {
		return m.pre.Result.Err
	}
	return ErrCancelled
}

// onSummaryKey is a key of the summary: create, check again, back, quit,
// or scroll.
func (m *Model) onSummaryKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	switch {
	case key.Matches(msg, k.Create):
		return m.create()
	case key.Matches(msg, k.Recheck) && m.pre.Recheckable():
		return m.checkAccount()
	case key.Matches(msg, k.SummaryBack) && m.o.NeedPassword:
		m.stage, m.pre.StartAsked = stagePassword, false
		m.generated, m.password = false, ""
		return m.pw.Clear()
	case key.Matches(msg, k.SummaryBack), key.Matches(msg, k.SummaryQuit):
		m.interrupted = key.Matches(msg, k.Interrupt)
		m.res.Err = m.cancelled()
		return m.quit()
	}
	_, room := m.summaryRoom()
	m.sumScroll.Key(m.Theme, m.summary().Lines(), room, m.pre.Blocks(), msg.String())
	return nil
}
