package wizard

import (
	"testing"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/dbaf/dbaf/ui/common"
	"github.com/dbaf/dbaf/ui/internal/uitest"
)

// TestWizardColour: the wizard's first screen is coloured too.
func TestWizardColour(t *testing.T) {
	opts := testOptions(t, wizSandbox(), nil)
	opts.Theme = common.ThemeFor(false)
	tm, p := uitest.Run(t, New(t.Context(), opts), 100, 30)
	waitListed(t, p)
	_, frame := uitest.ColourFrame(t, tm)
	uitest.RequireColour(t, frame)
	golden.RequireEqual(t, frame)
}
