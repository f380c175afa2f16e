package artifact

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/dbaf/dbaf/aws"
	"github.com/dbaf/dbaf/db"
)

func managedArtifact() *Artifact {
	a := testArtifact()
	a.Target.ManagedPassword = true
	return a
}

// managedSetup is a fake account whose next clone completes, and a request
// for it with no password: RDS is to manage it.
func managedSetup(t *testing.T, a *Artifact) (*fakeStacks, *fakeLogin, CloneRequest) {
	t.Helper()
	f := newFakeStacks()
	f.batches = successBatches()
	f.completeClone("managed")
	fl := &fakeLogin{}
	return f, fl, CloneRequest{Artifact: a, Name: "managed", Login: fl.check, PollInterval: time.Millisecond, Now: fixedNow, Clock: &fakeClock{}}
}

func TestCloneManagedPasswordHandsOverTheSecret(t *testing.T) {
	for _, tc := range []struct {
		name     string
		quietARN bool
	}{
		{"the ARN from ModifyDBCluster", false},
		{"the ARN from the cluster once applied", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, fl, req := managedSetup(t, managedArtifact())
			f.quietARN = tc.quietARN
			evs, emit := collect()
			ready, err := cloneWithOutputs(t, f, req, emit)
			if err != nil {
				t.Fatal(err)
			}
			arn := f.clusters["managed"].MasterUserSecretARN
			secret := f.secrets[arn]
			if f.manages != 1 || len(f.passwords) != 0 || arn == "" || secret == "" {
				t.Fatalf("ManageMasterPassword calls %d, resets %q, secret %q: want one managed password and no reset", f.manages, f.passwords, arn)
			}
			// dbaf logged in with the secret's password, read in-process.
			if len(fl.targets) != 1 || fl.targets[0].Password != secret {
				t.Errorf("login targets %+v, want the managed password", fl.targets)
			}
			want := "aws secretsmanager get-secret-value --region eu-west-1 --secret-id '" + arn + "' --query SecretString --output text"
			if ready.SecretARN != arn || ready.PasswordCommand != want || ready.PasswordCommand != euCmds.Secret("eu-west-1", arn) {
				t.Errorf("ready secret %q, command %q; want %q, %q", ready.SecretARN, ready.PasswordCommand, arn, want)
			}
			if ready.Password != "" || !ready.PasswordReset || ready.Login == nil || !ready.Login.LoggedIn {
				t.Errorf("ready = %+v", ready)
			}
			if r, ok := lastEvent(*evs).(CloneReady); !ok || r.SecretARN != arn || finals(*evs) != 1 {
				t.Errorf("final event %#v", lastEvent(*evs))
			}
			noSecret(t, secret, *evs, nil)
			if phases := phasesOf(*evs); phases != "creating stack,resetting password,waiting for the cluster,logging in,ready" {
				t.Errorf("phases %s", phases)
			}
			if f.clusters["managed"].Tags[TagPasswordResetAt] == "" {
				t.Error("the password change is not recorded on the cluster")
			}
		})
	}
}

// Masking still runs under its temporary password, before any password a
// developer can read exists; then RDS takes the password over.
func TestCloneManagedPasswordAfterMasking(t *testing.T) {
	f, s, tr, req := maskingSetup(t)
	req.Password = ""
	req.Artifact.Target.ManagedPassword = true
	evs, ready, err := runMasking(t, s, f, req)
	if err != nil {
		t.Fatal(err)
	}
	temp := tempOf(t, tr)
	arn := f.clusters[ready.ClusterID].MasterUserSecretARN
	secret := f.secrets[arn]
	want := append(maskedUnder(temp), "login with "+secret)
	if strings.Join(tr.steps, "\n") != strings.Join(want, "\n") || f.manages != 1 {
		t.Errorf("steps (%d managed):\n%s\nwant:\n%s", f.manages, strings.Join(tr.steps, "\n"), strings.Join(want, "\n"))
	}
	if ready.SecretARN != arn {
		t.Errorf("ready secret %q, want %q", ready.SecretARN, arn)
	}
	noSecret(t, temp, evs, err)
	noSecret(t, secret, evs, err)
}

// Following a clone whose password RDS manages keeps the secret, whether
// or not this run asked for a managed password: the secret is the handover.
func TestCloneFollowingAManagedClone(t *testing.T) {
	for _, tc := range []struct {
		name string
		req  func(*CloneRequest)
	}{
		{"managed", func(r *CloneRequest) { r.Artifact = managedArtifact() }},
		{"with a password of its own", func(r *CloneRequest) { r.Password = "second-Pass-1" }},
		{"with --reset-password", func(r *CloneRequest) { r.Artifact, r.ResetPassword = managedArtifact(), true }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, fl, req := managedSetup(t, testArtifact())
			f.batches = nil
			const arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!cluster-managed-Zz"
			f.clusters["managed"].MasterUserSecretARN = arn
			f.clusters["managed"].Tags = map[string]string{TagPasswordResetAt: "2026-11-25T00:00:00Z"}
			f.secrets = map[string]string{arn: "rds-Earlier-pw"}
			f.stacks["managed"] = &aws.Stack{Name: "managed", ID: stackID, Status: "CREATE_COMPLETE", Tags: StackTags(testArtifact(), me, fixedNow()),
				Outputs: map[string]string{"Endpoint": "managed.cluster-x", "Port": "5432", "ClusterId": "managed"}}
			tc.req(&req)
			evs, emit := collect()
			ready, err := Clone(context.Background(), req, f, emit)
			if err != nil {
				t.Fatal(err)
			}
			if f.manages != 0 || len(f.passwords) != 0 {
				t.Errorf("ManageMasterPassword calls %d, resets %q: a managed clone's password is left alone", f.manages, f.passwords)
			}
			if ready.PasswordReset || ready.SecretARN != arn || ready.PasswordCommand != euCmds.Secret("eu-west-1", arn) {
				t.Errorf("ready = %+v", ready)
			}
			if len(fl.targets) != 1 || fl.targets[0].Password != "rds-Earlier-pw" {
				t.Errorf("login targets %+v, want the secret's password", fl.targets)
			}
			noSecret(t, "rds-Earlier-pw", *evs, nil)
		})
	}
}

// Asking for a managed password when following a clone whose password an
// earlier run set hands that clone's password over to RDS: the secret is
// then the one way in, for every caller.
func TestCloneFollowingWithAManagedPasswordManagesIt(t *testing.T) {
	f, fl, req := managedSetup(t, managedArtifact())
	f.batches = nil
	f.clusters["managed"].Tags = map[string]string{TagPasswordResetAt: "2026-11-25T00:00:00Z"}
	f.stacks["managed"] = &aws.Stack{Name: "managed", ID: stackID, Status: "CREATE_COMPLETE", Tags: StackTags(testArtifact(), me, fixedNow()),
		Outputs: map[string]string{"Endpoint": "managed.cluster-x", "Port": "5432", "ClusterId": "managed"}}
	ready, err := Clone(context.Background(), req, f, nil)
	if err != nil {
		t.Fatal(err)
	}
	arn := f.clusters["managed"].MasterUserSecretARN
	if f.manages != 1 || !ready.PasswordReset || ready.SecretARN != arn || len(fl.targets) != 1 || fl.targets[0].Password != f.secrets[arn] {
		t.Errorf("manages %d, ready %+v, logins %+v; want the password handed to RDS and the secret handed over", f.manages, ready, fl.targets)
	}
}

func TestCloneManagedPasswordFailures(t *testing.T) {
	denied := &aws.Error{Kind: aws.AccessDenied, Op: "secretsmanager:GetSecretValue", Msg: "not authorized to perform secretsmanager:GetSecretValue"}
	t.Run("ModifyDBCluster refused", func(t *testing.T) {
		f, _, req := managedSetup(t, managedArtifact())
		f.manageErr = &aws.Error{Kind: aws.AccessDenied, Msg: "not authorized to perform rds:ModifyDBCluster"}
		_, err := cloneWithOutputs(t, f, req, nil)
		var se *StrandedError
		if !errors.As(err, &se) || se.State != StateNoPassword || !strings.Contains(err.Error(), euCmds.Resume("managed")) {
			t.Errorf("err = %v; want the stack left without a password, with the resume command", err)
		}
	})
	t.Run("the secret cannot be read", func(t *testing.T) {
		f, fl, req := managedSetup(t, managedArtifact())
		f.secretErr = denied
		_, err := cloneWithOutputs(t, f, req, nil)
		var se *StrandedError
		if !errors.As(err, &se) || se.State != StateLoggingIn || !errors.Is(err, denied) {
			t.Fatalf("err = %v; want the stack left unproven, wrapping the denial", err)
		}
		for _, want := range []string{"secretsmanager:GetSecretValue", f.clusters["managed"].MasterUserSecretARN, euCmds.Resume("managed"), euCmds.Teardown("managed")} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error lacks %q:\n%v", want, err)
			}
		}
		if len(fl.targets) != 0 {
			t.Errorf("logged in without the password: %+v", fl.targets)
		}
		if c, ok := CloneFinal("managed", err).(CloneFailed); !ok || c.Resume != euCmds.Resume("managed") {
			t.Errorf("final event %#v", CloneFinal("managed", err))
		}
	})
	t.Run("a refused login fails without blaming an earlier password", func(t *testing.T) {
		f, fl, req := managedSetup(t, managedArtifact())
		fl.err = &db.LoginRefusedError{User: "postgres", Addr: "managed.cluster-x:5432", Message: "password authentication failed"}
		evs, emit := collect()
		_, err := cloneWithOutputs(t, f, req, emit)
		var ce *CloneError
		if !errors.As(err, &ce) || ce.Failed.State != StateLoginFailed || ce.Failed.Resume != euCmds.Resume("managed") {
			t.Fatalf("err = %v; want a failed login, resumed without --reset-password", err)
		}
		noSecret(t, f.secrets[f.clusters["managed"].MasterUserSecretARN], *evs, err)
	})
	t.Run("a driver error echoing the password is scrubbed", func(t *testing.T) {
		f, _, req := managedSetup(t, managedArtifact())
		req.Login = func(_ context.Context, tg db.Target) (*db.Summary, error) {
			return nil, errors.New("could not read what is there with " + tg.Password)
		}
		evs, emit := collect()
		_, err := cloneWithOutputs(t, f, req, emit)
		if err == nil || !strings.Contains(err.Error(), "[the managed password]") {
			t.Errorf("err = %v", err)
		}
		noSecret(t, f.secrets[f.clusters["managed"].MasterUserSecretARN], *evs, err)
	})
	t.Run("no password and none managed", func(t *testing.T) {
		f, _, req := managedSetup(t, testArtifact())
		_, err := cloneWithOutputs(t, f, req, nil)
		if err == nil || !strings.Contains(err.Error(), "--managed-password") || len(f.created) != 0 {
			t.Errorf("err = %v, created %d", err, len(f.created))
		}
	})
}

func phasesOf(evs []Event) string {
	var out []string
	for _, e := range evs {
		if p, ok := e.(Phase); ok {
			out = append(out, p.Phase.String())
		}
	}
	return strings.Join(out, ",")
}
