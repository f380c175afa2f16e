package cloudformation

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/dbaf/dbaf/internal/sandbox/cloudformation/template"
	"github.com/dbaf/dbaf/internal/sandbox/wire"
)

var stackNamePattern = regexp.MustCompile(`^[a-zA-Z][-a-zA-Z0-9]*$`)

// maxTemplateBody is CloudFormation's limit for an inline template.
const maxTemplateBody = 51200

func validationError(format string, args ...any) *wire.APIError {
	return wire.Errorf(400, "ValidationError", format, args...)
}

// createStack is cloudformation:CreateStack. Everything CloudFormation
// checks up front is checked here (name, template, parameters, tags); the
// resources are then created in the background.
func (e *Engine) createStack(c *wire.Call) *wire.APIError {
	name := c.Params.Get("StackName")
	switch {
	case name == "":
		return validationError("1 validation error detected: Value null at 'stackName' failed to satisfy constraint: Member must not be null")
	case len(name) > 128 || !stackNamePattern.MatchString(name):
		return validationError("1 validation error detected: Value '%s' at 'stackName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*", name)
	}
	body := c.Params.Get("TemplateBody")
	if body == "" {
		if c.Params.Get("TemplateURL") != "" {
			return validationError("The sandbox cannot fetch TemplateURL: pass the template inline as TemplateBody.")
		}
		return validationError("Either Template URL or Template Body must be specified.")
	}
	if len(body) > maxTemplateBody {
		return validationError("1 validation error detected: Value at 'templateBody' failed to satisfy constraint: Member must have length less than or equal to %d", maxTemplateBody)
	}
	onFailure := c.Params.Get("OnFailure")
	disable, hasDisable := c.Params.Bool("DisableRollback")
	switch {
	case onFailure != "" && hasDisable:
		return validationError("You cannot specify both DisableRollback and OnFailure.")
	case onFailure == "" && disable:
		onFailure = "DO_NOTHING"
	case onFailure == "":
		onFailure = "ROLLBACK"
	case onFailure != "ROLLBACK" && onFailure != "DELETE" && onFailure != "DO_NOTHING":
		return validationError("1 validation error detected: Value '%s' at 'onFailure' failed to satisfy constraint: Member must satisfy enum value set: [DO_NOTHING, ROLLBACK, DELETE]", onFailure)
	}
	tags, tagErr := parseTags(c.Params)
	if tagErr != nil {
		return tagErr
	}
	tmpl, err := template.Parse(body, e.p.Schema)
	if err != nil {
		return err
	}

	e.mu.Lock()
	defer e.mu.Unlock()
	token := c.Params.Get("ClientRequestToken")
	if prev := e.findStack(name); prev != nil {
		// A retry of the same request (the SDK's own retries resend the
		// token) succeeds with the stack it made, as in CloudFormation.
		if token != "" && prev.token == token {
			c.Out.Text("StackId", prev.id)
			return nil
		}
		return wire.Errorf(400, "AlreadyExistsException", "Stack [%s] already exists", name)
	}
	st := &stack{seq: len(e.stacks), name: name, body: body, tmpl: tmpl, tags: tags, onFailure: onFailure, token: token, created: e.now(),
		id: fmt.Sprintf("arn:aws:cloudformation:%s:%s:stack/%s/%s", e.cfg.Region, e.cfg.Account, name, wire.NewUUID()), res: map[string]*stackResource{}}
	values, err := e.resolveParams(st, c.Params.Structs("Parameters"))
	if err != nil {
		return err
	}
	st.eval = e.evaluator(st, values)
	for name := range tmpl.Conditions {
		if _, err := st.eval.Condition(name, map[string]bool{}); err != nil {
			return validationError("Template error: %v", err)
		}
	}
	for _, r := range tmpl.Resources {
		if r.Condition != "" && !st.eval.Conds[r.Condition] {
			continue
		}
		st.res[r.ID] = &stackResource{id: r.ID, typ: r.Type, def: r, attrs: map[string]string{}}
		st.order = append(st.order, r.ID)
	}
	for _, id := range st.order {
		for _, d := range st.res[id].def.Deps {
			if st.res[d] == nil {
				return template.Errorf("Unresolved resource dependencies [%s] in the Resources block of the template", d)
			}
		}
	}
	opCtx, cancel := context.WithCancel(e.ctx)
	op := &stackOp{cancel: cancel, done: make(chan struct{})}
	if !e.cfg.Go(func() { e.runCreate(opCtx, st, op) }) {
		cancel()
		return wire.Errorf(503, "ServiceUnavailable", "The sandbox is shutting down.")
	}
	st.op = op
	e.stacks = append(e.stacks, st)
	e.emitStack(st, "CREATE_IN_PROGRESS", "User Initiated")
	c.Out.Text("StackId", st.id)
	return nil
}

// parseTags checks the Tags of CreateStack or UpdateStack.
func parseTags(params wire.Params) ([]Tag, *wire.APIError) {
	var tags []Tag
	for i, t := range params.Structs("Tags") {
		k, v := t.Get("Key"), t.Get("Value")
		switch {
		case k == "" || len(k) > 128:
			return nil, validationError("1 validation error detected: Value '%s' at 'tags.%d.member.key' failed to satisfy constraint: Member must have length between 1 and 128", k, i+1)
		case v == "" || len(v) > 256:
			return nil, validationError("1 validation error detected: Value '%s' at 'tags.%d.member.value' failed to satisfy constraint: Member must have length between 1 and 256", v, i+1)
		case strings.HasPrefix(k, "aws:"):
			return nil, validationError("Tag keys cannot start with the reserved prefix aws: (%s).", k)
		}
		tags = append(tags, Tag{k, v})
	}
	if len(tags) > 50 {
		return nil, validationError("1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50")
	}
	return tags, nil
}

// resolveParams matches the given parameters to the template's, applies
// defaults and checks constraints. Callers hold e.mu.
func (e *Engine) resolveParams(st *stack, given []wire.Params) (map[string]any, *wire.APIError) {
	values := map[string]any{}
	byKey := map[string]string{}
	var unknown []string
	for _, g := range given {
		k := g.Get("ParameterKey")
		if !slices.ContainsFunc(st.tmpl.Params, func(p *template.Param) bool { return p.Key == k }) {
			unknown = append(unknown, k)
			continue
		}
		if g.Get("UsePreviousValue") == "true" {
			return nil, validationError("UsePreviousValue is only valid when updating a stack (parameter %s).", k)
		}
		byKey[k] = g.Get("ParameterValue")
	}
	if len(unknown) > 0 {
		return nil, validationError("Parameters: [%s] do not exist in the template", strings.Join(unknown, ", "))
	}
	var missing []string
	for _, p := range st.tmpl.Params {
		v, ok := byKey[p.Key]
		if !ok && p.Default != nil {
			v, ok = *p.Default, true
		}
		if !ok {
			missing = append(missing, p.Key)
			continue
		}
		if err := e.checkParam(p, v); err != nil {
			return nil, err
		}
		st.params = append(st.params, stackParam{key: p.Key, value: v, noEcho: p.NoEcho})
		if p.NoEcho && v != "" {
			st.noEchoValues = append(st.noEchoValues, v)
		}
		values[p.Key] = paramValue(p, v)
	}
	if len(missing) > 0 {
		return nil, validationError("Parameters: [%s] must have values", strings.Join(missing, ", "))
	}
	return values, nil
}

func (e *Engine) checkParam(p *template.Param, v string) *wire.APIError {
	failed := func(what string) *wire.APIError {
		if p.ConstraintDesc != "" {
			return validationError("Parameter '%s' failed to satisfy constraint: %s", p.Key, p.ConstraintDesc)
		}
		return validationError("Parameter '%s' %s", p.Key, what)
	}
	if len(p.Allowed) > 0 && !slices.Contains(p.Allowed, v) {
		return validationError("Parameter '%s' must be one of AllowedValues", p.Key)
	}
	if p.Pattern != "" {
		re, err := regexp.Compile("^(?:" + p.Pattern + ")$")
		if err == nil && !re.MatchString(v) {
			return failed("must match pattern " + p.Pattern)
		}
	}
	if p.MinLen != nil && len(v) < *p.MinLen {
		return failed(fmt.Sprintf("must contain at least %d characters", *p.MinLen))
	}
	if p.MaxLen != nil && len(v) > *p.MaxLen {
		return failed(fmt.Sprintf("cannot exceed %d characters", *p.MaxLen))
	}
	if p.Type == "Number" || p.MinVal != nil || p.MaxVal != nil {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return validationError("Parameter '%s' must be a number", p.Key)
		}
		if p.MinVal != nil && f < *p.MinVal {
			return failed(fmt.Sprintf("must be a number not less than %g", *p.MinVal))
		}
		if p.MaxVal != nil && f > *p.MaxVal {
			return failed(fmt.Sprintf("must be a number not greater than %g", *p.MaxVal))
		}
	}
	// AWS-specific types name things that must exist.
	if inner := strings.TrimSuffix(strings.TrimPrefix(p.Type, "List<"), ">"); strings.HasPrefix(inner, "AWS::") {
		for _, id := range strings.Split(v, ",") {
			if id = strings.TrimSpace(id); !e.p.ValidParameter(inner, id) {
				if p.NoEcho {
					id = "****"
				}
				return validationError("Parameter validation failed: parameter value %s for parameter name %s does not exist.", id, p.Key)
			}
		}
	}
	return nil
}

// findStack finds a live stack by name, or any stack, deleted ones
// included, by its id (ARN), as CloudFormation does. Callers hold e.mu.
func (e *Engine) findStack(nameOrID string) *stack {
	byID := strings.HasPrefix(nameOrID, "arn:")
	for i := len(e.stacks) - 1; i >= 0; i-- {
		st := e.stacks[i]
		if byID && st.id == nameOrID || !byID && st.name == nameOrID && st.status != "DELETE_COMPLETE" {
			return st
		}
	}
	return nil
}

func badStackToken() *wire.APIError {
	return validationError("Invalid NextToken: pass the NextToken of the previous response unchanged.")
}

func stackKey(st *stack) string { return fmt.Sprintf("%010d", st.seq) }

func (e *Engine) describeStacks(c *wire.Call) *wire.APIError {
	e.mu.Lock()
	defer e.mu.Unlock()
	var list []*stack
	if name := c.Params.Get("StackName"); name != "" {
		st := e.findStack(name)
		if st == nil {
			return validationError("Stack with id %s does not exist", name)
		}
		list = []*stack{st}
	} else {
		for _, st := range e.stacks {
			if st.status != "DELETE_COMPLETE" {
				list = append(list, st)
			}
		}
	}
	pg, next, err := wire.Page(list, stackKey, c.Params.Get("NextToken"), 100, badStackToken)
	if err != nil {
		return err
	}
	x := &c.Out
	x.Open("Stacks")
	for _, st := range pg {
		e.writeStack(x, st)
	}
	x.Close("Stacks")
	x.Opt("NextToken", next)
	return nil
}

// mask hides NoEcho parameter values wherever DescribeStacks would show them.
func (st *stack) mask(v string) string {
	for _, secret := range st.noEchoValues {
		v = strings.ReplaceAll(v, secret, "****")
	}
	return v
}

func (e *Engine) writeStack(x *wire.XML, st *stack) {
	x.Open("member")
	x.Text("StackId", st.id)
	x.Text("StackName", st.name)
	x.Opt("Description", st.tmpl.Description)
	wire.List(x, "Parameters", "member", st.params, func(p stackParam) {
		x.Text("ParameterKey", p.key)
		if p.noEcho {
			x.Text("ParameterValue", "****")
		} else {
			x.Text("ParameterValue", p.value)
		}
	})
	x.Time("CreationTime", st.created)
	x.Time("DeletionTime", st.deleted)
	x.Empty("RollbackConfiguration")
	x.Text("StackStatus", st.status)
	x.Opt("StackStatusReason", st.reason)
	x.Bool("DisableRollback", st.onFailure == "DO_NOTHING")
	x.Empty("NotificationARNs")
	if st.status == "CREATE_COMPLETE" || st.status == "UPDATE_COMPLETE" {
		wire.List(x, "Outputs", "member", st.outputs, func(o stackOutput) {
			x.Text("OutputKey", o.key)
			x.Text("OutputValue", st.mask(o.value))
			x.Opt("Description", o.desc)
			x.Opt("ExportName", o.export)
		})
	}
	wire.List(x, "Tags", "member", st.tags, func(t Tag) {
		x.Text("Key", t.Key)
		x.Text("Value", t.Value)
	})
	x.Bool("EnableTerminationProtection", false)
	x.Open("DriftInformation")
	x.Text("StackDriftStatus", "NOT_CHECKED")
	x.Close("DriftInformation")
	x.Close("member")
}

// eventsPerPage is how many events DescribeStackEvents returns at a time.
const eventsPerPage = 100

func (e *Engine) describeStackEvents(c *wire.Call) *wire.APIError {
	name := c.Params.Get("StackName")
	if name == "" {
		return validationError("1 validation error detected: Value null at 'stackName' failed to satisfy constraint: Member must not be null")
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	st := e.findStack(name)
	if st == nil {
		return validationError("Stack [%s] does not exist", name)
	}
	// Newest first. The token names the index of the next, older event:
	// events are only ever appended, so it stays valid.
	start := len(st.events) - 1
	if tok := c.Params.Get("NextToken"); tok != "" {
		k, ok := wire.DecodeToken(tok)
		n, err := strconv.Atoi(k)
		if !ok || err != nil || n < 0 || n >= len(st.events) {
			return badStackToken()
		}
		start = n
	}
	end := max(start-eventsPerPage, -1)
	x := &c.Out
	x.Open("StackEvents")
	for i := start; i > end; i-- {
		e := st.events[i]
		x.Open("member")
		x.Text("StackId", st.id)
		x.Text("EventId", e.id)
		x.Text("StackName", st.name)
		x.Text("LogicalResourceId", e.logicalID)
		x.Opt("PhysicalResourceId", e.physicalID)
		x.Text("ResourceType", e.typ)
		x.Time("Timestamp", e.at)
		x.Text("ResourceStatus", e.status)
		x.Opt("ResourceStatusReason", e.reason)
		x.Close("member")
	}
	x.Close("StackEvents")
	if end >= 0 {
		x.Text("NextToken", wire.EncodeToken(strconv.Itoa(end)))
	}
	return nil
}

func (e *Engine) describeStackResources(c *wire.Call) *wire.APIError {
	name, physical, logical := c.Params.Get("StackName"), c.Params.Get("PhysicalResourceId"), c.Params.Get("LogicalResourceId")
	e.mu.Lock()
	defer e.mu.Unlock()
	var st *stack
	switch {
	case name != "":
		if st = e.findStack(name); st == nil {
			return validationError("Stack with id %s does not exist", name)
		}
	case physical != "":
		for _, cand := range slices.Backward(e.stacks) {
			if slices.ContainsFunc(cand.order, func(id string) bool { return cand.res[id].physicalID == physical }) {
				st = cand
				break
			}
		}
		if st == nil {
			return validationError("Stack for %s does not exist", physical)
		}
	default:
		return validationError("Either StackName or PhysicalResourceId must be specified.")
	}
	x := &c.Out
	x.Open("StackResources")
	for _, id := range st.order {
		r := st.res[id]
		if r.status == "" || logical != "" && id != logical {
			continue
		}
		x.Open("member")
		x.Text("StackName", st.name)
		x.Text("StackId", st.id)
		x.Text("LogicalResourceId", id)
		x.Opt("PhysicalResourceId", r.physicalID)
		x.Text("ResourceType", r.typ)
		x.Time("Timestamp", r.updated)
		x.Text("ResourceStatus", r.status)
		x.Opt("ResourceStatusReason", r.reason)
		x.Open("DriftInformation")
		x.Text("StackResourceDriftStatus", "NOT_CHECKED")
		x.Close("DriftInformation")
		x.Close("member")
	}
	x.Close("StackResources")
	return nil
}

// deleteStack is cloudformation:DeleteStack: idempotent, and a stack that
// does not exist is a success, as in CloudFormation. A stack still being
// created has its creation cancelled first.
func (e *Engine) deleteStack(c *wire.Call) *wire.APIError {
	name := c.Params.Get("StackName")
	if name == "" {
		return validationError("1 validation error detected: Value null at 'stackName' failed to satisfy constraint: Member must not be null")
	}
	c.NoResult = true
	return e.DeleteStack(name)
}

// DeleteStack deletes a stack as cloudformation:DeleteStack does; the
// account's scheduler calls it too, for a schedule whose target it is.
func (e *Engine) DeleteStack(name string) *wire.APIError {
	e.mu.Lock()
	defer e.mu.Unlock()
	st := e.findStack(name)
	if st == nil || st.status == "DELETE_COMPLETE" || st.status == "DELETE_IN_PROGRESS" {
		return nil
	}
	prev := st.op
	if prev != nil && prev.deleting {
		return nil
	}
	op := &stackOp{cancel: func() {}, done: make(chan struct{}), deleting: true}
	if !e.cfg.Go(func() { e.runDelete(st, op, prev) }) {
		return wire.Errorf(503, "ServiceUnavailable", "The sandbox is shutting down.")
	}
	st.op = op
	if prev == nil || !prev.rollingBack {
		if prev != nil {
			prev.deleting = true
			prev.cancel()
		}
		e.emitStack(st, "DELETE_IN_PROGRESS", "User Initiated")
	}
	return nil
}

func (e *Engine) listStacks(c *wire.Call) *wire.APIError {
	filter := c.Params.List("StackStatusFilter")
	e.mu.Lock()
	defer e.mu.Unlock()
	var list []*stack
	for _, st := range e.stacks {
		if len(filter) == 0 || slices.Contains(filter, st.status) {
			list = append(list, st)
		}
	}
	pg, next, err := wire.Page(list, stackKey, c.Params.Get("NextToken"), 100, badStackToken)
	if err != nil {
		return err
	}
	x := &c.Out
	wire.List(x, "StackSummaries", "member", pg, func(st *stack) {
		x.Text("StackId", st.id)
		x.Text("StackName", st.name)
		x.Opt("TemplateDescription", st.tmpl.Description)
		x.Time("CreationTime", st.created)
		x.Time("DeletionTime", st.deleted)
		x.Text("StackStatus", st.status)
		x.Opt("StackStatusReason", st.reason)
		x.Open("DriftInformation")
		x.Text("StackDriftStatus", "NOT_CHECKED")
		x.Close("DriftInformation")
	})
	x.Opt("NextToken", next)
	return nil
}

func (e *Engine) getTemplate(c *wire.Call) *wire.APIError {
	name := c.Params.Get("StackName")
	e.mu.Lock()
	defer e.mu.Unlock()
	st := e.findStack(name)
	if st == nil {
		return validationError("Stack with id %s does not exist", name)
	}
	c.Out.Text("TemplateBody", st.body)
	c.Out.Open("StagesAvailable")
	c.Out.Text("member", "Original")
	c.Out.Text("member", "Processed")
	c.Out.Close("StagesAvailable")
	return nil
}
