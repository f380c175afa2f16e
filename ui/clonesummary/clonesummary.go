// Package clonesummary is the clone view's summary: what a clone (or a
// reset) will create, where, for whom and at what cost, and what the
// account check found, before anything is created. A problem that would
// stop the clone is said there, with what to do about it.
package clonesummary

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/dbaf/dbaf/artifact"
	"github.com/dbaf/dbaf/config"
	"github.com/dbaf/dbaf/ui/common"
	"github.com/dbaf/dbaf/ui/printer"
)

// Summary is what the summary says.
type Summary struct {
	Theme    common.Theme
	Width    int
	Artifact *artifact.Artifact // nil: the artifact's details are not known
	Stack    string             // "": named when it is created
	Region   string
	Reset    bool   // the clone replaces Stack (dbaf reset)
	Password string // where the password comes from, in words
	Check    Check
}

// Check is the account check as the summary shows it.
type Check struct {
	Shown      bool // the clone is checked before it starts (a reset's is not)
	Loading    bool
	StartAsked bool              // enter was pressed while it runs
	Result     *artifact.Checked // the last check that returned
	Spin       string            // the spinner's frame while it runs
}

func (c *Check) blocks() bool { return c.Result != nil && c.Result.Blocks() }

// Lines are the summary, Width wide: the title, the facts, the check, and
// the cost (or what stops the clone).
func (s *Summary) Lines() []string {
	t := s.Theme
	plain := lipgloss.NewStyle()
	w := s.Width - 2
	region := s.Region
	title := "This creates one CloudFormation stack in " + common.Or(region, "the current region") + ":"
	if s.Reset {
		title = "This tears down stack " + s.Stack + " and creates it again, in " + common.Or(region, "the current region") + ":"
	}
	lines := []string{t.Title.Render(title), ""}
	kv := func(k, v string, st lipgloss.Style) {
		for _, l := range common.KV(t, k, 9, v, w, st) {
			lines = append(lines, "  "+l)
		}
	}
	stack := s.Stack
	if stack == "" {
		stack = "named when it is created (dbartifact<time>-prod-clone)"
	}
	class := "the artifact's"
	if a := s.Artifact; a != nil {
		src := a.Source
		kv("source", fmt.Sprintf("%s · %s %s · %s", src.ClusterID, src.Engine, src.EngineVersion, common.Or(a.Region, region)), plain)
		kv("restore", a.RestoreMode().Description, plain)
		class = a.Target.InstanceClass
		if s := a.Target.Serverless; s != nil {
			class = fmt.Sprintf("%s (%g-%g ACUs)", class, s.Min, s.Max)
		}
		kv("class", fmt.Sprintf("%s · port %d · user %s", class, src.Port, src.MasterUsername), plain)
		net := fmt.Sprintf("%s (%s)", a.Target.VpcID, a.Target.VpcCIDR)
		if a.Target.SubnetsFrom == "source" && a.Target.SourceSubnetGroup != "" {
			net = "the source's subnet group " + a.Target.SourceSubnetGroup + " in " + net
		} else {
			net = fmt.Sprintf("%d subnets in %s", len(a.Target.Subnets), net)
		}
		kv("subnets", net, plain)
		// list shows up to five items, or four and how many more, so a
		// long list does not push the keys off the screen.
		list := func(n int, item func(i int) string) {
			for i := range n {
				if i == 4 && n > 5 {
					kv("", fmt.Sprintf("… and %d more", n-4), t.Subtle)
					break
				}
				kv("", item(i), t.Subtle)
			}
		}
		list(len(a.Target.Subnets), func(i int) string {
			s := a.Target.Subnets[i]
			return fmt.Sprintf("%s  %s  %s", s.ID, s.AZ, s.CIDR)
		})
		access := "not publicly accessible"
		if a.Target.PubliclyAccessible {
			access = "publicly accessible"
		}
		kv("access", fmt.Sprintf("port %d from %s only · %s", src.Port, a.Target.AllowedCIDR, access), plain)
		if a.CloneTTL > 0 {
			kv("expires", config.FormatTTL(time.Duration(a.CloneTTL))+" after creation (tagged: dbaf list flags it, dbaf teardown --expired removes it)", plain)
		} else {
			kv("expires", "never: it runs until torn down", plain)
		}
		if n := len(a.Masking); n > 0 {
			kv("masking", common.Count(n, "column")+", masked before your password is set", plain)
			list(n, func(i int) string { return a.Masking[i].String() })
		}
		if n := len(a.Hooks); n > 0 {
			kv("hooks", common.Count(n, "SQL file")+" run after masking", plain)
			list(n, func(i int) string { return a.Hooks[i].Summary() })
		}
	}
	kv("stack", stack, t.Accent)
	s.resetLines(kv)
	kv("password", s.Password, plain)
	if a := s.Artifact; a != nil && a.Publisher != "" {
		kv("publisher", a.Publisher, plain)
	}
	lines = append(lines, s.checkLines(w)...)
	lines = append(lines, "")
	if s.Check.blocks() {
		lines = append(lines, s.blockedLines(w)...)
	} else {
		cost := fmt.Sprintf("! Cost: the clone runs an Aurora instance (%s), billed by the hour from creation until it is torn down; the storage it changes is billed too.", class)
		for i, l := range common.Wrap(cost, w-2, 0) {
			if i > 0 {
				l = "  " + l
			}
			lines = append(lines, "  "+t.Warn.Render(l))
		}
	}
	return lines
}

// resetLines add what a reset keeps and what it renews.
func (s *Summary) resetLines(kv func(k, v string, st lipgloss.Style)) {
	if !s.Reset {
		return
	}
	plain := lipgloss.NewStyle()
	kv("keeps", "its name and endpoint, the password you give, the masking (run again)", plain)
	ttl := "no expiry"
	if a := s.Artifact; a != nil && a.CloneTTL > 0 {
		ttl = "a TTL of " + config.FormatTTL(time.Duration(a.CloneTTL)) + " from now"
	}
	kv("renews", "the data (the source's latest), "+ttl, plain)
	kv("loses", "everything written to the clone since it was made", s.Theme.Warn)
}

// checkLines are the summary's lines about the check, w wide.
func (s *Summary) checkLines(w int) []string {
	c := &s.Check
	if !c.Shown || !c.Loading && c.Result == nil {
		return nil
	}
	t := s.Theme
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
	if c.Loading {
		msg := "checking the account: the source, the quotas, its clones, its key…"
		if c.StartAsked {
			msg = "checking the account first; the clone starts once nothing stops it…"
		}
		out = append(out, "  "+t.Subtle.Render(common.Pad("checked", 9))+"  "+c.Spin+" "+msg)
		return out
	}
	ch := c.Result
	switch {
	case ch.Preflight == nil && ch.Err == nil:
		kv("checked", "nothing to check: stack "+s.Stack+" exists, and the clone follows it", plain)
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
func (s *Summary) blockedLines(w int) []string {
	var out []string
	for _, l := range common.Wrap("Nothing is created while this stands: fix what it names, then r checks again; q quits.", w-2, 0) {
		out = append(out, "  "+s.Theme.Err.Render(l))
	}
	return out
}

// BlockedFinal is the final frame of op (clone, reset) of a summary left because of the check:
// what would have stopped the clone stays on the terminal.
func BlockedFinal(t common.Theme, op string, c *artifact.Checked, w int) []string {
	lines := []string{t.Err.Render("dbaf " + op + ": not started, nothing was created: a clone now would fail before creating anything:")}
	for _, e := range artifact.Problems(c.Err) {
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

// Checker runs the summary's account check (a clone's Check) and keeps
// what it returned; a check started anew drops the one in flight.
type Checker struct {
	Loading bool
	seq     int // the check in flight; a result of another is stale
	cancel  context.CancelFunc
	Result  *artifact.Checked // the last check that returned; nil before
	// StartAsked: enter was pressed while checking; the clone starts once
	// the check has found nothing that stops it.
	StartAsked bool
}

// CheckedMsg is a check's answer.
type CheckedMsg struct {
	seq    int
	result *artifact.Checked
}

// Start runs check under ctx, dropping the one in flight.
func (c *Checker) Start(ctx context.Context, check func(context.Context) *artifact.Checked) tea.Cmd {
	c.Stop()
	c.seq++
	ctx, c.cancel = context.WithCancel(ctx)
	c.Loading = true
	seq := c.seq
	return func() tea.Msg { return CheckedMsg{seq: seq, result: check(ctx)} }
}

// Done takes a check's answer; false when it is stale.
func (c *Checker) Done(msg CheckedMsg) bool {
	if msg.seq != c.seq || !c.Loading {
		return false
	}
	c.Stop()
	c.Loading, c.Result = false, msg.result
	return true
}

// Stop cancels the check in flight, if any.
func (c *Checker) Stop() {
	if c.cancel != nil {
		c.cancel()
		c.cancel = nil
	}
}

// Blocks says whether the check found what stops the clone before it
// creates anything.
func (c *Checker) Blocks() bool { return c.Result != nil && c.Result.Blocks() }

// Recheckable says whether r may check again: the last check found a
// problem or could not finish.
func (c *Checker) Recheckable() bool { return !c.Loading && c.Result != nil && c.Result.Err != nil }

// Check is the check as the summary shows it; shown says the clone is
// checked before it starts at all.
func (c *Checker) Check(shown bool, spin string) Check {
	return Check{Shown: shown, Loading: c.Loading, StartAsked: c.StartAsked, Result: c.Result, Spin: spin}
}

// Scroll is where the summary screen is scrolled to. Until the developer
// scrolls, a summary whose check found what stops the clone shows its end:
// the problem and what to do about it.
type Scroll struct {
	off   int
	moved bool
}

// Window is the part of lines that fits room rows, with markers for what
// is above and below.
func (s *Scroll) Window(t common.Theme, lines []string, room int, blocked bool) []string {
	win, _ := common.Scrolled(t, lines, room, s.at(blocked))
	return win
}

func (s *Scroll) at(blocked bool) int {
	if blocked && !s.moved {
		return 1 << 30
	}
	return s.off
}

// Key moves the window for a scrolling key; false for others.
func (s *Scroll) Key(t common.Theme, lines []string, room int, blocked bool, k string) bool {
	_, off := common.Scrolled(t, lines, room, s.at(blocked))
	off, ok := common.ScrollKey(k, off, room-2)
	if ok {
		_, s.off = common.Scrolled(t, lines, room, off)
		s.moved = true
	}
	return ok
}
