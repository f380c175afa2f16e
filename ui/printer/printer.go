package printer

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/dbaf/dbaf/artifact"
	"github.com/dbaf/dbaf/dockerbuild"
	"github.com/dbaf/dbaf/ui/common"
)

// Printer renders an operation's events without a terminal UI.
type Printer interface {
	Emit(artifact.Event)
}

// Plain prints one line per event: progress to Err, the final result to Out,
// so `dbaf build … > result.txt` keeps only the result.
type Plain struct {
	Out, Err io.Writer
}

// Emit prints one event.
func (p *Plain) Emit(e artifact.Event) {
	switch e := e.(type) {
	case artifact.StepStarted:
		fmt.Fprintf(p.Err, "==> %s: %s\n", e.Step, e.Detail)
	case artifact.StepDone:
		if e.Detail != "" {
			fmt.Fprintf(p.Err, "    %s done in %s: %s\n", e.Step, round(e.Elapsed), e.Detail)
		} else {
			fmt.Fprintf(p.Err, "    %s done in %s\n", e.Step, round(e.Elapsed))
		}
	case artifact.Progress:
		fmt.Fprintf(p.Err, "    %s\n", e.Line)
	case artifact.Warning:
		fmt.Fprintf(p.Err, "warning: %s\n", e.Message)
	case artifact.Resolved:
		// The summary follows in StepDone; the whole artifact is for JSON readers.
	case artifact.Built:
		fmt.Fprintf(p.Out, "image: %s\n", e.Image)
		fmt.Fprintf(p.Out, "id: %s\n", e.ID)
		fmt.Fprintf(p.Out, "size: %s\n", Bytes(e.Size))
		if e.Pushed != "" {
			fmt.Fprintf(p.Out, "pushed: %s\n", e.Pushed)
		}
		fmt.Fprintf(p.Out, "run: %s\n", e.RunLine)
	case artifact.Preflight:
		fmt.Fprintf(p.Err, "==> preflight: %s\n", common.Count(e.Calls, "AWS call"))
		for _, f := range PreflightFacts(e) {
			fmt.Fprintf(p.Err, "    %-8s %s\n", f.Key+":", f.Text)
		}
	case artifact.CloneStarted:
		verb := "creating"
		if e.Attached {
			verb = "following existing"
		}
		fmt.Fprintf(p.Err, "==> %s stack %s: clone of %s (%s) in %s\n", verb, e.Stack, e.Source, e.Class, e.Region)
	case artifact.StackEvent:
		line := fmt.Sprintf("%s  %-14s %-28s %s", e.Time.UTC().Format("15:04:05"), e.LogicalID, e.ResourceType, e.Status)
		if e.Reason != "" {
			line += "  " + e.Reason
		}
		fmt.Fprintln(p.Err, line)
	case artifact.Phase:
		fmt.Fprintf(p.Err, "==> %s\n", e.Phase)
	case artifact.Throttled:
		fmt.Fprintf(p.Err, "    AWS throttled %s; retrying in %s\n", e.Call, round(e.RetryIn))
	case artifact.MaskTableStarted:
		fmt.Fprintf(p.Err, "    masking %s\n", e.Table)
	case artifact.MaskTableDone:
		fmt.Fprintf(p.Err, "    %s\n", MaskTableLine(e))
	case artifact.HookStarted:
		fmt.Fprintf(p.Err, "    running hook %s\n", e.Hook)
	case artifact.HookDone:
		fmt.Fprintf(p.Err, "    %s\n", HookLine(e))
	case artifact.CloneReady:
		fmt.Fprintf(p.Out, "endpoint: %s\n", e.Endpoint)
		fmt.Fprintf(p.Out, "port: %s\n", e.Port)
		fmt.Fprintf(p.Out, "username: %s\n", e.Username)
		fmt.Fprintf(p.Out, "stack: %s\n", e.Stack)
		fmt.Fprintf(p.Out, "connect: %s\n", e.Connection)
		if e.ExpiresAt != nil {
			fmt.Fprintf(p.Out, "expires: %s (%s)\n", e.ExpiresAt.UTC().Format(time.RFC3339), artifact.Enforcement(e.Enforced))
		}
		if e.Restore != "" {
			fmt.Fprintf(p.Out, "restore: %s\n", e.Restore)
		}
		if e.Login != nil {
			fmt.Fprintf(p.Out, "login: %s\n", LoginLine(*e.Login))
		}
		if e.Password != "" {
			fmt.Fprintf(p.Out, "password: %s   (generated; shown only this once)\n", e.Password)
		}
		if e.SecretARN != "" {
			fmt.Fprintf(p.Out, "secret: %s\n", e.SecretARN)
			fmt.Fprintf(p.Out, "password command: %s\n", e.PasswordCommand)
		}
	case artifact.CloneFailed, artifact.CloneInterrupted, artifact.TeardownFailed, artifact.BuildFailed, artifact.ExtendFailed:
		// The command's error says it all, once; JSON readers get the event.
	case artifact.ResetStarted:
		fmt.Fprintf(p.Err, "==> resetting stack %s in %s: tearing it down, then cloning %s again under the same name\n", e.Stack, e.Region, e.Source)
		if e.Endpoint != "" {
			fmt.Fprintf(p.Err, "    endpoint %s stays; the data and the TTL are new\n", e.Endpoint)
		}
	case artifact.TeardownStarted:
		of := ""
		if e.Source != "" {
			of = " (clone of " + e.Source + ")"
		}
		fmt.Fprintf(p.Err, "==> deleting stack %s%s in %s\n", e.Stack, of, e.Region)
	case artifact.TornDown:
		fmt.Fprintf(p.Out, "torn down: %s\n", e.Stack)
	case artifact.Extended:
		fmt.Fprintf(p.Out, "%s now expires %s (%s; at most %s)\n", e.Stack, e.ExpiresAt.Format(time.RFC3339), artifact.Enforcement(true), e.MaxExpiresAt.Format(time.RFC3339))
	case artifact.TeardownFinished:
		for _, s := range e.Stacks {
			fmt.Fprintf(p.Out, "torn down: %s\n", s)
		}
		fmt.Fprintf(p.Err, "==> %s\n", ExpiredLine(e))
	default:
		fmt.Fprintf(p.Err, "%s\n", artifact.Kind(e))
	}
}

// ExpiredLine says what a teardown of the expired clones did, in words.
func ExpiredLine(e artifact.TeardownFinished) string {
	if e.Count == 0 && len(e.Failed) == 0 {
		return "no expired dbaf clones: nothing torn down"
	}
	line := common.Count(e.Count, "expired clone") + " torn down"
	if len(e.Failed) > 0 {
		names := make([]string, len(e.Failed))
		for i, f := range e.Failed {
			names[i] = f.Stack
		}
		line += fmt.Sprintf("; %d could not be: %s", len(e.Failed), strings.Join(names, ", "))
	}
	return line
}

// LoginLine says what the handover login check saw, or why it could not
// look: the plain result line and the clone view's ready panel.
func LoginLine(l artifact.LoginSummary) string {
	if !l.LoggedIn {
		return l.Note
	}
	db := ""
	if l.Database != "" {
		db = ", database " + l.Database
	}
	return fmt.Sprintf("ok in %s: server %s%s, %d schemas, %d tables, %s", round(time.Duration(l.LatencyMS*float64(time.Millisecond))),
		l.ServerVersion, db, l.Schemas, l.Tables, Bytes(l.SizeBytes))
}

// Fact is one thing the preflight saw, as a key and its text.
type Fact struct{ Key, Text string }

// PreflightFacts are the preflight's findings in words, one per check: the
// plain printer, the clone view and the wizard's review show the same.
func PreflightFacts(p artifact.Preflight) []Fact {
	facts := []Fact{{"source", fmt.Sprintf("%s %s, %s", p.Source, p.SourceStatus, common.Count(p.Instances, "instance"))}}
	clones := "no existing clones of " + p.Source
	if p.Clones > 0 {
		clones = common.Count(p.Clones, "existing clone") + " of " + p.Source
	}
	facts = append(facts, Fact{"clones", clones})
	if p.Restore != "" && p.Restore != artifact.RestoreCopyOnWrite {
		// A full copy, asked for or past Aurora's copy-on-write limit:
		// said before anything is created, since it is billed in full.
		facts = append(facts, Fact{"restore", p.RestoreNote})
	}
	if len(p.Quotas) > 0 {
		var qs []string
		for _, q := range p.Quotas {
			qs = append(qs, fmt.Sprintf("%s %d of %d used", q.Name, q.Used, q.Max))
		}
		facts = append(facts, Fact{"quotas", strings.Join(qs, ", ")})
	}
	switch {
	case !p.Encrypted:
		facts = append(facts, Fact{"key", "not encrypted"})
	case p.KMSKeyState != "":
		facts = append(facts, Fact{"key", "KMS key " + p.KMSKey + " (" + p.KMSKeyState + ")"})
	default:
		facts = append(facts, Fact{"key", "KMS key " + common.Or(p.KMSKey, "(not named)") + " (not described)"})
	}
	return facts
}

// MaskTableLine says a table is masked, for the plain printer and the
// clone view's log.
func MaskTableLine(e artifact.MaskTableDone) string {
	return fmt.Sprintf("masked %s: %d rows in %s", e.Table, e.Rows, round(e.Elapsed))
}

// HookLine says a post-clone hook ran.
func HookLine(e artifact.HookDone) string {
	return fmt.Sprintf("hook %s done in %s", e.Hook, round(e.Elapsed))
}

// JSON prints one JSON object per event, each with "event" (its kind) and
// "time", the event's own fields flattened beside them, for `jq`.
type JSON struct {
	Out io.Writer
	Now func() time.Time // nil = time.Now
}

// Emit prints one event as a JSON line.
func (j *JSON) Emit(e artifact.Event) {
	now := time.Now
	if j.Now != nil {
		now = j.Now
	}
	obj := map[string]any{}
	if b, err := json.Marshal(e); err == nil {
		_ = json.Unmarshal(b, &obj)
	}
	obj["event"] = artifact.Kind(e)
	obj["time"] = now().UTC().Format(time.RFC3339Nano)
	line, err := json.Marshal(obj)
	if err != nil {
		line = []byte(fmt.Sprintf(`{"event":%q,"error":%q}`, artifact.Kind(e), err.Error()))
	}
	fmt.Fprintf(j.Out, "%s\n", line)
}

// Bytes formats a size the way `docker images` does (decimal units).
func Bytes(n int64) string { return dockerbuild.HumanSize(n) }

func round(d time.Duration) time.Duration {
	switch {
	case d >= time.Second:
		return d.Round(10 * time.Millisecond)
	case d >= time.Millisecond:
		return d.Round(time.Millisecond)
	default:
		return d.Round(time.Microsecond)
	}
}
