package wizard

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	teatest "github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/dbaf/dbaf/config"
	"github.com/dbaf/dbaf/ui/internal/uitest"
)

// toMasking opens the wizard on a complete config (so on the review), goes
// back to the details and on to the masking step.
func toMasking(t *testing.T, w *Model) (*teatest.TestModel, *uitest.Probe) {
	t.Helper()
	tm, p := uitest.Run(t, w, 100, 30)
	uitest.WaitFor(t, p, "Review, then build", "(new file)")
	tm.Send(uitest.Esc)
	uitest.WaitFor(t, p, "Details of the artifact")
	tm.Send(uitest.Enter)
	uitest.WaitFor(t, p, "Masking (optional)", "No rules and no hooks", "● Masking")
	return tm, p
}

// clearField deletes n characters from the focused input.
func clearField(tm *teatest.TestModel, n int) {
	for range n {
		tm.Send(uitest.Bksp)
	}
}

// addRules adds a rule with a bad strategy (refused, error shown), fixes
// it, adds another and removes that one, then adds a hook file that does
// not exist (refused) and one that does.
func addRules(t *testing.T, tm *teatest.TestModel, p *uitest.Probe, w *Model) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(filepath.Dir(w.path), "grants.sql"), []byte("GRANT SELECT ON legacy.customers TO analyst;\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tm.Type("a")
	uitest.WaitFor(t, p, "Add a masking rule")
	tm.Type("legacy.customers")
	uitest.WaitFor(t, p, `✗ "legacy.customers" is not a column path`)
	tm.Type(".email")
	tm.Send(uitest.Tab)
	tm.Type("shuffle")
	uitest.WaitFor(t, p, `✗ unknown masking strategy "shuffle"`)
	tm.Send(uitest.Enter) // refused: the form stays, the rule is not added
	uitest.WaitFor(t, p, "Add a masking rule", `✗ unknown masking strategy "shuffle"`)
	clearField(tm, len("shuffle"))
	tm.Type("emial") // a typo is named, as in the INI
	uitest.WaitFor(t, p, `✗ unknown masking strategy "emial": did you mean email?`)
	clearField(tm, len("emial"))
	tm.Type("REDACT:4")
	tm.Send(uitest.Enter)
	uitest.WaitFor(t, p, "Rules (1 column)", "legacy.customers.email", "redact:4")

	tm.Type("a")
	uitest.WaitFor(t, p, "Add a masking rule")
	tm.Type("legacy.customers.EMAIL")
	uitest.WaitFor(t, p, "✗ given twice")
	clearField(tm, len("EMAIL"))
	tm.Type("ssn")
	tm.Send(uitest.Tab)
	tm.Type("null")
	tm.Send(uitest.Enter)
	uitest.WaitFor(t, p, "Rules (2 columns)", "legacy.customers.ssn")
	tm.Type("d") // the cursor is on the rule just added
	uitest.WaitFor(t, p, "Rules (1 column)")

	tm.Type("h")
	uitest.WaitFor(t, p, "Add a post-clone hook")
	tm.Type("missing.sql")
	uitest.WaitFor(t, p, `✗ hook "missing.sql"`)
	tm.Send(uitest.Enter) // refused
	uitest.WaitFor(t, p, "Add a post-clone hook")
	clearField(tm, len("missing.sql"))
	tm.Type("grants.sql")
	uitest.Wait(t, p, func(v string) bool { return strings.Contains(v, "> grants.sql") && !strings.Contains(v, "✗") })
	tm.Send(uitest.Enter)
	uitest.WaitFor(t, p, "Hooks (post_clone", "grants.sql")
}

func TestWizardMasking(t *testing.T) {
	w := wizNew(t, wizSandbox(), nil, wizComplete(t))
	tm, p := toMasking(t, w)
	addRules(t, tm, p, w)
	uitest.Wait(t, p, func(v string) bool { return !strings.Contains(v, "legacy.customers.ssn") })
	m := wizFinish(t, tm).(*Model)
	if got := m.cfg.Masking; len(got) != 1 || got[0].Column != "legacy.customers.email" || got[0].Strategy != "redact:4" {
		t.Errorf("masking = %+v, want legacy.customers.email = redact:4 alone", got)
	}
	if got := strings.Join(m.cfg.PostClone, ","); got != "grants.sql" {
		t.Errorf("post_clone = %q, want grants.sql", got)
	}
}

// TestWizardMaskingInReview: the rules and hooks go into the INI the
// review shows (and writes); the review is valid, so it can build.
func TestWizardMaskingInReview(t *testing.T) {
	w := wizNew(t, wizSandbox(), nil, wizComplete(t))
	tm, p := toMasking(t, w)
	addRules(t, tm, p, w)
	tm.Send(uitest.Tab)
	uitest.WaitFor(t, p, "Review, then build", "✓ Masking")
	for range 20 {
		tm.Send(uitest.Down)
	}
	v := uitest.WaitFor(t, p, "[masking]", "legacy.customers.email = redact:4", "[hooks]", "post_clone = grants.sql")
	if strings.Contains(v, "legacy.customers.ssn") || strings.Contains(v, "not valid yet") {
		t.Errorf("review:\n%s", v)
	}
	tm.Send(uitest.Esc) // back to the masking step, rules kept
	uitest.WaitFor(t, p, "Masking (optional)", "legacy.customers.email", "grants.sql")
	tm.Send(uitest.Up)    // from the hook to the rule
	tm.Send(uitest.Enter) // edit the selected rule
	uitest.WaitFor(t, p, "Edit the masking rule", "> legacy.customers.email")
	tm.Send(uitest.Tab)
	clearField(tm, len("redact:4"))
	tm.Type("hash")
	tm.Send(uitest.Enter)
	uitest.WaitFor(t, p, "Rules (1 column)", "hash")
	m := wizFinish2(t, tm)
	var b strings.Builder
	c := m.Config()
	if err := c.Write(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "legacy.customers.email = hash") {
		t.Errorf("INI after the edit:\n%s", b.String())
	}
}

// wizFinish2 quits and returns the final model without a golden.
func wizFinish2(t *testing.T, tm *teatest.TestModel) *Model {
	t.Helper()
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	return tm.FinalModel(t).(*uitest.Probe).M.(*Model)
}

// TestWizardMaskingPrefilled: a config with rules and hooks shows them in
// the step bar and the list when the step is entered.
func TestWizardMaskingPrefilled(t *testing.T) {
	cfg := wizComplete(t)
	cfg.Masking = []config.MaskRule{{Column: "legacy.customers.phone", Strategy: "phone"}}
	w := wizNew(t, wizSandbox(), nil, cfg)
	tm, p := uitest.Run(t, w, 100, 30)
	uitest.WaitFor(t, p, "Review, then build", "✓ Masking › ● Review")
	for range 20 {
		tm.Send(uitest.Down)
	}
	uitest.WaitFor(t, p, "[masking]", "legacy.customers.phone = phone")
	tm.Send(uitest.Esc)
	uitest.WaitFor(t, p, "Masking (optional)", "legacy.customers.phone", "Rules (1 column)")
	tm.Type("d")
	uitest.WaitFor(t, p, "No rules and no hooks")
	tm.Send(uitest.Enter) // empty: enter skips to the review
	v := uitest.WaitFor(t, p, "Review, then build")
	if strings.Contains(v, "[masking]") {
		t.Errorf("a removed rule is still in the review:\n%s", v)
	}
	if len(cfg.Masking) != 1 {
		t.Errorf("the caller's config was changed: %+v", cfg.Masking)
	}
	_ = wizFinish2(t, tm)
}
