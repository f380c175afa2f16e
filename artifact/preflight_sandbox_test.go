package artifact_test

// The preflight and the copy-on-write proof through the real SDK against
// the in-process sandbox, and the preflight figure README.md reports.

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
	"github.com/dbaf/dbaf/internal/sandbox"
	"github.com/dbaf/dbaf/internal/testenv"
)

// preflightCalls are the sandbox's counts of the calls a preflight makes.
var preflightCalls = []string{"rds:DescribeDBClusters", "rds:DescribeAccountAttributes", "kms:DescribeKey"}

func sumCalls(sb *sandbox.Server, names ...string) int {
	n, calls := 0, sb.Calls()
	for _, c := range names {
		n += calls[c]
	}
	return n
}

// cloneProd makes one clone of the artifact's source, quickly.
func cloneProd(tb testing.TB, c *aws.Client, a *artifact.Artifact, name string, emit artifact.Emit) *artifact.CloneReady {
	tb.Helper()
	ready, err := artifact.Clone(context.Background(), artifact.CloneRequest{Artifact: a, Name: name, Password: "a-Secret-123",
		PollInterval: 100 * time.Millisecond}, c, emit)
	if err != nil {
		tb.Fatalf("clone %s: %v", name, err)
	}
	return ready
}

// makeClones makes n clones of the artifact's source at once.
func makeClones(tb testing.TB, c *aws.Client, a *artifact.Artifact, prefix string, n int) {
	tb.Helper()
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range errs {
		wg.Go(func() {
			_, errs[i] = artifact.Clone(context.Background(), artifact.CloneRequest{Artifact: a, Name: fmt.Sprintf("%s-%d", prefix, i),
				Password: "a-Secret-123", PollInterval: 100 * time.Millisecond}, c, nil)
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		tb.Fatal(err)
	}
}

// With three clones of prod-aurora in the account, the next clone's
// preflight counts them, describes the source's key, and costs at most
// four calls; the clone is proved copy-on-write, and list says so of all.
func TestPreflightCountsTheClonesOfProdAurora(t *testing.T) {
	t.Parallel()
	c, sb := sandboxClient(t, 0.05)
	a := resolveProd(t, c)
	makeClones(t, c, a, "it-cow", 3)
	sb.ResetCalls()
	var pf *artifact.Preflight
	made := -1
	ready := cloneProd(t, c, a, "it-cow-3", func(e artifact.Event) {
		if p, ok := e.(artifact.Preflight); ok {
			pf, made = &p, sumCalls(sb, preflightCalls...)
		}
	})
	if pf == nil {
		t.Fatal("no preflight event")
	}
	if pf.Source != "prod-aurora" || pf.Clones != 3 || pf.Instances < 1 || pf.CloneGroupID == "" {
		t.Errorf("preflight %+v, want 3 clones of prod-aurora", *pf)
	}
	if !pf.Encrypted || !strings.HasPrefix(pf.KMSKey, "arn:aws:kms:eu-west-1:") || pf.KMSKeyState != "Enabled" {
		t.Errorf("preflight key %q %q, want the source's key, enabled", pf.KMSKey, pf.KMSKeyState)
	}
	if made != pf.Calls || pf.Calls > 4 {
		t.Errorf("the preflight made %d calls and reports %d; at most 4", made, pf.Calls)
	}
	if ready.FullCopy || !strings.HasPrefix(ready.Restore, "copy-on-write: shares the storage of prod-aurora") {
		t.Errorf("ready: full copy %v, restore %q", ready.FullCopy, ready.Restore)
	}
	clones, err := artifact.List(context.Background(), c, time.Now())
	if err != nil || len(clones) != 4 {
		t.Fatalf("list: %+v, %v", clones, err)
	}
	for _, cl := range clones {
		if cl.Restore != artifact.RestoreCopyOnWrite {
			t.Errorf("list: %s is %q, want copy-on-write", cl.Stack, cl.Restore)
		}
	}
}

// With 15 clones of prod-aurora in its clone group, Aurora's limit, the
// preflight predicts that the next clone will be a full copy before
// anything is created; the sandbox makes it one, in prod-aurora's clone
// group all the same (RDS's model), and the handover and list say full copy.
func TestCloneBeyondTheCloneGroupLimitIsAFullCopy(t *testing.T) {
	t.Parallel()
	// The seed uses 25 clusters and 33 instances: room for 16 clones.
	acc := testenv.StartSandbox(t, sandbox.Options{Pace: 0.05, Quotas: map[string]int64{"db-clusters": 41, "db-instances": 49}})
	c := acc.Client(t, 0)
	a := resolveProd(t, c)
	makeClones(t, c, a, "it-cow", artifact.CopyOnWriteLimit)
	var pf *artifact.Preflight
	next := cloneProd(t, c, a, "it-next", func(e artifact.Event) {
		if p, ok := e.(artifact.Preflight); ok {
			pf = &p
		}
	})
	if pf == nil || pf.Clones != artifact.CopyOnWriteLimit || pf.Restore != artifact.RestoreFullCopy ||
		!strings.HasPrefix(pf.RestoreNote, "this clone will be a full copy: storage billed in full") {
		t.Fatalf("the preflight of the 16th clone: %+v, want a full copy predicted", pf)
	}
	if !next.FullCopy || next.Restore != pf.RestoreNote {
		t.Errorf("the 16th clone: full copy %v, restore %q", next.FullCopy, next.Restore)
	}
	src, err := c.ClusterSummary(context.Background(), "prod-aurora")
	if err != nil {
		t.Fatal(err)
	}
	if clone, err := c.ClusterSummary(context.Background(), "it-next"); err != nil || clone.CloneGroupID != src.CloneGroupID {
		t.Errorf("the full copy's clone group: %+v, %v; want prod-aurora's %s", clone, err, src.CloneGroupID)
	}
	clones, err := artifact.List(context.Background(), c, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, cl := range clones {
		want := artifact.RestoreCopyOnWrite
		if cl.Stack == "it-next" {
			want = artifact.RestoreFullCopy
		}
		if cl.Restore != want {
			t.Errorf("list: %s is %q, want %q", cl.Stack, cl.Restore, want)
		}
	}
}

// A key the caller may not describe, or one that is disabled, stops the
// clone before anything is created, naming the key.
func TestCloneWithAnUnusableKeyCreatesNothing(t *testing.T) {
	for _, tc := range []struct {
		name  string
		spoil func(t *testing.T, sb *sandbox.Server, key string)
		says  string
	}{
		{"denied", func(t *testing.T, sb *sandbox.Server, _ string) {
			flt, err := sandbox.ParseFault("kms:DescribeKey=AccessDeniedException")
			if err != nil {
				t.Fatal(err)
			}
			sb.Inject(flt)
		}, "kms:DescribeKey was denied"},
		{"disabled", func(t *testing.T, sb *sandbox.Server, key string) {
			if err := sb.SetKeyState(key, "Disabled"); err != nil {
				t.Fatal(err)
			}
		}, "is Disabled, not Enabled: a clone cannot be encrypted with it; enable it (aws kms enable-key --key-id "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			acc := testenv.StartSandbox(t, sandbox.Options{Pace: 0.05})
			c := acc.Client(t, 0)
			a := resolveProd(t, c)
			src, err := c.ClusterSummary(context.Background(), "prod-aurora")
			if err != nil || src.KMSKeyID == "" {
				t.Fatalf("prod-aurora %+v, %v: want an encrypted source", src, err)
			}
			tc.spoil(t, acc.Server, src.KMSKeyID)
			var evs []artifact.Event
			_, err = artifact.Clone(context.Background(), artifact.CloneRequest{Artifact: a, Name: "it-key", Password: "a-Secret-123"}, c,
				func(e artifact.Event) { evs = append(evs, e) })
			var se *artifact.SourceError
			if !errors.As(err, &se) || !strings.Contains(err.Error(), "KMS key "+src.KMSKeyID) || !strings.Contains(err.Error(), tc.says) {
				t.Fatalf("err = %v, want a SourceError naming key %s and saying %q", err, src.KMSKeyID, tc.says)
			}
			if n := acc.Server.Calls()["cloudformation:CreateStack"]; n != 0 {
				t.Errorf("%d CreateStack calls with an unusable key", n)
			}
			if stacks, err := c.ListStacks(context.Background()); err != nil || len(stacks) != 0 {
				t.Errorf("ListStacks = %+v, %v; want none", stacks, err)
			}
			if f, ok := evs[len(evs)-1].(artifact.CloneFailed); !ok || f.Cleanup != "nothing was created" {
				t.Errorf("final event %#v", evs[len(evs)-1])
			}
		})
	}
}

// BenchmarkClonePreflight measures what the preflight adds to a clone on
// the sandbox, with every check asked (an encrypted source with clones):
// its AWS calls and its time.
func BenchmarkClonePreflight(b *testing.B) {
	c, sb := sandboxClient(b, 0.05)
	a := resolveProd(b, c)
	makeClones(b, c, a, "bench-cow", 3)
	ctx := context.Background()
	calls := 0
	for b.Loop() {
		sb.ResetCalls()
		pf, err := artifact.RunPreflight(ctx, c, a.Source, nil)
		if err != nil || pf.Clones != 3 {
			b.Fatalf("preflight %+v, %v", pf, err)
		}
		for _, n := range sb.Calls() {
			calls += n
		}
	}
	b.ReportMetric(float64(calls)/float64(b.N), "calls/preflight")
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/preflight")
}

// A restore_to_time the build accepted falls out of the restorable window
// as the backup retention passes: the clone's preflight refuses it before
// any stack exists, naming the window.
func TestPreflightRefusesARestoreTimeOutOfTheWindow(t *testing.T) {
	t.Parallel()
	c, sb := sandboxClient(t, 0.05)
	a := resolveProd(t, c)
	src, err := c.ClusterSummary(context.Background(), "prod-aurora")
	if err != nil {
		t.Fatal(err)
	}
	at := src.EarliestRestorable.Add(time.Hour) // inside the window at build time
	a.Source.RestoreToTime = &at
	if _, err := sb.AdvanceClock(2 * time.Hour); err != nil { // the window's start passes it
		t.Fatal(err)
	}
	var events []artifact.Event
	_, err = artifact.Clone(context.Background(), artifact.CloneRequest{Artifact: a, Name: "it-too-old", Password: "a-Secret-123",
		PollInterval: 100 * time.Millisecond}, c, func(e artifact.Event) { events = append(events, e) })
	var srcErr *artifact.SourceError
	if !errors.As(err, &srcErr) || !strings.Contains(err.Error(), "restore_to_time "+at.UTC().Format(time.RFC3339)+" is outside the restorable window of cluster \"prod-aurora\": ") {
		t.Fatalf("clone with a restore time before the window: %v, want a SourceError naming the window", err)
	}
	if n := sb.Calls()["cloudformation:CreateStack"]; n != 0 {
		t.Errorf("%d CreateStack calls, want none", n)
	}
	if _, ok := events[len(events)-1].(artifact.CloneFailed); !ok {
		t.Errorf("the stream ends with %T, want CloneFailed", events[len(events)-1])
	}
}

// A clone's template creates its own DB subnet group: at the account's
// DBSubnetGroups quota the preflight refuses it before any stack exists.
func TestPreflightRefusesAtTheSubnetGroupQuota(t *testing.T) {
	t.Parallel()
	acc := testenv.StartSandbox(t, sandbox.Options{Pace: 0.05, Quotas: map[string]int64{"db-subnet-groups": 3}}) // the seed has 3
	c := acc.Client(t, 0)
	a := resolveProd(t, c)
	_, err := artifact.Clone(context.Background(), artifact.CloneRequest{Artifact: a, Name: "it-no-room", Password: "a-Secret-123",
		PollInterval: 100 * time.Millisecond}, c, nil)
	var srcErr *artifact.SourceError
	if !errors.As(err, &srcErr) || !strings.Contains(err.Error(), "RDS quota DBSubnetGroups: 3 of 3 used in eu-west-1: a clone needs one more; delete a DB subnet group no cluster uses") {
		t.Fatalf("clone at the subnet group quota: %v", err)
	}
	if n := acc.Server.Calls()["cloudformation:CreateStack"]; n != 0 {
		t.Errorf("%d CreateStack calls, want none", n)
	}
}
