package home

import (
	"errors"
	"io"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/dbaf/dbaf/ui/common"
	"github.com/dbaf/dbaf/ui/internal/uitest"
)

func TestHomeCtrlCInterrupted(t *testing.T) {
	tm, _ := uitest.Run(t, New(homeEntries(), common.NewTheme(true, false)), 80, 24)
	tm.Send(uitest.Ctrl('c'))
	h := tm.FinalModel(t).(*uitest.Probe).M.(*Model)
	if !h.interrupted || h.Choice() != Quit {
		t.Errorf("ctrl+c: interrupted %v choice %v", h.interrupted, h.Choice())
	}
	tm, _ = uitest.Run(t, New(homeEntries(), common.NewTheme(true, false)), 80, 24)
	tm.Send(tea.KeyPressMsg{Code: 'q', Text: "q"})
	if h := tm.FinalModel(t).(*uitest.Probe).M.(*Model); h.interrupted {
		t.Error("q is not an interruption")
	}
}

// The Run functions report it: ctrl+c arrives as the byte a terminal sends.
func TestRunCtrlCInterrupted(t *testing.T) {
	opts := func() []tea.ProgramOption {
		return []tea.ProgramOption{tea.WithInput(strings.NewReader("\x03")), tea.WithOutput(io.Discard), tea.WithWindowSize(80, 24)}
	}
	ctx := t.Context()
	if _, err := Run(ctx, homeEntries(), common.NewTheme(true, false), opts()...); !errors.Is(err, common.ErrInterrupted) {
		t.Errorf("Run: %v, want common.ErrInterrupted", err)
	}
	q := []tea.ProgramOption{tea.WithInput(strings.NewReader("q")), tea.WithOutput(io.Discard), tea.WithWindowSize(80, 24)}
	if _, err := Run(ctx, homeEntries(), common.NewTheme(true, false), q...); err != nil {
		t.Errorf("Run, q: %v, want no error", err)
	}
}
