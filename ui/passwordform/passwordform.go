// Package passwordform is the form that asks for a clone's master
// password: typed twice, checked against the engine's rules as it is
// entered (naming the rule, never the value), or generated with ctrl+g.
package passwordform

import (
	"errors"
	"fmt"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/dbaf/dbaf/artifact"
	"github.com/dbaf/dbaf/ui/common"
)

// Outcome is what a key did to the form.
type Outcome uint8

const (
	Editing   Outcome = iota // nothing decided yet
	Entered                  // a password was typed twice: Take it
	Generate                 // ctrl+g: dbaf makes one up
	Cancelled                // esc or ctrl+c
)

// Keys are the form's bindings.
type Keys struct {
	Next, Other, Generate, Cancel, Interrupt key.Binding
}

// NewKeys are the form's bindings.
func NewKeys() Keys {
	b := common.Bind
	return Keys{
		Next:      b("enter", "next", "enter"),
		Other:     b("tab", "other field", "tab", "shift+tab", "up", "down"),
		Generate:  b("ctrl+g", "generate one", "ctrl+g"),
		Cancel:    b("esc", "quit", "esc", "ctrl+c"),
		Interrupt: b("ctrl+c", "quit", "ctrl+c"),
	}
}

// Help is the form's keys, as its hint line shows them.
func (k Keys) Help() []key.Binding { return []key.Binding{k.Next, k.Other, k.Generate, k.Cancel} }

// Model is the form for a clone of engine.
type Model struct {
	Keys     Keys
	engine   string
	in       [2]textinput.Model
	focus    int
	err      string
	password string // entered, until Take
}

// New is an empty form for a clone of engine; still stops the cursor
// blinking (goldens, reduced motion).
func New(engine string, still bool) Model {
	f := Model{Keys: NewKeys(), engine: engine}
	for i := range f.in {
		ti := textinput.New()
		ti.EchoMode = textinput.EchoPassword
		ti.EchoCharacter = '•'
		ti.CharLimit = 128
		ti.SetWidth(42)
		ti.Prompt = ""
		st := textinput.DefaultStyles(true)
		st.Cursor.Blink = !still
		ti.SetStyles(st)
		f.in[i] = ti
	}
	return f
}

// Focus puts the cursor in the first field.
func (f *Model) Focus() tea.Cmd { return f.in[f.focus].Focus() }

// Clear empties the form and focuses its first field (back from the
// summary).
func (f *Model) Clear() tea.Cmd {
	f.in[0].Reset()
	f.in[1].Reset()
	f.in[1].Blur()
	f.focus, f.password, f.err = 0, "", ""
	return f.in[0].Focus()
}

// Err is the last problem with what was typed, "" when none.
func (f *Model) Err() string { return f.err }

// Take hands the entered password over and forgets it: the form keeps no
// copy once its caller has it.
func (f *Model) Take() string {
	pw := f.password
	f.password = ""
	return pw
}

// Empty says the fields hold nothing.
func (f *Model) Empty() bool {
	return f.in[0].Value() == "" && f.in[1].Value() == "" && f.password == ""
}

// Update takes a key or a paste.
func (f *Model) Update(msg tea.Msg) (Outcome, tea.Cmd) {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		var cmd tea.Cmd
		f.in[f.focus], cmd = f.in[f.focus].Update(msg)
		return Editing, cmd
	}
	switch {
	case key.Matches(k, f.Keys.Cancel):
		return Cancelled, nil
	case key.Matches(k, f.Keys.Generate):
		f.password, f.err = "", ""
		f.in[0].Reset()
		f.in[1].Reset()
		f.in[f.focus].Blur()
		return Generate, nil
	case key.Matches(k, f.Keys.Other):
		return Editing, f.focusOn(1 - f.focus)
	case key.Matches(k, f.Keys.Next):
		return f.next()
	}
	var cmd tea.Cmd
	f.in[f.focus], cmd = f.in[f.focus].Update(msg)
	return Editing, cmd
}

func (f *Model) next() (Outcome, tea.Cmd) {
	v := f.in[f.focus].Value()
	if f.focus == 0 {
		if err := f.Check(v); err != nil {
			f.err = err.Error()
			return Editing, nil
		}
		f.err = ""
		return Editing, f.focusOn(1)
	}
	if v != f.in[0].Value() {
		f.err = "the two passwords differ: type it again"
		f.in[0].Reset()
		f.in[1].Reset()
		return Editing, f.focusOn(0)
	}
	if err := f.Check(v); err != nil {
		f.err = err.Error()
		return Editing, f.focusOn(0)
	}
	f.password, f.err = v, ""
	f.in[0].Reset()
	f.in[1].Reset()
	f.in[f.focus].Blur()
	return Entered, nil
}

func (f *Model) focusOn(i int) tea.Cmd {
	f.in[f.focus].Blur()
	f.focus = i
	return f.in[i].Focus()
}

// Check applies the master password rules of the clone's engine
// (artifact.CheckPassword), naming the rule and never the value.
func (f *Model) Check(pw string) error {
	if pw == "" {
		return errors.New("type a password, or press ctrl+g to generate one")
	}
	return artifact.CheckPassword(f.engine, pw, "the password")
}

// Lines draw the form w wide under ask, the sentence that says whose
// password it is.
func (f *Model) Lines(t common.Theme, ask string, w int) []string {
	lo, hi := artifact.PasswordLength(f.engine)
	lines := common.Wrap(fmt.Sprintf("%s. Aurora accepts %d to %d printable ASCII characters, without /, \", @ or spaces.", ask, lo, hi), w-2, 0)
	lines = append(lines, "")
	for i, label := range []string{"Password", "Again"} {
		mark := "  "
		if i == f.focus {
			mark = t.Accent.Render("▸ ")
		}
		lines = append(lines, mark+t.Subtle.Render(common.Pad(label, 10))+f.in[i].View())
	}
	lines = append(lines, "")
	if f.err != "" {
		for _, l := range common.Wrap("✗ "+f.err, w-2, 0) {
			lines = append(lines, t.Err.Render(l))
		}
	} else {
		lines = append(lines, t.Subtle.Render("Or press ctrl+g: dbaf generates one and shows it once, when the clone is ready."))
	}
	return lines
}

// Interrupted says whether the key that cancelled was ctrl+c.
func (k Keys) Interrupted(msg tea.KeyPressMsg) bool { return key.Matches(msg, k.Interrupt) }
