package artifact

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/dbaf/dbaf/aws"
)

// TagMaxExpiresAt records, at clone time, the latest expiry dbaf extend
// may give the clone: its creation plus the artifact's clone_ttl.
const TagMaxExpiresAt = "dbaf:max-expires-at"

// ExtendAWS is what dbaf extend needs of AWS.
type ExtendAWS interface {
	StackEvents
	Region() string
	CallerIdentity(ctx context.Context) (*aws.Identity, error)
	DescribeStack(ctx context.Context, nameOrID string) (*aws.Stack, error)
	GetTemplate(ctx context.Context, nameOrID string) ([]byte, error)
	UpdateStack(ctx context.Context, nameOrID string, template []byte, tags map[string]string) error
}

// ExtendRequest is one expiry to move.
type ExtendRequest struct {
	Stack        string
	TTL          time.Duration // the clone's new expiry is this long from now
	PollInterval time.Duration
	Now          func() time.Time // nil: time.Now
}

// Extended is the final event of a dbaf extend that moved the expiry.
type Extended struct {
	Stack        string    `json:"stack"`
	ExpiresAt    time.Time `json:"expires_at"`
	MaxExpiresAt time.Time `json:"max_expires_at"`
}

// ExtendFailed is the final event of a dbaf extend that did not.
type ExtendFailed struct {
	Stack  string `json:"stack"`
	Reason string `json:"reason"`
}

func (Extended) eventKind() string     { return "extended" }
func (ExtendFailed) eventKind() string { return "extend_failed" }

// extendBudget bounds the wait for the stack update: moving a schedule
// takes seconds.
const extendBudget = 10 * time.Minute

// Extend moves a clone's expiry to req.TTL from now: a stack update of its
// schedule's time and its TagExpiresAt tag, refused for a stack that is
// not the caller's dbaf clone, whose expiry nothing enforces, or past the
// maximum recorded at clone time. It waits for the update to finish; the
// stream ends with Extended or ExtendFailed.
func Extend(ctx context.Context, s ExtendAWS, req ExtendRequest, emit Emit) error {
	st := NewStream(emit)
	return st.End(extend(ctx, s, req, st.Emit), func(err error) Event { return ExtendFailed{Stack: req.Stack, Reason: err.Error()} })
}

func extend(ctx context.Context, s ExtendAWS, req ExtendRequest, emit Emit) error {
	now := time.Now
	if req.Now != nil {
		now = req.Now
	}
	if req.TTL <= 0 {
		return &SourceError{Msg: fmt.Sprintf("extend by %s: give how long the clone should live from now, like 8h or 2d", req.TTL)}
	}
	stack, err := s.DescribeStack(ctx, req.Stack)
	var awsErr *aws.Error
	if errors.As(err, &awsErr) && awsErr.Kind == aws.NotFound || err == nil && stack.Status == "DELETE_COMPLETE" {
		return &SourceError{Msg: fmt.Sprintf("no stack %s in %s (dbaf list shows the clones there)", req.Stack, s.Region())}
	}
	if err != nil {
		return err
	}
	id, err := s.CallerIdentity(ctx)
	if err != nil {
		return err
	}
	switch {
	case !IsDbafStack(stack.Tags):
		return &SourceError{Msg: fmt.Sprintf("stack %s was not created by dbaf (it has no %s tag): only a dbaf clone's expiry can be extended", req.Stack, TagManagedBy)}
	case !OwnedBy(stack.Tags, id.ARN):
		return &SourceError{Msg: fmt.Sprintf("stack %s is a clone owned by %s; you are %s: only its owner extends it", req.Stack, orUnknown(stack.Tags[TagOwner]), id.ARN)}
	case stack.Tags[TagExpirySchedule] == "":
		return &SourceError{Msg: fmt.Sprintf("stack %s has no expiry schedule: its TTL is %s, so there is nothing to extend; a clone made after dbaf setup has one", req.Stack, NotEnforced)}
	case stack.Status != "CREATE_COMPLETE" && stack.Status != "UPDATE_COMPLETE":
		return &SourceError{Msg: fmt.Sprintf("stack %s is %s: extend a clone once it is ready", req.Stack, stack.Status)}
	}
	maxV, ok := stack.Tags[TagMaxExpiresAt]
	limit, perr := time.Parse(time.RFC3339, maxV)
	if !ok || perr != nil {
		return &SourceError{Msg: fmt.Sprintf("stack %s has no valid %s tag (it was made before dbaf extend, or from an artifact without clone_ttl): dbaf cannot tell how far it may live; dbaf reset makes it anew with one", req.Stack, TagMaxExpiresAt)}
	}
	at := now().Add(req.TTL).UTC().Truncate(time.Second)
	if at.After(limit) {
		return &SourceError{Msg: fmt.Sprintf("extending %s by %s would expire it at %s, past its maximum %s (its creation plus the artifact's clone_ttl): give %s or less",
			req.Stack, req.TTL, at.Format(time.RFC3339), limit.UTC().Format(time.RFC3339), limit.Sub(now()).Truncate(time.Minute))}
	}
	body, err := s.GetTemplate(ctx, stack.ID)
	if err != nil {
		return err
	}
	tmpl, err := withScheduleAt(body, at)
	if err != nil {
		return fmt.Errorf("stack %s: %w", req.Stack, err)
	}
	tags := make(map[string]string, len(stack.Tags))
	for k, v := range stack.Tags {
		tags[k] = v
	}
	tags[TagExpiresAt] = at.Format(time.RFC3339)
	known, err := s.StackEvents(ctx, stack.ID, "")
	if err != nil {
		return err
	}
	last := ""
	if len(known) > 0 {
		last = known[len(known)-1].ID
	}
	if err := s.UpdateStack(ctx, stack.ID, tmpl, tags); err != nil {
		return err
	}
	wctx, cancel := context.WithTimeout(ctx, extendBudget)
	defer cancel()
	w, err := watch(wctx, s, stack.ID, last, known, newPacer(req.PollInterval, 0, nil, nil), emit)
	if err != nil {
		return err
	}
	if w.final.Status != "UPDATE_COMPLETE" {
		resource, reason := RootCause(w.events)
		return fmt.Errorf("the update of stack %s ended %s: %s %s; if it rolled back, the clone keeps its old expiry: fix that cause and run dbaf extend again", req.Stack, w.final.Status, resource, reason)
	}
	emit(Extended{Stack: req.Stack, ExpiresAt: at, MaxExpiresAt: limit.UTC()})
	return nil
}

// withScheduleAt is a clone template with its one expiry schedule moved
// to at; nothing else changes.
func withScheduleAt(body []byte, at time.Time) ([]byte, error) {
	var tmpl map[string]any
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	if err := d.Decode(&tmpl); err != nil {
		return nil, fmt.Errorf("its template is not JSON: %w", err)
	}
	resources, _ := tmpl["Resources"].(map[string]any)
	n := 0
	for _, r := range resources {
		r, _ := r.(map[string]any)
		if r["Type"] != "AWS::Scheduler::Schedule" {
			continue
		}
		props, ok := r["Properties"].(map[string]any)
		if !ok {
			return nil, errors.New("its schedule has no Properties")
		}
		props["ScheduleExpression"] = ScheduleExpression(at)
		n++
	}
	if n != 1 {
		return nil, fmt.Errorf("its template holds %d schedules, not the one dbaf makes", n)
	}
	return encodeTemplate(tmpl)
}
