package artifact

import (
	"slices"
	"time"
)

// Event is one thing an operation reports while it runs. The TUI and the
// plain/JSON printers consume the same stream.
type Event interface{ eventKind() string }

// Emit receives an operation's events in order. It must not block for long.
type Emit func(Event)

// StepStarted says a named step of an operation began.
type StepStarted struct {
	Step   string `json:"step"`
	Detail string `json:"detail,omitempty"`
}

// StepDone says a step finished.
type StepDone struct {
	Step    string        `json:"step"`
	Detail  string        `json:"detail,omitempty"`
	Elapsed time.Duration `json:"elapsed_ns"`
}

// Progress is a line of detail inside a step (layer sizes, push progress).
type Progress struct {
	Step string `json:"step"`
	Line string `json:"line"`
}

// Warning is something the user should know that does not stop the operation.
type Warning struct {
	Message string `json:"message"`
}

// Resolved carries the artifact once discovery has filled it in.
type Resolved struct {
	Artifact *Artifact `json:"artifact"`
}

// Built is the final event of a successful build.
type Built struct {
	Image   string `json:"image"`
	ID      string `json:"id"`
	Size    int64  `json:"size"`
	Pushed  string `json:"pushed,omitempty"` // ref@digest when pushed
	RunLine string `json:"run"`
}

// BuildFailed is the final event of a failed build.
type BuildFailed struct {
	Step   string `json:"step,omitempty"` // the step that failed, when one did
	Reason string `json:"reason"`
}

func (BuildFailed) eventKind() string { return "build_failed" }
func (StepStarted) eventKind() string { return "step_started" }
func (StepDone) eventKind() string    { return "step_done" }
func (Progress) eventKind() string    { return "progress" }
func (Warning) eventKind() string     { return "warning" }
func (Resolved) eventKind() string    { return "resolved" }
func (Built) eventKind() string       { return "built" }

// Kind names an event's type for machine-readable output.
func Kind(e Event) string { return e.eventKind() }

// finals are the events that end an operation's stream: every run emits
// exactly one of them (the TUI and the printers rely on it).
var finalEvents = []Event{Built{}, BuildFailed{}, CloneReady{}, CloneFailed{}, CloneInterrupted{}, TornDown{}, TeardownFailed{}, TeardownFinished{}, Extended{}, ExtendFailed{}}

// Stream is the one place an operation's stream is made to end with exactly
// one final event: it passes events on, notes whether a final one went by,
// and End reports an error that ended the run before one did. Each
// operation ends its own stream with it, and the commands wrap the printer
// in one for a run that fails before its operation starts (a bad INI, no
// credentials).
type Stream struct {
	emit  Emit
	ended bool
}

// NewStream passes events on to emit (nil: nowhere).
func NewStream(emit Emit) *Stream {
	if emit == nil {
		emit = func(Event) {}
	}
	return &Stream{emit: emit}
}

// Emit passes e on.
func (s *Stream) Emit(e Event) {
	s.ended = s.ended || IsFinal(e)
	s.emit(e)
}

// End emits final(err) when err ended the run before a final event went
// by, and returns err.
func (s *Stream) End(err error, final func(error) Event) error {
	if err != nil && !s.ended {
		s.Emit(final(err))
	}
	return err
}

// IsFinal reports whether e ends its operation's stream.
func IsFinal(e Event) bool { return slices.Contains(FinalKinds(), e.eventKind()) }

// FinalKinds are the JSON kinds of the final events.
func FinalKinds() []string {
	kinds := make([]string, len(finalEvents))
	for i, e := range finalEvents {
		kinds[i] = e.eventKind()
	}
	return kinds
}
