package home

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	teatest "github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/dbaf/dbaf/ui/common"
	"github.com/dbaf/dbaf/ui/internal/uitest"
)

func TestHomeKeysWrapAt80(t *testing.T) {
	tm, p := uitest.Run(t, New(DefaultEntries(), common.NewTheme(true, false)), 60, 12)
	uitest.WaitFor(t, p, "› 1  Build an artifact")
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	s := ansi.Strip(tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*uitest.Probe).M.View().Content)
	if !strings.Contains(s, "? all keys") || len(strings.Split(s, "\n")) != 12 {
		t.Errorf("home keys cut or screen not 12 lines at 60x12:\n%s", s)
	}
}
