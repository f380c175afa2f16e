package stackprogress

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/dbaf/dbaf/artifact"
	"github.com/dbaf/dbaf/ui/common"
	"github.com/dbaf/dbaf/ui/internal/uitest"
)

func look(w int) View {
	return View{Theme: common.NewTheme(true, true), Width: w, Now: uitest.T0.Add(time.Hour), Spin: "*"}
}

func states(p *Model) string {
	var out []string
	for _, r := range p.Rows() {
		out = append(out, r.ID+"="+r.Status)
	}
	return strings.Join(out, ",")
}

// A teardown's rows: the creation order reversed; resources the teardown
// did not find have nothing to delete; the rest settle as gone at the end.
func TestTeardownRows(t *testing.T) {
	p := New(0, artifact.TemplateResources(uitest.Artifact()))
	p.Deleting = true
	p.Reverse()
	p.MergeTeardown([]artifact.ResourceInfo{{LogicalID: "Cluster"}, {LogicalID: "Instance"}})
	p.Stack(uitest.Ev(1, "Instance", uitest.IN, "DELETE_COMPLETE", ""))
	p.Settle("GONE")
	if got, want := states(&p), "Instance=DELETE_COMPLETE,Cluster=GONE,SecurityGroup=GONE,SubnetGroup=GONE"; got != want {
		t.Errorf("rows %s, want %s", got, want)
	}
	s := strings.Join(p.RowLines(look(100), 3, false), "\n")
	for _, want := range []string{"✓ DB instance", "deleted", "– DB cluster", "nothing to delete"} {
		if !strings.Contains(s, want) {
			t.Errorf("rows lack %q:\n%s", want, s)
		}
	}
}

// The root cause keeps its reason unless the panel shows it; a
// cancellation's reason is one line.
func TestRowReasons(t *testing.T) {
	p := New(0, artifact.TemplateResources(uitest.Artifact()))
	p.Stack(uitest.Ev(1, "Instance", uitest.IN, "CREATE_FAILED", "bad class (Service: Rds, Status Code: 400, Request ID: x)"))
	p.Stack(uitest.Ev(2, "Cluster", uitest.CL, "CREATE_FAILED", "Resource creation cancelled"))
	p.MarkRootCause("Instance")
	s := ansi.Strip(strings.Join(p.RowLines(look(100), 3, false), "\n"))
	if !strings.Contains(s, "└ bad class") || strings.Contains(s, "Request ID") || !strings.Contains(s, "◀ root cause") {
		t.Errorf("rows:\n%s", s)
	}
	if s := strings.Join(p.RowLines(look(100), 3, true), "\n"); strings.Contains(s, "bad class") {
		t.Errorf("the root cause's reason is shown twice:\n%s", s)
	}
}

// The steps drop what does not fit: the status, then the other steps.
func TestStepsFit(t *testing.T) {
	steps := []Step{{Name: "creating stack"}, {Name: "masking", Detail: "legacy.customers"}, {Name: "logging in"}, {Name: "ready", Done: true}}
	for _, tc := range []struct {
		w    int
		want string
	}{
		{200, "✓ creating stack › * masking legacy.customers › · logging in › · ready   stack CREATE_COMPLETE"},
		{70, "✓ creating stack › * masking legacy.customers › · logging in › · ready"},
		{40, "phase 2/4: * masking legacy.customers"},
	} {
		got := ansi.Strip(Steps(look(tc.w), steps, 1, false, "   stack CREATE_COMPLETE"))
		if got != tc.want && !(tc.w == 40 && strings.HasPrefix(got, tc.want)) {
			t.Errorf("%d columns: %q, want %q", tc.w, got, tc.want)
		}
	}
}

// The log keeps its newest lines within its limit, and a scrolled log
// stays on its lines while new ones arrive.
func TestLogLimitAndScroll(t *testing.T) {
	p := New(100, nil)
	for i := range 500 {
		p.Add(Plain, strings.Repeat("x", i%7)+"event")
	}
	if n := p.Len(); n < 100 || n > 125 {
		t.Fatalf("kept %d lines with a limit of 100", n)
	}
	k := NewKeys()
	p.Key(pgup(), k, 10)
	at := p.Scroll()
	p.Add(Plain, "new")
	if at == 0 || p.Scroll() != at+1 {
		t.Errorf("scroll %d then %d", at, p.Scroll())
	}
	if title := ansi.Strip(p.LogLines(look(80), 10)[0]); !strings.Contains(title, "Events 501") || !strings.Contains(title, "not kept") {
		t.Errorf("title %q", title)
	}
}

func pgup() tea.KeyPressMsg { return tea.KeyPressMsg{Code: tea.KeyPgUp} }
