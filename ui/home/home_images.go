package home

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/dbaf/dbaf/ui/common"
)

// ArtifactImage is an artifact image in the local Docker engine, as the
// home screen offers it for cloning.
type ArtifactImage struct {
	Ref     string // a tag, as docker run takes it
	Source  string // the source cluster
	Region  string
	Created time.Time
}

// ArtifactImages lists the local artifact images. The command injects it
// (reading the Docker engine); the UI makes no Docker call of its own.
type ArtifactImages func(ctx context.Context) ([]ArtifactImage, error)

// Options configure the home screen.
type Options struct {
	Entries []Entry
	Theme   common.Theme
	// Images, when set, makes "Clone from an artifact" ask which local
	// image to clone (newest first) instead of assuming one.
	Images ArtifactImages
	// Sandbox, when set, is a line saying whether the local sandbox
	// account runs (onboarding starts there).
	Sandbox string
}

// Result is what the user picked: the entry and, for a clone, the image.
type Result struct {
	Choice Choice
	Image  string
}

// imagesMsg carries the listed images, or why they could not be.
type imagesMsg struct {
	images []ArtifactImage
	err    error
}

// pickImage starts the image step of "Clone from an artifact".
func (h *Model) pickImage() tea.Cmd {
	h.picking, h.loading, h.imgs, h.imgCursor = true, true, nil, 0
	list, ctx := h.images, h.Ctx
	return func() tea.Msg {
		imgs, err := list(ctx)
		return imagesMsg{imgs, err}
	}
}

func (h *Model) gotImages(msg imagesMsg) {
	h.loading = false
	switch {
	case msg.err != nil:
		h.picking, h.notice = false, "could not list the artifact images: "+msg.err.Error()
	case len(msg.images) == 0:
		h.picking, h.notice = false, "no artifact image in the Docker engine yet: build one first (1)"
	default:
		imgs := append([]ArtifactImage(nil), msg.images...)
		// Newest first; an image without a time last, whatever it is called.
		sort.SliceStable(imgs, func(i, j int) bool {
			if a, b := dated(imgs[i].Created), dated(imgs[j].Created); a != b {
				return a
			}
			return imgs[i].Created.After(imgs[j].Created)
		})
		h.imgs = imgs
	}
}

// imageKey handles a key while the image list is shown.
func (h *Model) imageKey(k string) tea.Cmd {
	switch k {
	case "esc", "q":
		h.picking = false
	case "up", "k":
		h.imgCursor = max(0, h.imgCursor-1)
	case "down", "j":
		h.imgCursor = min(len(h.imgs)-1, h.imgCursor+1)
	case "enter":
		if h.loading || len(h.imgs) == 0 {
			return nil
		}
		h.choice, h.chosen, h.image = Clone, true, h.imgs[h.imgCursor].Ref
		h.picking = false
		return h.chose()
	}
	return nil
}

// dated says whether an image says when it was built: a reproducible
// image's own time is the epoch (1970-01-01), which says nothing.
func dated(t time.Time) bool { return t.Unix() > 0 }

func (h *Model) imageLines() []string {
	th := h.Theme
	lines := []string{th.Title.Render("Clone from which artifact image?") + th.Subtle.Render("  (local images, newest first)"), ""}
	if h.loading {
		return append(lines, th.Subtle.Render("  listing the artifact images in the Docker engine…"))
	}
	refW := 0
	for _, im := range h.imgs {
		refW = max(refW, ansi.StringWidth(im.Ref))
	}
	for i, im := range h.imgs {
		mark := "  "
		if i == h.imgCursor {
			mark = "› "
		}
		built := "no date"
		if dated(im.Created) {
			built = "built " + im.Created.UTC().Format("2006-01-02 15:04 UTC")
		}
		detail := strings.TrimSuffix(fmt.Sprintf("%s · %s · %s", im.Source, im.Region, built), " · ")
		ref := common.Pad(im.Ref, refW+3)
		if i == h.imgCursor {
			ref = th.Selected.Render(mark + ref)
		} else {
			ref = mark + ref
		}
		lines = append(lines, ansi.Truncate(ref+th.Subtle.Render(detail), h.Width, "…"))
	}
	if len(h.imgs) > 0 {
		lines = append(lines, "", th.Subtle.Render("Will clone: ")+th.Accent.Render(h.imgs[h.imgCursor].Ref))
	}
	return lines
}
