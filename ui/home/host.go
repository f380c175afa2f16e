package home

import (
	"context"
	"fmt"
	"io"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/dbaf/dbaf/ui/common"
)

// Flow runs what a choice stands for (the command's own code for build,
// clone or list). The screens it opens show inside the home program, as
// its children: the ctx it gets carries the home screen as their Host.
type Flow func(ctx context.Context, res Result) error

// Host runs the home screen as the one program of `dbaf`. A choice runs
// flow on its own goroutine; the screens flow opens replace the menu until
// they close, and the menu comes back when flow returns. An error from
// flow (or a cancelled ctx) ends the program and is returned as is;
// leaving the menu with ctrl+c is ErrInterrupted. finals receives, in
// order, what the hosted screens leave on the terminal when they close
// (their last frame), as their own programs would have.
func Host(ctx context.Context, o Options, flow Flow, finals io.Writer, progOpts ...tea.ProgramOption) error {
	h := newHosted(ctx, o, flow, finals)
	p := tea.NewProgram(h, append([]tea.ProgramOption{tea.WithContext(ctx)}, progOpts...)...)
	h.host.send = p.Send
	_, err := p.Run()
	return h.hostEnd(err)
}

// newHosted is the home screen of Host; its host's send is the program's.
func newHosted(ctx context.Context, o Options, flow Flow, finals io.Writer) *Model {
	h := New(o.Entries, o.Theme)
	h.images, h.Ctx, h.flow, h.sandbox = o.Images, ctx, flow, o.Sandbox
	h.host = &host{finals: finals, stopped: make(chan struct{})}
	return h
}

// hostEnd stops a flow still running once the program has ended (err is
// the program's) and says how Host ends.
func (h *Model) hostEnd(err error) error {
	close(h.host.stopped)
	var flowErr error
	if r := h.run; r != nil {
		r.cancel()
		<-r.done
		flowErr = r.err
	}
	switch {
	case h.interrupted:
		return common.ErrInterrupted
	case h.flowErr != nil:
		return h.flowErr
	case flowErr != nil:
		return flowErr
	}
	return err
}

// flowRun is one choice's flow running.
type flowRun struct {
	cancel context.CancelFunc
	done   chan struct{} // closed once err is set
	err    error
}

// flowDoneMsg says run's flow has returned.
type flowDoneMsg struct{ run *flowRun }

// startFlow runs the flow of the choice made, off the event loop.
func (h *Model) startFlow(res Result) {
	ctx, cancel := context.WithCancel(h.Ctx)
	r := &flowRun{cancel: cancel, done: make(chan struct{})}
	h.run = r
	flow, hs := h.flow, h.host
	go func() {
		defer close(r.done)
		r.err = flow(common.WithHost(ctx, hs), res)
		hs.send(flowDoneMsg{run: r}) // returns at once if the program has ended
	}()
}

// onFlowDone goes back to the menu, or ends the program on an error.
func (h *Model) onFlowDone(msg flowDoneMsg) tea.Cmd {
	if msg.run != h.run {
		return nil
	}
	h.run, h.child, h.chosen = nil, nil, false
	msg.run.cancel()
	if msg.run.err != nil || h.Ctx.Err() != nil {
		h.flowErr = msg.run.err
		return tea.Quit
	}
	return nil
}

// child is a screen a flow shows in the home program.
type child struct {
	m     tea.Model
	ended func(tea.Msg) bool
	done  chan struct{} // closed when the screen has closed
}

// showMsg hands a flow's screen to the home program.
type showMsg struct{ c *child }

// host is the Host the flows' screens show in.
type host struct {
	send    func(tea.Msg) // the program's Send
	finals  io.Writer
	stopped chan struct{} // closed once the program has ended
}

func (hs *host) Show(ctx context.Context, m tea.Model, ended func(tea.Msg) bool) error {
	c := &child{m: m, ended: ended, done: make(chan struct{})}
	hs.send(showMsg{c})
	select {
	case <-c.done:
	case <-ctx.Done():
		return fmt.Errorf("%w: %w", tea.ErrProgramKilled, ctx.Err())
	case <-hs.stopped:
		return tea.ErrProgramKilled
	}
	// The program no longer touches m: leave what it would leave on the
	// terminal if it had been a program of its own.
	if v := m.View(); !v.AltScreen && strings.TrimSpace(v.Content) != "" && hs.finals != nil {
		fmt.Fprintln(hs.finals, strings.TrimRight(v.Content, "\n"))
	}
	return nil
}

// updateHosted handles msg while a flow runs: its screen, if one is shown,
// gets every message until it closes. ok is false when the menu should
// handle msg as usual.
func (h *Model) updateHosted(msg tea.Msg) (cmd tea.Cmd, ok bool) {
	switch msg := msg.(type) {
	case showMsg:
		h.child = msg.c
		_, sizeCmd := msg.c.m.Update(tea.WindowSizeMsg{Width: h.Width, Height: h.Height})
		return tea.Batch(sizeCmd, msg.c.m.Init()), true
	case flowDoneMsg:
		return h.onFlowDone(msg), true
	}
	if h.run == nil {
		return nil, false
	}
	c := h.child
	if c == nil {
		// The flow is getting ready (reading the artifact, AWS): only
		// ctrl+c, which stops it, does something.
		h.Prologue(msg)
		if k, isKey := msg.(tea.KeyPressMsg); isKey && k.String() == "ctrl+c" {
			h.interrupted = true
			return tea.Quit, true
		}
		return nil, true
	}
	h.Prologue(msg) // the menu comes back at the current size and theme
	if c.ended(msg) {
		h.child = nil
		close(c.done)
		return nil, true
	}
	m, cmd := c.m.Update(msg)
	c.m = m
	return cmd, true
}

// viewHosted is the shown screen's view, in the home program's screen.
func (h *Model) viewHosted() (tea.View, bool) {
	if h.child == nil {
		return tea.View{}, false
	}
	v := h.child.m.View()
	v.AltScreen = true
	if v.WindowTitle == "" {
		v.WindowTitle = "dbaf"
	}
	return v, true
}
