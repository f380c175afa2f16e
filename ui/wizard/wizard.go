package wizard

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/dbaf/dbaf/artifact"
	"github.com/dbaf/dbaf/aws"
	"github.com/dbaf/dbaf/config"
	"github.com/dbaf/dbaf/ui/common"
)

// Discovery is what the build wizard asks of the AWS account.
// *aws.Client satisfies it.
type Discovery interface {
	Region() string
	// ClusterPages calls page with each page of clusters as it arrives, so
	// the list shows up before a large account is fully listed.
	ClusterPages(ctx context.Context, page func([]aws.Cluster)) error
	Cluster(ctx context.Context, id string) (*aws.Cluster, error)
	SubnetGroup(ctx context.Context, name string) (*aws.SubnetGroup, error)
	Subnets(ctx context.Context, vpcID string) ([]aws.Subnet, error)
	VPC(ctx context.Context, id string) (*aws.VPC, error)
	OrderableClasses(ctx context.Context, engine, version string) ([]string, error)
	ServerlessLimits(ctx context.Context, engine, version string) (*aws.ServerlessLimits, error)
}

// BuildFunc builds the artifact image from cfg, typically
// artifact.Build with its clients bound; it pushes the image to push when
// push is not "". By the time it is called the wizard has written the INI,
// at cfg.Path. It reports progress through emit; the wizard calls it from a
// goroutine and cancels ctx when the user cancels or quits.
type BuildFunc func(ctx context.Context, cfg *config.Config, push string, emit artifact.Emit) (*artifact.Built, error)

// PreflightFunc checks what a clone of src in region would find now,
// passing what does not stop a clone to warn.
type PreflightFunc func(ctx context.Context, region string, src artifact.Source, warn func(string)) (*artifact.Preflight, error)

// Options configures the build wizard.
type Options struct {
	Discovery Discovery
	// SwitchRegion returns a discovery for another region (ctrl+r on the
	// cluster step). nil disables switching.
	SwitchRegion func(ctx context.Context, region string) (Discovery, error)
	Profile      string // shown in the header; "" shows "default"
	// Config pre-fills the wizard (an INI plus flags, possibly partial).
	// When it is complete and valid the wizard opens on the review; else on
	// the first step that needs an answer, with the given choices selected.
	// The wizard works on a copy.
	Config     *config.Config
	ConfigPath string // where the INI is written; "" = artifact_config.ini in the working directory
	Build      BuildFunc
	// Preflight runs a clone's preflight (artifact.RunPreflight) against
	// the source in region; the review shows what it saw, for information.
	// nil: the review has no preflight.
	Preflight PreflightFunc
	Theme     common.Theme
	// Now is the clock for elapsed times; nil = time.Now.
	Now func() time.Time
	// Spinner replaces the loading animation; tests pass a one-frame
	// spinner so snapshots are stable. Zero value: spinner.Dot.
	Spinner spinner.Spinner
	// Embedded makes leaving the wizard send ClosedMsg instead of quitting
	// the program, so a host (the home screen) can show it.
	Embedded bool
}

// ClosedMsg is sent instead of quitting when the wizard is Embedded.
type ClosedMsg struct{}

// quit leaves the wizard: the program ends, or the host takes over.
func (w *Model) quit() tea.Cmd {
	w.cancel()
	if w.opts.Embedded {
		return func() tea.Msg { return ClosedMsg{} }
	}
	return tea.Quit
}

// defaultConfigPath is where the wizard writes the INI when told
// nowhere: the file `dbaf build` reads by default.
const defaultConfigPath = config.DefaultFile

// ErrAborted is returned by Run when the user leaves before an
// image was built.
var ErrAborted = errors.New("wizard aborted: no image was built")

// Run runs the build wizard full-screen and returns the image it
// built. Leaving without a build gives ErrAborted (wrapping the last
// build error, if a build failed). progOpts are passed to tea.NewProgram.
func Run(ctx context.Context, opts Options, progOpts ...tea.ProgramOption) (*artifact.Built, error) {
	if common.HostFrom(ctx) != nil {
		opts.Embedded = true
	}
	w := New(ctx, opts)
	m, err := common.RunModel(ctx, w, func(msg tea.Msg) bool { _, ok := msg.(ClosedMsg); return ok }, progOpts)
	w.cancel()
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("%w: %w", ErrAborted, ctx.Err())
		}
		return nil, err
	}
	if fw, ok := m.(*Model); ok {
		return fw.Result()
	}
	return w.Result()
}

// wizStep is a screen of the wizard, in order.
type wizStep int

const (
	stepSource wizStep = iota
	stepSubnets
	stepClass
	stepCapacity // Serverless v2 range; shown as part of "Class"
	stepDetails
	stepMasking // optional: [masking] rules and [hooks]
	stepReview
	stepBuild
)

// Model is the build wizard, a tea.Model. Create it with New.
type Model struct {
	common.Common
	opts   Options
	cancel context.CancelFunc
	disc   Discovery
	region string
	keys   wizKeys
	spin   spinner.Model
	now    func() time.Time

	step wizStep
	// auto is true while the wizard follows a pre-filled config towards
	// the review; the first choice it cannot confirm stops it there.
	auto     bool
	seq      int  // last request number handed out; see wizLoad
	spinning bool // a spinner tick is in flight

	cfg  config.Config // the choices so far, in the INI's own model
	path string

	src sourceState
	net subnetState
	cls classState
	acu capacityState
	det detailsState
	msk maskingState
	rev reviewState
	bld buildState

	result  *artifact.Built
	lastErr error

	interrupted bool // left with ctrl+c
}

// New creates the build wizard. ctx bounds every AWS call and build
// it starts; they are also cancelled when the user quits.
func New(ctx context.Context, opts Options) *Model {
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, cancel := context.WithCancel(ctx)
	w := &Model{
		Common: common.NewCommon(ctx, opts.Theme),
		opts:   opts,
		cancel: cancel,
		disc:   opts.Discovery,
		keys:   newWizKeys(),
		now:    opts.Now,
		path:   opts.ConfigPath,
	}
	if w.now == nil {
		w.now = time.Now
	}
	if w.path == "" {
		w.path = defaultConfigPath
	}
	if w.disc != nil {
		w.region = w.disc.Region()
	}
	if opts.Config != nil {
		w.cfg = *opts.Config // Set is copy-on-write, so this copy is independent
	}
	sp := spinner.Dot
	if len(opts.Spinner.Frames) > 0 {
		sp = opts.Spinner
	}
	w.spin = spinner.New(spinner.WithSpinner(sp), spinner.WithStyle(w.Theme.Accent))
	w.src = newWizSourceState(w)
	w.net = newWizSubnetState()
	w.cls = newWizClassState()
	w.acu = newWizCapacityState(w)
	w.det = newWizDetailsState(w)
	w.msk = newWizMaskingState(w)
	w.bld = newWizBuildState(w)
	if w.cfg.SourceClusterID != "" {
		w.auto = true
		w.src.pick.want = w.cfg.SourceClusterID
	}
	w.layout()
	return w
}

// Result is the image built, or ErrAborted when none was (also
// ErrInterrupted when the wizard was left with ctrl+c).
func (w *Model) Result() (*artifact.Built, error) {
	if w.result != nil {
		return w.result, nil
	}
	err := ErrAborted
	if w.lastErr != nil {
		err = fmt.Errorf("%w (the last build failed: %w)", ErrAborted, w.lastErr)
	}
	if w.interrupted {
		return nil, common.Interrupted(err)
	}
	return nil, err
}

// Config is the configuration as chosen so far (as written, once built).
func (w *Model) Config() *config.Config {
	c := w.cfg
	return &c
}

// Init starts listing clusters and, for a pre-filled config, reading the
// chosen one at once.
func (w *Model) Init() tea.Cmd {
	cmds := []tea.Cmd{w.loadClusters()}
	if w.auto {
		cmds = append(cmds, w.loadClusterDetail(w.cfg.SourceClusterID))
	}
	cmds = append(cmds, w.startSpin(), w.Theme.Request())
	return tea.Batch(cmds...)
}

// wizLoad tracks one kind of request in flight. Each request gets a number;
// a result carrying another number is stale (the user went elsewhere, or
// retried) and is dropped.
type wizLoad struct {
	req    int
	op     common.OpID // the run of a stream (startStream)
	next   tea.Cmd     // reads the stream's next events
	active bool
	err    error
	cancel context.CancelFunc
}

// begin starts a request of l's kind, cancelling the previous one.
func (w *Model) begin(l *wizLoad) (context.Context, int) {
	if l.cancel != nil {
		l.cancel()
	}
	w.seq++
	ctx, cancel := context.WithCancel(w.Ctx)
	l.req, l.active, l.err, l.cancel = w.seq, true, nil, cancel
	return ctx, w.seq
}

// finish records the end of request req; false means it is stale.
func (l *wizLoad) finish(req int, err error) bool {
	if req != l.req || !l.active {
		return false
	}
	l.active, l.err = false, err
	if l.cancel != nil {
		l.cancel()
		l.cancel = nil
	}
	return true
}

// stop abandons l's request, if any.
func (l *wizLoad) stop() {
	if l.cancel != nil {
		l.cancel()
		l.cancel = nil
	}
	l.active, l.err = false, nil
	l.req = -1
}

// startStream starts run as l's request (cancelling l's previous one): its
// events and its end come back as common.EventsMsg and common.DoneMsg
// naming l.op, which the handlers check to drop a stale request's.
func startStream[E, T any](w *Model, l *wizLoad, run func(ctx context.Context, emit func(E)) (T, error)) tea.Cmd {
	ctx, _ := w.begin(l)
	op, cmd := common.StartOp(ctx, run)
	l.op, l.next = op.ID(), op.Next()
	return cmd
}

// events says whether id names l's request, running; then more is the
// Cmd that reads its next events.
func (l *wizLoad) events(id common.OpID) (more tea.Cmd, ok bool) {
	if id != l.op || !l.active {
		return nil, false
	}
	return l.next, true
}

// finishOp is finish for the run id of a stream.
func (l *wizLoad) finishOp(id common.OpID, err error) bool {
	return id == l.op && l.finish(l.req, err)
}

// busy reports whether anything the spinner stands for is running.
func (w *Model) busy() bool {
	return w.src.list.active || w.src.detail.active || w.src.regionLoad.active ||
		w.net.group.active || w.net.vpcLoad.active || w.net.vpc.active ||
		w.cls.load.active || w.bld.run.active || w.rev.pre.active
}

// startSpin starts the spinner's tick loop unless it is running; the loop
// stops by itself when nothing is busy, so an idle wizard does no work.
func (w *Model) startSpin() tea.Cmd {
	if w.spinning {
		return nil
	}
	w.spinning = true
	return w.spin.Tick
}

// Update handles one message.
func (w *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if w.Prologue(msg) {
		if _, resized := msg.(tea.WindowSizeMsg); resized {
			w.layout()
		}
		w.spin.Style = w.Theme.Accent
		return w, nil
	}
	switch msg := msg.(type) {
	case spinner.TickMsg:
		// A stale tick (from a loop already superseded) gets no cmd back
		// and simply ends; the current loop keeps going.
		w.spinning = w.busy()
		return w, common.Spin(&w.spin, msg, w.spinning)
	case tea.KeyPressMsg:
		return w, w.handleKey(msg)
	case tea.PasteMsg:
		// A pasted id or subnet list goes into the filter of the list shown.
		if p := w.activePicker(); p != nil {
			p.setFilter(p.filter + strings.Join(strings.Fields(msg.Content), " "))
			return w, nil
		}
	}
	if cmd, ok := w.handleResult(msg); ok {
		return w, tea.Batch(cmd, w.spinIfBusy())
	}
	return w, w.updateInputs(msg)
}

// spinIfBusy restarts the spinner when a result started another load.
func (w *Model) spinIfBusy() tea.Cmd {
	if w.busy() {
		return w.startSpin()
	}
	return nil
}

// handleResult dispatches the results of loads; ok is false for messages
// that are not results.
func (w *Model) handleResult(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case clusterPagesMsg:
		return w.onClusterPage(msg), true
	case clustersDoneMsg:
		return w.onClustersDone(msg), true
	case clusterMsg:
		return w.onClusterDetail(msg), true
	case regionMsg:
		return w.onRegion(msg), true
	case subnetGroupMsg:
		return w.onSubnetGroup(msg), true
	case vPCSubnetsMsg:
		return w.onVPCSubnets(msg), true
	case vPCMsg:
		return w.onVPC(msg), true
	case classesMsg:
		return w.onClasses(msg), true
	case statMsg:
		return w.onStat(msg), true
	case preflightMsg:
		return w.onPreflight(msg), true
	case buildEventsMsg:
		return w.onBuildEvents(msg), true
	case buildDoneMsg:
		return w.onBuildDone(msg), true
	}
	return nil, false
}

// updateInputs forwards other messages (pastes, cursor blinks) to the text
// input that has focus, and checks its value again.
func (w *Model) updateInputs(msg tea.Msg) tea.Cmd {
	in := w.focusedInput()
	if in == nil {
		return nil
	}
	var cmd tea.Cmd
	*in, cmd = in.Update(msg)
	switch w.step {
	case stepDetails:
		w.checkDetail(w.det.focus)
	case stepCapacity:
		w.checkCapacity()
	case stepMasking:
		w.recheckMasking()
	}
	return cmd
}

// activePicker is the filterable list on screen, if any.
func (w *Model) activePicker() *picker {
	switch {
	case w.step == stepSource && !w.src.regionPrompt && w.src.list.err == nil:
		return &w.src.pick
	case w.step == stepSubnets && w.net.custom:
		return &w.net.pick
	case w.step == stepClass:
		return &w.cls.pick
	}
	return nil
}

// focusedInput is the text input taking typing on this screen, if any.
func (w *Model) focusedInput() *textinput.Model {
	switch {
	case w.step == stepSource && w.src.regionPrompt:
		return &w.src.region
	case w.step == stepCapacity:
		return &w.acu.inputs[w.acu.focus]
	case w.step == stepDetails:
		return &w.det.inputs[w.det.focus]
	case w.step == stepMasking:
		return w.maskingInput()
	case w.step == stepBuild && w.bld.pushPrompt:
		return &w.bld.push
	}
	return nil
}

func (w *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(msg, w.keys.Quit):
		w.interrupted = true
		return w.quit()
	case w.Help.ShowAll:
		// Any key closes the full help, so nobody gets stuck in it.
		w.Help.ShowAll = false
		return nil
	case key.Matches(msg, w.keys.Help) && w.helpKeyFree():
		w.Help.ShowAll = true
		return nil
	}
	if w.tooSmall() {
		return nil
	}
	switch w.step {
	case stepSource:
		return w.sourceKey(msg)
	case stepSubnets:
		return w.subnetKey(msg)
	case stepClass:
		return w.classKey(msg)
	case stepCapacity:
		return w.capacityKey(msg)
	case stepDetails:
		return w.detailsKey(msg)
	case stepMasking:
		return w.maskingKey(msg)
	case stepReview:
		return w.reviewKey(msg)
	case stepBuild:
		return w.buildKey(msg)
	}
	return nil
}

// helpKeyFree says whether "?" means help here: not in the text fields
// where it may be typed (the publisher contact).
func (w *Model) helpKeyFree() bool {
	return !(w.step == stepDetails && w.det.focus == fieldContact) && !(w.step == stepMasking && w.msk.mode != maskList)
}

// goTo shows step s and starts what it needs.
func (w *Model) goTo(s wizStep) tea.Cmd {
	w.step = s
	w.Help.ShowAll = false
	w.layout()
	var cmd tea.Cmd
	switch s {
	case stepSubnets:
		cmd = w.enterSubnets()
	case stepClass:
		cmd = w.enterClass()
	case stepCapacity:
		cmd = w.enterCapacity()
	case stepDetails:
		cmd = w.enterDetails()
	case stepMasking:
		cmd = w.enterMasking()
	case stepReview:
		cmd = w.enterReview()
	}
	return tea.Batch(cmd, w.spinIfBusy())
}

// stopAuto ends following a pre-filled config, leaving why on screen.
func (w *Model) stopAuto() { w.auto = false }

// Layout: a header line, the step line, a blank, the body, a blank and
// the help line.
const (
	chrome = 5
)

func (w *Model) tooSmall() bool { return w.Width < common.MinWidth || w.Height < common.MinHeight }

// bodyHeight is the rows the current step may draw.
func (w *Model) bodyHeight() int { return max(1, w.Height-chrome-(len(w.keyLines())-1)) }

// keyLines is the key help at the bottom, wrapped to the window's width.
func (w *Model) keyLines() []string {
	if w.Help.ShowAll {
		return []string{w.Theme.Subtle.Render("press any key to close the keys")}
	}
	return common.BindingLines(w.Theme, w.helpKeys().ShortHelp(), w.Width)
}

// layout sizes the lists and inputs to the window.
func (w *Model) layout() {
	h := w.bodyHeight()
	w.src.pick.setHeight(h - sourceChrome)
	w.net.pick.setHeight(h - subnetChrome)
	w.cls.pick.setHeight(h - classChrome)
	w.Help.SetWidth(w.Width)
	iw := max(10, min(60, w.Width-30))
	for i := range w.det.inputs {
		w.det.inputs[i].SetWidth(iw)
	}
	for i := range w.msk.inputs {
		w.msk.inputs[i].SetWidth(iw)
	}
	w.msk.hook.SetWidth(iw)
	for i := range w.acu.inputs {
		w.acu.inputs[i].SetWidth(10)
	}
	w.src.region.SetWidth(20)
	w.bld.push.SetWidth(max(20, min(70, w.Width-20)))
	if w.step == stepReview {
		w.rev.scroll = max(0, min(w.rev.scroll, len(w.reviewLines())-w.reviewHeight()))
	}
}

// View draws the whole screen.
func (w *Model) View() tea.View {
	v := tea.NewView(w.render())
	v.AltScreen = true
	v.WindowTitle = "dbaf build"
	return v
}

func (w *Model) render() string {
	if w.tooSmall() {
		return common.TooSmall(w.Theme, w.Width, w.Height)
	}
	width := w.Width
	lines := make([]string, 0, w.Height)
	lines = append(lines, w.headerLine())
	lines = append(lines, w.stepsLine())
	lines = append(lines, "")

	w.layout() // the key help may have changed height with the step
	var body []string
	if w.Help.ShowAll {
		body = w.fullHelp()
	} else {
		switch w.step {
		case stepSource:
			body = w.sourceView()
		case stepSubnets:
			body = w.subnetView()
		case stepClass:
			body = w.classView()
		case stepCapacity:
			body = w.capacityView()
		case stepDetails:
			body = w.detailsView()
		case stepMasking:
			body = w.maskingView()
		case stepReview:
			body = w.reviewView()
		case stepBuild:
			body = w.buildView()
		}
	}
	h := w.bodyHeight()
	if len(body) > h {
		body = body[:h]
	}
	for _, l := range body {
		lines = append(lines, ansi.Truncate(l, width, "…"))
	}
	for range h - len(body) {
		lines = append(lines, "")
	}
	lines = append(lines, "")
	lines = append(lines, w.keyLines()...)
	return strings.Join(lines, "\n")
}

// fullHelp lists every key of the current step, the "?" screen, in two
// columns when one does not fit the window's height.
func (w *Model) fullHelp() []string {
	var entries []string
	for _, group := range w.helpKeys().FullHelp() {
		for _, b := range group {
			if b.Enabled() {
				entries = append(entries, w.Theme.Key.Render(common.Pad(b.Help().Key, 14))+" "+b.Help().Desc)
			}
		}
	}
	out := []string{w.Theme.Title.Render("Keys"), ""}
	rows := w.bodyHeight() - len(out)
	if len(entries) <= rows || w.Width < 80 {
		for _, e := range entries {
			out = append(out, "  "+e)
		}
		return out
	}
	half := (len(entries) + 1) / 2
	for i := range half {
		line := "  " + entries[i]
		if i+half < len(entries) {
			line += strings.Repeat(" ", max(1, w.Width/2-2-ansi.StringWidth(entries[i]))) + entries[i+half]
		}
		out = append(out, line)
	}
	return out
}

func (w *Model) headerLine() string {
	th := w.Theme
	profile := w.opts.Profile
	if profile == "" {
		profile = "default"
	}
	region := w.region
	if region == "" {
		region = "?"
	}
	left := th.Title.Render("dbaf") + th.Subtle.Render(" · build a database artifact")
	right := th.Header.Render("profile " + profile + " · region " + region)
	return common.Spread(left, right, w.Width)
}

// stepsLine is the breadcrumb: done steps ticked, the current one marked
// with ● (a character, so it survives NO_COLOR).
func (w *Model) stepsLine() string {
	th := w.Theme
	// Masking is optional: the bar names it once it is in use.
	names := []string{"Source", "Subnets", "Class", "Details", "Review", "Build"}
	cur := int(w.step)
	if w.step >= stepCapacity {
		cur-- // capacity belongs to Class
	}
	if w.maskingShown() {
		names = slices.Insert(names, 4, "Masking")
	} else if w.step > stepMasking {
		cur--
	}
	parts := make([]string, len(names))
	for i, n := range names {
		switch {
		case i < cur:
			parts[i] = th.OK.Render("✓ " + n)
		case i == cur:
			parts[i] = th.Selected.Render("● " + n)
		default:
			parts[i] = th.Subtle.Render(n)
		}
	}
	return strings.Join(parts, th.Subtle.Render(" › "))
}

// wizWrap wraps text to width and returns its lines, each styled.
func wizWrap(text string, width int, style lipgloss.Style, indent string) []string {
	lines := common.WordWrap(text, max(10, width-ansi.StringWidth(indent)))
	for i, l := range lines {
		lines[i] = indent + style.Render(l)
	}
	return lines
}

// errorLines explains a failed AWS call in place: the error (an
// aws.Error's message already says what to do) and the keys that help.
func (w *Model) errorLines(what string, err error, keys string) []string {
	th := w.Theme
	out := wizWrap("✗ "+what+": "+err.Error(), w.Width, th.Err, "")
	var ae *aws.Error
	if errors.As(err, &ae) {
		switch ae.Kind {
		case aws.NoCredentials, aws.ExpiredToken:
			out = append(out, wizWrap("Fix the credentials in another terminal, then retry here.", w.Width, th.Subtle, "  ")...)
		case aws.Throttled:
			out = append(out, wizWrap("Throttling passes: wait a little, then retry.", w.Width, th.Subtle, "  ")...)
		case aws.AccessDenied:
			out = append(out, wizWrap("Once the permission is granted (or with another AWS_PROFILE), retry.", w.Width, th.Subtle, "  ")...)
		}
	}
	return append(out, "", "  "+keys)
}

// block wraps text into exactly n lines of the window's width (cut with
// "…" when longer, padded when shorter), so notices never move the layout.
func (w *Model) block(text string, style lipgloss.Style, n int) []string {
	var lines []string
	if text != "" {
		lines = common.WordWrap(text, max(10, w.Width))
	}
	if len(lines) > n {
		lines = lines[:n]
		lines[n-1] = ansi.Truncate(lines[n-1], max(1, w.Width-1), "") + "…"
	}
	for i, l := range lines {
		lines[i] = style.Render(l)
	}
	for len(lines) < n {
		lines = append(lines, "")
	}
	return lines
}

// keyHint renders "r retry" style hints for in-place messages.
func (w *Model) keyHint(pairs ...string) string {
	var parts []string
	for i := 0; i+1 < len(pairs); i += 2 {
		parts = append(parts, w.Theme.Key.Render(pairs[i])+" "+w.Theme.Subtle.Render(pairs[i+1]))
	}
	return strings.Join(parts, w.Theme.Subtle.Render(" · "))
}

// spinnerText is the spinner followed by what it waits for.
func (w *Model) spinnerText(what string) string {
	return w.spin.View() + " " + w.Theme.Subtle.Render(what)
}

// wizIssues flattens a config error (an errors.Join of *config.Error) into
// its problems.
func wizIssues(err error) []*config.Error {
	if err == nil {
		return nil
	}
	var out []*config.Error
	var walk func(error)
	walk = func(e error) {
		if j, ok := e.(interface{ Unwrap() []error }); ok {
			for _, x := range j.Unwrap() {
				walk(x)
			}
			return
		}
		var ce *config.Error
		if errors.As(e, &ce) {
			out = append(out, ce)
		}
	}
	walk(err)
	return out
}

// wizProblem is a config error as shown under a field: the problem and the
// hint, without the file/key prefix the field already makes obvious.
func wizProblem(err error) string {
	var ce *config.Error
	if errors.As(err, &ce) {
		if ce.Hint != "" {
			return ce.Problem + "; " + ce.Hint
		}
		return ce.Problem
	}
	if err != nil {
		return err.Error()
	}
	return ""
}

// trySet reports what config.Set says of key = value on a copy of the
// current choices: the INI's rules are the only rules.
func (w *Model) trySet(key, value string) (config.Config, error) {
	c := w.cfg
	err := c.Set(key, value)
	return c, err
}

// set applies key = value to the choices; the value has been checked
// already, so an error here is a bug worth showing rather than hiding.
func (w *Model) set(key, value string) error {
	return w.cfg.Set(key, value)
}
