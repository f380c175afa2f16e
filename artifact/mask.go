package artifact

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/dbaf/dbaf/aws"
	"github.com/dbaf/dbaf/db"
	"github.com/dbaf/dbaf/internal/clock"
	"github.com/dbaf/dbaf/internal/masking"
	"github.com/dbaf/dbaf/internal/secret"
)

// Masker masks a clone and runs its post-clone hooks; DBMasker (package
// db) by default, fakes in tests.
type Masker interface {
	Mask(ctx context.Context, t db.Target, rules []db.Rule, o db.MaskOptions) ([]db.TableProgress, error)
	RunHooks(ctx context.Context, t db.Target, hooks []db.Hook, o db.HookOptions) error
}

// DBMasker masks with set-based SQL on the server (db.Mask) and runs hooks
// with db.RunHooksWith.
type DBMasker struct{}

func (DBMasker) Mask(ctx context.Context, t db.Target, rules []db.Rule, o db.MaskOptions) ([]db.TableProgress, error) {
	return db.Mask(ctx, t, rules, o)
}

func (DBMasker) RunHooks(ctx context.Context, t db.Target, hooks []db.Hook, o db.HookOptions) error {
	return db.RunHooksWith(ctx, t, hooks, o)
}

// DefaultHookTimeout is CloneRequest.HookTimeout's default: how long one
// post-clone hook file may run.
const DefaultHookTimeout = 10 * time.Minute

// Masks reports whether the artifact's clones are masked or run hooks
// before the developer's password is set.
func (a *Artifact) Masks() bool { return len(a.Masking) > 0 || len(a.Hooks) > 0 }

// MaskRules reads the artifact's masking rules for package db; an error
// names the rule and how to write it.
func (a *Artifact) MaskRules() ([]db.Rule, error) {
	out := make([]db.Rule, 0, len(a.Masking))
	for _, m := range a.Masking {
		parts := strings.Split(m.Column, ".")
		if len(parts) != 3 || slicesHasEmpty(parts) {
			return nil, fmt.Errorf("masking rule %q: name the column as schema.table.column (MySQL: database.table.column)", m.Column)
		}
		st, err := masking.Parse(m.Strategy)
		if err != nil {
			return nil, fmt.Errorf("masking rule %s = %s: %w", m.Column, m.Strategy, err)
		}
		out = append(out, db.Rule{Schema: parts[0], Table: parts[1], Column: parts[2], Strategy: st})
	}
	return out, nil
}

func slicesHasEmpty(ss []string) bool {
	for _, s := range ss {
		if s == "" {
			return true
		}
	}
	return false
}

func dbHooks(a *Artifact) []db.Hook {
	out := make([]db.Hook, len(a.Hooks))
	for i, h := range a.Hooks {
		out[i] = db.Hook{Name: h.Name, SQL: h.SQL}
	}
	return out
}

// A run that follows a masked clone another run created waits for that
// run (the one whose CreateStack succeeded) to mask it: the masking run
// shows it is alive on the cluster's tags every maskingHeartbeat, and
// maskingSilence without a sign means it died.
const (
	maskingHeartbeat = time.Minute
	maskingSilence   = 3 * maskingHeartbeat
	// leaderStartGrace is how long a follower waits for a run to start
	// masking before it masks the clone itself (its creator died first).
	leaderStartGrace = time.Minute
	// DefaultLeaderWait is CloneRequest.LeaderWait's default.
	DefaultLeaderWait = 30 * time.Minute
)

// awaitMasking is the masking phase of a run that follows a masked clone
// another run created: it waits, within req.LeaderWait, for that run to
// mask the clone and set its password, and shares the outcome. It returns
// mask=true when no run is masking the clone: this run masks it then.
func awaitMasking(ctx context.Context, s Stacks, req CloneRequest, name, clusterID string, p *pacer, emit Emit) (mask bool, err error) {
	bound := req.LeaderWait
	if bound <= 0 {
		bound = DefaultLeaderWait
	}
	grace := min(leaderStartGrace, bound)
	now := req.now()
	silent := func(at string) bool {
		t, err := time.Parse(time.RFC3339, at)
		return err != nil || now().Sub(t) > maskingSilence
	}
	emit(Phase{Phase: PhaseMasking})
	said := ""
	say := func(line string) {
		if line != said {
			emit(Progress{Step: string(PhaseMasking), Line: line})
			said = line
		}
	}
	p.first = true
	var waited time.Duration
	for {
		if err := p.wait(ctx); err != nil {
			return false, &InterruptedError{Stack: name, State: StateMaskedElsewhere, Commands: req.Commands}
		}
		c, err := s.ClusterSummary(ctx, clusterID)
		if isThrottled(err) {
			const call = "rds:DescribeDBClusters"
			next, ok := p.throttled()
			if !ok {
				return false, stranded(ctx, s, req, StateMaskedElsewhere, p.overBudget(call, err), emit)
			}
			emit(Throttled{Call: call, RetryIn: next})
			continue
		}
		if err == nil && c.Status == "deleting" || isNotFound(err) {
			return false, tornDownFailed(req, "another dbaf run was masking it (a run whose masking fails tears its clone down, and says why)", err, emit)
		}
		if err != nil {
			return false, stranded(ctx, s, req, StateMaskedElsewhere, err, emit)
		}
		p.ok()
		tags := c.Tags
		maskedAt, startedAt := tags[TagMaskedAt], tags[TagMaskingStartedAt]
		switch {
		case maskedAt != "" && (tags[TagPasswordResetAt] != "" || c.MasterUserSecretARN != "" || silent(maskedAt)):
			// Handed over, or masked by a run that stopped before setting
			// the password: this run sets it then.
			emit(Progress{Step: string(PhaseMasking), Line: "masked by another run at " + maskedAt + ": not masked again"})
			return false, nil
		case maskedAt != "":
			say("masked by another dbaf run at " + maskedAt + "; waiting for it to set the master password")
		case startedAt != "":
			last := cmp.Or(tags[TagMaskingAliveAt], startedAt)
			if silent(last) {
				return false, unfinishedMasking(req, name, startedAt, last, emit)
			}
			say(fmt.Sprintf("being masked by another dbaf run since %s: waiting for it to finish (up to %s)", startedAt, bound))
		case waited >= grace:
			emit(Progress{Step: string(PhaseMasking), Line: "no dbaf run is masking it: masking it here"})
			return true, nil
		default:
			say("waiting for the dbaf run that created this clone to mask it")
		}
		if waited >= bound {
			return false, leaderTooSlow(req, name, startedAt, bound, emit)
		}
		waited += p.interval
	}
}

// leaderTooSlow ends a follower that waited its bound for the run masking
// the clone: that run is alive and at work, so the clone is not torn down.
func leaderTooSlow(req CloneRequest, stack, startedAt string, waited time.Duration, emit Emit) error {
	f := CloneFailed{Stack: stack, Publisher: req.Artifact.Publisher, Kept: true, State: StateMaskedElsewhere,
		Resume: req.Commands.Resume(stack), Teardown: req.Commands.Teardown(stack),
		Reason: fmt.Sprintf("another dbaf run is still masking this clone (since %s) after this run waited %s for it: "+
			"it hands the clone over when done; run the same command again to wait for it", orUnknown(startedAt), waited)}
	f.Cleanup = leftRunning(req.Commands, stack, StateMaskedElsewhere)
	emit(f)
	return &CloneError{Failed: f}
}

// heartbeat tags the cluster every maskingHeartbeat until stop is called,
// so that runs following the clone see this one is alive. Best effort: a
// missed beat only makes a follower give up on this run sooner.
func heartbeat(ctx context.Context, s Stacks, clusterARN string, now func() time.Time) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		clock.Every(ctx, nil, maskingHeartbeat, func() {
			_ = s.TagCluster(ctx, clusterARN, map[string]string{TagMaskingAliveAt: now().UTC().Format(time.RFC3339)})
		})
	}()
	return func() { cancel(); <-done }
}

// cloneTarget is where dbaf logs in to the clone, as its master user.
func cloneTarget(a *Artifact, ca *db.CA, endpoint, port, password string) db.Target {
	p, err := strconv.Atoi(port)
	if err != nil {
		p = int(a.Source.Port)
	}
	return db.Target{Engine: a.Source.Engine, Host: endpoint, Port: p, User: a.Source.MasterUsername, Password: password, CA: ca}
}

// maskClone is the masking phase: a temporary password no one sees, a
// login, the masking rules, the hooks in order, then the clone is recorded
// as masked. Any failure tears the clone down (unless KeepOnFailure):
// unmasked data is never handed over.
func maskClone(ctx context.Context, s Stacks, req CloneRequest, stack *aws.Stack, cluster *aws.Cluster, p *pacer, emit Emit) error {
	a := req.Artifact
	rules, err := a.MaskRules()
	if err != nil { // checked before the stack was created; kept as a guard
		return maskFailed(ctx, s, req, stack, err, emit)
	}
	hooks := dbHooks(a)
	now := req.now()
	emit(Phase{Phase: PhaseMasking})
	if err := s.TagCluster(ctx, cluster.ARN, map[string]string{TagMaskingStartedAt: now().UTC().Format(time.RFC3339)}); err != nil {
		emit(Warning{Message: fmt.Sprintf("could not record on %s that masking started (%v): a later dbaf clone --name %s cannot tell an unfinished masking", cluster.ID, err, stack.Name)})
	}
	defer heartbeat(ctx, s, cluster.ARN, now)()
	temp := GeneratePassword() // used by this process alone, never emitted
	fail := func(err error) error {
		if ctx.Err() != nil {
			return &InterruptedError{Stack: stack.Name, State: StateMasking, Commands: req.Commands}
		}
		if tornDown(ctx, s, stack.Name) { // the masking failed because the clone is going away
			return tornDownFailed(req, "this clone was being masked", secret.Scrub(err, temp, "[temporary password]"), emit)
		}
		return maskFailed(ctx, s, req, stack, secret.Scrub(err, temp, "[temporary password]"), emit)
	}

	emit(Progress{Step: string(PhaseMasking), Line: "setting a temporary master password that is never shown, so no one logs in before masking is done"})
	if err := s.ResetMasterPassword(ctx, cluster.ID, temp); err != nil {
		return fail(fmt.Errorf("setting the temporary master password: %w", err))
	}
	emit(Progress{Step: string(PhaseMasking), Line: "waiting for the cluster to apply it"})
	if err := waitAvailable(ctx, s, cluster.ID, p, emit); err != nil {
		return fail(err)
	}
	t := cloneTarget(a, req.CA, stack.Outputs["Endpoint"], stack.Outputs["Port"], temp)
	check := req.Login
	if check == nil {
		check = defaultLogin(req.LoginWait, PhaseMasking, emit)
	}
	if _, err := check(ctx, t); err != nil {
		if errors.Is(err, db.ErrUnreachable) {
			return fail(fmt.Errorf("dbaf cannot reach the clone from here to mask it (%v): run dbaf clone from inside the clone's VPC", err))
		}
		return fail(fmt.Errorf("logging in to mask the clone: %w", err))
	}
	m := req.Masker
	if m == nil {
		m = DBMasker{}
	}
	if len(rules) > 0 {
		emit(Progress{Step: string(PhaseMasking), Line: fmt.Sprintf("masking %d columns on the server", len(rules))})
		_, err := m.Mask(ctx, t, rules, db.MaskOptions{Progress: func(tp db.TableProgress) {
			table := tp.Schema + "." + tp.Table
			if tp.Done {
				emit(MaskTableDone{Table: table, Rows: tp.Rows, Elapsed: tp.Elapsed})
			} else {
				emit(MaskTableStarted{Table: table})
			}
		}})
		if err != nil {
			return fail(fmt.Errorf("masking failed: %w", err))
		}
	}
	if len(hooks) > 0 {
		timeout := cmp.Or(req.HookTimeout, DefaultHookTimeout)
		err := m.RunHooks(ctx, t, hooks, db.HookOptions{Timeout: timeout,
			Started: func(h db.Hook) { emit(HookStarted{Hook: h.Name}) },
			Done:    func(h db.Hook, elapsed time.Duration) { emit(HookDone{Hook: h.Name, Elapsed: elapsed}) }})
		var te *db.HookTimeoutError
		switch {
		case errors.As(err, &te):
			return fail(fmt.Errorf("post-clone hook failed: %w (raise the limit with --hook-timeout, or ask the artifact's publisher to make the hook faster)", err))
		case err != nil:
			return fail(fmt.Errorf("post-clone hook failed: %w", err))
		}
	}
	if err := s.TagCluster(ctx, cluster.ARN, map[string]string{TagMaskedAt: now().UTC().Format(time.RFC3339)}); err != nil {
		emit(Warning{Message: fmt.Sprintf("could not record on %s that it is masked (%v): a later dbaf clone --name %s will refuse to follow it", cluster.ID, err, stack.Name)})
	}
	return nil
}

// maskFailed ends a clone whose masking or hooks failed: it tears the
// clone down, or with KeepOnFailure keeps it and says how to get in. The
// temporary password is never revealed either way.
func maskFailed(ctx context.Context, s Stacks, req CloneRequest, stack *aws.Stack, cause error, emit Emit) error {
	a := req.Artifact
	f := CloneFailed{Stack: stack.Name, Reason: cause.Error(), Publisher: a.Publisher}
	if !req.KeepOnFailure {
		// The teardown's own opening and final events are not this
		// stream's: it ends with CloneFailed alone.
		tdEmit := func(e Event) {
			switch e.(type) {
			case TeardownStarted, TornDown, TeardownFailed:
				return
			}
			emit(e)
		}
		err := teardown(ctx, TeardownRequest{Stack: stack.Name, PollInterval: req.PollInterval, ThrottleBudget: req.ThrottleBudget,
			Clock: req.Clock, Rand: req.Rand, Commands: req.Commands}, s, tdEmit)
		if err == nil {
			f.Cleanup = "the clone was torn down, its unmasked data with it: nothing is left behind"
			emit(f)
			return &CloneError{Failed: f, Err: cause}
		}
		f.Cleanup = fmt.Sprintf("dbaf could not tear the clone down (%v): ", err)
	} else {
		f.Cleanup = "the stack was kept for inspection (--keep-on-failure): "
	}
	clusterID := stack.Outputs["ClusterId"]
	if clusterID == "" {
		clusterID = stack.Name
	}
	f.Kept, f.State, f.Teardown = true, StateMaskFailed, req.Commands.Teardown(stack.Name)
	f.Cleanup += fmt.Sprintf("its data is UNMASKED, and its master password is a temporary one dbaf never shows. "+
		"To get in, set a password yourself: aws rds modify-db-cluster --db-cluster-identifier %s --master-user-password … --apply-immediately. "+
		"Remove it with: %s", clusterID, f.Teardown)
	emit(f)
	return &CloneError{Failed: f, Err: cause}
}

// unfinishedMasking refuses to hand over a clone an earlier run started to
// mask and never finished: its data may be unmasked.
func unfinishedMasking(req CloneRequest, stack, started, lastSign string, emit Emit) error {
	f := CloneFailed{Stack: stack, Publisher: req.Artifact.Publisher, Kept: true, State: StateMaskFailed, Teardown: req.Commands.Teardown(stack),
		Reason: fmt.Sprintf("an earlier run started masking this clone at %s and stopped (no sign of it since %s) before it finished: "+
			"its data may be unmasked, so dbaf does not hand it over", started, lastSign)}
	f.Cleanup = leftRunning(req.Commands, stack, StateMaskFailed)
	emit(f)
	return &CloneError{Failed: f}
}
