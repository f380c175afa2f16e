package wizard

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/dbaf/dbaf/artifact"
	"github.com/dbaf/dbaf/aws"
	"github.com/dbaf/dbaf/ui/common"
)

// Step 1: the source cluster.

// sourceChrome is the rows the source step draws besides list rows:
// title, filter line, column titles, the highlighted cluster's detail (two
// lines) and the notice (two lines).
const sourceChrome = 7

type sourceState struct {
	list     wizLoad
	pick     picker
	clusters []aws.Cluster // index-aligned with pick.items

	detail  wizLoad
	reading string       // id being described
	chosen  *aws.Cluster // the chosen cluster, with its members' classes
	notice  string       // why the last choice did not go through
	// noticeIsErr styles the notice as an error rather than a warning.
	noticeIsErr bool

	regionPrompt bool
	region       textinput.Model
	regionLoad   wizLoad
	regionErr    string
}

type (
	// Pages of clusters as the listing finds them, and its end.
	clusterPagesMsg = common.EventsMsg[[]aws.Cluster]
	clustersDoneMsg = common.DoneMsg[struct{}]
	clusterMsg      struct {
		req     int
		id      string
		cluster *aws.Cluster
		err     error
	}
	regionMsg struct {
		req    int
		region string
		disc   Discovery
		err    error
	}
)

func newWizSourceState(w *Model) sourceState {
	s := sourceState{
		pick: newPicker([]string{"CLUSTER", "ENGINE", "STATUS", "MEMBERS", "SERVERLESS"},
			[]int{36, 40, 12, 7, 14}, false), // the engine's whole version fits at 120 columns
		region: w.newInput("region: ", "eu-west-1"),
	}
	s.pick.flex = []int{1, 0} // engine (the version is in the detail line), then id
	s.pick.soft = []int{20, 22}
	return s
}

// newInput is a text input styled by the theme. The cursor does not blink:
// a blinking cursor redraws the screen twice a second for nothing.
func (w *Model) newInput(prompt, placeholder string) textinput.Model {
	in := textinput.New()
	in.Prompt = prompt
	in.Placeholder = placeholder
	st := textinput.DefaultStyles(true)
	th := w.Theme
	st.Focused.Prompt, st.Focused.Text, st.Focused.Placeholder = th.Accent, th.Selected, th.Subtle
	st.Blurred.Prompt, st.Blurred.Text, st.Blurred.Placeholder = th.Subtle, th.Header, th.Subtle
	st.Cursor.Blink = false
	if th.NoColor {
		st.Cursor.Color = nil // the block cursor is drawn reversed; no colour needed
	}
	in.SetStyles(st)
	return in
}

// cannotClone says why a cluster cannot be a clone's source (artifact's
// one rule, CloneBlocker), in a word and in a sentence; "" when it can.
func cannotClone(c *aws.Cluster) (short, long string) {
	why := artifact.CloneBlocker(c, false)
	switch why {
	case artifact.NotAurora:
		return why.Short(c), fmt.Sprintf("%s cannot be cloned: engine %s is not Aurora; dbaf clones aurora-postgresql and aurora-mysql clusters", c.ID, c.Engine)
	case artifact.NotAvailable:
		return why.Short(c), fmt.Sprintf("%s cannot be cloned while it is %s: a clone needs an available source; start it, or wait until it is available", c.ID, c.Status)
	case artifact.NoInstance:
		return why.Short(c), fmt.Sprintf("%s cannot be cloned: it has no DB instance; add one to it, or pick another cluster", c.ID)
	}
	return "", ""
}

func wizACU(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func clusterItem(c *aws.Cluster) pickerItem {
	engine := c.Engine + " " + c.EngineVersion
	sv := "-"
	search := c.ID + " " + engine + " " + c.Status
	if c.Serverless != nil {
		sv = wizACU(c.Serverless.Min) + "–" + wizACU(c.Serverless.Max) + " ACU"
		search += " serverless v2"
	}
	short, _ := cannotClone(c)
	return pickerItem{
		id:       c.ID,
		cols:     []string{c.ID, engine, c.Status, strconv.Itoa(len(c.Members)), sv},
		search:   strings.ToLower(search),
		disabled: short,
	}
}

// loadClusters (re)lists the region's clusters page by page.
func (w *Model) loadClusters() tea.Cmd {
	s := &w.src
	s.pick.reset()
	s.clusters = nil
	disc := w.disc
	if disc == nil {
		_, req := w.begin(&s.list)
		s.list.finish(req, fmt.Errorf("no AWS discovery was configured"))
		return nil
	}
	return startStream(w, &s.list, func(ctx context.Context, emit func([]aws.Cluster)) (struct{}, error) {
		return struct{}{}, disc.ClusterPages(ctx, emit)
	})
}

func (w *Model) onClusterPage(msg clusterPagesMsg) tea.Cmd {
	s := &w.src
	more, ok := s.list.events(msg.Op)
	if !ok {
		return nil
	}
	for _, page := range msg.Events {
		items := make([]pickerItem, len(page))
		for i := range page {
			items[i] = clusterItem(&page[i])
		}
		s.clusters = append(s.clusters, page...)
		s.pick.add(items)
	}
	return more
}

func (w *Model) onClustersDone(msg clustersDoneMsg) tea.Cmd {
	w.src.list.finishOp(msg.Op, msg.Err)
	return nil
}

// loadClusterDetail describes one cluster (its members' classes, scaling),
// which the list pages do not carry.
func (w *Model) loadClusterDetail(id string) tea.Cmd {
	s := &w.src
	ctx, req := w.begin(&s.detail)
	s.reading, s.notice = id, ""
	disc := w.disc
	if disc == nil {
		return nil
	}
	return func() tea.Msg {
		c, err := disc.Cluster(ctx, id)
		return clusterMsg{req: req, id: id, cluster: c, err: err}
	}
}

func (w *Model) onClusterDetail(msg clusterMsg) tea.Cmd {
	s := &w.src
	if !s.detail.finish(msg.req, msg.err) {
		return nil
	}
	if msg.err != nil {
		s.notice = "reading " + msg.id + ": " + msg.err.Error() + " (enter tries again)"
		if w.auto {
			s.notice = msg.id + " (from the configuration): " + msg.err.Error() + "; pick a cluster below"
		}
		s.noticeIsErr = true
		w.stopAuto()
		return nil
	}
	c := msg.cluster
	if _, why := cannotClone(c); why != "" {
		w.stopAuto()
		s.notice, s.noticeIsErr = why, false
		s.pick.selectID(c.ID)
		return nil
	}
	// Another cluster than before (or than the INI named) makes the
	// network and class chosen for that one meaningless.
	prev := w.cfg.SourceClusterID
	if (s.chosen != nil && s.chosen.ID != c.ID) || (s.chosen == nil && prev != "" && prev != c.ID) {
		w.resetAfterSource()
	}
	if err := w.set("source_db_cluster_id", c.ID); err != nil {
		w.stopAuto()
		s.notice, s.noticeIsErr = wizProblem(err), true
		return nil
	}
	s.chosen = c
	if w.region != "" {
		// A region the INI rules reject (a private endpoint's name) is left
		// out; the build then uses the profile's region, as here.
		_ = w.set("region", w.region)
	}
	s.pick.selectID(c.ID)
	return w.goTo(stepSubnets)
}

// resetAfterSource forgets the choices that belonged to another source
// cluster: its network and class. Details (tag, TTL, contact) are kept.
func (w *Model) resetAfterSource() {
	w.net.stopAll()
	w.net = newWizSubnetState()
	w.cls.load.stop()
	w.cls.pick.reset()
	w.cls.forKey, w.cls.notice = "", ""
	for _, k := range []string{"subnet_ids", "instance_type", "serverless_min_capacity", "serverless_max_capacity"} {
		_ = w.set(k, "") // clearing cannot fail
	}
	w.acu.loaded = false
	w.layout()
}

func (w *Model) sourceKey(msg tea.KeyPressMsg) tea.Cmd {
	s := &w.src
	k := w.keys
	if s.regionPrompt {
		return w.regionKey(msg)
	}
	if key.Matches(msg, k.Region) && w.opts.SwitchRegion != nil {
		s.regionPrompt, s.regionErr = true, ""
		s.region.SetValue(w.region)
		s.region.CursorEnd()
		return s.region.Focus()
	}
	if s.list.err != nil {
		switch {
		case key.Matches(msg, k.Retry):
			return tea.Batch(w.loadClusters(), w.startSpin())
		case key.Matches(msg, k.BackFirst):
			return w.quit()
		}
		return nil
	}
	switch {
	case key.Matches(msg, k.Select):
		it := s.pick.current()
		if it == nil {
			return nil
		}
		if it.disabled != "" {
			// The detail line above says why; the notice says what to do.
			s.notice = it.id + " can't be chosen (" + it.disabled + "); pick an available Aurora cluster"
			s.noticeIsErr = false
			return nil
		}
		if s.chosen != nil && s.chosen.ID == it.id {
			return w.goTo(stepSubnets) // same cluster: keep every later choice
		}
		return tea.Batch(w.loadClusterDetail(it.id), w.startSpin())
	case key.Matches(msg, k.BackFirst):
		switch {
		case s.detail.active:
			s.detail.stop()
		case s.pick.filter != "":
			s.pick.setFilter("")
		default:
			// The first step has nothing before it: esc leaves the wizard
			// (to the home screen, when there is one).
			return w.quit()
		}
		return nil
	}
	before := s.pick.cursor
	if s.pick.key(msg) && s.pick.cursor != before {
		s.notice = ""
	}
	return nil
}

// regionKey edits the region prompt; enter switches, esc closes it.
func (w *Model) regionKey(msg tea.KeyPressMsg) tea.Cmd {
	s := &w.src
	switch msg.String() {
	case "esc":
		s.regionPrompt = false
		s.regionLoad.stop()
		s.region.Blur()
		return nil
	case "enter":
		region := strings.TrimSpace(s.region.Value())
		if _, err := w.trySet("region", region); err != nil || region == "" {
			s.regionErr = wizProblem(err)
			if region == "" {
				s.regionErr = "type a region code like eu-west-1"
			}
			return nil
		}
		ctx, req := w.begin(&s.regionLoad)
		s.regionErr = ""
		switchRegion := w.opts.SwitchRegion
		return tea.Batch(func() tea.Msg {
			d, err := switchRegion(ctx, region)
			return regionMsg{req: req, region: region, disc: d, err: err}
		}, w.startSpin())
	}
	var cmd tea.Cmd
	s.region, cmd = s.region.Update(msg)
	s.regionErr = ""
	return cmd
}

func (w *Model) onRegion(msg regionMsg) tea.Cmd {
	s := &w.src
	if !s.regionLoad.finish(msg.req, msg.err) {
		return nil
	}
	if msg.err != nil || msg.disc == nil {
		if msg.err == nil {
			msg.err = fmt.Errorf("no discovery for %s", msg.region)
		}
		s.regionErr = msg.err.Error()
		return nil
	}
	// Everything chosen so far belongs to the old region.
	s.detail.stop()
	w.disc = msg.disc
	w.region = msg.disc.Region()
	if w.region == "" {
		w.region = msg.region
	}
	w.stopAuto()
	w.resetAfterSource()
	_ = w.set("source_db_cluster_id", "") // clearing cannot fail
	_ = w.set("region", w.region)         // checked by trySet before switching
	s.chosen, s.notice = nil, ""
	s.regionPrompt = false
	s.region.Blur()
	s.pick.want, s.pick.moved = "", false
	return w.loadClusters()
}

func (w *Model) sourceView() []string {
	s := &w.src
	th := w.Theme
	width := w.Width
	out := []string{th.Title.Render("Which cluster should developers clone?")}

	if s.regionPrompt {
		out = append(out, "", "Switch to another region (clusters are listed per region):", "", "  "+s.region.View())
		if s.regionLoad.active {
			out = append(out, "", "  "+w.spinnerText("connecting to "+strings.TrimSpace(s.region.Value())+"…"))
		}
		if s.regionErr != "" {
			out = append(out, "")
			out = append(out, wizWrap("✗ "+s.regionErr, width, th.Err, "  ")...)
		}
		return out
	}
	if s.list.err != nil {
		out = append(out, "")
		keys := w.keyHint("r", "retry", "ctrl+r", "switch region", "esc", "leave")
		if w.opts.SwitchRegion == nil {
			keys = w.keyHint("r", "retry", "esc", "leave")
		}
		return append(out, w.errorLines("listing clusters in "+w.region, s.list.err, keys)...)
	}

	out = append(out, s.pick.filterLine(th, width, "cluster", "clusters"))
	rows := s.pick.view(th, width)
	switch {
	case len(s.pick.items) == 0 && s.list.active:
		rows = append(rows[:1], "  "+w.spinnerText("listing clusters in "+w.region+"…"))
	case len(s.pick.items) == 0:
		rows = append(rows[:1], "  "+th.Subtle.Render("No DB clusters in "+w.region+"."))
		if w.opts.SwitchRegion != nil {
			rows = append(rows, "  "+th.Subtle.Render("Press ctrl+r to look in another region."))
		}
	case len(s.pick.shown) == 0:
		rows = append(rows[:1], "  "+th.Subtle.Render("Nothing matches “"+s.pick.filter+"”; backspace or ctrl+u to widen."))
	}
	out = append(out, rows...)
	for len(out) < 3+s.pick.height {
		out = append(out, "")
	}

	// The highlighted cluster in a sentence: the reason it cannot be
	// cloned, or what will be cloned.
	if it := s.pick.current(); it != nil {
		c := &s.clusters[s.pick.shown[s.pick.cursor]]
		if _, why := cannotClone(c); why != "" {
			out = append(out, w.block(why, th.Disabled, 2)...)
		} else {
			out = append(out, w.block(clusterSentence(c), th.Subtle, 2)...)
		}
	} else {
		out = append(out, w.block("", th.Subtle, 2)...)
	}

	switch {
	case s.detail.active:
		out = append(out, w.spinnerText("reading "+s.reading+"…"))
	case s.notice != "" && s.noticeIsErr:
		out = append(out, w.block("✗ "+s.notice, th.Err, 2)...)
	case s.notice != "":
		out = append(out, w.block("! "+s.notice, th.Warn, 2)...)
	case s.list.active:
		out = append(out, w.spinnerText("listing more clusters… "+pickerCount(len(s.pick.items))+" so far"))
	}
	return out
}

// clusterSentence describes a clonable cluster in one line.
func clusterSentence(c *aws.Cluster) string {
	parts := []string{c.ID + ": " + c.Engine + " " + c.EngineVersion}
	switch n := len(c.Members); n {
	case 0:
		parts = append(parts, "no instances")
	case 1:
		parts = append(parts, "1 instance")
	default:
		parts = append(parts, strconv.Itoa(n)+" instances")
	}
	if c.Serverless != nil {
		parts = append(parts, "Serverless v2 "+wizACU(c.Serverless.Min)+"–"+wizACU(c.Serverless.Max)+" ACUs")
	}
	if c.SubnetGroup != "" {
		parts = append(parts, "subnet group "+c.SubnetGroup)
	}
	if c.Port != 0 {
		parts = append(parts, "port "+strconv.Itoa(int(c.Port)))
	}
	return strings.Join(parts, " · ")
}
