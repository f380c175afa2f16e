package artifact

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/dbaf/dbaf/aws"
)

// leaderStacks is a masking clone another run created and is working on:
// at the follower's nth ClusterSummary call, step changes the cluster as
// that run would.
type leaderStacks struct {
	tracedStacks
	at    int
	step  func(c *aws.Cluster)
	calls int
}

func (l *leaderStacks) ClusterSummary(ctx context.Context, id string) (*aws.Cluster, error) {
	l.fakeStacks.mu.Lock()
	if c := l.fakeStacks.clusters[id]; c != nil && id != "prod" {
		l.calls++
		if l.calls == l.at && l.step != nil {
			l.step(c)
		}
	}
	l.fakeStacks.mu.Unlock()
	return l.fakeStacks.ClusterSummary(ctx, id)
}

// followerSetup is a masked clone made by another run of the same caller,
// CREATE_COMPLETE, with the cluster tagged as tags says.
func followerSetup(t *testing.T, tags map[string]string) (*fakeStacks, *leaderStacks, *trace, CloneRequest) {
	t.Helper()
	f, s, tr, req := maskingSetup(t)
	name := StackName(fixedNow())
	f.stacks[name] = &aws.Stack{Name: name, ID: stackID, Status: "CREATE_COMPLETE", Tags: StackTags(req.Artifact, me, fixedNow()),
		Outputs: map[string]string{"Endpoint": name + ".cluster-x", "Port": "5432", "ClusterId": name}}
	f.clusters[name].Tags = tags
	req.Name = name
	return f, &leaderStacks{tracedStacks: s}, tr, req
}

func progressLines(evs []Event) string {
	var b strings.Builder
	for _, e := range evs {
		if p, ok := e.(Progress); ok {
			b.WriteString(p.Line + "\n")
		}
	}
	return b.String()
}

func TestFollowerSharesTheMaskingRunsOutcome(t *testing.T) {
	// The other run started masking a moment ago; at the follower's fourth
	// look it has masked the clone and set its password.
	f, s, tr, req := followerSetup(t, map[string]string{TagMaskingStartedAt: "2026-11-25T00:59:30Z"})
	s.at, s.step = 4, func(c *aws.Cluster) {
		c.Tags = map[string]string{TagMaskingStartedAt: "2026-11-25T00:59:30Z", TagMaskedAt: "2026-11-25T01:00:00Z", TagPasswordResetAt: "2026-11-25T01:00:00Z"}
	}
	evs, ready, err := runMasking(t, s, f, req)
	if err != nil {
		t.Fatal(err)
	}
	if ready.Endpoint != req.Name+".cluster-x" || ready.PasswordReset {
		t.Errorf("ready = %+v; want the clone's endpoint, its password left as the masking run set it", ready)
	}
	if got := strings.Join(tr.steps, ","); got != "login with dev-Pass-123" {
		t.Errorf("steps = %s; want no masking and no password reset, only the login", got)
	}
	lines := progressLines(evs)
	for _, want := range []string{"being masked by another dbaf run since 2026-11-25T00:59:30Z", "masked by another run at 2026-11-25T01:00:00Z"} {
		if !strings.Contains(lines, want) {
			t.Errorf("progress lacks %q:\n%s", want, lines)
		}
	}
	if strings.Count(lines, "being masked by another") != 1 {
		t.Errorf("the wait is said more than once:\n%s", lines)
	}
	if finals(evs) != 1 {
		t.Errorf("%d final events", finals(evs))
	}
}

func TestFollowerWaitsBoundedForAMaskingRunThatIsAlive(t *testing.T) {
	f, s, tr, req := followerSetup(t, map[string]string{TagMaskingStartedAt: "2026-11-24T22:00:00Z", TagMaskingAliveAt: "2026-11-25T00:59:00Z"})
	req.LeaderWait = 20 * time.Millisecond
	evs, _, err := runMasking(t, s, f, req)
	var ce *CloneError
	if !errors.As(err, &ce) || ce.Failed.State != StateMaskedElsewhere || !ce.Failed.Kept {
		t.Fatalf("err = %v", err)
	}
	for _, want := range []string{"still masking this clone (since 2026-11-24T22:00:00Z)", "waited 20ms", euCmds.Resume(req.Name)} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if ce.Failed.Resume != euCmds.Resume(req.Name) || len(tr.steps) != 0 || len(f.deleted) != 0 {
		t.Errorf("failed %+v, steps %q, deleted %v: want a resume line and nothing done", ce.Failed, tr.steps, f.deleted)
	}
	if finals(evs) != 1 {
		t.Errorf("%d final events", finals(evs))
	}
}

func TestFollowerMasksWhenNoRunDoes(t *testing.T) {
	// The run that created the clone died before it began masking.
	f, s, tr, req := followerSetup(t, nil)
	req.LeaderWait = 10 * time.Millisecond
	evs, ready, err := runMasking(t, s, f, req)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(progressLines(evs), "no dbaf run is masking it: masking it here") || !ready.PasswordReset {
		t.Errorf("progress:\n%s\nready %+v", progressLines(evs), ready)
	}
	temp := tempOf(t, tr)
	want := append(maskedUnder(temp), "reset dev-Pass-123", "login with dev-Pass-123")
	if strings.Join(tr.steps, "\n") != strings.Join(want, "\n") {
		t.Errorf("steps:\n%s\nwant:\n%s", strings.Join(tr.steps, "\n"), strings.Join(want, "\n"))
	}
}

func TestFollowerOfAMaskingRunThatToreTheCloneDown(t *testing.T) {
	f, s, tr, req := followerSetup(t, map[string]string{TagMaskingStartedAt: "2026-11-25T00:59:30Z"})
	s.at, s.step = 3, func(c *aws.Cluster) { c.Status = "deleting" }
	evs, _, err := runMasking(t, s, f, req)
	var ce *CloneError
	if !errors.As(err, &ce) || ce.Failed.Kept || !strings.Contains(err.Error(), "torn down") || !strings.Contains(err.Error(), "another dbaf run was masking it") {
		t.Fatalf("err = %v", err)
	}
	if strings.Contains(err.Error(), "did not finish") || strings.Contains(err.Error(), "teardown:") || len(tr.steps) != 0 {
		t.Errorf("error %v, steps %q: want neither a false unfinished masking nor a teardown line", err, tr.steps)
	}
	if finals(evs) != 1 {
		t.Errorf("%d final events", finals(evs))
	}
}
