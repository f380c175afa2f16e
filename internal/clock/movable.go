package clock

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"time"
)

// Movable is a clock that runs with the wall clock and can be moved
// forward, never back: the sandbox's account time, which tests move to see
// windows, TTLs and expiry pass. It remembers each move, so that a time it
// showed maps back to the wall-clock instant it showed it (Wall), which is
// what database servers, on the wall clock, record. Safe for concurrent
// use; its JSON is its moves, to be saved and read back with the account.
// The zero Movable shows the wall clock until moved.
type Movable struct {
	wall func() time.Time // the wall clock; nil: time.Now

	mu    sync.Mutex
	moves []Move        // in wall order
	moved chan struct{} // closed (and replaced) by each move, to wake sleepers
}

// A Move is one Advance: from wall-clock instant Wall on, the clock shows
// the wall clock plus Offset (the sum of every advance so far).
type Move struct {
	Wall   time.Time     `json:"wall"`
	Offset time.Duration `json:"offset"`
}

// NewMovable is a Movable that shows the wall clock until moved. wall is
// the wall clock (nil: time.Now).
func NewMovable(wall func() time.Time) *Movable { return &Movable{wall: wall} }

// now is the wall clock's time.
func (m *Movable) now() time.Time {
	if m.wall == nil {
		return time.Now()
	}
	return m.wall()
}

// movedCh is the channel the next move closes; callers hold m.mu.
func (m *Movable) movedCh() chan struct{} {
	if m.moved == nil {
		m.moved = make(chan struct{})
	}
	return m.moved
}

// offset is the offset in force; callers hold m.mu.
func (m *Movable) offset() time.Duration {
	if len(m.moves) == 0 {
		return 0
	}
	return m.moves[len(m.moves)-1].Offset
}

// Now is the clock's time, in UTC.
func (m *Movable) Now() time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.now().Add(m.offset()).UTC()
}

// ErrBackward is Advance's error for a duration that is not positive.
var ErrBackward = errors.New("the clock moves forward only: give a positive duration")

// Advance moves the clock forward by d and returns the new time; every
// Sleep and SleepUntil it ends returns.
func (m *Movable) Advance(d time.Duration) (time.Time, error) {
	if d <= 0 {
		return time.Time{}, ErrBackward
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	m.moves = append(m.moves, Move{Wall: now.UTC(), Offset: m.offset() + d})
	close(m.movedCh())
	m.moved = nil
	return now.Add(m.offset()).UTC(), nil
}

// Wall is the wall-clock instant at which the clock showed t: what a
// database server (on the wall clock) had committed by then is what it
// held at clock time t. A t that an Advance jumped over maps to the instant
// of that Advance (all committed before it, nothing after); a t before any
// move or after now maps by the offset then in force.
func (m *Movable) Wall(t time.Time) time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	var off time.Duration // the offset of the segment before move i
	for _, mv := range m.moves {
		switch {
		case t.Before(mv.Wall.Add(off)): // within the segment before this move
			return t.Add(-off).UTC()
		case t.Before(mv.Wall.Add(mv.Offset)): // jumped over by this move
			return mv.Wall
		}
		off = mv.Offset
	}
	return t.Add(-off).UTC()
}

// Moves returns a copy of the moves so far, oldest first.
func (m *Movable) Moves() []Move {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Move(nil), m.moves...)
}

// SleepUntil waits until the clock shows t or later (by the wall clock's
// passing or by an Advance), or until ctx is done (returning its error).
func (m *Movable) SleepUntil(ctx context.Context, t time.Time) error {
	for {
		m.mu.Lock()
		left, moved := t.Sub(m.now().Add(m.offset())), m.movedCh()
		m.mu.Unlock()
		if left <= 0 {
			return ctx.Err()
		}
		timer := time.NewTimer(left)
		select {
		case <-ctx.Done():
			timer.Stop()
			return ctx.Err()
		case <-moved:
			timer.Stop()
		case <-timer.C:
		}
	}
}

// Sleep waits until the clock has moved d from now (Clock): an Advance
// shortens the wait by its amount.
func (m *Movable) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return m.SleepUntil(ctx, m.Now().Add(d))
}

// MarshalJSON saves the moves.
func (m *Movable) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Moves []Move `json:"moves"`
	}{m.Moves()})
}

// UnmarshalJSON reads saved moves into a Movable on the wall clock (a
// Movable read back continues where the saved one was, as the wall clock
// went on meanwhile).
func (m *Movable) UnmarshalJSON(b []byte) error {
	var v struct {
		Moves []Move `json:"moves"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	for i, mv := range v.Moves {
		if i > 0 && (mv.Offset <= v.Moves[i-1].Offset || mv.Wall.Before(v.Moves[i-1].Wall)) {
			return errors.New("clock: saved moves are not in order")
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.moves = v.Moves
	return nil
}
