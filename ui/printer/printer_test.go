package printer

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/dbaf/dbaf/artifact"
)

func TestPlainTeardownHasItsOwnWords(t *testing.T) {
	var out, errOut bytes.Buffer
	p := &Plain{Out: &out, Err: &errOut}
	p.Emit(artifact.TeardownStarted{Stack: "c1", Source: "prod", Region: "eu-west-1"})
	p.Emit(artifact.TeardownFailed{Stack: "c1", Reason: "denied"})
	p.Emit(artifact.CloneInterrupted{Stack: "c1", Message: "interrupted"})
	got := errOut.String()
	if got != "==> deleting stack c1 (clone of prod) in eu-west-1\n" || out.Len() != 0 {
		t.Errorf("stderr %q stdout %q", got, out.String())
	}
	if strings.Contains(got, "creating") {
		t.Error("teardown says creating")
	}
}

func TestShowSaysAPointInTimeCloneIsAFullCopy(t *testing.T) {
	at := time.Date(2026, 11, 24, 21, 30, 0, 0, time.UTC)
	a := &artifact.Artifact{SchemaVersion: 1, Image: "x:y", Region: "eu-west-1",
		Source: artifact.Source{ClusterID: "prod", Engine: "aurora-postgresql", RestoreToTime: &at},
		Target: artifact.Target{InstanceClass: "db.r6g.large"}}
	var b bytes.Buffer
	ShowArtifact(&b, a)
	if strings.Contains(b.String(), "copy-on-write") || !strings.Contains(b.String(), a.RestoreMode().Description) {
		t.Errorf("show:\n%s", b.String())
	}
}
