package common

import (
	"context"
	"fmt"
	"sync"

	tea "charm.land/bubbletea/v2"
)

// The one adapter from an operation's event stream (a callback called on
// the operation's goroutine: artifact.Emit, a page of results) to Bubble
// Tea messages, shared by every screen.
//
// StartOp runs the operation in its own goroutine; its events reach the
// model as EventsMsg, read one Cmd at a time (the "wait for activity"
// pattern, so each event is on screen at the next redraw), and its return
// as DoneMsg. Each message names its run (OpID): a model drops those of a
// run it has moved past (cancelled, retried).

// OpID names one run of an operation; the zero OpID names none.
type OpID struct{ tok *opToken }

type opToken struct{ _ byte } // not zero-sized: distinct tokens differ

// EventsMsg carries the events Op emitted since its last EventsMsg.
type EventsMsg[E any] struct {
	Op     OpID
	Events []E
}

// DoneMsg says Op returned Result and Err; no EventsMsg of Op follows.
type DoneMsg[T any] struct {
	Op     OpID
	Result T
	Err    error
}

// opBatch bounds how many queued events one message carries: a burst (a
// first poll of a long stack) costs one redraw, not one per event.
const opBatch = 512

// Op is one run of an operation. Its Cmd (from StartOp) starts it; after
// each EventsMsg of it, the model returns Next to read on, or nothing to
// let the run go (then it should Cancel it).
type Op[E, T any] struct {
	id     OpID
	ctx    context.Context
	cancel context.CancelFunc
	run    func(ctx context.Context, emit func(E)) (T, error)
	ch     chan E
	done   chan struct{} // closed once result and err are set
	once   sync.Once
	result T
	err    error
}

// StartOp prepares run under a context derived from parent and returns it
// with the Cmd that starts its goroutine and waits for its first message.
func StartOp[E, T any](parent context.Context, run func(ctx context.Context, emit func(E)) (T, error)) (*Op[E, T], tea.Cmd) {
	ctx, cancel := context.WithCancel(parent)
	op := &Op[E, T]{id: OpID{&opToken{}}, ctx: ctx, cancel: cancel, run: run,
		ch: make(chan E, 256), done: make(chan struct{})}
	return op, func() tea.Msg {
		op.once.Do(func() { go op.loop() })
		return op.next()
	}
}

// ID names this run in its messages; a nil Op has the zero ID.
func (op *Op[E, T]) ID() OpID {
	if op == nil {
		return OpID{}
	}
	return op.id
}

func (op *Op[E, T]) loop() {
	defer close(op.ch)
	defer close(op.done) // before ch closes, so a reader seeing the close sees the result
	defer func() {
		if r := recover(); r != nil {
			op.err = fmt.Errorf("the operation panicked: %v", r)
		}
	}()
	// Once the model has let go (ctx done), events are dropped rather than
	// block the operation: an emit callback must not block for long.
	emit := func(e E) {
		select {
		case op.ch <- e:
		case <-op.ctx.Done():
		}
	}
	op.result, op.err = op.run(op.ctx, emit)
}

// Next is the Cmd that waits for the run's next message.
func (op *Op[E, T]) Next() tea.Cmd { return op.next }

// next blocks for the next event, then takes whatever else is queued.
func (op *Op[E, T]) next() tea.Msg {
	e, ok := <-op.ch
	if !ok {
		return DoneMsg[T]{Op: op.id, Result: op.result, Err: op.err}
	}
	evs := []E{e}
	for len(evs) < opBatch {
		select {
		case e, ok := <-op.ch:
			if !ok {
				return EventsMsg[E]{Op: op.id, Events: evs} // DoneMsg comes next
			}
			evs = append(evs, e)
		default:
			return EventsMsg[E]{Op: op.id, Events: evs}
		}
	}
	return EventsMsg[E]{Op: op.id, Events: evs}
}

// Cancel cancels the run without waiting: Update must not block. Safe on
// a nil Op.
func (op *Op[E, T]) Cancel() {
	if op != nil {
		op.cancel()
	}
}

// Stop cancels the run and waits for its goroutine (or marks a run whose
// Cmd never ran as finished); Result is final afterwards.
func (op *Op[E, T]) Stop() {
	op.cancel()
	op.once.Do(func() {
		close(op.done)
		close(op.ch)
	})
	<-op.done
}

// Result is what the run returned; complete once Stop returned or the
// DoneMsg arrived.
func (op *Op[E, T]) Result() (T, error) { return op.result, op.err }
