package printer

import (
	"bytes"
	"slices"
	"testing"
	"time"

	"github.com/dbaf/dbaf/artifact"
	"github.com/dbaf/dbaf/internal/testenv"
)

// everyEvent is one of each event kind, its fields filled as a run fills
// them (optional ones both set and left out across the list).
func everyEvent() []artifact.Event {
	at := time.Date(2026, 12, 8, 1, 2, 3, 400, time.UTC)
	res := []artifact.ResourceInfo{{LogicalID: "Cluster", Type: "AWS::RDS::DBCluster", Label: "DB cluster"}}
	return []artifact.Event{
		artifact.StepStarted{Step: artifact.StepResolve, Detail: "source cluster prod in eu-west-1"},
		artifact.Resolved{Artifact: &artifact.Artifact{SchemaVersion: 1, Image: "x:y", Region: "eu-west-1", Source: artifact.Source{ClusterID: "prod"}}},
		artifact.StepDone{Step: artifact.StepResolve, Elapsed: time.Second},
		artifact.Progress{Step: artifact.StepPush, Line: "pushed 1 layer"},
		artifact.Warning{Message: "careful"},
		artifact.Built{Image: "x:y", ID: "sha256:1", Size: 42, RunLine: "docker run x:y"},
		artifact.BuildFailed{Step: artifact.StepLoad, Reason: "no engine"},
		artifact.Preflight{Source: "prod", SourceStatus: "available", Instances: 1, Clones: 0, Calls: 2,
			Quotas: []artifact.QuotaUse{{Name: "DBClusters", Used: 1, Max: 40}}, Encrypted: true, KMSKey: "k", KMSKeyState: "Enabled"},
		artifact.ResetStarted{Stack: "c1", StackID: "arn:s", Source: "prod", Region: "eu-west-1", Endpoint: "h", ExpiresAt: &at, Recreate: "dbaf clone --name c1"},
		artifact.TeardownStarted{Stack: "c1", StackID: "arn:s", Region: "eu-west-1"}, // resources unknown: null
		artifact.CloneStarted{Stack: "c1", StackID: "arn:s", Source: "prod", Region: "eu-west-1", Class: "db.r6g.large", Resources: res},
		artifact.StackEvent{Time: at, LogicalID: "Cluster", ResourceType: "AWS::RDS::DBCluster", Status: "CREATE_IN_PROGRESS", Reason: "Resource creation Initiated"},
		artifact.Throttled{Call: "DescribeStackEvents", RetryIn: time.Second},
		artifact.Phase{Phase: artifact.PhaseMasking},
		artifact.MaskTableStarted{Table: "legacy.customers"},
		artifact.MaskTableDone{Table: "legacy.customers", Rows: 2, Elapsed: time.Millisecond},
		artifact.HookStarted{Hook: "hooks/01.sql"},
		artifact.HookDone{Hook: "hooks/01.sql", Elapsed: time.Millisecond},
		artifact.Phase{Phase: artifact.PhaseWaiting},
		artifact.CloneReady{Stack: "c1", ClusterID: "c1-cluster", Endpoint: "h", Port: "5432", Username: "postgres", Connection: "psql …",
			ExpiresAt: &at, PasswordReset: true, Password: "generated", Login: &artifact.LoginSummary{Reachable: true, LoggedIn: true, LatencyMS: 1.5}},
		artifact.CloneFailed{Stack: "c1", Reason: "denied", Kept: true, Cleanup: "left", State: artifact.StateNoPassword, Resume: "r", Teardown: "t"},
		artifact.CloneInterrupted{Stack: "c1", State: artifact.StateMasking, Teardown: "t", Message: "interrupted"},
		artifact.CloneInterrupted{Message: "interrupted before anything was created"},
		artifact.TornDown{Stack: "c1"},
		artifact.TeardownFailed{Stack: "c1", Reason: "denied"},
		artifact.TeardownFinished{Count: 1, Stacks: []string{"c1"}, Failed: []artifact.TeardownFailed{{Stack: "c2", Reason: "denied"}}},
		artifact.Extended{Stack: "c1", ExpiresAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), MaxExpiresAt: time.Date(2026, 1, 4, 3, 4, 5, 0, time.UTC)},
		artifact.ExtendFailed{Stack: "c1", Reason: "past its maximum"},
	}
}

// Every kind of event the JSON printer prints follows
// artifact/events.schema.json, and the list above has every kind the
// schema names.
func TestJSONEventsFollowTheSchema(t *testing.T) {
	var out bytes.Buffer
	j := &JSON{Out: &out, Now: func() time.Time { return time.Date(2026, 12, 8, 0, 0, 0, 0, time.UTC) }}
	var kinds []string
	for _, e := range everyEvent() {
		j.Emit(e)
		kinds = append(kinds, artifact.Kind(e))
	}
	evs := testenv.JSONEvents(t, out.String())
	if len(evs) != len(kinds) {
		t.Fatalf("%d lines for %d events", len(evs), len(kinds))
	}
	for _, k := range testenv.EventKinds(t) {
		if !slices.Contains(kinds, k) {
			t.Errorf("no %s in everyEvent: the schema's description of it is untested", k)
		}
	}
	if evs[13]["phase"] != "masking" || evs[13]["text"] != "masking" || evs[18]["phase"] != "waiting_for_cluster" || evs[18]["text"] != "waiting for the cluster" {
		t.Errorf("phase events %v, %v", evs[13], evs[18])
	}
	if evs[20]["state"] != "no_password" || evs[20]["state_text"] != "created, but its master password was not reset" {
		t.Errorf("clone_failed %v", evs[20])
	}
}

// The schema is a check, not a description only: what breaks the contract
// fails it.
func TestJSONEventsSchemaRefusesWhatBreaksIt(t *testing.T) {
	for name, line := range map[string]string{
		"unknown kind":     `{"event":"cloned","time":"2026-12-08T00:00:00Z"}`,
		"English phase":    `{"event":"phase","time":"2026-12-08T00:00:00Z","phase":"waiting for the cluster","text":"waiting for the cluster"}`,
		"no text":          `{"event":"phase","time":"2026-12-08T00:00:00Z","phase":"ready"}`,
		"unknown field":    `{"event":"torn_down","time":"2026-12-08T00:00:00Z","stack":"c1","extra":1}`,
		"state, no text":   `{"event":"clone_interrupted","time":"2026-12-08T00:00:00Z","message":"m","state":"masking"}`,
		"English state":    `{"event":"clone_interrupted","time":"2026-12-08T00:00:00Z","message":"m","state":"still being created","state_text":"still being created"}`,
		"missing required": `{"event":"clone_ready","time":"2026-12-08T00:00:00Z","stack":"c1"}`,
		"not a time":       `{"event":"torn_down","time":"yesterday","stack":"c1"}`,
	} {
		rec := &recorder{TB: t}
		testenv.JSONEvents(rec, line)
		if !rec.failed {
			t.Errorf("%s: the schema took %s", name, line)
		}
	}
}

// recorder notes a failure instead of failing the test.
type recorder struct {
	testing.TB
	failed bool
}

func (r *recorder) Helper()               {}
func (r *recorder) Errorf(string, ...any) { r.failed = true }
func (r *recorder) Fatalf(string, ...any) { r.failed = true }
func (r *recorder) Logf(string, ...any)   {}
func (r *recorder) Error(...any)          { r.failed = true }
