package artifact

import (
	"context"
	"errors"
	"sync"
	"time"
)

// PreflightMaxAge is how long a preflight a screen showed stands for the
// clone it then starts: a clone confirmed later checks again, as the
// account may have filled up meanwhile.
const PreflightMaxAge = 2 * time.Minute

// Checked is one preflight of a ClonePlan: what it saw, what it warned,
// what it found wrong, and when it returned.
type Checked struct {
	// Preflight is nil when there was nothing to check (the stack exists
	// and the clone follows it) or the source could not be read (Err).
	Preflight *Preflight
	Warnings  []string
	Err       error
	At        time.Time
}

// Blocks says whether the check found what stops the clone before it
// creates anything (each such problem is a *SourceError).
func (c *Checked) Blocks() bool {
	for _, e := range Problems(c.Err) {
		var se *SourceError
		if errors.As(e, &se) {
			return true
		}
	}
	return false
}

// ClonePlan is one clone as a screen or a command drives it: its stack
// name, settled once; the preflight shown before it starts, which the run
// reuses while it is recent and found nothing wrong (so a run makes one
// call per check); and the run itself, with the developer's password. A
// reset's plan runs Reset, and checks nothing beforehand: before the
// teardown the old clone counts against the quotas.
type ClonePlan struct {
	req      CloneRequest
	reset    *ResetRequest
	s        Stacks
	generate func() string

	mu   sync.Mutex
	seq  int      // the latest Check; an older one returning is not kept
	last *Checked // the latest Check that returned
}

// NewClonePlan plans req against s; generate makes up a password when Run
// is asked to.
func NewClonePlan(req CloneRequest, s Stacks, generate func() string) *ClonePlan {
	return &ClonePlan{req: req.named(), s: s, generate: generate}
}

// NewResetPlan plans the reset of req.Name.
func NewResetPlan(req ResetRequest, s Stacks, generate func() string) *ClonePlan {
	p := NewClonePlan(req.CloneRequest, s, generate)
	req.CloneRequest = p.req
	p.reset = &req
	return p
}

// Name is the stack the clone makes (or follows, or resets).
func (p *ClonePlan) Name() string { return p.req.Name }

// Artifact is the artifact the clone is made from.
func (p *ClonePlan) Artifact() *Artifact { return p.req.Artifact }

// Region is where the clone is made.
func (p *ClonePlan) Region() string { return p.s.Region() }

// Checks says whether Check has anything to say before the run: a reset's
// checks belong to its run.
func (p *ClonePlan) Checks() bool { return p.reset == nil }

// Check runs the preflight the clone would run (PreflightForStack) and
// keeps it for Run. A check whose context is cancelled, or that returns
// after a newer one started, is not kept.
func (p *ClonePlan) Check(ctx context.Context) *Checked {
	if !p.Checks() {
		return &Checked{At: p.req.now()()}
	}
	p.mu.Lock()
	p.seq++
	seq := p.seq
	p.mu.Unlock()
	c := &Checked{}
	// warn is called on this goroutine, before PreflightForStack returns.
	c.Preflight, c.Err = PreflightForStack(ctx, p.s, p.req.Name, p.req.Artifact.Source, func(s string) { c.Warnings = append(c.Warnings, s) })
	c.At = p.req.now()()
	p.mu.Lock()
	if seq == p.seq && ctx.Err() == nil {
		p.last = c
	}
	p.mu.Unlock()
	return c
}

// reusable is the last check, when the run may report it instead of
// asking AWS again: recent, and found nothing wrong.
func (p *ClonePlan) reusable() *Checked {
	p.mu.Lock()
	c := p.last
	p.mu.Unlock()
	if c == nil || c.Preflight == nil || c.Err != nil || p.req.now()().Sub(c.At) > PreflightMaxAge {
		return nil
	}
	return c
}

// Run makes the clone (or the reset). The password is the one given, or,
// when generate is true, one made up for it (CloneReady.Password carries
// it); with neither, the request's own (or none, when RDS manages it).
func (p *ClonePlan) Run(ctx context.Context, password string, generate bool, emit Emit) (*CloneReady, error) {
	req := p.req
	switch {
	case generate:
		req.Password, req.PasswordGenerated = p.generate(), true
	case password != "":
		req.Password, req.PasswordGenerated = password, false
	}
	if p.reset != nil {
		r := *p.reset
		r.CloneRequest = req
		return Reset(ctx, r, p.s, emit)
	}
	req.checked = p.reusable()
	return Clone(ctx, req, p.s, emit)
}
