package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dbaf/dbaf/artifact"
	dbafaws "github.com/dbaf/dbaf/aws"
	"github.com/dbaf/dbaf/internal/clock"
	"github.com/dbaf/dbaf/internal/sandbox"
	"github.com/dbaf/dbaf/internal/testenv"
)

// dbaf setup makes the expiry role once: a second run changes nothing and
// says so; without a terminal it wants --yes.
func TestSetupIsIdempotent(t *testing.T) {
	t.Parallel()
	sb := startSandbox(t)
	c := cmdRun{sandbox: sb, env: map[string]string{"DBAF_POLL_INTERVAL": "100ms"}}

	if r := c.run(t, "setup"); r.code != ExitBadInput || !strings.Contains(r.stderr, "--yes") {
		t.Fatalf("setup without --yes and no terminal: exit %d\n%s", r.code, r.stderr)
	}
	r := c.run(t, "setup", "--yes")
	if r.code != ExitOK || !strings.Contains(r.stdout, "dbaf-account created") || !strings.Contains(r.stdout, ":role/") {
		t.Fatalf("first setup: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = c.run(t, "setup", "--yes", "-o", "json")
	var res artifact.SetupResult
	if err := json.Unmarshal([]byte(r.stdout), &res); r.code != ExitOK || err != nil || res.Action != "unchanged" || !strings.Contains(res.RoleARN, ":role/") {
		t.Fatalf("second setup: exit %d, %+v (%v)\n%s%s", r.code, res, err, r.stdout, r.stderr)
	}
	if n := sb.Calls()["cloudformation:CreateStack"]; n != 1 {
		t.Errorf("%d CreateStack calls over two setups, want 1", n)
	}
	p := c.run(t, "setup", "--print")
	if p.code != ExitOK || !strings.Contains(p.stdout, `"AWS::IAM::Role"`) || !strings.Contains(p.stdout, "scheduler.amazonaws.com") {
		t.Errorf("setup --print: exit %d\n%s", p.code, p.stdout)
	}
}

// A clone with --ttl 1h in an account with dbaf setup is deleted by its
// schedule once the account's clock passes the hour, and not before;
// --ttl past the artifact's clone_ttl is refused (exit 2).
func TestCloneTTLIsEnforcedByTheSchedule(t *testing.T) {
	t.Parallel()
	sb := startSandbox(t)
	ini := writeINI(t, fmt.Sprintf(prodINI, "db-artifact:unused"))
	c := cmdRun{sandbox: sb, env: map[string]string{"DB_PASSWORD": testPassword, "DBAF_POLL_INTERVAL": "100ms"}}
	ctx, client := context.Background(), sandboxClient(t, sb)

	if r := c.run(t, "clone", "--config", ini, "--name", "too-long", "--ttl", "4d"); r.code != ExitBadInput || !strings.Contains(r.stderr, "clone_ttl") {
		t.Fatalf("--ttl past clone_ttl: exit %d\n%s", r.code, r.stderr)
	}
	if r := c.run(t, "clone", "--config", ini, "--name", "untracked", "--ttl", "1h"); r.code != ExitOK || !strings.Contains(r.stdout, "("+artifact.NotEnforced+")") {
		t.Fatalf("clone before dbaf setup: exit %d, want its expiry shown as not enforced\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := c.run(t, "setup", "--yes"); r.code != ExitOK {
		t.Fatalf("setup: exit %d\n%s", r.code, r.stderr)
	}
	r := c.run(t, "clone", "--config", ini, "--name", "pr-7", "--ttl", "1h", "-o", "json")
	if evs := testenv.JSONEvents(t, r.stdout); r.code != ExitOK || evs[len(evs)-1]["event"] != "clone_ready" || evs[len(evs)-1]["enforced"] != true {
		t.Fatalf("clone: exit %d, want a clone_ready event with enforced true\n%s%s", r.code, r.stdout, r.stderr)
	}
	st, err := client.DescribeStack(ctx, "pr-7")
	if err != nil {
		t.Fatal(err)
	}
	exp, ok := artifact.ExpiresAt(st.Tags)
	if !ok {
		t.Fatalf("no %s tag: %v", artifact.TagExpiresAt, st.Tags)
	}
	if r := c.run(t, "list", "-o", "json"); !strings.Contains(r.stdout, `"enforced": true`) {
		t.Errorf("dbaf list does not say AWS deletes pr-7:\n%s", r.stdout)
	}
	tmpl, err := client.GetTemplate(ctx, "pr-7")
	if err != nil || !strings.Contains(string(tmpl), artifact.ScheduleExpression(exp)) {
		t.Fatalf("the clone's template has no schedule at %s (%v):\n%s", exp, err, tmpl)
	}

	if _, err := sb.AdvanceClock(59 * time.Minute); err != nil {
		t.Fatal(err)
	}
	if st, err := client.DescribeStack(ctx, "pr-7"); err != nil || st.Status != "CREATE_COMPLETE" {
		t.Fatalf("59 minutes in: %+v, %v; want the clone still there", st, err)
	}
	if _, err := sb.AdvanceClock(2 * time.Minute); err != nil {
		t.Fatal(err)
	}
	var evs []string
	awaitDeleted(t, client, st.ID, "past the hour")
	if cl, err := client.Cluster(ctx, "pr-7"); err == nil {
		t.Errorf("the clone's cluster outlived its stack: %+v", cl)
	}
	all, err := client.StackEvents(ctx, st.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range all {
		if e.IsStack() && e.Status == "DELETE_IN_PROGRESS" {
			evs = append(evs, e.Reason+" at "+e.Time.UTC().Format(time.RFC3339))
			if e.Time.Before(exp) {
				t.Errorf("deleted at %s, before its expiry %s", e.Time, exp)
			}
		}
	}
	if len(evs) != 1 || !strings.HasPrefix(evs[0], "User Initiated") {
		t.Errorf("stack events of the deletion: %v; want one DELETE_IN_PROGRESS, User Initiated", evs)
	}
	r = c.run(t, "list", "-o", "json")
	if r.code != ExitOK || strings.Contains(r.stdout, "pr-7") {
		t.Errorf("dbaf list after the expiry: exit %d\n%s", r.code, r.stdout)
	}
}

// dbaf extend moves a clone's expiry: a clone with --ttl 1h extended to 2h
// outlives its first hour and is deleted by its schedule past the new
// time; past the artifact's clone_ttl (3d) extend is refused (exit 2), as
// are a clone whose TTL nothing enforces, a missing stack and a stack that
// is not the caller's clone.
func TestExtendMovesTheExpiry(t *testing.T) {
	t.Parallel()
	sb := startSandbox(t)
	ini := writeINI(t, fmt.Sprintf(prodINI, "db-artifact:unused"))
	c := cmdRun{sandbox: sb, env: map[string]string{"DB_PASSWORD": testPassword, "DBAF_POLL_INTERVAL": "100ms"}}
	ctx, client := context.Background(), sandboxClient(t, sb)

	if r := c.run(t, "clone", "--config", ini, "--name", "untracked", "--ttl", "1h"); r.code != ExitOK {
		t.Fatalf("clone before dbaf setup: exit %d\n%s", r.code, r.stderr)
	}
	if r := c.run(t, "extend", "untracked", "2h"); r.code != ExitBadInput || !strings.Contains(r.stderr, artifact.NotEnforced) {
		t.Errorf("extend of a clone without a schedule: exit %d, want 2 saying %q\n%s", r.code, artifact.NotEnforced, r.stderr)
	}
	if r := c.run(t, "setup", "--yes"); r.code != ExitOK {
		t.Fatalf("setup: exit %d\n%s", r.code, r.stderr)
	}
	for _, tc := range []struct{ stack, want string }{
		{"nope", "no stack nope"},
		{artifact.SetupStack, "owned by"}, // tagged dbaf:managed-by, but nobody's clone
	} {
		if r := c.run(t, "extend", tc.stack, "1h"); r.code != ExitBadInput || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("extend %s: exit %d, want 2 saying %q\n%s", tc.stack, r.code, tc.want, r.stderr)
		}
	}
	if r := c.run(t, "clone", "--config", ini, "--name", "pr-8", "--ttl", "1h"); r.code != ExitOK {
		t.Fatalf("clone: exit %d\n%s", r.code, r.stderr)
	}
	r := c.run(t, "extend", "pr-8", "2h", "-o", "json")
	evs := testenv.JSONEvents(t, r.stdout)
	last := evs[len(evs)-1]
	if r.code != ExitOK || last["event"] != "extended" || finalEvents(r.stdout) != 1 {
		t.Fatalf("extend: exit %d, want one final extended event\n%s%s", r.code, r.stdout, r.stderr)
	}
	st, err := client.DescribeStack(ctx, "pr-8")
	if err != nil {
		t.Fatal(err)
	}
	exp, ok := artifact.ExpiresAt(st.Tags)
	if !ok || st.Status != "UPDATE_COMPLETE" || last["expires_at"] != exp.Format(time.RFC3339) || time.Until(exp) < 119*time.Minute {
		t.Fatalf("after extend: %s, tags %v; event %v; want UPDATE_COMPLETE and dbaf:expires-at about 2h from now", st.Status, st.Tags, last)
	}
	if tmpl, err := client.GetTemplate(ctx, "pr-8"); err != nil || !strings.Contains(string(tmpl), artifact.ScheduleExpression(exp)) {
		t.Fatalf("the template's schedule is not at %s (%v):\n%s", exp, err, tmpl)
	}
	// dbaf list reads the moved schedule itself (GetSchedule), not the tag.
	before := sb.Calls()["scheduler:GetSchedule"]
	var listed []artifact.CloneInfo
	r = c.run(t, "list", "-o", "json")
	if err := json.Unmarshal([]byte(r.stdout), &listed); r.code != ExitOK || err != nil {
		t.Fatalf("list: exit %d (%v)\n%s%s", r.code, err, r.stdout, r.stderr)
	}
	sched, err := client.ScheduleTime(ctx, st.Tags[artifact.TagExpirySchedule])
	if err != nil || !sched.Equal(exp) {
		t.Fatalf("GetSchedule of pr-8's schedule: %v, %v; want %v", sched, err, exp)
	}
	for _, cl := range listed {
		if cl.Stack == "pr-8" && (cl.ExpiresAt == nil || !cl.ExpiresAt.Equal(sched) || !cl.Enforced || cl.ScheduleError != "") {
			t.Errorf("list -o json: pr-8 %+v; want expires_at %v, the schedule's", cl, sched)
		}
	}
	if n := sb.Calls()["scheduler:GetSchedule"] - before; n < 1 {
		t.Errorf("dbaf list made %d GetSchedule calls; want it to read the schedule", n)
	}
	// A schedule the caller may not read: the tag's time, the reason, exit 0.
	flt, err := sandbox.ParseFault("scheduler:GetSchedule=AccessDeniedException:1")
	if err != nil {
		t.Fatal(err)
	}
	sb.Inject(flt)
	if r := c.run(t, "list"); r.code != ExitOK || !strings.Contains(r.stdout, "pr-8") || !strings.Contains(r.stderr, "pr-8: schedule not readable") {
		t.Errorf("list with GetSchedule denied: exit %d, want pr-8 listed and the schedule's error on stderr\n%s%s", r.code, r.stdout, r.stderr)
	}

	if _, err := sb.AdvanceClock(61 * time.Minute); err != nil {
		t.Fatal(err)
	}
	if st, err := client.DescribeStack(ctx, "pr-8"); err != nil || st.Status != "UPDATE_COMPLETE" {
		t.Fatalf("past the first hour: %+v, %v; want the extended clone still there", st, err)
	}
	if r := c.run(t, "extend", "pr-8", "5d"); r.code != ExitBadInput || !strings.Contains(r.stderr, "maximum") {
		t.Errorf("extend past clone_ttl: exit %d, want 2 naming the maximum\n%s", r.code, r.stderr)
	}
	if _, err := sb.AdvanceClock(time.Until(exp) + time.Minute); err != nil {
		t.Fatal(err)
	}
	awaitDeleted(t, client, st.ID, "past the new expiry")
}

// A clone within the hour of its expiry is marked in the plain list.
func TestListMarksACloneAboutToExpire(t *testing.T) {
	t.Parallel()
	sb := startSandbox(t)
	ini := writeINI(t, fmt.Sprintf(prodINI, "db-artifact:unused"))
	c := cmdRun{sandbox: sb, env: map[string]string{"DB_PASSWORD": testPassword, "DBAF_POLL_INTERVAL": "100ms"}}
	if r := c.run(t, "setup", "--yes"); r.code != ExitOK {
		t.Fatalf("setup: exit %d\n%s", r.code, r.stderr)
	}
	for _, tc := range []struct{ name, ttl string }{{"soon", "30m"}, {"later", "3h"}} {
		if r := c.run(t, "clone", "--config", ini, "--name", tc.name, "--ttl", tc.ttl); r.code != ExitOK {
			t.Fatalf("clone %s: exit %d\n%s", tc.name, r.code, r.stderr)
		}
	}
	r := c.run(t, "list")
	if r.code != ExitOK {
		t.Fatalf("list: exit %d\n%s", r.code, r.stderr)
	}
	marked := 0
	for _, line := range strings.Split(r.stdout, "\n") {
		switch {
		case strings.HasPrefix(line, "soon ") && strings.Contains(line, "deleted by AWS at expiry) ⚠ in "):
			marked++
		case strings.HasPrefix(line, "soon "):
			t.Errorf("the clone 30 minutes from its expiry is not marked:\n%s", r.stdout)
		case strings.HasPrefix(line, "later ") && strings.Contains(line, "⚠"):
			t.Errorf("the clone 3 hours from its expiry is marked:\n%s", r.stdout)
		}
	}
	if marked != 1 {
		t.Errorf("the clone 30 minutes from its expiry is not marked once:\n%s", r.stdout)
	}
}

// awaitDeleted waits, bounded, for a stack (by id) to be DELETE_COMPLETE;
// the deletion runs at the sandbox's pace.
func awaitDeleted(t *testing.T, client *dbafaws.Client, stackID, when string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := clock.Poll(ctx, nil, 50*time.Millisecond, func() (bool, error) {
		st, err := client.DescribeStack(ctx, stackID)
		return err == nil && st.Status == "DELETE_COMPLETE", err
	}); err != nil {
		t.Fatalf("%s the stack is not deleted: %v", when, err)
	}
}
