package cloudformation

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dbaf/dbaf/internal/sandbox/cloudformation/template"
	"github.com/dbaf/dbaf/internal/sandbox/wire"
)

const stackType = "AWS::CloudFormation::Stack"

// stack is one CloudFormation stack and its history.
type stack struct {
	seq          int // creation order, the paging key
	id, name     string
	body         string
	tmpl         *template.Template
	params       []stackParam
	tags         []Tag
	onFailure    string // ROLLBACK, DELETE or DO_NOTHING
	token        string // ClientRequestToken of the CreateStack call, if any
	status       string
	reason       string
	created      time.Time
	deleted      time.Time
	outputs      []stackOutput
	res          map[string]*stackResource // the resources whose Condition holds
	order        []string                  // their logical ids in template order
	events       []stackEvent              // oldest first
	op           *stackOp                  // the operation running, if any
	eval         *template.Evaluator
	noEchoValues []string // values never to show in DescribeStacks
}

type stackParam struct {
	key, value string
	noEcho     bool
}

type stackOutput struct{ key, value, desc, export string }

type stackResource struct {
	id, typ        string
	def            *template.Resource
	physicalID     string
	status, reason string
	updated        time.Time
	provisioned    bool // something exists in the account that deleting must remove
	completed      bool // it reached CREATE_COMPLETE
	ref            string
	attrs          map[string]string
}

type stackEvent struct {
	id, logicalID, physicalID, typ, status, reason string
	at                                             time.Time
}

// stackOp is the create or delete operation running on a stack; a delete
// cancels a create and waits for it.
type stackOp struct {
	cancel      context.CancelFunc
	done        chan struct{}
	deleting    bool // DeleteStack took over: the create must not roll back
	rollingBack bool
}

// errCancelled is how a resource operation ends when another resource
// failed or the stack is being deleted.
var errCancelled = errors.New("resource operation cancelled")

// handlerDelay is how long a resource handler takes to reject a request.
const handlerDelay = 500 * time.Millisecond

// emit appends an event and applies its status to the stack or resource.
// Callers hold e.mu.
func (e *Engine) emit(st *stack, logical, physical, typ, status, reason string) {
	// Timestamps go out in milliseconds; keep them strictly increasing at
	// that grain so that newest-first order and time order always agree.
	now := e.now().Truncate(time.Millisecond)
	if n := len(st.events); n > 0 && !now.After(st.events[n-1].at) {
		now = st.events[n-1].at.Add(time.Millisecond)
	}
	st.events = append(st.events, stackEvent{id: wire.NewUUID(), logicalID: logical, physicalID: physical, typ: typ, status: status, reason: reason, at: now})
	e.cfg.Changed()
	if typ == stackType {
		st.status, st.reason = status, reason
		return
	}
	if r := st.res[logical]; r != nil {
		r.status, r.reason, r.updated = status, reason, now
		if physical != "" {
			r.physicalID = physical
		}
	}
}

func (e *Engine) emitStack(st *stack, status, reason string) {
	e.emit(st, st.name, st.id, stackType, status, reason)
}

func (e *Engine) emitResource(st *stack, r *stackResource, status, reason string) {
	e.emit(st, r.id, r.physicalID, r.typ, status, reason)
}

// runDAG runs work for every node once all its prerequisites succeeded,
// independent nodes at once, and returns each started node's result. With
// stopOnError the first failure cancels the others and starts no more.
func runDAG(ctx context.Context, nodes []string, prereqs map[string][]string, stopOnError bool, work func(context.Context, string) error) map[string]error {
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	type result struct {
		id  string
		err error
	}
	ch := make(chan result)
	results := map[string]error{}
	started := map[string]bool{}
	running, stopped := 0, false
	for {
		if !stopped && runCtx.Err() == nil {
			for _, id := range nodes {
				if started[id] {
					continue
				}
				ready := true
				for _, p := range prereqs[id] {
					if err, done := results[p]; !done || err != nil {
						ready = false
						break
					}
				}
				if ready {
					started[id] = true
					running++
					go func() { ch <- result{id, work(runCtx, id)} }()
				}
			}
		}
		if running == 0 {
			return results
		}
		r := <-ch
		running--
		results[r.id] = r.err
		if r.err != nil && stopOnError && !stopped {
			stopped = true
			cancel()
		}
	}
}

// runCreate creates the stack's resources in dependency order, then
// completes, rolls back or stops as OnFailure says.
func (e *Engine) runCreate(opCtx context.Context, st *stack, op *stackOp) {
	defer e.endOp(st, op)
	e.mu.Lock()
	nodes := slices.Clone(st.order)
	prereqs := map[string][]string{}
	for _, id := range nodes {
		prereqs[id] = slices.Clone(st.res[id].def.Deps)
	}
	e.mu.Unlock()

	results := runDAG(opCtx, nodes, prereqs, true, func(ctx context.Context, id string) error {
		return e.createResource(ctx, st, id)
	})

	e.mu.Lock()
	defer e.mu.Unlock()
	if e.ctx.Err() != nil {
		return // the server is closing: leave the stack as it is
	}
	failed := false
	for _, id := range nodes {
		if err, ok := results[id]; ok && err != nil {
			failed = true
			if errors.Is(err, errCancelled) {
				e.emitResource(st, st.res[id], "CREATE_FAILED", "Resource creation cancelled")
			}
		}
	}
	if op.deleting {
		return // DeleteStack cancelled the creation and now deletes
	}
	if !failed {
		if err := e.computeOutputs(st); err != nil {
			e.emitStack(st, "CREATE_FAILED", "Outputs could not be resolved: "+err.Error())
			return
		}
		e.emitStack(st, "CREATE_COMPLETE", "")
		return
	}
	var names []string
	for _, id := range st.order {
		if st.res[id].status == "CREATE_FAILED" {
			names = append(names, id)
		}
	}
	slices.Sort(names)
	reason := fmt.Sprintf("The following resource(s) failed to create: [%s]. ", strings.Join(names, ", "))
	if st.onFailure == "DO_NOTHING" {
		e.emitStack(st, "CREATE_FAILED", reason)
		return
	}
	op.rollingBack = true
	e.emitStack(st, "ROLLBACK_IN_PROGRESS", reason+"Rollback requested by user.")
	e.mu.Unlock()
	undeleted := e.deleteResources(e.ctx, st, true)
	e.mu.Lock()
	if e.ctx.Err() != nil {
		return
	}
	if len(undeleted) > 0 {
		e.emitStack(st, "ROLLBACK_FAILED", fmt.Sprintf("The following resource(s) failed to delete: [%s]. ", strings.Join(undeleted, ", ")))
		return
	}
	e.emitStack(st, "ROLLBACK_COMPLETE", "")
	if st.onFailure == "DELETE" {
		// Nothing is left to delete, so the stack goes at once; the events
		// land together, and a watcher sees DELETE_COMPLETE as final.
		e.emitStack(st, "DELETE_IN_PROGRESS", "")
		e.emitStack(st, "DELETE_COMPLETE", "")
		st.deleted = e.now()
	}
}

// endOp clears the stack's operation if it is still op.
func (e *Engine) endOp(st *stack, op *stackOp) {
	e.mu.Lock()
	if st.op == op {
		st.op = nil
	}
	e.mu.Unlock()
	op.cancel()
	close(op.done)
}

// runDelete waits for a running operation to stop, then deletes the
// resources in reverse dependency order.
func (e *Engine) runDelete(st *stack, op *stackOp, prev *stackOp) {
	defer e.endOp(st, op)
	if prev != nil {
		select {
		case <-prev.done:
		case <-e.ctx.Done():
			return
		}
	}
	e.mu.Lock()
	switch st.status {
	case "DELETE_COMPLETE":
		e.mu.Unlock()
		return // the failed creation already deleted it (OnFailure DELETE)
	case "DELETE_IN_PROGRESS":
	default:
		e.emitStack(st, "DELETE_IN_PROGRESS", "User Initiated")
	}
	e.mu.Unlock()
	undeleted := e.deleteResources(e.ctx, st, false)
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.ctx.Err() != nil {
		return
	}
	if len(undeleted) > 0 {
		e.emitStack(st, "DELETE_FAILED", fmt.Sprintf("The following resource(s) failed to delete: [%s]. ", strings.Join(undeleted, ", ")))
		return
	}
	e.emitStack(st, "DELETE_COMPLETE", "")
	st.deleted = e.now()
}

// deleteResources deletes every resource that was started, dependents
// before what they depend on, and returns those that could not be deleted.
func (e *Engine) deleteResources(ctx context.Context, st *stack, rollback bool) []string {
	e.mu.Lock()
	var nodes []string
	for _, id := range st.order {
		switch st.res[id].status {
		case "", "DELETE_COMPLETE", "DELETE_SKIPPED":
		default:
			nodes = append(nodes, id)
		}
	}
	prereqs := map[string][]string{}
	for _, id := range nodes {
		for _, other := range nodes {
			if slices.Contains(st.res[other].def.Deps, id) {
				prereqs[id] = append(prereqs[id], other)
			}
		}
	}
	slices.Reverse(nodes) // among independent resources, the later ones go first
	e.mu.Unlock()

	results := runDAG(ctx, nodes, prereqs, false, func(ctx context.Context, id string) error {
		return e.deleteResource(ctx, st, id, rollback)
	})
	var undeleted []string
	for _, id := range nodes {
		if err, ok := results[id]; !ok || err != nil {
			undeleted = append(undeleted, id)
		}
	}
	slices.Sort(undeleted)
	return undeleted
}

func (e *Engine) deleteResource(ctx context.Context, st *stack, id string, rollback bool) error {
	e.mu.Lock()
	r := st.res[id]
	if !r.provisioned {
		// It failed before anything was created: nothing to remove.
		e.emitResource(st, r, "DELETE_COMPLETE", "")
		e.mu.Unlock()
		return nil
	}
	policy := r.def.DeletionPolicy
	if policy == "Retain" || policy == "RetainExceptOnCreate" && !rollback {
		e.emitResource(st, r, "DELETE_SKIPPED", "")
		e.mu.Unlock()
		return nil
	}
	sc, _ := e.p.Schema(r.typ)
	snapshot := policy == "Snapshot" || policy == "" && sc.DeletionPolicy == "Snapshot"
	if rollback && !r.completed {
		snapshot = false // nothing worth keeping was ever available
	}
	e.emitResource(st, r, "DELETE_IN_PROGRESS", "")
	del, err := e.p.Delete(st.resource(r), snapshot)
	if err != nil {
		e.emitResource(st, r, "DELETE_FAILED", err.Error())
		e.mu.Unlock()
		return err
	}
	if del.Note != "" {
		e.emitResource(st, r, "DELETE_IN_PROGRESS", del.Note)
	}
	e.mu.Unlock()

	if !e.cfg.Sleep(ctx, del.Duration) {
		return errCancelled
	}
	if del.Finish != nil {
		del.Finish()
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.emitResource(st, r, "DELETE_COMPLETE", "")
	return nil
}

// resource is what the provider is told about r.
func (st *stack) resource(r *stackResource) Resource {
	return Resource{StackName: st.name, StackID: st.id, StackTags: st.tags, LogicalID: r.id, Type: r.typ,
		PhysicalID: r.physicalID, DeletionPolicy: r.def.DeletionPolicy}
}

// createResource runs one resource's creation: resolve its properties,
// validate, create it through the provider, wait, complete.
func (e *Engine) createResource(ctx context.Context, st *stack, id string) error {
	e.mu.Lock()
	r := st.res[id]
	e.emitResource(st, r, "CREATE_IN_PROGRESS", "")
	resolved, evalErr := st.eval.Eval(r.def.Props)
	e.mu.Unlock()

	fail := func(reason string) error {
		e.mu.Lock()
		defer e.mu.Unlock()
		e.emitResource(st, r, "CREATE_FAILED", reason)
		return errors.New(reason)
	}
	if !e.cfg.Sleep(ctx, handlerDelay) {
		return errCancelled
	}
	if evalErr != nil {
		return fail("Template error: " + evalErr.Error())
	}
	m, ok := resolved.(map[string]any)
	if !ok {
		return fail("Template error: the Properties of " + id + " do not resolve to a JSON object")
	}
	sc, _ := e.p.Schema(r.typ)
	if bad := unsupportedProps(sc.Properties, m); bad != "" {
		return fail("Encountered unsupported property " + bad)
	}
	faultReason, injected := e.cfg.ResourceFault(id)

	e.mu.Lock()
	c, err := e.p.Create(st.resource(r), m)
	if err != nil {
		e.emitResource(st, r, "CREATE_FAILED", err.Error())
		e.mu.Unlock()
		return err
	}
	r.provisioned = true
	r.physicalID, r.ref, r.attrs = c.PhysicalID, c.Ref, c.Attrs
	if r.attrs == nil {
		r.attrs = map[string]string{}
	}
	e.emitResource(st, r, "CREATE_IN_PROGRESS", "Resource creation Initiated")
	e.mu.Unlock()

	done := func(err error) {
		if c.Done != nil {
			c.Done(err)
		}
	}
	if injected {
		if !e.cfg.Sleep(ctx, c.Duration*3/10) {
			return errCancelled
		}
		done(errors.New(faultReason))
		return fail(faultReason)
	}
	if !e.cfg.Sleep(ctx, c.Duration) {
		return errCancelled
	}
	if err := await(ctx, c.Ready); err != nil {
		if err == errCancelled {
			return err
		}
		done(err)
		return fail(fmt.Sprintf("Resource handler returned message: \"%v\" (HandlerErrorCode: InternalFailure)", err))
	}
	done(nil)
	e.mu.Lock()
	defer e.mu.Unlock()
	r.completed = true
	e.emitResource(st, r, "CREATE_COMPLETE", "")
	return nil
}

// await waits for a resource's background work to finish.
func await(ctx context.Context, ready <-chan error) error {
	if ready == nil {
		return nil
	}
	select {
	case err := <-ready:
		return err
	case <-ctx.Done():
		return errCancelled
	}
}

// unsupportedProps returns the first property (by name) that is not one
// of allowed, or "".
func unsupportedProps(allowed []string, m map[string]any) string {
	var bad []string
	for k := range m {
		if !slices.Contains(allowed, k) {
			bad = append(bad, k)
		}
	}
	if len(bad) == 0 {
		return ""
	}
	slices.Sort(bad)
	return bad[0]
}

// computeOutputs resolves the template's Outputs once every resource is
// complete. Callers hold e.mu.
func (e *Engine) computeOutputs(st *stack) error {
	st.outputs = nil
	for _, o := range st.tmpl.Outputs {
		if o.Condition != "" && !st.eval.Conds[o.Condition] {
			continue
		}
		v, err := st.eval.EvalString(o.Value)
		if err != nil {
			return fmt.Errorf("output %s: %w", o.Key, err)
		}
		out := stackOutput{key: o.Key, value: v, desc: o.Desc}
		if o.Export != nil {
			out.export, _ = st.eval.EvalString(o.Export)
		}
		st.outputs = append(st.outputs, out)
	}
	return nil
}
