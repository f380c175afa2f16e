package home

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/dbaf/dbaf/artifact"
	"github.com/dbaf/dbaf/ui/clonelist"
	"github.com/dbaf/dbaf/ui/common"
	"github.com/dbaf/dbaf/ui/internal/uitest"
)

// listFlow is the "My clones" flow as the command runs it: the list's own
// Run, which shows the list inside the home program that ctx names.
func listFlow(t *testing.T, runs *int, errs chan<- error) Flow {
	return func(ctx context.Context, res Result) error {
		if res.Choice != List {
			t.Errorf("flow of %v, want list", res.Choice)
		}
		*runs++
		_, err := clonelist.Run(ctx, clonelist.Options{Region: "eu-west-1", Theme: common.NewTheme(true, true),
			Now: func() time.Time { return uitest.T0.Add(time.Hour) }, Still: true,
			List: func(context.Context) ([]artifact.CloneInfo, error) {
				return []artifact.CloneInfo{{Stack: "dbartifact1764032400-prod-clone", Source: "prod-aurora",
					Status: "CREATE_COMPLETE", Created: uitest.T0}}, nil
			}})
		errs <- err
		return err
	}
}

// The home screen hosts the list in its own program and gets its menu back
// when the list closes.
func TestHomeHostsTheList(t *testing.T) {
	runs, errs := 0, make(chan error, 2)
	var finals bytes.Buffer
	h := newHosted(context.Background(), Options{Entries: DefaultEntries(), Theme: common.NewTheme(true, true)},
		listFlow(t, &runs, errs), &finals)
	tm, p := uitest.Run(t, h, 100, 30)
	h.host.send = tm.Send
	uitest.WaitFor(t, p, "› 1  Build an artifact")
	tm.Type("3")
	uitest.WaitFor(t, p, "dbaf list", "dbartifact1764032400-prod-clone", "q back") // q goes back to the menu, and says so
	tm.Type("q")
	uitest.WaitFor(t, p, "› 3  My clones", "Clone from an artifact")
	if err := <-errs; err != nil {
		t.Errorf("the hosted list ended with %v", err)
	}
	// Again: the menu works after a child, and the child opens afresh.
	tm.Type("3")
	uitest.WaitFor(t, p, "dbaf list", "dbartifact1764032400-prod-clone")
	tm.Type("q")
	uitest.WaitFor(t, p, "› 3  My clones")
	<-errs
	tm.Type("q")
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*uitest.Probe).M.(*Model)
	if err := fm.hostEnd(nil); err != nil {
		t.Errorf("Host would end with %v, want nil", err)
	}
	if runs != 2 {
		t.Errorf("the list flow ran %d times, want 2", runs)
	}
}

// ctrl+c in a hosted screen ends dbaf as an interruption (exit 130).
func TestHomeHostedCtrlC(t *testing.T) {
	runs, errs := 0, make(chan error, 1)
	h := newHosted(context.Background(), Options{Entries: DefaultEntries(), Theme: common.NewTheme(true, true)},
		listFlow(t, &runs, errs), nil)
	tm, p := uitest.Run(t, h, 100, 30)
	h.host.send = tm.Send
	uitest.WaitFor(t, p, "› 1  Build an artifact")
	tm.Type("3")
	uitest.WaitFor(t, p, "dbaf list", "dbartifact1764032400-prod-clone")
	tm.Send(uitest.Ctrl('c'))
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*uitest.Probe).M.(*Model)
	if err := fm.hostEnd(nil); !errors.Is(err, common.ErrInterrupted) {
		t.Errorf("Host would end with %v, want ErrInterrupted", err)
	}
}
