package cloneview

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/dbaf/dbaf/artifact"
	"github.com/dbaf/dbaf/ui/internal/uitest"
)

// The ready panel says what the preflight found (the source's clones, its
// key) and, for a restore AWS made a full copy, that its storage is billed
// in full.
func TestCloneViewReadyFullCopy(t *testing.T) {
	ready := cvReady("")
	ready.FullCopy = true
	ready.Restore = artifact.FullCopyNote + ": AWS made a full copy, not a copy-on-write clone (its clone group cg-2 is not prod's cg-1)"
	pf := artifact.Preflight{Source: "prod", SourceStatus: "available", Instances: 2, CloneGroupID: "cg-1", Clones: 3,
		Quotas:    []artifact.QuotaUse{{Name: "DBClusters", Used: 12, Max: 40}, {Name: "DBInstances", Used: 13, Max: 40}},
		Encrypted: true, KMSKey: "arn:aws:kms:eu-west-1:123456789012:key/5f3e0c1a", KMSKeyState: "Enabled", Calls: 4}
	m := newTest(t, &cvFake{startEvs: append([]artifact.Event{pf}, success(ready)...), ready: ready}, &uitest.Clock{T: uitest.T0},
		func(o *Options) { o.SkipSummary = true })
	h := uitest.RunHarness(t, m, 100, 40)
	h.WaitFor(t, "ready", cvAt(stageReady))
	fm := h.Final(t)
	screen := uitest.Screen(fm)
	for _, want := range []string{"clones    3 existing clones of prod before this one", "key       KMS key arn:aws:kms:eu-west-1:123456789012:key/5f3e0c1a (Enabled)",
		"restore   full copy: storage billed in full"} {
		if !strings.Contains(screen, want) {
			t.Errorf("ready panel lacks %q:\n%s", want, screen)
		}
	}
	golden.RequireEqual(t, screen)
}
