package cloudformation

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dbaf/dbaf/internal/sandbox/wire"
)

// fakeProvider records what the engine asks of it; a type of Test::Fail
// fails to create.
type fakeProvider struct {
	mu  sync.Mutex
	log []string
}

func (f *fakeProvider) record(s string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.log = append(f.log, s)
}

func (f *fakeProvider) calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.log)
}

func (f *fakeProvider) Schema(typ string) (Schema, bool) {
	switch typ {
	case "Test::Thing", "Test::Fail":
		return Schema{Properties: []string{"Name", "After"}, Attributes: []string{"Arn"}}, true
	case "AWS::Scheduler::Schedule":
		return Schema{Properties: []string{"Name", "ScheduleExpression"}}, true
	}
	return Schema{}, false
}

func (f *fakeProvider) ValidParameter(typ, value string) bool { return value != "missing" }

func (f *fakeProvider) Create(r Resource, props map[string]any) (*Created, error) {
	if r.Type == "Test::Fail" {
		f.record("fail " + r.LogicalID)
		return nil, errors.New("no capacity for " + r.LogicalID)
	}
	f.record(fmt.Sprintf("create %s after=%v", r.LogicalID, props["After"]))
	id := "phys-" + r.LogicalID
	return &Created{PhysicalID: id, Ref: id, Attrs: map[string]string{"Arn": "arn:" + id},
		Done: func(err error) { f.record(fmt.Sprintf("done %s %v", r.LogicalID, err)) }}, nil
}

func (f *fakeProvider) Delete(r Resource, snapshot bool) (*Deletion, error) {
	f.record(fmt.Sprintf("delete %s %s", r.LogicalID, r.PhysicalID))
	return &Deletion{Finish: func() { f.record("gone " + r.LogicalID) }}, nil
}

func (f *fakeProvider) Update(r Resource, props map[string]any) error {
	f.record(fmt.Sprintf("update %s %v", r.LogicalID, props["ScheduleExpression"]))
	return nil
}

func newTestEngine(t *testing.T) (*Engine, *fakeProvider) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	t.Cleanup(func() { cancel(); wg.Wait() })
	p := &fakeProvider{}
	e := New(ctx, p, Config{Region: "eu-west-1", Account: "123456789012", AZs: []string{"eu-west-1a"},
		Sleep: func(ctx context.Context, _ time.Duration) bool { return ctx.Err() == nil },
		Go: func(f func()) bool {
			wg.Add(1)
			go func() { defer wg.Done(); f() }()
			return true
		}})
	return e, p
}

func call(t *testing.T, e *Engine, action string, kv ...string) *wire.Call {
	t.Helper()
	q := url.Values{}
	for i := 0; i < len(kv); i += 2 {
		q.Set(kv[i], kv[i+1])
	}
	c := &wire.Call{Action: action, Params: wire.Params(q)}
	if err := e.Actions()[action](c); err != nil {
		t.Fatalf("%s: %v", action, err)
	}
	return c
}

// waitStatus waits, with a bound, for the stack (by name, or by id once
// deleted) to reach a final status.
func waitStatus(t *testing.T, e *Engine, name string, final ...string) *stack {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		e.mu.Lock()
		st := e.findStack(name)
		status, running := "", false
		if st != nil {
			status, running = st.status, st.op != nil
		}
		e.mu.Unlock()
		if slices.Contains(final, status) && !running {
			return st
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatalf("stack %s did not reach %v", name, final)
	return nil
}

func events(e *Engine, st *stack) []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []string
	for _, ev := range st.events {
		out = append(out, ev.logicalID+" "+ev.status)
	}
	return out
}

// order checks that each line appears in evs, in this order.
func order(t *testing.T, evs []string, lines ...string) {
	t.Helper()
	last := -1
	for _, l := range lines {
		i := slices.Index(evs, l)
		if i < 0 || i < last {
			t.Fatalf("want %q after position %d in\n%v", l, last, evs)
		}
		last = i
	}
}

const chain = `{"Resources": {
  "C": {"Type": "Test::Thing", "Properties": {"After": {"Fn::GetAtt": ["B", "Arn"]}}},
  "B": {"Type": "Test::Thing", "Properties": {"After": {"Ref": "A"}}},
  "A": {"Type": "Test::Thing", "DependsOn": []}
 },
 "Outputs": {"Last": {"Value": {"Ref": "C"}}}}`

func TestEngineOrdersCreatesAndDeletesInReverse(t *testing.T) {
	e, p := newTestEngine(t)
	call(t, e, "CreateStack", "StackName", "s1", "TemplateBody", chain)
	st := waitStatus(t, e, "s1", "CREATE_COMPLETE", "CREATE_FAILED", "ROLLBACK_COMPLETE")
	if st.status != "CREATE_COMPLETE" {
		t.Fatalf("status %s %s", st.status, st.reason)
	}
	got := p.calls()
	want := []string{"create A after=<nil>", "done A <nil>", "create B after=phys-A", "done B <nil>", "create C after=arn:phys-B", "done C <nil>"}
	if !slices.Equal(got, want) {
		t.Fatalf("provider calls %v, want %v", got, want)
	}
	if len(st.outputs) != 1 || st.outputs[0].value != "phys-C" {
		t.Errorf("outputs %+v", st.outputs)
	}
	evs := events(e, st)
	order(t, evs, "s1 CREATE_IN_PROGRESS", "A CREATE_IN_PROGRESS", "A CREATE_COMPLETE", "B CREATE_COMPLETE", "C CREATE_COMPLETE", "s1 CREATE_COMPLETE")

	call(t, e, "DeleteStack", "StackName", "s1")
	st = waitStatus(t, e, st.id, "DELETE_COMPLETE", "DELETE_FAILED")
	if st.status != "DELETE_COMPLETE" {
		t.Fatalf("status %s %s", st.status, st.reason)
	}
	got = p.calls()[len(want):]
	want = []string{"delete C phys-C", "gone C", "delete B phys-B", "gone B", "delete A phys-A", "gone A"}
	if !slices.Equal(got, want) {
		t.Fatalf("provider calls on delete %v, want %v", got, want)
	}
	order(t, events(e, st), "s1 DELETE_IN_PROGRESS", "C DELETE_COMPLETE", "B DELETE_COMPLETE", "A DELETE_COMPLETE", "s1 DELETE_COMPLETE")
}

func TestEngineRollsBackAFailedResource(t *testing.T) {
	e, p := newTestEngine(t)
	body := `{"Resources": {
  "A": {"Type": "Test::Thing"},
  "Bad": {"Type": "Test::Fail", "DependsOn": "A"},
  "Later": {"Type": "Test::Thing", "DependsOn": "Bad"}}}`
	call(t, e, "CreateStack", "StackName", "s2", "TemplateBody", body)
	st := waitStatus(t, e, "s2", "ROLLBACK_COMPLETE", "ROLLBACK_FAILED", "CREATE_COMPLETE")
	if st.status != "ROLLBACK_COMPLETE" {
		t.Fatalf("status %s %s", st.status, st.reason)
	}
	got := p.calls()
	want := []string{"create A after=<nil>", "done A <nil>", "fail Bad", "delete A phys-A", "gone A"}
	if !slices.Equal(got, want) {
		t.Fatalf("provider calls %v, want %v", got, want)
	}
	evs := events(e, st)
	order(t, evs, "A CREATE_COMPLETE", "Bad CREATE_FAILED", "s2 ROLLBACK_IN_PROGRESS", "A DELETE_COMPLETE", "s2 ROLLBACK_COMPLETE")
	if slices.Contains(evs, "Later CREATE_IN_PROGRESS") {
		t.Errorf("a resource after the failure was started: %v", evs)
	}
	e.mu.Lock()
	reason := st.events[slices.Index(evs, "Bad CREATE_FAILED")].reason
	e.mu.Unlock()
	if reason != "no capacity for Bad" {
		t.Errorf("failure reason %q", reason)
	}
}

func TestEngineRefusesWhatTheProviderDoesNotKnow(t *testing.T) {
	e, _ := newTestEngine(t)
	for _, tc := range []struct{ body, want string }{
		{`{"Resources": {"A": {"Type": "Test::Unknown"}}}`, "Test::Unknown"},
		{`{"Resources": {"A": {"Type": "Test::Thing"}}, "Outputs": {"X": {"Value": {"Fn::GetAtt": ["A", "Nope"]}}}}`, "Nope"},
	} {
		c := &wire.Call{Action: "CreateStack", Params: wire.Params(url.Values{"StackName": {"bad"}, "TemplateBody": {tc.body}})}
		err := e.Actions()["CreateStack"](c)
		if err == nil || err.Code != "ValidationError" || !strings.Contains(err.Message, tc.want) {
			t.Errorf("CreateStack(%s) = %v, want a ValidationError naming %s", tc.body, err, tc.want)
		}
	}
	c := &wire.Call{Action: "CreateStack", Params: wire.Params(url.Values{"StackName": {"p"},
		"TemplateBody":                     {`{"Parameters": {"V": {"Type": "AWS::EC2::VPC::Id"}}, "Resources": {"A": {"Type": "Test::Thing"}}}`},
		"Parameters.member.1.ParameterKey": {"V"}, "Parameters.member.1.ParameterValue": {"missing"}})}
	if err := e.Actions()["CreateStack"](c); err == nil || !strings.Contains(err.Message, "missing") {
		t.Errorf("a parameter the provider does not know was accepted: %v", err)
	}
}

// UpdateStack changes a schedule's time and the stack's tags in place,
// with UPDATE_* events; any other change is refused up front.
func TestEngineUpdatesAScheduleAndTags(t *testing.T) {
	e, p := newTestEngine(t)
	tmpl := func(at, name string) string {
		return `{"Resources": {"A": {"Type": "Test::Thing", "Properties": {"Name": "` + name + `"}},
  "S": {"Type": "AWS::Scheduler::Schedule", "Properties": {"Name": "s", "ScheduleExpression": "at(` + at + `)"}}}}`
	}
	call(t, e, "CreateStack", "StackName", "u", "TemplateBody", tmpl("2030-01-01T00:00:00", "a"), "Tags.member.1.Key", "k", "Tags.member.1.Value", "1")
	waitStatus(t, e, "u", "CREATE_COMPLETE")

	refuse := func(what string, kv ...string) {
		t.Helper()
		c := &wire.Call{Action: "UpdateStack", Params: wire.Params(url.Values{})}
		for i := 0; i < len(kv); i += 2 {
			url.Values(c.Params).Set(kv[i], kv[i+1])
		}
		if err := e.Actions()["UpdateStack"](c); err == nil || !strings.Contains(err.Message, what) {
			t.Errorf("UpdateStack %v: %v, want an error saying %q", kv, err, what)
		}
	}
	refuse("property Name of A", "StackName", "u", "TemplateBody", tmpl("2030-01-01T00:00:00", "b"))
	refuse("added or removed", "StackName", "u", "TemplateBody", `{"Resources": {"A": {"Type": "Test::Thing", "Properties": {"Name": "a"}}}}`)
	refuse("No updates", "StackName", "u", "UsePreviousTemplate", "true")

	call(t, e, "UpdateStack", "StackName", "u", "TemplateBody", tmpl("2030-01-02T00:00:00", "a"), "Tags.member.1.Key", "k", "Tags.member.1.Value", "2")
	st := waitStatus(t, e, "u", "UPDATE_COMPLETE")
	order(t, events(e, st), "u CREATE_COMPLETE", "u UPDATE_IN_PROGRESS", "S UPDATE_IN_PROGRESS", "S UPDATE_COMPLETE", "u UPDATE_COMPLETE")
	if !slices.Contains(p.calls(), "update S at(2030-01-02T00:00:00)") || slices.ContainsFunc(p.calls(), func(c string) bool { return strings.HasPrefix(c, "update A") }) {
		t.Errorf("provider calls %v: want S updated to its new time, and only S", p.calls())
	}
	e.mu.Lock()
	tags := st.tags
	e.mu.Unlock()
	if len(tags) != 1 || tags[0].Value != "2" {
		t.Errorf("tags after the update: %v", tags)
	}
}
