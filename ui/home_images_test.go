package ui

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func homeTestImages(context.Context) ([]ArtifactImage, error) {
	at := func(d int) time.Time {
		return time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC).Add(time.Duration(d) * time.Hour)
	}
	return []ArtifactImage{
		{Ref: "db-artifact:latest", Source: "prod-aurora", Region: "eu-west-1", Created: at(-48)},
		{Ref: "orders-artifact:v3", Source: "orders-mysql", Region: "eu-west-1", Created: at(0)},
		{Ref: "reporting:2026-11", Source: "reporting", Region: "us-east-1", Created: at(-5)},
	}, nil
}

func homeWithImages(list ArtifactImages) *Home {
	h := NewHome(DefaultHomeEntries(), NewTheme(true, false))
	h.images, h.ctx = list, context.Background()
	return h
}

// "Clone from an artifact" shows the local artifact images, newest first,
// says which will be cloned, and returns the one picked.
func TestHomeCloneImagePicker(t *testing.T) {
	tm, p := wizRun(t, homeWithImages(homeTestImages), 100, 16)
	tm.Type("2")
	wizWaitFor(t, p, "Clone from which artifact image?", "› orders-artifact:v3", "Will clone: orders-artifact:v3")
	v := p.last
	if a, b, c := strings.Index(v, "orders-artifact:v3"), strings.Index(v, "reporting:2026-11"), strings.Index(v, "db-artifact:latest"); !(a < b && b < c) {
		t.Errorf("not newest first:\n%s", v)
	}
	tm.Send(wizDown)
	wizWaitFor(t, p, "Will clone: reporting:2026-11")
	tm.Send(wizDown)
	wizWaitFor(t, p, "Will clone: db-artifact:latest")
	h := wizFinish(t, tm).(*Home)
	if h.Choice() != HomeQuit {
		t.Errorf("choice before enter = %v", h.Choice())
	}
}

func TestHomeCloneImagePicked(t *testing.T) {
	tm, p := wizRun(t, homeWithImages(homeTestImages), 100, 16)
	tm.Type("2")
	wizWaitFor(t, p, "Will clone: orders-artifact:v3")
	tm.Send(wizDown)
	wizWaitFor(t, p, "Will clone: reporting:2026-11")
	tm.Send(wizEnter)
	h := tm.FinalModel(t).(*wizProbe).m.(*Home)
	if h.Choice() != HomeClone || h.image != "reporting:2026-11" {
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
		tm, p := wizRun(t, homeWithImages(want), 100, 16)
		tm.Type("2")
		wizWaitFor(t, p, list)
		tm.Send(wizEsc)
		if h := tm.FinalModel(t).(*wizProbe).m.(*Home); h.Choice() != HomeQuit {
			t.Errorf("%s: choice %v", list, h.Choice())
		}
	}
}
