package wizard

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/dbaf/dbaf/artifact"
	"github.com/dbaf/dbaf/config"
	"github.com/dbaf/dbaf/ui/common"
	"github.com/dbaf/dbaf/ui/printer"
)

// Step 5: the review: what will be cloned, where, and the INI that will be
// written; building is one key away.

type reviewState struct {
	scroll  int
	stat    wizLoad
	statted bool // the file's existence is known
	exists  bool
	wrote   bool // this wizard wrote the file, so overwriting needs no question
	confirm bool // asking before overwriting
	// confirmOpen asks before building an artifact whose clones anyone on
	// the internet could reach (config.OpenToInternet); openOK is the yes.
	confirmOpen, openOK bool
	issues              []*config.Error

	// The preflight of the source as chosen (Options.Preflight), for
	// information: asked once per region, source and snapshot.
	pre       wizLoad
	preFor    string
	preflight *artifact.Preflight
	preWarn   []string
	preErr    error
}

type preflightMsg struct {
	req  int
	pf   *artifact.Preflight
	warn []string
	err  error
}

type statMsg struct {
	req    int
	exists bool
	err    error
}

func (w *Model) enterReview() tea.Cmd {
	r := &w.rev
	w.stopAuto()
	r.confirm, r.confirmOpen, r.openOK = false, false, false
	r.scroll = 0
	r.issues = wizIssues(w.cfg.Validate())
	ctx, req := w.begin(&r.stat)
	r.statted = false
	path := w.path
	stat := func() tea.Msg {
		if ctx.Err() != nil {
			return nil
		}
		_, err := os.Stat(path)
		exists := err == nil
		if errors.Is(err, fs.ErrNotExist) {
			err = nil
		}
		return statMsg{req: req, exists: exists, err: err}
	}
	return tea.Batch(stat, w.loadPreflight())
}

// loadPreflight asks for the preflight of the chosen source, unless the
// review already has it.
func (w *Model) loadPreflight() tea.Cmd {
	r, run := &w.rev, w.opts.Preflight
	src := artifact.Source{ClusterID: w.cfg.SourceClusterID, SnapshotIdentifier: w.cfg.SnapshotIdentifier}
	key := w.region + "/" + src.ClusterID + "/" + src.SnapshotIdentifier
	if run == nil || src.ClusterID == "" || key == r.preFor && (r.preflight != nil || r.preErr != nil || r.pre.active) {
		return nil
	}
	r.preFor, r.preflight, r.preWarn, r.preErr = key, nil, nil, nil
	ctx, req := w.begin(&r.pre)
	region := w.region
	return func() tea.Msg {
		var warn []string
		pf, err := run(ctx, region, src, func(m string) { warn = append(warn, m) })
		return preflightMsg{req: req, pf: pf, warn: warn, err: err}
	}
}

func (w *Model) onPreflight(msg preflightMsg) tea.Cmd {
	r := &w.rev
	if !r.pre.finish(msg.req, msg.err) {
		return nil
	}
	r.preflight, r.preWarn, r.preErr = msg.pf, msg.warn, msg.err
	return nil
}

// preflightLines are the review's rows about what a clone would find now.
func (w *Model) preflightLines() []string {
	th, r := w.Theme, &w.rev
	head := th.Header.Render(common.Pad("Preflight", 12))
	indent := strings.Repeat(" ", 12)
	switch {
	case r.pre.active:
		return []string{head + w.spinnerText("checking what a clone would find (source, quotas, clones, key)…")}
	case r.preflight == nil && r.preErr == nil:
		return nil
	}
	out := []string{head + th.Subtle.Render("what a clone would find now (for information)")}
	if p := r.preflight; p != nil {
		for _, f := range printer.PreflightFacts(*p) {
			out = append(out, indent+common.Pad(f.Key, 8)+f.Text)
		}
	}
	var notes []string
	for _, m := range r.preWarn {
		notes = append(notes, "! "+m)
	}
	for _, e := range artifact.Problems(r.preErr) {
		if r.preflight == nil {
			notes = append(notes, "! could not check: "+e.Error())
		} else {
			notes = append(notes, "! a clone now would fail: "+e.Error())
		}
	}
	for _, n := range notes {
		out = append(out, wizWrap(n, w.Width, th.Warn, indent)...)
	}
	return out
}

func (w *Model) onStat(msg statMsg) tea.Cmd {
	r := &w.rev
	if !r.stat.finish(msg.req, nil) {
		return nil
	}
	r.statted = true
	// A file that cannot be inspected is treated as existing: asking once
	// too often beats overwriting something by surprise.
	r.exists = msg.exists || msg.err != nil
	return nil
}

// reviewHeight is the rows the scrolling part of the review may use.
func (w *Model) reviewHeight() int { return max(1, w.bodyHeight()-3) }

func (w *Model) reviewKey(msg tea.KeyPressMsg) tea.Cmd {
	r := &w.rev
	k := w.keys
	if r.confirmOpen {
		switch {
		case key.Matches(msg, k.Yes):
			r.confirmOpen, r.openOK = false, true
			return w.buildFromReview()
		case key.Matches(msg, k.No):
			r.confirmOpen = false
		}
		return nil
	}
	if r.confirm {
		switch {
		case key.Matches(msg, k.Yes):
			r.confirm = false
			return w.startBuild("")
		case key.Matches(msg, k.No):
			r.confirm = false
		}
		return nil
	}
	lines := len(w.reviewLines())
	page := w.reviewHeight()
	switch msg.String() {
	case "up", "k":
		r.scroll--
	case "down", "j":
		r.scroll++
	case "pgup":
		r.scroll -= page - 1
	case "pgdown", "space":
		r.scroll += page - 1
	case "home":
		r.scroll = 0
	case "end":
		r.scroll = lines
	}
	r.scroll = max(0, min(r.scroll, lines-page))
	switch {
	case key.Matches(msg, k.Build):
		if len(r.issues) > 0 || !r.statted {
			return nil
		}
		return w.buildFromReview()
	case key.Matches(msg, k.Back):
		w.det.loaded = true
		if w.maskingShown() {
			return w.goTo(stepMasking)
		}
		return w.goTo(stepDetails)
	}
	return nil
}

// buildFromReview asks what needs asking (clones open to the internet, an
// existing file), then builds.
func (w *Model) buildFromReview() tea.Cmd {
	r := &w.rev
	if w.cfg.OpenToInternet() && !r.openOK {
		r.confirmOpen = true
		return nil
	}
	if r.exists && !r.wrote {
		r.confirm = true
		return nil
	}
	return w.startBuild("")
}

// reviewLines is the scrolling content of the review.
func (w *Model) reviewLines() []string {
	th := w.Theme
	c := w.src.chosen
	cfg := &w.cfg
	var out []string
	row := func(label, text string) {
		out = append(out, th.Header.Render(common.Pad(label, 12))+text)
	}
	sub := func(text string) { out = append(out, strings.Repeat(" ", 12)+text) }

	if c != nil {
		row("Source", c.ID+" · "+c.Engine+" "+c.EngineVersion+" · region "+w.region)
		row("Connect as", "port "+strconv.Itoa(int(c.Port))+" · user "+c.MasterUsername+" (the source's master user)")
	}
	class := cfg.InstanceClass
	if class == wizServerless {
		class += fmt.Sprintf(" (%s–%s ACUs)", wizACU(cfg.ServerlessMinCapacity), wizACU(cfg.ServerlessMaxCapacity))
	} else if vcpu, mem, ok := classShape(class); ok {
		class += fmt.Sprintf(" (%d vCPU, %s GiB)", vcpu, strconv.FormatFloat(mem, 'f', -1, 64))
	}
	row("Class", class)

	vpc := ""
	if sg := w.net.sg; sg != nil {
		vpc = sg.VpcID
	}
	if v := w.net.vpcInfo; v != nil && v.ID == vpc {
		vpc = vPCText(v)
	}
	from := "subnets picked:"
	if !w.net.custom && w.net.sg != nil {
		from = "the source's subnet group " + w.net.sg.Name + ":"
	}
	row("Network", vpc)
	sub(from)
	for _, s := range w.chosenSubnets() {
		sub(th.Subtle.Render(common.Pad(s.ID, 26) + common.Pad(s.AZ, 14) + s.CIDR))
	}
	allowed := cfg.AllowedCIDR
	if allowed == "" {
		allowed = "the VPC's CIDR"
		if v := w.net.vpcInfo; v != nil && v.CIDR != "" {
			allowed = v.CIDR + " (the VPC's CIDR)"
		}
	}
	public := "not publicly accessible"
	if cfg.PubliclyAccessible != nil && *cfg.PubliclyAccessible {
		public = "publicly accessible"
	}
	row("Access", "from "+allowed+" · "+public)
	if w.net.vpc.err != nil {
		sub(th.Warn.Render("! the VPC could not be read (" + w.net.vpc.err.Error() + "); the build checks it again"))
	}
	tag := cfg.ImageTag
	if tag == "" {
		tag = config.DefaultImageTag
	}
	row("Image", tag)
	if cfg.CloneTTL > 0 {
		row("Clone TTL", config.FormatTTL(cfg.CloneTTL))
	}
	if cfg.PublisherContact != "" {
		row("Publisher", cfg.PublisherContact)
	}
	file := w.path
	switch {
	case !w.rev.statted:
		file += " (checking…)"
	case w.rev.exists && !w.rev.wrote:
		file += th.Warn.Render(" (exists: asks before overwriting)")
	case w.rev.exists:
		file += " (written by this wizard; rewritten on build)"
	default:
		file += " (new file)"
	}
	row("Writes", file)
	out = append(out, w.preflightLines()...)

	out = append(out, "", th.Subtle.Render("── "+w.path+" ──"))
	var b bytes.Buffer
	if err := cfg.Write(&b); err != nil {
		out = append(out, th.Err.Render("✗ cannot render the INI: "+err.Error()))
	} else {
		for _, l := range strings.Split(strings.TrimRight(b.String(), "\n"), "\n") {
			if strings.HasPrefix(l, ";") {
				out = append(out, th.Subtle.Render(l))
			} else {
				out = append(out, l)
			}
		}
	}
	return out
}

func (w *Model) reviewView() []string {
	r := &w.rev
	th := w.Theme
	out := []string{th.Title.Render("Review, then build")}
	lines := w.reviewLines()
	h := w.reviewHeight()
	start := max(0, min(r.scroll, len(lines)-h))
	end := min(len(lines), start+h)
	out = append(out, lines[start:end]...)
	for len(out) < 1+h {
		out = append(out, "")
	}
	more := ""
	if end < len(lines) {
		more = th.Subtle.Render("↓ " + countNoun(len(lines)-end, "more line", "more lines") + " (↑/↓ scroll)")
	} else if start > 0 {
		more = th.Subtle.Render("↑ scrolled to the end")
	}
	out = append(out, more)
	switch {
	case len(r.issues) > 0:
		msg := "✗ The configuration is not valid yet: " + r.issues[0].Error()
		if len(r.issues) > 1 {
			msg += fmt.Sprintf(" (and %d more)", len(r.issues)-1)
		}
		out = append(out, th.Err.Render(msg))
	case r.confirmOpen:
		out = append(out, th.Warn.Render("! allowed_cidr 0.0.0.0/0 and public: anyone on the internet can reach clones. Build it anyway? ")+w.keyHint("y", "yes", "n", "no"))
	case r.confirm:
		out = append(out, th.Warn.Render("! "+w.path+" already exists. Overwrite it? ")+w.keyHint("y", "yes", "n", "no"))
	default:
		out = append(out, th.OK.Render("Press enter to write "+w.path+" and build the image."))
	}
	return out
}
