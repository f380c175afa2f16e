package wizard

import (
	"charm.land/bubbles/v2/key"
)

// wizKeys are the wizard's key bindings. They live in the model (no
// package state); helpKeys picks the ones that apply to the screen shown.
type wizKeys struct {
	Up, Down, Page, Ends  key.Binding
	Type                  key.Binding // help only: typing filters
	ClearFilter           key.Binding
	Select                key.Binding
	Continue              key.Binding
	Toggle, ToggleShown   key.Binding
	Mode                  key.Binding
	NextField, PrevField  key.Binding
	Back, BackFirst       key.Binding
	Region                key.Binding
	Retry                 key.Binding
	Scroll                key.Binding
	Build, Yes, No        key.Binding
	Push, Done, CancelRun key.Binding
	MaskAdd, MaskEdit     key.Binding
	MaskDelete, MaskHook  key.Binding
	MaskNext              key.Binding
	Help, Quit            key.Binding
}

func newWizKeys() wizKeys {
	b := func(keys []string, k, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(k, desc))
	}
	return wizKeys{
		Up:   b([]string{"up", "ctrl+p"}, "↑", "up"),
		Down: b([]string{"down", "ctrl+n"}, "↓", "down"),
		Page: b([]string{"pgup", "pgdown"}, "pgup/pgdn", "page up/down"),
		Ends: b([]string{"home", "end"}, "home/end", "first/last"),
		// Typing is not a key binding; "type" never matches a key press.
		Type:        b([]string{"type"}, "type", "filter"),
		ClearFilter: b([]string{"ctrl+u"}, "ctrl+u", "clear the filter"),
		Select:      b([]string{"enter"}, "enter", "choose"),
		Continue:    b([]string{"enter"}, "enter", "continue"),
		Toggle:      b([]string{"space"}, "space", "select"),
		ToggleShown: b([]string{"ctrl+a"}, "ctrl+a", "select/unselect all shown"),
		Mode:        b([]string{"tab"}, "tab", "source ⇄ pick"),
		NextField:   b([]string{"tab", "down"}, "tab/↓", "next field"),
		PrevField:   b([]string{"shift+tab", "up"}, "shift+tab/↑", "previous field"),
		Back:        b([]string{"esc"}, "esc", "back"),
		BackFirst:   b([]string{"esc"}, "esc", "clear filter / leave"),
		Region:      b([]string{"ctrl+r"}, "ctrl+r", "switch region"),
		Retry:       b([]string{"r"}, "r", "retry"),
		Scroll:      b([]string{"up", "down", "pgup", "pgdown"}, "↑/↓", "scroll"),
		Build:       b([]string{"enter"}, "enter", "write and build"),
		Yes:         b([]string{"y"}, "y", "overwrite"),
		No:          b([]string{"n", "esc"}, "n", "keep the file"),
		Push:        b([]string{"p"}, "p", "push to a registry"),
		Done:        b([]string{"enter", "q"}, "enter", "done"),
		CancelRun:   b([]string{"esc"}, "esc", "cancel"),
		MaskAdd:     b([]string{"a"}, "a", "add a rule"),
		MaskEdit:    b([]string{"e", "enter"}, "e/enter", "edit"),
		MaskDelete:  b([]string{"d", "delete"}, "d", "remove"),
		MaskHook:    b([]string{"h"}, "h", "add a hook file"),
		MaskNext:    b([]string{"tab"}, "tab", "on to the review"),
		Help:        b([]string{"?"}, "?", "keys"),
		Quit:        b([]string{"ctrl+c"}, "ctrl+c", "quit"),
	}
}

// wizHelp is a help.KeyMap for one screen.
type wizHelp struct {
	short []key.Binding
	full  [][]key.Binding
}

func (h wizHelp) ShortHelp() []key.Binding  { return h.short }
func (h wizHelp) FullHelp() [][]key.Binding { return h.full }

// helpKeys returns the keys of the screen shown, most useful first.
func (w *Model) helpKeys() wizHelp {
	k := w.keys
	nav := []key.Binding{k.Up, k.Down, k.Page, k.Ends}
	common := []key.Binding{k.Help, k.Quit}
	h := func(short []key.Binding, full ...[]key.Binding) wizHelp {
		return wizHelp{short: append(short, common...), full: append(full, common)}
	}
	switch w.step {
	case stepSource:
		region := k.Region
		region.SetEnabled(w.opts.SwitchRegion != nil)
		switch {
		case w.src.regionPrompt:
			return h([]key.Binding{k.Continue, k.Back})
		case w.src.list.err != nil:
			return h([]key.Binding{k.Retry, region}, []key.Binding{k.Retry, region, k.BackFirst})
		}
		return h([]key.Binding{k.Type, k.Up, k.Down, k.Select, region},
			[]key.Binding{k.Type, k.ClearFilter, k.Select, region, k.BackFirst}, nav)
	case stepSubnets:
		if w.net.loadErr() != nil {
			return h([]key.Binding{k.Retry, k.Back}, []key.Binding{k.Retry, k.Back})
		}
		if !w.net.custom {
			return h([]key.Binding{k.Continue, k.Mode, k.Back}, []key.Binding{k.Continue, k.Mode, k.Back})
		}
		return h([]key.Binding{k.Toggle, k.Type, k.Continue, k.Mode, k.Back},
			[]key.Binding{k.Toggle, k.ToggleShown, k.Type, k.ClearFilter, k.Continue, k.Mode, k.Back}, nav)
	case stepClass:
		if w.cls.load.err != nil {
			return h([]key.Binding{k.Retry, k.Back}, []key.Binding{k.Retry, k.Back})
		}
		return h([]key.Binding{k.Type, k.Up, k.Down, k.Select, k.Back},
			[]key.Binding{k.Type, k.ClearFilter, k.Select, k.Back}, nav)
	case stepCapacity:
		return h([]key.Binding{k.NextField, k.Continue, k.Back}, []key.Binding{k.NextField, k.PrevField, k.Continue, k.Back})
	case stepDetails:
		hk := k.Help
		hk.SetEnabled(w.helpKeyFree())
		return wizHelp{short: []key.Binding{k.NextField, k.PrevField, k.Continue, k.Back, hk, k.Quit},
			full: [][]key.Binding{{k.NextField, k.PrevField, k.Continue, k.Back}, {hk, k.Quit}}}
	case stepMasking:
		return w.maskingHelp()
	case stepReview:
		if w.rev.confirm {
			return h([]key.Binding{k.Yes, k.No})
		}
		return h([]key.Binding{k.Build, k.Scroll, k.Back}, []key.Binding{k.Build, k.Scroll, k.Back})
	case stepBuild:
		switch {
		case w.bld.pushPrompt:
			return h([]key.Binding{k.Continue, k.Back})
		case w.bld.run.active:
			return h([]key.Binding{k.CancelRun})
		case w.bld.run.err != nil:
			return h([]key.Binding{k.Retry, k.Back}, []key.Binding{k.Retry, k.Back})
		}
		return h([]key.Binding{k.Done, k.Push, k.Back}, []key.Binding{k.Done, k.Push, k.Back})
	}
	return h(nil)
}
