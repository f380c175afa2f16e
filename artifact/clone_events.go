package artifact

import (
	"encoding/json"
	"time"
)

// PhaseID names a phase of a clone or teardown: a stable identifier for
// JSON readers (events.schema.json lists them); String is the English the
// screens and the plain printer show.
type PhaseID string

// Phases of a clone, in order.
const (
	PhaseCreating  PhaseID = "creating_stack"
	PhaseMasking   PhaseID = "masking" // only when the artifact masks or has hooks
	PhaseResetting PhaseID = "resetting_password"
	PhaseWaiting   PhaseID = "waiting_for_cluster"
	PhaseLoggingIn PhaseID = "logging_in"
	PhaseReady     PhaseID = "ready"
	PhaseDeleting  PhaseID = "deleting_stack"
)

var phaseText = map[PhaseID]string{
	PhaseCreating:  "creating stack",
	PhaseMasking:   "masking",
	PhaseResetting: "resetting password",
	PhaseWaiting:   "waiting for the cluster",
	PhaseLoggingIn: "logging in",
	PhaseReady:     "ready",
	PhaseDeleting:  "deleting stack",
}

func (p PhaseID) String() string { return textOr(phaseText, p) }

// CloneStarted opens a clone's event stream: the stack and every resource it
// will have, so a view can show them all before their first event.
type CloneStarted struct {
	Stack     string         `json:"stack"`
	StackID   string         `json:"stack_id"`
	Source    string         `json:"source"`
	Region    string         `json:"region"`
	Class     string         `json:"instance_class"`
	Resources []ResourceInfo `json:"resources"`
	Attached  bool           `json:"attached"` // the stack existed: dbaf follows it instead of creating it
}

// StackEvent is one CloudFormation event of the stack being watched.
type StackEvent struct {
	Time         time.Time `json:"event_time"`
	LogicalID    string    `json:"logical_id"`
	ResourceType string    `json:"resource_type"`
	Status       string    `json:"status"`
	Reason       string    `json:"reason,omitempty"`
	PhysicalID   string    `json:"physical_id,omitempty"`
	IsStack      bool      `json:"is_stack"`
}

// Phase says which phase a clone (or teardown) entered.
type Phase struct {
	Phase PhaseID `json:"phase"`
}

// MarshalJSON adds the phase's English as "text" beside its identifier.
func (e Phase) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Phase PhaseID `json:"phase"`
		Text  string  `json:"text"`
	}{e.Phase, e.Phase.String()})
}

// Throttled says AWS throttled a call; the watcher backs off and carries on.
type Throttled struct {
	Call    string        `json:"call"`
	RetryIn time.Duration `json:"retry_in_ns"`
}

// MaskTableStarted says masking of one table began.
type MaskTableStarted struct {
	Table string `json:"table"` // schema.table
}

// MaskTableDone says one table is masked (committed).
type MaskTableDone struct {
	Table   string        `json:"table"`
	Rows    int64         `json:"rows"`
	Elapsed time.Duration `json:"elapsed_ns"`
}

// HookStarted says one post-clone hook file began to run.
type HookStarted struct {
	Hook string `json:"hook"`
}

// HookDone says one post-clone hook file ran to its end.
type HookDone struct {
	Hook    string        `json:"hook"`
	Elapsed time.Duration `json:"elapsed_ns"`
}

// CloneReady is the final event of a successful clone.
type CloneReady struct {
	Stack          string     `json:"stack"`
	ClusterID      string     `json:"cluster_id"`
	Endpoint       string     `json:"endpoint"`
	ReaderEndpoint string     `json:"reader_endpoint,omitempty"`
	Port           string     `json:"port"`
	Username       string     `json:"username"`
	Connection     string     `json:"connection"` // a client command line, without the password
	ExpiresAt      *time.Time `json:"expires_at,omitempty"`
	// Enforced: AWS deletes the clone at ExpiresAt (dbaf setup's schedule);
	// false: the expiry is a tag only.
	Enforced bool `json:"enforced"`
	// PasswordReset is false when an earlier run had set the password and
	// this one left it alone: the caller's password may not work.
	PasswordReset bool `json:"password_reset"`
	// Password is set only when dbaf generated it: it is shown once, here.
	Password string `json:"password,omitempty"`
	// SecretARN is set when RDS manages the master password: the Secrets
	// Manager secret that holds it, and the command that prints it, in
	// place of the password.
	SecretARN       string `json:"secret_arn,omitempty"`
	PasswordCommand string `json:"password_command,omitempty"`
	// Login is what dbaf saw when it logged in to the clone (nil when no
	// check ran).
	Login *LoginSummary `json:"login,omitempty"`
	// FullCopy is set when the clone is a full copy, its storage billed in
	// full: asked for (restore_to_time, a snapshot) or past Aurora's limit
	// of copy-on-write clones, as the preflight predicted (restoreOf).
	// Restore says how the clone was made, in words.
	FullCopy bool   `json:"full_copy"`
	Restore  string `json:"restore,omitempty"`
}

// LoginSummary is the handover login check: what dbaf saw on the clone, or
// why it could not look.
type LoginSummary struct {
	Reachable     bool    `json:"reachable"`
	LoggedIn      bool    `json:"logged_in"`
	ServerVersion string  `json:"server_version,omitempty"`
	Database      string  `json:"database,omitempty"`
	Schemas       int     `json:"schemas"`
	Tables        int     `json:"tables"`
	SizeBytes     int64   `json:"size_bytes"`
	LatencyMS     float64 `json:"latency_ms"`
	Note          string  `json:"note,omitempty"` // when not logged in: what happened, and what to do
}

// CloneFailed is the final event of a failed clone.
type CloneFailed struct {
	Stack     string `json:"stack"`
	Resource  string `json:"resource,omitempty"` // logical id of the root cause
	Reason    string `json:"reason"`
	Publisher string `json:"publisher_contact,omitempty"`
	Kept      bool   `json:"kept"`    // the stack is left in AWS (for inspection, or because a later step failed)
	Cleanup   string `json:"cleanup"` // what happened to what was created
	// Set when the stack is left in AWS: its state and the commands to
	// resume the clone or remove it.
	State    StackState `json:"state,omitempty"`
	Resume   string     `json:"resume,omitempty"`
	Teardown string     `json:"teardown,omitempty"`
}

// MarshalJSON adds the state's English as "state_text" beside its
// identifier.
func (e CloneFailed) MarshalJSON() ([]byte, error) {
	type fields CloneFailed // without this method
	return json.Marshal(struct {
		fields
		StateText string `json:"state_text,omitempty"`
	}{fields(e), textOf(e.State)})
}

// CloneInterrupted is the final event of a clone stopped by a signal.
type CloneInterrupted struct {
	Stack    string     `json:"stack,omitempty"`
	State    StackState `json:"state,omitempty"` // "" when nothing was created
	Resume   string     `json:"resume,omitempty"`
	Teardown string     `json:"teardown,omitempty"`
	Message  string     `json:"message"`
}

// MarshalJSON adds the state's English as "state_text" beside its
// identifier.
func (e CloneInterrupted) MarshalJSON() ([]byte, error) {
	type fields CloneInterrupted // without this method
	return json.Marshal(struct {
		fields
		StateText string `json:"state_text,omitempty"`
	}{fields(e), textOf(e.State)})
}

// TeardownStarted opens a teardown's event stream: the stack and the
// resources it holds.
type TeardownStarted struct {
	Stack     string         `json:"stack"`
	StackID   string         `json:"stack_id"`
	Source    string         `json:"source,omitempty"` // the source cluster, when the stack is a dbaf clone
	Region    string         `json:"region"`
	Resources []ResourceInfo `json:"resources"`
}

// TeardownFailed is the final event of a teardown that did not finish.
type TeardownFailed struct {
	Stack  string `json:"stack"`
	Reason string `json:"reason"`
}

// TeardownFinished is the final event of a teardown of every expired
// clone (teardown --expired): how many were removed, which, and which
// could not be.
type TeardownFinished struct {
	Count  int              `json:"count"`
	Stacks []string         `json:"stacks"`
	Failed []TeardownFailed `json:"failed,omitempty"`
}

// TornDown is the final event of a teardown.
type TornDown struct {
	Stack string `json:"stack"`
}

func (CloneStarted) eventKind() string     { return "clone_started" }
func (StackEvent) eventKind() string       { return "stack_event" }
func (Phase) eventKind() string            { return "phase" }
func (Throttled) eventKind() string        { return "throttled" }
func (MaskTableStarted) eventKind() string { return "mask_table_started" }
func (MaskTableDone) eventKind() string    { return "mask_table_done" }
func (HookStarted) eventKind() string      { return "hook_started" }
func (HookDone) eventKind() string         { return "hook_done" }
func (CloneReady) eventKind() string       { return "clone_ready" }
func (CloneFailed) eventKind() string      { return "clone_failed" }
func (CloneInterrupted) eventKind() string { return "clone_interrupted" }
func (TornDown) eventKind() string         { return "torn_down" }
func (TeardownStarted) eventKind() string  { return "teardown_started" }
func (TeardownFinished) eventKind() string { return "teardown_finished" }
func (TeardownFailed) eventKind() string   { return "teardown_failed" }
