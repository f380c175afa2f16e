package artifact

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dbaf/dbaf/aws"
	"github.com/dbaf/dbaf/db"
	"github.com/dbaf/dbaf/internal/secret"
)

// Stacks is what clone, teardown and list need from AWS. *aws.Client
// satisfies it.
type Stacks interface {
	StackEvents
	PreflightAWS
	CallerIdentity(ctx context.Context) (*aws.Identity, error)
	CreateStack(ctx context.Context, in aws.CreateStackInput) (stackID string, err error)
	DescribeStack(ctx context.Context, nameOrID string) (*aws.Stack, error)
	StackResources(ctx context.Context, nameOrID string) ([]aws.StackResource, error)
	DeleteStack(ctx context.Context, nameOrID string) error
	ListStacks(ctx context.Context) ([]aws.Stack, error)
	ResetMasterPassword(ctx context.Context, clusterID, password string) error
	ManageMasterPassword(ctx context.Context, clusterID string) (secretARN string, err error)
	SecretPassword(ctx context.Context, secretARN string) (string, error)
	TagCluster(ctx context.Context, clusterARN string, tags map[string]string) error
	// ScheduleTime is when a clone's expiry schedule fires, as AWS holds it.
	ScheduleTime(ctx context.Context, name string) (time.Time, error)
}

// CloneRequest is one clone to make (or follow).
type CloneRequest struct {
	Artifact          *Artifact
	Name              string // stack name; "" = StackName(now)
	Password          string // the clone's new master password, unless RDS manages it (Target.ManagedPassword); never logged
	PasswordGenerated bool   // dbaf made it up, so it is shown once at the end
	// ResetPassword sets the password even when an earlier run already set
	// it: without it, following a clone whose password was reset leaves that
	// password alone, so a second caller cannot lock the first one out.
	ResetPassword bool
	KeepOnFailure bool
	// TTL is how long the clone lives: 0 = the artifact's clone_ttl, which
	// is also the most it may be (CheckTTL).
	TTL            time.Duration
	PollInterval   time.Duration // 0 = DefaultPollInterval
	ThrottleBudget time.Duration // 0 = DefaultThrottleBudget
	Clock          Clock         // what the watch waits on; nil = real time
	Rand           Rand          // jitter of the waits; nil = freshly seeded
	Now            func() time.Time
	// Login proves the handover: it logs in to the ready clone. nil =
	// db.Check, retrying within LoginWait.
	Login LoginChecker
	// LoginWait bounds how long a refused login is retried while AWS
	// applies the new password (0 = DefaultLoginWait); an endpoint that does
	// not answer is retried for at most db.DefaultReachWindow of it.
	LoginWait time.Duration
	// Masker masks the clone and runs its hooks when the artifact says so;
	// nil = DBMasker.
	Masker Masker
	// HookTimeout bounds each post-clone hook file (0 = DefaultHookTimeout).
	HookTimeout time.Duration
	// LeaderWait bounds how long a run that follows a masked clone another
	// run created waits for that run to mask it and set its password (0 =
	// DefaultLeaderWait); a run that stops showing signs of life ends the
	// wait sooner.
	LeaderWait time.Duration
	// Commands spells the lines the clone prints (resume, teardown, the
	// password command) with the caller's global flags and artifact.
	Commands Commands
	// CA is what the clone's server certificate must chain to, for the
	// login, the masking and the printed client line; nil = AWS's RDS
	// bundle built into dbaf.
	CA *db.CA
	// checked is this run's preflight of the artifact's source, made
	// moments ago (a ClonePlan's, shown on a screen before the run): the
	// clone reports it, with its warnings, as its own instead of asking AWS
	// again, so each check still costs one call per run. Only one that
	// found no problem; nil = the clone runs its own. Unused when the clone
	// follows an existing stack, and by Reset, whose teardown frees what the
	// quotas counted.
	checked *Checked
}

// named is the request with its stack name: the one given, or
// StackName(now), the one place a clone's name defaults.
func (req CloneRequest) named() CloneRequest {
	if req.Name == "" {
		req.Name = StackName(req.now()())
	}
	return req
}

func (req CloneRequest) now() func() time.Time {
	if req.Now != nil {
		return req.Now
	}
	return time.Now
}

// LoginChecker logs in to a clone over TLS and summarises what is there,
// with db.Check's errors: db.ErrUnreachable, *db.LoginRefusedError, other.
type LoginChecker func(ctx context.Context, t db.Target) (*db.Summary, error)

// DefaultLoginWait is how long a refused login is retried by default.
const DefaultLoginWait = db.DefaultLoginWindow

// StackState names the state a clone's stack is left in when a step after
// CreateStack fails or is interrupted: a stable identifier for JSON readers
// (events.schema.json lists them); String is the English that messages
// show ("stack x is <String>"). Every one is billed until it is torn down.
type StackState string

// The states a clone can be left in (mask.go and reset.go add theirs).
const (
	StateMayExist     StackState = "may_exist"
	StateCreating     StackState = "creating"
	StateNoPassword   StackState = "no_password"
	StateResetting    StackState = "resetting_password"
	StateLoggingIn    StackState = "logging_in"
	StateLoginFailed  StackState = "login_failed"
	StateTornDownElse StackState = "torn_down_elsewhere"
	// While or after masking: the data may be unmasked, so following the
	// clone is never a way on, only tearing it down.
	StateMasking    StackState = "masking"
	StateMaskFailed StackState = "mask_failed"
	// Another run created the clone and is masking it: that run hands it
	// over when done, and following it again waits for that.
	StateMaskedElsewhere StackState = "masked_elsewhere"
	// Between a reset's teardown and the new clone's stack: either way the
	// endpoint serves nothing until the clone is made again.
	StateResetDeleting StackState = "reset_deleting"
	StateResetGone     StackState = "reset_gone"
)

var stateText = map[StackState]string{
	StateMayExist:        "may have been created (the create call was interrupted)",
	StateCreating:        "still being created",
	StateNoPassword:      "created, but its master password was not reset",
	StateResetting:       "created, with its new master password still being applied",
	StateLoggingIn:       "created and available, its new master password not yet proven by a login",
	StateLoginFailed:     "created and available, but dbaf could not log in to it with the new master password",
	StateTornDownElse:    "being deleted or already gone: someone tore it down",
	StateMasking:         "created and being masked: its data may still be unmasked, and its master password is a temporary one no one knows",
	StateMaskFailed:      "created, but its masking did not complete: its data may be unmasked, and its master password is a temporary one no one knows",
	StateMaskedElsewhere: "created and being masked by another dbaf run, which sets its master password when done",
	StateResetDeleting:   "being deleted by the reset, and not re-created",
	StateResetGone:       "deleted by the reset, and not re-created",
}

func (s StackState) String() string { return textOr(stateText, s) }

// textOf is a state's English, "" for no state.
func textOf(s StackState) string {
	if s == "" {
		return ""
	}
	return s.String()
}

// textOr is an identifier's English, or the identifier itself should one
// lack its text (a test checks none does).
func textOr[K ~string](texts map[K]string, id K) string {
	if t, ok := texts[id]; ok {
		return t
	}
	return string(id)
}

// leftRunning says, in words, which stack is left, in what state, and the
// two ways out of it.
func leftRunning(c Commands, stack string, state StackState) string {
	return leftRunningResume(c, stack, state, resumeFor(c, stack, state))
}

// resumeFor is the command that resumes a clone left in state, "" when
// none can: a clone whose masking did not finish is only torn down.
func resumeFor(c Commands, stack string, state StackState) string {
	if state == StateMasking || state == StateMaskFailed {
		return ""
	}
	return c.Resume(stack)
}

func leftRunningResume(c Commands, stack string, state StackState, resume string) string {
	if resume == "" {
		return fmt.Sprintf("stack %s is %s; it stays in AWS, billed, until it is torn down:\n  teardown: %s", stack, state, c.Teardown(stack))
	}
	return fmt.Sprintf("stack %s is %s; it stays in AWS, billed, until it is torn down:\n  resume:   %s\n  teardown: %s",
		stack, state, resume, c.Teardown(stack))
}

// CloneError is a clone that failed in AWS; the CloneFailed event carries
// the same facts. Err, when set, is the cause (e.g. *db.LoginRefusedError).
type CloneError struct {
	Failed CloneFailed
	Err    error
}

func (e *CloneError) Unwrap() error { return e.Err }

func (e *CloneError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "clone %s failed", e.Failed.Stack)
	if e.Failed.Resource != "" {
		fmt.Fprintf(&b, ": %s", e.Failed.Resource)
	}
	fmt.Fprintf(&b, ": %s\n%s", e.Failed.Reason, e.Failed.Cleanup)
	if e.Failed.Publisher != "" {
		fmt.Fprintf(&b, "\nif this persists, contact the artifact's publisher: %s", e.Failed.Publisher)
	}
	return b.String()
}

// StrandedError is a failure after the clone's stack exists: the stack is
// left running (and billed), and the message says so, with the commands to
// resume or remove it. It unwraps to the cause, which picks the exit code.
type StrandedError struct {
	Stack    string
	State    StackState // one of the State constants
	Err      error
	Commands Commands // spells the resume and teardown lines
}

func (e *StrandedError) Error() string {
	return fmt.Sprintf("%v\n%s", e.Err, leftRunning(e.Commands, e.Stack, e.State))
}

func (e *StrandedError) Unwrap() error { return e.Err }

// InterruptedError is a clone stopped by the user (Ctrl-C, SIGTERM) after
// its stack may exist: the stack goes on in AWS, and this says how to
// resume or remove it.
type InterruptedError struct {
	Stack    string
	State    StackState // one of the State constants
	Commands Commands   // spells the resume and teardown lines
}

func (e *InterruptedError) Error() string {
	return "interrupted: " + leftRunning(e.Commands, e.Stack, e.State)
}

func (e *InterruptedError) Unwrap() error { return context.Canceled }

// SourceError is a source cluster that cannot be cloned right now, a stack
// name that cannot be used, or an account without room for a clone.
type SourceError struct{ Msg string }

func (e *SourceError) Error() string { return e.Msg }

// Clone creates a copy-on-write clone of the artifact's source through one
// CloudFormation stack, reports every stack event, resets the master
// password, waits for the cluster, logs in to it and reports the endpoint
// with what it saw. When a stack of
// that name exists and is the caller's clone of the same source, it follows
// that stack instead of failing, so scripts can call it idempotently (and
// two callers racing on one name end with one stack). The stream always
// ends with one final event: CloneReady, CloneFailed or CloneInterrupted.
func Clone(ctx context.Context, req CloneRequest, s Stacks, emit Emit) (*CloneReady, error) {
	st := NewStream(emit)
	ready, err := clone(ctx, req, s, st.Emit)
	return ready, st.End(err, func(err error) Event { return CloneFinal(req.Name, err) })
}

// CloneFinal is the final event for a clone of stack that failed with err
// without reporting it: the same facts as the error's message.
func CloneFinal(stack string, err error) Event {
	var (
		ie *InterruptedError
		se *StrandedError
	)
	switch {
	case errors.As(err, &ie):
		return CloneInterrupted{Stack: ie.Stack, State: ie.State, Resume: resumeFor(ie.Commands, ie.Stack, ie.State), Teardown: ie.Commands.Teardown(ie.Stack), Message: err.Error()}
	case errors.As(err, &se):
		return CloneFailed{Stack: se.Stack, Reason: se.Err.Error(), State: se.State, Kept: true,
			Resume: resumeFor(se.Commands, se.Stack, se.State), Teardown: se.Commands.Teardown(se.Stack), Cleanup: leftRunning(se.Commands, se.Stack, se.State)}
	case errors.Is(err, context.Canceled):
		return CloneInterrupted{Stack: stack, Message: "interrupted before anything was created"}
	}
	return CloneFailed{Stack: stack, Reason: err.Error(), Cleanup: "nothing was created"}
}

func clone(ctx context.Context, req CloneRequest, s Stacks, emit Emit) (*CloneReady, error) {
	now := time.Now
	if req.Now != nil {
		now = req.Now
	}
	a := req.Artifact
	if req.Password == "" && !a.Target.ManagedPassword {
		return nil, errors.New("no password for the clone: set DB_PASSWORD, or pass --password-stdin, --generate-password or --managed-password")
	}
	req = req.named()
	name := req.Name
	if err := ValidateStackName(name); err != nil {
		return nil, err
	}
	req.Commands = req.Commands.In(s.Region())
	if _, err := a.MaskRules(); err != nil {
		return nil, &SourceError{Msg: "the artifact's " + err.Error() + ": fix the artifact's [masking] section and rebuild it"}
	}
	p := newPacer(req.PollInterval, req.ThrottleBudget, req.Clock, req.Rand)

	id, err := s.CallerIdentity(ctx)
	if err != nil {
		return nil, err
	}
	stack, err := existing(ctx, s, name, a, id.ARN)
	if err != nil {
		return nil, err
	}

	var stackID string
	var pf *Preflight // nil when following a stack: nothing is created then
	var exp *Expiry   // the schedule that deletes the new clone, if any
	attached := stack != nil
	if attached {
		stackID = stack.ID
	} else {
		if pf, err = req.preflight(ctx, s, emit); err != nil {
			return nil, err
		}
		created := now()
		ttl, err := EffectiveTTL(a, req.TTL)
		if err != nil {
			return nil, err
		}
		if ttl > 0 {
			role, err := ExpiryRole(ctx, s)
			if err != nil {
				return nil, err
			}
			if role != "" {
				exp = &Expiry{At: created.Add(ttl).UTC().Truncate(time.Second), RoleARN: role}
			}
		}
		tmpl, err := ExpiringTemplate(a, name, exp)
		if err != nil {
			return nil, err
		}
		// One token per clone: the SDK's retries of this call resend it, so
		// a retried CreateStack is the same request, not a second stack.
		token := "dbaf-" + name + "-" + strconv.FormatInt(now().UnixNano(), 36)
		tags := StackTags(a, id.ARN, created)
		delete(tags, TagExpiresAt)
		if ttl > 0 {
			tags[TagExpiresAt] = created.Add(ttl).UTC().Truncate(time.Second).Format(time.RFC3339)
		}
		if exp != nil {
			tags[TagExpirySchedule] = name
			if a.CloneTTL > 0 {
				tags[TagMaxExpiresAt] = created.Add(time.Duration(a.CloneTTL)).UTC().Truncate(time.Second).Format(time.RFC3339)
			}
		}
		if pf.Restore != "" {
			tags[TagRestore] = pf.Restore // what dbaf list and the handover of a followed stack say
		}
		stackID, err = s.CreateStack(ctx, aws.CreateStackInput{Name: name, Template: tmpl, Tags: tags,
			KeepOnFailure: req.KeepOnFailure, Token: token})
		var awsErr *aws.Error
		switch {
		case errors.As(err, &awsErr) && awsErr.Kind == aws.AlreadyExists:
			// Another caller created it between our look and our create:
			// follow theirs, if it is a clone we may follow.
			if stack, err = existing(ctx, s, name, a, id.ARN); err != nil {
				return nil, err
			}
			if stack == nil {
				return nil, fmt.Errorf("stack %s was reported to exist, then not found: try again", name)
			}
			attached, stackID = true, stack.ID
		case err != nil && ctx.Err() != nil:
			return nil, &InterruptedError{Stack: name, State: StateMayExist, Commands: req.Commands}
		case err != nil:
			return nil, err
		}
	}
	resources := TemplateResources(a)
	if exp != nil {
		resources = append(resources, ExpiryResource)
	}
	emit(CloneStarted{Stack: name, StackID: stackID, Source: a.Source.ClusterID, Region: s.Region(),
		Class: a.Target.InstanceClass, Resources: resources, Attached: attached})
	emit(Phase{Phase: PhaseCreating})

	if attached && stack.Status == "CREATE_COMPLETE" {
		// Nothing to watch: go straight to the endpoint.
	} else {
		res, err := watch(ctx, s, stackID, "", nil, p, emit)
		if err != nil {
			state := StateCreating
			if res != nil && res.final.Status == "CREATE_COMPLETE" { // stopped in the last poll
				state = StateNoPassword
			}
			return nil, stranded(ctx, s, req, state, err, emit)
		}
		if res.final.Status != "CREATE_COMPLETE" {
			return nil, failed(req, res, emit)
		}
	}
	return finish(ctx, s, req, name, p, pf, !attached, emit)
}

// preflight is the clone's preflight: the one this run already made of
// the same source, reported as it was (its warnings first, as they came),
// or a new one.
func (req CloneRequest) preflight(ctx context.Context, s PreflightAWS, emit Emit) (*Preflight, error) {
	// AWS names clusters in lower case, whatever case the INI used.
	if req.checked == nil || req.checked.Preflight == nil || !strings.EqualFold(req.checked.Preflight.Source, req.Artifact.Source.ClusterID) {
		return preflight(ctx, s, req.Artifact, emit)
	}
	done := req.checked.Preflight
	for _, w := range req.checked.Warnings {
		emit(Warning{Message: w})
	}
	pf := *done
	emit(pf)
	return &pf, nil
}

// preflight runs the checks before CreateStack and reports what they saw,
// also when they refuse the clone.
func preflight(ctx context.Context, s PreflightAWS, a *Artifact, emit Emit) (*Preflight, error) {
	pf, err := RunPreflight(ctx, s, a.Source, func(msg string) { emit(Warning{Message: msg}) })
	if pf != nil {
		emit(*pf)
	}
	return pf, err
}

// existing returns the live stack of that name (nil when there is none),
// refusing one the caller may not follow: a stack dbaf did not create, or a
// clone of another source, or one owned by someone else, whose password
// this clone would otherwise reset.
func existing(ctx context.Context, s Stacks, name string, a *Artifact, caller string) (*aws.Stack, error) {
	stack, err := s.DescribeStack(ctx, name)
	var awsErr *aws.Error
	switch {
	case err == nil && stack.Status == "DELETE_COMPLETE":
		return nil, nil // a deleted stack's name is free again
	case errors.As(err, &awsErr) && awsErr.Kind == aws.NotFound:
		return nil, nil
	case err != nil:
		return nil, err
	case !IsDbafStack(stack.Tags):
		return nil, &SourceError{Msg: fmt.Sprintf("stack %s exists and was not created by dbaf: choose another --name", name)}
	}
	owner, source := stack.Tags[TagOwner], stack.Tags[TagSourceCluster]
	if owner != tagValue(caller) || source != tagValue(a.Source.ClusterID) {
		return nil, &SourceError{Msg: fmt.Sprintf("stack %s is a clone of %s owned by %s; you are %s cloning %s: "+
			"dbaf follows only your own clone of the same source; choose another --name",
			name, orUnknown(source), orUnknown(owner), caller, a.Source.ClusterID)}
	}
	if strings.HasPrefix(stack.Status, "DELETE_") {
		return nil, &SourceError{Msg: fmt.Sprintf("stack %s is being deleted (%s): wait until it is gone (dbaf list), or choose another --name", name, stack.Status)}
	}
	return stack, nil
}

func orUnknown(s string) string {
	if s == "" {
		return "(unknown: no tag)"
	}
	return s
}

// stranded explains a failure after the stack exists. A stack someone tore
// down meanwhile is a failed clone with nothing left; anything else leaves a
// billed stack, named with its state and the commands to resume or remove it.
func stranded(ctx context.Context, s Stacks, req CloneRequest, state StackState, err error, emit Emit) error {
	if ctx.Err() != nil {
		return &InterruptedError{Stack: req.Name, State: state, Commands: req.Commands}
	}
	if tornDown(ctx, s, req.Name) {
		return tornDownFailed(req, "this clone was being made", err, emit)
	}
	var tb *ThrottleBudgetError
	if errors.As(err, &tb) && tb.Stack == "" {
		tb.Stack = req.Name // the watch does not know the stack's name; StrandedError adds the commands
	}
	return &StrandedError{Stack: req.Name, State: state, Err: err, Commands: req.Commands}
}

// tornDown reports whether the stack is being deleted or is gone: someone
// else tore the clone down while this run was making it. A stack dbaf
// cannot read is not called torn down.
func tornDown(ctx context.Context, s Stacks, name string) bool {
	st, err := s.DescribeStack(ctx, name)
	return err == nil && strings.HasPrefix(st.Status, "DELETE_") || isNotFound(err)
}

// tornDownFailed is the end of a clone whose stack someone else deleted
// while during (what this run was doing); cause, when set, is what that
// step saw (an error from a cluster going away).
func tornDownFailed(req CloneRequest, during string, cause error, emit Emit) error {
	f := CloneFailed{Stack: req.Name, Reason: "the stack was torn down by someone else (dbaf teardown or DeleteStack) while " + during,
		Publisher: req.Artifact.Publisher, Cleanup: "its resources are deleted with it: nothing is left behind"}
	emit(f)
	return &CloneError{Failed: f, Err: cause}
}

func isNotFound(err error) bool {
	var e *aws.Error
	return errors.As(err, &e) && e.Kind == aws.NotFound
}

func failed(req CloneRequest, res *watchResult, emit Emit) error {
	name, a, kept, teardown := req.Name, req.Artifact, req.KeepOnFailure, req.Commands.Teardown(req.Name)
	resource, reason := RootCause(res.events)
	f := CloneFailed{Stack: name, Resource: resource, Reason: reason, Publisher: a.Publisher, Kept: kept}
	if deletedByUser(res.events) {
		f.Resource = ""
		f.Reason = "the stack was torn down by someone else (dbaf teardown or DeleteStack) while it was being created"
	}
	switch {
	case res.final.Status == "DELETE_COMPLETE":
		f.Kept = false
		f.Cleanup = "everything it created was deleted with the stack: nothing is left behind"
	case kept:
		f.Cleanup = fmt.Sprintf("the stack was kept for inspection (status %s); remove it with: %s", res.final.Status, teardown)
		f.Teardown = teardown
	default:
		f.Cleanup = fmt.Sprintf("the stack ended in %s and may hold resources; remove it with: %s", res.final.Status, teardown)
		f.Teardown = teardown
	}
	emit(f)
	return &CloneError{Failed: f}
}

// deletedByUser reports whether someone deleted the stack while it was being
// created (a DeleteStack call, not CloudFormation's own cleanup of a failure).
func deletedByUser(events []aws.StackEvent) bool {
	for _, e := range events {
		if e.IsStack() && e.Status == "DELETE_IN_PROGRESS" && e.Reason == "User Initiated" {
			return true
		}
	}
	return false
}

// finish reads the outputs, checks the network, says how the clone was
// made (restoreOf), resets the password (unless an earlier run did and this
// one was not asked to), waits until the cluster is available again and
// logs in to it. pf is the preflight's report, nil when following a stack.
func finish(ctx context.Context, s Stacks, req CloneRequest, name string, p *pacer, pf *Preflight, created bool, emit Emit) (*CloneReady, error) {
	a := req.Artifact
	state := StateNoPassword
	stack, err := s.DescribeStack(ctx, name)
	if err != nil {
		return nil, stranded(ctx, s, req, state, err, emit)
	}
	clusterID := stack.Outputs["ClusterId"]
	if clusterID == "" {
		clusterID = name
	}
	cluster, err := checkNetwork(ctx, s, name, clusterID, p, emit)
	if err != nil {
		return nil, stranded(ctx, s, req, state, err, emit)
	}
	fullCopy, restore := restoreOf(a, pf, stack.Tags)

	masked := false
	if a.Masks() {
		mask := created // the run that created the stack masks it
		if !created {
			// Another run created it: wait for that run's masking, and
			// mask here only when no run is at it.
			if mask, err = awaitMasking(ctx, s, req, name, clusterID, p, emit); err != nil {
				return nil, err
			}
			if cluster, err = s.ClusterSummary(ctx, clusterID); err != nil { // the tags that run left
				return nil, stranded(ctx, s, req, state, err, emit)
			}
		}
		if mask {
			if err := maskClone(ctx, s, req, stack, cluster, p, emit); err != nil {
				return nil, err
			}
			masked = true
		}
	}

	// After masking the clone holds a temporary password: always set the
	// developer's, or have RDS manage it. A clone whose password RDS
	// already manages keeps its secret: that is the handover.
	managed, secretARN := a.Target.ManagedPassword || cluster.MasterUserSecretARN != "", cluster.MasterUserSecretARN
	reset := true
	switch at, done := cluster.Tags[TagPasswordResetAt]; {
	case masked:
	case secretARN != "":
		reset = false
		emit(Progress{Step: string(PhaseResetting), Line: "RDS already manages the master password in " + secretARN + ": it is left as it is"})
	case done && !managed && !req.ResetPassword:
		reset = false
		emit(Warning{Message: fmt.Sprintf("the master password of %s was already set by dbaf at %s: it is left as it is (pass --reset-password to set it to yours)", name, at)})
	}
	if reset {
		emit(Phase{Phase: PhaseResetting})
		var err error
		if managed {
			emit(Progress{Step: string(PhaseResetting), Line: "having RDS generate the master password and keep it in Secrets Manager"})
			secretARN, err = s.ManageMasterPassword(ctx, clusterID)
		} else {
			err = s.ResetMasterPassword(ctx, clusterID, req.Password)
		}
		if err != nil {
			return nil, stranded(ctx, s, req, state, err, emit)
		}
		state = StateResetting
		// Recorded so that a second caller following this clone does not
		// reset the password again behind this one's back.
		if err := s.TagCluster(ctx, cluster.ARN, map[string]string{TagPasswordResetAt: req.now()().UTC().Format(time.RFC3339)}); err != nil {
			emit(Warning{Message: fmt.Sprintf("could not record the password reset on %s (%v): a later dbaf clone --name %s would reset it again", clusterID, err, name)})
		}
	}
	emit(Phase{Phase: PhaseWaiting})
	if err := waitSettled(ctx, s, clusterID, reset, managed, p, emit); err != nil {
		return nil, stranded(ctx, s, req, state, err, emit)
	}

	ready := CloneReady{Stack: name, ClusterID: clusterID, Endpoint: stack.Outputs["Endpoint"], ReaderEndpoint: stack.Outputs["ReaderEndpoint"],
		Port: stack.Outputs["Port"], Username: a.Source.MasterUsername, PasswordReset: reset, FullCopy: fullCopy, Restore: restore}
	password := req.Password
	if managed {
		if password, secretARN, err = managedPassword(ctx, s, clusterID, secretARN); err != nil {
			return nil, stranded(ctx, s, req, StateLoggingIn, err, emit)
		}
		ready.SecretARN, ready.PasswordCommand = secretARN, req.Commands.Secret(s.Region(), secretARN)
	}
	emit(Phase{Phase: PhaseLoggingIn})
	if ready.Login, err = login(ctx, s, req, password, &ready, emit); err != nil {
		return nil, err
	}
	// A teardown by someone else while this run masked or logged in leaves
	// a login that worked on a clone being deleted: never hand that over.
	if tornDown(ctx, s, name) {
		return nil, tornDownFailed(req, "dbaf was finishing it (masking, its password, the login)", nil, emit)
	}
	ready.Connection = req.Commands.Connection(cloneTarget(a, req.CA, ready.Endpoint, ready.Port, ""))
	if t, ok := ExpiresAt(stack.Tags); ok {
		ready.ExpiresAt = &t
		ready.Enforced = stack.Tags[TagExpirySchedule] != ""
	}
	if req.PasswordGenerated && reset && !managed {
		ready.Password = req.Password
	}
	emit(Phase{Phase: PhaseReady})
	emit(ready)
	return &ready, nil
}

// waitAvailable polls the cluster until it is available, backing off
// through throttling within the pacer's budget.
func waitAvailable(ctx context.Context, s Stacks, clusterID string, p *pacer, emit Emit) error {
	return waitSettled(ctx, s, clusterID, false, false, p, emit)
}

// waitSettled waits, within the pacer's budget, for the cluster to be
// available and, after a password change (reset), for that change to be
// applied: on AWS the cluster may read "available" for a while after
// ModifyDBCluster, with the new password still pending, and a managed
// password's secret is "creating" before it is "active". The first
// "available" is not enough; what it still waits for goes to the stream.
func waitSettled(ctx context.Context, s Stacks, clusterID string, reset, managed bool, p *pacer, emit Emit) error {
	p.first = true
	said := ""
	for {
		if err := p.wait(ctx); err != nil {
			return err
		}
		c, err := s.ClusterSummary(ctx, clusterID)
		if isThrottled(err) {
			const call = "rds:DescribeDBClusters"
			next, ok := p.throttled()
			if !ok {
				return p.overBudget(call, err)
			}
			emit(Throttled{Call: call, RetryIn: next})
			continue
		}
		if err != nil {
			return err
		}
		p.ok()
		wait := ""
		switch {
		case c.Status != "available":
		case reset && c.PendingPassword:
			wait = "the cluster reads available, but its new master password is still pending"
		case managed && c.SecretStatus != "" && c.SecretStatus != "active":
			wait = fmt.Sprintf("the master password's secret is %s, not yet active", orNone(c.SecretStatus))
		default:
			return nil
		}
		if wait != "" && wait != said {
			emit(Progress{Step: string(PhaseWaiting), Line: "waiting: " + wait})
			said = wait
		}
	}
}

func orNone(s string) string {
	if s == "" {
		return "not reported"
	}
	return s
}

// checkNetwork verifies the clone sits in the subnet group and security
// group the stack created: CloudFormation once ignored both on clones.
func checkNetwork(ctx context.Context, s Stacks, stack, clusterID string, p *pacer, emit Emit) (*aws.Cluster, error) {
	resources, err := s.StackResources(ctx, stack)
	if err != nil {
		return nil, err
	}
	c, err := describeNew(ctx, s, stack, clusterID, p, emit)
	if err != nil {
		return nil, err
	}
	for _, r := range resources {
		switch r.Type {
		case "AWS::RDS::DBSubnetGroup":
			if !strings.EqualFold(c.SubnetGroup, r.PhysicalID) {
				emit(Warning{Message: fmt.Sprintf("the clone is in subnet group %q, not the %q its stack created: check its network before use", c.SubnetGroup, r.PhysicalID)})
			}
		case "AWS::EC2::SecurityGroup":
			if !slices.Contains(c.SecurityGroups, r.PhysicalID) {
				emit(Warning{Message: fmt.Sprintf("the clone has security groups %v, not %s that its stack created: its access rules may not be the artifact's", c.SecurityGroups, r.PhysicalID)})
			}
		}
	}
	return c, nil
}

// NewClusterWait bounds how long dbaf retries a cluster its stack has just
// created that DescribeDBClusters does not find: AWS's describe calls are
// eventually consistent and may miss a resource for a short while after it
// is created, which is no reason to strand the clone.
const NewClusterWait = time.Minute

// describeNew describes the cluster stack has just created, retrying a
// not-found on the pacer's clock, the waits doubling from its interval,
// until NewClusterWait has passed; each retry is a progress line.
func describeNew(ctx context.Context, s Stacks, stack, clusterID string, p *pacer, emit Emit) (*aws.Cluster, error) {
	next, waited := p.interval, time.Duration(0)
	for {
		c, err := s.ClusterSummary(ctx, clusterID)
		if err == nil || !isNotFound(err) {
			return c, err
		}
		if waited >= NewClusterWait {
			return nil, fmt.Errorf("stack %s is complete, but rds:DescribeDBClusters still does not find its cluster %s after %s of retries (AWS's describe calls lag a create, but not this long): %w",
				stack, clusterID, waited.Round(time.Millisecond), err)
		}
		next = min(next, NewClusterWait-waited)
		emit(Progress{Step: string(PhaseCreating), Line: fmt.Sprintf("the new cluster %s is not visible to DescribeDBClusters yet (AWS's describe calls may lag a create): retrying in %s", clusterID, next.Round(time.Millisecond))})
		if err := p.clock.Sleep(ctx, next); err != nil {
			return nil, err
		}
		waited += next
		next *= 2
	}
}

// ConnectionString is the engine's client command line for t, without the
// password (the client prompts for it), verifying the server with t's CA
// file: the command dbaf connect runs, spelled for a shell.
func ConnectionString(t db.Target) string {
	t.Password = ""
	c := db.ClientFor(t)
	return ShellJoin(append([]string{c.Program}, c.Args...))
}

// login proves the handover: it logs in to the ready clone with the
// caller's password and summarises what is there. An endpoint this machine
// cannot reach (a private subnet seen from a laptop) is a success with a
// note; a refusal of the password this run set is a failed clone. When an
// earlier run set the password and this one left it alone, the caller's
// password may rightly not be the clone's: a refusal is only a warning.
func login(ctx context.Context, s Stacks, req CloneRequest, password string, ready *CloneReady, emit Emit) (*LoginSummary, error) {
	t := cloneTarget(req.Artifact, req.CA, ready.Endpoint, ready.Port, password)
	check := req.Login
	if check == nil {
		check = defaultLogin(req.LoginWait, PhaseLoggingIn, emit)
	}
	sum, err := check(ctx, t)
	managed := ready.SecretARN != ""
	if managed {
		err = secret.Scrub(err, password, "[the managed password]")
	}
	var refused *db.LoginRefusedError
	switch {
	case err == nil:
		return loginSummary(sum), nil
	case ctx.Err() != nil:
		return nil, &InterruptedError{Stack: ready.Stack, State: StateLoggingIn, Commands: req.Commands}
	case errors.Is(err, db.ErrUnreachable):
		l := loginSummary(sum)
		l.Reachable, l.LoggedIn = false, false
		l.Note = db.UnreachableAdvice + " (" + strings.TrimPrefix(err.Error(), db.ErrUnreachable.Error()+": ") + ")"
		return l, nil
	case errors.As(err, &refused) && !ready.PasswordReset && !managed: // a managed password is read fresh: no earlier one to blame
		emit(Warning{Message: fmt.Sprintf("%v: an earlier run set this clone's password and dbaf left it alone; "+
			"use that password, or set yours with %s", err, req.Commands.ResumeReset(ready.Stack))})
		return &LoginSummary{Reachable: true, Note: "login refused: the password is the one an earlier run set"}, nil
	}
	if tornDown(ctx, s, ready.Stack) { // the login failed because the clone is going away
		return nil, tornDownFailed(req, "dbaf was logging in to it", err, emit)
	}
	reason := "the login check failed: " + err.Error()
	if refused != nil {
		reason = "the clone refused its new master password: " + err.Error()
	}
	resume := req.Commands.ResumeReset(ready.Stack)
	if managed {
		resume = req.Commands.Resume(ready.Stack)
	}
	f := CloneFailed{Stack: ready.Stack, Reason: reason, Publisher: req.Artifact.Publisher, Kept: true,
		State: StateLoginFailed, Resume: resume, Teardown: req.Commands.Teardown(ready.Stack),
		Cleanup: leftRunningResume(req.Commands, ready.Stack, StateLoginFailed, resume)}
	emit(f)
	return nil, &CloneError{Failed: f, Err: err}
}

// defaultLogin is db.Check bounded by wait, each retry reported as a step
// of phase.
func defaultLogin(wait time.Duration, phase PhaseID, emit Emit) LoginChecker {
	if wait <= 0 {
		wait = DefaultLoginWait
	}
	o := db.CheckOptions{LoginWindow: wait, ReachWindow: min(wait, db.DefaultReachWindow),
		OnRetry: func(attempt int, err error, next time.Duration) {
			emit(Progress{Step: string(phase), Line: fmt.Sprintf("login attempt %d: %v; retrying in %s", attempt, err, next)})
		}}
	return func(ctx context.Context, t db.Target) (*db.Summary, error) { return db.Check(ctx, t, o) }
}

func loginSummary(s *db.Summary) *LoginSummary {
	if s == nil {
		return &LoginSummary{}
	}
	return &LoginSummary{Reachable: s.Reachable, LoggedIn: s.Reachable, ServerVersion: s.ServerVersion, Database: s.Database,
		Schemas: s.Schemas, Tables: s.Tables, SizeBytes: s.SizeBytes,
		LatencyMS: float64(s.LoginLatency.Microseconds()) / 1000}
}
