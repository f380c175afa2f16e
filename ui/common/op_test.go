package common

import (
	"context"
	"errors"
	"testing"

	tea "charm.land/bubbletea/v2"
)

// drain runs an op's messages as a model would: events, then the end.
func drain[E, T any](t *testing.T, op *Op[E, T], first tea.Cmd) ([]E, DoneMsg[T]) {
	t.Helper()
	var got []E
	cmd := first
	for {
		switch msg := cmd().(type) {
		case EventsMsg[E]:
			if msg.Op != op.ID() {
				t.Fatalf("events of another op: %v", msg.Op)
			}
			got = append(got, msg.Events...)
			cmd = op.Next()
		case DoneMsg[T]:
			if msg.Op != op.ID() {
				t.Fatalf("end of another op: %v", msg.Op)
			}
			return got, msg
		default:
			t.Fatalf("unexpected message %T", msg)
		}
	}
}

func TestOpDeliversEventsInOrderThenResult(t *testing.T) {
	op, cmd := StartOp(context.Background(), func(_ context.Context, emit func(int)) (string, error) {
		for i := range 2000 {
			emit(i)
		}
		return "done", nil
	})
	got, done := drain(t, op, cmd)
	if len(got) != 2000 {
		t.Fatalf("%d events, want 2000", len(got))
	}
	for i, e := range got {
		if e != i {
			t.Fatalf("event %d is %d: out of order", i, e)
		}
	}
	if done.Result != "done" || done.Err != nil {
		t.Errorf("done = %+v, want the run's result", done)
	}
	if r, err := op.Result(); r != "done" || err != nil {
		t.Errorf("Result() = %q, %v", r, err)
	}
}

func TestOpIDsDiffer(t *testing.T) {
	run := func(context.Context, func(int)) (int, error) { return 0, nil }
	a, _ := StartOp(context.Background(), run)
	b, _ := StartOp(context.Background(), run)
	if a.ID() == b.ID() || a.ID() == (OpID{}) {
		t.Errorf("two runs share an id (or have the zero one): %v %v", a.ID(), b.ID())
	}
	var none *Op[int, int]
	if none.ID() != (OpID{}) {
		t.Error("a nil op has an id")
	}
}

// A cancelled run whose model stopped reading must not block on emit.
func TestOpCancelUnblocksEmit(t *testing.T) {
	started := make(chan struct{})
	op, cmd := StartOp(context.Background(), func(ctx context.Context, emit func(int)) (int, error) {
		close(started)
		<-ctx.Done()
		for i := range 10000 { // far more than the buffer holds
			emit(i)
		}
		return 0, ctx.Err()
	})
	go cmd() // the first read; nothing reads after it
	<-started
	op.Cancel()
	op.Stop() // returns only once the run has
	if _, err := op.Result(); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestOpStopBeforeStart(t *testing.T) {
	op, cmd := StartOp(context.Background(), func(context.Context, func(int)) (int, error) {
		t.Error("a stopped op ran")
		return 0, nil
	})
	op.Stop()
	if _, ok := cmd().(DoneMsg[int]); !ok {
		t.Error("the Cmd of a stopped op does not end it")
	}
}

func TestOpPanicIsAnError(t *testing.T) {
	op, cmd := StartOp(context.Background(), func(context.Context, func(int)) (int, error) { panic("boom") })
	if _, done := drain(t, op, cmd); done.Err == nil {
		t.Error("a panicking run ended without an error")
	}
}
