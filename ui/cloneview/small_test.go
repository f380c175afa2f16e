package cloneview

// What people see at 80x24: the ready panel and the summary fit or
// scroll, with a marker for what is above and below; nothing is cut
// silently.

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/dbaf/dbaf/artifact"
	"github.com/dbaf/dbaf/ui/internal/uitest"
)

// lines fails unless s fits 80x24, and returns its lines.
func fits80x24(t *testing.T, s string) []string {
	t.Helper()
	lines := strings.Split(s, "\n")
	if len(lines) > 24 {
		t.Fatalf("%d lines at 80x24:\n%s", len(lines), s)
	}
	return lines
}

// squeezed is s without its spaces and line breaks, for values wrapped at
// the terminal's width.
func squeezed(s string) string { return strings.Join(strings.Fields(s), "") }

func readyAt80x24(t *testing.T, ready *artifact.CloneReady) (*Model, *uitest.Harness) {
	t.Helper()
	m := newTest(t, &cvFake{startEvs: success(ready), ready: ready}, &uitest.Clock{T: uitest.T0}, func(o *Options) { o.SkipSummary = true })
	h := uitest.RunHarness(t, m, 80, 24)
	h.WaitFor(t, "ready", func(tm tea.Model) bool { return tm.(*Model).stage == stageReady && tm.(*Model).Width == 80 })
	return m, h
}

// At 80x24 the ready panel takes the rows' room: the endpoint, the whole
// connect line (below the box, as the box says) and the login are on
// screen, with the keys.
func TestCloneViewReadyAt80x24(t *testing.T) {
	ready := cvReady("")
	m, h := readyAt80x24(t, ready)
	s := uitest.Screen(m)
	lines := fits80x24(t, s)
	for _, want := range []string{ready.Endpoint, "login     ok in 18ms", "in full below the box"} {
		if !strings.Contains(s, want) {
			t.Errorf("lacks %q:\n%s", want, s)
		}
	}
	if !strings.Contains(squeezed(s), squeezed(ready.Connection)) {
		t.Errorf("the connect line is not all on screen:\n%s", s)
	}
	if last := lines[len(lines)-1]; !strings.Contains(last, "? all keys") {
		t.Errorf("last line %q, want the keys", last)
	}
	golden.RequireEqual(t, uitest.Screen(h.Final(t)))
}

// A ready panel taller than the terminal scrolls: a marker says what is
// below, and the arrow keys reach the last line.
func TestCloneViewReadyScrollsAt80x24(t *testing.T) {
	ready := cvReady("Gen3rated-Passw0rd-xyzabc")
	ready.Restore = "copy-on-write clone of prod at its latest restorable time"
	m, _ := readyAt80x24(t, ready)
	for i := range 4 {
		m.warnings = append(m.warnings, "warning number "+string(rune('1'+i))+": something the developer should read before using the clone")
	}
	s := uitest.Screen(m)
	fits80x24(t, s)
	if !strings.Contains(s, "more below · ↑↓ scroll") || !strings.Contains(s, "login     ok") {
		t.Fatalf("no marker, or the login is not on the first page:\n%s", s)
	}
	m.Update(tea.KeyPressMsg{Code: tea.KeyEnd})
	s = uitest.Screen(m)
	fits80x24(t, s)
	if !strings.Contains(s, "more above") || !strings.Contains(s, "warning number 4") || !strings.Contains(s, ready.Endpoint) ||
		!strings.Contains(s, "sslmode=") {
		t.Fatalf("end does not reach the end of the panel:\n%s", s)
	}
	m.Update(tea.KeyPressMsg{Code: tea.KeyHome})
	if s := uitest.Screen(m); !strings.Contains(s, "✓ Clone ready") {
		t.Fatalf("home does not go back to the top:\n%s", s)
	}
}

// A problem the check found is on screen at 80x24 as the summary opens:
// its reason, the fix it names, and what to do; the facts above it are a
// scroll away, said by a marker.
func TestCloneViewSummaryProblemAt80x24(t *testing.T) {
	pf, err := quotaFull()
	m := newCheckTest(t, &cvFake{}, &pfFake{pf: pf, err: err}, &uitest.Clock{T: uitest.T0}, nil)
	h := uitest.RunHarness(t, m, 80, 24)
	h.WaitFor(t, "the check", func(tm tea.Model) bool { return checkDone(tm) && tm.(*Model).Width == 80 })
	s := uitest.Screen(m)
	fits80x24(t, s)
	for _, want := range []string{"✗ RDS quota DBClusters: 40 of 40 used", "delete a cluster or ask AWS for a higher quota",
		"Nothing is created while this stands", "more above", "r check again · q quit"} {
		if !strings.Contains(s, want) {
			t.Errorf("lacks %q:\n%s", want, s)
		}
	}
	golden.RequireEqual(t, s)
	m.Update(tea.KeyPressMsg{Code: tea.KeyHome})
	if s := uitest.Screen(m); !strings.Contains(s, "source     prod") || !strings.Contains(s, "more below") {
		t.Fatalf("home does not show the top with a marker:\n%s", s)
	}
}

// A summary longer than the screen says so and scrolls to its end.
func TestCloneViewSummaryScrollsAt80x24(t *testing.T) {
	m := newTest(t, &cvFake{}, &uitest.Clock{T: uitest.T0}, func(o *Options) {
		for _, c := range []string{"email", "phone", "national_id", "full_name", "iban", "notes"} {
			o.Artifact.Masking = append(o.Artifact.Masking, artifact.MaskRule{Column: "legacy.customers." + c, Strategy: "null"})
		}
	})
	h := uitest.RunHarness(t, m, 80, 24)
	h.WaitFor(t, "the size", func(tm tea.Model) bool { return tm.(*Model).Width == 80 })
	s := uitest.Screen(m)
	fits80x24(t, s)
	if !strings.Contains(s, "more below · ↑↓ scroll") || strings.Contains(s, "Cost:") {
		t.Fatalf("no marker for the rest:\n%s", s)
	}
	m.Update(tea.KeyPressMsg{Code: tea.KeyEnd})
	if s := uitest.Screen(m); !strings.Contains(s, "Cost:") || !strings.Contains(s, "more above") || !strings.Contains(s, "enter create the clone") {
		t.Fatalf("end does not reach the cost:\n%s", s)
	}
}
