package cloneview

import (
	"context"
	"errors"
	"fmt"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"

	"github.com/dbaf/dbaf/artifact"
	"github.com/dbaf/dbaf/ui/clonesummary"
	"github.com/dbaf/dbaf/ui/common"
	"github.com/dbaf/dbaf/ui/passwordform"
	"github.com/dbaf/dbaf/ui/printer"
	"github.com/dbaf/dbaf/ui/stackprogress"
)

// Clone is the one clone the view makes: *artifact.ClonePlan, which owns
// its stack name, its preflight and the reuse of it, and its run.
type Clone interface {
	// Name is the stack the clone makes, shown before it exists.
	Name() string
	// Checks says whether Check has anything to show before the run.
	Checks() bool
	// Check runs the clone's preflight for the summary; the run reuses it
	// while it is recent and found nothing wrong.
	Check(ctx context.Context) *artifact.Checked
	// Run makes the clone. With generate the password is "" and Run makes
	// one up; CloneReady.Password carries it. With neither, the password
	// is the one the command was given (or RDS's).
	Run(ctx context.Context, password string, generate bool, emit artifact.Emit) (*artifact.CloneReady, error)
}

// Options configures the clone view. Clone and Teardown are the only ways
// the view reaches AWS: main wires them to artifact.ClonePlan and
// artifact.Teardown, tests to fakes.
type Options struct {
	Artifact *artifact.Artifact
	// Stack is the stack a teardown view deletes; a clone view shows its
	// Clone's name.
	Stack  string
	Region string

	NeedPassword bool // no password was given: prompt for one, or ctrl+g to generate it
	SkipSummary  bool // --yes: start without the summary screen

	// Clone is the clone to make; nil for a teardown view.
	Clone Clone
	// Teardown deletes a stack (artifact.Teardown), reporting its events.
	Teardown func(ctx context.Context, stack string, emit artifact.Emit) error
	// Flow is what New's view runs: FlowClone, or FlowReset when the Clone
	// resets its stack (artifact.NewResetPlan): the view shows its teardown,
	// then the new clone. NewTeardown's is FlowTeardown, whatever this says.
	Flow Flow
	// Recreate is the command that makes the clone again should a reset
	// stop between its teardown and its clone.
	Recreate string
	// Commands spells the lines the view tells the user to run (teardown,
	// resume) with the run's global flags and artifact.
	Commands artifact.Commands

	Theme common.Theme     // zero: a dark theme, replaced once the terminal reports its background
	Now   func() time.Time // nil: time.Now; fixed in golden tests

	// Still draws spinners as one still frame and never ticks: for golden
	// tests and for people who prefer no motion.
	Still bool
	// Embedded makes closing the view send ClosedMsg instead of
	// quitting the program, so a parent model (the list, home) can host it.
	Embedded bool
	// Source names the clone's source on a teardown view before the
	// stream does (the list knows it already).
	Source string
	// LogLimit caps the events kept in the log; 0 keeps the last 10,000.
	LogLimit int
}

// Result is how the view ended.
type Result struct {
	Ready       *artifact.CloneReady  // the clone became ready (Password set only when generated)
	Failed      *artifact.CloneFailed // the clone failed in AWS
	TornDown    bool                  // the stack was deleted from the view
	LeftRunning string                // a stack left in AWS (ready, kept, or still creating)
	Err         error                 // why the view ended without a ready clone, if it did
	// Afterword are values too wide for the terminal (a long connect line):
	// the caller prints them after the view, one per line, to be copied whole.
	Afterword []string
	commands  artifact.Commands
}

// TeardownCommand is what removes the stack the view left behind, or "".
func (r Result) TeardownCommand() string {
	if r.LeftRunning == "" {
		return ""
	}
	return r.commands.Teardown(r.LeftRunning)
}

// ClosedMsg is sent instead of quitting when the view is Embedded.
type ClosedMsg struct{ Result Result }

// ErrCancelled is the result of leaving before the stack was created.
var ErrCancelled = errors.New("cancelled: nothing was created")

// cvOp is one operation (a clone or a teardown) running in its goroutine.
type cvOp = common.Op[artifact.Event, *artifact.CloneReady]

type (
	eventsMsg = common.EventsMsg[artifact.Event]
	doneMsg   = common.DoneMsg[*artifact.CloneReady]
)

// Flow is which of its three flows the view runs.
type Flow uint8

const (
	FlowClone    Flow = iota // dbaf clone: password, summary, the clone, its result
	FlowReset                // dbaf reset: the same, the old stack's deletion first
	FlowTeardown             // dbaf teardown, and the list's: the deletion only
)

// cvStage is where the view is; overlays (questions) are separate.
type cvStage int

const (
	stagePassword cvStage = iota
	stageSummary
	stageRunning  // Start is running
	stageStopping // Start was cancelled so that the teardown can begin
	stageReady
	stageFailed // CloneFailed: the stack failed in AWS
	stageError  // Start returned another error
	stageTeardown
	stageTornDown
	stageTeardownFailed
)

// cvAsk is a question shown over the current stage.
type cvAsk int

const (
	askNone cvAsk = iota
	askInterrupt
	askTeardown
)

// Model is the Bubble Tea model of a clone from password to teardown.
// It is a pointer model: it owns goroutines, which Close stops.
type Model struct {
	common.Common
	o    Options
	flow Flow
	now  func() time.Time

	stage cvStage
	ask   cvAsk
	flash string // a one-off notice (copied, …)

	showHelp bool // the "?" panel of every key
	keys     keyMap

	pw        passwordform.Model
	password  string // the typed password, until the run has it
	generated bool

	info       artifact.CloneStarted // what the stream said about the stack
	stackKnown bool                  // CloneStarted arrived: the stack exists (or is being created)
	stackState string                // the stack's own latest status
	phase      artifact.PhaseID
	phaseFail  bool
	masking    bool                // the clone has a masking phase
	maskTable  string              // the table being masked now
	prog       stackprogress.Model // the resource rows and the event log
	tearing    bool                // rows show a deletion
	resetDel   bool                // a reset's deletion of the old stack, until the new one starts
	startAt    time.Time
	endAt      time.Time

	warnings    []string
	preflight   *artifact.Preflight  // what the checks before CreateStack saw
	panelScroll int                  // the panel's first line shown, when it is too tall for the terminal
	sumScroll   clonesummary.Scroll  // the summary's first line shown
	pre         clonesummary.Checker // the summary's account check (the Clone's Check)
	ready       *artifact.CloneReady
	failed      *artifact.CloneFailed
	err         error // stageError / stageTeardownFailed

	startOp, tdOp   *cvOp
	startSeen       bool  // the view has handled what Start returned
	tdErr           error // the last teardown failure
	pendingTeardown bool

	spin spinner.Model

	res         Result
	quitting    bool
	interrupted bool   // left with ctrl+c (or its "keep creating and quit")
	final       string // the frame left on the terminal after quitting
}

// New builds the clone view. ctx bounds every operation it starts;
// cancelling it stops watching (the stack carries on in AWS).
func New(ctx context.Context, o Options) *Model {
	if o.Flow != FlowReset {
		o.Flow = FlowClone
	}
	m := cvNew(ctx, o)
	switch {
	case o.NeedPassword:
		m.stage = stagePassword
	case o.SkipSummary:
		m.stage = stageRunning // Init starts the clone
	default:
		m.stage = stageSummary
	}
	return m
}

// NewTeardown builds a view that tears down o.Stack at once (the caller
// has asked for confirmation): the live deletion of `dbaf teardown` and the list.
func NewTeardown(ctx context.Context, o Options) *Model {
	o.Flow = FlowTeardown
	m := cvNew(ctx, o)
	m.stage = stageTeardown
	m.info.Stack, m.info.Source = o.Stack, o.Source
	m.stackKnown = true
	return m
}

func cvNew(ctx context.Context, o Options) *Model {
	back := "quit"
	if o.Embedded {
		back = "back"
	}
	m := &Model{Common: common.NewCommon(ctx, o.Theme), o: o, flow: o.Flow, now: o.Now, keys: newKeyMap(back)}
	if m.now == nil {
		m.now = time.Now
	}
	var res []artifact.ResourceInfo
	if o.Artifact != nil {
		res = artifact.TemplateResources(o.Artifact)
	}
	m.prog = stackprogress.New(o.LogLimit, res)
	m.spin = spinner.New(spinner.WithSpinner(spinner.Dot))
	if o.Flow == FlowReset {
		m.keys.resetKeys()
	}
	m.pw = passwordform.New(m.engine(), o.Still)
	m.info.Stack = o.Stack
	if o.Clone != nil {
		m.info.Stack = o.Clone.Name()
	}
	m.info.Region = o.Region
	if a := o.Artifact; a != nil {
		m.info.Source = a.Source.ClusterID
		m.info.Class = a.Target.InstanceClass
		if m.info.Region == "" {
			m.info.Region = a.Region
		}
	}
	return m
}

// Init starts what the first stage needs.
func (m *Model) Init() tea.Cmd {
	cmds := []tea.Cmd{m.Theme.Request()}
	if m.stage == stageSummary || m.stage == stagePassword && !m.o.SkipSummary {
		cmds = append(cmds, m.checkAccount()) // ready by the time the password is typed
	}
	switch m.stage {
	case stagePassword:
		cmds = append(cmds, m.pw.Focus())
	case stageRunning:
		cmds = append(cmds, m.startClone())
	case stageTeardown:
		cmds = append(cmds, m.startTeardown())
	}
	return tea.Batch(cmds...)
}

// Result is how the view ended; complete once Close has returned.
func (m *Model) Result() Result {
	r := m.res
	r.commands = m.teardownCmds()
	return r
}

// teardownCmds spells the lines about the stack in the region it is in.
func (m *Model) teardownCmds() artifact.Commands { return m.o.Commands.In(m.o.Region) }

// Stack is the stack the view clones into or tears down.
func (m *Model) Stack() string { return m.info.Stack }

// TornDown says whether the view saw its stack deleted.
func (m *Model) TornDown() bool { return m.stage == stageTornDown }

// Close cancels the operations still running and waits for them, then
// completes the result with what they returned (an Interrupted clone names
// the stack it left). Safe to call more than once.
func (m *Model) Close() {
	m.pre.Stop()
	for _, op := range []*cvOp{m.startOp, m.tdOp} {
		if op != nil {
			op.Stop()
		}
	}
	// Only a clone whose end the view never handled (the program quit
	// first) still has something to say.
	if op := m.startOp; op != nil && !m.startSeen && m.res.Err == nil {
		ready, err := op.Result()
		var ie *artifact.InterruptedError
		switch {
		case errors.As(err, &ie):
			m.res.Err, m.res.LeftRunning = ie, ie.Stack
		case err != nil && m.stackKnown:
			m.res.Err = err
		case err != nil:
			m.res.Err = ErrCancelled
		case ready != nil && m.res.Ready == nil:
			r := *ready
			m.res.Ready = &r
		}
	}
	// Ended from outside (SIGTERM, a cancelled context) with a stack in AWS.
	if m.res.LeftRunning == "" && !m.res.TornDown && m.remains() {
		m.res.LeftRunning = m.info.Stack
	}
	if m.interrupted {
		m.res.Err = common.Interrupted(m.res.Err)
	}
}

// Run runs the clone view until the user leaves it, then stops
// what is still running. The error is the program's, or the result's Err.
func Run(ctx context.Context, o Options, progOpts ...tea.ProgramOption) (Result, error) {
	o.Embedded = o.Embedded || common.HostFrom(ctx) != nil
	return cvRun(ctx, New(ctx, o), progOpts)
}

// RunTeardown runs NewTeardown until the user leaves it.
func RunTeardown(ctx context.Context, o Options, progOpts ...tea.ProgramOption) (Result, error) {
	o.Embedded = o.Embedded || common.HostFrom(ctx) != nil
	return cvRun(ctx, NewTeardown(ctx, o), progOpts)
}

func cvRun(ctx context.Context, m *Model, progOpts []tea.ProgramOption) (Result, error) {
	_, err := common.RunModel(ctx, m, func(msg tea.Msg) bool { _, ok := msg.(ClosedMsg); return ok }, progOpts)
	m.Close()
	res := m.Result()
	// A cancelled ctx kills the program; what the clone says is more useful.
	if err == nil || errors.Is(err, tea.ErrProgramKilled) && res.Err != nil {
		err = res.Err
	}
	return res, err
}

// Update handles one message.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if m.Prologue(msg) {
		m.prog.Clamp(m.logHeight())
		return m, nil
	}
	switch msg := msg.(type) {
	case spinner.TickMsg:
		return m, common.Spin(&m.spin, msg, m.busy() && !m.o.Still)
	case eventsMsg:
		return m, m.onEvents(msg)
	case doneMsg:
		return m, m.onDone(msg)
	case clonesummary.CheckedMsg:
		return m, m.onChecked(msg)
	case tea.KeyPressMsg:
		m.flash = ""
		return m, m.onKey(msg)
	}
	if m.stage == stagePassword { // a paste, the cursor's blink
		_, cmd := m.pw.Update(msg)
		return m, cmd
	}
	return m, nil
}

// busy says whether something is in progress, so spinners should turn.
func (m *Model) busy() bool {
	switch m.stage {
	case stageRunning, stageStopping, stageTeardown:
		return true
	}
	return m.pre.Loading
}

// tick starts the spinner; ticks stop by themselves when the view is no
// longer busy, and a second chain started meanwhile is dropped by the
// spinner's own tag check.
func (m *Model) tick() tea.Cmd {
	if m.o.Still {
		return nil
	}
	return m.spin.Tick
}

func (m *Model) onKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	if m.showHelp {
		// Any key closes the keys, so nobody gets stuck in them.
		m.showHelp = false
		if !key.Matches(msg, k.Interrupt) {
			return nil
		}
	}
	if key.Matches(msg, k.Help) && m.stage != stagePassword && m.stage != stageSummary {
		m.showHelp = true
		return nil
	}
	switch {
	case m.ask != askNone:
		return m.onAskKey(msg)
	case m.stage == stagePassword:
		return m.onPasswordKey(msg)
	case m.stage == stageSummary:
		return m.onSummaryKey(msg)
	}
	if cmd, ok := m.onRunKey(msg); ok {
		return cmd
	}
	if !m.scrollPanel(msg) {
		m.prog.Key(msg, k.log, m.logHeight())
	}
	return nil
}

// onAskKey answers the question shown: ctrl+c's, or tear down's.
func (m *Model) onAskKey(msg tea.KeyPressMsg) tea.Cmd {
	k, ask := m.keys, m.ask
	switch {
	case ask == askInterrupt && key.Matches(msg, k.Keep):
		return m.keepAndQuit()
	case ask == askInterrupt && key.Matches(msg, k.TeardownNow) && !m.resetDel: // the reset is deleting it already
		m.ask = askNone
		return m.stopThenTeardown()
	case ask == askInterrupt && key.Matches(msg, k.AskBack), ask == askTeardown && key.Matches(msg, k.No):
		m.ask = askNone
	case ask == askTeardown && key.Matches(msg, k.Yes):
		m.ask = askNone
		return m.startTeardown()
	case ask == askTeardown && key.Matches(msg, k.Interrupt):
		m.ask = askNone
		return m.quit()
	}
	return nil
}

// onRunKey is a key of the stages after the summary; ok is false for one
// they leave to the panel and the log.
func (m *Model) onRunKey(msg tea.KeyPressMsg) (cmd tea.Cmd, ok bool) {
	k, st, is := m.keys, m.stage, func(b key.Binding) bool { return key.Matches(msg, b) }
	switch {
	case st == stageRunning && is(k.Stop) && !m.stackKnown:
		// Nothing exists yet (or the create call is in flight: Close
		// reports the InterruptedError that Start returns then).
		m.interrupted = true
		m.startOp.Cancel()
		return m.quit(), true
	case st == stageRunning && is(k.Stop):
		m.ask = askInterrupt
	case st == stageStopping && is(k.QuitNow):
		return m.keepAndQuit(), true
	case st == stageReady && is(k.Teardown):
		m.ask = askTeardown
	case st == stageReady && is(k.Copy):
		if m.ready != nil && m.ready.Connection != "" {
			m.flash = "copied the connection string to the clipboard (OSC 52: where the terminal allows it)"
			return tea.SetClipboard(m.ready.Connection), true
		}
	case st == stageReady && is(k.LeaveKept):
		m.res.LeftRunning = m.info.Stack
		return m.quit(), true
	case (st == stageFailed || st == stageError || st == stageTeardownFailed) && is(k.TeardownRest):
		if m.remains() {
			m.ask = askTeardown
		}
	case (st == stageFailed || st == stageError || st == stageTeardownFailed) && is(k.Leave):
		if m.remains() {
			m.res.LeftRunning = m.info.Stack
		}
		return m.quit(), true
	case st == stageTeardown && is(k.StopWatching):
		// CloudFormation goes on deleting; only the watching stops.
		m.interrupted = is(k.Interrupt)
		m.res.LeftRunning = m.info.Stack
		m.res.Err = fmt.Errorf("stopped watching: CloudFormation goes on deleting %s; check with: dbaf list: %w", m.info.Stack, context.Canceled)
		m.tdOp.Cancel()
		return m.quit(), true
	case st == stageTornDown && is(k.Close):
		return m.quit(), true
	default:
		return nil, false
	}
	return nil, true
}

func (m *Model) onPasswordKey(msg tea.KeyPressMsg) tea.Cmd {
	out, cmd := m.pw.Update(msg)
	switch out {
	case passwordform.Cancelled:
		m.interrupted = m.pw.Keys.Interrupted(msg)
		m.res.Err = ErrCancelled
		return m.quit()
	case passwordform.Generate:
		m.generated, m.password = true, ""
	case passwordform.Entered:
		m.password, m.generated = m.pw.Take(), false
	default:
		return cmd
	}
	if m.o.SkipSummary {
		m.stage = stageRunning
		return m.startClone()
	}
	m.stage = stageSummary
	return nil
}

// engine is the clone's engine, "" when the view has no artifact.
func (m *Model) engine() string {
	if a := m.o.Artifact; a != nil {
		return a.Source.Engine
	}
	return ""
}

// remains says whether a stack is (or may be) left in AWS after a failure.
func (m *Model) remains() bool {
	if !m.stackKnown {
		return false
	}
	if m.failed != nil {
		return m.failed.Kept || m.stackState != "DELETE_COMPLETE"
	}
	return m.stackState != "DELETE_COMPLETE"
}

func (m *Model) startClone() tea.Cmd {
	if m.o.Clone == nil {
		m.stage, m.err = stageError, errors.New("no way to start the clone (Options.Clone is nil)")
		return nil
	}
	m.startAt, m.phase = m.now(), artifact.PhaseCreating
	pw, gen := m.password, m.generated
	m.password = ""
	clone := m.o.Clone
	op, cmd := common.StartOp(m.Ctx, func(ctx context.Context, emit func(artifact.Event)) (*artifact.CloneReady, error) {
		return clone.Run(ctx, pw, gen, emit)
	})
	m.startOp = op
	return tea.Batch(cmd, m.tick())
}

// stopThenTeardown cancels the clone's watch; the teardown starts once
// Start has returned, so two watchers never race on one stack.
func (m *Model) stopThenTeardown() tea.Cmd {
	m.stage, m.pendingTeardown = stageStopping, true
	m.startOp.Cancel()
	return nil
}

func (m *Model) startTeardown() tea.Cmd {
	if m.o.Teardown == nil {
		m.stage, m.err = stageTeardownFailed, errors.New("no way to tear down from here (Options.Teardown is nil)")
		return nil
	}
	if m.deleting() {
		m.prog.Refresh() // a retry: same order, fresh rows
	} else {
		m.prog.Reverse()
	}
	m.stage, m.tearing, m.resetDel, m.pendingTeardown = stageTeardown, true, false, false
	m.prog.Deleting = true
	m.phase, m.phaseFail, m.err = artifact.PhaseDeleting, false, nil
	m.startAt, m.endAt = m.now(), time.Time{}
	m.prog.Add(stackprogress.Phase, "── tearing down "+m.info.Stack)
	stack, td := m.info.Stack, m.o.Teardown
	op, cmd := common.StartOp(m.Ctx, func(ctx context.Context, emit func(artifact.Event)) (*artifact.CloneReady, error) {
		return nil, td(ctx, stack, emit)
	})
	m.tdOp = op
	return tea.Batch(cmd, m.tick())
}

// keepAndQuit is the answer to ctrl+c while the stack is being created:
// an interruption, whose error names the stack left behind.
func (m *Model) keepAndQuit() tea.Cmd {
	m.ask, m.interrupted = askNone, true
	if m.resetDel {
		return m.quitResetting()
	}
	m.res.LeftRunning = m.info.Stack
	state := artifact.StateCreating
	if m.stackState == "CREATE_COMPLETE" {
		state = artifact.StateNoPassword
	}
	m.res.Err = &artifact.InterruptedError{Stack: m.info.Stack, State: state, Commands: m.teardownCmds()}
	m.startOp.Cancel()
	return m.quit()
}

// quit ends the view, leaving a compact final frame on the terminal.
func (m *Model) quit() tea.Cmd {
	m.quitting = true
	m.final = m.finalFrame()
	if m.o.Embedded {
		res := m.res
		return func() tea.Msg { return ClosedMsg{Result: res} }
	}
	return tea.Quit
}

// op is the operation of this view that id names, or nil: one it has
// moved past.
func (m *Model) op(id common.OpID) *cvOp {
	switch {
	case id == (common.OpID{}):
		return nil
	case id == m.startOp.ID():
		return m.startOp
	case id == m.tdOp.ID():
		return m.tdOp
	}
	return nil
}

func (m *Model) onEvents(msg eventsMsg) tea.Cmd {
	op := m.op(msg.Op)
	if op == nil {
		return nil
	}
	for _, e := range msg.Events {
		m.apply(e)
	}
	m.prog.Clamp(m.logHeight())
	return op.Next()
}

func (m *Model) onDone(msg doneMsg) tea.Cmd {
	switch op := m.op(msg.Op); {
	case op == nil:
		return nil
	case op == m.tdOp:
		return m.teardownDone(msg.Err)
	}
	return m.cloneDone(msg.Result, msg.Err)
}

func (m *Model) cloneDone(ready *artifact.CloneReady, err error) tea.Cmd {
	m.endAt = m.now()
	if m.quitting {
		return nil // Close reports what Start returned
	}
	m.startSeen = true
	if m.pendingTeardown {
		return m.startTeardown()
	}
	var ce *artifact.CloneError
	switch {
	case err == nil && (ready != nil || m.ready != nil):
		if ready != nil {
			r := *ready
			m.ready = &r
		}
		m.stage, m.phase = stageReady, artifact.PhaseReady
		m.res.Ready = m.ready
		m.prog.Settle("CREATE_COMPLETE") // a followed stack that was already complete
	case errors.As(err, &ce):
		if m.failed == nil {
			f := ce.Failed
			m.failed = &f
		}
		m.stage, m.phaseFail = stageFailed, true
		m.res.Failed, m.res.Err = m.failed, err
		if m.failed.Resource != "" {
			m.prog.MarkRootCause(m.failed.Resource)
		}
	default:
		if err == nil {
			err = errors.New("the clone ended without reporting an endpoint")
		}
		m.stage, m.err, m.phaseFail = stageError, err, true
		m.res.Err = err
	}
	return nil
}

func (m *Model) teardownDone(err error) tea.Cmd {
	m.endAt = m.now()
	if m.quitting {
		return nil
	}
	if err != nil {
		m.stage, m.err, m.phaseFail = stageTeardownFailed, err, true
		if m.res.Err == nil || m.res.Err == m.tdErr {
			m.res.Err = err // the clone's own failure, if any, stays the reason
		}
		m.tdErr = err
		return nil
	}
	m.stage, m.stackState = stageTornDown, "DELETE_COMPLETE"
	m.prog.Settle("GONE") // never created, or deleted before: nothing to delete
	m.res.TornDown, m.res.LeftRunning = true, ""
	if m.tdErr != nil && m.res.Err == m.tdErr {
		m.res.Err = nil // a retry succeeded
	}
	return nil
}

// apply folds one event into the view.
func (m *Model) apply(e artifact.Event) {
	log := m.prog.Add
	switch e := e.(type) {
	case artifact.ResetStarted:
		m.resetStarted(e)
	case artifact.CloneStarted:
		if m.resetDel {
			m.resetCreating()
		}
		m.info.Stack, m.info.StackID, m.info.Attached = e.Stack, e.StackID, e.Attached
		if e.Source != "" {
			m.info.Source = e.Source
		}
		if e.Region != "" {
			m.info.Region = e.Region
		}
		if e.Class != "" {
			m.info.Class = e.Class
		}
		m.stackKnown = true
		if m.tearing {
			m.prog.MergeTeardown(e.Resources)
		} else {
			m.prog.SetResources(e.Resources)
		}
	case artifact.Preflight:
		p := e
		m.preflight = &p
		for _, f := range printer.PreflightFacts(e) {
			log(stackprogress.Quiet, "preflight "+f.Key+": "+f.Text)
		}
	case artifact.TeardownStarted:
		if m.resetDel {
			m.prog.MergeTeardown(e.Resources)
			return
		}
		m.apply(artifact.CloneStarted{Stack: e.Stack, StackID: e.StackID, Source: e.Source, Region: e.Region, Resources: e.Resources})
	case artifact.StackEvent:
		if e.IsStack {
			m.stackState = e.Status
		}
		m.prog.Stack(e)
	case artifact.Phase:
		m.phase = e.Phase
		m.masking = m.masking || e.Phase == artifact.PhaseMasking
		log(stackprogress.Phase, "── "+e.Phase.String())
	case artifact.Progress:
		log(stackprogress.Quiet, e.Line)
	case artifact.MaskTableStarted:
		m.maskTable = e.Table
		log(stackprogress.Quiet, "masking "+e.Table)
	case artifact.MaskTableDone:
		m.maskTable = ""
		log(stackprogress.OK, printer.MaskTableLine(e))
	case artifact.HookStarted:
		m.maskTable = "hook " + e.Hook // shown beside the phase while it runs
		log(stackprogress.Quiet, "running hook "+e.Hook)
	case artifact.HookDone:
		m.maskTable = ""
		log(stackprogress.OK, printer.HookLine(e))
	case artifact.Throttled:
		log(stackprogress.Quiet, fmt.Sprintf("AWS throttled %s; retrying in %s", e.Call, stackprogress.Dur(e.RetryIn)))
	case artifact.Warning:
		m.warnings = append(m.warnings, e.Message)
		log(stackprogress.Warn, "warning: "+e.Message)
	case artifact.CloneReady:
		r := e
		m.ready = &r
	case artifact.CloneFailed:
		f := e
		m.failed = &f
		log(stackprogress.Err, "failed: "+cvJoin(f.Resource, f.Reason))
	case artifact.TornDown:
		log(stackprogress.Phase, "── nothing left of "+e.Stack)
	default:
		log(stackprogress.Quiet, artifact.Kind(e))
	}
}

func cvJoin(resource, reason string) string {
	if resource == "" {
		return reason
	}
	return resource + ": " + reason
}
