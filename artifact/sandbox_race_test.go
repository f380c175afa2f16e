package artifact_test

// Races against the in-process sandbox: a teardown by someone else while a
// clone is masked or logged in to, and several runs making one clone at once.

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dbaf/dbaf/artifact"
	"github.com/dbaf/dbaf/db"
)

// scriptedMasker masks nothing: onMask runs inside Mask, as the masking
// of a real clone would be under way.
type scriptedMasker struct {
	mu     sync.Mutex
	masks  int
	onMask func(ctx context.Context)
}

func (m *scriptedMasker) Mask(ctx context.Context, _ db.Target, _ []db.Rule, _ db.MaskOptions) ([]db.TableProgress, error) {
	m.mu.Lock()
	m.masks++
	m.mu.Unlock()
	if m.onMask != nil {
		m.onMask(ctx)
	}
	return nil, ctx.Err()
}

func (m *scriptedMasker) RunHooks(context.Context, db.Target, []db.Hook, db.HookOptions) error {
	return nil
}

func loginOK(context.Context, db.Target) (*db.Summary, error) {
	return &db.Summary{Reachable: true, ServerVersion: "16", Database: "postgres"}, nil
}

// finalOf is the one final event of a stream; it fails the test unless
// there is exactly one, last.
func finalOf(t *testing.T, evs []artifact.Event) artifact.Event {
	t.Helper()
	n := 0
	for _, e := range evs {
		if artifact.IsFinal(e) {
			n++
		}
	}
	if n != 1 || !artifact.IsFinal(evs[len(evs)-1]) {
		t.Fatalf("%d final events in %d; want one, last", n, len(evs))
	}
	return evs[len(evs)-1]
}

func TestCloneTornDownByOthersWhileMaskingOrLoggingIn(t *testing.T) {
	t.Parallel()
	c, _ := sandboxClient(t, 0.05)
	a := resolveProd(t, c)
	a.Masking = []artifact.MaskRule{{Column: "legacy.customers.email", Strategy: "email"}}
	// Someone else's teardown, as the clone reaches the step: DeleteStack
	// through the real API, returning once CloudFormation says so.
	teardownBySomeoneElse := func(t *testing.T, name string) {
		if err := c.DeleteStack(context.Background(), name); err != nil {
			t.Error(err)
		}
		if st, err := c.DescribeStack(context.Background(), name); err != nil || !strings.HasPrefix(st.Status, "DELETE_") {
			t.Errorf("after DeleteStack: %+v, %v", st, err)
		}
	}
	for _, tc := range []struct {
		name   string
		masker func(t *testing.T, stack string) *scriptedMasker
		login  func(t *testing.T, stack string) artifact.LoginChecker
	}{
		{name: "masking", masker: func(t *testing.T, stack string) *scriptedMasker {
			return &scriptedMasker{onMask: func(context.Context) { teardownBySomeoneElse(t, stack) }}
		}},
		{name: "logging in", login: func(t *testing.T, stack string) artifact.LoginChecker {
			return func(ctx context.Context, tg db.Target) (*db.Summary, error) {
				if tg.Password == "dev-Secret-123" { // the handover's login, not the masking's
					teardownBySomeoneElse(t, stack)
				}
				return loginOK(ctx, tg)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			stack := "td-" + strings.ReplaceAll(tc.name, " ", "-")
			req := artifact.CloneRequest{Artifact: a, Name: stack, Password: "dev-Secret-123", PollInterval: 100 * time.Millisecond,
				Masker: &scriptedMasker{}, Login: loginOK}
			if tc.masker != nil {
				req.Masker = tc.masker(t, stack)
			}
			if tc.login != nil {
				req.Login = tc.login(t, stack)
			}
			var tl timeline
			ready, err := artifact.Clone(context.Background(), req, c, tl.emit)
			var ce *artifact.CloneError
			if !errors.As(err, &ce) || ready != nil || !strings.Contains(err.Error(), "torn down by someone else") {
				t.Fatalf("ready %+v, err = %v; want a failed clone torn down by someone else", ready, err)
			}
			f, ok := finalOf(t, tl.events).(artifact.CloneFailed)
			if !ok || f.Kept || f.Teardown != "" || !strings.Contains(f.Reason, "torn down by someone else") {
				t.Errorf("final event %#v", tl.events[len(tl.events)-1])
			}
			for _, e := range tl.events {
				if p, ok := e.(artifact.Phase); ok && p.Phase == artifact.PhaseReady {
					t.Error("the clone said it was ready")
				}
			}
		})
	}
}

// TestConcurrentClonesOfOneMaskedName: eight runs make one masked clone
// under one name at once. One creates and masks it; the seven others wait
// for it and hand over the same clone, with no false "did not finish".
func TestConcurrentClonesOfOneMaskedName(t *testing.T) {
	t.Parallel()
	c, sb := sandboxClient(t, 0.05)
	a := resolveProd(t, c)
	a.Masking = []artifact.MaskRule{{Column: "legacy.customers.email", Strategy: "email"}}
	const runs = 8
	waiting := make(chan struct{}, runs)
	masker := &scriptedMasker{onMask: func(ctx context.Context) {
		// Mask only once every other run waits for this one.
		for range runs - 1 {
			select {
			case <-waiting:
			case <-ctx.Done():
				return
			case <-time.After(2 * time.Minute): // a bound on a broken run, not a pace
				t.Error("the other runs did not all wait for the masking run")
				return
			}
		}
	}}
	type result struct {
		ready *artifact.CloneReady
		err   error
		evs   []artifact.Event
	}
	results := make([]result, runs)
	var wg sync.WaitGroup
	for i := range runs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var tl timeline
			said := false
			emit := func(e artifact.Event) {
				if p, ok := e.(artifact.Progress); ok && !said && p.Step == string(artifact.PhaseMasking) &&
					(strings.Contains(p.Line, "another dbaf run") || strings.Contains(p.Line, "waiting for the dbaf run")) {
					said = true
					waiting <- struct{}{}
				}
				tl.emit(e)
			}
			req := artifact.CloneRequest{Artifact: a, Name: "same", Password: "dev-Secret-123", PollInterval: 100 * time.Millisecond,
				Masker: masker, Login: loginOK}
			ready, err := artifact.Clone(context.Background(), req, c, emit)
			results[i] = result{ready, err, tl.events}
		}()
	}
	wg.Wait()
	endpoint, followers := "", 0
	for i, r := range results {
		if r.err != nil {
			t.Errorf("run %d: %v", i, r.err)
			continue
		}
		if _, ok := finalOf(t, r.evs).(artifact.CloneReady); !ok {
			t.Errorf("run %d ended with %#v", i, r.evs[len(r.evs)-1])
		}
		if endpoint == "" {
			endpoint = r.ready.Endpoint
		}
		if r.ready.Endpoint != endpoint || r.ready.Stack != "same" {
			t.Errorf("run %d: ready %+v; want stack same at %s", i, r.ready, endpoint)
		}
		for _, e := range r.evs {
			if s, ok := e.(artifact.CloneStarted); ok && s.Attached {
				followers++
			}
		}
	}
	if masker.masks != 1 || followers != runs-1 {
		t.Errorf("%d maskings, %d followers; want 1 and %d", masker.masks, followers, runs-1)
	}
	// The temporary password and the developer's: the followers set none.
	if n := sb.Calls()["rds:ModifyDBCluster"]; n != 2 {
		t.Errorf("%d password resets; want 2", n)
	}
	stacks, err := c.ListStacks(context.Background())
	if err != nil || len(stacks) != 1 {
		t.Errorf("stacks %+v, %v; want one", stacks, err)
	}
}
