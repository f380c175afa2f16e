package artifact

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"testing"
	"time"
)

// fakeClock sleeps in no time, recording what it was asked to wait.
type fakeClock struct {
	mu    sync.Mutex
	slept []time.Duration
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.slept = append(c.slept, d)
	return nil
}

func (c *fakeClock) total() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	var t time.Duration
	for _, d := range c.slept {
		t += d
	}
	return t
}

func TestPacerSpacesCallsWithJitter(t *testing.T) {
	clk := &fakeClock{}
	p := newPacer(DefaultPollInterval, 0, clk, rand.New(rand.NewPCG(1, 2)))
	ctx := context.Background()
	for range 50 {
		if err := p.wait(ctx); err != nil {
			t.Fatal(err)
		}
	}
	// The first call goes out at once; each later one waits the interval
	// plus up to a quarter of it.
	if len(clk.slept) != 49 {
		t.Fatalf("slept %d times for 50 calls, want 49", len(clk.slept))
	}
	lo, hi := DefaultPollInterval, DefaultPollInterval+DefaultPollInterval/4
	distinct := map[time.Duration]bool{}
	for _, d := range clk.slept {
		if d < lo || d > hi {
			t.Errorf("waited %s, want %s to %s", d, lo, hi)
		}
		distinct[d] = true
	}
	if len(distinct) < 2 {
		t.Errorf("every wait was %v: no jitter", clk.slept[0])
	}
}

func TestPacerBacksOffUntilTheBudget(t *testing.T) {
	clk := &fakeClock{}
	p := newPacer(DefaultPollInterval, DefaultThrottleBudget, clk, rand.New(rand.NewPCG(3, 4)))
	ctx := context.Background()
	p.wait(ctx)
	var backoffs []time.Duration
	for {
		next, ok := p.throttled()
		if !ok {
			break
		}
		backoffs = append(backoffs, next)
		if err := p.wait(ctx); err != nil {
			t.Fatal(err)
		}
		if len(backoffs) > 10_000 {
			t.Fatal("the budget never ran out")
		}
	}
	// Waits double from twice the interval, with jitter down to half, and
	// stop at maxBackoff.
	if b := backoffs[0]; b < DefaultPollInterval || b > 2*DefaultPollInterval {
		t.Errorf("first backoff %s, want %s to %s", b, DefaultPollInterval, 2*DefaultPollInterval)
	}
	for i, b := range backoffs {
		if b > maxBackoff {
			t.Errorf("backoff %d is %s, above the cap %s", i, b, maxBackoff)
		}
	}
	// All of the budget is used, and no more: it ends once the next
	// backoff would not fit.
	spent := clk.total()
	if spent != p.spent || spent > DefaultThrottleBudget || spent < DefaultThrottleBudget-maxBackoff {
		t.Errorf("backed off %s in all (pacer says %s), want within %s of the budget %s", spent, p.spent, maxBackoff, DefaultThrottleBudget)
	}
	if err := p.overBudget("x", errors.New("throttled")); err.For != spent {
		t.Errorf("error says %s backed off, clock says %s", err.For, spent)
	}
	// A call that gets through resets the budget.
	p.ok()
	if next, ok := p.throttled(); !ok || next > 2*DefaultPollInterval {
		t.Errorf("after a success, throttled() = %s, %v; want a fresh first backoff", next, ok)
	}
}

func TestPacerStopsWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, first := range []bool{true, false} {
		p := newPacer(0, 0, &fakeClock{}, nil)
		p.first = first
		if err := p.wait(ctx); !errors.Is(err, context.Canceled) {
			t.Errorf("first=%v: wait on a cancelled context = %v", first, err)
		}
	}
	// The real clock too: a cancelled wait of an hour ends at once.
	p := newPacer(time.Hour, 0, nil, nil)
	p.first = false
	if err := p.wait(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("real clock: wait on a cancelled context = %v", err)
	}
}
