package cloudformation

import (
	"context"
	"sync"
	"time"

	"github.com/dbaf/dbaf/internal/sandbox/wire"
)

// Config ties an engine to its account.
type Config struct {
	Region, Account string
	AZs             []string // what Fn::GetAZs returns
	// Sleep waits d at demo pace, scaled as the account's pace says;
	// false means ctx ended first.
	Sleep func(ctx context.Context, d time.Duration) bool
	// Go runs f in the background, where closing the account waits for
	// it; false means the account is closing and f was not started.
	Go func(f func()) bool
	// ResourceFault says whether an injected fault fails the resource of
	// this logical id, and with what reason; nil means never.
	ResourceFault func(logicalID string) (reason string, ok bool)
	// Changed is told, holding the engine's lock, that a stack changed
	// (an event was emitted), so that the account saves itself; it must
	// not block. nil means nobody listens.
	Changed func()
	// Now is the account's time, which stamps stacks and their events;
	// nil means the wall clock.
	Now func() time.Time
}

// Engine is the CloudFormation of one account. It is safe for concurrent
// use.
type Engine struct {
	// ctx ends the stack operations when the account closes; an engine
	// lives as long as its account, so it keeps it.
	ctx context.Context
	p   Provider
	cfg Config

	mu     sync.Mutex // guards stacks and everything reachable from them
	stacks []*stack   // every stack ever created, oldest first
}

// New makes an engine creating resources through p. Its background work
// ends with ctx.
func New(ctx context.Context, p Provider, cfg Config) *Engine {
	if cfg.Changed == nil {
		cfg.Changed = func() {}
	}
	if cfg.ResourceFault == nil {
		cfg.ResourceFault = func(string) (string, bool) { return "", false }
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Engine{ctx: ctx, p: p, cfg: cfg}
}

// now is the account's time, in UTC.
func (e *Engine) now() time.Time { return e.cfg.Now().UTC() }

// Actions are the CloudFormation API actions the engine serves.
func (e *Engine) Actions() map[string]wire.Handler {
	return map[string]wire.Handler{
		"CreateStack":            e.createStack,
		"DescribeStacks":         e.describeStacks,
		"DescribeStackEvents":    e.describeStackEvents,
		"DescribeStackResources": e.describeStackResources,
		"DeleteStack":            e.deleteStack,
		"ListStacks":             e.listStacks,
		"GetTemplate":            e.getTemplate,
		"UpdateStack":            e.updateStack,
	}
}
