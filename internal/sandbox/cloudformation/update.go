package cloudformation

import (
	"fmt"
	"reflect"
	"slices"

	"github.com/dbaf/dbaf/internal/sandbox/cloudformation/template"
	"github.com/dbaf/dbaf/internal/sandbox/wire"
)

// Updater is what a provider implements to let UpdateStack change a
// resource's properties in place.
type Updater interface {
	// Update applies a resource's new properties in the account; the
	// error is the resource's failure reason.
	Update(r Resource, props map[string]any) error
}

// updatable is the one in-place change the sandbox's UpdateStack makes:
// a schedule's time, which `dbaf extend` moves.
var updatable = map[string][]string{"AWS::Scheduler::Schedule": {"ScheduleExpression"}}

func unsupportedUpdate(what string) *wire.APIError {
	return validationError("The sandbox's UpdateStack changes only stack tags and the ScheduleExpression of an AWS::Scheduler::Schedule, with the same resources, parameters and outputs: %s.", what)
}

// updateStack is cloudformation:UpdateStack, for the changes the sandbox
// supports (see updatable and the stack's tags); anything else is refused
// up front rather than half done.
func (e *Engine) updateStack(c *wire.Call) *wire.APIError {
	name := c.Params.Get("StackName")
	if name == "" {
		return validationError("1 validation error detected: Value null at 'stackName' failed to satisfy constraint: Member must not be null")
	}
	if len(c.Params.Structs("Parameters")) > 0 {
		return unsupportedUpdate("Parameters are given")
	}
	tags, err := parseTags(c.Params)
	if err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	st := e.findStack(name)
	if st == nil {
		return validationError("Stack [%s] does not exist", name)
	}
	if st.op != nil || st.status != "CREATE_COMPLETE" && st.status != "UPDATE_COMPLETE" {
		return validationError("Stack:%s is in %s state and can not be updated.", st.id, st.status)
	}
	body := c.Params.Get("TemplateBody")
	switch {
	case c.Params.Get("UsePreviousTemplate") == "true":
		body = st.body
	case body == "":
		return validationError("Either Template URL or Template Body must be specified.")
	case len(body) > maxTemplateBody:
		return validationError("1 validation error detected: Value at 'templateBody' failed to satisfy constraint: Member must have length less than or equal to %d", maxTemplateBody)
	}
	if len(c.Params.Structs("Tags")) == 0 {
		tags = st.tags // as in CloudFormation: no Tags keeps the stack's
	}
	tmpl, perr := template.Parse(body, e.p.Schema)
	if perr != nil {
		return perr
	}
	changed, uerr := updatedResources(st, tmpl)
	if uerr != nil {
		return uerr
	}
	if len(changed) == 0 && slices.Equal(tags, st.tags) {
		return validationError("No updates are to be performed.")
	}
	up, ok := e.p.(Updater)
	if len(changed) > 0 && !ok {
		return unsupportedUpdate("this account updates no resource in place")
	}
	op := &stackOp{cancel: func() {}, done: make(chan struct{})}
	oldTmpl, oldTags := st.tmpl, st.tags
	st.body, st.tmpl, st.tags = body, tmpl, tags
	for _, id := range st.order {
		st.res[id].def = tmpl.Resource(id)
	}
	st.eval.Template = tmpl
	if !e.cfg.Go(func() { e.runUpdate(st, op, up, changed) }) {
		st.tmpl, st.tags = oldTmpl, oldTags
		return wire.Errorf(503, "ServiceUnavailable", "The sandbox is shutting down.")
	}
	st.op = op
	e.emitStack(st, "UPDATE_IN_PROGRESS", "User Initiated")
	c.Out.Text("StackId", st.id)
	return nil
}

// updatedResources checks that tmpl differs from the stack's template
// only where the sandbox can update, and returns the resources whose
// properties change. Callers hold e.mu.
func updatedResources(st *stack, tmpl *template.Template) ([]string, *wire.APIError) {
	old := st.tmpl
	// Order is the template's text, which an update may write otherwise.
	if !reflect.DeepEqual(byKey(old.Params, paramKey), byKey(tmpl.Params, paramKey)) || !reflect.DeepEqual(old.Conditions, tmpl.Conditions) ||
		!reflect.DeepEqual(byKey(old.Outputs, outputKey), byKey(tmpl.Outputs, outputKey)) {
		return nil, unsupportedUpdate("the template's Parameters, Conditions or Outputs differ")
	}
	if len(old.Resources) != len(tmpl.Resources) {
		return nil, unsupportedUpdate("resources are added or removed")
	}
	var changed []string
	for _, o := range old.Resources {
		n := tmpl.Resource(o.ID)
		if n == nil || n.Type != o.Type {
			return nil, unsupportedUpdate(fmt.Sprintf("resource %s is removed, renamed or of another type", o.ID))
		}
		if !reflect.DeepEqual(o.DependsOn, n.DependsOn) || o.DeletionPolicy != n.DeletionPolicy || o.Condition != n.Condition {
			return nil, unsupportedUpdate(fmt.Sprintf("resource %s's attributes change", o.ID))
		}
		if reflect.DeepEqual(o.Props, n.Props) {
			continue
		}
		for k := range mergeKeys(o.Props, n.Props) {
			if !reflect.DeepEqual(o.Props[k], n.Props[k]) && !slices.Contains(updatable[o.Type], k) {
				return nil, unsupportedUpdate(fmt.Sprintf("property %s of %s (%s) changes", k, o.ID, o.Type))
			}
		}
		if st.res[o.ID] != nil {
			changed = append(changed, o.ID)
		}
	}
	return changed, nil
}

func paramKey(p *template.Param) string   { return p.Key }
func outputKey(o *template.Output) string { return o.Key }

func byKey[T any](list []T, key func(T) string) map[string]T {
	m := make(map[string]T, len(list))
	for _, v := range list {
		m[key(v)] = v
	}
	return m
}

func mergeKeys(a, b map[string]any) map[string]bool {
	keys := map[string]bool{}
	for k := range a {
		keys[k] = true
	}
	for k := range b {
		keys[k] = true
	}
	return keys
}

// runUpdate updates the changed resources one by one, then completes. The
// sandbox does not roll an update back: a resource the provider fails to
// update leaves the stack UPDATE_ROLLBACK_FAILED, naming it.
func (e *Engine) runUpdate(st *stack, op *stackOp, up Updater, changed []string) {
	defer e.endOp(st, op)
	for _, id := range changed {
		if !e.cfg.Sleep(e.ctx, handlerDelay) {
			return
		}
		e.mu.Lock()
		r := st.res[id]
		e.emitResource(st, r, "UPDATE_IN_PROGRESS", "")
		resolved, err := st.eval.Eval(r.def.Props)
		m, ok := resolved.(map[string]any)
		if err == nil && !ok {
			err = fmt.Errorf("the Properties of %s do not resolve to a JSON object", id)
		}
		if err == nil {
			err = up.Update(st.resource(r), m)
		}
		if err != nil {
			e.emitResource(st, r, "UPDATE_FAILED", err.Error())
			e.emitStack(st, "UPDATE_ROLLBACK_FAILED", fmt.Sprintf("The following resource(s) failed to update: [%s]. ", id))
			e.mu.Unlock()
			return
		}
		e.emitResource(st, r, "UPDATE_COMPLETE", "")
		e.mu.Unlock()
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.ctx.Err() != nil {
		return
	}
	e.emitStack(st, "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", "")
	e.emitStack(st, "UPDATE_COMPLETE", "")
}
