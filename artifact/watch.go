package artifact

import (
	"context"
	"errors"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/dbaf/dbaf/aws"
)

// DefaultPollInterval spaces the watcher's AWS calls: one call every
// 2–2.5 s keeps a watch under 30 calls a minute and shows each event at
// most ~3 s after it happened.
const DefaultPollInterval = 2 * time.Second

// maxBackoff caps the wait after throttling; a throttled call is never fatal.
const maxBackoff = 30 * time.Second

// pacer spaces calls: each Wait sleeps the interval plus up to a quarter of
// it in jitter, or the current backoff after throttling.
type pacer struct {
	interval time.Duration
	backoff  time.Duration
	first    bool
}

func newPacer(interval time.Duration) *pacer {
	if interval <= 0 {
		interval = DefaultPollInterval
	}
	return &pacer{interval: interval, first: true}
}

func (p *pacer) wait(ctx context.Context) error {
	d := p.interval + time.Duration(rand.Int64N(int64(p.interval)/4+1))
	if p.backoff > 0 {
		d = p.backoff
	}
	if p.first { // the first call goes out at once
		p.first, d = false, 0
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// throttled records a throttled call and returns the next wait: doubling
// from the interval up to maxBackoff, with jitter.
func (p *pacer) throttled() time.Duration {
	if p.backoff == 0 {
		p.backoff = 2 * p.interval
	} else {
		p.backoff *= 2
	}
	if p.backoff > maxBackoff {
		p.backoff = maxBackoff
	}
	p.backoff = p.backoff/2 + time.Duration(rand.Int64N(int64(p.backoff)/2+1))
	return p.backoff
}

func (p *pacer) ok() { p.backoff = 0 }

func isThrottled(err error) bool {
	var e *aws.Error
	return errors.As(err, &e) && e.Kind == aws.Throttled
}

// StackEvents is what the watcher needs: the stack's events newer than the
// given EventId ("" = all), oldest first.
type StackEvents interface {
	StackEvents(ctx context.Context, stackID, afterEventID string) ([]aws.StackEvent, error)
}

// watchResult is how a watch ended.
type watchResult struct {
	final  aws.StackEvent   // the stack's own event that ended the watch
	events []aws.StackEvent // every event seen, oldest first
	lastID string
}

// watch polls a stack's events and emits each once, in order, until the
// stack's own event leaves *_IN_PROGRESS. It then polls once more, so no
// failure reason that arrived in the same instant is lost. Events in known
// (those from before the watch began) are never reported, even when a page
// boundary hands one back again.
func watch(ctx context.Context, s StackEvents, stackID, afterEventID string, known []aws.StackEvent, p *pacer, emit Emit) (*watchResult, error) {
	res := &watchResult{lastID: afterEventID}
	seen := make(map[string]bool, len(known))
	for _, e := range known {
		seen[e.ID] = true
	}
	var done bool
	for {
		// The extra poll after the end goes out at once: the user is
		// waiting for the endpoint, not for the pacer.
		if !done {
			if err := p.wait(ctx); err != nil {
				return res, err
			}
		} else if ctx.Err() != nil {
			return res, ctx.Err()
		}
		evs, err := s.StackEvents(ctx, stackID, res.lastID)
		if isThrottled(err) {
			emit(Throttled{Call: "cloudformation:DescribeStackEvents", RetryIn: p.throttled()})
			if done { // the loop would not wait: back off here
				if err := p.wait(ctx); err != nil {
					return res, err
				}
			}
			continue
		}
		if err != nil {
			return res, err
		}
		p.ok()
		for _, e := range evs {
			if seen[e.ID] {
				continue
			}
			seen[e.ID] = true
			res.lastID = e.ID
			res.events = append(res.events, e)
			emit(toEvent(e))
			if e.IsStack() && !strings.HasSuffix(e.Status, "_IN_PROGRESS") {
				res.final = e
			}
		}
		if done {
			return res, nil
		}
		if res.final.ID != "" {
			done = true
		}
	}
}

func toEvent(e aws.StackEvent) StackEvent {
	return StackEvent{Time: e.Time, LogicalID: e.LogicalID, ResourceType: e.ResourceType, Status: e.Status,
		Reason: e.Reason, PhysicalID: e.PhysicalID, IsStack: e.IsStack()}
}

// RootCause finds why a stack failed: the first FAILED event of a resource
// (not the stack) whose reason is not a cancellation caused by another
// resource's failure. The "(Service: …; Request ID: …)" tail is trimmed.
func RootCause(events []aws.StackEvent) (logicalID, reason string) {
	var fallback aws.StackEvent
	for _, e := range events {
		if !strings.HasSuffix(e.Status, "_FAILED") {
			continue
		}
		if e.IsStack() {
			if fallback.ID == "" {
				fallback = e
			}
			continue
		}
		if isCancellation(e.Reason) {
			continue
		}
		return e.LogicalID, trimRequestTail(e.Reason)
	}
	if fallback.ID != "" {
		return "", trimRequestTail(fallback.Reason)
	}
	return "", "the stack failed without saying why"
}

func isCancellation(reason string) bool {
	r := strings.ToLower(reason)
	return strings.Contains(r, "resource creation cancelled") || strings.Contains(r, "resource update cancelled") ||
		strings.Contains(r, "cancelled") && strings.Contains(r, "another resource")
}

// trimRequestTail keeps what a person needs from a failure reason. Resource
// handlers wrap the service's message as
// Resource handler returned message: "MSG (Service: …)" (RequestToken: …);
// MSG is the part worth reading.
func trimRequestTail(reason string) string {
	if inner, ok := strings.CutPrefix(reason, `Resource handler returned message: "`); ok {
		if i := strings.LastIndex(inner, `" (RequestToken:`); i >= 0 {
			inner = inner[:i]
		}
		reason = strings.TrimSuffix(inner, `"`)
	}
	for _, tail := range []string{" (Service:", " (RequestToken:"} {
		if i := strings.Index(reason, tail); i > 0 {
			reason = reason[:i]
		}
	}
	return strings.TrimSpace(reason)
}
