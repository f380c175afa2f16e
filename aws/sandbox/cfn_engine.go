package sandbox

import (
	"context"
	"errors"
	"fmt"
	"github.com/dbaf/dbaf/aws/sandbox/control"
	"github.com/dbaf/dbaf/aws/sandbox/wire"
	"slices"
	"strings"
	"time"
)

const stackType = "AWS::CloudFormation::Stack"

// stack is one CloudFormation stack and its history.
type stack struct {
	seq          int // creation order, the paging key
	id, name     string
	body         string
	tmpl         *template
	params       []stackParam
	tags         []tag
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
	eval         *evaluator
	noEchoValues []string // values never to show in DescribeStacks
}

type stackParam struct {
	key, value string
	noEcho     bool
}

type stackOutput struct{ key, value, desc, export string }

type stackResource struct {
	id, typ        string
	def            *tResource
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

// Durations at demo pace (Pace 1); a clone takes about 30 s.
func createDuration(typ string, fullCopy bool) time.Duration {
	switch typ {
	case "AWS::RDS::DBSubnetGroup":
		return time.Second
	case "AWS::EC2::SecurityGroup":
		return 2 * time.Second
	case "AWS::RDS::DBCluster":
		if fullCopy {
			return 20 * time.Second
		}
		return 12 * time.Second
	case "AWS::RDS::DBInstance":
		return 15 * time.Second
	}
	return time.Second
}

func deleteDuration(typ string) time.Duration {
	switch typ {
	case "AWS::RDS::DBCluster":
		return 6 * time.Second
	case "AWS::RDS::DBInstance":
		return 8 * time.Second
	}
	return time.Second
}

// handlerDelay is how long a resource handler takes to reject a request.
const handlerDelay = 500 * time.Millisecond

// emit appends an event and applies its status to the stack or resource.
// Callers hold s.mu.
func (s *Server) emit(st *stack, logical, physical, typ, status, reason string) {
	// Timestamps go out in milliseconds; keep them strictly increasing at
	// that grain so that newest-first order and time order always agree.
	now := time.Now().UTC().Truncate(time.Millisecond)
	if n := len(st.events); n > 0 && !now.After(st.events[n-1].at) {
		now = st.events[n-1].at.Add(time.Millisecond)
	}
	st.events = append(st.events, stackEvent{id: wire.NewUUID(), logicalID: logical, physicalID: physical, typ: typ, status: status, reason: reason, at: now})
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

func (s *Server) emitStack(st *stack, status, reason string) {
	s.emit(st, st.name, st.id, stackType, status, reason)
}

func (s *Server) emitResource(st *stack, r *stackResource, status, reason string) {
	s.emit(st, r.id, r.physicalID, r.typ, status, reason)
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
func (s *Server) runCreate(opCtx context.Context, st *stack, op *stackOp) {
	defer s.endOp(st, op)
	s.mu.Lock()
	nodes := slices.Clone(st.order)
	prereqs := map[string][]string{}
	for _, id := range nodes {
		prereqs[id] = slices.Clone(st.res[id].def.deps)
	}
	s.mu.Unlock()

	results := runDAG(opCtx, nodes, prereqs, true, func(ctx context.Context, id string) error {
		return s.createResource(ctx, st, id)
	})

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ctx.Err() != nil {
		return // the server is closing: leave the stack as it is
	}
	failed := false
	for _, id := range nodes {
		if err, ok := results[id]; ok && err != nil {
			failed = true
			if errors.Is(err, errCancelled) {
				s.emitResource(st, st.res[id], "CREATE_FAILED", "Resource creation cancelled")
			}
		}
	}
	if op.deleting {
		return // DeleteStack cancelled the creation and now deletes
	}
	if !failed {
		if err := s.computeOutputs(st); err != nil {
			s.emitStack(st, "CREATE_FAILED", "Outputs could not be resolved: "+err.Error())
			return
		}
		s.emitStack(st, "CREATE_COMPLETE", "")
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
		s.emitStack(st, "CREATE_FAILED", reason)
		return
	}
	op.rollingBack = true
	s.emitStack(st, "ROLLBACK_IN_PROGRESS", reason+"Rollback requested by user.")
	s.mu.Unlock()
	undeleted := s.deleteResources(s.ctx, st, true)
	s.mu.Lock()
	if s.ctx.Err() != nil {
		return
	}
	if len(undeleted) > 0 {
		s.emitStack(st, "ROLLBACK_FAILED", fmt.Sprintf("The following resource(s) failed to delete: [%s]. ", strings.Join(undeleted, ", ")))
		return
	}
	s.emitStack(st, "ROLLBACK_COMPLETE", "")
	if st.onFailure == "DELETE" {
		// Nothing is left to delete, so the stack goes at once; the events
		// land together, and a watcher sees DELETE_COMPLETE as final.
		s.emitStack(st, "DELETE_IN_PROGRESS", "")
		s.emitStack(st, "DELETE_COMPLETE", "")
		st.deleted = time.Now().UTC()
	}
}

// endOp clears the stack's operation if it is still op.
func (s *Server) endOp(st *stack, op *stackOp) {
	s.mu.Lock()
	if st.op == op {
		st.op = nil
	}
	s.mu.Unlock()
	op.cancel()
	close(op.done)
}

// runDelete waits for a running operation to stop, then deletes the
// resources in reverse dependency order.
func (s *Server) runDelete(st *stack, op *stackOp, prev *stackOp) {
	defer s.endOp(st, op)
	if prev != nil {
		select {
		case <-prev.done:
		case <-s.ctx.Done():
			return
		}
	}
	s.mu.Lock()
	switch st.status {
	case "DELETE_COMPLETE":
		s.mu.Unlock()
		return // the failed creation already deleted it (OnFailure DELETE)
	case "DELETE_IN_PROGRESS":
	default:
		s.emitStack(st, "DELETE_IN_PROGRESS", "User Initiated")
	}
	s.mu.Unlock()
	undeleted := s.deleteResources(s.ctx, st, false)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ctx.Err() != nil {
		return
	}
	if len(undeleted) > 0 {
		s.emitStack(st, "DELETE_FAILED", fmt.Sprintf("The following resource(s) failed to delete: [%s]. ", strings.Join(undeleted, ", ")))
		return
	}
	s.emitStack(st, "DELETE_COMPLETE", "")
	st.deleted = time.Now().UTC()
}

// deleteResources deletes every resource that was started, dependents
// before what they depend on, and returns those that could not be deleted.
func (s *Server) deleteResources(ctx context.Context, st *stack, rollback bool) []string {
	s.mu.Lock()
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
			if slices.Contains(st.res[other].def.deps, id) {
				prereqs[id] = append(prereqs[id], other)
			}
		}
	}
	slices.Reverse(nodes) // among independent resources, the later ones go first
	s.mu.Unlock()

	results := runDAG(ctx, nodes, prereqs, false, func(ctx context.Context, id string) error {
		return s.deleteResource(ctx, st, id, rollback)
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

func (s *Server) deleteResource(ctx context.Context, st *stack, id string, rollback bool) error {
	s.mu.Lock()
	r := st.res[id]
	if !r.provisioned {
		// It failed before anything was created: nothing to remove.
		s.emitResource(st, r, "DELETE_COMPLETE", "")
		s.mu.Unlock()
		return nil
	}
	policy := r.def.deletionPolicy
	if policy == "Retain" || policy == "RetainExceptOnCreate" && !rollback {
		s.emitResource(st, r, "DELETE_SKIPPED", "")
		s.mu.Unlock()
		return nil
	}
	snapshot := policy == "Snapshot" || policy == "" && r.typ == "AWS::RDS::DBCluster"
	if rollback && !r.completed {
		snapshot = false // nothing worth keeping was ever available
	}
	s.emitResource(st, r, "DELETE_IN_PROGRESS", "")
	note, err := s.startDelete(st, r, snapshot)
	if err != nil {
		s.emitResource(st, r, "DELETE_FAILED", err.Error())
		s.mu.Unlock()
		return err
	}
	if note != "" {
		s.emitResource(st, r, "DELETE_IN_PROGRESS", note)
	}
	s.mu.Unlock()

	if !s.sleep(ctx, deleteDuration(r.typ)) {
		return errCancelled
	}
	s.removeDatabase(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.finishDelete(r)
	s.emitResource(st, r, "DELETE_COMPLETE", "")
	return nil
}

// createResource runs one resource's creation: resolve its properties,
// validate, provision it in the account, wait, complete.
func (s *Server) createResource(ctx context.Context, st *stack, id string) error {
	s.mu.Lock()
	r := st.res[id]
	s.emitResource(st, r, "CREATE_IN_PROGRESS", "")
	resolved, evalErr := st.eval.eval(r.def.props)
	s.mu.Unlock()

	fail := func(reason string) error {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.emitResource(st, r, "CREATE_FAILED", reason)
		return errors.New(reason)
	}
	if !s.sleep(ctx, handlerDelay) {
		return errCancelled
	}
	if evalErr != nil {
		return fail("Template error: " + evalErr.Error())
	}
	m, ok := resolved.(map[string]any)
	if !ok {
		return fail("Template error: the Properties of " + id + " do not resolve to a JSON object")
	}
	p := &props{m: m}
	if bad := unsupportedProps(r.typ, p.m); bad != "" {
		return fail("Encountered unsupported property " + bad)
	}
	fault, injected := s.ctl.TakeFault("cloudformation", control.ResourcePrefix+id)

	s.mu.Lock()
	prov, err := s.provision(st, r, p)
	if err != nil {
		s.emitResource(st, r, "CREATE_FAILED", err.Error())
		s.mu.Unlock()
		return err
	}
	r.provisioned = true
	r.physicalID, r.ref, r.attrs = prov.physicalID, prov.ref, prov.attrs
	s.emitResource(st, r, "CREATE_IN_PROGRESS", "Resource creation Initiated")
	s.mu.Unlock()

	d := createDuration(r.typ, prov.fullCopy)
	if injected {
		if !s.sleep(ctx, d*3/10) {
			return errCancelled
		}
		reason := fault.Message
		if reason == "" {
			reason = fmt.Sprintf("Resource handler returned message: \"%s (failure injected by the sandbox)\" (RequestToken: %s, HandlerErrorCode: GeneralServiceException)", fault.Code, wire.NewUUID())
		}
		s.mu.Lock()
		s.failProvisioned(r)
		s.mu.Unlock()
		return fail(reason)
	}
	if !s.sleep(ctx, d) {
		return errCancelled
	}
	if err := awaitDatabase(ctx, prov.ready); err != nil {
		if err == errCancelled {
			return err
		}
		s.mu.Lock()
		s.failProvisioned(r)
		s.mu.Unlock()
		return fail(fmt.Sprintf("Resource handler returned message: \"%v\" (HandlerErrorCode: InternalFailure)", err))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.finishCreate(r)
	r.completed = true
	s.emitResource(st, r, "CREATE_COMPLETE", "")
	return nil
}

// computeOutputs resolves the template's Outputs once every resource is
// complete. Callers hold s.mu.
func (s *Server) computeOutputs(st *stack) error {
	st.outputs = nil
	for _, o := range st.tmpl.outputs {
		if o.condition != "" && !st.eval.conds[o.condition] {
			continue
		}
		v, err := st.eval.evalString(o.value)
		if err != nil {
			return fmt.Errorf("output %s: %w", o.key, err)
		}
		out := stackOutput{key: o.key, value: v, desc: o.desc}
		if o.export != nil {
			out.export, _ = st.eval.evalString(o.export)
		}
		st.outputs = append(st.outputs, out)
	}
	return nil
}
