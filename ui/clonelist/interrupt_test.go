package clonelist

import (
	"errors"
	"io"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/dbaf/dbaf/ui/common"
	"github.com/dbaf/dbaf/ui/internal/uitest"
)

// The Run function reports ctrl+c: it arrives as the byte a terminal sends.
func TestRunCtrlCInterrupted(t *testing.T) {
	opts := []tea.ProgramOption{tea.WithInput(strings.NewReader("\x03")), tea.WithOutput(io.Discard), tea.WithWindowSize(80, 24)}
	lf := &fake{answers: []clAnswer{{clones: clClones(uitest.T0)}}}
	if _, err := Run(t.Context(), Options{List: lf.List, Theme: common.NewTheme(true, false), Still: true}, opts...); !errors.Is(err, common.ErrInterrupted) {
		t.Errorf("Run: %v, want common.ErrInterrupted", err)
	}
}
