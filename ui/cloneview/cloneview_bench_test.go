package cloneview

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/dbaf/dbaf/artifact"
	"github.com/dbaf/dbaf/ui/common"
	"github.com/dbaf/dbaf/ui/internal/uitest"
)

// benchView is a running clone view at 100x30 holding n events.
func benchView(n int) *Model {
	clock := &uitest.Clock{T: uitest.T0.Add(time.Hour)}
	m := New(context.Background(), Options{Artifact: uitest.Artifact(), Stack: uitest.Stack, Region: "eu-west-1",
		Theme: common.NewTheme(true, false), Now: clock.Now, SkipSummary: true})
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	feed(m, append(cvCreating(), manyEvents(n)...)...)
	return m
}

// BenchmarkCloneViewFrame5000 is one frame with 5,000 events in the log: a
// new event through Update, then View, as Bubble Tea does per message.
func BenchmarkCloneViewFrame5000(b *testing.B) {
	m := benchView(5000)
	defer m.Close()
	ev := []artifact.Event{uitest.Ev(5001, "Instance", uitest.IN, "CREATE_IN_PROGRESS", "Resource creation Initiated")}
	b.ReportAllocs()
	for b.Loop() {
		m.Update(eventsMsg{Op: m.startOp.ID(), Events: ev})
		_ = m.View()
	}
}

// BenchmarkCloneViewScrollFrame5000 is a frame after a key that scrolls the log.
func BenchmarkCloneViewScrollFrame5000(b *testing.B) {
	m := benchView(5000)
	defer m.Close()
	keys := []tea.KeyPressMsg{{Code: tea.KeyPgUp}, {Code: tea.KeyPgDown}}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		m.Update(keys[i%2])
		_ = m.View()
		i++
	}
}

// BenchmarkCloneViewMemory5000 reports the heap in use with a view holding
// 5,000 events (and what the view itself retains), plus the process's RSS.
func BenchmarkCloneViewMemory5000(b *testing.B) {
	var inuse, model uint64
	for b.Loop() {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		m := benchView(5000)
		_ = m.View()
		runtime.GC()
		runtime.ReadMemStats(&after)
		inuse, model = after.HeapInuse, after.HeapInuse-min(after.HeapInuse, before.HeapInuse)
		runtime.KeepAlive(m)
		m.Close()
	}
	b.ReportMetric(float64(inuse)/(1<<20), "heap-inuse-MB")
	b.ReportMetric(float64(model)/(1<<20), "view-MB")
	if rss := cvRSS(); rss > 0 {
		b.ReportMetric(float64(rss)/(1<<20), "rss-MB")
	}
}

// cvRSS reads the resident set size from /proc (Linux), or 0.
func cvRSS() uint64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(data), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseUint(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}

// latencyModel wraps the view in a real program and notes when each
// probe event is first part of a rendered frame.
type latencyModel struct {
	*Model
	next int
	seen []time.Time
	ack  chan struct{}
}

func (l *latencyModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	_, cmd := l.Model.Update(msg)
	return l, cmd
}

func (l *latencyModel) View() tea.View {
	v := l.Model.View()
	if l.next < len(l.seen) && strings.Contains(v.Content, fmt.Sprintf("probe-%07d", l.next)) {
		l.seen[l.next] = time.Now()
		l.next++
		l.ack <- struct{}{}
	}
	return v
}

// BenchmarkCloneViewEventLatency measures, in a running program, the time
// from Emit to the first frame (View) that shows the event, over a log
// that grows to b.N events. The renderer then flushes that frame at its
// next tick (60 fps).
func BenchmarkCloneViewEventLatency(b *testing.B) {
	n := b.N
	sent := make([]time.Time, n)
	lm := &latencyModel{seen: make([]time.Time, n), ack: make(chan struct{}, 1)}
	finished := make(chan struct{})
	start := func(ctx context.Context, _ string, _ bool, emit artifact.Emit) (*artifact.CloneReady, error) {
		defer close(finished)
		emit(cvStarted())
		for i := range n {
			sent[i] = time.Now()
			emit(uitest.Ev(i, "Cluster", uitest.CL, "CREATE_IN_PROGRESS", fmt.Sprintf("probe-%07d", i)))
			select {
			case <-lm.ack:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		return cvReady(""), nil
	}
	lm.Model = New(context.Background(), Options{Artifact: uitest.Artifact(), Stack: uitest.Stack, Region: "eu-west-1",
		Theme: common.NewTheme(true, false), SkipSummary: true, Clone: runFunc(start)})
	p := tea.NewProgram(lm, tea.WithInput(nil), tea.WithOutput(io.Discard), tea.WithWindowSize(100, 30), tea.WithoutSignals(),
		tea.WithColorProfile(colorprofile.TrueColor))
	b.ResetTimer()
	done := make(chan error, 1)
	go func() { _, err := p.Run(); done <- err }()
	select {
	case <-finished:
	case <-time.After(2 * time.Minute):
		b.Fatal("the clone did not finish")
	}
	b.StopTimer()
	p.Quit()
	if err := <-done; err != nil {
		b.Fatal(err)
	}
	lm.Model.Close()
	lat := make([]time.Duration, n)
	for i := range n {
		lat[i] = lm.seen[i].Sub(sent[i])
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[n/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[n*99/100].Microseconds()), "p99-µs")
	b.ReportMetric(float64(lat[n-1].Microseconds()), "max-µs")
}

// runFunc is a Clone that only runs: the benchmark's.
type runFunc func(ctx context.Context, password string, generate bool, emit artifact.Emit) (*artifact.CloneReady, error)

func (runFunc) Name() string                            { return uitest.Stack }
func (runFunc) Checks() bool                            { return false }
func (runFunc) Check(context.Context) *artifact.Checked { return nil }
func (f runFunc) Run(ctx context.Context, pw string, gen bool, emit artifact.Emit) (*artifact.CloneReady, error) {
	return f(ctx, pw, gen, emit)
}
