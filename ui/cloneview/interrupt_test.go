package cloneview

import (
	"errors"
	"strings"
	"testing"
	"time"

	teatest "github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/dbaf/dbaf/artifact"
	"github.com/dbaf/dbaf/ui/common"
	"github.com/dbaf/dbaf/ui/internal/uitest"
)

func TestCloneViewCtrlCInterrupted(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*Options)
		keys []string
		want error // besides common.ErrInterrupted
	}{
		{"password", func(o *Options) { o.NeedPassword = true }, []string{"ctrl+c"}, ErrCancelled},
		{"summary", nil, []string{"ctrl+c"}, ErrCancelled},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := newTest(t, &cvFake{}, &uitest.Clock{T: uitest.T0}, tc.edit)
			h := uitest.RunHarness(t, m, 100, 30)
			for _, k := range tc.keys {
				h.Key(k)
			}
			h.TM.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
			m.Close()
			if err := m.Result().Err; !errors.Is(err, common.ErrInterrupted) || !errors.Is(err, tc.want) {
				t.Errorf("result error %v, want %v and common.ErrInterrupted", err, tc.want)
			}
		})
	}
	// esc on the password prompt is a plain cancel.
	m := newTest(t, &cvFake{}, &uitest.Clock{T: uitest.T0}, func(o *Options) { o.NeedPassword = true })
	h := uitest.RunHarness(t, m, 100, 30)
	h.Key("esc")
	h.TM.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
	m.Close()
	if err := m.Result().Err; errors.Is(err, common.ErrInterrupted) || !errors.Is(err, ErrCancelled) {
		t.Errorf("esc: result error %v, want ErrCancelled only", err)
	}
}

func TestCloneViewKeepCreatingInterrupted(t *testing.T) {
	h, m, _, _ := cvInProgress(t)
	h.Key("ctrl+c")
	h.Key("k")
	h.TM.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
	m.Close()
	var ie *artifact.InterruptedError
	err := m.Result().Err
	if !errors.Is(err, common.ErrInterrupted) || !errors.As(err, &ie) || !strings.Contains(err.Error(), "dbaf --region eu-west-1 teardown "+uitest.Stack) {
		t.Errorf("keep creating and quit: error %v", err)
	}
}
