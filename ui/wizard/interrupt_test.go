package wizard

import (
	"errors"
	"testing"
	"time"

	teatest "github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/dbaf/dbaf/ui/common"
	"github.com/dbaf/dbaf/ui/internal/uitest"
)

func TestWizardCtrlCInterrupted(t *testing.T) {
	tm, p := uitest.Run(t, wizNew(t, wizSandbox(), nil, nil), 100, 30)
	waitListed(t, p)
	tm.Send(uitest.Ctrl('c'))
	w := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*uitest.Probe).M.(*Model)
	_, err := w.Result()
	if !errors.Is(err, common.ErrInterrupted) || !errors.Is(err, ErrAborted) {
		t.Errorf("Result() error = %v, want common.ErrInterrupted and ErrAborted", err)
	}
}
