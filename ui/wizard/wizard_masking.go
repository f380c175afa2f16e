package wizard

import (
	"path/filepath"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/dbaf/dbaf/config"
	"github.com/dbaf/dbaf/internal/masking"
	"github.com/dbaf/dbaf/ui/common"
)

// Step 5 (optional): masking. The [masking] rules and the [hooks]
// post_clone files, listed, each added or edited in a small form checked
// as typed by the config's and db's own rules. Enter skips it when empty.

type maskMode int

const (
	maskList maskMode = iota
	maskRuleForm
	maskHookForm
)

const (
	maskColumn = iota
	maskStrategy
	maskFields
)

type maskingState struct {
	seen   bool // entered once: the step bar shows it from then on
	cursor int  // over the rules, then the hooks
	mode   maskMode
	edit   int // the rule or hook the form edits; -1 adds one
	inputs [maskFields]textinput.Model
	focus  int
	errs   [maskFields]string
	hook   textinput.Model
	hErr   string
}

func newWizMaskingState(w *Model) maskingState {
	s := maskingState{edit: -1}
	for i := range s.inputs {
		s.inputs[i] = w.newInput("> ", "")
		s.inputs[i].CharLimit = 300
	}
	s.inputs[maskColumn].Placeholder = "schema.table.column, e.g. legacy.customers.email"
	s.inputs[maskStrategy].Placeholder = "e.g. email, redact:4, null"
	s.hook = w.newInput("> ", "sql/grants.sql")
	s.hook.CharLimit = 1000
	return s
}

// maskingShown says whether the step bar lists Masking: once entered, or
// when the configuration has rules or hooks.
func (w *Model) maskingShown() bool {
	return w.msk.seen || w.step == stepMasking || len(w.cfg.Masking) > 0 || len(w.cfg.PostClone) > 0
}

// maskItems is how many rows the list has: the rules, then the hooks.
func (w *Model) maskItems() int { return len(w.cfg.Masking) + len(w.cfg.PostClone) }

func (w *Model) enterMasking() tea.Cmd {
	s := &w.msk
	s.seen = true
	s.mode = maskList
	s.cursor = max(0, min(s.cursor, w.maskItems()-1))
	return nil
}

// hookDir is the directory hook paths are relative to: the INI's.
func (w *Model) hookDir() string { return filepath.Dir(w.path) }

// ruleColumnProblem checks a column path as the config does, beside the
// other rules (so a column given twice is refused too).
func (w *Model) ruleColumnProblem(column string) string {
	rules := slices.Clone(w.cfg.Masking)
	if e := w.msk.edit; e >= 0 && e < len(rules) {
		rules = slices.Delete(rules, e, e+1)
	}
	c := config.Config{Masking: append(rules, config.MaskRule{Column: column, Strategy: "keep"})}
	for _, ce := range wizIssues(c.Validate()) {
		if ce.Section == "masking" {
			return wizProblem(ce)
		}
	}
	return ""
}

func strategyProblem(strategy string) string {
	if strategy == "" {
		return "no strategy; want " + masking.Syntax
	}
	if _, err := config.ParseStrategy(strategy); err != nil {
		return err.Error()
	}
	return ""
}

// hookProblem checks a hook path as the build will read it: relative to
// the INI's directory, a regular UTF-8 file of bounded size.
func (w *Model) hookProblem(path string) string {
	if path == "" {
		return "no path; give a SQL file, relative to " + w.hookDir()
	}
	c := w.cfg
	if err := c.Set("post_clone", path); err != nil {
		return wizProblem(err)
	}
	c.Path = w.path
	_, err := c.ReadHooks()
	return wizProblem(err)
}

// checkRule validates the rule form; empty fields are only refused on
// saving (all says so), so an untouched field shows its hint instead.
func (w *Model) checkRule(all bool) {
	s := &w.msk
	col := strings.TrimSpace(s.inputs[maskColumn].Value())
	strat := strings.TrimSpace(s.inputs[maskStrategy].Value())
	s.errs = [maskFields]string{}
	if col != "" || all {
		s.errs[maskColumn] = w.ruleColumnProblem(col)
	}
	if strat != "" || all {
		s.errs[maskStrategy] = strategyProblem(strat)
	}
}

func (w *Model) checkHook(all bool) {
	s := &w.msk
	p := strings.TrimSpace(s.hook.Value())
	s.hErr = ""
	if p != "" || all {
		s.hErr = w.hookProblem(p)
	}
}

// openRule opens the rule form on rule i, or empty to add one (i < 0).
func (w *Model) openRule(i int) tea.Cmd {
	s := &w.msk
	s.mode, s.edit = maskRuleForm, i
	col, strat := "", ""
	if i >= 0 {
		col, strat = w.cfg.Masking[i].Column, w.cfg.Masking[i].Strategy
	}
	s.inputs[maskColumn].SetValue(col)
	s.inputs[maskStrategy].SetValue(strat)
	w.checkRule(false)
	return w.focusMask(maskColumn)
}

// openHook opens the hook form on hook i, or empty to add one (i < 0).
func (w *Model) openHook(i int) tea.Cmd {
	s := &w.msk
	s.mode, s.edit = maskHookForm, i
	v := ""
	if i >= 0 {
		v = w.cfg.PostClone[i]
	}
	s.hook.SetValue(v)
	w.checkHook(false)
	s.hook.CursorEnd()
	return s.hook.Focus()
}

func (w *Model) focusMask(i int) tea.Cmd {
	s := &w.msk
	s.focus = (i + maskFields) % maskFields
	for j := range s.inputs {
		s.inputs[j].Blur()
	}
	s.inputs[s.focus].CursorEnd()
	return s.inputs[s.focus].Focus()
}

// saveRule puts the form's rule into the choices, its strategy written
// canonically; an invalid rule stays in the form with its errors.
func (w *Model) saveRule() {
	s := &w.msk
	w.checkRule(true)
	if s.errs[maskColumn] != "" || s.errs[maskStrategy] != "" {
		return
	}
	st, _ := config.ParseStrategy(strings.TrimSpace(s.inputs[maskStrategy].Value()))
	r := config.MaskRule{Column: strings.TrimSpace(s.inputs[maskColumn].Value()), Strategy: st.String()}
	rules := slices.Clone(w.cfg.Masking) // the slice may be shared with the caller's config
	if s.edit >= 0 && s.edit < len(rules) {
		rules[s.edit] = r
		s.cursor = s.edit
	} else {
		rules = append(rules, r)
		s.cursor = len(rules) - 1
	}
	w.cfg.Masking = rules
	s.mode = maskList
}

func (w *Model) saveHook() {
	s := &w.msk
	w.checkHook(true)
	if s.hErr != "" {
		return
	}
	hooks := slices.Clone(w.cfg.PostClone)
	p := strings.TrimSpace(s.hook.Value())
	if s.edit >= 0 && s.edit < len(hooks) {
		hooks[s.edit] = p
	} else {
		hooks = append(hooks, p)
	}
	if err := w.set("post_clone", strings.Join(hooks, ", ")); err != nil {
		s.hErr = wizProblem(err)
		return
	}
	s.cursor = len(w.cfg.Masking) + slices.Index(hooks, p)
	s.mode = maskList
}

// removeSelected removes the rule or hook under the cursor.
func (w *Model) removeSelected() {
	s := &w.msk
	n := len(w.cfg.Masking)
	switch {
	case s.cursor < n:
		w.cfg.Masking = slices.Delete(slices.Clone(w.cfg.Masking), s.cursor, s.cursor+1)
	case s.cursor < w.maskItems():
		w.cfg.PostClone = slices.Delete(slices.Clone(w.cfg.PostClone), s.cursor-n, s.cursor-n+1)
		if len(w.cfg.PostClone) == 0 {
			w.cfg.PostClone = nil
		}
	}
	s.cursor = max(0, min(s.cursor, w.maskItems()-1))
}

func (w *Model) editSelected() tea.Cmd {
	s := &w.msk
	n := len(w.cfg.Masking)
	switch {
	case s.cursor < n:
		return w.openRule(s.cursor)
	case s.cursor < w.maskItems():
		return w.openHook(s.cursor - n)
	}
	return nil
}

// maskingContinue goes on to the review; hooks are read relative to the
// INI the wizard writes, so the review checks them there.
func (w *Model) maskingContinue() tea.Cmd {
	if len(w.cfg.PostClone) > 0 {
		w.cfg.Path = w.path
	}
	return w.goTo(stepReview)
}

func (w *Model) maskingKey(msg tea.KeyPressMsg) tea.Cmd {
	s := &w.msk
	k := w.keys
	switch s.mode {
	case maskRuleForm:
		switch {
		case key.Matches(msg, k.Continue):
			w.saveRule()
			if s.mode == maskRuleForm {
				for i, e := range s.errs {
					if e != "" {
						return w.focusMask(i)
					}
				}
			}
			return nil
		case key.Matches(msg, k.Back):
			s.mode = maskList
			return nil
		case key.Matches(msg, k.NextField):
			return w.focusMask(s.focus + 1)
		case key.Matches(msg, k.PrevField):
			return w.focusMask(s.focus - 1)
		}
		var cmd tea.Cmd
		s.inputs[s.focus], cmd = s.inputs[s.focus].Update(msg)
		w.checkRule(false)
		return cmd
	case maskHookForm:
		switch {
		case key.Matches(msg, k.Continue):
			w.saveHook()
			return nil
		case key.Matches(msg, k.Back):
			s.mode = maskList
			return nil
		}
		var cmd tea.Cmd
		s.hook, cmd = s.hook.Update(msg)
		w.checkHook(false)
		return cmd
	}
	switch {
	case key.Matches(msg, k.MaskNext):
		return w.maskingContinue()
	case key.Matches(msg, k.Continue) && w.maskItems() == 0:
		return w.maskingContinue()
	case key.Matches(msg, k.MaskEdit):
		return w.editSelected()
	case key.Matches(msg, k.MaskAdd):
		return w.openRule(-1)
	case key.Matches(msg, k.MaskHook):
		return w.openHook(-1)
	case key.Matches(msg, k.MaskDelete):
		w.removeSelected()
	case key.Matches(msg, k.Up):
		s.cursor = max(0, s.cursor-1)
	case key.Matches(msg, k.Down):
		s.cursor = max(0, min(s.cursor+1, w.maskItems()-1))
	case key.Matches(msg, k.Back):
		w.det.loaded = true
		return w.goTo(stepDetails)
	}
	return nil
}

// maskingInput is the text input taking typing, if a form is open.
func (w *Model) maskingInput() *textinput.Model {
	switch w.msk.mode {
	case maskRuleForm:
		return &w.msk.inputs[w.msk.focus]
	case maskHookForm:
		return &w.msk.hook
	}
	return nil
}

// recheckMasking checks the open form again after other input (a paste).
func (w *Model) recheckMasking() {
	switch w.msk.mode {
	case maskRuleForm:
		w.checkRule(false)
	case maskHookForm:
		w.checkHook(false)
	}
}

func (w *Model) maskingHelp() wizHelp {
	k := w.keys
	common := []key.Binding{k.Quit}
	switch w.msk.mode {
	case maskRuleForm:
		save := k.Continue
		save.SetHelp("enter", "save the rule")
		cancel := k.Back
		cancel.SetHelp("esc", "cancel")
		return wizHelp{short: append([]key.Binding{k.NextField, save, cancel}, common...),
			full: [][]key.Binding{{k.NextField, k.PrevField, save, cancel}, common}}
	case maskHookForm:
		save := k.Continue
		save.SetHelp("enter", "save the hook")
		cancel := k.Back
		cancel.SetHelp("esc", "cancel")
		return wizHelp{short: append([]key.Binding{save, cancel}, common...), full: [][]key.Binding{{save, cancel}, common}}
	}
	common = []key.Binding{k.Help, k.Quit}
	skip := k.Continue
	skip.SetHelp("enter", "skip")
	skip.SetEnabled(w.maskItems() == 0)
	edit, del := k.MaskEdit, k.MaskDelete
	edit.SetEnabled(w.maskItems() > 0)
	del.SetEnabled(w.maskItems() > 0)
	next := k.MaskNext
	next.SetEnabled(w.maskItems() > 0)
	short := []key.Binding{k.MaskAdd, k.MaskHook, edit, del, next, skip, k.Back}
	return wizHelp{short: append(short, common...), full: [][]key.Binding{short, {k.Up, k.Down}, common}}
}

func (w *Model) maskingView() []string {
	s := &w.msk
	th := w.Theme
	const labelW = 15
	indent := strings.Repeat(" ", labelW)
	field := func(label string, focused bool, in textinput.Model, problem, about string) []string {
		l := th.Header.Render(common.Pad(label, labelW))
		if focused {
			l = th.Selected.Render(common.Pad(label, labelW))
		}
		out := []string{l + in.View()}
		if problem != "" {
			lines := wizWrap("✗ "+problem, w.Width, th.Err, indent)
			return append(out, lines[:min(2, len(lines))]...)
		}
		return append(out, wizWrap(about, w.Width, th.Subtle, indent)...)
	}
	switch s.mode {
	case maskRuleForm:
		title := "Add a masking rule"
		if s.edit >= 0 {
			title = "Edit the masking rule"
		}
		out := []string{th.Title.Render(title), th.Subtle.Render("Checked as you type; enter saves it, esc cancels."), ""}
		out = append(out, field("Column", s.focus == maskColumn, s.inputs[maskColumn], s.errs[maskColumn],
			"the column every clone masks: schema.table.column")...)
		out = append(out, "")
		return append(out, field("Strategy", s.focus == maskStrategy, s.inputs[maskStrategy], s.errs[maskStrategy],
			masking.Syntax)...)
	case maskHookForm:
		title := "Add a post-clone hook"
		if s.edit >= 0 {
			title = "Edit the post-clone hook"
		}
		out := []string{th.Title.Render(title), th.Subtle.Render("A SQL file run on every clone after masking."), ""}
		return append(out, field("SQL file", true, s.hook, s.hErr, "relative to the INI's directory, "+w.hookDir()+string(filepath.Separator))...)
	}

	out := []string{th.Title.Render("Masking (optional)"),
		th.Subtle.Render("Columns every clone masks before the developer gets it, and SQL files run after."), ""}
	if w.maskItems() == 0 {
		out = append(out, "  No rules and no hooks: every clone is an exact copy of the source.", "",
			"  "+w.keyHint("a", "add a rule", "h", "add a hook file", "enter", "skip"))
		return out
	}
	var rows []string
	cur := -1
	row := func(i int, text string) {
		mark := "  "
		if i == s.cursor {
			mark, cur = "› ", len(rows)
			text = th.Selected.Render(text)
		}
		rows = append(rows, "  "+mark+text)
	}
	rows = append(rows, th.Header.Render("Rules")+th.Subtle.Render(" ("+countNoun(len(w.cfg.Masking), "column", "columns")+")"))
	colW := labelW
	for _, r := range w.cfg.Masking {
		colW = max(colW, len(r.Column)+2)
	}
	for i, r := range w.cfg.Masking {
		row(i, common.Pad(r.Column, colW)+r.Strategy)
	}
	if len(w.cfg.Masking) == 0 {
		rows = append(rows, th.Subtle.Render("    none"))
	}
	rows = append(rows, "", th.Header.Render("Hooks")+th.Subtle.Render(" (post_clone: run in order, relative to the INI's directory)"))
	for i, p := range w.cfg.PostClone {
		row(len(w.cfg.Masking)+i, p)
	}
	if len(w.cfg.PostClone) == 0 {
		rows = append(rows, th.Subtle.Render("    none"))
	}
	// Scroll so the cursor stays on screen.
	room := max(1, w.bodyHeight()-len(out))
	start := 0
	if cur >= room {
		start = cur - room + 1
	}
	return append(out, rows[start:]...)
}
