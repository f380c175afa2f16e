package artifact

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/dbaf/dbaf/aws"
)

// ResetRequest is one clone to refresh in place: its stack is torn down and
// the artifact cloned again under the same name, so the clone's cluster
// identifier, and with it the endpoint Aurora derives from it, stay the
// same for every app config that points at it.
type ResetRequest struct {
	// CloneRequest is the clone to make again: Name is the stack to reset
	// (required), Artifact the one that made it, Password the re-created
	// clone's (give the old one to keep it).
	CloneRequest
	// Force resets a stack dbaf did not make, or another owner's clone.
	Force bool
}

// ResetStarted opens a reset's event stream, before its teardown's: the
// stack, what made it, and what the reset keeps (the endpoint) and restarts
// (the TTL).
type ResetStarted struct {
	Stack   string `json:"stack"`
	StackID string `json:"stack_id"`
	Source  string `json:"source"`
	Region  string `json:"region"`
	Image   string `json:"image,omitempty"` // the artifact it is re-created from
	// Endpoint is the clone's endpoint before the reset: the re-created
	// clone has the same one.
	Endpoint string `json:"endpoint,omitempty"`
	// ExpiresAt is the old clone's expiry; the new one's runs from now.
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
	Recreate  string     `json:"recreate"` // the command that makes the clone again should the reset stop half-way
}

func (ResetStarted) eventKind() string { return "reset_started" }

// ResetGoneError is a reset that stopped after it began deleting the stack
// and before the new clone's stack existed: nothing answers at the
// endpoint until the clone is made again, with Recreate. It unwraps to the
// cause, which picks the exit code.
type ResetGoneError struct {
	Stack    string
	State    StackState // StateResetDeleting or StateResetGone
	Recreate string
	Err      error
}

func (e *ResetGoneError) Error() string { return fmt.Sprintf("%v\n%s", e.Err, e.left()) }

func (e *ResetGoneError) Unwrap() error { return e.Err }

func (e *ResetGoneError) left() string {
	return fmt.Sprintf("stack %s is %s: its endpoint answers again once the clone is made again, with:\n  %s", e.Stack, e.State, e.Recreate)
}

// ResetTeardownError is a reset whose teardown failed: the clone was not
// made again. It unwraps to the teardown's error.
type ResetTeardownError struct {
	Stack, Recreate string
	Reset           string // the command that runs the reset again
	Err             error
}

func (e *ResetTeardownError) Error() string {
	return fmt.Sprintf("%v\nthe reset did not re-create %s: run it again once that is fixed:\n  %s\nor, when the stack is gone (dbaf list), re-create it with:\n  %s",
		e.Err, e.Stack, e.Reset, e.Recreate)
}

func (e *ResetTeardownError) Unwrap() error { return e.Err }

// Reset refreshes a clone with its source's latest data under the same
// name: it checks the stack may be reset (a dbaf clone of the artifact's
// source, the caller's own, not being created or deleted; Force lifts the
// first and the owner check), tears it down, waiting until it is gone, and
// clones the artifact again with Name, which restarts the TTL, sets
// req.Password and re-applies the artifact's masking. Every check that can
// refuse the new clone runs before anything is deleted. The stream is
// ResetStarted, the teardown's events, then the clone's, and ends with
// exactly one final event: CloneReady, CloneFailed or CloneInterrupted, or
// TeardownFailed when the teardown fails.
func Reset(ctx context.Context, req ResetRequest, s Stacks, emit Emit) (*CloneReady, error) {
	st := NewStream(emit)
	ready, err := reset(ctx, req, s, st.Emit)
	return ready, st.End(err, func(err error) Event { return ResetFinal(req.Name, err) })
}

// ResetFinal is the final event for a reset of stack that failed with err
// without reporting it.
func ResetFinal(stack string, err error) Event {
	var (
		gone *ResetGoneError
		td   *ResetTeardownError
		ie   *InterruptedError
		se   *StrandedError
	)
	switch {
	case errors.As(err, &gone) && errors.Is(err, context.Canceled):
		return CloneInterrupted{Stack: gone.Stack, State: gone.State, Resume: gone.Recreate, Message: err.Error()}
	case errors.As(err, &gone):
		return CloneFailed{Stack: gone.Stack, Reason: gone.Err.Error(), State: gone.State, Resume: gone.Recreate, Cleanup: gone.left()}
	case errors.As(err, &td):
		return TeardownFailed{Stack: td.Stack, Reason: err.Error()}
	case errors.As(err, &ie), errors.As(err, &se):
		return CloneFinal(stack, err) // the new clone's stack exists
	case errors.Is(err, context.Canceled):
		return CloneInterrupted{Stack: stack, Message: "interrupted before anything was deleted: stack " + stack + " is as it was"}
	}
	return CloneFailed{Stack: stack, Reason: err.Error(), Cleanup: "nothing was deleted or created: stack " + stack + " is as it was"}
}

func reset(ctx context.Context, req ResetRequest, s Stacks, emit Emit) (*CloneReady, error) {
	a, name := req.Artifact, req.Name
	req.Commands = req.Commands.In(s.Region())
	recreate := req.Commands.Resume(name)
	// What would refuse the new clone is checked while the old one still
	// stands: failing after the teardown would leave the name empty.
	if err := resetInputs(req); err != nil {
		return nil, err
	}
	id, err := s.CallerIdentity(ctx)
	if err != nil {
		return nil, err
	}
	stack, err := s.DescribeStack(ctx, name)
	switch {
	case isNotFound(err) || err == nil && stack.Status == "DELETE_COMPLETE":
		return nil, &SourceError{Msg: fmt.Sprintf("no stack %s in %s: nothing to reset (dbaf list shows your clones); create it with: %s", name, s.Region(), recreate)}
	case err != nil:
		return nil, err
	}
	if err := mayReset(stack, a, id.ARN, req.Force, req.Commands); err != nil {
		return nil, err
	}
	if err := checkReplaceable(ctx, s, a.Source); err != nil {
		return nil, err
	}

	started := ResetStarted{Stack: stack.Name, StackID: stack.ID, Source: a.Source.ClusterID, Region: s.Region(), Image: a.Image,
		Endpoint: stack.Outputs["Endpoint"], Recreate: recreate}
	if t, ok := ExpiresAt(stack.Tags); ok {
		started.ExpiresAt = &t
	}
	emit(started)

	tdEmit := func(e Event) {
		if td, ok := e.(TornDown); ok { // not the end of this stream
			emit(Progress{Step: string(PhaseDeleting), Line: "nothing left of " + td.Stack + ": cloning " + a.Source.ClusterID + " again under the same name"})
			return
		}
		emit(e)
	}
	del := &deleteNoted{Stacks: s}
	err = teardown(ctx, TeardownRequest{Stack: name, Force: req.Force, PollInterval: req.PollInterval, ThrottleBudget: req.ThrottleBudget,
		Clock: req.Clock, Rand: req.Rand, Commands: req.Commands}, del, tdEmit)
	switch {
	case err != nil && ctx.Err() != nil && del.accepted:
		return nil, &ResetGoneError{Stack: name, State: StateResetDeleting, Recreate: recreate, Err: err}
	case err != nil && ctx.Err() != nil:
		return nil, err // stopped before DeleteStack: nothing was deleted
	case err != nil:
		return nil, &ResetTeardownError{Stack: name, Recreate: recreate, Reset: req.Commands.Reset(name), Err: err}
	}

	// The clone's ready event waits for the reset's last word on the
	// endpoint, so that it stays the stream's last event.
	var held *CloneReady
	created := false
	cloneEmit := func(e Event) {
		switch e := e.(type) {
		case CloneStarted:
			created = true
		case CloneReady:
			held = &e
			return
		}
		emit(e)
	}
	// The new clone checks the account itself: a preflight made before the
	// teardown counted the old clone against the quotas.
	creq := req.CloneRequest
	creq.checked = nil
	ready, err := clone(ctx, creq, s, cloneEmit)
	if err != nil {
		var ie *InterruptedError
		if !created && !errors.As(err, &ie) { // an interrupted CreateStack may have made it: that says so itself
			return nil, &ResetGoneError{Stack: name, State: StateResetGone, Recreate: recreate, Err: err}
		}
		return nil, err
	}
	if started.Endpoint != "" && ready.Endpoint != started.Endpoint {
		emit(Warning{Message: fmt.Sprintf("the endpoint changed from %s to %s: update the configs that point at the clone", started.Endpoint, ready.Endpoint)})
	}
	if held != nil {
		emit(*held)
	}
	return ready, nil
}

// deleteNoted notes whether CloudFormation accepted the stack's deletion:
// from then on an interrupted reset leaves the name empty.
type deleteNoted struct {
	Stacks
	accepted bool
}

func (d *deleteNoted) DeleteStack(ctx context.Context, nameOrID string) error {
	err := d.Stacks.DeleteStack(ctx, nameOrID)
	d.accepted = d.accepted || err == nil
	return err
}

// resetInputs refuses a request the new clone would refuse, before any
// AWS call.
func resetInputs(req ResetRequest) error {
	a, name := req.Artifact, req.Name
	if name == "" {
		return &SourceError{Msg: "name the stack to reset (dbaf list shows your clones)"}
	}
	if err := ValidateStackName(name); err != nil {
		return &SourceError{Msg: fmt.Sprintf("stack %s cannot be re-created under its name: %v", name, err)}
	}
	if req.Password == "" && !a.Target.ManagedPassword {
		return errors.New("no password for the re-created clone: set DB_PASSWORD, or pass --password-stdin or --generate-password")
	}
	if req.Password != "" {
		// RDS would refuse it only once the old clone is gone.
		if err := CheckPassword(a.Source.Engine, req.Password, "the password for the re-created clone"); err != nil {
			return &SourceError{Msg: err.Error()}
		}
	}
	if _, err := a.MaskRules(); err != nil {
		return &SourceError{Msg: "the artifact's " + err.Error() + ": fix the artifact's [masking] section and rebuild it"}
	}
	_, err := Template(a, name)
	return err
}

// mayReset refuses a stack a reset must not delete: one dbaf did not make
// or another owner's clone (unless forced), a clone of another source than
// the artifact's (always: the new clone would not be the old one's
// refresh), or one that CloudFormation is busy with.
func mayReset(stack *aws.Stack, a *Artifact, caller string, force bool, cmds Commands) error {
	name, recreate := stack.Name, cmds.Resume(stack.Name)
	owner, source := stack.Tags[TagOwner], stack.Tags[TagSourceCluster]
	switch {
	case !IsDbafStack(stack.Tags) && !force:
		return &SourceError{Msg: fmt.Sprintf("stack %s was not created by dbaf (it has no %s tag): a reset deletes it; refusing; pass --force if you are sure", name, TagManagedBy)}
	case IsDbafStack(stack.Tags) && !OwnedBy(stack.Tags, caller) && !force:
		return &SourceError{Msg: fmt.Sprintf("stack %s is a clone owned by %s; you are %s: a reset deletes its data under its owner; refusing; pass --force if you are sure",
			name, orUnknown(owner), caller)}
	case source != "" && source != tagValue(a.Source.ClusterID):
		return &SourceError{Msg: fmt.Sprintf("stack %s is a clone of %s, but the artifact clones %s: reset it with the artifact that made it (--image or --config), or tear it down and clone %s under another name",
			name, source, a.Source.ClusterID, a.Source.ClusterID)}
	case stack.Status == "DELETE_IN_PROGRESS":
		return &SourceError{Msg: fmt.Sprintf("stack %s is being deleted (%s): nothing to reset; once it is gone (dbaf list), create it again with: %s", name, stack.Status, recreate)}
	case strings.HasPrefix(stack.Status, "CREATE_") && strings.HasSuffix(stack.Status, "_IN_PROGRESS"):
		return &SourceError{Msg: fmt.Sprintf("stack %s is being created (%s): wait until it is ready (%s follows it), then reset it", name, stack.Status, recreate)}
	case strings.HasSuffix(stack.Status, "_IN_PROGRESS"):
		return &SourceError{Msg: fmt.Sprintf("stack %s is %s: wait until CloudFormation is done with it (dbaf list), then reset it", name, stack.Status)}
	}
	return nil
}
