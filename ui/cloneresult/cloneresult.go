// Package cloneresult draws the outcome of a clone as its panels say it:
// the ready panel (endpoint, connect line, login, expiry; values people
// copy are never broken inside the box) and the failed panel (cause,
// reason, cleanup), framed.
package cloneresult

import (
	"strings"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/dbaf/dbaf/artifact"
	"github.com/dbaf/dbaf/ui/common"
	"github.com/dbaf/dbaf/ui/printer"
	"github.com/dbaf/dbaf/ui/stackprogress"
)

// PanelWidth is the inner width of result panels on a terminal width wide.
func PanelWidth(width int) int { return max(20, min(width, 160)-4) }

// Box frames lines, wrapping any that would make it wider than the panel;
// a wider line that fits the terminal (a value people copy) grows the box.
func Box(t common.Theme, width int, lines []string) []string {
	w := PanelWidth(width)
	for _, l := range lines {
		w = max(w, min(ansi.StringWidth(l), width-4))
	}
	var in []string
	for _, l := range lines {
		if ansi.StringWidth(l) > w {
			in = append(in, strings.Split(ansi.Wrap(l, w, ""), "\n")...)
			continue
		}
		in = append(in, l)
	}
	return strings.Split(t.Box.Render(strings.Join(in, "\n")), "\n")
}

// Ready is the ready panel: the clone's endpoint, login and the rest.
type Ready struct {
	Theme     common.Theme
	Width     int    // the terminal's
	Title     string // "✓ Clone ready", or a reset's
	Ready     *artifact.CloneReady
	Preflight *artifact.Preflight // what the checks before CreateStack saw; nil: none
	Warnings  []string
	Now       time.Time
	// Final is the frame left on the terminal, clipped to its width: values
	// too wide for it go to Afterword, for the command to print whole.
	Final bool
}

// Box is the ready panel framed, then the values too long for it, each on
// lines of its own so that it can be copied whole; afterword are those
// values whole, in the final frame.
func (p Ready) Box() (lines, afterword []string) {
	in, below, after := p.Lines(PanelWidth(p.Width))
	return append(Box(p.Theme, p.Width, in), below...), after
}

// Lines are the lines of the ready panel, w wide, and, below it, the
// values people copy (endpoint, password, connect line) that would not fit
// on one line of the panel: those are never wrapped inside the box.
func (p Ready) Lines(w int) (lines, below, afterword []string) {
	t, r := p.Theme, p.Ready
	if r == nil {
		return []string{t.OK.Render(p.Title)}, nil, nil
	}
	plain := lipgloss.NewStyle()
	lines = []string{t.OK.Render(p.Title)}
	kv := func(k, v string, st lipgloss.Style) { lines = append(lines, common.KV(t, k, 8, v, w, st)...) }
	room := max(w, p.Width-4) - 8 - 2 // the box grows to the terminal for these
	exact := func(k, v string, st lipgloss.Style) {
		if ansi.StringWidth(v) <= room {
			lines = append(lines, common.KVLines(t, k, 8, []string{v}, st)...)
			return
		}
		lines = append(lines, common.KVLines(t, k, 8, []string{"in full below the box"}, t.Subtle)...)
		if p.Final {
			// The terminal keeps the final frame clipped to its width: the
			// command prints these whole after it (Result().Afterword).
			afterword = append(afterword, v)
			return
		}
		// Wider than the terminal: broken at spaces, never inside an
		// option's "--" unless a word alone is wider; c copies it whole.
		for _, l := range wrapAtSpaces(v, p.Width) {
			below = append(below, st.Render(l))
		}
	}
	exact("endpoint", r.Endpoint, t.Accent)
	kv("port", r.Port, plain)
	kv("username", r.Username, plain)
	if r.Password != "" {
		exact("password", r.Password, t.Warn)
		kv("", "generated: shown only this once, store it now", t.Warn)
	}
	if r.SecretARN != "" {
		exact("secret", r.SecretARN, plain)
		exact("password", r.PasswordCommand, t.Accent)
		kv("", "managed by RDS in Secrets Manager: this command prints it; dbaf never shows it", t.Subtle)
	}
	exact("connect", r.Connection, plain)
	kv("stack", r.Stack, plain)
	if r.ExpiresAt != nil {
		kv("expires", p.expiry(*r.ExpiresAt)+" · "+artifact.Enforcement(r.Enforced), plain)
	} else {
		kv("expires", "never: it runs, and is billed, until torn down", plain)
	}
	if r.Restore != "" {
		st := plain
		if r.FullCopy {
			st = t.Warn
		}
		kv("restore", r.Restore, st)
	}
	if pf := p.Preflight; pf != nil {
		// The source's clones and key, as the preflight saw them.
		for _, f := range printer.PreflightFacts(*pf) {
			switch f.Key {
			case "clones":
				kv(f.Key, f.Text+" before this one", plain)
			case "key":
				kv(f.Key, f.Text, plain)
			}
		}
	}
	if r.Login != nil {
		st := plain
		if !r.Login.LoggedIn {
			st = t.Warn
		}
		kv("login", printer.LoginLine(*r.Login), st)
	}
	for _, wmsg := range p.Warnings {
		for _, l := range common.Wrap("! "+wmsg, w, 3) {
			lines = append(lines, t.Warn.Render(l))
		}
	}
	return lines, below, afterword
}

// wrapAtSpaces breaks v at spaces only, then any word wider than w as
// common.Wrap does.
func wrapAtSpaces(v string, w int) []string {
	var out []string
	for _, l := range common.WrapParts(strings.Fields(v), " ", w) {
		out = append(out, common.Wrap(l, w, 0)...)
	}
	return out
}

func (p Ready) expiry(at time.Time) string {
	s := at.UTC().Format("2006-01-02 15:04 UTC")
	if d := at.Sub(p.Now); d > 0 {
		return s + " (in " + stackprogress.Dur(d) + ")"
	}
	return s + " (expired)"
}

// Failed are the lines of the panel of a clone that failed in AWS, w
// wide; label names a resource's row ("" when it has none).
func Failed(t common.Theme, f *artifact.CloneFailed, label func(id string) string, w int) []string {
	plain := lipgloss.NewStyle()
	lines := []string{t.Err.Render("✗ Clone failed")}
	kv := func(k, v string, st lipgloss.Style) { lines = append(lines, common.KV(t, k, 7, v, w, st)...) }
	cause := "the stack"
	if f.Resource != "" {
		cause = f.Resource
		if l := label(f.Resource); l != "" && l != f.Resource {
			cause = f.Resource + " · " + l
		}
	}
	kv("cause", cause, t.Err)
	kv("reason", f.Reason, t.Err)
	kv("cleanup", f.Cleanup, plain)
	if f.Publisher != "" {
		kv("contact", f.Publisher+" (the artifact's publisher), if this persists", plain)
	}
	return lines
}

// StopCreating is the ctrl+c question while stack is being created;
// teardown is the line that removes it later.
func StopCreating(t common.Theme, w int, stack, teardown string) []string {
	lines := []string{t.Warn.Render("Stop? Stack " + stack + " is being created in AWS.")}
	lines = append(lines, common.Wrap("Leaving does not stop CloudFormation: the stack goes on being created, and billed once it runs.", w, 0)...)
	return append(lines, "",
		t.Key.Render("k")+"    keep it creating and quit; tear it down later with:",
		"       "+t.Accent.Render(teardown),
		t.Key.Render("d")+"    tear it down now (CloudFormation stops creating and deletes what exists)",
		t.Key.Render("esc")+"  go back and keep watching")
}

// StopResetting is the ctrl+c question during a reset's deletion of
// stack (deleted: it is gone, the new clone not yet made); recreate is the
// line that makes the clone again.
func StopResetting(t common.Theme, w int, stack string, deleted bool, recreate string) []string {
	title := "Stop? Stack " + stack + " is being deleted for the reset."
	if deleted {
		title = "Stop? Stack " + stack + " is deleted; the new clone is not created yet."
	}
	lines := []string{t.Warn.Render(title)}
	lines = append(lines, common.Wrap("Leaving does not stop CloudFormation's deletion, and nothing makes the clone again: its endpoint answers nothing until you do, with:", w, 0)...)
	return append(lines, "       "+t.Accent.Render(recreate), "",
		t.Key.Render("k")+"    quit now",
		t.Key.Render("esc")+"  go back and let the reset finish")
}

// ConfirmTeardown asks before stack is torn down.
func ConfirmTeardown(t common.Theme, w int, stack string) []string {
	lines := []string{t.Warn.Render("Tear down " + stack + "?")}
	lines = append(lines, common.Wrap("This deletes the clone's cluster, its instance and everything else in the stack. It cannot be undone.", w, 0)...)
	return append(lines, "", t.Key.Render("y")+" tear it down   "+t.Key.Render("n")+" keep it")
}

// Stopped is the panel of an operation (op: clone, reset) that ended with
// err; teardown, when set, is the line that removes what may remain.
func Stopped(t common.Theme, w int, op string, err error, stack, teardown string) []string {
	lines := []string{t.Err.Render("✗ The " + op + " stopped")}
	for _, l := range common.Wrap(err.Error(), w, 6) {
		lines = append(lines, t.Err.Render(l))
	}
	if teardown != "" {
		lines = append(lines, "")
		lines = append(lines, common.Wrap("Stack "+stack+" may hold resources: t tears it down, or later: "+teardown, w, 0)...)
	}
	return lines
}

// TornDown says stack is gone, after took (0: unknown).
func TornDown(t common.Theme, stack string, took time.Duration) []string {
	msg := "✓ Torn down: nothing left of " + stack
	if took > 0 {
		msg += " (" + stackprogress.Dur(took) + ")"
	}
	return []string{t.OK.Render(msg)}
}

// TeardownFailed says why stack could not be torn down.
func TeardownFailed(t common.Theme, w int, stack string, err error) []string {
	lines := []string{t.Err.Render("✗ Could not tear down " + stack)}
	for _, l := range common.Wrap(err.Error(), w, 6) {
		lines = append(lines, lipgloss.NewStyle().Render(l))
	}
	return lines
}

// ResetStoppedDeleting is the final frame of a reset stopped while it
// deleted stack: nothing makes the clone again but recreate.
func ResetStoppedDeleting(t common.Theme, w int, stack, recreate string) []string {
	lines := []string{t.Warn.Render("Stack " + stack + " is being deleted for the reset; dbaf stopped and does not clone it again.")}
	lines = append(lines, common.Wrap("Its endpoint answers nothing until the clone is made again, with:", w, 0)...)
	return append(lines, "  "+t.Accent.Render(recreate))
}
