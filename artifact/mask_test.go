package artifact

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dbaf/dbaf/aws"
	"github.com/dbaf/dbaf/db"
)

// trace records, in order, what a clone did with which password.
type trace struct {
	mu    sync.Mutex
	steps []string
}

func (t *trace) add(s string) { t.mu.Lock(); t.steps = append(t.steps, s); t.mu.Unlock() }

// tracedStacks is fakeStacks recording each password reset in a trace.
type tracedStacks struct {
	*fakeStacks
	tr *trace
}

func (s tracedStacks) ResetMasterPassword(ctx context.Context, id, pw string) error {
	s.tr.add("reset " + pw)
	return s.fakeStacks.ResetMasterPassword(ctx, id, pw)
}

// fakeMasker records its calls and fails as told; its errors echo the
// password, as a careless driver might, to prove dbaf scrubs it.
type fakeMasker struct {
	tr      *trace
	maskErr bool
	hookErr bool
	block   chan struct{} // when set, Mask waits on it or ctx
}

func (m *fakeMasker) Mask(ctx context.Context, t db.Target, rules []db.Rule, o db.MaskOptions) ([]db.TableProgress, error) {
	m.tr.add(fmt.Sprintf("mask %d rules as %s with %s", len(rules), t.User, t.Password))
	if m.block != nil {
		select {
		case <-m.block:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if len(o.Key) != 0 {
		return nil, errors.New("a key was passed: the key must be fresh per clone")
	}
	if m.maskErr {
		return nil, &db.RulesError{Problems: []string{"legacy.customers.nope: column nope does not exist in legacy.customers (password " + t.Password + ")"}}
	}
	var out []db.TableProgress
	for _, tb := range []string{"customers", "payments"} {
		p := db.TableProgress{Schema: "legacy", Table: tb, Columns: 1}
		o.Progress(p)
		p.Done, p.Rows, p.Elapsed = true, 20000, 1500*time.Millisecond
		o.Progress(p)
		out = append(out, p)
	}
	return out, nil
}

func (m *fakeMasker) RunHooks(_ context.Context, t db.Target, hooks []db.Hook, o db.HookOptions) error {
	for _, h := range hooks {
		o.Started(h)
		m.tr.add("hook " + h.Name + " with " + t.Password)
		if m.hookErr {
			return &db.HookError{Hook: h.Name, Line: 3, Err: errors.New(`ERROR: relation "nope" does not exist (SQLSTATE 42P01) ` + t.Password)}
		}
		o.Done(h, 40*time.Millisecond)
	}
	return nil
}

func maskingArtifact() *Artifact {
	a := testArtifact()
	a.Masking = []MaskRule{{Column: "legacy.customers.email", Strategy: "email"}, {Column: "legacy.payments.iban", Strategy: "hash"}}
	a.Hooks = []Hook{{Name: "hooks/01-users.sql", SQL: "UPDATE legacy.customers SET phone = NULL;"}, {Name: "hooks/02-grants.sql", SQL: "SELECT 1;"}}
	return a
}

// maskingSetup is a fake account in which a masking clone succeeds unless
// told otherwise.
func maskingSetup(t *testing.T) (*fakeStacks, tracedStacks, *trace, CloneRequest) {
	t.Helper()
	f := newFakeStacks()
	f.batches = successBatches()
	f.completeClone(StackName(fixedNow()))
	f.onDelete = [][]aws.StackEvent{{stackEv("d1", "DELETE_IN_PROGRESS", "User Initiated")}, {stackEv("d2", "DELETE_COMPLETE", "")}}
	tr := &trace{}
	login := func(ctx context.Context, tg db.Target) (*db.Summary, error) {
		tr.add("login with " + tg.Password)
		return loggedIn(ctx, tg)
	}
	req := CloneRequest{Artifact: maskingArtifact(), Login: login, Masker: &fakeMasker{tr: tr}, Password: "dev-Pass-123",
		PollInterval: time.Millisecond, Now: fixedNow, Clock: &fakeClock{}}
	return f, tracedStacks{f, tr}, tr, req
}

// tempOf is the temporary password: the first one set.
func tempOf(t *testing.T, tr *trace) string {
	t.Helper()
	if len(tr.steps) == 0 || !strings.HasPrefix(tr.steps[0], "reset ") {
		t.Fatalf("the first step is not a password reset: %q", tr.steps)
	}
	temp := strings.TrimPrefix(tr.steps[0], "reset ")
	if temp == "dev-Pass-123" || len(temp) < 20 {
		t.Fatalf("first password %q: want a long random temporary one", temp)
	}
	return temp
}

// noSecret fails when secret is in any event (Go or JSON form) or in err.
func noSecret(t *testing.T, secret string, evs []Event, err error) {
	t.Helper()
	for _, e := range evs {
		b, _ := json.Marshal(e)
		if strings.Contains(fmt.Sprintf("%#v", e), secret) || strings.Contains(string(b), secret) {
			t.Errorf("the temporary password is in event %s: %s", Kind(e), b)
		}
	}
	if err != nil && strings.Contains(err.Error(), secret) {
		t.Errorf("the temporary password is in the error: %v", err)
	}
}

// maskedUnder is the masking phase's trace under the temporary password.
func maskedUnder(temp string) []string {
	return []string{
		"reset " + temp,
		"login with " + temp,
		"mask 2 rules as postgres with " + temp,
		"hook hooks/01-users.sql with " + temp,
		"hook hooks/02-grants.sql with " + temp,
	}
}

func runMasking(t *testing.T, s Stacks, f *fakeStacks, req CloneRequest) ([]Event, *CloneReady, error) {
	t.Helper()
	evs, emit := collect()
	ready, err := Clone(context.Background(), req, s, f.withOutputs(emit))
	return *evs, ready, err
}

func TestCloneMasksBeforeTheDevelopersPassword(t *testing.T) {
	f, s, tr, req := maskingSetup(t)
	evs, ready, err := runMasking(t, s, f, req)
	if err != nil {
		t.Fatal(err)
	}
	temp := tempOf(t, tr)
	want := append(maskedUnder(temp), "reset dev-Pass-123", "login with dev-Pass-123")
	if strings.Join(tr.steps, "\n") != strings.Join(want, "\n") {
		t.Errorf("steps:\n%s\nwant:\n%s", strings.Join(tr.steps, "\n"), strings.Join(want, "\n"))
	}
	noSecret(t, temp, evs, err)
	if ready.Password != "" || !ready.PasswordReset {
		t.Errorf("ready = %+v", ready)
	}

	var phases, progress []string
	for _, e := range evs {
		switch e := e.(type) {
		case Phase:
			phases = append(phases, e.Phase.String())
		case MaskTableStarted:
			progress = append(progress, "start "+e.Table)
		case MaskTableDone:
			progress = append(progress, fmt.Sprintf("done %s %d %s", e.Table, e.Rows, e.Elapsed))
		case HookDone:
			progress = append(progress, fmt.Sprintf("hook %s %s", e.Hook, e.Elapsed))
		}
	}
	if got := strings.Join(phases, ","); got != "creating stack,masking,resetting password,waiting for the cluster,logging in,ready" {
		t.Errorf("phases = %s", got)
	}
	wantProgress := "start legacy.customers,done legacy.customers 20000 1.5s,start legacy.payments,done legacy.payments 20000 1.5s," +
		"hook hooks/01-users.sql 40ms,hook hooks/02-grants.sql 40ms"
	if got := strings.Join(progress, ","); got != wantProgress {
		t.Errorf("masking events = %s\nwant %s", got, wantProgress)
	}
	tags := f.clusters[ready.ClusterID].Tags
	if tags[TagMaskingStartedAt] == "" || tags[TagMaskedAt] == "" || tags[TagPasswordResetAt] == "" {
		t.Errorf("cluster tags = %v; want masking started, masked and password reset recorded", tags)
	}
	if len(f.deleted) != 0 {
		t.Errorf("a masked clone was deleted: %v", f.deleted)
	}
}

func TestCloneMaskingFailureTearsDown(t *testing.T) {
	for _, tc := range []struct {
		name   string
		masker func(*trace) *fakeMasker
		want   []string // in the error and the final event's reason
	}{
		{"missing column", func(tr *trace) *fakeMasker { return &fakeMasker{tr: tr, maskErr: true} },
			[]string{"masking failed", "legacy.customers.nope", "column nope does not exist"}},
		{"failing hook", func(tr *trace) *fakeMasker { return &fakeMasker{tr: tr, hookErr: true} },
			[]string{"post-clone hook failed", "hooks/01-users.sql:3", `relation "nope" does not exist`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, s, tr, req := maskingSetup(t)
			req.Masker = tc.masker(tr)
			evs, ready, err := runMasking(t, s, f, req)
			var ce *CloneError
			if ready != nil || !errors.As(err, &ce) {
				t.Fatalf("ready %v, err %v; want a CloneError", ready, err)
			}
			temp := tempOf(t, tr)
			noSecret(t, temp, evs, err)
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) || !strings.Contains(ce.Failed.Reason, w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
			for _, st := range tr.steps {
				if strings.Contains(st, "dev-Pass-123") {
					t.Errorf("the developer's password was set on an unmasked clone: %q", tr.steps)
				}
			}
			if len(f.deleted) != 1 {
				t.Errorf("deleted = %v; want the clone torn down", f.deleted)
			}
			last, ok := evs[len(evs)-1].(CloneFailed)
			if !ok || last.Kept || !strings.Contains(last.Cleanup, "torn down") || last.Publisher != "dataops@example.com" {
				t.Errorf("final event %#v", evs[len(evs)-1])
			}
			finals := 0
			for _, e := range evs {
				switch e.(type) {
				case CloneFailed, CloneReady, CloneInterrupted, TornDown, TeardownFailed:
					finals++
				}
			}
			if finals != 1 {
				t.Errorf("%d final events; want one", finals)
			}
		})
	}
}

func TestCloneMaskingFailureKeptOnRequest(t *testing.T) {
	f, s, tr, req := maskingSetup(t)
	req.Masker = &fakeMasker{tr: tr, hookErr: true}
	req.KeepOnFailure = true
	evs, _, err := runMasking(t, s, f, req)
	var ce *CloneError
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v", err)
	}
	temp := tempOf(t, tr)
	noSecret(t, temp, evs, err)
	if len(f.deleted) != 0 {
		t.Errorf("deleted %v despite --keep-on-failure", f.deleted)
	}
	fl := ce.Failed
	if !fl.Kept || fl.State != StateMaskFailed || fl.Resume != "" || fl.Teardown != euCmds.Teardown(fl.Stack) {
		t.Errorf("failed = %+v", fl)
	}
	for _, w := range []string{"UNMASKED", "temporary one dbaf never shows", "aws rds modify-db-cluster --db-cluster-identifier " + fl.Stack, "--apply-immediately", euCmds.Teardown(fl.Stack)} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error lacks %q:\n%v", w, err)
		}
	}
}

func TestCloneFollowingAMaskedClone(t *testing.T) {
	f, s, tr, req := maskingSetup(t)
	if _, _, err := runMasking(t, s, f, req); err != nil {
		t.Fatal(err)
	}
	// Follow it: the stack is CREATE_COMPLETE, the cluster tagged masked.
	tr.steps = nil
	req.Name = StackName(fixedNow())
	req.ResetPassword = true
	evs, ready, err := runMasking(t, s, f, req)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(tr.steps, ","); got != "reset dev-Pass-123,login with dev-Pass-123" {
		t.Errorf("steps = %s; want no second masking", got)
	}
	for _, e := range evs {
		if _, ok := e.(MaskTableStarted); ok {
			t.Error("masked twice")
		}
	}
	if ready == nil {
		t.Fatal("not ready")
	}
}

func TestCloneRefusesAnUnfinishedMasking(t *testing.T) {
	f, s, tr, req := maskingSetup(t)
	name := StackName(fixedNow())
	f.stacks[name] = &aws.Stack{Name: name, ID: stackID, Status: "CREATE_COMPLETE", Tags: StackTags(req.Artifact, "arn:aws:iam::123456789012:user/dev", fixedNow()),
		Outputs: map[string]string{"Endpoint": "e", "Port": "5432", "ClusterId": name}}
	// Started two hours ago, no sign of life since: that run died.
	f.clusters[name].Tags = map[string]string{TagMaskingStartedAt: "2026-11-24T23:02:03Z"}
	req.Name = name
	evs, _, err := runMasking(t, s, f, req)
	var ce *CloneError
	if !errors.As(err, &ce) || ce.Failed.State != StateMaskFailed || !ce.Failed.Kept || ce.Failed.Resume != "" {
		t.Fatalf("err = %v", err)
	}
	for _, w := range []string{"2026-11-24T23:02:03Z", "may be unmasked", euCmds.Teardown(name)} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error lacks %q:\n%v", w, err)
		}
	}
	if strings.Contains(err.Error(), euCmds.Resume(name)+"\n") || len(tr.steps) != 0 {
		t.Errorf("steps %q; error %v: want nothing done and no resume offered", tr.steps, err)
	}
	if _, ok := evs[len(evs)-1].(CloneFailed); !ok {
		t.Errorf("final event %#v", evs[len(evs)-1])
	}
}

func TestCloneInterruptedWhileMasking(t *testing.T) {
	f, s, tr, req := maskingSetup(t)
	block := make(chan struct{})
	req.Masker = &fakeMasker{tr: tr, block: block}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	evs, emit := collect()
	wrapped := func(e Event) {
		if p, ok := e.(Progress); ok && strings.HasPrefix(p.Line, "masking ") {
			cancel() // Mask blocks until the context ends
		}
		emit(e)
	}
	_, err := Clone(ctx, req, s, f.withOutputs(wrapped))
	var ie *InterruptedError
	if !errors.As(err, &ie) || ie.State != StateMasking {
		t.Fatalf("err = %v; want interrupted while masking", err)
	}
	if strings.Contains(err.Error(), "resume:") || !strings.Contains(err.Error(), euCmds.Teardown(ie.Stack)) {
		t.Errorf("error %v: want teardown only", err)
	}
	last, ok := (*evs)[len(*evs)-1].(CloneInterrupted)
	if !ok || last.Resume != "" || last.State != StateMasking {
		t.Errorf("final event %#v", (*evs)[len(*evs)-1])
	}
	noSecret(t, tempOf(t, tr), *evs, err)
}

func TestCloneRefusesABadMaskingRuleBeforeCreating(t *testing.T) {
	f, s, _, req := maskingSetup(t)
	req.Artifact.Masking = append(req.Artifact.Masking, MaskRule{Column: "customers.email", Strategy: "email"})
	_, _, err := runMasking(t, s, f, req)
	var se *SourceError
	if !errors.As(err, &se) || !strings.Contains(err.Error(), `"customers.email"`) || !strings.Contains(err.Error(), "schema.table.column") {
		t.Fatalf("err = %v", err)
	}
	req.Artifact.Masking = []MaskRule{{Column: "legacy.customers.email", Strategy: "shuffle"}}
	if _, _, err = runMasking(t, s, f, req); !errors.As(err, &se) || !strings.Contains(err.Error(), "shuffle") {
		t.Fatalf("err = %v", err)
	}
	if len(f.created) != 0 {
		t.Errorf("created %d stacks", len(f.created))
	}
}
