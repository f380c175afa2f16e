package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/dbaf/dbaf/artifact"
	"github.com/dbaf/dbaf/aws"
	"github.com/dbaf/dbaf/config"
)

// WizardDiscovery is what the build wizard asks of the AWS account.
// *aws.Client satisfies it.
type WizardDiscovery interface {
	Region() string
	// ClusterPages calls page with each page of clusters as it arrives, so
	// the list shows up before a large account is fully listed.
	ClusterPages(ctx context.Context, page func([]aws.Cluster)) error
	Cluster(ctx context.Context, id string) (*aws.Cluster, error)
	SubnetGroup(ctx context.Context, name string) (*aws.SubnetGroup, error)
	Subnets(ctx context.Context, vpcID string) ([]aws.Subnet, error)
	VPC(ctx context.Context, id string) (*aws.VPC, error)
	OrderableClasses(ctx context.Context, engine, version string) ([]string, error)
}

// WizardBuildFunc builds the artifact image from cfg, typically
// artifact.Build with its clients bound; it pushes the image to push when
// push is not "". By the time it is called the wizard has written the INI,
// at cfg.Path. It reports progress through emit; the wizard calls it from a
// goroutine and cancels ctx when the user cancels or quits.
type WizardBuildFunc func(ctx context.Context, cfg *config.Config, push string, emit artifact.Emit) (*artifact.Built, error)

// WizardOptions configures the build wizard.
type WizardOptions struct {
	Discovery WizardDiscovery
	// SwitchRegion returns a discovery for another region (ctrl+r on the
	// cluster step). nil disables switching.
	SwitchRegion func(ctx context.Context, region string) (WizardDiscovery, error)
	Profile      string // shown in the header; "" shows "default"
	// Config pre-fills the wizard (an INI plus flags, possibly partial).
	// When it is complete and valid the wizard opens on the review; else on
	// the first step that needs an answer, with the given choices selected.
	// The wizard works on a copy.
	Config     *config.Config
	ConfigPath string // where the INI is written; "" = artifact_config.ini in the working directory
	Build      WizardBuildFunc
	Theme      Theme
	// Now is the clock for elapsed times; nil = time.Now.
	Now func() time.Time
	// Spinner replaces the loading animation; tests pass a one-frame
	// spinner so snapshots are stable. Zero value: spinner.Dot.
	Spinner spinner.Spinner
}

// wizDefaultConfigPath is where the wizard writes the INI when told
// nowhere: the file `dbaf build` reads by default.
const wizDefaultConfigPath = config.DefaultFile

// ErrWizardAborted is returned by RunWizard when the user leaves before an
// image was built.
var ErrWizardAborted = errors.New("wizard aborted: no image was built")

// RunWizard runs the build wizard full-screen and returns the image it
// built. Leaving without a build gives ErrWizardAborted (wrapping the last
// build error, if a build failed). progOpts are passed to tea.NewProgram.
func RunWizard(ctx context.Context, opts WizardOptions, progOpts ...tea.ProgramOption) (*artifact.Built, error) {
	w := NewWizard(ctx, opts)
	p := tea.NewProgram(w, append([]tea.ProgramOption{tea.WithContext(ctx)}, progOpts...)...)
	m, err := p.Run()
	w.cancel()
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("%w: %w", ErrWizardAborted, ctx.Err())
		}
		return nil, err
	}
	if fw, ok := m.(*Wizard); ok {
		return fw.Result()
	}
	return w.Result()
}

// wizStep is a screen of the wizard, in order.
type wizStep int

const (
	wizSource wizStep = iota
	wizSubnets
	wizClass
	wizCapacity // Serverless v2 range; shown as part of "Class"
	wizDetails
	wizReview
	wizBuild
)

// Wizard is the build wizard, a tea.Model. Create it with NewWizard.
type Wizard struct {
	opts   WizardOptions
	ctx    context.Context
	cancel context.CancelFunc
	disc   WizardDiscovery
	region string
	theme  Theme
	keys   wizKeys
	help   help.Model
	spin   spinner.Model
	now    func() time.Time

	width, height int
	step          wizStep
	// auto is true while the wizard follows a pre-filled config towards
	// the review; the first choice it cannot confirm stops it there.
	auto     bool
	seq      int  // last request number handed out; see wizLoad
	spinning bool // a spinner tick is in flight

	cfg  config.Config // the choices so far, in the INI's own model
	path string

	src wizSourceState
	net wizSubnetState
	cls wizClassState
	acu wizCapacityState
	det wizDetailsState
	rev wizReviewState
	bld wizBuildState

	result  *artifact.Built
	lastErr error
}

// NewWizard creates the build wizard. ctx bounds every AWS call and build
// it starts; they are also cancelled when the user quits.
func NewWizard(ctx context.Context, opts WizardOptions) *Wizard {
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, cancel := context.WithCancel(ctx)
	w := &Wizard{
		opts:   opts,
		ctx:    ctx,
		cancel: cancel,
		disc:   opts.Discovery,
		theme:  opts.Theme,
		keys:   newWizKeys(),
		help:   help.New(),
		now:    opts.Now,
		path:   opts.ConfigPath,
		width:  80,
		height: 24,
	}
	if w.now == nil {
		w.now = time.Now
	}
	if w.path == "" {
		w.path = wizDefaultConfigPath
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
	w.spin = spinner.New(spinner.WithSpinner(sp), spinner.WithStyle(w.theme.Accent))
	w.help.Styles = help.Styles{
		Ellipsis:       w.theme.Subtle,
		ShortKey:       w.theme.Key,
		ShortDesc:      w.theme.Subtle,
		ShortSeparator: w.theme.Subtle,
		FullKey:        w.theme.Key,
		FullDesc:       w.theme.Subtle,
		FullSeparator:  w.theme.Subtle,
	}
	w.help.ShortSeparator = " · "
	w.src = newWizSourceState(w)
	w.net = newWizSubnetState()
	w.cls = newWizClassState()
	w.acu = newWizCapacityState(w)
	w.det = newWizDetailsState(w)
	w.bld = newWizBuildState(w)
	if w.cfg.SourceClusterID != "" {
		w.auto = true
		w.src.pick.want = w.cfg.SourceClusterID
	}
	w.layout()
	return w
}

// Result is the image built, or ErrWizardAborted when none was.
func (w *Wizard) Result() (*artifact.Built, error) {
	if w.result != nil {
		return w.result, nil
	}
	if w.lastErr != nil {
		return nil, fmt.Errorf("%w (the last build failed: %w)", ErrWizardAborted, w.lastErr)
	}
	return nil, ErrWizardAborted
}

// Config is the configuration as chosen so far (as written, once built).
func (w *Wizard) Config() *config.Config {
	c := w.cfg
	return &c
}

// Init starts listing clusters and, for a pre-filled config, reading the
// chosen one at once.
func (w *Wizard) Init() tea.Cmd {
	cmds := []tea.Cmd{w.loadClusters()}
	if w.auto {
		cmds = append(cmds, w.loadClusterDetail(w.cfg.SourceClusterID))
	}
	cmds = append(cmds, w.startSpin())
	return tea.Batch(cmds...)
}

// wizLoad tracks one kind of request in flight. Each request gets a number;
// a result carrying another number is stale (the user went elsewhere, or
// retried) and is dropped.
type wizLoad struct {
	req    int
	active bool
	err    error
	cancel context.CancelFunc
}

// begin starts a request of l's kind, cancelling the previous one.
func (w *Wizard) begin(l *wizLoad) (context.Context, int) {
	if l.cancel != nil {
		l.cancel()
	}
	w.seq++
	ctx, cancel := context.WithCancel(w.ctx)
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

// wizStreamMsg carries one message of a stream (cluster pages, build
// events) and the channel the next one comes from.
type wizStreamMsg struct {
	next <-chan tea.Msg
	msg  tea.Msg
}

// wizStream returns a Cmd that runs produce in its own goroutine and
// delivers what it sends as messages, in order, one Cmd at a time; send
// reports false once ctx is done, and produce should then return.
func wizStream(ctx context.Context, produce func(send func(tea.Msg) bool)) tea.Cmd {
	ch := make(chan tea.Msg, 16)
	return func() tea.Msg {
		go func() {
			defer close(ch)
			produce(func(m tea.Msg) bool {
				select {
				case ch <- m:
					return true
				case <-ctx.Done():
					return false
				}
			})
		}()
		return wizNext(ch)()
	}
}

func wizNext(ch <-chan tea.Msg) tea.Cmd {
	return func() tea.Msg {
		m, ok := <-ch
		if !ok {
			return nil
		}
		return wizStreamMsg{next: ch, msg: m}
	}
}

// busy reports whether anything the spinner stands for is running.
func (w *Wizard) busy() bool {
	return w.src.list.active || w.src.detail.active || w.src.regionLoad.active ||
		w.net.group.active || w.net.vpcLoad.active || w.net.vpc.active ||
		w.cls.load.active || w.bld.run.active
}

// startSpin starts the spinner's tick loop unless it is running; the loop
// stops by itself when nothing is busy, so an idle wizard does no work.
func (w *Wizard) startSpin() tea.Cmd {
	if w.spinning {
		return nil
	}
	w.spinning = true
	return w.spin.Tick
}

// Update handles one message.
func (w *Wizard) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		w.width, w.height = msg.Width, msg.Height
		w.layout()
		return w, nil
	case wizStreamMsg:
		_, cmd := w.Update(msg.msg)
		return w, tea.Batch(cmd, wizNext(msg.next))
	case spinner.TickMsg:
		if !w.busy() {
			w.spinning = false
			return w, nil
		}
		// A stale tick (from a loop already superseded) gets no cmd back
		// and simply ends; the current loop keeps going.
		var cmd tea.Cmd
		w.spin, cmd = w.spin.Update(msg)
		return w, cmd
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
func (w *Wizard) spinIfBusy() tea.Cmd {
	if w.busy() {
		return w.startSpin()
	}
	return nil
}

// handleResult dispatches the results of loads; ok is false for messages
// that are not results.
func (w *Wizard) handleResult(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case wizClusterPageMsg:
		return w.onClusterPage(msg), true
	case wizClustersDoneMsg:
		return w.onClustersDone(msg), true
	case wizClusterMsg:
		return w.onClusterDetail(msg), true
	case wizRegionMsg:
		return w.onRegion(msg), true
	case wizSubnetGroupMsg:
		return w.onSubnetGroup(msg), true
	case wizVPCSubnetsMsg:
		return w.onVPCSubnets(msg), true
	case wizVPCMsg:
		return w.onVPC(msg), true
	case wizClassesMsg:
		return w.onClasses(msg), true
	case wizStatMsg:
		return w.onStat(msg), true
	case wizBuildEventMsg:
		return w.onBuildEvent(msg), true
	case wizBuildDoneMsg:
		return w.onBuildDone(msg), true
	}
	return nil, false
}

// updateInputs forwards other messages (pastes, cursor blinks) to the text
// input that has focus, and checks its value again.
func (w *Wizard) updateInputs(msg tea.Msg) tea.Cmd {
	in := w.focusedInput()
	if in == nil {
		return nil
	}
	var cmd tea.Cmd
	*in, cmd = in.Update(msg)
	switch w.step {
	case wizDetails:
		w.checkDetail(w.det.focus)
	case wizCapacity:
		w.checkCapacity()
	}
	return cmd
}

// activePicker is the filterable list on screen, if any.
func (w *Wizard) activePicker() *picker {
	switch {
	case w.step == wizSource && !w.src.regionPrompt && w.src.list.err == nil:
		return &w.src.pick
	case w.step == wizSubnets && w.net.custom:
		return &w.net.pick
	case w.step == wizClass:
		return &w.cls.pick
	}
	return nil
}

// focusedInput is the text input taking typing on this screen, if any.
func (w *Wizard) focusedInput() *textinput.Model {
	switch {
	case w.step == wizSource && w.src.regionPrompt:
		return &w.src.region
	case w.step == wizCapacity:
		return &w.acu.inputs[w.acu.focus]
	case w.step == wizDetails:
		return &w.det.inputs[w.det.focus]
	case w.step == wizBuild && w.bld.pushPrompt:
		return &w.bld.push
	}
	return nil
}

func (w *Wizard) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(msg, w.keys.Quit):
		w.cancel()
		return tea.Quit
	case w.help.ShowAll:
		// Any key closes the full help, so nobody gets stuck in it.
		w.help.ShowAll = false
		return nil
	case key.Matches(msg, w.keys.Help) && w.helpKeyFree():
		w.help.ShowAll = true
		return nil
	}
	if w.tooSmall() {
		return nil
	}
	switch w.step {
	case wizSource:
		return w.sourceKey(msg)
	case wizSubnets:
		return w.subnetKey(msg)
	case wizClass:
		return w.classKey(msg)
	case wizCapacity:
		return w.capacityKey(msg)
	case wizDetails:
		return w.detailsKey(msg)
	case wizReview:
		return w.reviewKey(msg)
	case wizBuild:
		return w.buildKey(msg)
	}
	return nil
}

// helpKeyFree says whether "?" means help here: not in the text fields
// where it may be typed (the publisher contact).
func (w *Wizard) helpKeyFree() bool {
	return !(w.step == wizDetails && w.det.focus == wizFieldContact)
}

// goTo shows step s and starts what it needs.
func (w *Wizard) goTo(s wizStep) tea.Cmd {
	w.step = s
	w.help.ShowAll = false
	w.layout()
	var cmd tea.Cmd
	switch s {
	case wizSubnets:
		cmd = w.enterSubnets()
	case wizClass:
		cmd = w.enterClass()
	case wizCapacity:
		cmd = w.enterCapacity()
	case wizDetails:
		cmd = w.enterDetails()
	case wizReview:
		cmd = w.enterReview()
	}
	return tea.Batch(cmd, w.spinIfBusy())
}

// stopAuto ends following a pre-filled config, leaving why on screen.
func (w *Wizard) stopAuto() { w.auto = false }

// Layout: a header line, the step line, a blank, the body, a blank and
// the help line.
const (
	wizChrome    = 5
	wizMinWidth  = 60
	wizMinHeight = 16
)

func (w *Wizard) tooSmall() bool { return w.width < wizMinWidth || w.height < wizMinHeight }

// bodyHeight is the rows the current step may draw.
func (w *Wizard) bodyHeight() int { return max(1, w.height-wizChrome) }

// layout sizes the lists and inputs to the window.
func (w *Wizard) layout() {
	h := w.bodyHeight()
	w.src.pick.setHeight(h - wizSourceChrome)
	w.net.pick.setHeight(h - wizSubnetChrome)
	w.cls.pick.setHeight(h - wizClassChrome)
	w.help.SetWidth(w.width)
	iw := max(10, min(60, w.width-30))
	for i := range w.det.inputs {
		w.det.inputs[i].SetWidth(iw)
	}
	for i := range w.acu.inputs {
		w.acu.inputs[i].SetWidth(10)
	}
	w.src.region.SetWidth(20)
	w.bld.push.SetWidth(max(20, min(70, w.width-20)))
	if w.step == wizReview {
		w.rev.scroll = max(0, min(w.rev.scroll, len(w.reviewLines())-w.reviewHeight()))
	}
}

// View draws the whole screen.
func (w *Wizard) View() tea.View {
	v := tea.NewView(w.render())
	v.AltScreen = true
	v.WindowTitle = "dbaf build"
	return v
}

func (w *Wizard) render() string {
	if w.tooSmall() {
		return wizTooSmall(w.theme, w.width, w.height)
	}
	th := w.theme
	width := w.width
	lines := make([]string, 0, w.height)
	lines = append(lines, w.headerLine())
	lines = append(lines, w.stepsLine())
	lines = append(lines, "")

	var body []string
	if w.help.ShowAll {
		body = w.fullHelp()
	} else {
		switch w.step {
		case wizSource:
			body = w.sourceView()
		case wizSubnets:
			body = w.subnetView()
		case wizClass:
			body = w.classView()
		case wizCapacity:
			body = w.capacityView()
		case wizDetails:
			body = w.detailsView()
		case wizReview:
			body = w.reviewView()
		case wizBuild:
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
	hv := w.help.ShortHelpView(w.helpKeys().ShortHelp())
	if w.help.ShowAll {
		hv = th.Subtle.Render("press any key to close the keys")
	}
	lines = append(lines, ansi.Truncate(hv, width, th.Subtle.Render("…")))
	return strings.Join(lines, "\n")
}

// fullHelp lists every key of the current step, the "?" screen, in two
// columns when one does not fit the window's height.
func (w *Wizard) fullHelp() []string {
	var entries []string
	for _, group := range w.helpKeys().FullHelp() {
		for _, b := range group {
			if b.Enabled() {
				entries = append(entries, w.theme.Key.Render(wizPad(b.Help().Key, 14))+" "+b.Help().Desc)
			}
		}
	}
	out := []string{w.theme.Title.Render("Keys"), ""}
	rows := w.bodyHeight() - len(out)
	if len(entries) <= rows || w.width < 80 {
		for _, e := range entries {
			out = append(out, "  "+e)
		}
		return out
	}
	half := (len(entries) + 1) / 2
	for i := range half {
		line := "  " + entries[i]
		if i+half < len(entries) {
			line += strings.Repeat(" ", max(1, w.width/2-2-ansi.StringWidth(entries[i]))) + entries[i+half]
		}
		out = append(out, line)
	}
	return out
}

// wizTooSmall is the whole screen when the window cannot hold the wizard.
func wizTooSmall(th Theme, width, height int) string {
	msg := fmt.Sprintf("The window is %dx%d; dbaf needs at least %dx%d. Make it larger, or press ctrl+c to quit.",
		width, height, wizMinWidth, wizMinHeight)
	lines := wizWordWrap(msg, max(10, width))
	if len(lines) > height {
		lines = lines[:max(1, height)]
	}
	for i, l := range lines {
		lines[i] = th.Warn.Render(l)
	}
	return strings.Join(lines, "\n")
}

func (w *Wizard) headerLine() string {
	th := w.theme
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
	return wizSpread(left, right, w.width)
}

// stepsLine is the breadcrumb: done steps ticked, the current one marked
// with ● (a character, so it survives NO_COLOR).
func (w *Wizard) stepsLine() string {
	th := w.theme
	names := []string{"Source", "Subnets", "Class", "Details", "Review", "Build"}
	cur := int(w.step)
	if w.step >= wizCapacity {
		cur-- // capacity belongs to Class
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

// wizSpread puts left and right on one line of width cells, right-aligned;
// right is dropped when the two do not fit.
func wizSpread(left, right string, width int) string {
	lw, rw := lipgloss.Width(left), lipgloss.Width(right)
	if lw+rw+2 > width {
		return left
	}
	return left + strings.Repeat(" ", width-lw-rw) + right
}

// wizPad pads plain s with spaces to n cells.
func wizPad(s string, n int) string {
	if w := ansi.StringWidth(s); w < n {
		return s + strings.Repeat(" ", n-w)
	}
	return s
}

// wizWrap wraps text to width and returns its lines, each styled.
func wizWrap(text string, width int, style lipgloss.Style, indent string) []string {
	lines := wizWordWrap(text, max(10, width-ansi.StringWidth(indent)))
	for i, l := range lines {
		lines[i] = indent + style.Render(l)
	}
	return lines
}

// wizWordWrap wraps plain text at spaces only. ansi.Wrap also breaks at
// hyphens, which splits the names this screen is full of (eu-west-1a,
// subnet-0a1b2c01, prod-aurora); a word longer than the line is cut.
func wizWordWrap(text string, width int) []string {
	var lines []string
	for _, para := range strings.Split(text, "\n") {
		line, lw := "", 0
		for _, word := range strings.Fields(para) {
			ww := ansi.StringWidth(word)
			for ww > width { // only a very long word gets here
				if line != "" {
					lines = append(lines, line)
					line, lw = "", 0
				}
				lines = append(lines, ansi.Cut(word, 0, width))
				word = ansi.Cut(word, width, ww)
				ww -= width
			}
			switch {
			case line == "":
				line, lw = word, ww
			case lw+1+ww <= width:
				line, lw = line+" "+word, lw+1+ww
			default:
				lines = append(lines, line)
				line, lw = word, ww
			}
		}
		lines = append(lines, line)
	}
	return lines
}

// wizErrorLines explains a failed AWS call in place: the error (an
// aws.Error's message already says what to do) and the keys that help.
func (w *Wizard) wizErrorLines(what string, err error, keys string) []string {
	th := w.theme
	out := wizWrap("✗ "+what+": "+err.Error(), w.width, th.Err, "")
	var ae *aws.Error
	if errors.As(err, &ae) {
		switch ae.Kind {
		case aws.NoCredentials, aws.ExpiredToken:
			out = append(out, wizWrap("Fix the credentials in another terminal, then retry here.", w.width, th.Subtle, "  ")...)
		case aws.Throttled:
			out = append(out, wizWrap("Throttling passes: wait a little, then retry.", w.width, th.Subtle, "  ")...)
		case aws.AccessDenied:
			out = append(out, wizWrap("Once the permission is granted (or with another AWS_PROFILE), retry.", w.width, th.Subtle, "  ")...)
		}
	}
	return append(out, "", "  "+keys)
}

// block wraps text into exactly n lines of the window's width (cut with
// "…" when longer, padded when shorter), so notices never move the layout.
func (w *Wizard) block(text string, style lipgloss.Style, n int) []string {
	var lines []string
	if text != "" {
		lines = wizWordWrap(text, max(10, w.width))
	}
	if len(lines) > n {
		lines = lines[:n]
		lines[n-1] = ansi.Truncate(lines[n-1], max(1, w.width-1), "") + "…"
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
func (w *Wizard) keyHint(pairs ...string) string {
	var parts []string
	for i := 0; i+1 < len(pairs); i += 2 {
		parts = append(parts, w.theme.Key.Render(pairs[i])+" "+w.theme.Subtle.Render(pairs[i+1]))
	}
	return strings.Join(parts, w.theme.Subtle.Render(" · "))
}

// spinnerText is the spinner followed by what it waits for.
func (w *Wizard) spinnerText(what string) string {
	return w.spin.View() + " " + w.theme.Subtle.Render(what)
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
func (w *Wizard) trySet(key, value string) (config.Config, error) {
	c := w.cfg
	err := c.Set(key, value)
	return c, err
}

// set applies key = value to the choices; the value has been checked
// already, so an error here is a bug worth showing rather than hiding.
func (w *Wizard) set(key, value string) error {
	return w.cfg.Set(key, value)
}
