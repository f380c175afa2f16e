package cli

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dbaf/dbaf/artifact"
	"github.com/dbaf/dbaf/internal/testenv"
)

// dbaf teardown --expired is one operation: with nothing expired its -o json
// stream is one teardown_finished with count 0; with two expired clones it
// is both teardowns' events and still one final event, teardown_finished
// with count 2. Plain output says the same in words.
func TestTeardownExpiredIsOneOperation(t *testing.T) {
	t.Parallel()
	sb := startSandbox(t)
	c := cmdRun{sandbox: sb, env: map[string]string{"DBAF_POLL_INTERVAL": "100ms"}}
	finals := func(evs []map[string]any) []map[string]any {
		var out []map[string]any
		for _, e := range evs {
			if slices.Contains(artifact.FinalKinds(), e["event"].(string)) {
				out = append(out, e)
			}
		}
		return out
	}

	r := c.run(t, "teardown", "--expired", "--yes", "-o", "json")
	evs := testenv.JSONEvents(t, r.stdout)
	if r.code != ExitOK || len(evs) != 1 || evs[0]["event"] != "teardown_finished" || evs[0]["count"] != 0.0 {
		t.Fatalf("nothing expired: exit %d, stream %v\n%s", r.code, evs, r.stderr)
	}
	r = c.run(t, "teardown", "--expired", "--yes")
	if r.code != ExitOK || !strings.Contains(r.stderr, "no expired dbaf clones: nothing torn down") || r.stdout != "" {
		t.Errorf("nothing expired, plain: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	a := resolveINI(t, sb, writeINI(t, fmt.Sprintf(prodINI, "db-artifact:unused")))
	const me = "arn:aws:iam::123456789012:user/dev"
	long := time.Now().Add(-30 * 24 * time.Hour) // the artifact's TTL of 3d is long past
	createStacks(t, sb, a, map[string]map[string]string{
		"old-one": artifact.StackTags(a, me, long), "old-two": artifact.StackTags(a, me, long.Add(time.Minute)),
		"fresh": artifact.StackTags(a, me, time.Now()),
	})
	r = c.run(t, "teardown", "--expired", "--yes", "-o", "json")
	evs = testenv.JSONEvents(t, r.stdout)
	f := finals(evs)
	if r.code != ExitOK || len(f) != 1 || evs[len(evs)-1]["event"] != "teardown_finished" || f[0]["count"] != 2.0 {
		t.Fatalf("two expired: exit %d, final events %v\n%s", r.code, f, r.stderr)
	}
	started := 0
	for _, e := range evs {
		if e["event"] == "teardown_started" {
			started++
		}
	}
	if got := fmt.Sprint(f[0]["stacks"]); started != 2 || got != "[old-one old-two]" {
		t.Errorf("%d teardowns started, stacks %s; want old-one and old-two", started, got)
	}
	st, err := sandboxClient(t, sb).DescribeStack(context.Background(), "fresh")
	if err != nil || st.Status != "CREATE_COMPLETE" {
		t.Errorf("the clone that has not expired: %+v, %v", st, err)
	}
}
