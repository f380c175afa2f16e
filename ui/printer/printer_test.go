package printer

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/dbaf/dbaf/artifact"
)

func TestPlainTeardownHasItsOwnWords(t *testing.T) {
	var out, errOut bytes.Buffer
	p := &Plain{Out: &out, Err: &errOut}
	p.Emit(artifact.TeardownStarted{Stack: "c1", Source: "prod", Region: "eu-west-1"})
	p.Emit(artifact.TeardownFailed{Stack: "c1", Reason: "denied"})
	p.Emit(artifact.CloneInterrupted{Stack: "c1", Message: "interrupted"})
	got := errOut.String()
	if got != "==> deleting stack c1 (clone of prod) in eu-west-1\n" || out.Len() != 0 {
		t.Errorf("stderr %q stdout %q", got, out.String())
	}
	if strings.Contains(got, "creating") {
		t.Error("teardown says creating")
	}
}

func TestShowSaysAPointInTimeCloneIsAFullCopy(t *testing.T) {
	at := time.Date(2026, 11, 24, 21, 30, 0, 0, time.UTC)
	a := &artifact.Artifact{SchemaVersion: 1, Image: "x:y", Region: "eu-west-1",
		Source: artifact.Source{ClusterID: "prod", Engine: "aurora-postgresql", RestoreToTime: &at},
		Target: artifact.Target{InstanceClass: "db.r6g.large"}}
	var b bytes.Buffer
	ShowArtifact(&b, a)
	if strings.Contains(b.String(), "copy-on-write") || !strings.Contains(b.String(), a.RestoreMode().Description) {
		t.Errorf("show:\n%s", b.String())
	}
}

func TestPrintersSayWhatTheLoginSaw(t *testing.T) {
	seen := artifact.CloneReady{Stack: "c1", Endpoint: "h", Port: "5432", Username: "postgres",
		Login: &artifact.LoginSummary{Reachable: true, LoggedIn: true, ServerVersion: "15.8", Database: "postgres", Schemas: 2, Tables: 6,
			SizeBytes: 12_400_000, LatencyMS: 7.25}}
	unreachable := artifact.CloneReady{Stack: "c2", Endpoint: "h", Port: "5432", Username: "postgres",
		Login: &artifact.LoginSummary{Note: "ready; not reachable from this machine: connect from inside the VPC (h:5432: i/o timeout)"}}
	for _, tc := range []struct {
		ready artifact.CloneReady
		line  string
	}{
		{seen, "login: ok in 7ms: server 15.8, database postgres, 2 schemas, 6 tables, 12.4 MB\n"},
		{unreachable, "login: ready; not reachable from this machine: connect from inside the VPC (h:5432: i/o timeout)\n"},
	} {
		var out, errOut bytes.Buffer
		(&Plain{Out: &out, Err: &errOut}).Emit(tc.ready)
		if !strings.HasSuffix(out.String(), tc.line) {
			t.Errorf("plain result:\n%s\nwant it to end with %q", out.String(), tc.line)
		}
	}
	var js bytes.Buffer
	(&JSON{Out: &js}).Emit(seen)
	for _, want := range []string{`"event":"clone_ready"`, `"login":{`, `"server_version":"15.8"`, `"tables":6`, `"schemas":2`,
		`"size_bytes":12400000`, `"latency_ms":7.25`, `"reachable":true`, `"database":"postgres"`} {
		if !strings.Contains(js.String(), want) {
			t.Errorf("clone_ready JSON lacks %s: %s", want, js.String())
		}
	}
}

func TestPrintersSayWhatMaskingDid(t *testing.T) {
	evs := []artifact.Event{
		artifact.Phase{Phase: artifact.PhaseMasking},
		artifact.MaskTableStarted{Table: "legacy.customers"},
		artifact.MaskTableDone{Table: "legacy.customers", Rows: 20000, Elapsed: 1234 * time.Millisecond},
		artifact.HookStarted{Hook: "hooks/01-grants.sql"},
		artifact.HookDone{Hook: "hooks/01-grants.sql", Elapsed: 42 * time.Millisecond},
	}
	var out, errOut, js bytes.Buffer
	p, j := &Plain{Out: &out, Err: &errOut}, &JSON{Out: &js}
	for _, e := range evs {
		p.Emit(e)
		j.Emit(e)
	}
	want := "==> masking\n    masking legacy.customers\n    masked legacy.customers: 20000 rows in 1.23s\n    running hook hooks/01-grants.sql\n    hook hooks/01-grants.sql done in 42ms\n"
	if errOut.String() != want || out.Len() != 0 {
		t.Errorf("plain:\n%s\nwant:\n%s", errOut.String(), want)
	}
	lines := strings.Split(strings.TrimSpace(js.String()), "\n")
	for i, w := range [][]string{
		{`"event":"phase"`, `"phase":"masking"`},
		{`"event":"mask_table_started"`, `"table":"legacy.customers"`},
		{`"event":"mask_table_done"`, `"table":"legacy.customers"`, `"rows":20000`, `"elapsed_ns":1234000000`},
		{`"event":"hook_started"`, `"hook":"hooks/01-grants.sql"`},
		{`"event":"hook_done"`, `"hook":"hooks/01-grants.sql"`, `"elapsed_ns":42000000`},
	} {
		for _, s := range w {
			if !strings.Contains(lines[i], s) {
				t.Errorf("JSON line %d lacks %s: %s", i, s, lines[i])
			}
		}
	}
}

func TestPrintersSayWhatThePreflightSaw(t *testing.T) {
	pf := artifact.Preflight{Source: "prod-aurora", SourceStatus: "available", Instances: 2, CloneGroupID: "cg-1", Clones: 3,
		Quotas:    []artifact.QuotaUse{{Name: "DBClusters", Used: 12, Max: 40}, {Name: "DBInstances", Used: 13, Max: 40}},
		Encrypted: true, KMSKey: "arn:aws:kms:eu-west-1:123456789012:key/k1", KMSKeyState: "Enabled", Calls: 4}
	var out, errOut, js bytes.Buffer
	(&Plain{Out: &out, Err: &errOut}).Emit(pf)
	(&JSON{Out: &js}).Emit(pf)
	want := "==> preflight: 4 AWS calls\n" +
		"    source:  prod-aurora available, 2 instances\n" +
		"    clones:  3 existing clones of prod-aurora\n" +
		"    quotas:  DBClusters 12 of 40 used, DBInstances 13 of 40 used\n" +
		"    key:     KMS key arn:aws:kms:eu-west-1:123456789012:key/k1 (Enabled)\n"
	if errOut.String() != want || out.Len() != 0 {
		t.Errorf("plain:\n%s\nwant:\n%s", errOut.String(), want)
	}
	for _, s := range []string{`"event":"preflight"`, `"source":"prod-aurora"`, `"instances":2`, `"clones":3`, `"clone_group_id":"cg-1"`,
		`"quotas":[{"max":40,"name":"DBClusters","used":12},{"max":40,"name":"DBInstances","used":13}]`,
		`"kms_key":"arn:aws:kms:eu-west-1:123456789012:key/k1"`, `"kms_key_state":"Enabled"`, `"calls":4`} {
		if !strings.Contains(js.String(), s) {
			t.Errorf("preflight JSON lacks %s: %s", s, js.String())
		}
	}
	one := artifact.Preflight{Source: "prod", SourceStatus: "available", Instances: 1, Clones: 1, Restore: artifact.RestoreCopyOnWrite,
		RestoreNote: "copy-on-write: shares the storage of prod"}
	if got := PreflightFacts(one); got[1].Text != "1 existing clone of prod" || got[2] != (Fact{"key", "not encrypted"}) {
		t.Errorf("facts %+v", got)
	}
	// A full copy is said before anything is created: it is billed in full.
	full := one
	full.Clones, full.Restore, full.RestoreNote = 15, artifact.RestoreFullCopy, "this clone will be a full copy: storage billed in full: …"
	if got := PreflightFacts(full); len(got) != 4 || got[2] != (Fact{"restore", full.RestoreNote}) {
		t.Errorf("facts of a predicted full copy %+v", got)
	}
}

func TestPrintersSayAFullCopyIsBilledInFull(t *testing.T) {
	r := artifact.CloneReady{Stack: "c1", Endpoint: "h", Port: "5432", Username: "postgres", FullCopy: true,
		Restore: artifact.FullCopyNote + ": AWS made a full copy"}
	var out, errOut, js bytes.Buffer
	(&Plain{Out: &out, Err: &errOut}).Emit(r)
	(&JSON{Out: &js}).Emit(r)
	if !strings.Contains(out.String(), "\nrestore: full copy: storage billed in full: AWS made a full copy\n") {
		t.Errorf("plain result:\n%s", out.String())
	}
	if !strings.Contains(js.String(), `"full_copy":true`) || !strings.Contains(js.String(), `"restore":"full copy: storage billed in full`) {
		t.Errorf("clone_ready JSON: %s", js.String())
	}
}

// A clone whose password RDS manages hands over the secret and the command
// that reads it, in both printers; show says who sets the password.
func TestPrintersHandOverAManagedPassword(t *testing.T) {
	const arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!cluster-c1-AbCdEf"
	ready := artifact.CloneReady{Stack: "c1", Endpoint: "h", Port: "5432", Username: "postgres", PasswordReset: true,
		SecretARN: arn, PasswordCommand: artifact.Commands{}.Secret("eu-west-1", arn)}
	var out, errOut, js bytes.Buffer
	(&Plain{Out: &out, Err: &errOut}).Emit(ready)
	want := "secret: " + arn + "\npassword command: aws secretsmanager get-secret-value --region eu-west-1 --secret-id '" + arn + "' --query SecretString --output text\n"
	if !strings.Contains(out.String(), want) || strings.Contains(out.String(), "password: ") {
		t.Errorf("plain result:\n%s\nwant it to hold\n%s", out.String(), want)
	}
	(&JSON{Out: &js}).Emit(ready)
	for _, w := range []string{`"secret_arn":"` + arn + `"`, `"password_command":"aws secretsmanager get-secret-value --region eu-west-1`} {
		if !strings.Contains(js.String(), w) {
			t.Errorf("clone_ready JSON lacks %s: %s", w, js.String())
		}
	}
	if strings.Contains(js.String(), `"password":`) {
		t.Errorf("clone_ready JSON has a password field: %s", js.String())
	}

	a := &artifact.Artifact{SchemaVersion: 1, Image: "x:y", Region: "eu-west-1", Source: artifact.Source{ClusterID: "prod"},
		Target: artifact.Target{InstanceClass: "db.r6g.large"}}
	for managed, words := range map[bool]string{false: "given by the developer", true: "managed by RDS in Secrets Manager"} {
		a.Target.ManagedPassword = managed
		var b bytes.Buffer
		ShowArtifact(&b, a)
		if !strings.Contains(b.String(), "password    "+words) {
			t.Errorf("show (managed %v) lacks %q:\n%s", managed, words, b.String())
		}
	}
}

func TestExpiredLine(t *testing.T) {
	for _, tc := range []struct {
		e    artifact.TeardownFinished
		want string
	}{
		{artifact.TeardownFinished{Stacks: []string{}}, "no expired dbaf clones: nothing torn down"},
		{artifact.TeardownFinished{Count: 2, Stacks: []string{"a", "b"}}, "2 expired clones torn down"},
		{artifact.TeardownFinished{Count: 1, Stacks: []string{"a"}, Failed: []artifact.TeardownFailed{{Stack: "b", Reason: "denied"}}},
			"1 expired clone torn down; 1 could not be: b"},
	} {
		if got := ExpiredLine(tc.e); got != tc.want {
			t.Errorf("ExpiredLine(%+v) = %q, want %q", tc.e, got, tc.want)
		}
	}
	var out, errOut bytes.Buffer
	(&Plain{Out: &out, Err: &errOut}).Emit(artifact.TeardownFinished{Count: 2, Stacks: []string{"a", "b"}})
	if out.String() != "torn down: a\ntorn down: b\n" || errOut.String() != "==> 2 expired clones torn down\n" {
		t.Errorf("plain: %q %q", out.String(), errOut.String())
	}
}
