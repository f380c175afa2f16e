package common

import (
	"context"

	tea "charm.land/bubbletea/v2"
)

// Host shows a screen inside a program that is already running (the home
// screen's) instead of in a program of its own, so that `dbaf` is one
// program whose choices open their screens as its children.
type Host interface {
	// Show hosts m until it sends a message for which ended is true (the
	// screen's own ClosedMsg: hosted screens close instead of quitting),
	// then returns. It returns early with an error when ctx ends or the
	// hosting program does.
	Show(ctx context.Context, m tea.Model, ended func(tea.Msg) bool) error
}

type hostKey struct{}

// WithHost is ctx carrying h: a screen's Run called with it shows the
// screen in h. The home screen hands it to the flows its choices run,
// which reach the screens through the commands' own code unchanged.
func WithHost(ctx context.Context, h Host) context.Context {
	return context.WithValue(ctx, hostKey{}, h)
}

// HostFrom is the Host ctx carries, or nil: run a program of your own.
func HostFrom(ctx context.Context) Host {
	h, _ := ctx.Value(hostKey{}).(Host)
	return h
}

// RunModel runs m as its own program, or in the Host ctx carries (then
// hostedEnd recognises its end and progOpts are unused). The error is the
// program's (or the host's).
func RunModel(ctx context.Context, m tea.Model, hostedEnd func(tea.Msg) bool, progOpts []tea.ProgramOption) (tea.Model, error) {
	if h := HostFrom(ctx); h != nil {
		return m, h.Show(ctx, m, hostedEnd)
	}
	opts := append([]tea.ProgramOption{tea.WithContext(ctx)}, progOpts...)
	return tea.NewProgram(m, opts...).Run()
}
