package wizard

import (
	"context"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/dbaf/dbaf/artifact"
	"github.com/dbaf/dbaf/ui/common"
	"github.com/dbaf/dbaf/ui/printer"
)

// Step 6: write the INI, build (and maybe push) with live progress, and
// end on what a developer needs: the image and the docker run line.

// maxProgress bounds the progress lines kept; only the last few show.
const maxProgress = 200

type buildState struct {
	run      wizLoad
	pushRef  string // "" for a plain build
	saved    string // the INI path written by this run
	steps    []buildStep
	progress []string
	warnings []string
	started  time.Time
	took     time.Duration
	built    *artifact.Built

	pushPrompt bool
	push       textinput.Model
	pushErr    string
}

type buildStep struct {
	name, detail string
	done         bool
	elapsed      time.Duration
}

type (
	// buildEvent is one event of the running build; saved is set
	// instead when the INI has been written.
	buildEvent struct {
		ev    artifact.Event
		saved string
	}
	buildEventsMsg = common.EventsMsg[buildEvent]
	buildDoneMsg   = common.DoneMsg[*artifact.Built]
)

func newWizBuildState(w *Model) buildState {
	return buildState{push: w.newInput("push to: ", "registry.example.com/team/db-artifact:latest")}
}

// startBuild writes the INI (a plain build only: a push rebuilds what was
// written) and runs the build function, streaming its events.
func (w *Model) startBuild(push string) tea.Cmd {
	b := &w.bld
	w.step = stepBuild
	w.Help.ShowAll = false
	b.pushRef, b.saved = push, ""
	b.steps, b.progress, b.warnings = nil, nil, nil
	b.built, b.pushPrompt, b.pushErr = nil, false, ""
	b.started = w.now()
	cfg, path, build := w.cfg, w.path, w.opts.Build
	// The build reads the file's time as the artifact's creation time
	// (artifact.CreatedTime), so it is told where the file is.
	cfg.Path = path
	stream := startStream(w, &b.run, func(ctx context.Context, emit func(buildEvent)) (*artifact.Built, error) {
		if build == nil {
			return nil, fmt.Errorf("this dbaf cannot build images here (no build function)")
		}
		if push == "" {
			if err := cfg.Save(path); err != nil {
				return nil, err
			}
			if emit(buildEvent{saved: path}); ctx.Err() != nil {
				return nil, ctx.Err()
			}
		}
		return build(ctx, &cfg, push, func(e artifact.Event) { emit(buildEvent{ev: e}) })
	})
	return tea.Batch(stream, w.startSpin())
}

func (w *Model) onBuildEvents(msg buildEventsMsg) tea.Cmd {
	more, ok := w.bld.run.events(msg.Op)
	if !ok {
		return nil
	}
	for _, e := range msg.Events {
		w.onBuildEvent(e)
	}
	return more
}

func (w *Model) onBuildEvent(msg buildEvent) {
	b := &w.bld
	if msg.saved != "" {
		b.saved = msg.saved
		w.rev.wrote, w.rev.exists = true, true
		return
	}
	switch e := msg.ev.(type) {
	case artifact.StepStarted:
		b.steps = append(b.steps, buildStep{name: e.Step, detail: e.Detail})
	case artifact.StepDone:
		for i := len(b.steps) - 1; i >= 0; i-- {
			if b.steps[i].name == e.Step && !b.steps[i].done {
				b.steps[i].done, b.steps[i].elapsed = true, e.Elapsed
				if e.Detail != "" {
					b.steps[i].detail = e.Detail
				}
				break
			}
		}
	case artifact.Progress:
		b.progress = append(b.progress, e.Line)
		if len(b.progress) > maxProgress {
			b.progress = append(b.progress[:0], b.progress[len(b.progress)-maxProgress:]...)
		}
	case artifact.Warning:
		b.warnings = append(b.warnings, e.Message)
	}
}

func (w *Model) onBuildDone(msg buildDoneMsg) tea.Cmd {
	b := &w.bld
	if !b.run.finishOp(msg.Op, msg.Err) {
		return nil
	}
	b.took = w.now().Sub(b.started)
	if msg.Err != nil {
		w.lastErr = msg.Err
		return nil
	}
	b.built = msg.Result
	w.result, w.lastErr = msg.Result, nil
	return nil
}

func (w *Model) buildKey(msg tea.KeyPressMsg) tea.Cmd {
	b := &w.bld
	k := w.keys
	if b.pushPrompt {
		return w.pushKey(msg)
	}
	switch {
	case b.run.active:
		if key.Matches(msg, k.CancelRun) {
			b.run.stop()
			return w.goTo(stepReview)
		}
	case b.run.err != nil:
		switch {
		case key.Matches(msg, k.Retry):
			return w.startBuild(b.pushRef)
		case key.Matches(msg, k.Back):
			b.run.err = nil
			return w.goTo(stepReview)
		}
	default:
		switch {
		case key.Matches(msg, k.Done):
			return w.quit()
		case key.Matches(msg, k.Push):
			b.pushPrompt, b.pushErr = true, ""
			if b.push.Value() == "" && b.built != nil && b.built.Pushed != "" {
				b.push.SetValue(strings.SplitN(b.built.Pushed, "@", 2)[0])
			}
			b.push.CursorEnd()
			return b.push.Focus()
		case key.Matches(msg, k.Back):
			return w.goTo(stepReview)
		}
	}
	return nil
}

// pushKey edits the registry reference; enter pushes, esc closes.
func (w *Model) pushKey(msg tea.KeyPressMsg) tea.Cmd {
	b := &w.bld
	switch msg.String() {
	case "esc":
		b.pushPrompt = false
		b.push.Blur()
		return nil
	case "enter":
		ref := strings.TrimSpace(b.push.Value())
		if ref == "" {
			b.pushErr = "type a registry reference, e.g. registry.example.com/team/db-artifact:latest"
			return nil
		}
		// A push target is an image tag: the INI's image_tag rules apply.
		if _, err := w.trySet("image_tag", ref); err != nil {
			b.pushErr = wizProblem(err)
			return nil
		}
		b.push.Blur()
		return w.startBuild(ref)
	}
	var cmd tea.Cmd
	b.push, cmd = b.push.Update(msg)
	b.pushErr = ""
	return cmd
}

// stepTitle names a build step for people.
func stepTitle(step string) string {
	switch step {
	case artifact.StepResolve:
		return "resolve"
	case artifact.StepAssemble:
		return "assemble"
	case artifact.StepLoad:
		return "load"
	case artifact.StepPush:
		return "push"
	}
	return step
}

func seconds(d time.Duration) string {
	switch {
	case d >= time.Second:
		return fmt.Sprintf("%.1fs", d.Seconds())
	case d > 0:
		return fmt.Sprintf("%dms", d.Milliseconds())
	}
	return ""
}

func (w *Model) buildView() []string {
	b := &w.bld
	th := w.Theme
	width := w.Width
	if b.built != nil && !b.run.active {
		return w.summaryView()
	}
	tag := w.cfg.ImageTag
	if tag == "" {
		tag = "db-artifact:latest"
	}
	title := "Building " + tag
	if b.pushRef != "" {
		title = "Building and pushing " + b.pushRef
	}
	out := []string{th.Title.Render(title), ""}
	if b.saved != "" {
		out = append(out, th.OK.Render("✓ ")+common.Pad("write", 10)+th.Subtle.Render(b.saved))
	}
	for _, s := range b.steps {
		mark := w.spin.View() + " "
		if s.done {
			mark = th.OK.Render("✓ ")
		} else if !b.run.active {
			mark = th.Err.Render("✗ ")
		}
		line := mark + common.Pad(stepTitle(s.name), 10) + th.Subtle.Render(s.detail)
		if s.done && s.elapsed > 0 {
			line = common.Spread(line, th.Subtle.Render(seconds(s.elapsed)), width)
		}
		out = append(out, line)
	}
	if b.run.active && len(b.steps) == 0 {
		out = append(out, w.spinnerText("starting…"))
	}
	for _, m := range b.warnings {
		out = append(out, wizWrap("! "+m, width, th.Warn, "")...)
	}
	if b.run.err != nil {
		out = append(out, "")
		out = append(out, wizWrap("✗ The build failed: "+b.run.err.Error(), width, th.Err, "")...)
		out = append(out, "", "  "+w.keyHint("r", "retry", "esc", "back to the review"))
		return out
	}
	// The latest progress lines fill what room is left.
	room := w.bodyHeight() - len(out) - 1
	if room > 0 && len(b.progress) > 0 {
		out = append(out, "")
		start := max(0, len(b.progress)-room)
		for _, l := range b.progress[start:] {
			out = append(out, th.Subtle.Render("    "+ansi.Truncate(l, max(10, width-4), "…")))
		}
	}
	return out
}

func (w *Model) summaryView() []string {
	b := &w.bld
	th := w.Theme
	width := w.Width
	r := b.built
	out := []string{th.OK.Render("✓ Built "+r.Image) + th.Subtle.Render(tookText(b.took)), ""}
	// The indent goes first when a full image id would not fit.
	indent := "  "
	if width < 2+8+len(r.ID) {
		indent = ""
	}
	row := func(label, text string) { out = append(out, indent+th.Header.Render(common.Pad(label, 8))+text) }
	row("image", r.Image)
	row("id", r.ID)
	row("size", printer.Bytes(r.Size))
	if r.Pushed != "" {
		row("pushed", r.Pushed)
	}
	row("config", w.path)
	for _, m := range b.warnings {
		out = append(out, wizWrap("! "+m, width, th.Warn, "  ")...)
	}
	out = append(out, "", "Developers clone it with:")
	// The run line is what people copy: when it must wrap, it wraps at
	// spaces with shell line continuations, so a pasted copy still runs.
	lines := common.WordWrap(r.RunLine, max(20, width-4))
	if len(lines) > 1 {
		lines = common.WordWrap(r.RunLine, max(20, width-6))
	}
	for i, l := range lines {
		if i < len(lines)-1 {
			l += " \\"
		}
		out = append(out, "  "+th.Accent.Render(l))
	}
	if b.pushPrompt {
		out = append(out, "", "Push the image to a registry (a reference developers can pull):", "  "+b.push.View())
		if b.pushErr != "" {
			out = append(out, wizWrap("✗ "+b.pushErr, width, th.Err, "  ")...)
		}
		return out
	}
	return out
}

func tookText(d time.Duration) string {
	if s := seconds(d); s != "" {
		return " in " + s
	}
	return ""
}
