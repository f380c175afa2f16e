package cloneview

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/dbaf/dbaf/artifact"
	"github.com/dbaf/dbaf/ui/internal/uitest"
)

func TestCloneViewShowsMasking(t *testing.T) {
	clock := &uitest.Clock{T: uitest.T0}
	evs := append(cvCreating(),
		artifact.Phase{Phase: artifact.PhaseMasking},
		artifact.MaskTableStarted{Table: "legacy.customers"},
		artifact.MaskTableDone{Table: "legacy.customers", Rows: 20000, Elapsed: 1500 * time.Millisecond},
		artifact.HookDone{Hook: "hooks/01-grants.sql", Elapsed: 40 * time.Millisecond},
		artifact.MaskTableStarted{Table: "legacy.payments"},
	)
	f := &cvFake{startEvs: evs, hold: true}
	m := newTest(t, f, clock, func(o *Options) { o.SkipSummary = true })
	h := uitest.RunHarness(t, m, 200, 40)
	h.WaitFor(t, "the masking events", func(tm tea.Model) bool { return tm.(*Model).maskTable == "legacy.payments" })
	screen := uitest.Screen(h.Final(t))
	for _, want := range []string{
		"✓ creating stack › ", "masking legacy.payments › · resetting password",
		"masked legacy.customers: 20000 rows in 1.5s", "hook hooks/01-grants.sql done in 40ms",
	} {
		if !strings.Contains(screen, want) {
			t.Errorf("screen lacks %q:\n%s", want, screen)
		}
	}
}

// A hook that runs long shows its name beside the masking phase, not a
// phase it is not in.
func TestCloneViewShowsTheRunningHook(t *testing.T) {
	clock := &uitest.Clock{T: uitest.T0}
	evs := append(cvCreating(),
		artifact.Phase{Phase: artifact.PhaseMasking},
		artifact.Progress{Step: string(artifact.PhaseMasking), Line: "waiting for the cluster to apply it"},
		artifact.HookStarted{Hook: "hooks/03-slow.sql"},
	)
	f := &cvFake{startEvs: evs, hold: true}
	m := newTest(t, f, clock, func(o *Options) { o.SkipSummary = true })
	h := uitest.RunHarness(t, m, 80, 24)
	h.WaitFor(t, "the hook", func(tm tea.Model) bool { return tm.(*Model).maskTable != "" })
	screen := uitest.Screen(h.Final(t))
	if !strings.Contains(screen, "masking hook hooks/03-slow.sql") {
		t.Errorf("screen lacks the running hook:\n%s", screen)
	}
}

func TestCloneViewPhasesWithoutMasking(t *testing.T) {
	m := &Model{o: Options{Artifact: uitest.Artifact()}}
	if got := joinPhases(m.phases()); got != "creating stack,resetting password,waiting for the cluster,logging in,ready" {
		t.Errorf("phases = %s", got)
	}
	a := uitest.Artifact()
	a.Hooks = []artifact.Hook{{Name: "h.sql", SQL: "SELECT 1;"}}
	m.o.Artifact = a
	if got := joinPhases(m.phases()); got != "creating stack,masking,resetting password,waiting for the cluster,logging in,ready" {
		t.Errorf("phases of an artifact with hooks = %s", got)
	}
}

// joinPhases is the stepper's phases as it shows them, comma-separated.
func joinPhases(ps []artifact.PhaseID) string {
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = p.String()
	}
	return strings.Join(names, ",")
}
