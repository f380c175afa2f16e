package ui

import (
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/dbaf/dbaf/artifact"
)

// ctrl+c leaves every screen as an interruption (exit 130), keeping what
// the error said before.

func TestHomeCtrlCInterrupted(t *testing.T) {
	tm, _ := wizRun(t, NewHome(homeEntries(), NewTheme(true, false)), 80, 24)
	tm.Send(wizCtrl('c'))
	h := tm.FinalModel(t).(*wizProbe).m.(*Home)
	if !h.interrupted || h.Choice() != HomeQuit {
		t.Errorf("ctrl+c: interrupted %v choice %v", h.interrupted, h.Choice())
	}
	tm, _ = wizRun(t, NewHome(homeEntries(), NewTheme(true, false)), 80, 24)
	tm.Send(tea.KeyPressMsg{Code: 'q', Text: "q"})
	if h := tm.FinalModel(t).(*wizProbe).m.(*Home); h.interrupted {
		t.Error("q is not an interruption")
	}
}

func TestWizardCtrlCInterrupted(t *testing.T) {
	tm, p := wizRun(t, wizNew(t, wizSandbox(), nil, nil), 100, 30)
	wizWaitListed(t, p)
	tm.Send(wizCtrl('c'))
	w := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*wizProbe).m.(*Wizard)
	_, err := w.Result()
	if !errors.Is(err, ErrInterrupted) || !errors.Is(err, ErrWizardAborted) {
		t.Errorf("Result() error = %v, want ErrInterrupted and ErrWizardAborted", err)
	}
}

// The Run functions report it: ctrl+c arrives as the byte a terminal sends.
func TestRunCtrlCInterrupted(t *testing.T) {
	opts := func() []tea.ProgramOption {
		return []tea.ProgramOption{tea.WithInput(strings.NewReader("\x03")), tea.WithOutput(io.Discard), tea.WithWindowSize(80, 24)}
	}
	ctx := t.Context()
	if _, err := RunHome(ctx, homeEntries(), NewTheme(true, false), opts()...); !errors.Is(err, ErrInterrupted) {
		t.Errorf("RunHome: %v, want ErrInterrupted", err)
	}
	lf := &clFake{answers: []clAnswer{{clones: clClones(cvT0)}}}
	if _, err := RunCloneList(ctx, CloneListOptions{List: lf.List, Theme: NewTheme(true, false), Still: true}, opts()...); !errors.Is(err, ErrInterrupted) {
		t.Errorf("RunCloneList: %v, want ErrInterrupted", err)
	}
	q := []tea.ProgramOption{tea.WithInput(strings.NewReader("q")), tea.WithOutput(io.Discard), tea.WithWindowSize(80, 24)}
	if _, err := RunHome(ctx, homeEntries(), NewTheme(true, false), q...); err != nil {
		t.Errorf("RunHome, q: %v, want no error", err)
	}
}

func TestCloneViewCtrlCInterrupted(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*CloneViewOptions)
		keys []string
		want error // besides ErrInterrupted
	}{
		{"password", func(o *CloneViewOptions) { o.NeedPassword = true }, []string{"ctrl+c"}, ErrCloneCancelled},
		{"summary", nil, []string{"ctrl+c"}, ErrCloneCancelled},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := cvNewTest(t, &cvFake{}, &cvClock{t: cvT0}, tc.edit)
			h := cvRunTest(t, m, 100, 30)
			for _, k := range tc.keys {
				h.key(k)
			}
			h.tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
			m.Close()
			if err := m.Result().Err; !errors.Is(err, ErrInterrupted) || !errors.Is(err, tc.want) {
				t.Errorf("result error %v, want %v and ErrInterrupted", err, tc.want)
			}
		})
	}
	// esc on the password prompt is a plain cancel.
	m := cvNewTest(t, &cvFake{}, &cvClock{t: cvT0}, func(o *CloneViewOptions) { o.NeedPassword = true })
	h := cvRunTest(t, m, 100, 30)
	h.key("esc")
	h.tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
	m.Close()
	if err := m.Result().Err; errors.Is(err, ErrInterrupted) || !errors.Is(err, ErrCloneCancelled) {
		t.Errorf("esc: result error %v, want ErrCloneCancelled only", err)
	}
}

func TestCloneViewKeepCreatingInterrupted(t *testing.T) {
	h, m, _, _ := cvInProgress(t)
	h.key("ctrl+c")
	h.key("k")
	h.tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
	m.Close()
	var ie *artifact.InterruptedError
	err := m.Result().Err
	if !errors.Is(err, ErrInterrupted) || !errors.As(err, &ie) || !strings.Contains(err.Error(), "dbaf teardown "+cvStack) {
		t.Errorf("keep creating and quit: error %v", err)
	}
}
