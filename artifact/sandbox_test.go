package artifact_test

// The clone and teardown operations through the real SDK against the
// in-process sandbox account, and the clone figures README.md reports.

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dbaf/dbaf/artifact"
	"github.com/dbaf/dbaf/aws"
	"github.com/dbaf/dbaf/config"
	"github.com/dbaf/dbaf/internal/sandbox"
	"github.com/dbaf/dbaf/internal/testenv"
)

func sandboxClient(tb testing.TB, pace float64) (*aws.Client, *sandbox.Server) {
	a := testenv.StartSandbox(tb, sandbox.Options{Pace: pace})
	return a.Client(tb, 0), a.Server
}

func resolveProd(tb testing.TB, c *aws.Client) *artifact.Artifact {
	tb.Helper()
	cfg, _, err := config.Parse("test.ini", []byte("[source_db]\nsource_db_cluster_id = prod-aurora\n[target_db]\nsubnet_ids = source\ninstance_type = db.r6g.large\n[artifact]\nclone_ttl = 4h\npublisher_contact = dataops@example.com\n"))
	if err != nil {
		tb.Fatal(err)
	}
	a, err := artifact.Resolve(context.Background(), cfg, c, time.Unix(1764000000, 0), func(string) {})
	if err != nil {
		tb.Fatal(err)
	}
	return a
}

// timeline records when each event reached the consumer.
type timeline struct {
	mu     sync.Mutex
	events []artifact.Event
	at     []time.Time
}

func (tl *timeline) emit(e artifact.Event) {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	tl.events = append(tl.events, e)
	tl.at = append(tl.at, time.Now())
}

// handover is the time from the stack's CREATE_COMPLETE reaching dbaf to the
// endpoint, less the password reset wait (resetting → ready). It also
// returns the largest delay between an event happening and dbaf seeing it.
func (tl *timeline) handover() (handover, maxDelay time.Duration) {
	var complete, resetting, ready, done time.Time
	for i, e := range tl.events {
		switch e := e.(type) {
		case artifact.StackEvent:
			if d := tl.at[i].Sub(e.Time); d > maxDelay {
				maxDelay = d
			}
			if e.IsStack && e.Status == "CREATE_COMPLETE" {
				complete = tl.at[i]
			}
		case artifact.Phase:
			switch e.Phase {
			case artifact.PhaseResetting:
				resetting = tl.at[i]
			case artifact.PhaseReady:
				ready = tl.at[i]
			}
		case artifact.CloneReady:
			done = tl.at[i]
		}
	}
	return resetting.Sub(complete) + done.Sub(ready), maxDelay
}

// TestCloneAtQuotaCreatesNothing: an account whose DB cluster quota is
// full refuses the clone before CreateStack, naming the quota.
func TestCloneAtQuotaCreatesNothing(t *testing.T) {
	ctx := context.Background()
	// The seed's cluster count, read from an account without a set quota.
	qs, err := testenv.StartSandbox(t, sandbox.Options{}).Client(t, 0).AccountQuotas(ctx)
	if err != nil {
		t.Fatal(err)
	}
	used := qs["DBClusters"].Used
	a := testenv.StartSandbox(t, sandbox.Options{Pace: 0.05, Quotas: map[string]int64{"db-clusters": used}})
	c := a.Client(t, 0)
	art := resolveProd(t, c)
	var evs []artifact.Event
	_, err = artifact.Clone(ctx, artifact.CloneRequest{Artifact: art, Name: "it-full", Password: "a-Secret-123", PollInterval: 100 * time.Millisecond}, c,
		func(e artifact.Event) { evs = append(evs, e) })
	var se *artifact.SourceError
	want := fmt.Sprintf("RDS quota DBClusters: %d of %d used in eu-west-1", used, used)
	if !errors.As(err, &se) || !strings.Contains(err.Error(), want) {
		t.Fatalf("err = %v, want a SourceError saying %q", err, want)
	}
	// The preflight said what it saw, and the stream ended there.
	if len(evs) != 2 {
		t.Fatalf("events %#v, want the preflight and the failure", evs)
	}
	if pf, ok := evs[0].(artifact.Preflight); !ok || len(pf.Quotas) == 0 || pf.Quotas[0] != (artifact.QuotaUse{Name: "DBClusters", Used: used, Max: used}) {
		t.Errorf("first event %#v, want the preflight with the full quota", evs[0])
	}
	if f, ok := evs[1].(artifact.CloneFailed); !ok || f.Cleanup != "nothing was created" || !strings.Contains(f.Reason, want) {
		t.Errorf("final event %#v", evs[1])
	}
	if n := a.Server.Calls()["cloudformation:CreateStack"]; n != 0 {
		t.Errorf("%d CreateStack calls at quota", n)
	}
	if _, err := c.DescribeStack(ctx, "it-full"); err == nil {
		t.Error("stack it-full exists after a refused clone")
	}
	if stacks, err := c.ListStacks(ctx); err != nil || len(stacks) != 0 {
		t.Errorf("ListStacks = %+v, %v; want none", stacks, err)
	}
}

func TestCloneAndTeardownAgainstSandbox(t *testing.T) {
	t.Parallel()
	c, sb := sandboxClient(t, 0.05)
	a := resolveProd(t, c)
	ctx := context.Background()
	var tl timeline
	ready, err := artifact.Clone(ctx, artifact.CloneRequest{Artifact: a, Name: "it-clone", Password: "a-Secret-123",
		PollInterval: 100 * time.Millisecond}, c, tl.emit)
	if err != nil {
		t.Fatal(err)
	}
	if ready.Endpoint == "" || ready.Port != "5432" || ready.Username != "postgres" || ready.ExpiresAt == nil || ready.Password != "" {
		t.Errorf("ready = %+v", ready)
	}
	cl, err := c.Cluster(ctx, ready.ClusterID)
	if err != nil || cl.Status != "available" {
		t.Fatalf("clone cluster %+v, %v", cl, err)
	}
	// Every resource of the template was reported, each completing.
	completed := map[string]bool{}
	for _, e := range tl.events {
		if se, ok := e.(artifact.StackEvent); ok && se.Status == "CREATE_COMPLETE" {
			completed[se.LogicalID] = true
		}
		if w, ok := e.(artifact.Warning); ok {
			t.Errorf("warning on a clean clone: %s", w.Message)
		}
	}
	for _, r := range artifact.TemplateResources(a) {
		if !completed[r.LogicalID] {
			t.Errorf("no CREATE_COMPLETE for %s", r.LogicalID)
		}
	}
	if n := sb.Calls()["rds:ModifyDBCluster"]; n != 1 {
		t.Errorf("%d password resets, want 1", n)
	}
	if n := sb.Calls()["rds:DescribeAccountAttributes"]; n != 1 {
		t.Errorf("%d quota checks, want 1", n)
	}

	clones, err := artifact.List(ctx, c, time.Now())
	if err != nil || len(clones) != 1 || clones[0].Stack != "it-clone" || clones[0].Endpoint != ready.Endpoint {
		t.Errorf("List = %+v, %v", clones, err)
	}

	var td timeline
	if err := artifact.Teardown(ctx, artifact.TeardownRequest{Stack: "it-clone", PollInterval: 100 * time.Millisecond}, c, td.emit); err != nil {
		t.Fatal(err)
	}
	for _, e := range td.events {
		if se, ok := e.(artifact.StackEvent); ok && strings.HasPrefix(se.Status, "CREATE") {
			t.Errorf("teardown repeated a creation event: %+v", se)
		}
	}
	if _, err := c.Cluster(ctx, ready.ClusterID); err == nil {
		t.Error("the clone's cluster survived the teardown")
	}
}

// BenchmarkCloneHandover measures, at test pace with the default poll
// interval, the time from the stack's CREATE_COMPLETE reaching dbaf to the
// endpoint being emitted, excluding the password reset wait.
func BenchmarkCloneHandover(b *testing.B) {
	c, _ := sandboxClient(b, 0.05)
	a := resolveProd(b, c)
	ctx := context.Background()
	var total time.Duration
	n := 0
	for b.Loop() {
		var tl timeline
		name := "bench-" + strings.ReplaceAll(time.Now().Format("150405.000000"), ".", "")
		if _, err := artifact.Clone(ctx, artifact.CloneRequest{Artifact: a, Name: name, Password: "a-Secret-123"}, c, tl.emit); err != nil {
			b.Fatal(err)
		}
		h, _ := tl.handover()
		total += h
		n++
	}
	b.ReportMetric(float64(total.Milliseconds())/float64(n), "ms-handover")
}

// BenchmarkCloneWatchRate runs a clone at demo pace (about 30 s) with the
// default poll interval and reports the AWS calls per minute while the stack
// is watched (from its creation to its final event), over the whole clone,
// and the largest delay between a stack event and dbaf seeing it. Run it
// with -benchtime 1x.
func BenchmarkCloneWatchRate(b *testing.B) {
	c, sb := sandboxClient(b, 1)
	a := resolveProd(b, c)
	ctx := context.Background()
	total := func() (n float64) {
		for _, v := range sb.Calls() {
			n += float64(v)
		}
		return n
	}
	var watchCalls, watchMins, allCalls, allMins float64
	var worst time.Duration
	for b.Loop() {
		var tl timeline
		var startCalls float64
		var startAt time.Time
		emit := func(e artifact.Event) {
			switch e := e.(type) {
			case artifact.CloneStarted:
				startCalls, startAt = total(), time.Now()
			case artifact.StackEvent:
				if e.IsStack && e.Status == "CREATE_COMPLETE" {
					watchCalls += total() - startCalls
					watchMins += time.Since(startAt).Minutes()
				}
			}
			tl.emit(e)
		}
		name := "rate-" + strings.ReplaceAll(time.Now().Format("150405.000000"), ".", "")
		sb.ResetCalls()
		start := time.Now()
		if _, err := artifact.Clone(ctx, artifact.CloneRequest{Artifact: a, Name: name, Password: "a-Secret-123"}, c, emit); err != nil {
			b.Fatal(err)
		}
		allMins += time.Since(start).Minutes()
		allCalls += total()
		if _, d := tl.handover(); d > worst {
			worst = d
		}
	}
	b.ReportMetric(watchCalls/watchMins, "calls/min-watching")
	b.ReportMetric(allCalls/allMins, "calls/min-whole-clone")
	b.ReportMetric(worst.Seconds(), "s-max-event-delay")
}
