package printer

import (
	"strings"
	"testing"
	"time"

	"github.com/dbaf/dbaf/artifact"
	"github.com/dbaf/dbaf/ui/internal/uitest"
)

// show prints the TTL the way the INI says it, not as a Go duration.
func TestShowArtifactTTL(t *testing.T) {
	for d, want := range map[time.Duration]string{36 * time.Hour: "1d12h", 72 * time.Hour: "3d", 90 * time.Minute: "1h30m"} {
		a := uitest.Artifact()
		a.CloneTTL = artifact.Duration(d)
		var b strings.Builder
		ShowArtifact(&b, a)
		if !strings.Contains(b.String(), "ttl         "+want+"\n") {
			t.Errorf("%s: want ttl %s in\n%s", d, want, b.String())
		}
	}
}
