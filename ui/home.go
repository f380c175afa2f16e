package ui

import (
	"context"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// HomeChoice is what the user picked on the home screen.
type HomeChoice int

// The home screen's choices. HomeQuit is also the answer when the user
// leaves with esc, q or ctrl+c.
const (
	HomeQuit HomeChoice = iota
	HomeBuild
	HomeClone
	HomeList
)

func (c HomeChoice) String() string {
	switch c {
	case HomeBuild:
		return "build"
	case HomeClone:
		return "clone"
	case HomeList:
		return "list"
	}
	return "quit"
}

// HomeEntry is one line of the home screen. Disabled, when set, says why
// the entry cannot be chosen yet (it is shown, dimmed, with the reason).
type HomeEntry struct {
	Choice   HomeChoice
	Title    string
	Detail   string
	Disabled string
}

// DefaultHomeEntries are the product's entries: build, clone, my clones,
// quit. The caller may disable the ones it has not wired.
func DefaultHomeEntries() []HomeEntry {
	return []HomeEntry{
		{Choice: HomeBuild, Title: "Build an artifact", Detail: "capture an Aurora cluster as a Docker image developers can clone"},
		{Choice: HomeClone, Title: "Clone from an artifact", Detail: "get your own copy-on-write clone from an artifact image"},
		{Choice: HomeList, Title: "My clones", Detail: "the clones you made: source, age, expiry; tear them down"},
		{Choice: HomeQuit, Title: "Quit"},
	}
}

// Home is the screen `dbaf` opens on, a tea.Model. Create it with NewHome.
type Home struct {
	entries     []HomeEntry
	theme       Theme
	cursor      int
	choice      HomeChoice
	chosen      bool
	interrupted bool // left with ctrl+c

	// The image step of "Clone from an artifact" (when images is set).
	ctx           context.Context
	images        ArtifactImages
	picking       bool
	loading       bool
	imgs          []ArtifactImage
	imgCursor     int
	image         string
	notice        string
	width, height int
	help          help.Model
	keys          homeKeys
}

type homeKeys struct {
	Up, Down, Choose, Jump, Quit, Help key.Binding
}

func (k homeKeys) ShortHelp() []key.Binding {
	return []key.Binding{k.Up, k.Down, k.Choose, k.Jump, k.Quit, k.Help}
}
func (k homeKeys) FullHelp() [][]key.Binding { return [][]key.Binding{k.ShortHelp()} }

// NewHome creates the home screen showing entries, in order.
func NewHome(entries []HomeEntry, theme Theme) *Home {
	h := &Home{entries: entries, theme: resolveTheme(theme), width: 80, height: 24, help: help.New()}
	jump := "1-" + strconv.Itoa(max(1, len(entries)))
	h.keys = homeKeys{
		Up:     key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:   key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		Choose: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "choose")),
		Jump:   key.NewBinding(key.WithKeys("1", "2", "3", "4", "5", "6", "7", "8", "9"), key.WithHelp(jump, "choose by number")),
		Quit:   key.NewBinding(key.WithKeys("q", "esc", "ctrl+c"), key.WithHelp("q", "quit")),
		Help:   key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "all keys")),
	}
	h.help.Styles = h.theme.helpStyles()
	h.help.ShortSeparator = " · "
	// Start on the first entry that can be chosen.
	for i, e := range entries {
		if e.Disabled == "" {
			h.cursor = i
			break
		}
	}
	return h
}

// Choice is what was chosen; HomeQuit until something was.
func (h *Home) Choice() HomeChoice {
	if !h.chosen {
		return HomeQuit
	}
	return h.choice
}

// RunHome shows the home screen and returns the choice; leaving with
// ctrl+c is ErrInterrupted.
func RunHome(ctx context.Context, entries []HomeEntry, theme Theme, progOpts ...tea.ProgramOption) (HomeChoice, error) {
	res, err := RunHomeWith(ctx, HomeOptions{Entries: entries, Theme: theme}, progOpts...)
	return res.Choice, err
}

// Init asks for the terminal's background when the theme follows it.
func (h *Home) Init() tea.Cmd { return h.theme.request() }

// Update handles keys and resizes.
func (h *Home) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		h.width, h.height = msg.Width, msg.Height
		h.help.SetWidth(msg.Width)
	case tea.BackgroundColorMsg:
		if h.theme.follow(msg) {
			h.help.Styles = h.theme.helpStyles()
		}
	case homeImagesMsg:
		h.gotImages(msg)
	case tea.KeyPressMsg:
		if h.picking && msg.String() != "ctrl+c" {
			return h, h.imageKey(msg.String())
		}
		if h.help.ShowAll {
			h.help.ShowAll = false
			if msg.String() != "ctrl+c" {
				return h, nil
			}
		}
		switch {
		case key.Matches(msg, h.keys.Quit):
			h.choice, h.chosen = HomeQuit, true
			h.interrupted = msg.String() == "ctrl+c"
			return h, tea.Quit
		case key.Matches(msg, h.keys.Help):
			h.help.ShowAll = true
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
func (h *Home) move(d int) {
	if len(h.entries) == 0 {
		return
	}
	h.cursor = (h.cursor + d + len(h.entries)) % len(h.entries)
	h.notice = ""
}

func (h *Home) choose(i int) tea.Cmd {
	if i < 0 || i >= len(h.entries) {
		return nil
	}
	e := h.entries[i]
	if e.Disabled != "" {
		h.notice = e.Title + ": " + e.Disabled
		return nil
	}
	if e.Choice == HomeClone && h.images != nil {
		h.notice = ""
		return h.pickImage()
	}
	h.choice, h.chosen = e.Choice, true
	return tea.Quit
}

// View draws the home screen.
func (h *Home) View() tea.View {
	v := tea.NewView(h.render())
	v.AltScreen = true
	v.WindowTitle = "dbaf"
	return v
}

func (h *Home) render() string {
	th := h.theme
	if h.width < 40 || h.height < 10 {
		return wizTooSmall(th, h.width, h.height)
	}
	lines := []string{
		th.Title.Render("dbaf") + th.Subtle.Render(" · Database Artifact Factory"),
		th.Subtle.Render("Self-service, throw-away copies of production Aurora databases."),
		"",
	}
	if h.picking {
		lines = append(lines, h.imageLines()...)
	} else if h.help.ShowAll {
		lines = append(lines, th.Title.Render("Keys"), "")
		for _, b := range h.keys.ShortHelp() {
			lines = append(lines, "  "+th.Key.Render(wizPad(b.Help().Key, 8))+" "+b.Help().Desc)
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
				line = mark + strconv.Itoa(i+1) + "  " + wizPad(e.Title, titleW+3)
			}
			switch {
			case e.Disabled != "":
				line = th.Disabled.Render(line + detail)
			case i == h.cursor:
				line = th.Selected.Render(line) + th.Subtle.Render(detail)
			default:
				line += th.Subtle.Render(detail)
			}
			lines = append(lines, ansi.Truncate(line, h.width, "…"))
		}
		if h.notice != "" {
			lines = append(lines, "", th.Warn.Render(ansi.Truncate("! "+h.notice, h.width, "…")))
		}
	}
	keys := bindingLines(th, h.keys.ShortHelp(), h.width)
	if h.picking {
		keys = strings.Split(cvHelpWrap(th, h.width, "↑/↓", "choose", "enter", "clone it", "esc", "back", "ctrl+c", "quit"), "\n")
	}
	rows := max(0, h.height-len(keys))
	for len(lines) < rows {
		lines = append(lines, "")
	}
	lines = append(lines[:rows], keys...)
	return strings.Join(lines, "\n")
}
