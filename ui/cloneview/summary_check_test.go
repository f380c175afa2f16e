package cloneview

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"
	teatest "github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/dbaf/dbaf/artifact"
	"github.com/dbaf/dbaf/ui/internal/uitest"
)

// pfFake is the summary's preflight: it answers with what the test set,
// once release is closed (nil: at once), and counts its calls.
type pfFake struct {
	mu      sync.Mutex
	calls   int
	pf      *artifact.Preflight
	warn    []string
	err     error
	release chan struct{}
}

func (p *pfFake) Run(ctx context.Context, warn func(string)) (*artifact.Preflight, error) {
	p.mu.Lock()
	p.calls++
	pf, ws, err, release := p.pf, p.warn, p.err, p.release
	p.mu.Unlock()
	if release != nil {
		select {
		case <-release:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	for _, w := range ws {
		warn(w)
	}
	return pf, err
}

func (p *pfFake) Calls() int { p.mu.Lock(); defer p.mu.Unlock(); return p.calls }

// prodPreflight is what the preflight sees of prod with three clones.
func prodPreflight() *artifact.Preflight {
	return &artifact.Preflight{Source: "prod", SourceStatus: "available", Instances: 2, CloneGroupID: "cg-1", Clones: 3,
		Quotas:    []artifact.QuotaUse{{Name: "DBClusters", Used: 12, Max: 40}, {Name: "DBInstances", Used: 13, Max: 40}},
		Encrypted: true, KMSKey: "arn:aws:kms:eu-west-1:123456789012:key/5f3e0c1a", KMSKeyState: "Enabled", Calls: 4}
}

// quotaFull is prod in an account at its DB cluster quota, as
// artifact.RunPreflight reports it.
func quotaFull() (*artifact.Preflight, error) {
	pf := prodPreflight()
	pf.Quotas[0].Used = 40
	return pf, errors.Join(&artifact.SourceError{Msg: "RDS quota DBClusters: 40 of 40 used in eu-west-1: a clone needs one more; " +
		"delete a cluster or ask AWS for a higher quota (Service Quotas)"})
}

func checkDone(tm tea.Model) bool { m := tm.(*Model); return m.pre.Result != nil && !m.pre.Loading }

func newCheckTest(t *testing.T, f *cvFake, p *pfFake, clock *uitest.Clock, edit func(*Options)) *Model {
	f.pre = p
	return newTest(t, f, clock, func(o *Options) {
		if edit != nil {
			edit(o)
		}
	})
}

// The summary shows what the preflight saw; the clone then gets that
// report instead of asking AWS again.
func TestCloneViewSummaryPreflight(t *testing.T) {
	clock := &uitest.Clock{T: uitest.T0}
	f := &cvFake{startEvs: cvCreating(), hold: true}
	p := &pfFake{pf: prodPreflight()}
	m := newCheckTest(t, f, p, clock, nil)
	h := uitest.RunHarness(t, m, 100, 30)
	h.WaitFor(t, "the check", func(tm tea.Model) bool { return checkDone(tm) && tm.(*Model).Width == 100 })
	screen := uitest.Screen(m)
	for _, want := range []string{"checked    the account at 01:00:00: nothing found that stops the clone", "clones   3 existing clones of prod",
		"quotas   DBClusters 12 of 40 used, DBInstances 13 of 40 used", "key      KMS key arn:aws:kms:eu-west-1:123456789012:key/5f3e0c1a (Enabled)",
		"enter create the clone"} {
		if !strings.Contains(screen, want) {
			t.Errorf("summary lacks %q:\n%s", want, screen)
		}
	}
	golden.RequireEqual(t, screen)

	h.Key("enter")
	h.WaitFor(t, "the clone", func(tm tea.Model) bool { return tm.(*Model).stackKnown })
	h.Final(t)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.checked == nil || f.checked.Preflight != p.pf {
		t.Fatalf("Start got %+v, want the summary's preflight", f.checked)
	}
	if n := p.Calls(); n != 1 {
		t.Errorf("%d preflights, want 1", n)
	}
}

// At quota the summary says the clone would fail before creating
// anything, offers no create, and leaving it says why, exit 2's error.
func TestCloneViewSummaryQuotaFull(t *testing.T) {
	clock := &uitest.Clock{T: uitest.T0}
	f := &cvFake{}
	pf, err := quotaFull()
	p := &pfFake{pf: pf, err: err}
	m := newCheckTest(t, f, p, clock, nil)
	h := uitest.RunHarness(t, m, 100, 30)
	h.WaitFor(t, "the check", func(tm tea.Model) bool { return checkDone(tm) && tm.(*Model).Width == 100 })
	screen := uitest.Screen(m)
	for _, want := range []string{"a clone now would fail before creating anything", "DBClusters 40 of 40 used",
		"✗ RDS quota DBClusters: 40 of 40 used in eu-west-1", "r check again · q quit"} {
		if !strings.Contains(screen, want) {
			t.Errorf("summary lacks %q:\n%s", want, screen)
		}
	}
	for _, not := range []string{"enter create", "Cost:"} {
		if strings.Contains(screen, not) {
			t.Errorf("summary offers %q at quota:\n%s", not, screen)
		}
	}
	golden.RequireEqual(t, screen)

	h.Key("enter")
	h.Key("q")
	h.TM.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
	m.Close()
	if calls := f.Calls(); len(calls) != 0 {
		t.Fatalf("Start called at quota: %v", calls)
	}
	var se *artifact.SourceError
	if res := m.Result(); !errors.As(res.Err, &se) || errors.Is(res.Err, ErrCancelled) {
		t.Fatalf("result %+v: want the quota's SourceError", res)
	}
	if s := uitest.Screen(m); !strings.Contains(s, "nothing was created") || !strings.Contains(s, "RDS quota DBClusters: 40 of 40 used") {
		t.Fatalf("final frame: %s", s)
	}
}

// r checks again: once room is made, the clone may be created.
func TestCloneViewSummaryRecheck(t *testing.T) {
	clock := &uitest.Clock{T: uitest.T0}
	f := &cvFake{startEvs: cvCreating(), hold: true}
	pf, err := quotaFull()
	p := &pfFake{pf: pf, err: err}
	m := newCheckTest(t, f, p, clock, nil)
	h := uitest.RunHarness(t, m, 100, 30)
	h.WaitFor(t, "the check", checkDone)
	p.mu.Lock()
	p.pf, p.err = prodPreflight(), nil
	p.mu.Unlock()
	h.Key("r")
	h.WaitFor(t, "the second check", func(tm tea.Model) bool { return checkDone(tm) && tm.(*Model).pre.Result.Err == nil })
	h.Key("enter")
	h.WaitFor(t, "the clone", func(tm tea.Model) bool { return tm.(*Model).stackKnown })
	h.Final(t)
	if n := p.Calls(); n != 2 {
		t.Errorf("%d preflights, want 2", n)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.checked == nil || f.checked.Preflight.Quotas[0].Used != 12 {
		t.Fatalf("Start got %+v, want the second check", f.checked)
	}
}

// Enter while the check runs starts the clone once it is done, and only
// when it found nothing that stops it.
func TestCloneViewSummaryEnterWhileChecking(t *testing.T) {
	for _, tc := range []struct {
		name   string
		full   bool
		starts bool
	}{{"room", false, true}, {"at quota", true, false}} {
		t.Run(tc.name, func(t *testing.T) {
			clock := &uitest.Clock{T: uitest.T0}
			f := &cvFake{startEvs: cvCreating(), hold: true}
			p := &pfFake{pf: prodPreflight(), release: make(chan struct{})}
			if tc.full {
				p.pf, p.err = quotaFull()
			}
			m := newCheckTest(t, f, p, clock, nil)
			h := uitest.RunHarness(t, m, 100, 30)
			h.WaitFor(t, "the check to start", func(tm tea.Model) bool { return tm.(*Model).pre.Loading })
			h.Key("enter")
			h.WaitFor(t, "the start asked for", func(tm tea.Model) bool { return tm.(*Model).pre.StartAsked })
			if s := uitest.Screen(m); !strings.Contains(s, "the clone starts once nothing stops it") || len(f.Calls()) != 0 {
				t.Fatalf("calls %v, screen:\n%s", f.Calls(), s)
			}
			close(p.release)
			if tc.starts {
				h.WaitFor(t, "the clone", func(tm tea.Model) bool { return tm.(*Model).stackKnown })
			} else {
				h.WaitFor(t, "the check", checkDone)
			}
			fm := h.Final(t).(*Model)
			if started := len(f.Calls()) > 0; started != tc.starts || !tc.starts && fm.stage != stageSummary {
				t.Fatalf("started %v at stage %d, want started %v", started, fm.stage, tc.starts)
			}
		})
	}
}

// The summary says what the check found; whether the run reuses it (it
// is recent and found nothing wrong) is the plan's to decide:
// artifact.TestClonePlanReusesItsCheck.
func TestCloneViewSummarySaysTheCheck(t *testing.T) {
	denied := "could not read the account's RDS quotas (rds:DescribeAccountAttributes denied): cloning without checking for room"
	for _, tc := range []struct {
		name string
		p    *pfFake
		says string
	}{
		{"fresh, with a warning", &pfFake{pf: prodPreflight(), warn: []string{denied}}, "! " + denied[:40]},
		{"could not check", &pfFake{err: errors.New("rds:DescribeDBClusters: connection reset")}, "could not check the account; the clone checks again"},
		{"a followed stack", &pfFake{}, "nothing to check: stack " + uitest.Stack + " exists"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clock := &uitest.Clock{T: uitest.T0}
			f := &cvFake{startEvs: cvCreating(), hold: true}
			m := newCheckTest(t, f, tc.p, clock, nil)
			h := uitest.RunHarness(t, m, 100, 30)
			h.WaitFor(t, "the check", checkDone)
			if s := uitest.Screen(m); !strings.Contains(s, tc.says) {
				t.Errorf("summary lacks %q:\n%s", tc.says, s)
			}
			h.Key("enter")
			h.WaitFor(t, "the clone", func(tm tea.Model) bool { return tm.(*Model).stackKnown })
			h.Final(t)
			if f.mu.Lock(); f.checked != f.last || tc.p.Calls() != 1 {
				t.Errorf("the run started after %d checks, not right after the summary's", tc.p.Calls())
			}
			f.mu.Unlock()
		})
	}
}

// The check starts while the password is typed; --yes shows no summary,
// so nothing is checked before the clone, which checks itself.
func TestCloneViewCheckStartsWithTheView(t *testing.T) {
	clock := &uitest.Clock{T: uitest.T0}
	p := &pfFake{pf: prodPreflight()}
	m := newCheckTest(t, &cvFake{}, p, clock, func(o *Options) { o.NeedPassword = true })
	h := uitest.RunHarness(t, m, 100, 30)
	h.WaitFor(t, "the check", checkDone)
	if m.stage != stagePassword {
		t.Fatalf("stage %d", m.stage)
	}
	h.Key("ctrl+g")
	h.WaitFor(t, "the summary", cvAt(stageSummary))
	if s := uitest.Screen(h.Final(t)); !strings.Contains(s, "3 existing clones of prod") || p.Calls() != 1 {
		t.Fatalf("%d checks; summary:\n%s", p.Calls(), s)
	}

	f := &cvFake{startEvs: cvCreating(), hold: true}
	q := &pfFake{pf: prodPreflight()}
	m = newCheckTest(t, f, q, clock, func(o *Options) { o.SkipSummary = true })
	h = uitest.RunHarness(t, m, 100, 30)
	h.WaitFor(t, "the clone", func(tm tea.Model) bool { return tm.(*Model).stackKnown })
	h.Final(t)
	if q.Calls() != 0 || f.checked != nil {
		t.Fatalf("--yes: %d checks, Start got %+v", q.Calls(), f.checked)
	}
}

// However small the terminal, the summary with a problem keeps within it
// and keeps its keys, the only way on from there.
func TestCloneViewSummaryCheckFits(t *testing.T) {
	for _, size := range [][2]int{{100, 30}, {80, 24}, {60, 16}, {120, 60}} {
		m := newCheckTest(t, &cvFake{}, &pfFake{}, &uitest.Clock{T: uitest.T0}, nil)
		m.Update(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		pf, err := quotaFull()
		check := m.pre.Start(context.Background(), func(context.Context) *artifact.Checked { // answers with a warning too
			return &artifact.Checked{Preflight: pf, Warnings: []string{"could not read something else: cloning without checking it"}, Err: err}
		})
		m.Update(check())
		if !m.pre.Blocks() {
			t.Fatal("the answer was not taken")
		}
		lines := strings.Split(uitest.Screen(m), "\n")
		if len(lines) > size[1] {
			t.Errorf("%dx%d: %d lines", size[0], size[1], len(lines))
		}
		if last := lines[len(lines)-1]; !strings.Contains(last, "r check again") {
			t.Errorf("%dx%d: last line %q, want the keys", size[0], size[1], last)
		}
	}
}
