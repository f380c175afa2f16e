package cloneview

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/dbaf/dbaf/artifact"
	"github.com/dbaf/dbaf/ui/internal/uitest"
)

// A clone whose password RDS manages asks for none: the summary says who
// sets it, and the ready panel hands over the secret and the command that
// reads it, never a password.
func TestCloneViewReadyManagedPassword(t *testing.T) {
	clock := &uitest.Clock{T: uitest.T0}
	const arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!cluster-3f1c9a2e-5b7d-4e8f-9a0b-1c2d3e4f5a6b-AbCdEf"
	ready := cvReady("")
	ready.SecretARN, ready.PasswordCommand = arn, artifact.Commands{}.Secret("eu-west-1", arn)
	f := &cvFake{startEvs: success(ready), ready: ready}
	m := newTest(t, f, clock, func(o *Options) { o.Artifact.Target.ManagedPassword = true })
	h := uitest.RunHarness(t, m, 200, 40)
	h.WaitFor(t, "the summary", func(tm tea.Model) bool { return tm.(*Model).stage == stageSummary && tm.(*Model).Width == 200 })
	if s := uitest.Screen(m); !strings.Contains(s, "password   "+m.o.Artifact.Target.PasswordDescription()) {
		t.Errorf("the summary does not say RDS manages the password:\n%s", s)
	}
	h.Key("enter")
	h.WaitFor(t, "ready", cvAt(stageReady))
	fm := h.Final(t)
	golden.RequireEqual(t, uitest.Screen(fm))
	if f.password != "" || f.generated {
		t.Errorf("Start got password %q generated %v: want neither", f.password, f.generated)
	}
}
