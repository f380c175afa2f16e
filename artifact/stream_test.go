package artifact

import (
	"errors"
	"testing"
)

// A stream ends with exactly one final event: the operation's own, or,
// when an error ended the run before one, the one End makes of it.
func TestStreamEndsWithExactlyOneFinalEvent(t *testing.T) {
	failed := errors.New("denied")
	toFinal := func(err error) Event { return TeardownFailed{Stack: "c1", Reason: err.Error()} }
	for _, tc := range []struct {
		name   string
		emit   []Event
		err    error
		finals int
	}{
		{"error before any final", []Event{Phase{Phase: PhaseDeleting}}, failed, 1},
		{"the operation's own final", []Event{TornDown{Stack: "c1"}}, nil, 1},
		{"an error after the final", []Event{TeardownFailed{Stack: "c1", Reason: "x"}}, failed, 1},
		{"success reports itself", nil, nil, 0},
	} {
		var got []Event
		st := NewStream(func(e Event) { got = append(got, e) })
		for _, e := range tc.emit {
			st.Emit(e)
		}
		if err := st.End(tc.err, toFinal); !errors.Is(err, tc.err) {
			t.Errorf("%s: End returned %v", tc.name, err)
		}
		n := 0
		for _, e := range got {
			if IsFinal(e) {
				n++
			}
		}
		if n != tc.finals || tc.finals == 1 && !IsFinal(got[len(got)-1]) {
			t.Errorf("%s: %d final events in %v", tc.name, n, got)
		}
	}
	NewStream(nil).Emit(TornDown{}) // no receiver: nowhere, no panic
}
