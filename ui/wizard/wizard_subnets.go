package wizard

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/dbaf/dbaf/aws"
	"github.com/dbaf/dbaf/ui/common"
)

// Step 2: the clone's subnets: the source's own subnet group, or subnets
// picked from its VPC. Aurora needs two or more AZs, so the step does not
// let go until the choice spans them.

// subnetChrome is the rows the pick-subnets view draws besides list
// rows: title, the two modes, filter line, column titles, status, notice
// (two lines).
const subnetChrome = 8

type subnetState struct {
	custom  bool // pick subnets rather than use the source's group
	decided bool // custom was set from the config (or by the user)

	group   wizLoad
	sg      *aws.SubnetGroup
	sgFor   string // cluster id sg belongs to
	noGroup bool   // the source has no subnet group

	vpc     wizLoad
	vpcInfo *aws.VPC

	vpcLoad    wizLoad
	subnets    []aws.Subnet // index-aligned with pick.items
	subnetsFor string       // VPC id the list belongs to
	pick       picker
	marksSet   bool // the config's subnet ids have been marked

	notice string // why enter was refused, or a pre-fill problem
}

type (
	subnetGroupMsg struct {
		req   int
		group *aws.SubnetGroup
		err   error
	}
	vPCSubnetsMsg struct {
		req     int
		vpc     string
		subnets []aws.Subnet
		err     error
	}
	vPCMsg struct {
		req int
		vpc *aws.VPC
		err error
	}
)

func newWizSubnetState() subnetState {
	return subnetState{
		pick: newPicker([]string{"SUBNET", "AZ", "CIDR", "NAME"}, []int{24, 16, 18, 32}, true),
	}
}

// stopAll abandons every subnet request in flight.
func (n *subnetState) stopAll() {
	n.group.stop()
	n.vpc.stop()
	n.vpcLoad.stop()
}

// loadErr is the failure the step shows in place, if any.
func (n *subnetState) loadErr() error {
	if n.group.err != nil {
		return n.group.err
	}
	if n.custom && n.vpcLoad.err != nil {
		return n.vpcLoad.err
	}
	return nil
}

func (w *Model) enterSubnets() tea.Cmd {
	n := &w.net
	c := w.src.chosen
	if !n.decided {
		n.custom = len(w.cfg.Subnets.IDs) > 0
		n.decided = true
	}
	if c.SubnetGroup == "" {
		n.noGroup = true
		w.stopAuto()
		return nil
	}
	if n.sgFor != c.ID && !n.group.active {
		return w.loadSubnetGroup()
	}
	return w.afterSubnetGroup()
}

func (w *Model) loadSubnetGroup() tea.Cmd {
	n := &w.net
	c := w.src.chosen
	ctx, req := w.begin(&n.group)
	disc, name := w.disc, c.SubnetGroup
	return func() tea.Msg {
		g, err := disc.SubnetGroup(ctx, name)
		return subnetGroupMsg{req: req, group: g, err: err}
	}
}

func (w *Model) onSubnetGroup(msg subnetGroupMsg) tea.Cmd {
	n := &w.net
	if !n.group.finish(msg.req, msg.err) {
		return nil
	}
	if msg.err != nil {
		w.stopAuto()
		return nil
	}
	n.sg, n.sgFor = msg.group, w.src.chosen.ID
	return w.afterSubnetGroup()
}

// afterSubnetGroup starts what the group makes possible (the VPC, its
// subnets when picking) and, following a config, moves on if it can.
func (w *Model) afterSubnetGroup() tea.Cmd {
	n := &w.net
	if n.sg == nil {
		return nil
	}
	var cmds []tea.Cmd
	if (n.vpcInfo == nil || n.vpcInfo.ID != n.sg.VpcID) && !n.vpc.active {
		cmds = append(cmds, w.loadVPC(n.sg.VpcID))
	}
	if n.custom {
		if n.subnetsFor != n.sg.VpcID && !n.vpcLoad.active {
			cmds = append(cmds, w.loadVPCSubnets(n.sg.VpcID))
		} else if n.subnetsFor == n.sg.VpcID {
			cmds = append(cmds, w.autoSubnets())
		}
	} else {
		cmds = append(cmds, w.autoSubnets())
	}
	return tea.Batch(cmds...)
}

func (w *Model) loadVPC(id string) tea.Cmd {
	ctx, req := w.begin(&w.net.vpc)
	disc := w.disc
	return func() tea.Msg {
		v, err := disc.VPC(ctx, id)
		return vPCMsg{req: req, vpc: v, err: err}
	}
}

func (w *Model) onVPC(msg vPCMsg) tea.Cmd {
	if !w.net.vpc.finish(msg.req, msg.err) || msg.err != nil {
		return nil
	}
	w.net.vpcInfo = msg.vpc
	return nil
}

func (w *Model) loadVPCSubnets(vpc string) tea.Cmd {
	ctx, req := w.begin(&w.net.vpcLoad)
	disc := w.disc
	return func() tea.Msg {
		s, err := disc.Subnets(ctx, vpc)
		return vPCSubnetsMsg{req: req, vpc: vpc, subnets: s, err: err}
	}
}

func subnetItem(s *aws.Subnet) pickerItem {
	return pickerItem{
		id:     s.ID,
		cols:   []string{s.ID, s.AZ, s.CIDR, s.Name},
		search: strings.ToLower(s.ID + " " + s.AZ + " " + s.CIDR + " " + s.Name),
	}
}

func (w *Model) onVPCSubnets(msg vPCSubnetsMsg) tea.Cmd {
	n := &w.net
	if !n.vpcLoad.finish(msg.req, msg.err) {
		return nil
	}
	if msg.err != nil {
		w.stopAuto()
		return nil
	}
	n.pick.reset()
	n.subnets = msg.subnets
	n.subnetsFor = msg.vpc
	items := make([]pickerItem, len(msg.subnets))
	for i := range msg.subnets {
		items[i] = subnetItem(&msg.subnets[i])
	}
	n.pick.add(items)
	return w.autoSubnets()
}

// autoSubnets applies the config's subnet choice once its data is here,
// and moves on when following a config that is valid so far.
func (w *Model) autoSubnets() tea.Cmd {
	n := &w.net
	if n.custom && !n.marksSet && n.subnetsFor != "" {
		n.marksSet = true
		if ids := w.cfg.Subnets.IDs; len(ids) > 0 {
			if missing := n.pick.markIDs(ids); len(missing) > 0 {
				n.notice = fmt.Sprintf("%s from the configuration %s not in %s; choose subnets below",
					strings.Join(missing, ", "), isAre(len(missing)), n.subnetsFor)
				w.stopAuto()
				return nil
			}
		}
	}
	if !w.auto || w.step != stepSubnets {
		return nil
	}
	if !w.cfg.Subnets.Source && len(w.cfg.Subnets.IDs) == 0 {
		// Nothing configured: "source" is pre-selected, but it is the
		// user's call.
		w.stopAuto()
		return nil
	}
	if n.custom && n.subnetsFor == "" {
		return nil
	}
	return w.subnetContinue()
}

// wizOr joins words as "a", "a or b", "a, b or c".
func wizOr(words []string) string {
	if len(words) <= 1 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

func isAre(n int) string {
	if n == 1 {
		return "is"
	}
	return "are"
}

// chosenSubnets are the subnets the current choice stands for.
func (w *Model) chosenSubnets() []aws.Subnet {
	n := &w.net
	if !n.custom {
		if n.sg == nil {
			return nil
		}
		return n.sg.Subnets
	}
	var out []aws.Subnet
	for i := range n.pick.items {
		if n.pick.items[i].marked {
			out = append(out, n.subnets[i])
		}
	}
	return out
}

// subnetProblem says why the current choice cannot be used, or "".
func (w *Model) subnetProblem() string {
	n := &w.net
	subnets := w.chosenSubnets()
	azs, enough := aws.EnoughAZs(subnets)
	switch {
	case n.noGroup:
		return w.src.chosen.ID + " has no DB subnet group; set subnet_ids in the INI file"
	case !n.custom && n.sg == nil:
		return "the subnet group is not loaded yet"
	case n.custom && len(subnets) == 0:
		return "no subnets selected: select subnets in two or more availability zones (space)"
	case !enough && !n.custom:
		return fmt.Sprintf("subnet group %s has subnets in %s only: Aurora needs two or more availability zones; pick subnets instead (tab)",
			n.sg.Name, strings.Join(azs, ", "))
	case !enough:
		var others []string
		for _, az := range aws.AZs(n.subnets) {
			if !slices.Contains(azs, az) {
				others = append(others, az)
			}
		}
		what := "all " + strconv.Itoa(len(subnets)) + " selected subnets are"
		if len(subnets) == 1 {
			what = "the selected subnet is"
		}
		if len(others) == 0 {
			return fmt.Sprintf("%s in %s, the only AZ of %s; Aurora needs two or more AZs: use another VPC's subnets in the INI",
				what, azs[0], n.subnetsFor)
		}
		return fmt.Sprintf("%s in %s: also select one in %s", what, azs[0], wizOr(others))
	}
	return ""
}

func countNoun(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return pickerCount(n) + " " + many
}

// subnetContinue moves on when the choice is valid, else says why not.
func (w *Model) subnetContinue() tea.Cmd {
	n := &w.net
	if why := w.subnetProblem(); why != "" {
		n.notice = why
		w.stopAuto()
		return nil
	}
	value := "source"
	if n.custom {
		var ids []string
		for _, s := range w.chosenSubnets() {
			ids = append(ids, s.ID)
		}
		value = strings.Join(ids, ", ")
	}
	if err := w.set("subnet_ids", value); err != nil {
		n.notice = wizProblem(err)
		w.stopAuto()
		return nil
	}
	n.notice = ""
	return w.goTo(stepClass)
}

func (w *Model) subnetKey(msg tea.KeyPressMsg) tea.Cmd {
	n := &w.net
	k := w.keys
	if err := n.loadErr(); err != nil {
		switch {
		case key.Matches(msg, k.Retry):
			if n.group.err != nil {
				n.group.err = nil
				return tea.Batch(w.loadSubnetGroup(), w.startSpin())
			}
			return tea.Batch(w.loadVPCSubnets(n.sg.VpcID), w.startSpin())
		case key.Matches(msg, k.Back):
			n.stopAll()
			return w.goTo(stepSource)
		case key.Matches(msg, k.Mode) && n.custom:
			n.custom = false
			return nil
		}
		return nil
	}
	switch {
	case key.Matches(msg, k.Mode):
		if n.noGroup {
			return nil
		}
		n.custom = !n.custom
		n.notice = ""
		w.layout()
		return tea.Batch(w.afterSubnetGroup(), w.spinIfBusy())
	case key.Matches(msg, k.Continue):
		return w.subnetContinue()
	case key.Matches(msg, k.Back):
		if n.custom && n.pick.filter != "" {
			n.pick.setFilter("")
			return nil
		}
		n.stopAll()
		return w.goTo(stepSource)
	}
	if !n.custom {
		return nil
	}
	switch {
	case key.Matches(msg, k.Toggle):
		n.pick.toggle()
		n.notice = ""
		return nil
	case key.Matches(msg, k.ToggleShown):
		n.pick.toggleShown()
		n.notice = ""
		return nil
	}
	n.pick.key(msg)
	return nil
}

func (w *Model) subnetView() []string {
	n := &w.net
	th := w.Theme
	width := w.Width
	c := w.src.chosen
	out := []string{th.Title.Render("Where should clones run?")}
	if n.noGroup {
		return append(out, "", th.Warn.Render("! "+c.ID+" has no DB subnet group, so dbaf cannot tell its VPC."),
			th.Subtle.Render("  Write subnet_ids in the INI file and start again, or pick another cluster (esc)."))
	}

	vpcText := "its VPC"
	if n.sg != nil {
		vpcText = n.sg.VpcID
		if v := n.vpcInfo; v != nil && v.ID == n.sg.VpcID {
			vpcText = vPCText(v)
		}
	}
	groupName := c.SubnetGroup
	radio := func(on bool, text string) string {
		if on {
			return th.Selected.Render("› ● " + text)
		}
		return th.Subtle.Render("  ○ " + text)
	}
	out = append(out,
		radio(!n.custom, "source: the cluster's own subnet group "+groupName+" (recommended)"),
		common.Spread(radio(n.custom, "pick subnets of "+vpcText), th.Key.Render("tab")+th.Subtle.Render(" switches"), width))

	if err := n.loadErr(); err != nil {
		what := "reading subnet group " + groupName
		if n.group.err == nil {
			what = "listing the subnets of " + vpcText
		}
		out = append(out, "")
		return append(out, w.errorLines(what, err, w.keyHint("r", "retry", "esc", "back"))...)
	}
	if !n.custom {
		return append(out, w.groupView()...)
	}

	if n.vpcLoad.active || n.subnetsFor == "" {
		return append(out, "", "  "+w.spinnerText("listing the subnets of "+vpcText+"…"))
	}
	out = append(out, n.pick.filterLine(th, width, "subnet", "subnets"))
	rows := n.pick.view(th, width)
	if len(n.pick.shown) == 0 {
		msg := "Nothing matches “" + n.pick.filter + "”; backspace or ctrl+u to widen."
		if len(n.pick.items) == 0 {
			msg = vpcText + " has no subnets."
		}
		rows = append(rows, "  "+th.Subtle.Render(msg))
	}
	out = append(out, rows...)
	for len(out) < 5+n.pick.height {
		out = append(out, "")
	}
	out = append(out, w.subnetStatus())
	if n.notice != "" {
		out = append(out, w.block("✗ Can't continue: "+n.notice, th.Err, 2)...)
	}
	return out
}

// subnetStatus is the live verdict on the selection, always on screen so
// the two-AZ rule is never a surprise.
func (w *Model) subnetStatus() string {
	th := w.Theme
	subnets := w.chosenSubnets()
	azs, enough := aws.EnoughAZs(subnets)
	if len(subnets) == 0 {
		return th.Warn.Render("! No subnets selected yet: select subnets in two or more AZs (space)")
	}
	text := countNoun(len(subnets), "subnet", "subnets") + " selected"
	if len(subnets) > 0 {
		text += " in " + countNoun(len(azs), "AZ", "AZs") + " (" + strings.Join(azs, ", ") + ")"
	}
	if enough {
		return th.OK.Render("✓ " + text)
	}
	return th.Warn.Render("! " + text + ": Aurora needs two or more AZs")
}

// groupView explains the source subnet group: which subnets, which AZs.
func (w *Model) groupView() []string {
	n := &w.net
	th := w.Theme
	c := w.src.chosen
	out := []string{""}
	if n.sg == nil {
		return append(out, "  "+w.spinnerText("reading subnet group "+c.SubnetGroup+"…"))
	}
	out = append(out, wizWrap(fmt.Sprintf("Clones run where %s runs: the subnets of its group %s in %s.",
		c.ID, n.sg.Name, n.sg.VpcID), w.Width, th.Subtle, "")...)
	room := w.bodyHeight() - len(out) - 5
	for i, s := range n.sg.Subnets {
		if i >= room && len(n.sg.Subnets) > room+1 {
			out = append(out, th.Subtle.Render(fmt.Sprintf("    … and %d more", len(n.sg.Subnets)-i)))
			break
		}
		out = append(out, "    "+common.Pad(s.ID, 26)+common.Pad(s.AZ, 14)+common.Pad(s.CIDR, 18)+s.Name)
	}
	out = append(out, "")
	if why := w.subnetProblem(); why != "" {
		out = append(out, wizWrap("✗ "+why, w.Width, th.Err, "")...)
	} else {
		azs := aws.AZs(n.sg.Subnets)
		out = append(out, th.OK.Render("✓ "+countNoun(len(n.sg.Subnets), "subnet", "subnets")+" in "+
			strconv.Itoa(len(azs))+" AZs ("+strings.Join(azs, ", ")+")"))
	}
	if n.notice != "" && w.subnetProblem() == "" {
		out = append(out, th.Err.Render("✗ "+n.notice))
	}
	return out
}

// vPCText names a VPC with its Name tag and CIDR when known.
func vPCText(v *aws.VPC) string {
	var extra []string
	if v.Name != "" {
		extra = append(extra, v.Name)
	}
	if v.CIDR != "" {
		extra = append(extra, v.CIDR)
	}
	if len(extra) == 0 {
		return v.ID
	}
	return v.ID + " (" + strings.Join(extra, ", ") + ")"
}
