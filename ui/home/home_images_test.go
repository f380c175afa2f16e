package home

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/dbaf/dbaf/ui/common"
	"github.com/dbaf/dbaf/ui/internal/uitest"
)

func testImages(context.Context) ([]ArtifactImage, error) {
	at := func(d int) time.Time {
		return time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC).Add(time.Duration(d) * time.Hour)
	}
	return []ArtifactImage{
		{Ref: "db-artifact:latest", Source: "prod-aurora", Region: "eu-west-1", Created: at(-48)},
		{Ref: "orders-artifact:v3", Source: "orders-mysql", Region: "eu-west-1", Created: at(0)},
		{Ref: "reporting:2026-11", Source: "reporting", Region: "us-east-1", Created: at(-5)},
	}, nil
}

func withImages(list ArtifactImages) *Model {
	h := New(DefaultEntries(), common.NewTheme(true, false))
	h.images, h.Ctx = list, context.Background()
	return h
}

// "Clone from an artifact" shows the local artifact images, newest first,
// says which will be cloned, and returns the one picked.
func TestHomeCloneImagePicker(t *testing.T) {
	tm, p := uitest.Run(t, withImages(testImages), 100, 16)
	tm.Type("2")
	uitest.WaitFor(t, p, "Clone from which artifact image?", "› orders-artifact:v3", "Will clone: orders-artifact:v3")
	v := p.Last
	if a, b, c := strings.Index(v, "orders-artifact:v3"), strings.Index(v, "reporting:2026-11"), strings.Index(v, "db-artifact:latest"); !(a < b && b < c) {
		t.Errorf("not newest first:\n%s", v)
	}
	tm.Send(uitest.Down)
	uitest.WaitFor(t, p, "Will clone: reporting:2026-11")
	tm.Send(uitest.Down)
	uitest.WaitFor(t, p, "Will clone: db-artifact:latest")
	h := uitest.Finish(t, tm, nil).(*Model)
	if h.Choice() != Quit {
		t.Errorf("choice before enter = %v", h.Choice())
	}
}

func TestHomeCloneImagePicked(t *testing.T) {
	tm, p := uitest.Run(t, withImages(testImages), 100, 16)
	tm.Type("2")
	uitest.WaitFor(t, p, "Will clone: orders-artifact:v3")
	tm.Send(uitest.Down)
	uitest.WaitFor(t, p, "Will clone: reporting:2026-11")
	tm.Send(uitest.Enter)
	h := tm.FinalModel(t).(*uitest.Probe).M.(*Model)
	if h.Choice() != Clone || h.image != "reporting:2026-11" {
		t.Errorf("picked %v %q, want clone of reporting:2026-11", h.Choice(), h.image)
	}
}

func TestHomeCloneNoImages(t *testing.T) {
	for list, want := range map[string]ArtifactImages{
		"no artifact image in the Docker engine yet: build one first": func(context.Context) ([]ArtifactImage, error) { return nil, nil },
		"could not list the artifact images: Cannot connect to the Docker daemon": func(context.Context) ([]ArtifactImage, error) {
			return nil, errors.New("Cannot connect to the Docker daemon")
		},
	} {
		tm, p := uitest.Run(t, withImages(want), 100, 16)
		tm.Type("2")
		uitest.WaitFor(t, p, list)
		tm.Send(uitest.Esc)
		if h := tm.FinalModel(t).(*uitest.Probe).M.(*Model); h.Choice() != Quit {
			t.Errorf("%s: choice %v", list, h.Choice())
		}
	}
}

// An image without a build time (a reproducible image's own time is the
// epoch) says "no date", never 1970-01-01, and comes last.
func TestHomeCloneImageWithoutDate(t *testing.T) {
	list := func(ctx context.Context) ([]ArtifactImage, error) {
		imgs, _ := testImages(ctx)
		return append([]ArtifactImage{
			{Ref: "epoch-artifact:latest", Source: "billing-aurora", Region: "eu-west-1", Created: time.Unix(0, 0)},
			{Ref: "undated:v1", Source: "geo-pg", Region: "eu-west-1"},
		}, imgs...), nil
	}
	tm, p := uitest.Run(t, withImages(list), 80, 24)
	tm.Type("2")
	uitest.WaitFor(t, p, "Will clone: orders-artifact:v3", "epoch-artifact:latest", "no date")
	v := p.Last
	if strings.Contains(v, "1970") || strings.Contains(v, "0001-01-01") {
		t.Errorf("a meaningless date:\n%s", v)
	}
	if dated, undated := strings.Index(v, "db-artifact:latest"), strings.Index(v, "epoch-artifact:latest"); dated > undated || undated > strings.Index(v, "undated:v1") {
		t.Errorf("the undated are not last:\n%s", v)
	}
	golden.RequireEqual(t, uitest.Screen(uitest.Finish(t, tm, nil)))
}
