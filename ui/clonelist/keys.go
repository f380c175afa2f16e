package clonelist

import (
	"charm.land/bubbles/v2/key"

	"github.com/dbaf/dbaf/ui/common"
)

// keyMap holds the list's key bindings; the hint lines are built from them
// (help returns the ones of the screen shown).
type keyMap struct {
	Interrupt, Help, CloseHelp key.Binding

	// The tear-down question.
	Yes, No key.Binding

	// The filter being typed.
	KeepFilter, ClearFilter, FilterMove key.Binding

	// Loading and error screens.
	Leave, Retry key.Binding

	// The table.
	Move, Up, Down, PageUp, PageDown, Top, Bottom key.Binding
	Details, Teardown, Sort, Reverse, Filter      key.Binding
	Refresh, Quit, Esc                            key.Binding

	// The detail panel.
	Copy, Back key.Binding
}

// newKeyMap builds the bindings; back is what q does: "quit", or "back"
// when a host (the home screen) shows the list.
func newKeyMap(back string) keyMap {
	b := common.Bind
	return keyMap{
		Interrupt:   b("ctrl+c", "quit", "ctrl+c"),
		Help:        b("?", "all keys", "?"),
		CloseHelp:   b("any key", "close the keys", "?"),
		Yes:         b("y", "tear down", "y"),
		No:          b("n", "keep", "n", "esc", "q"),
		KeepFilter:  b("enter", "keep filter", "enter"),
		ClearFilter: b("esc", "clear", "esc"),
		FilterMove:  b("↑↓", "move", "up", "down"),
		Leave:       b("q", back, "q", "esc"),
		Retry:       b("r", "retry", "r"),
		Move:        b("↑↓", "move", "up", "down", "k", "j"),
		Up:          b("↑/k", "up", "up", "k"),
		Down:        b("↓/j", "down", "down", "j"),
		PageUp:      b("pgup", "page up", "pgup"),
		PageDown:    b("pgdn", "page down", "pgdown"),
		Top:         b("home/g", "first", "home", "g"),
		Bottom:      b("end/G", "last", "end", "G"),
		Details:     b("enter", "details", "enter"),
		Teardown:    b("t", "tear down", "t"),
		Sort:        b("s", "sort", "s"),
		Reverse:     b("S", "reverse the sort", "S"),
		Filter:      b("/", "filter", "/"),
		Refresh:     b("r", "refresh", "r"),
		Quit:        b("q", back, "q"),
		Esc:         b("esc", "clear the filter / "+back, "esc"),
		Copy:        b("c", "copy endpoint", "c"),
		Back:        b("esc", "back", "esc", "enter", "backspace"),
	}
}

// help is the keys of the screen shown, most useful first.
func (m *Model) help() common.KeyMap {
	k := m.keys
	short := func(bs ...key.Binding) common.KeyMap {
		return common.KeyMap{Short: bs, Full: [][]key.Binding{bs}}
	}
	// As the views draw: the stage first, then the question or the filter.
	switch {
	case m.showHelp:
		return short(k.CloseHelp)
	case m.stage == stageLoading:
		return short(k.Leave)
	case m.stage == stageError:
		return short(k.Retry, k.Leave)
	case m.stage == stageDetail && m.selected() != nil:
		if m.confirm {
			return short(k.Yes, k.No)
		}
		return m.detailKeys()
	case len(m.clones) == 0:
		return short(k.Refresh, k.Quit)
	case m.confirm:
		return short(k.Yes, k.No)
	case m.filtering:
		return short(k.KeepFilter, k.ClearFilter)
	}
	return common.KeyMap{
		Short: []key.Binding{k.Move, k.Details, k.Teardown, k.Sort, k.Filter, k.Refresh, k.Quit},
		Full: [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom},
			{k.Details, k.Teardown, k.Sort, k.Reverse, k.Filter, k.Refresh, k.Quit}},
	}
}

// detailKeys are the detail panel's keys.
func (m *Model) detailKeys() common.KeyMap {
	k := m.keys
	return common.KeyMap{Short: []key.Binding{k.Teardown, k.Copy, k.Back, k.Quit, k.Help},
		Full: [][]key.Binding{{k.Teardown, k.Copy, k.Back, k.Quit, k.Interrupt}}}
}

// hints is the short help of the screen shown, wrapped at w (0: one line).
func (m *Model) hints(w int) string {
	return common.Hints(m.Theme, w, m.help().ShortHelp()...)
}
