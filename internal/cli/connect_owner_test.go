package cli

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dbaf/dbaf/artifact"
)

// dbaf connect on another owner's clone says whose it is and asks for
// --force (exit 2); with --force it goes on.
func TestConnectRefusesAnotherOwnersCloneUnlessForced(t *testing.T) {
	t.Parallel()
	sb := startSandbox(t)
	a := resolveINI(t, sb, writeINI(t, fmt.Sprintf(prodINI, "db-artifact:unused")))
	const alice = "arn:aws:iam::123456789012:user/alice"
	createStacks(t, sb, a, map[string]map[string]string{"alices-clone": artifact.StackTags(a, alice, time.Now())})
	c := cmdRun{sandbox: sb}

	r := c.run(t, "connect", "alices-clone", "--print")
	if r.code != ExitBadInput || r.stdout != "" {
		t.Fatalf("connect to alice's clone: exit %d, want %d\n%s%s", r.code, ExitBadInput, r.stdout, r.stderr)
	}
	for _, want := range []string{"clone alices-clone is owned by " + alice, "--force"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("message lacks %q:\n%s", want, r.stderr)
		}
	}
	r = c.run(t, "connect", "alices-clone", "--print", "--force")
	if r.code != ExitOK || !strings.Contains(r.stdout, "alices-clone") {
		t.Errorf("connect --force: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}
