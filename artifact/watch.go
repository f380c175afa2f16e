package artifact

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/dbaf/dbaf/aws"
	"github.com/dbaf/dbaf/internal/clock"
)

// DefaultPollInterval spaces the watcher's AWS calls: one call every
// 2–2.5 s keeps a watch under 30 calls a minute and shows each event at
// most ~3 s after it happened.
const DefaultPollInterval = 2 * time.Second

// maxBackoff caps the wait after throttling.
const maxBackoff = 30 * time.Second

// DefaultThrottleBudget is how long a watcher keeps backing off through
// unbroken throttling before it gives up: long enough to ride out a burst
// from other tools in the account, short enough that a clone never waits
// forever on an account that throttles every call.
const DefaultThrottleBudget = 15 * time.Minute

// Clock is the time a watch waits on. Tests give a fake one, so a watch of
// many minutes of backoff runs at once.
type Clock = clock.Clock

// Rand is the random source of the pacer's jitter; *rand.Rand is one.
type Rand interface {
	Int64N(n int64) int64
}

// pacer spaces calls: each Wait sleeps the interval plus up to a quarter of
// it in jitter, or the current backoff after throttling.
type pacer struct {
	interval time.Duration
	backoff  time.Duration
	first    bool
	budget   time.Duration // longest unbroken run of throttling
	spent    time.Duration // backoff spent since the last successful call
	clock    Clock
	rand     Rand
}

// newPacer makes a pacer; zero values and nils take the defaults: the
// default interval and budget, real time and a freshly seeded jitter.
func newPacer(interval, budget time.Duration, c Clock, r Rand) *pacer {
	if interval <= 0 {
		interval = DefaultPollInterval
	}
	if budget <= 0 {
		budget = DefaultThrottleBudget
	}
	if c == nil {
		c = clock.Real{}
	}
	if r == nil {
		r = rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	}
	return &pacer{interval: interval, first: true, budget: budget, clock: c, rand: r}
}

// ThrottleBudgetError is a watch that gave up because AWS throttled every
// call for longer than the budget. The stack goes on in AWS; Resume and
// Teardown are the commands that pick it up again or remove it.
type ThrottleBudgetError struct {
	Stack    string
	Call     string
	For      time.Duration // how long dbaf backed off before giving up
	Resume   string        // the command that follows the stack again
	Teardown string        // the command that removes it
	Err      error         // the last throttling error
}

func (e *ThrottleBudgetError) Error() string {
	msg := fmt.Sprintf("AWS throttled %s for %s without a break: dbaf stopped watching stack %s, which goes on in AWS", e.Call, e.For.Round(time.Second), e.Stack)
	if e.Resume != "" {
		msg += "\nfollow it again with:\n  " + e.Resume
	}
	if e.Teardown != "" {
		msg += "\nremove it with:\n  " + e.Teardown
	}
	return msg
}

// Unwrap gives the AWS throttling error, so callers classify it as AWS's.
func (e *ThrottleBudgetError) Unwrap() error { return e.Err }

func (p *pacer) wait(ctx context.Context) error {
	d := p.interval + time.Duration(p.rand.Int64N(int64(p.interval)/4+1))
	if p.backoff > 0 {
		d = p.backoff
	}
	if p.first { // the first call goes out at once
		p.first = false
		return ctx.Err()
	}
	return p.clock.Sleep(ctx, d)
}

// throttled records a throttled call and returns the next wait: doubling
// from the interval up to maxBackoff, with jitter. ok is false once the
// unbroken throttling has used up the budget.
func (p *pacer) throttled() (next time.Duration, ok bool) {
	if p.backoff == 0 {
		p.backoff = 2 * p.interval
	} else {
		p.backoff *= 2
	}
	if p.backoff > maxBackoff {
		p.backoff = maxBackoff
	}
	p.backoff = p.backoff/2 + time.Duration(p.rand.Int64N(int64(p.backoff)/2+1))
	if p.spent+p.backoff > p.budget {
		return 0, false
	}
	p.spent += p.backoff
	return p.backoff, true
}

func (p *pacer) ok() { p.backoff, p.spent = 0, 0 }

// overBudget is the error of a throttled call that used up the budget.
func (p *pacer) overBudget(call string, err error) *ThrottleBudgetError {
	return &ThrottleBudgetError{Call: call, For: p.spent, Err: err}
}

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
			const call = "cloudformation:DescribeStackEvents"
			next, ok := p.throttled()
			if !ok {
				return res, p.overBudget(call, err)
			}
			emit(Throttled{Call: call, RetryIn: next})
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
