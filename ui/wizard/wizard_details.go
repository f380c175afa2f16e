package wizard

import (
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/dbaf/dbaf/config"
	"github.com/dbaf/dbaf/ui/common"
)

// Step 4: details of the artifact, each optional with its default shown,
// each checked as typed by the config's own rules.

const (
	fieldTag = iota
	fieldCIDR
	fieldTTL
	fieldContact
	wizFields
)

// wizField describes one details field.
type wizField struct {
	key, label, about string
}

// detailFields lists the fields in order (a function, not a package
// variable: the package keeps no state).
func detailFields() [wizFields]wizField {
	return [wizFields]wizField{
		{"image_tag", "Image tag", "the Docker tag the artifact is built under"},
		{"allowed_cidr", "Allowed CIDR", "who may connect to a clone (IPv4 CIDR)"},
		{"clone_ttl", "Clone TTL", "how long a clone may live, e.g. 8h, 3d or 1d12h; at most 365d"},
		{"publisher_contact", "Publisher", "who developers contact when a clone fails"},
	}
}

type detailsState struct {
	inputs [wizFields]textinput.Model
	focus  int
	errs   [wizFields]string
	loaded bool
}

func newWizDetailsState(w *Model) detailsState {
	var s detailsState
	for i := range s.inputs {
		s.inputs[i] = w.newInput("> ", "")
		s.inputs[i].CharLimit = 300 // longer than any valid value, so errors still show
	}
	return s
}

// detailTTL is clone_ttl's text field: empty when no TTL is set, else
// the TTL as the INI writes it (config.FormatTTL reads back as it wrote).
func detailTTL(d time.Duration) string {
	if d <= 0 {
		return ""
	}
	return config.FormatTTL(d)
}

// defaults shown as placeholders: what an empty field means.
func (w *Model) detailDefault(i int) string {
	switch i {
	case fieldTag:
		return config.DefaultImageTag
	case fieldCIDR:
		if v := w.net.vpcInfo; v != nil && v.CIDR != "" {
			return v.CIDR + " (the VPC's CIDR)"
		}
		return "the VPC's CIDR"
	case fieldTTL:
		return "none: clones live until torn down"
	case fieldContact:
		return "none, e.g. dataops@example.com"
	}
	return ""
}

func (w *Model) enterDetails() tea.Cmd {
	s := &w.det
	if !s.loaded {
		s.loaded = true
		c := &w.cfg
		s.inputs[fieldTag].SetValue(c.ImageTag)
		s.inputs[fieldCIDR].SetValue(c.AllowedCIDR)
		s.inputs[fieldTTL].SetValue(detailTTL(c.CloneTTL))
		s.inputs[fieldContact].SetValue(c.PublisherContact)
	}
	for i := range s.inputs {
		s.inputs[i].Placeholder = w.detailDefault(i)
		w.checkDetail(i)
	}
	if w.auto && w.detailsOK() {
		return w.detailsContinue()
	}
	w.stopAuto()
	return w.focusDetail(s.focus)
}

func (w *Model) focusDetail(i int) tea.Cmd {
	s := &w.det
	s.focus = (i + wizFields) % wizFields
	for j := range s.inputs {
		s.inputs[j].Blur()
	}
	s.inputs[s.focus].CursorEnd()
	return s.inputs[s.focus].Focus()
}

// checkDetail validates field i by setting it on a copy of the choices.
func (w *Model) checkDetail(i int) {
	s := &w.det
	_, err := w.trySet(detailFields()[i].key, s.inputs[i].Value())
	s.errs[i] = wizProblem(err)
}

func (w *Model) detailsOK() bool {
	for _, e := range w.det.errs {
		if e != "" {
			return false
		}
	}
	return true
}

func (w *Model) detailsContinue() tea.Cmd {
	s := &w.det
	for i, f := range detailFields() {
		if err := w.set(f.key, s.inputs[i].Value()); err != nil {
			s.errs[i] = wizProblem(err)
			w.stopAuto()
			return w.focusDetail(i)
		}
	}
	if w.auto {
		// A pre-filled config goes on to the review; its masking, if any,
		// was checked with the rest of the file.
		return w.goTo(stepReview)
	}
	return w.goTo(stepMasking)
}

func (w *Model) detailsKey(msg tea.KeyPressMsg) tea.Cmd {
	s := &w.det
	k := w.keys
	switch {
	case key.Matches(msg, k.Continue):
		for i := range s.inputs {
			w.checkDetail(i)
		}
		for i, e := range s.errs {
			if e != "" {
				return w.focusDetail(i)
			}
		}
		return w.detailsContinue()
	case key.Matches(msg, k.Back):
		// Keep what was typed, valid or not: coming back finds it as left.
		if w.cfg.InstanceClass == wizServerless {
			return w.goTo(stepCapacity)
		}
		return w.goTo(stepClass)
	case key.Matches(msg, k.NextField):
		return w.focusDetail(s.focus + 1)
	case key.Matches(msg, k.PrevField):
		return w.focusDetail(s.focus - 1)
	}
	var cmd tea.Cmd
	s.inputs[s.focus], cmd = s.inputs[s.focus].Update(msg)
	w.checkDetail(s.focus)
	return cmd
}

func (w *Model) detailsView() []string {
	s := &w.det
	th := w.Theme
	out := []string{th.Title.Render("Details of the artifact"),
		th.Subtle.Render("Each has a default; leave a field empty to keep it.")}
	// Short windows get a compact form: no blank lines, and only the
	// focused field explained.
	roomy := w.bodyHeight() >= 2+4*wizFields
	const labelW = 15
	for i, f := range detailFields() {
		if roomy {
			out = append(out, "")
		}
		label := common.Pad(f.label, labelW)
		if i == s.focus {
			out = append(out, th.Selected.Render(label)+s.inputs[i].View())
		} else {
			out = append(out, th.Header.Render(label)+s.inputs[i].View())
		}
		indent := strings.Repeat(" ", labelW)
		switch {
		case s.errs[i] != "":
			lines := wizWrap("✗ "+s.errs[i], w.Width, th.Err, indent)
			if len(lines) > 2 {
				lines = lines[:2]
			}
			out = append(out, lines...)
		case roomy || i == s.focus:
			// The default itself shows in the empty field.
			out = append(out, indent+th.Subtle.Render(f.about))
		}
	}
	return out
}
