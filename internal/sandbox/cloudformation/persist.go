package cloudformation

import (
	"fmt"
	"strings"
	"time"

	"github.com/dbaf/dbaf/internal/sandbox/cloudformation/template"
)

// SavedStack is a stack as the account saves it between runs: enough to
// describe it again, list its events and resources, and delete it. Its
// template is kept as sent and parsed again at Restore.
type SavedStack struct {
	ID, Name, Body   string
	Params           []SavedParam
	Tags             []Tag
	OnFailure, Token string
	Status, Reason   string
	Created, Deleted time.Time
	Outputs          []SavedOutput
	Resources        []SavedResource // in template order
	Events           []SavedEvent    // oldest first
	NoEchoValues     []string        `json:",omitempty"`
}

type SavedParam struct {
	Key, Value string
	NoEcho     bool `json:",omitempty"`
}

type SavedOutput struct{ Key, Value, Desc, Export string }

type SavedResource struct {
	ID, Type, PhysicalID, Status, Reason string
	Updated                              time.Time
	Provisioned, Completed               bool
	Ref                                  string
	Attrs                                map[string]string
}

type SavedEvent struct {
	ID, LogicalID, PhysicalID, Type, Status, Reason string
	At                                              time.Time
}

// Save returns every stack as saved, and runs also while it holds the
// engine's lock, so that what also saves of the account (whose lock comes
// after the engine's) agrees with the stacks.
func (e *Engine) Save(also func()) []SavedStack {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]SavedStack, 0, len(e.stacks))
	for _, st := range e.stacks {
		s := SavedStack{ID: st.id, Name: st.name, Body: st.body, Tags: st.tags, OnFailure: st.onFailure, Token: st.token,
			Status: st.status, Reason: st.reason, Created: st.created, Deleted: st.deleted, NoEchoValues: st.noEchoValues}
		for _, p := range st.params {
			s.Params = append(s.Params, SavedParam{p.key, p.value, p.noEcho})
		}
		for _, o := range st.outputs {
			s.Outputs = append(s.Outputs, SavedOutput{o.key, o.value, o.desc, o.export})
		}
		for _, id := range st.order {
			r := st.res[id]
			s.Resources = append(s.Resources, SavedResource{ID: r.id, Type: r.typ, PhysicalID: r.physicalID, Status: r.status, Reason: r.reason,
				Updated: r.updated, Provisioned: r.provisioned, Completed: r.completed, Ref: r.ref, Attrs: r.attrs})
		}
		for _, ev := range st.events {
			s.Events = append(s.Events, SavedEvent{ev.id, ev.logicalID, ev.physicalID, ev.typ, ev.status, ev.reason, ev.at})
		}
		out = append(out, s)
	}
	if also != nil {
		also()
	}
	return out
}

// interrupted is the reason given to what a crash of the account stopped
// half way.
const interrupted = "The sandbox account stopped (killed or crashed) during the operation"

// Restore brings back the stacks of an earlier run of the account, before
// it serves. An operation the end of that run cut short cannot go on as
// it was: a creation ends CREATE_FAILED (its resources that were being
// created too), a rollback ROLLBACK_FAILED, and a deletion starts again,
// so that every stack is in a state a DeleteStack finishes.
func (e *Engine) Restore(saved []SavedStack) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	var deleting []*stack
	for _, s := range saved {
		tmpl, apiErr := template.Parse(s.Body, e.p.Schema)
		if apiErr != nil {
			return fmt.Errorf("stack %s: its template no longer parses: %v", s.Name, apiErr)
		}
		st := &stack{seq: len(e.stacks), id: s.ID, name: s.Name, body: s.Body, tmpl: tmpl, tags: s.Tags, onFailure: s.OnFailure, token: s.Token,
			status: s.Status, reason: s.Reason, created: s.Created, deleted: s.Deleted, noEchoValues: s.NoEchoValues, res: map[string]*stackResource{}}
		values := map[string]any{}
		for _, p := range s.Params {
			st.params = append(st.params, stackParam{key: p.Key, value: p.Value, noEcho: p.NoEcho})
			for _, tp := range tmpl.Params {
				if tp.Key == p.Key {
					values[p.Key] = paramValue(tp, p.Value)
				}
			}
		}
		for _, o := range s.Outputs {
			st.outputs = append(st.outputs, stackOutput{o.Key, o.Value, o.Desc, o.Export})
		}
		for _, ev := range s.Events {
			st.events = append(st.events, stackEvent{ev.ID, ev.LogicalID, ev.PhysicalID, ev.Type, ev.Status, ev.Reason, ev.At})
		}
		defs := map[string]*template.Resource{}
		for _, r := range tmpl.Resources {
			defs[r.ID] = r
		}
		for _, r := range s.Resources {
			def := defs[r.ID]
			if def == nil {
				return fmt.Errorf("stack %s: resource %s is not in its template", s.Name, r.ID)
			}
			attrs := r.Attrs
			if attrs == nil {
				attrs = map[string]string{}
			}
			st.res[r.ID] = &stackResource{id: r.ID, typ: r.Type, def: def, physicalID: r.PhysicalID, status: r.Status, reason: r.Reason,
				updated: r.Updated, provisioned: r.Provisioned, completed: r.Completed, ref: r.Ref, attrs: attrs}
			st.order = append(st.order, r.ID)
		}
		st.eval = e.evaluator(st, values)
		for name := range tmpl.Conditions {
			_, _ = st.eval.Condition(name, map[string]bool{}) // they held at creation
		}
		e.stacks = append(e.stacks, st)

		switch st.status {
		case "CREATE_IN_PROGRESS":
			for _, id := range st.order {
				if r := st.res[id]; r.status == "CREATE_IN_PROGRESS" {
					e.emitResource(st, r, "CREATE_FAILED", "Resource creation cancelled: "+interrupted)
				}
			}
			e.emitStack(st, "CREATE_FAILED", interrupted+": delete the stack and create it again.")
		case "ROLLBACK_IN_PROGRESS":
			e.emitStack(st, "ROLLBACK_FAILED", interrupted+": delete the stack.")
		case "DELETE_IN_PROGRESS":
			deleting = append(deleting, st)
		}
	}
	for _, st := range deleting {
		op := &stackOp{cancel: func() {}, done: make(chan struct{}), deleting: true}
		st.op = op
		if !e.cfg.Go(func() { e.runDelete(st, op, nil) }) {
			st.op = nil
		}
	}
	return nil
}

// evaluator evaluates st's template with its parameter values.
func (e *Engine) evaluator(st *stack, values map[string]any) *template.Evaluator {
	return &template.Evaluator{Template: st.tmpl, Params: values, Conds: map[string]bool{}, AZs: e.cfg.AZs,
		Pseudo: map[string]string{"AWS::StackName": st.name, "AWS::StackId": st.id, "AWS::Region": e.cfg.Region, "AWS::AccountId": e.cfg.Account,
			"AWS::Partition": "aws", "AWS::URLSuffix": "amazonaws.com"},
		Resource: func(id string) (string, map[string]string, bool) {
			if r, ok := st.res[id]; ok {
				return r.ref, r.attrs, true
			}
			return "", nil, false
		}}
}

// paramValue is a parameter's value as the template sees it: a list for
// the list types.
func paramValue(p *template.Param, v string) any {
	if strings.HasPrefix(p.Type, "List<") || p.Type == "CommaDelimitedList" {
		var l []any
		for _, e := range strings.Split(v, ",") {
			l = append(l, strings.TrimSpace(e))
		}
		return l
	}
	return v
}
