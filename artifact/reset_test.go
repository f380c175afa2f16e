package artifact

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/dbaf/dbaf/aws"
)

const (
	resetCaller   = "arn:aws:iam::123456789012:user/dev"
	resetEndpoint = "dev-clone.cluster-x.eu-west-1.rds.amazonaws.com"
	resetRecreate = "dbaf --region eu-west-1 clone --name dev-clone --config a.ini"
)

// resetStacks is fakeStacks whose CreateStack starts a new stack, as
// CloudFormation does: a fresh event history (the fake reuses one stack
// id), its creation events queued, and a fresh cluster without the old
// one's tags.
type resetStacks struct {
	*fakeStacks
	onCreate    [][]aws.StackEvent
	afterDelete func() // called once DeleteStack is accepted, e.g. to cancel
}

func (s resetStacks) CreateStack(ctx context.Context, in aws.CreateStackInput) (string, error) {
	id, err := s.fakeStacks.CreateStack(ctx, in)
	if err != nil {
		return id, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.history[id] = nil
	s.batches = append(s.batches, s.onCreate...)
	s.completeClone(in.Name)
	return id, nil
}

func (s resetStacks) DeleteStack(ctx context.Context, name string) error {
	if err := ctx.Err(); err != nil { // as the SDK does
		return err
	}
	err := s.fakeStacks.DeleteStack(ctx, name)
	if s.afterDelete != nil {
		s.afterDelete()
	}
	return err
}

// resetSetup is an account holding the caller's clone dev-clone of a,
// made 30 hours ago, masked, its password set; deleting it and creating it
// again both succeed.
func resetSetup(t *testing.T, a *Artifact) (*fakeStacks, *resetStacks, ResetRequest) {
	t.Helper()
	f := newFakeStacks()
	f.stacks["dev-clone"] = &aws.Stack{Name: "dev-clone", ID: stackID, Status: "CREATE_COMPLETE", Tags: StackTags(a, resetCaller, fixedNow().Add(-30*time.Hour)),
		Outputs: map[string]string{"Endpoint": resetEndpoint, "Port": "5432", "ClusterId": "dev-clone"}}
	f.history[stackID] = []aws.StackEvent{stackEv("old1", "CREATE_IN_PROGRESS", "User Initiated"), stackEv("old2", "CREATE_COMPLETE", "")}
	f.completeClone("dev-clone")
	f.clusters["dev-clone"].Tags = map[string]string{TagMaskedAt: "2026-11-23T19:00:00Z", TagPasswordResetAt: "2026-11-23T19:00:00Z"}
	f.onDelete = [][]aws.StackEvent{
		{stackEv("d1", "DELETE_IN_PROGRESS", "User Initiated"), ev("d2", "Instance", "AWS::RDS::DBInstance", "DELETE_IN_PROGRESS", "")},
		{ev("d3", "Instance", "AWS::RDS::DBInstance", "DELETE_COMPLETE", ""), stackEv("d4", "DELETE_COMPLETE", "")},
	}
	s := &resetStacks{fakeStacks: f, onCreate: successBatches()}
	req := ResetRequest{CloneRequest: CloneRequest{Artifact: a, Name: "dev-clone", Login: loggedIn, Password: "s3cret-pass",
		PollInterval: time.Millisecond, Now: fixedNow, Clock: &fakeClock{}, Commands: Commands{Config: "a.ini"}}}
	return f, s, req
}

func runReset(t *testing.T, ctx context.Context, f *fakeStacks, s Stacks, req ResetRequest) ([]Event, *CloneReady, error) {
	t.Helper()
	evs, emit := collect()
	ready, err := Reset(ctx, req, s, f.withOutputs(emit))
	finals := 0
	for _, e := range *evs {
		if IsFinal(e) {
			finals++
		}
	}
	if finals != 1 || len(*evs) == 0 || !IsFinal((*evs)[len(*evs)-1]) {
		t.Errorf("%d final events; the stream must end with exactly one: %s", finals, kinds(*evs))
	}
	return *evs, ready, err
}

func kinds(evs []Event) string {
	var ks []string
	for _, e := range evs {
		k := Kind(e)
		if se, ok := e.(StackEvent); ok {
			k = se.LogicalID + ":" + se.Status
		}
		ks = append(ks, k)
	}
	return strings.Join(ks, " ")
}

func TestResetTearsDownThenClonesUnderTheSameName(t *testing.T) {
	f, s, req := resetSetup(t, testArtifact())
	evs, ready, err := runReset(t, context.Background(), f, s, req)
	if err != nil {
		t.Fatal(err)
	}
	want := "reset_started teardown_started phase s1:DELETE_IN_PROGRESS Instance:DELETE_IN_PROGRESS Instance:DELETE_COMPLETE s1:DELETE_COMPLETE progress " +
		"preflight clone_started phase s1:CREATE_IN_PROGRESS SubnetGroup:CREATE_IN_PROGRESS SubnetGroup:CREATE_COMPLETE Cluster:CREATE_IN_PROGRESS Cluster:CREATE_COMPLETE s1:CREATE_COMPLETE " +
		"phase phase phase phase clone_ready"
	if got := kinds(evs); got != want {
		t.Errorf("events:\n%s\nwant\n%s", got, want)
	}
	rs := evs[0].(ResetStarted)
	if rs.Stack != "dev-clone" || rs.Source != "prod" || rs.Endpoint != resetEndpoint || rs.Image != "db-artifact:latest" || rs.Recreate != resetRecreate ||
		rs.ExpiresAt == nil || !rs.ExpiresAt.Equal(fixedNow().Add(-30*time.Hour+24*time.Hour)) {
		t.Errorf("reset_started = %+v", rs)
	}
	if len(f.deleted) != 1 || f.deleted[0] != stackID || len(f.created) != 1 {
		t.Fatalf("deleted %v, created %d stacks", f.deleted, len(f.created))
	}
	in := f.created[0]
	if in.Name != "dev-clone" || in.Tags[TagOwner] != resetCaller || in.Tags[TagSourceCluster] != "prod" {
		t.Errorf("the new stack: %s with tags %v", in.Name, in.Tags)
	}
	// The TTL runs from the reset, not from the old clone's creation.
	if exp, ok := ExpiresAt(in.Tags); !ok || !exp.Equal(fixedNow().Add(24*time.Hour)) || !exp.After(*rs.ExpiresAt) {
		t.Errorf("new expiry %v (ok %v), old %v", exp, ok, rs.ExpiresAt)
	}
	if ready.Endpoint != resetEndpoint || ready.Stack != "dev-clone" || ready.ExpiresAt == nil || !ready.PasswordReset {
		t.Errorf("ready = %+v", ready)
	}
	// The old clone's "password already set" tag went with it: the new
	// clone gets the caller's password.
	if len(f.passwords) != 1 || f.passwords[0] != "s3cret-pass" {
		t.Errorf("password resets %q", f.passwords)
	}
	noSecret(t, "s3cret-pass", evs, err)
}

// The new clone is masked again: its cluster carries none of the old one's
// tags, so nothing reads as already masked.
func TestResetMasksTheNewClone(t *testing.T) {
	f, s, req := resetSetup(t, maskingArtifact())
	tr := &trace{}
	req.Masker = &fakeMasker{tr: tr}
	evs, _, err := runReset(t, context.Background(), f, s, req)
	if err != nil {
		t.Fatal(err)
	}
	masked := strings.Join(tr.steps, "\n")
	if !strings.Contains(masked, "mask 2 rules as postgres") || !strings.Contains(masked, "hook hooks/01-users.sql") {
		t.Errorf("masking steps %q", tr.steps)
	}
	if !strings.Contains(kinds(evs), "mask_table_done") {
		t.Errorf("no masking in the stream: %s", kinds(evs))
	}
	if len(f.passwords) != 2 || f.passwords[1] != "s3cret-pass" {
		t.Errorf("password resets: want a temporary one, then the caller's; got %d", len(f.passwords))
	}
}

// A clone whose password RDS manages is reset without a password: the new
// clone gets its own managed secret, handed over as before.
func TestResetKeepsAManagedPasswordManaged(t *testing.T) {
	f, s, req := resetSetup(t, managedArtifact())
	req.Password = ""
	_, ready, err := runReset(t, context.Background(), f, s, req)
	if err != nil {
		t.Fatal(err)
	}
	if f.manages != 1 || len(f.passwords) != 0 || ready.SecretARN == "" || ready.PasswordCommand == "" || ready.Password != "" {
		t.Errorf("managed %d times, resets %d, ready %+v: want the new clone's secret handed over, no password", f.manages, len(f.passwords), ready)
	}
}

func TestResetWarnsWhenTheEndpointChanged(t *testing.T) {
	f, s, req := resetSetup(t, testArtifact())
	f.stacks["dev-clone"].Outputs["Endpoint"] = "elsewhere.example.com"
	evs, _, err := runReset(t, context.Background(), f, s, req)
	if err != nil {
		t.Fatal(err)
	}
	w, ok := evs[len(evs)-2].(Warning)
	if !ok || !strings.Contains(w.Message, "changed from elsewhere.example.com to "+resetEndpoint) {
		t.Errorf("second to last event %#v, want the endpoint warning before clone_ready", evs[len(evs)-2])
	}
}

// TestResetRefusals: each refusal names the stack and the way on, before
// anything is deleted or created, and ends the stream with clone_failed.
func TestResetRefusals(t *testing.T) {
	other := testArtifact()
	other.Source.ClusterID = "orders"
	for _, tc := range []struct {
		name  string
		edit  func(*fakeStacks, *ResetRequest)
		says  []string
		usage bool // a SourceError: exit 2
	}{
		{"no such stack", func(f *fakeStacks, r *ResetRequest) { delete(f.stacks, "dev-clone") },
			[]string{"no stack dev-clone in eu-west-1", resetRecreate}, true},
		{"deleted stack", func(f *fakeStacks, r *ResetRequest) { f.stacks["dev-clone"].Status = "DELETE_COMPLETE" },
			[]string{"no stack dev-clone"}, true},
		{"not dbaf's", func(f *fakeStacks, r *ResetRequest) { f.stacks["dev-clone"].Tags = map[string]string{"team": "web"} },
			[]string{"not created by dbaf", "--force"}, true},
		{"another owner's", func(f *fakeStacks, r *ResetRequest) {
			f.stacks["dev-clone"].Tags[TagOwner] = "arn:aws:iam::123456789012:user/alice"
		}, []string{"owned by arn:aws:iam::123456789012:user/alice", "you are " + resetCaller, "--force"}, true},
		{"another source, even forced", func(f *fakeStacks, r *ResetRequest) { r.Artifact, r.Force = other, true },
			[]string{"clone of prod, but the artifact clones orders"}, true},
		{"being created", func(f *fakeStacks, r *ResetRequest) { f.stacks["dev-clone"].Status = "CREATE_IN_PROGRESS" },
			[]string{"being created (CREATE_IN_PROGRESS)", "dbaf --region eu-west-1 clone --name dev-clone --config a.ini"}, true},
		{"being deleted", func(f *fakeStacks, r *ResetRequest) { f.stacks["dev-clone"].Status = "DELETE_IN_PROGRESS" },
			[]string{"being deleted (DELETE_IN_PROGRESS)", resetRecreate}, true},
		{"being rolled back", func(f *fakeStacks, r *ResetRequest) { f.stacks["dev-clone"].Status = "ROLLBACK_IN_PROGRESS" },
			[]string{"dev-clone is ROLLBACK_IN_PROGRESS", "wait"}, true},
		{"source not available", func(f *fakeStacks, r *ResetRequest) { f.clusters["prod"].Status = "stopped" },
			[]string{"source cluster prod is stopped"}, true},
		{"source without an instance", func(f *fakeStacks, r *ResetRequest) { f.clusters["prod"].Members = nil },
			[]string{"source cluster prod has no DB instance"}, true},
		{"source key denied", func(f *fakeStacks, r *ResetRequest) {
			f.clusters["prod"].Encrypted, f.clusters["prod"].KMSKeyID = true, "arn:aws:kms:eu-west-1:123456789012:key/k1"
			f.keyErr = &aws.Error{Kind: aws.AccessDenied, Msg: "denied"}
		}, []string{"KMS key arn:aws:kms:eu-west-1:123456789012:key/k1", "kms:DescribeKey was denied"}, true},
		{"a name no clone can have", func(f *fakeStacks, r *ResetRequest) { r.Name = "Dev_Clone" },
			[]string{"stack Dev_Clone cannot be re-created under its name"}, true},
		{"no password", func(f *fakeStacks, r *ResetRequest) { r.Password = "" },
			[]string{"no password for the re-created clone"}, false},
		{"a password RDS refuses", func(f *fakeStacks, r *ResetRequest) { r.Password = strings.Repeat("x", 42) },
			[]string{"the password for the re-created clone is 42 characters: Aurora PostgreSQL master passwords have 8 to 41"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, s, req := resetSetup(t, testArtifact())
			tc.edit(f, &req)
			evs, _, err := runReset(t, context.Background(), f, s, req)
			if err == nil {
				t.Fatal("reset went ahead")
			}
			for _, w := range tc.says {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
			var se *SourceError
			if errors.As(err, &se) != tc.usage {
				t.Errorf("SourceError %v, want %v: %v", errors.As(err, &se), tc.usage, err)
			}
			if len(f.deleted) != 0 || len(f.created) != 0 {
				t.Errorf("deleted %v, created %d", f.deleted, len(f.created))
			}
			cf, ok := evs[len(evs)-1].(CloneFailed)
			if len(evs) != 1 || !ok || !strings.Contains(cf.Cleanup, "nothing was deleted or created") {
				t.Errorf("events %s; last %#v", kinds(evs), evs[len(evs)-1])
			}
		})
	}
}

func TestResetForced(t *testing.T) {
	for name, tags := range map[string]map[string]string{
		"a stack dbaf did not make": {"team": "web"},
		"another owner's clone":     StackTags(testArtifact(), "arn:aws:iam::123456789012:user/alice", fixedNow().Add(-time.Hour)),
	} {
		t.Run(name, func(t *testing.T) {
			f, s, req := resetSetup(t, testArtifact())
			f.stacks["dev-clone"].Tags = tags
			req.Force = true
			if _, _, err := runReset(t, context.Background(), f, s, req); err != nil {
				t.Fatal(err)
			}
			if len(f.deleted) != 1 || len(f.created) != 1 || f.created[0].Tags[TagOwner] != resetCaller {
				t.Errorf("deleted %v, created %+v", f.deleted, f.created)
			}
		})
	}
}

func TestResetTeardownFails(t *testing.T) {
	f, s, req := resetSetup(t, testArtifact())
	f.onDelete = [][]aws.StackEvent{
		{stackEv("d1", "DELETE_IN_PROGRESS", "User Initiated")},
		{ev("d2", "Instance", "AWS::RDS::DBInstance", "DELETE_FAILED", "Cannot delete protected DB instance"), stackEv("d3", "DELETE_FAILED", "")},
	}
	evs, _, err := runReset(t, context.Background(), f, s, req)
	var te *ResetTeardownError
	if !errors.As(err, &te) || len(f.created) != 0 {
		t.Fatalf("err = %v, created %d", err, len(f.created))
	}
	for _, w := range []string{"Cannot delete protected DB instance", "did not re-create dev-clone", "run it again once that is fixed:\n  dbaf --region eu-west-1 reset dev-clone --config a.ini\n", resetRecreate} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error lacks %q:\n%v", w, err)
		}
	}
	if tf, ok := evs[len(evs)-1].(TeardownFailed); !ok || tf.Stack != "dev-clone" || tf.Reason != err.Error() {
		t.Errorf("final %#v", evs[len(evs)-1])
	}
	if strings.Contains(kinds(evs), "torn_down") || strings.Contains(kinds(evs), "clone_started") {
		t.Errorf("events %s", kinds(evs))
	}
}

func TestResetInterrupted(t *testing.T) {
	t.Run("while deleting: the stack goes, and the message says how to make it again", func(t *testing.T) {
		f, s, req := resetSetup(t, testArtifact())
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		s.afterDelete = cancel
		evs, _, err := runReset(t, ctx, f, s, req)
		var gone *ResetGoneError
		if !errors.As(err, &gone) || !errors.Is(err, context.Canceled) || gone.State != StateResetDeleting || len(f.created) != 0 {
			t.Fatalf("err = %v (%T), created %d", err, err, len(f.created))
		}
		ci, ok := evs[len(evs)-1].(CloneInterrupted)
		if !ok || ci.State != StateResetDeleting || ci.Resume != resetRecreate ||
			!strings.Contains(ci.Message, "stack dev-clone is being deleted by the reset, and not re-created") || !strings.Contains(ci.Message, resetRecreate) {
			t.Errorf("final %#v", evs[len(evs)-1])
		}
	})
	t.Run("before deleting: nothing happened", func(t *testing.T) {
		f, s, req := resetSetup(t, testArtifact())
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		f.cancel = cancel // at the teardown's first look at the stack's events
		evs, _, err := runReset(t, ctx, f, s, req)
		if !errors.Is(err, context.Canceled) || len(f.deleted) != 0 {
			t.Fatalf("err = %v, deleted %v", err, f.deleted)
		}
		if ci, ok := evs[len(evs)-1].(CloneInterrupted); !ok || ci.State != "" || !strings.Contains(ci.Message, "before anything was deleted") {
			t.Errorf("final %#v", evs[len(evs)-1])
		}
	})
}

// A failure between the teardown and the new stack leaves the name empty:
// the message and the final event say so, with the command that makes it
// again; the cause keeps its kind (here AWS's, exit 3).
func TestResetCloneRefusedAfterTeardown(t *testing.T) {
	f, s, req := resetSetup(t, testArtifact())
	f.createErr = &aws.Error{Kind: aws.AccessDenied, Msg: "not authorized to perform cloudformation:CreateStack"}
	evs, _, err := runReset(t, context.Background(), f, s, req)
	var gone *ResetGoneError
	var ae *aws.Error
	if !errors.As(err, &gone) || gone.State != StateResetGone || !errors.As(err, &ae) || ae.Kind != aws.AccessDenied {
		t.Fatalf("err = %v (%T)", err, err)
	}
	if len(f.deleted) != 1 {
		t.Errorf("deleted %v", f.deleted)
	}
	cf, ok := evs[len(evs)-1].(CloneFailed)
	if !ok || cf.State != StateResetGone || cf.Resume != resetRecreate || !strings.Contains(cf.Reason, "cloudformation:CreateStack") ||
		!strings.Contains(cf.Cleanup, resetRecreate) || cf.Kept {
		t.Errorf("final %#v", evs[len(evs)-1])
	}
	if !strings.Contains(err.Error(), "stack dev-clone is deleted by the reset, and not re-created") {
		t.Errorf("error: %v", err)
	}
}
