package wizard

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/dbaf/dbaf/artifact"
	"github.com/dbaf/dbaf/aws"
	"github.com/dbaf/dbaf/config"
)

// Step 3: the instance class, from those orderable for the source's engine
// and version; then, for db.serverless, the capacity range.

// classChrome: title, filter line, column titles, detail and notice
// (two lines each).
const classChrome = 7

const wizServerless = config.ServerlessClass

type classState struct {
	load    wizLoad
	classes []string
	forKey  string                // engine and version the classes are for
	limits  *aws.ServerlessLimits // the version's Serverless v2 bounds; nil: none reported
	pick    picker
	notice  string
}

type classesMsg struct {
	req     int
	key     string
	classes []string
	limits  *aws.ServerlessLimits
	err     error
}

func newWizClassState() classState {
	return classState{pick: newPicker([]string{"CLASS", "vCPU", "MEMORY"}, []int{22, 5, 12}, false)}
}

// classShape gives vCPUs and memory (GiB) of the common Aurora classes,
// from their family's memory per vCPU and the size's vCPUs; ok is false
// for classes it does not know.
func classShape(class string) (vcpu int, mem float64, ok bool) {
	family, size, found := strings.Cut(strings.TrimPrefix(class, "db."), ".")
	if !found {
		return 0, 0, false
	}
	if family == "t3" || family == "t4g" {
		switch size {
		case "micro":
			return 2, 1, true
		case "small":
			return 2, 2, true
		case "medium":
			return 2, 4, true
		case "large":
			return 2, 8, true
		case "xlarge":
			return 4, 16, true
		case "2xlarge":
			return 8, 32, true
		}
		return 0, 0, false
	}
	var perCPU float64
	switch family {
	case "r5", "r5b", "r6g", "r6gd", "r6i", "r6id", "r7g", "r7i", "r8g":
		perCPU = 8
	case "x2g", "x2iedn":
		perCPU = 16
	case "m5", "m6g", "m6i", "m7g":
		perCPU = 4
	default:
		return 0, 0, false
	}
	switch {
	case size == "large":
		vcpu = 2
	case size == "xlarge":
		vcpu = 4
	case strings.HasSuffix(size, "xlarge"):
		n, err := strconv.Atoi(strings.TrimSuffix(size, "xlarge"))
		if err != nil || n < 1 {
			return 0, 0, false
		}
		vcpu = 4 * n
	default:
		return 0, 0, false
	}
	return vcpu, float64(vcpu) * perCPU, true
}

// writerClass is the class of the source's writer instance, if known.
func (w *Model) writerClass() string {
	if c := w.src.chosen; c != nil {
		for _, m := range c.Members {
			if m.Writer && m.Class != "" {
				return m.Class
			}
		}
	}
	return ""
}

func (w *Model) classKeyOf() string {
	c := w.src.chosen
	return c.Engine + " " + c.EngineVersion
}

func (w *Model) enterClass() tea.Cmd {
	cs := &w.cls
	if cs.forKey == w.classKeyOf() {
		return w.autoClass()
	}
	if cs.load.active {
		return nil
	}
	return w.loadClasses()
}

func (w *Model) loadClasses() tea.Cmd {
	cs := &w.cls
	c := w.src.chosen
	ctx, req := w.begin(&cs.load)
	disc, engine, version, k := w.disc, c.Engine, c.EngineVersion, w.classKeyOf()
	return func() tea.Msg {
		classes, err := disc.OrderableClasses(ctx, engine, version)
		var limits *aws.ServerlessLimits
		if err == nil && slices.Contains(classes, wizServerless) {
			limits, err = disc.ServerlessLimits(ctx, engine, version)
		}
		return classesMsg{req: req, key: k, classes: classes, limits: limits, err: err}
	}
}

func (w *Model) classItem(class, writer string) pickerItem {
	it := pickerItem{id: class, search: strings.ToLower(class)}
	switch vcpu, mem, ok := classShape(class); {
	case class == wizServerless:
		it.cols = []string{class, "-", "ACUs"}
		if lim := w.cls.limits; lim != nil {
			it.cols[2] = artifact.ACURange(lim.Min, lim.Max) + " ACU"
		}
		it.note = "Serverless v2: capacity scales within a range you choose"
		it.search += " serverless v2"
	case ok:
		it.cols = []string{class, strconv.Itoa(vcpu), strconv.FormatFloat(mem, 'f', -1, 64) + " GiB"}
	default:
		it.cols = []string{class, "?", "?"}
	}
	if class == writer {
		it.note = "← the source's writer runs this class"
		it.search += " source"
	}
	return it
}

func (w *Model) onClasses(msg classesMsg) tea.Cmd {
	cs := &w.cls
	if !cs.load.finish(msg.req, msg.err) {
		return nil
	}
	if msg.err != nil {
		w.stopAuto()
		return nil
	}
	cs.classes, cs.forKey, cs.limits = msg.classes, msg.key, msg.limits
	cs.pick.reset()
	cs.pick.want, cs.pick.moved = "", false
	writer := w.writerClass()
	items := make([]pickerItem, len(msg.classes))
	for i, cl := range msg.classes {
		items[i] = w.classItem(cl, writer)
	}
	cs.pick.add(items)

	// Pre-select the configured class if orderable, else the source's own.
	want := w.cfg.InstanceClass
	if want != "" && !slices.Contains(cs.classes, want) {
		c := w.src.chosen
		cs.notice = fmt.Sprintf("%s (from the configuration) is not orderable for %s %s in %s; choose another",
			want, c.Engine, c.EngineVersion, w.region)
		w.stopAuto()
		want = ""
	}
	if want == "" {
		want = writer
	}
	if want != "" {
		cs.pick.selectID(want)
	}
	return w.autoClass()
}

// autoClass takes the configured class when following a valid config.
func (w *Model) autoClass() tea.Cmd {
	if !w.auto || w.step != stepClass {
		return nil
	}
	if cl := w.cfg.InstanceClass; cl != "" && slices.Contains(w.cls.classes, cl) {
		return w.chooseClass(cl)
	}
	w.stopAuto()
	return nil
}

func (w *Model) chooseClass(class string) tea.Cmd {
	if err := w.set("instance_type", class); err != nil {
		w.cls.notice = wizProblem(err)
		w.stopAuto()
		return nil
	}
	w.cls.notice = ""
	if class == wizServerless {
		return w.goTo(stepCapacity)
	}
	// A capacity range only applies to db.serverless; leaving one behind
	// would make the config invalid.
	_ = w.set("serverless_min_capacity", "") // clearing cannot fail
	_ = w.set("serverless_max_capacity", "")
	return w.goTo(stepDetails)
}

func (w *Model) classKey(msg tea.KeyPressMsg) tea.Cmd {
	cs := &w.cls
	k := w.keys
	if cs.load.err != nil {
		switch {
		case key.Matches(msg, k.Retry):
			return tea.Batch(w.loadClasses(), w.startSpin())
		case key.Matches(msg, k.Back):
			return w.goTo(stepSubnets)
		}
		return nil
	}
	switch {
	case key.Matches(msg, k.Select):
		if it := cs.pick.current(); it != nil && !cs.load.active {
			return w.chooseClass(it.id)
		}
		return nil
	case key.Matches(msg, k.Back):
		if cs.pick.filter != "" {
			cs.pick.setFilter("")
			return nil
		}
		cs.load.stop()
		return w.goTo(stepSubnets)
	}
	cs.pick.key(msg)
	return nil
}

func (w *Model) classView() []string {
	cs := &w.cls
	th := w.Theme
	c := w.src.chosen
	out := []string{th.Title.Render("Which instance class should clones use?")}
	if cs.load.err != nil {
		out = append(out, "")
		return append(out, w.errorLines("listing orderable classes for "+c.Engine+" "+c.EngineVersion, cs.load.err,
			w.keyHint("r", "retry", "esc", "back"))...)
	}
	if cs.load.active || cs.forKey != w.classKeyOf() {
		return append(out, "", "  "+w.spinnerText("asking which classes are orderable for "+c.Engine+" "+c.EngineVersion+"…"))
	}
	out = append(out, cs.pick.filterLine(th, w.Width, "orderable for "+c.Engine+" "+c.EngineVersion, "orderable for "+c.Engine+" "+c.EngineVersion))
	rows := cs.pick.view(th, w.Width)
	switch {
	case len(cs.pick.items) == 0:
		rows = append(rows, wizWrap("No instance class is orderable for "+c.Engine+" "+c.EngineVersion+" in "+w.region+
			"; this engine version cannot be cloned here. Pick another cluster (esc).", w.Width, th.Warn, "  ")...)
	case len(cs.pick.shown) == 0:
		rows = append(rows, "  "+th.Subtle.Render("Nothing matches “"+cs.pick.filter+"”; backspace or ctrl+u to widen."))
	}
	out = append(out, rows...)
	for len(out) < 3+cs.pick.height {
		out = append(out, "")
	}
	detail := ""
	if it := cs.pick.current(); it != nil {
		switch {
		case it.id == wizServerless:
			detail = "db.serverless: you set the minimum and maximum ACUs next (1 ACU ≈ 2 GiB of memory)"
		case it.id == w.writerClass():
			detail = it.id + ": the same class as the source's writer, so clones behave like production"
		default:
			detail = it.id + ": clones of " + c.ID + " run on this class"
		}
	}
	out = append(out, w.block(detail, th.Subtle, 2)...)
	if cs.notice != "" {
		out = append(out, w.block("! "+cs.notice, th.Warn, 2)...)
	}
	return out
}

// Serverless v2 capacity.

type capacityState struct {
	inputs [2]textinput.Model
	focus  int
	errs   [2]string
	cross  string // min > max
	loaded bool
}

func newWizCapacityState(w *Model) capacityState {
	s := capacityState{}
	s.inputs[0] = w.newInput("minimum ACUs: ", "0.5")
	s.inputs[1] = w.newInput("maximum ACUs: ", "16")
	return s
}

func wizCapacityKey(i int) string {
	if i == 0 {
		return "serverless_min_capacity"
	}
	return "serverless_max_capacity"
}

func (w *Model) enterCapacity() tea.Cmd {
	s := &w.acu
	if !s.loaded {
		s.loaded = true
		lo, hi := 0.5, 16.0
		if sc := w.src.chosen.Serverless; sc != nil {
			lo, hi = sc.Min, sc.Max
		}
		if w.cfg.IsSet("serverless_min_capacity") {
			lo = w.cfg.ServerlessMinCapacity
		}
		if w.cfg.IsSet("serverless_max_capacity") {
			hi = w.cfg.ServerlessMaxCapacity
		}
		s.inputs[0].SetValue(wizACU(lo))
		s.inputs[1].SetValue(wizACU(hi))
		s.focus = 0
	}
	w.checkCapacity()
	if w.auto && w.capacityOK() {
		return w.capacityContinue()
	}
	w.stopAuto()
	return w.focusCapacity(s.focus)
}

func (w *Model) focusCapacity(i int) tea.Cmd {
	s := &w.acu
	s.focus = i
	for j := range s.inputs {
		s.inputs[j].Blur()
	}
	s.inputs[i].CursorEnd()
	return s.inputs[i].Focus()
}

// checkCapacity validates both values with the config's rules, alone and
// together (minimum not above maximum).
func (w *Model) checkCapacity() {
	s := &w.acu
	s.cross = ""
	c := w.cfg
	_ = c.Set("instance_type", wizServerless) // a valid constant
	for i := range s.inputs {
		v := strings.TrimSpace(s.inputs[i].Value())
		s.errs[i] = ""
		if v == "" {
			s.errs[i] = "type a number of ACUs"
			continue
		}
		if err := c.Set(wizCapacityKey(i), v); err != nil {
			s.errs[i] = wizProblem(err)
		}
	}
	if s.errs[0] != "" || s.errs[1] != "" {
		return
	}
	for _, e := range wizIssues(c.Validate()) {
		if e.Key == "serverless_min_capacity" || e.Key == "serverless_max_capacity" {
			s.cross = e.Problem + "; " + e.Hint
		}
	}
	if s.cross == "" {
		src := w.src.chosen
		sc := artifact.Scaling{Min: c.ServerlessMinCapacity, Max: c.ServerlessMaxCapacity}
		if err := artifact.CheckScaling(sc, w.cls.limits, src.Engine, src.EngineVersion); err != nil {
			s.cross = err.Msg
		}
	}
}

func (w *Model) capacityOK() bool {
	s := &w.acu
	return s.errs[0] == "" && s.errs[1] == "" && s.cross == ""
}

func (w *Model) capacityContinue() tea.Cmd {
	s := &w.acu
	for i := range s.inputs {
		if err := w.set(wizCapacityKey(i), strings.TrimSpace(s.inputs[i].Value())); err != nil {
			s.errs[i] = wizProblem(err)
			w.stopAuto()
			return nil
		}
	}
	return w.goTo(stepDetails)
}

func (w *Model) capacityKey(msg tea.KeyPressMsg) tea.Cmd {
	s := &w.acu
	k := w.keys
	switch {
	case key.Matches(msg, k.Continue):
		w.checkCapacity()
		if !w.capacityOK() {
			if s.errs[s.focus] == "" && s.errs[1-s.focus] != "" {
				return w.focusCapacity(1 - s.focus)
			}
			return nil
		}
		return w.capacityContinue()
	case key.Matches(msg, k.Back):
		return w.goTo(stepClass)
	case key.Matches(msg, k.NextField), key.Matches(msg, k.PrevField):
		return w.focusCapacity(1 - s.focus)
	}
	var cmd tea.Cmd
	s.inputs[s.focus], cmd = s.inputs[s.focus].Update(msg)
	w.checkCapacity()
	return cmd
}

func (w *Model) capacityView() []string {
	s := &w.acu
	th := w.Theme
	out := []string{th.Title.Render("Serverless v2 capacity of the clones"), ""}
	src := "the default 0.5–16 ACUs"
	if sc := w.src.chosen.Serverless; sc != nil {
		src = "the source's range, " + wizACU(sc.Min) + "–" + wizACU(sc.Max) + " ACUs"
	}
	bounds := "at most 256 ACU"
	if lim := w.cls.limits; lim != nil {
		bounds = artifact.ACURange(lim.Min, lim.Max) + " ACU for " + w.src.chosen.EngineVersion
	}
	out = append(out, wizWrap("A clone scales between these bounds: "+bounds+", in steps of 0.5 ACU (1 ACU ≈ 2 GiB of memory). Pre-filled with "+src+".",
		w.Width, th.Subtle, "")...)
	out = append(out, "")
	for i := range s.inputs {
		out = append(out, "  "+s.inputs[i].View())
		if s.errs[i] != "" {
			out = append(out, wizWrap("✗ "+s.errs[i], w.Width, th.Err, "    ")...)
		} else {
			out = append(out, "")
		}
	}
	if s.cross != "" {
		out = append(out, wizWrap("✗ "+s.cross, w.Width, th.Err, "  ")...)
	}
	return out
}
