package artifact

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/dbaf/dbaf/aws"
)

// TeardownRequest is one stack to delete.
type TeardownRequest struct {
	Stack          string
	Force          bool // delete even a stack dbaf did not create
	PollInterval   time.Duration
	ThrottleBudget time.Duration // 0 = DefaultThrottleBudget
	Clock          Clock         // what the watch waits on; nil = real time
	Rand           Rand          // jitter of the waits; nil = freshly seeded
	Commands       Commands      // spells the teardown line an error repeats
}

// Teardown deletes a clone's stack, reports its events, and returns once the
// stack is gone. It refuses stacks dbaf did not create unless forced. The
// stream ends with one final event: TornDown or TeardownFailed.
func Teardown(ctx context.Context, req TeardownRequest, s Stacks, emit Emit) error {
	st := NewStream(emit)
	return st.End(teardown(ctx, req, s, st.Emit), func(err error) Event { return TeardownFinal(req.Stack, err) })
}

// TeardownFinal is the final event of a teardown of stack that failed with
// err.
func TeardownFinal(stack string, err error) Event {
	return TeardownFailed{Stack: stack, Reason: err.Error()}
}

func teardown(ctx context.Context, req TeardownRequest, s Stacks, emit Emit) error {
	cmds := req.Commands.In(s.Region())
	stack, err := s.DescribeStack(ctx, req.Stack)
	var awsErr *aws.Error
	if errors.As(err, &awsErr) && awsErr.Kind == aws.NotFound || err == nil && stack.Status == "DELETE_COMPLETE" {
		return &SourceError{Msg: fmt.Sprintf("no stack %s in %s: nothing to tear down (dbaf list shows the clones there)", req.Stack, s.Region())}
	}
	if err != nil {
		return err
	}
	if !IsDbafStack(stack.Tags) && !req.Force {
		return &SourceError{Msg: fmt.Sprintf("stack %s was not created by dbaf (it has no %s tag): refusing to delete it; pass --force if you are sure", req.Stack, TagManagedBy)}
	}

	// Only events after this point belong to the teardown.
	before, err := s.StackEvents(ctx, stack.ID, "")
	if err != nil {
		return err
	}
	last := ""
	if len(before) > 0 {
		last = before[len(before)-1].ID
	}
	emit(TeardownStarted{Stack: stack.Name, StackID: stack.ID, Source: stack.Tags[TagSourceCluster], Region: s.Region(), Resources: resourcesOf(ctx, s, stack.ID)})
	emit(Phase{Phase: PhaseDeleting})
	if err := s.DeleteStack(ctx, stack.ID); err != nil {
		return err
	}
	res, err := watch(ctx, s, stack.ID, last, before, newPacer(req.PollInterval, req.ThrottleBudget, req.Clock, req.Rand), emit)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("interrupted: CloudFormation goes on deleting %s; check with: dbaf list: %w", stack.Name, context.Canceled)
		}
		var tb *ThrottleBudgetError
		if errors.As(err, &tb) {
			tb.Stack = stack.Name
			tb.Resume = cmds.Teardown(stack.Name)
		}
		return err
	}
	if res.final.Status != "DELETE_COMPLETE" {
		resource, reason := RootCause(res.events)
		return fmt.Errorf("stack %s could not be deleted (%s): %s %s; fix that and run %s again",
			stack.Name, res.final.Status, resource, reason, cmds.Teardown(stack.Name))
	}
	emit(TornDown{Stack: stack.Name})
	return nil
}

// resourcesOf lists a stack's resources for the view, best effort: a
// teardown goes on without them.
func resourcesOf(ctx context.Context, s Stacks, stackID string) []ResourceInfo {
	rs, err := s.StackResources(ctx, stackID)
	if err != nil {
		return nil
	}
	out := make([]ResourceInfo, 0, len(rs))
	for _, r := range rs {
		out = append(out, ResourceInfo{LogicalID: r.LogicalID, Type: r.Type, Label: r.Type})
	}
	return out
}

// Clone is one dbaf clone, as listed.
type CloneInfo struct {
	Stack     string     `json:"stack"`
	Source    string     `json:"source"`
	Image     string     `json:"image,omitempty"`
	Owner     string     `json:"owner"`
	Created   time.Time  `json:"created"`
	Age       string     `json:"age"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
	Expired   bool       `json:"expired"`
	// Enforced: AWS deletes the clone at ExpiresAt (its stack holds the
	// expiry schedule dbaf setup's role runs); false: only a tag.
	Enforced bool `json:"enforced"`
	// ScheduleError says why the expiry schedule could not be read;
	// ExpiresAt is then the stack's tag.
	ScheduleError string `json:"schedule_error,omitempty"`
	// ExpiresIn is the time left until ExpiresAt, when it has not passed.
	ExpiresIn time.Duration `json:"-"`
	Status    string        `json:"status"`
	Endpoint  string        `json:"endpoint,omitempty"`
	// Restore is how the clone was made: RestoreCopyOnWrite,
	// RestoreFullCopy or RestoreSnapshot, as its stack's TagRestore says;
	// "" when that is not known.
	Restore string `json:"restore,omitempty"`
}

// SoonWindow is how close to its expiry a clone is marked.
const SoonWindow = time.Hour

// ExpiresSoon is the one rule for marking a clone that has left until
// its expiry: within SoonWindow, and not expired yet.
func ExpiresSoon(left time.Duration) bool { return left > 0 && left <= SoonWindow }

// ExpiryMark marks a clone within SoonWindow of its expiry ("⚠ in 42m");
// "" otherwise.
func ExpiryMark(c CloneInfo) string {
	if c.ExpiresAt == nil || c.Expired || !ExpiresSoon(c.ExpiresIn) {
		return ""
	}
	return "⚠ in " + Remaining(c.ExpiresIn)
}

// List returns the clones dbaf made in the region, oldest first, each with
// its restore kind (one more list call when a stack predates TagRestore).
func List(ctx context.Context, s Stacks, now time.Time) ([]CloneInfo, error) {
	stacks, err := s.ListStacks(ctx)
	if err != nil {
		return nil, err
	}
	out := []CloneInfo{}              // an empty list, not null, in JSON
	clusterIDs := map[string]string{} // by stack
	for _, st := range stacks {
		if !IsDbafStack(st.Tags) || st.Status == "DELETE_COMPLETE" {
			continue
		}
		created := st.Created
		if t, err := time.Parse(time.RFC3339, st.Tags[TagCreatedAt]); err == nil {
			created = t
		}
		c := CloneInfo{Stack: st.Name, Source: st.Tags[TagSourceCluster], Image: st.Tags[TagArtifactImage], Owner: st.Tags[TagOwner],
			Created: created, Age: Age(now.Sub(created)), Status: st.Status, Endpoint: st.Outputs["Endpoint"], Restore: st.Tags[TagRestore]}
		clusterIDs[st.Name] = cmp.Or(st.Outputs["ClusterId"], st.Name) // the stack name is the clone's cluster id
		if t, ok := ExpiresAt(st.Tags); ok {
			c.ExpiresAt = &t
			c.Expired = !now.Before(t)
			c.Enforced = st.Tags[TagExpirySchedule] != ""
		}
		if name := st.Tags[TagExpirySchedule]; name != "" {
			// The schedule is what AWS runs; the tag is only dbaf's note of it.
			if at, err := s.ScheduleTime(ctx, name); err != nil {
				c.ScheduleError = "schedule not readable: " + err.Error()
			} else {
				c.ExpiresAt, c.Expired = &at, !now.Before(at)
			}
		}
		if c.ExpiresAt != nil && !c.Expired {
			c.ExpiresIn = c.ExpiresAt.Sub(now)
		}
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Created.Before(out[j].Created) })
	restoreKinds(ctx, s, out, clusterIDs)
	return out, nil
}

// restoreKinds fills in the restore kind of clones whose stacks predate
// TagRestore, from one list of the region's clusters: a clone outside its
// source's clone group cannot share its storage, a full copy; one inside
// it may be either (every point-in-time restore inherits the group), and
// stays unknown. The list is best effort: without it the kinds stay
// unknown and the clones are listed all the same.
func restoreKinds(ctx context.Context, s Stacks, clones []CloneInfo, clusterIDs map[string]string) {
	untagged := slices.ContainsFunc(clones, func(c CloneInfo) bool { return c.Restore == "" })
	if !untagged {
		return
	}
	clusters, err := s.Clusters(ctx)
	if err != nil {
		return
	}
	groups := make(map[string]string, len(clusters))
	for _, c := range clusters {
		groups[c.ID] = c.CloneGroupID
	}
	for i := range clones {
		src, srcOK := groups[clones[i].Source]
		clone, cloneOK := groups[clusterIDs[clones[i].Stack]]
		if clones[i].Restore == "" && srcOK && cloneOK && (src == "" || src != clone) {
			clones[i].Restore = RestoreFullCopy
		}
	}
}

// TeardownExpired tears down every dbaf clone whose TTL has passed, one
// after another, as one operation: each stack's teardown reports its
// events (TeardownStarted, its stack events, a progress line when it is
// gone, a warning when it could not be deleted), and the stream ends with
// one TeardownFinished naming what was removed (TeardownFailed when the
// clones could not be listed, or an interrupt stopped it). It returns the
// stacks it removed, and the failures joined.
func TeardownExpired(ctx context.Context, s Stacks, now time.Time, poll time.Duration, emit Emit) ([]string, error) {
	st := NewStream(emit)
	var stack string // the one being torn down, for an interrupt's final event
	done, err := teardownExpired(ctx, s, now, poll, &stack, st.Emit)
	return done, st.End(err, func(err error) Event { return TeardownFinal(stack, err) })
}

func teardownExpired(ctx context.Context, s Stacks, now time.Time, poll time.Duration, current *string, emit Emit) ([]string, error) {
	clones, err := List(ctx, s, now)
	if err != nil {
		return nil, err
	}
	done := []string{} // an empty list, not null, in JSON
	var failed []TeardownFailed
	var errs []error
	for _, c := range clones {
		if !c.Expired || c.Status == "DELETE_IN_PROGRESS" {
			continue
		}
		*current = c.Stack
		// The stack's own teardown, without its final event: this
		// operation has one, at the end.
		if err := teardown(ctx, TeardownRequest{Stack: c.Stack, PollInterval: poll}, s, func(e Event) {
			if !IsFinal(e) {
				emit(e)
			}
		}); err != nil {
			if ctx.Err() != nil {
				return done, err
			}
			emit(Warning{Message: fmt.Sprintf("expired clone %s could not be torn down: %v", c.Stack, err)})
			failed = append(failed, TeardownFailed{Stack: c.Stack, Reason: err.Error()})
			errs = append(errs, fmt.Errorf("%s: %w", c.Stack, err))
			continue
		}
		emit(Progress{Step: string(PhaseDeleting), Line: "expired clone " + c.Stack + " torn down"})
		done = append(done, c.Stack)
	}
	*current = ""
	emit(TeardownFinished{Count: len(done), Stacks: done, Failed: failed})
	return done, errors.Join(errs...)
}

// Age formats a duration the way people say it: 45s, 12m, 3h, 2d.
func Age(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	default:
		return fmt.Sprintf("%dd", int(d.Hours()/24))
	}
}

// Remaining formats a time left the way Age does, rounded to the unit it
// shows rather than truncated: a TTL of 3d read a minute later is "3d", not
// "2d".
func Remaining(d time.Duration) string {
	switch {
	case d >= 47*time.Hour+30*time.Minute:
		d = d.Round(24 * time.Hour)
	case d >= 59*time.Minute+30*time.Second:
		d = d.Round(time.Hour)
	case d >= 59*time.Second:
		d = d.Round(time.Minute)
	default:
		d = d.Round(time.Second)
	}
	return Age(d)
}
