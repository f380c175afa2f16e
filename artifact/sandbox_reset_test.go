package artifact_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/dbaf/dbaf/artifact"
)

// BenchmarkResetOverhead measures, on the sandbox at test pace, what dbaf
// reset adds to the teardown and the clone it runs: the time and AWS calls
// of its own checks (from the call to reset_started, after which the
// teardown begins; nothing of its own runs between the teardown's end and
// the clone's start), and, for scale, a whole reset against the same
// teardown and clone run by hand one after the other:
//
//	go test ./artifact -run '^$' -bench ResetOverhead -benchtime 5x
func BenchmarkResetOverhead(b *testing.B) {
	c, sb := sandboxClient(b, 0.05)
	a := resolveProd(b, c)
	ctx := context.Background()
	const poll = 100 * time.Millisecond
	req := func(name string) artifact.CloneRequest {
		return artifact.CloneRequest{Artifact: a, Name: name, Password: "a-Secret-123", PollInterval: poll}
	}
	calls := func() (n int) {
		for _, v := range sb.Calls() {
			n += v
		}
		return n
	}
	must := func(err error) {
		if err != nil {
			b.Fatal(err)
		}
	}
	var own, reset, byHand time.Duration
	ownCalls, n := 0, 0
	for b.Loop() {
		name := fmt.Sprintf("bench-reset-%d", n)
		_, err := artifact.Clone(ctx, req(name), c, nil)
		must(err)

		start := time.Now()
		must(artifact.Teardown(ctx, artifact.TeardownRequest{Stack: name, PollInterval: poll}, c, nil))
		_, err = artifact.Clone(ctx, req(name), c, nil)
		must(err)
		byHand += time.Since(start)

		var startedAt time.Time
		var startedCalls int
		emit := func(e artifact.Event) {
			if _, ok := e.(artifact.ResetStarted); ok {
				startedAt, startedCalls = time.Now(), calls()
			}
		}
		before := calls()
		start = time.Now()
		_, err = artifact.Reset(ctx, artifact.ResetRequest{CloneRequest: req(name)}, c, emit)
		must(err)
		reset += time.Since(start)
		own += startedAt.Sub(start)
		ownCalls += startedCalls - before

		must(artifact.Teardown(ctx, artifact.TeardownRequest{Stack: name, PollInterval: poll}, c, nil))
		n++
	}
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 / float64(n) }
	b.ReportMetric(ms(own), "ms-reset-own")
	b.ReportMetric(float64(ownCalls)/float64(n), "calls-reset-own")
	b.ReportMetric(ms(reset), "ms-reset")
	b.ReportMetric(ms(byHand), "ms-teardown+clone")
}
