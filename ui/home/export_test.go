package home

import (
	"context"

	tea "charm.land/bubbletea/v2"

	"github.com/dbaf/dbaf/ui/common"
)

// The menu alone, as the tests drive it: dbaf itself hosts the screens
// with Host.

// Run shows the home screen and returns the choice; leaving with ctrl+c is
// ErrInterrupted.
func Run(ctx context.Context, entries []Entry, theme common.Theme, progOpts ...tea.ProgramOption) (Choice, error) {
	res, err := RunWith(ctx, Options{Entries: entries, Theme: theme}, progOpts...)
	return res.Choice, err
}

// RunWith shows the home screen alone; leaving with ctrl+c is
// ErrInterrupted.
func RunWith(ctx context.Context, o Options, progOpts ...tea.ProgramOption) (Result, error) {
	h := New(o.Entries, o.Theme)
	h.images, h.Ctx, h.sandbox = o.Images, ctx, o.Sandbox
	p := tea.NewProgram(h, append([]tea.ProgramOption{tea.WithContext(ctx)}, progOpts...)...)
	m, err := p.Run()
	if err != nil {
		return Result{Choice: Quit}, err
	}
	if fh, ok := m.(*Model); ok {
		h = fh
	}
	if h.interrupted {
		return Result{Choice: Quit}, common.ErrInterrupted
	}
	return Result{Choice: h.Choice(), Image: h.image}, nil
}
