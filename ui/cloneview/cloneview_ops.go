package cloneview

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"time"

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

// logKind chooses a log line's style.
type logKind uint8

const (
	logPlain logKind = iota
	logOK
	logErr
	logWarn
	logPhase
	logQuiet
)

// logEntry is one log line, formatted once when it arrives; only the
// visible ones are styled, at render time.
type logEntry struct {
	kind logKind
	text string
}

// cvLog keeps the newest limit entries (up to a quarter more, so trimming
// is amortised rather than a copy per event).
type cvLog struct {
	limit   int
	entries []logEntry
	dropped int
}

func (l *cvLog) add(e logEntry) {
	l.entries = append(l.entries, e)
	if n := len(l.entries); n > l.limit+l.limit/4 {
		keep := make([]logEntry, l.limit, l.limit+l.limit/4+1)
		copy(keep, l.entries[n-l.limit:])
		l.dropped += n - l.limit
		l.entries = keep
	}
}

func (l *cvLog) len() int { return len(l.entries) }

func stackLogEntry(e artifact.StackEvent) logEntry {
	id := e.LogicalID
	if e.IsStack {
		id = "stack"
	}
	kind := logPlain
	switch {
	case strings.HasSuffix(e.Status, "_FAILED"):
		kind = logErr
	case strings.HasSuffix(e.Status, "_COMPLETE"):
		kind = logOK
	}
	text := fmt.Sprintf("%s  %-14s %-20s", e.Time.UTC().Format("15:04:05"), id, e.Status)
	if e.Reason != "" {
		text += " " + strings.Join(strings.Fields(e.Reason), " ")
	}
	return logEntry{kind: kind, text: strings.TrimRight(text, " ")}
}

// cvRow is one stack resource as the view shows it.
type cvRow struct {
	id, label  string
	status     string // latest CloudFormation status; "" before its first event
	verb       string // CREATE, DELETE, …: a new verb restarts the timing
	start, end time.Time
	reason     string // the failure reason, a root cause preferred to a cancellation
	cancelled  bool
	rootCause  bool
	failedFor  time.Duration // how long it ran before it failed; -1 never failed
}

// apply folds a resource event into the row. Durations come from event
// times, so they are AWS's own and do not restart on a repeated
// IN_PROGRESS (CloudFormation often sends two).
func (r *cvRow) apply(e artifact.StackEvent, tearing bool) {
	verb, _, _ := strings.Cut(e.Status, "_")
	if verb != r.verb {
		r.verb, r.start, r.end = verb, time.Time{}, time.Time{}
	}
	r.status = e.Status
	if r.start.IsZero() {
		r.start = e.Time
	}
	if strings.HasSuffix(e.Status, "_IN_PROGRESS") {
		r.end = time.Time{}
	} else if r.end.IsZero() {
		r.end = e.Time
	}
	if strings.HasSuffix(e.Status, "_FAILED") && r.failedFor < 0 {
		r.failedFor = r.end.Sub(r.start)
	}
	if strings.HasSuffix(e.Status, "_FAILED") && e.Reason != "" {
		reason := trimReason(e.Reason)
		cancel := isCancel(reason)
		if r.reason == "" || r.cancelled && !cancel {
			r.reason, r.cancelled = reason, cancel
		}
	}
}

func (r *cvRow) inProgress() bool { return strings.HasSuffix(r.status, "_IN_PROGRESS") }

// isCancel mirrors artifact's test for a failure caused by another one.
func isCancel(reason string) bool {
	s := strings.ToLower(reason)
	return strings.Contains(s, "resource creation cancelled") || strings.Contains(s, "resource update cancelled") ||
		strings.Contains(s, "cancelled") && strings.Contains(s, "another resource")
}

// trimReason drops the "(Service: …; Request ID: …)" tail people cannot act on.
func trimReason(reason string) string {
	if i := strings.Index(reason, " (Service:"); i > 0 {
		reason = reason[:i]
	}
	return strings.Join(strings.Fields(reason), " ")
}

func rowsFrom(res []artifact.ResourceInfo) []cvRow {
	rows := make([]cvRow, 0, len(res))
	for _, r := range res {
		rows = append(rows, newRow(r.LogicalID, labelFor(r.LogicalID, r.Label)))
	}
	return rows
}

func newRow(id, label string) cvRow { return cvRow{id: id, label: label, failedFor: -1} }

// labelFor prefers the template's human label: a teardown lists resources
// labelled with their AWS type only.
func labelFor(id, fallback string) string {
	if fallback != "" && !strings.HasPrefix(fallback, "AWS::") {
		return fallback
	}
	for _, t := range artifact.TemplateResources(nil) {
		if t.LogicalID == id {
			return t.Label
		}
	}
	if fallback != "" {
		return fallback
	}
	return id
}

// reverseRows turns creation rows into deletion rows: reverse order (what
// was made last goes first), timings and reasons cleared.
func reverseRows(rows []cvRow) []cvRow {
	out := make([]cvRow, 0, len(rows))
	for i := len(rows) - 1; i >= 0; i-- {
		out = append(out, newRow(rows[i].id, rows[i].label))
	}
	return out
}

// mergeTeardownRows takes the resources a teardown found: rows that are not
// among them have nothing to delete; new ones join in reverse template order.
func mergeTeardownRows(rows []cvRow, res []artifact.ResourceInfo) []cvRow {
	if len(res) == 0 {
		return rows
	}
	found := map[string]bool{}
	for _, r := range res {
		found[r.LogicalID] = true
	}
	known := map[string]bool{}
	for i := range rows {
		known[rows[i].id] = true
		if !found[rows[i].id] && rows[i].status == "" {
			rows[i].status = "GONE"
		}
	}
	order := map[string]int{}
	for i, t := range artifact.TemplateResources(nil) {
		order[t.LogicalID] = i + 1
	}
	add := slices.Clone(res)
	slices.SortStableFunc(add, func(a, b artifact.ResourceInfo) int { return order[b.LogicalID] - order[a.LogicalID] })
	for _, r := range add {
		if !known[r.LogicalID] {
			rows = append(rows, newRow(r.LogicalID, labelFor(r.LogicalID, r.Label)))
		}
	}
	return rows
}

// cvDur formats a duration briefly: 4s, 3m05s, 1h02m, 3d.
func cvDur(d time.Duration) string {
	d = d.Round(time.Second)
	switch {
	case d < 0:
		return "0s"
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	default: // days and hours: a 3d TTL a minute on is 2d23h, not "2d"
		return fmt.Sprintf("%dd%02dh", int(d.Hours()/24), int(d.Hours())%24)
	}
}
