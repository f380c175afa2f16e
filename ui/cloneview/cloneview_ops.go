package cloneview

import (
	"context"

	tea "charm.land/bubbletea/v2"

	"github.com/dbaf/dbaf/artifact"
	"github.com/dbaf/dbaf/ui/common"
)

// cvOp is one operation (a clone or a teardown) running in its goroutine.
type cvOp = common.Op[artifact.Event, *artifact.CloneReady]

type (
	eventsMsg = common.EventsMsg[artifact.Event]
	doneMsg   = common.DoneMsg[*artifact.CloneReady]
)

// launch prepares an operation and returns the Cmd that starts it.
func launch(parent context.Context, run func(ctx context.Context, emit func(artifact.Event)) (*artifact.CloneReady, error)) (*cvOp, tea.Cmd) {
	return common.StartOp(parent, run)
}
