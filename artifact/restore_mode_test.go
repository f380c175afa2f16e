package artifact

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// A restore_to_time artifact is a full copy: nothing that describes it may
// call it copy-on-write.
func TestRestoreModeIsOneDescriptionEverywhere(t *testing.T) {
	at := time.Date(2026, 11, 24, 21, 30, 0, 0, time.UTC)
	for _, tc := range []struct {
		name  string
		set   func(*Artifact)
		kind  string
		words string
	}{
		{"latest", func(*Artifact) {}, RestoreCopyOnWrite, "copy-on-write"},
		{"point in time", func(a *Artifact) { a.Source.RestoreToTime = &at }, RestoreFullCopy, "full copy as of 2026-11-24T21:30:00Z"},
		{"snapshot", func(a *Artifact) { a.Source.SnapshotIdentifier = "prod-snap" }, RestoreSnapshot, "full copy restored from snapshot prod-snap"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := testArtifact()
			tc.set(a)
			m := a.RestoreMode()
			if m.Kind != tc.kind || !strings.Contains(m.Description, tc.words) {
				t.Fatalf("RestoreMode() = %+v", m)
			}
			tmpl, err := Template(a, "c1")
			if err != nil {
				t.Fatal(err)
			}
			var doc struct{ Description string }
			if err := json.Unmarshal(tmpl, &doc); err != nil {
				t.Fatal(err)
			}
			label := Labels(a, "test")[LabelDescription]
			for what, text := range map[string]string{"stack description": doc.Description, "image label": label} {
				if !strings.Contains(text, m.Description) {
					t.Errorf("%s %q lacks %q", what, text, m.Description)
				}
				if tc.kind != RestoreCopyOnWrite && strings.Contains(strings.ToLower(text), "copy-on-write") {
					t.Errorf("%s of a %s calls it copy-on-write: %q", what, tc.kind, text)
				}
			}
		})
	}
}

func TestCreatedLabelOnlyForARealTime(t *testing.T) {
	a := testArtifact()
	a.Created = time.Unix(0, 0).UTC()
	if v, ok := Labels(a, "test")[LabelCreated]; ok {
		t.Errorf("a flags-only artifact is labelled created %q", v)
	}
	a.Created = time.Unix(1764000000, 0).UTC()
	if v := Labels(a, "test")[LabelCreated]; v != "2025-11-24T16:00:00Z" {
		t.Errorf("created label %q", v)
	}
}
