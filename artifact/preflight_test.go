package artifact

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dbaf/dbaf/aws"
)

const prodKey = "arn:aws:kms:eu-west-1:123456789012:key/1111-2222"

// counting counts every call the preflight makes through it, so the
// count it reports is checked against the calls it really made.
type counting struct {
	PreflightAWS
	n atomic.Int32
}

func (c *counting) ClusterSummary(ctx context.Context, id string) (*aws.Cluster, error) {
	c.n.Add(1)
	return c.PreflightAWS.ClusterSummary(ctx, id)
}
func (c *counting) AccountQuotas(ctx context.Context) (map[string]aws.Quota, error) {
	c.n.Add(1)
	return c.PreflightAWS.AccountQuotas(ctx)
}
func (c *counting) Clusters(ctx context.Context) ([]aws.Cluster, error) {
	c.n.Add(1)
	return c.PreflightAWS.Clusters(ctx)
}
func (c *counting) KMSKey(ctx context.Context, id string) (*aws.KMSKey, error) {
	c.n.Add(1)
	return c.PreflightAWS.KMSKey(ctx, id)
}

// withClones gives prod a clone group with n clones in it, one cluster
// outside it, and an enabled key.
func withClones(f *fakeStacks, n int) {
	prod := f.clusters["prod"]
	prod.CloneGroupID, prod.Encrypted, prod.KMSKeyID = "cg-prod", true, "key/1111-2222"
	f.keys = map[string]*aws.KMSKey{"key/1111-2222": {ID: "1111-2222", ARN: prodKey, State: "Enabled", Manager: "CUSTOMER"}}
	for i := range n {
		id := "prod-clone-" + string(rune('a'+i))
		f.clusters[id] = &aws.Cluster{ID: id, Status: "available", CloneGroupID: "cg-prod"}
	}
	f.clusters["orders"] = &aws.Cluster{ID: "orders", Status: "available", CloneGroupID: "cg-orders"}
}

func TestPreflight(t *testing.T) {
	denied := &aws.Error{Kind: aws.AccessDenied, Op: "kms:DescribeKey", Msg: "access denied: dbaf needs the IAM permission kms:DescribeKey"}
	for _, tc := range []struct {
		name  string
		setup func(f *fakeStacks, src *Source)
		want  Preflight
		n     int      // problems; 0 = the clone may go ahead
		says  []string // what they say
	}{
		{"three clones, enabled key", func(f *fakeStacks, _ *Source) { withClones(f, 3) },
			Preflight{Source: "prod", SourceStatus: "available", Instances: 1, CloneGroupID: "cg-prod", Clones: 3, Encrypted: true,
				KMSKey: prodKey, KMSKeyState: "Enabled", Calls: 4}, 0, nil},
		{"never cloned, not encrypted: no list, no key", func(*fakeStacks, *Source) {},
			Preflight{Source: "prod", SourceStatus: "available", Instances: 1, Calls: 2}, 0, nil},
		{"stopped source", func(f *fakeStacks, _ *Source) { f.clusters["prod"].Status = "stopped" },
			Preflight{Source: "prod", SourceStatus: "stopped", Instances: 1, Calls: 2},
			1, []string{"source cluster prod is stopped, not available"}},
		{"source without an instance", func(f *fakeStacks, _ *Source) { f.clusters["prod"].Members = nil },
			Preflight{Source: "prod", SourceStatus: "available", Calls: 2},
			1, []string{"source cluster prod has no DB instance", "aws rds create-db-instance --db-cluster-identifier prod"}},
		{"a snapshot restore does not need the source running", func(f *fakeStacks, src *Source) {
			f.clusters["prod"].Status, f.clusters["prod"].Members, src.SnapshotIdentifier = "stopped", nil, "prod-snap"
		}, Preflight{Source: "prod", SourceStatus: "stopped", Calls: 2,
			Restore: RestoreSnapshot, RestoreNote: FullCopyNote + " (full copy restored from snapshot prod-snap)"}, 0, nil},
		{"at Aurora's limit of copy-on-write clones: a full copy, said before", func(f *fakeStacks, _ *Source) { withClones(f, CopyOnWriteLimit) },
			Preflight{Source: "prod", SourceStatus: "available", Instances: 1, CloneGroupID: "cg-prod", Clones: CopyOnWriteLimit, Encrypted: true,
				KMSKey: prodKey, KMSKeyState: "Enabled", Calls: 4, Restore: RestoreFullCopy,
				RestoreNote: "this clone will be a " + FullCopyNote + ": prod's clone group already holds 15 clones, and Aurora makes at most 15 copy-on-write clones of a source; " +
					"tear down the clones no one uses (dbaf list) to get copy-on-write again"}, 0, nil},
		{"restore_to_time out of the window", func(f *fakeStacks, src *Source) {
			at := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
			src.RestoreToTime = &at
			f.clusters["prod"].EarliestRestorable = time.Date(2026, 11, 18, 0, 0, 0, 0, time.UTC)
			f.clusters["prod"].LatestRestorable = time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
		}, Preflight{Source: "prod", SourceStatus: "available", Instances: 1, Calls: 2,
			Restore: RestoreFullCopy, RestoreNote: FullCopyNote + " (full copy as of 2026-11-01T00:00:00Z)"},
			1, []string{`restore_to_time 2026-11-01T00:00:00Z is outside the restorable window of cluster "prod": 2026-11-18T00:00:00Z to 2026-11-25T00:00:00Z now`}},
		{"key denied", func(f *fakeStacks, _ *Source) { withClones(f, 1); f.keyErr = denied },
			Preflight{Source: "prod", SourceStatus: "available", Instances: 1, CloneGroupID: "cg-prod", Clones: 1, Encrypted: true,
				KMSKey: "key/1111-2222", Calls: 4},
			1, []string{"KMS key key/1111-2222, which encrypts source cluster prod: kms:DescribeKey was denied", "kms:CreateGrant"}},
		{"key disabled", func(f *fakeStacks, _ *Source) { withClones(f, 0); f.keys["key/1111-2222"].State = "Disabled" },
			Preflight{Source: "prod", SourceStatus: "available", Instances: 1, CloneGroupID: "cg-prod", Encrypted: true,
				KMSKey: prodKey, KMSKeyState: "Disabled", Calls: 4},
			1, []string{"KMS key " + prodKey + ", which encrypts source cluster prod, is Disabled, not Enabled", "aws kms enable-key --key-id " + prodKey}},
		{"key pending deletion", func(f *fakeStacks, _ *Source) { withClones(f, 0); f.keys["key/1111-2222"].State = "PendingDeletion" },
			Preflight{Source: "prod", SourceStatus: "available", Instances: 1, CloneGroupID: "cg-prod", Encrypted: true,
				KMSKey: prodKey, KMSKeyState: "PendingDeletion", Calls: 4},
			1, []string{"is PendingDeletion", "aws kms cancel-key-deletion --key-id " + prodKey}},
		{"key gone", func(f *fakeStacks, _ *Source) { withClones(f, 0); f.keys = nil },
			Preflight{Source: "prod", SourceStatus: "available", Instances: 1, CloneGroupID: "cg-prod", Encrypted: true, KMSKey: "key/1111-2222", Calls: 4},
			1, []string{"KMS key key/1111-2222, which encrypts source cluster prod, was not found"}},
		{"at quota with a denied key: both said at once", func(f *fakeStacks, _ *Source) {
			withClones(f, 2)
			f.keyErr = denied
			f.quotas = map[string]aws.Quota{"DBClusters": {Used: 40, Max: 40}, "DBInstances": {Used: 3, Max: 40}}
		}, Preflight{Source: "prod", SourceStatus: "available", Instances: 1, CloneGroupID: "cg-prod", Clones: 2, Encrypted: true, KMSKey: "key/1111-2222", Calls: 4,
			Quotas: []QuotaUse{{"DBClusters", 40, 40}, {"DBInstances", 3, 40}}},
			2, []string{"RDS quota DBClusters: 40 of 40 used in eu-west-1", "kms:DescribeKey was denied"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeStacks()
			src := testArtifact().Source
			tc.setup(f, &src)
			c := &counting{PreflightAWS: f}
			var warned []string
			got, err := RunPreflight(context.Background(), c, src, func(m string) { warned = append(warned, m) })
			if got == nil {
				t.Fatalf("no report: %v", err)
			}
			if tc.want.Quotas == nil {
				tc.want.Quotas = []QuotaUse{{"DBClusters", 1, 40}, {"DBInstances", 1, 40}} // the fake's default
			}
			if tc.want.Restore == "" {
				tc.want.Restore, tc.want.RestoreNote = RestoreCopyOnWrite, "copy-on-write: shares the storage of prod"
			}
			if !reflect.DeepEqual(*got, tc.want) {
				t.Errorf("preflight\n got %+v\nwant %+v", *got, tc.want)
			}
			if n := int(c.n.Load()); n != got.Calls || n > 4 {
				t.Errorf("%d calls made, %d reported; at most 4", n, got.Calls)
			}
			problems := Problems(err)
			if len(problems) != tc.n {
				t.Errorf("problems %v, want %d", problems, tc.n)
			}
			for _, e := range problems {
				var se *SourceError
				if !errors.As(e, &se) {
					t.Errorf("problem %v is a %T, want a SourceError (exit 2)", e, e)
				}
			}
			for _, s := range tc.says {
				if err == nil || !strings.Contains(err.Error(), s) {
					t.Errorf("err = %v, want it to say %q", err, s)
				}
			}
			if len(warned) != 0 {
				t.Errorf("warnings %q", warned)
			}
		})
	}
}

func TestPreflightErrorsOfAWS(t *testing.T) {
	t.Run("unknown source: nothing to report", func(t *testing.T) {
		f := newFakeStacks()
		delete(f.clusters, "prod")
		pf, err := RunPreflight(context.Background(), f, testArtifact().Source, nil)
		var ae *aws.Error
		if pf != nil || !errors.As(err, &ae) || ae.Kind != aws.NotFound {
			t.Errorf("preflight %+v, err %v", pf, err)
		}
	})
	t.Run("listing clusters throttled", func(t *testing.T) {
		f := newFakeStacks()
		withClones(f, 1)
		f.listErr = &aws.Error{Kind: aws.Throttled, Msg: "slow down"}
		_, err := RunPreflight(context.Background(), f, testArtifact().Source, nil)
		if !errors.Is(err, f.listErr) {
			t.Errorf("err = %v", err)
		}
	})
}

// A refused preflight reports what it saw, then fails the clone with
// nothing created.
func TestClonePreflightRefusesBeforeCreating(t *testing.T) {
	f := newFakeStacks()
	withClones(f, 3)
	f.keys["key/1111-2222"].State = "Disabled"
	evs, emit := collect()
	_, err := Clone(context.Background(), CloneRequest{Artifact: testArtifact(), Login: loggedIn, Name: "k1", Password: "s3cret-pass", Now: fixedNow}, f, emit)
	var se *SourceError
	if !errors.As(err, &se) || !strings.Contains(err.Error(), prodKey) || len(f.created) != 0 {
		t.Fatalf("err = %v, created %d", err, len(f.created))
	}
	if len(*evs) != 2 {
		t.Fatalf("events %#v, want the preflight and the failure", *evs)
	}
	if pf, ok := (*evs)[0].(Preflight); !ok || pf.Clones != 3 || pf.KMSKeyState != "Disabled" {
		t.Errorf("first event %#v", (*evs)[0])
	}
	if f, ok := (*evs)[1].(CloneFailed); !ok || f.Cleanup != "nothing was created" || !strings.Contains(f.Reason, prodKey) {
		t.Errorf("final event %#v", (*evs)[1])
	}
}

// The restore kind comes from what the clone asks for and what the
// account can give, never from the clone groups: a point-in-time clone is
// in its source's group (RDS's model) and still a full copy, and the
// clone past Aurora's limit of copy-on-write clones is predicted a full
// copy by the preflight, tagged so on its stack, and said so when ready.
func TestCloneRestoreKind(t *testing.T) {
	at := time.Date(2026, 11, 24, 21, 30, 0, 0, time.UTC)
	for _, tc := range []struct {
		name     string
		others   int // clusters already in prod's clone group
		pitr     bool
		fullCopy bool
		tag      string
		says     string
	}{
		{"copy-on-write", 3, false, false, RestoreCopyOnWrite, "copy-on-write: shares the storage of prod"},
		{"one below the limit", CopyOnWriteLimit - 1, false, false, RestoreCopyOnWrite, "copy-on-write"},
		{"at the limit", CopyOnWriteLimit, false, true, RestoreFullCopy,
			"this clone will be a " + FullCopyNote + ": prod's clone group already holds 15 clones, and Aurora makes at most 15 copy-on-write clones of a source"},
		{"a point-in-time clone, in the source's group", 0, true, true, RestoreFullCopy, FullCopyNote + " (full copy as of 2026-11-24T21:30:00Z)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeStacks()
			f.batches = successBatches()
			for i := range tc.others {
				id := fmt.Sprintf("other-%d", i)
				f.clusters[id] = &aws.Cluster{ID: id, Status: "available", CloneGroupID: "cg-prod"}
			}
			f.clusters["prod"].CloneGroupID = "cg-prod"
			f.completeClone("p1")
			f.clusters["p1"].CloneGroupID = "" // not there for the preflight to count
			a := testArtifact()
			if tc.pitr {
				a.Source.RestoreToTime = &at
			}
			evs, emit := collect()
			joinGroup := func(e Event) { // the clone is in prod's clone group, whatever it is
				if se, ok := e.(StackEvent); ok && se.IsStack && se.Status == "CREATE_COMPLETE" {
					f.mu.Lock()
					f.clusters["p1"].CloneGroupID = "cg-prod"
					f.mu.Unlock()
				}
				emit(e)
			}
			ready, err := cloneWithOutputs(t, f, CloneRequest{Artifact: a, Login: loggedIn, Name: "p1", Password: "s3cret-pass",
				PollInterval: time.Millisecond, Clock: &fakeClock{}, Now: fixedNow}, joinGroup)
			if err != nil {
				t.Fatal(err)
			}
			if ready.FullCopy != tc.fullCopy || !strings.Contains(ready.Restore, tc.says) {
				t.Errorf("full copy %v, restore %q; want %v, %q", ready.FullCopy, ready.Restore, tc.fullCopy, tc.says)
			}
			pf, _ := (*evs)[0].(Preflight)
			if pf.Restore != tc.tag || pf.RestoreNote != ready.Restore {
				t.Errorf("preflight predicted %q (%q), want %q (%q)", pf.Restore, pf.RestoreNote, tc.tag, ready.Restore)
			}
			if got := f.created[0].Tags[TagRestore]; got != tc.tag {
				t.Errorf("stack tag %s = %q, want %q", TagRestore, got, tc.tag)
			}
			last, _ := (*evs)[len(*evs)-1].(CloneReady)
			if last.FullCopy != ready.FullCopy || last.Restore != ready.Restore {
				t.Errorf("clone_ready %+v differs from the result", last)
			}
			// A later run following the stack has no preflight: the tag
			// still says what the clone is.
			followed, err := cloneWithOutputs(t, f, CloneRequest{Artifact: a, Login: loggedIn, Name: "p1", Password: "s3cret-pass",
				PollInterval: time.Millisecond, Clock: &fakeClock{}, Now: fixedNow}, nil)
			if err != nil || followed.FullCopy != tc.fullCopy {
				t.Errorf("followed: full copy %v (%q), %v; want %v", followed.FullCopy, followed.Restore, err, tc.fullCopy)
			}
		})
	}
}

// list says what each clone's stack was tagged with when it was created;
// for a stack from before that tag, the clone groups can only tell a full
// copy (outside its source's group), never prove copy-on-write.
func TestListSaysHowEachCloneWasMade(t *testing.T) {
	f := newFakeStacks()
	a := testArtifact()
	f.clusters["prod"].CloneGroupID = "cg-prod"
	for i, c := range []struct {
		stack, tag, group string
	}{
		{"cow", RestoreCopyOnWrite, "cg-prod"},
		{"pitr", RestoreFullCopy, "cg-prod"}, // a full copy in its source's group, as RDS's model has it
		{"old-outside", "", "cg-full"},
		{"old-inside", "", "cg-prod"},
		{"creating", "", ""},
	} {
		tags := StackTags(a, "arn:aws:iam::1:user/dev", fixedNow().Add(-time.Duration(10-i)*time.Hour))
		if c.tag != "" {
			tags[TagRestore] = c.tag
		}
		f.stacks[c.stack] = &aws.Stack{Name: c.stack, ID: c.stack + "-id", Status: "CREATE_COMPLETE", Tags: tags, Outputs: map[string]string{"ClusterId": c.stack}}
		if c.group != "" {
			f.clusters[c.stack] = &aws.Cluster{ID: c.stack, CloneGroupID: c.group}
		}
	}
	kinds := func() string {
		t.Helper()
		clones, err := List(context.Background(), f, fixedNow())
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, c := range clones {
			got = append(got, c.Stack+"="+c.Restore)
		}
		return strings.Join(got, " ")
	}
	if got := kinds(); got != "cow=copy-on-write pitr=full-copy old-outside=full-copy old-inside= creating=" {
		t.Errorf("restore kinds %q", got)
	}
	if f.listCalls != 1 {
		t.Errorf("%d cluster lists, want 1", f.listCalls)
	}

	f.listErr = &aws.Error{Kind: aws.Throttled, Msg: "slow down"}
	if got := kinds(); got != "cow=copy-on-write pitr=full-copy old-outside= old-inside= creating=" {
		t.Errorf("without the cluster list: %q; want the tagged kinds only", got)
	}
	for _, old := range []string{"old-outside", "old-inside", "creating"} {
		delete(f.stacks, old)
	}
	f.listCalls = 0
	if kinds(); f.listCalls != 0 {
		t.Errorf("every stack tagged: %d cluster lists, want none", f.listCalls)
	}
}

// A build reports what a clone would find, and never fails on it.
func TestBuildReportsThePreflight(t *testing.T) {
	f := newFakeStacks()
	withClones(f, 2)
	f.quotas = map[string]aws.Quota{"DBClusters": {Used: 40, Max: 40}, "DBInstances": {Used: 3, Max: 40}}
	f.listErr = &aws.Error{Kind: aws.Throttled, Msg: "AWS is throttling rds:DescribeDBClusters"}
	evs, emit := collect()
	reportPreflight(context.Background(), f, testArtifact(), emit)
	var kinds, warnings []string
	for _, e := range *evs {
		kinds = append(kinds, Kind(e))
		if w, ok := e.(Warning); ok {
			warnings = append(warnings, w.Message)
		}
	}
	if strings.Join(kinds, " ") != "preflight warning warning" {
		t.Fatalf("events %v", kinds)
	}
	if !strings.HasPrefix(warnings[0], "a clone now would fail: RDS quota DBClusters: 40 of 40") ||
		warnings[1] != "the preflight could not finish: AWS is throttling rds:DescribeDBClusters" {
		t.Errorf("warnings %q", warnings)
	}
}
