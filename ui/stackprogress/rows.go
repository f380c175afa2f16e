package stackprogress

import (
	"strings"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/dbaf/dbaf/artifact"
	"github.com/dbaf/dbaf/ui/common"
)

// gone is the status of a row with nothing to delete.
const gone = "GONE"

// row is one stack resource as the view shows it.
type row struct {
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
func (r *row) apply(e artifact.StackEvent, tearing bool) {
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
		reason := TrimReason(e.Reason)
		cancel := isCancel(reason)
		if r.reason == "" || r.cancelled && !cancel {
			r.reason, r.cancelled = reason, cancel
		}
	}
}

func (r *row) inProgress() bool { return strings.HasSuffix(r.status, "_IN_PROGRESS") }

// isCancel mirrors artifact's test for a failure caused by another one.
func isCancel(reason string) bool {
	s := strings.ToLower(reason)
	return strings.Contains(s, "resource creation cancelled") || strings.Contains(s, "resource update cancelled") ||
		strings.Contains(s, "cancelled") && strings.Contains(s, "another resource")
}

// TrimReason drops the "(Service: …; Request ID: …)" tail people cannot act on.
func TrimReason(reason string) string {
	if i := strings.Index(reason, " (Service:"); i > 0 {
		reason = reason[:i]
	}
	return strings.Join(strings.Fields(reason), " ")
}

func rowsFrom(res []artifact.ResourceInfo) []row {
	rows := make([]row, 0, len(res))
	for _, r := range res {
		rows = append(rows, newRow(r.LogicalID, labelFor(r.LogicalID, r.Label)))
	}
	return rows
}

func newRow(id, label string) row { return row{id: id, label: label, failedFor: -1} }

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
func reverseRows(rows []row) []row {
	out := make([]row, 0, len(rows))
	for i := len(rows) - 1; i >= 0; i-- {
		out = append(out, newRow(rows[i].id, rows[i].label))
	}
	return out
}

func mergeTeardownRows(rows []row, res []artifact.ResourceInfo) []row {
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
			rows[i].status = gone
		}
	}
	for _, r := range sortByTemplateReversed(res) {
		if !known[r.LogicalID] {
			rows = append(rows, newRow(r.LogicalID, labelFor(r.LogicalID, r.Label)))
		}
	}
	return rows
}

// look is a row's icon, status word and style.
func (p *Model) look(v View, r *row) (icon, word string, st lipgloss.Style) {
	t := v.Theme
	verbs := map[string][3]string{ // in progress, complete, failed
		"CREATE": {"creating", "created", "failed"},
		"UPDATE": {"updating", "updated", "update failed"},
		"DELETE": {"deleting", "deleted", "delete failed"},
	}
	w, ok := verbs[r.verb]
	if !ok {
		w = [3]string{"working", "done", "failed"}
	}
	if r.verb == "DELETE" && !p.Deleting {
		w = [3]string{"rolling back", "rolled back", "rollback failed"}
	}
	switch {
	case r.status == "":
		return "·", "waiting", t.Subtle
	case r.status == gone:
		return "–", "nothing to delete", t.Subtle
	case r.inProgress():
		return v.Spin, w[0], lipgloss.NewStyle()
	case !p.Deleting && r.verb == "DELETE" && r.failedFor >= 0 && !r.cancelled:
		// The root cause stays marked failed while the rollback removes it.
		return "✗", "failed, " + w[1], t.Err
	case strings.HasSuffix(r.status, "_FAILED"):
		if r.cancelled {
			return "✗", "cancelled", t.Warn
		}
		return "✗", w[2], t.Err
	case r.status == "DELETE_SKIPPED":
		return "–", "kept", t.Warn
	case r.status == "DELETE_COMPLETE" && !p.Deleting:
		return "↺", w[1], t.Warn
	case strings.HasSuffix(r.status, "_COMPLETE"):
		return "✓", w[1], t.OK
	}
	return "·", strings.ToLower(strings.ReplaceAll(r.status, "_", " ")), lipgloss.NewStyle()
}

func (p *Model) rowDur(r *row, now time.Time) string {
	switch {
	case !p.Deleting && r.verb == "DELETE" && r.failedFor >= 0:
		return Dur(r.failedFor)
	case r.start.IsZero():
		return ""
	case !r.end.IsZero():
		return Dur(r.end.Sub(r.start))
	case r.inProgress():
		return Dur(now.Sub(r.start))
	}
	return ""
}

// RowLines draws the resource rows, each failure reason wrapped below its
// row in at most reasonMax lines; with rootCauseShown the root cause's
// reason is left to the panel that shows it in full.
func (p *Model) RowLines(v View, reasonMax int, rootCauseShown bool) []string {
	t := v.Theme
	labelW, idW, wordW := 0, 0, 7
	type looked struct {
		icon, word string
		st         lipgloss.Style
	}
	looks := make([]looked, len(p.rows))
	for i := range p.rows {
		r := &p.rows[i]
		labelW = max(labelW, ansi.StringWidth(r.label))
		idW = max(idW, ansi.StringWidth(r.id))
		icon, word, st := p.look(v, r)
		looks[i] = looked{icon, word, st}
		wordW = max(wordW, ansi.StringWidth(word))
	}
	labelW, idW = min(labelW, 32), min(idW, 18)
	var out []string
	for i := range p.rows {
		r, lk := &p.rows[i], looks[i]
		iconSt := lk.st
		if r.inProgress() {
			iconSt = lipgloss.NewStyle()
		}
		line := "  " + iconSt.Render(lk.icon) + " " + common.Pad(ansi.Truncate(r.label, labelW, "…"), labelW) + "  " +
			t.Subtle.Render(common.Pad(ansi.Truncate(r.id, idW, "…"), idW)) + "  "
		dur := p.rowDur(r, v.Now)
		switch {
		case dur != "":
			line += lk.st.Render(common.Pad(lk.word, wordW)) + "  " + t.Subtle.Render(dur)
		default:
			line += lk.st.Render(lk.word)
		}
		showReason := r.reason != "" && reasonMax > 0 && !(r.rootCause && rootCauseShown)
		if r.rootCause {
			line += "  " + t.Err.Render("◀ root cause")
		}
		out = append(out, line)
		if !showReason {
			continue
		}
		text, n, rst := r.reason, reasonMax, t.Err
		if r.cancelled {
			n, rst = 1, t.Subtle
		}
		for j, l := range common.Wrap(text, v.Width-8, n) {
			prefix := "      "
			if j == 0 {
				prefix = "    └ "
			}
			out = append(out, t.Subtle.Render(prefix)+rst.Render(l))
		}
	}
	return out
}
