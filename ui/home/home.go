package home

import (
	"context"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/dbaf/dbaf/ui/common"
)

// Choice is what the user picked on the home screen.
type Choice int

// The home screen's choices. Quit is also the answer when the user
// leaves with esc, q or ctrl+c.
const (
	Quit Choice = iota
	Build
	Clone
	List
)

func (c Choice) String() string {
	switch c {
	case Build:
		return "build"
	case Clone:
		return "clone"
	case List:
		return "list"
	}
	return "quit"
}

// Entry is one line of the home screen. Disabled, when set, says why
// the entry cannot be chosen yet (it is shown, dimmed, with the reason).
type Entry struct {
	Choice   Choice
	Title    string
	Detail   string
	Disabled string
}

// DefaultEntries are the product's entries: build, clone, my clones,
// quit. The caller may disable the ones it has not wired.
func DefaultEntries() []Entry {
	return []Entry{
		{Choice: Build, Title: "Build an artifact", Detail: "capture an Aurora cluster as a Docker image developers can clone"},
		{Choice: Clone, Title: "Clone from an artifact", Detail: "get your own copy-on-write clone from an artifact image"},
		{Choice: List, Title: "My clones", Detail: "the clones you made: source, age, expiry; tear them down"},
		{Choice: Quit, Title: "Quit"},
	}
}

// Model is the screen `dbaf` opens on, a tea.Model. Create it with New.
type Model struct {
	common.Common
	entries     []Entry
	cursor      int
	choice      Choice
	chosen      bool
	interrupted bool   // left with ctrl+c
	sandbox     string // whether the sandbox account runs ("" = not shown)

	// The image step of "Clone from an artifact" (when images is set).
	images    ArtifactImages
	picking   bool
	loading   bool
	imgs      []ArtifactImage
	imgCursor int
	image     string
	notice    string
	keys      homeKeys

	// Hosting (Host): the flows the choices run and the screen shown.
	flow    Flow
	host    *host
	run     *flowRun // the flow running, if any
	child   *child   // the screen it shows, if any
	flowErr error    // the error a flow ended the program with
}

type homeKeys struct {
	Up, Down, Choose, Jump, Quit, Help key.Binding
}

func (k homeKeys) ShortHelp() []key.Binding {
	return []key.Binding{k.Up, k.Down, k.Choose, k.Jump, k.Quit, k.Help}
}
func (k homeKeys) FullHelp() [][]key.Binding { return [][]key.Binding{k.ShortHelp()} }

// New creates the home screen showing entries, in order.
func New(entries []Entry, theme common.Theme) *Model {
	h := &Model{Common: common.NewCommon(context.Background(), theme), entries: entries}
	jump := "1-" + strconv.Itoa(max(1, len(entries)))
	h.keys = homeKeys{
		Up:     key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:   key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		Choose: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "choose")),
		Jump:   key.NewBinding(key.WithKeys("1", "2", "3", "4", "5", "6", "7", "8", "9"), key.WithHelp(jump, "choose by number")),
		Quit:   key.NewBinding(key.WithKeys("q", "esc", "ctrl+c"), key.WithHelp("q", "quit")),
		Help:   key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "all keys")),
	}
	// Start on the first entry that can be chosen.
	for i, e := range entries {
		if e.Disabled == "" {
			h.cursor = i
			break
		}
	}
	return h
}

// Choice is what was chosen; Quit until something was.
func (h *Model) Choice() Choice {
	if !h.chosen {
		return Quit
	}
	return h.choice
}

// Init asks for the terminal's background when the theme follows it.
func (h *Model) Init() tea.Cmd { return h.Theme.Request() }

// Update handles keys and resizes.
func (h *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if h.flow != nil {
		if cmd, ok := h.updateHosted(msg); ok {
			return h, cmd
		}
	}
	if h.Prologue(msg) {
		return h, nil
	}
	switch msg := msg.(type) {
	case imagesMsg:
		h.gotImages(msg)
	case tea.KeyPressMsg:
		if h.picking && msg.String() != "ctrl+c" {
			return h, h.imageKey(msg.String())
		}
		if h.Help.ShowAll {
			h.Help.ShowAll = false
			if msg.String() != "ctrl+c" {
				return h, nil
			}
		}
		switch {
		case key.Matches(msg, h.keys.Quit):
			h.choice, h.chosen = Quit, true
			h.interrupted = msg.String() == "ctrl+c"
			return h, tea.Quit
		case key.Matches(msg, h.keys.Help):
			h.Help.ShowAll = true
		case key.Matches(msg, h.keys.Up):
			h.move(-1)
		case key.Matches(msg, h.keys.Down):
			h.move(1)
		case key.Matches(msg, h.keys.Choose):
			return h, h.choose(h.cursor)
		case key.Matches(msg, h.keys.Jump):
			n, _ := strconv.Atoi(msg.String())
			if n >= 1 && n <= len(h.entries) {
				h.cursor = n - 1
				return h, h.choose(n - 1)
			}
		}
	}
	return h, nil
}

// move steps the cursor, skipping nothing: a disabled entry can be
// highlighted so its reason can be read.
func (h *Model) move(d int) {
	if len(h.entries) == 0 {
		return
	}
	h.cursor = (h.cursor + d + len(h.entries)) % len(h.entries)
	h.notice = ""
}

func (h *Model) choose(i int) tea.Cmd {
	if i < 0 || i >= len(h.entries) {
		return nil
	}
	e := h.entries[i]
	if e.Disabled != "" {
		h.notice = e.Title + ": " + e.Disabled
		return nil
	}
	if e.Choice == Clone && h.images != nil {
		h.notice = ""
		return h.pickImage()
	}
	h.choice, h.chosen = e.Choice, true
	return h.chose()
}

// chose ends the menu with the choice made: the program quits, or (Host)
// the choice's flow starts.
func (h *Model) chose() tea.Cmd {
	if h.flow == nil || h.choice == Quit {
		return tea.Quit
	}
	h.startFlow(Result{Choice: h.choice, Image: h.image})
	return nil
}

// View draws the home screen.
func (h *Model) View() tea.View {
	if v, ok := h.viewHosted(); ok {
		return v
	}
	v := tea.NewView(h.render())
	v.AltScreen = true
	v.WindowTitle = "dbaf"
	return v
}

func (h *Model) render() string {
	th := h.Theme
	if h.Width < 40 || h.Height < 10 {
		return common.TooSmall(th, h.Width, h.Height)
	}
	lines := []string{
		th.Title.Render("dbaf") + th.Subtle.Render(" · Database Artifact Factory"),
		th.Subtle.Render("Self-service, throw-away copies of production Aurora databases."),
		"",
	}
	if h.picking {
		lines = append(lines, h.imageLines()...)
	} else if h.Help.ShowAll {
		lines = append(lines, th.Title.Render("Keys"), "")
		for _, b := range h.keys.ShortHelp() {
			lines = append(lines, "  "+th.Key.Render(common.Pad(b.Help().Key, 8))+" "+b.Help().Desc)
		}
		lines = append(lines, "", th.Subtle.Render("press any key to close"))
	} else {
		titleW := 0
		for _, e := range h.entries {
			titleW = max(titleW, ansi.StringWidth(e.Title))
		}
		for i, e := range h.entries {
			mark := "  "
			if i == h.cursor {
				mark = "› "
			}
			detail := e.Detail
			if e.Disabled != "" {
				detail = e.Disabled
			}
			line := mark + strconv.Itoa(i+1) + "  " + e.Title
			if detail != "" {
				line = mark + strconv.Itoa(i+1) + "  " + common.Pad(e.Title, titleW+3)
			}
			switch {
			case e.Disabled != "":
				line = th.Disabled.Render(line + detail)
			case i == h.cursor:
				line = th.Selected.Render(line) + th.Subtle.Render(detail)
			default:
				line += th.Subtle.Render(detail)
			}
			lines = append(lines, ansi.Truncate(line, h.Width, "…"))
		}
		if h.sandbox != "" {
			lines = append(lines, "", th.Subtle.Render(ansi.Truncate(h.sandbox, h.Width, "…")))
		}
		if h.notice != "" {
			lines = append(lines, "", th.Warn.Render(ansi.Truncate("! "+h.notice, h.Width, "…")))
		}
	}
	keys := common.BindingLines(th, h.keys.ShortHelp(), h.Width)
	if h.picking {
		keys = strings.Split(common.HelpWrap(th, h.Width, "↑/↓", "choose", "enter", "clone it", "esc", "back", "ctrl+c", "quit"), "\n")
	}
	rows := max(0, h.Height-len(keys))
	for len(lines) < rows {
		lines = append(lines, "")
	}
	lines = append(lines[:rows], keys...)
	return strings.Join(lines, "\n")
}
