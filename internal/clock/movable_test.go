package clock

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"
)

// wallAt is a wall clock a test sets.
type wallAt struct {
	mu sync.Mutex
	t  time.Time
}

func (w *wallAt) now() time.Time { w.mu.Lock(); defer w.mu.Unlock(); return w.t }
func (w *wallAt) add(d time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.t = w.t.Add(d)
}

var t0 = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)

func TestMovableRunsWithTheWallClockAndMovesForwardOnly(t *testing.T) {
	w := &wallAt{t: t0}
	m := NewMovable(w.now)
	if got := m.Now(); !got.Equal(t0) {
		t.Fatalf("unmoved: %v, want the wall clock %v", got, t0)
	}
	got, err := m.Advance(2 * time.Hour)
	if err != nil || !got.Equal(t0.Add(2*time.Hour)) || !m.Now().Equal(got) {
		t.Fatalf("Advance(2h) = %v, %v; Now %v", got, err, m.Now())
	}
	w.add(time.Minute)
	if got := m.Now(); !got.Equal(t0.Add(2*time.Hour + time.Minute)) {
		t.Errorf("a minute later: %v", got)
	}
	for _, d := range []time.Duration{0, -time.Hour} {
		if _, err := m.Advance(d); !errors.Is(err, ErrBackward) {
			t.Errorf("Advance(%v): %v, want ErrBackward", d, err)
		}
	}
}

func TestMovableWallMapsClockTimesBackToTheWallClock(t *testing.T) {
	w := &wallAt{t: t0}
	m := NewMovable(w.now)
	w.add(10 * time.Minute) // wall t0+10m: clock t0+10m
	m.Advance(time.Hour)    // clock jumps t0+10m → t0+1h10m
	w.add(10 * time.Minute) // wall t0+20m: clock t0+1h20m
	m.Advance(time.Hour)    // jumps t0+1h20m → t0+2h20m
	for _, c := range []struct {
		clock, wall time.Duration // after t0
	}{
		{5 * time.Minute, 5 * time.Minute},       // before any move
		{30 * time.Minute, 10 * time.Minute},     // jumped over by the first move: its instant
		{75 * time.Minute, 15 * time.Minute},     // between the moves
		{100 * time.Minute, 20 * time.Minute},    // jumped over by the second
		{150 * time.Minute, 30 * time.Minute},    // after the last move (in the future of the wall clock)
		{70 * time.Minute, 10 * time.Minute},     // exactly where the first move landed
		{10 * time.Minute, 10 * time.Minute},     // exactly where it left
		{-time.Hour, -time.Hour},                 // long before
		{140 * time.Minute, 20 * time.Minute},    // where the second landed
		{80*time.Minute - 1, 20*time.Minute - 1}, // just before the second left
	} {
		if got := m.Wall(t0.Add(c.clock)); !got.Equal(t0.Add(c.wall)) {
			t.Errorf("Wall(t0+%v) = t0+%v, want t0+%v", c.clock, got.Sub(t0), c.wall)
		}
	}
}

func TestMovableSleepEndsWhenAdvancedPast(t *testing.T) {
	m := NewMovable(nil)
	done := make(chan error, 1)
	go func() { done <- m.Sleep(context.Background(), time.Hour) }()
	// The sleeper may not wait yet when the first move comes: advance until it returns.
	for {
		m.Advance(time.Hour)
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("Sleep: %v", err)
			}
			return
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func TestMovableSleepUntilEndsWithItsContextOrAtOnce(t *testing.T) {
	m := NewMovable(nil)
	if err := m.SleepUntil(context.Background(), m.Now().Add(-time.Second)); err != nil {
		t.Errorf("a time passed: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := m.SleepUntil(ctx, m.Now().Add(time.Hour)); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

func TestMovableJSONKeepsItsMoves(t *testing.T) {
	w := &wallAt{t: t0}
	m := NewMovable(w.now)
	m.Advance(2 * time.Hour)
	w.add(time.Minute)
	m.Advance(time.Hour)
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	back := NewMovable(w.now)
	if err := json.Unmarshal(b, back); err != nil {
		t.Fatal(err)
	}
	if !back.Now().Equal(m.Now()) || len(back.Moves()) != 2 {
		t.Errorf("read back: now %v (want %v), moves %v", back.Now(), m.Now(), back.Moves())
	}
	var zero Movable // as encoding/json makes one inside a struct
	if err := json.Unmarshal(b, &zero); err != nil || zero.Now().Before(time.Now().Add(3*time.Hour-time.Minute)) {
		t.Errorf("into a zero Movable: %v, now %v", err, zero.Now())
	}
	if err := json.Unmarshal([]byte(`{"moves":[{"wall":"2026-05-01T12:00:00Z","offset":7200000000000},{"wall":"2026-05-01T12:00:00Z","offset":3600000000000}]}`), back); err == nil {
		t.Error("a saved clock that goes back was read")
	}
}
