package clonelist

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/dbaf/dbaf/artifact"
	"github.com/dbaf/dbaf/ui/common"
	"github.com/dbaf/dbaf/ui/internal/uitest"
)

// clClones is a region with an expired clone, a live one and one still
// being created, as artifact.List returns them (oldest first).
func clClones(now time.Time) []artifact.CloneInfo {
	at := func(d time.Duration) *time.Time { t := now.Add(d); return &t }
	mk := func(stack, source, owner string, age time.Duration, exp *time.Time, status, endpoint string) artifact.CloneInfo {
		c := artifact.CloneInfo{Stack: stack, Source: source, Image: "db-artifact:latest", Owner: owner, Created: now.Add(-age),
			Age: artifact.Age(age), ExpiresAt: exp, Status: status, Endpoint: endpoint}
		c.Expired = exp != nil && !now.Before(*exp)
		return c
	}
	clones := []artifact.CloneInfo{
		mk("dbartifact1763852400-prod-clone", "prod", "arn:aws:iam::123456789012:user/alice", 50*time.Hour, at(-2*time.Hour), "CREATE_COMPLETE",
			"dbartifact1763852400-prod-clone.cluster-c9akciq32xyz.eu-west-1.rds.amazonaws.com"),
		mk("ci-clone-42", "orders-mysql", "arn:aws:sts::123456789012:assumed-role/ci/gh-actions", 3*time.Hour, at(21*time.Hour), "CREATE_COMPLETE",
			"ci-clone-42.cluster-c9akciq32xyz.eu-west-1.rds.amazonaws.com"),
		mk(uitest.Stack, "prod", "arn:aws:iam::123456789012:user/bob", 5*time.Minute, nil, "CREATE_IN_PROGRESS", ""),
	}
	// A copy-on-write clone, a full copy, and one whose cluster is not there yet.
	clones[0].Restore, clones[1].Restore = artifact.RestoreCopyOnWrite, artifact.RestoreFullCopy
	return clones
}

// fake is a List that answers from a script, one answer per call.
type fake struct {
	mu      sync.Mutex
	answers []clAnswer
	calls   int
}

type clAnswer struct {
	clones []artifact.CloneInfo
	err    error
}

func (f *fake) List(ctx context.Context) ([]artifact.CloneInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	a := f.answers[min(f.calls, len(f.answers)-1)]
	f.calls++
	return a.clones, a.err
}

func newTest(t *testing.T, lf *fake, td func(context.Context, string, artifact.Emit) error) *Model {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	clock := &uitest.Clock{T: uitest.T0}
	m := New(ctx, Options{Region: "eu-west-1", List: lf.List, Teardown: td, Theme: common.NewTheme(true, false), Now: clock.Now, Still: true})
	t.Cleanup(func() { cancel(); m.Close() })
	return m
}

func clAt(s clStage) func(tea.Model) bool {
	return func(m tea.Model) bool { return m.(*Model).stage == s }
}

func TestCloneListExpired(t *testing.T) {
	m := newTest(t, &fake{answers: []clAnswer{{clones: clClones(uitest.T0)}}}, nil)
	h := uitest.RunHarness(t, m, 100, 30)
	h.WaitFor(t, "the table", clAt(stageTable))
	golden.RequireEqual(t, uitest.Screen(h.Final(t)))
}

func TestCloneListDetail(t *testing.T) {
	m := newTest(t, &fake{answers: []clAnswer{{clones: clClones(uitest.T0)}}}, nil)
	h := uitest.RunHarness(t, m, 100, 30)
	h.WaitFor(t, "the table", clAt(stageTable))
	h.Key("enter")
	h.WaitFor(t, "the details", clAt(stageDetail))
	golden.RequireEqual(t, uitest.Screen(h.Final(t)))
}

func TestCloneListErrorThenRetry(t *testing.T) {
	lf := &fake{answers: []clAnswer{
		{err: errors.New("AccessDenied: user/dev is not authorized to perform cloudformation:ListStacks (grant it, or use another profile)")},
		{clones: clClones(uitest.T0)},
	}}
	m := newTest(t, lf, nil)
	h := uitest.RunHarness(t, m, 100, 30)
	h.WaitFor(t, "the error", clAt(stageError))
	if s := uitest.Screen(m); !strings.Contains(s, "cloudformation:ListStacks") || !strings.Contains(s, "r retry") {
		t.Fatalf("error screen:\n%s", s)
	}
	h.Key("r")
	h.WaitFor(t, "the table", clAt(stageTable))
	h.Final(t)
}

func TestCloneListSortAndFilter(t *testing.T) {
	m := newTest(t, &fake{}, nil)
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 30})
	m.Update(loadedMsg{seq: m.seq, clones: clClones(uitest.T0)})
	order := func() string {
		var s []string
		for _, i := range m.shown {
			s = append(s, m.clones[i].Stack)
		}
		return strings.Join(s, ",")
	}
	if got := order(); got != "dbartifact1763852400-prod-clone,ci-clone-42,"+uitest.Stack {
		t.Fatalf("by age: %s", got)
	}
	m.Update(tea.KeyPressMsg{Code: 's', Text: "s"}) // stack
	if got := order(); got != "ci-clone-42,dbartifact1763852400-prod-clone,"+uitest.Stack {
		t.Fatalf("by stack: %s", got)
	}
	for range 3 { // source, owner, expires
		m.Update(tea.KeyPressMsg{Code: 's', Text: "s"})
	}
	if got := order(); got != "dbartifact1763852400-prod-clone,ci-clone-42,"+uitest.Stack || !strings.Contains(uitest.Screen(m), "sorted by expires") {
		t.Fatalf("by expiry (none last): %s", got)
	}
	m.Update(tea.KeyPressMsg{Code: '/', Text: "/"})
	for _, r := range "mysql" {
		m.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	if got := order(); got != "ci-clone-42" {
		t.Fatalf("filtered: %s", got)
	}
	m.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
	if s := uitest.Screen(m); !strings.Contains(s, "1 of 3 clones") || !strings.Contains(s, "filter: mysql") {
		t.Fatalf("filter not shown:\n%s", s)
	}
	m.Update(tea.KeyPressMsg{Code: tea.KeyEscape})
	if got := order(); strings.Count(got, ",") != 2 {
		t.Fatalf("esc did not clear the filter: %s", got)
	}
}

func TestCloneListExpiredNotByColourAlone(t *testing.T) {
	m := newTest(t, &fake{}, nil)
	m.Update(tea.WindowSizeMsg{Width: 140, Height: 30})
	m.Update(loadedMsg{seq: m.seq, clones: clClones(uitest.T0)})
	for _, l := range strings.Split(uitest.Screen(m), "\n") {
		if strings.Contains(l, "dbartifact1763852400") && (!strings.Contains(l, "!") || !strings.Contains(l, "expired 2h ago")) {
			t.Fatalf("expired row without marker or words: %q", l)
		}
		if strings.Contains(l, "ci-clone-42") && strings.Contains(l, "!") {
			t.Fatalf("live row marked: %q", l)
		}
	}
}

// A clone within the hour of its expiry is marked ⚠ on its row, not by
// colour alone.
func TestCloneListMarksACloneAboutToExpire(t *testing.T) {
	m := newTest(t, &fake{}, nil)
	m.Update(tea.WindowSizeMsg{Width: 140, Height: 30})
	clones := clClones(uitest.T0)
	soon := uitest.T0.Add(42 * time.Minute)
	clones[2].ExpiresAt, clones[2].Enforced = &soon, true
	m.Update(loadedMsg{seq: m.seq, clones: clones})
	found := false
	for _, l := range strings.Split(uitest.Screen(m), "\n") {
		if strings.Contains(l, uitest.Stack) {
			found = true
			if !strings.Contains(l, "⚠") || !strings.Contains(l, "in 42m") {
				t.Errorf("the row 42 minutes from its expiry lacks ⚠ and its time: %q", l)
			}
		}
		if strings.Contains(l, "ci-clone-42") && strings.Contains(l, "⚠") {
			t.Errorf("a row 21 hours from its expiry is marked: %q", l)
		}
	}
	if !found {
		t.Fatalf("no row for %s:\n%s", uitest.Stack, uitest.Screen(m))
	}
}

func TestCloneListTeardown(t *testing.T) {
	rest := clClones(uitest.T0)[:2]
	lf := &fake{answers: []clAnswer{{clones: clClones(uitest.T0)}, {clones: rest}}}
	var torn []string
	var mu sync.Mutex
	td := func(ctx context.Context, stack string, emit artifact.Emit) error {
		mu.Lock()
		torn = append(torn, stack)
		mu.Unlock()
		for _, e := range uitest.Deletion(0, "prod") {
			emit(e)
		}
		return nil
	}
	m := newTest(t, lf, td)
	h := uitest.RunHarness(t, m, 100, 30)
	h.WaitFor(t, "the table", clAt(stageTable))
	h.Key("G") // the newest clone, last by age
	h.Key("t")
	h.WaitFor(t, "the question", func(tm tea.Model) bool { return tm.(*Model).confirm })
	h.Key("y")
	h.WaitFor(t, "the deletion", func(tm tea.Model) bool {
		l := tm.(*Model)
		return l.td != nil && l.td.TornDown()
	})
	s := uitest.Screen(m)
	for _, want := range []string{"dbaf teardown", "nothing left", "DB instance", "q back"} {
		if !strings.Contains(s, want) {
			t.Errorf("teardown screen lacks %q:\n%s", want, s)
		}
	}
	h.Key("q")
	h.WaitFor(t, "the refreshed table", func(tm tea.Model) bool {
		l := tm.(*Model)
		return l.stage == stageTable && len(l.clones) == 2
	})
	h.Key("q")
	h.TM.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
	if got := m.Result().TornDown; len(got) != 1 || got[0] != uitest.Stack || len(torn) != 1 || torn[0] != uitest.Stack {
		t.Fatalf("torn down %v, teardown calls %v", got, torn)
	}
}

func TestCloneListEmpty(t *testing.T) {
	m := newTest(t, &fake{}, nil)
	m.Update(loadedMsg{seq: m.seq})
	if s := uitest.Screen(m); !strings.Contains(s, "No dbaf clones in eu-west-1") {
		t.Fatalf("empty list:\n%s", s)
	}
}

// An open list asks again on its own, keeps the table on screen meanwhile,
// and keeps it when a refresh fails.
func TestCloneListRefreshesInTheBackground(t *testing.T) {
	first, second := clClones(uitest.T0), clClones(uitest.T0)[:1]
	lf := &fake{answers: []clAnswer{{clones: second}, {err: errors.New("Rate exceeded")}}}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	m := New(ctx, Options{Region: "eu-west-1", List: lf.List, Theme: common.NewTheme(true, false), Now: (&uitest.Clock{T: uitest.T0}).Now})
	defer m.Close()

	// The first load's answer.
	m.seq++
	m.Update(loadedMsg{seq: m.seq, clones: first})
	if m.stage != stageTable || len(m.clones) != len(first) {
		t.Fatalf("after the first load: stage %v, %d clones", m.stage, len(m.clones))
	}
	if m.scheduleRefresh() == nil {
		t.Fatal("no auto-refresh scheduled after a load")
	}

	// The tick of an older load is stale and does nothing.
	if _, cmd := m.Update(refreshMsg{seq: m.seq - 1}); cmd != nil {
		t.Error("a stale refresh tick fetched again")
	}
	_, cmd := m.Update(refreshMsg{seq: m.seq})
	if cmd == nil || m.stage != stageTable {
		t.Fatalf("refresh tick: cmd %v, stage %v; want a fetch with the table kept", cmd, m.stage)
	}
	m.Update(cmd())
	if len(m.clones) != 1 || lf.calls != 1 {
		t.Errorf("after the refresh: %d clones, %d List calls", len(m.clones), lf.calls)
	}

	// A failed refresh keeps the table and says so.
	_, cmd = m.Update(refreshMsg{seq: m.seq})
	m.Update(cmd())
	if m.stage != stageTable || len(m.clones) != 1 || !strings.Contains(m.flash, "Rate exceeded") {
		t.Errorf("after a failed refresh: stage %v, %d clones, flash %q", m.stage, len(m.clones), m.flash)
	}
}

// Each clone's restore kind is a column when the terminal has room for it;
// a narrower one flags the full copies in the note instead.
func TestCloneListRestoreKinds(t *testing.T) {
	for _, tc := range []struct {
		width int
		want  []string
	}{
		{180, []string{"RESTORE", "copy-on-write", "full copy", "CREATE_IN_PROGRESS  -  "}},
		{100, []string{"! 1 full copy: storage billed in full"}},
	} {
		m := newTest(t, &fake{answers: []clAnswer{{clones: clClones(uitest.T0)}}}, nil)
		h := uitest.RunHarness(t, m, tc.width, 30)
		h.WaitFor(t, "the table", clAt(stageTable))
		screen := uitest.Screen(h.Final(t))
		for _, w := range tc.want {
			if !strings.Contains(screen, w) {
				t.Errorf("%d columns: no %q in\n%s", tc.width, w, screen)
			}
		}
	}
}
