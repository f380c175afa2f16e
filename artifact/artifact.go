package artifact

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/dbaf/dbaf/config"
)

// SchemaVersion is the version of the artifact file format. Bump it when a
// field changes meaning; readers refuse versions they do not know.
const SchemaVersion = 1

// FilePath is where the artifact file lives inside an artifact image.
const FilePath = "/etc/dbaf/artifact.json"

// Artifact is a database artifact, resolved: everything a clone needs, with
// nothing left to discover except the source's latest restorable time. It is
// what the image carries. It holds no secrets.
type Artifact struct {
	SchemaVersion int       `json:"schema_version"`
	Created       time.Time `json:"created"` // from the config, never the build clock: images stay reproducible
	Image         string    `json:"image"`   // the tag the image was built under
	Publisher     string    `json:"publisher_contact,omitempty"`
	Region        string    `json:"region"`
	Account       string    `json:"account,omitempty"`
	// Sandbox: built against the local sandbox account (dbaf --sandbox
	// build), so its clones are made there, and its run line says so.
	Sandbox  bool     `json:"sandbox,omitempty"`
	CloneTTL Duration `json:"clone_ttl,omitempty"`
	Source   Source   `json:"source"`
	Target   Target   `json:"target"`
	// Masking and Hooks run on every clone before the developer's password
	// is set (INI [masking] and [hooks] post_clone).
	Masking []MaskRule `json:"masking,omitempty"`
	Hooks   []Hook     `json:"post_clone_hooks,omitempty"`
}

// MaskRule is one column every clone masks before handover.
type MaskRule struct {
	Column   string `json:"column"`   // schema.table.column
	Strategy string `json:"strategy"` // as masking.Parse reads it: null, redact:4, hash, email, …
}

// Hook is one post-clone SQL file, carried whole in the artifact so the
// image needs nothing beside it and stays reproducible.
type Hook struct {
	Name string `json:"name"` // the path as written in the INI
	SQL  string `json:"sql"`
}

// String is the rule as the INI writes it, for show and the clone summary.
func (r MaskRule) String() string { return r.Column + " = " + r.Strategy }

// Summary names the hook and its length, for show and the clone summary.
func (h Hook) Summary() string {
	n := strings.Count(h.SQL, "\n")
	if h.SQL != "" && !strings.HasSuffix(h.SQL, "\n") {
		n++
	}
	unit := "lines"
	if n == 1 {
		unit = "line"
	}
	return fmt.Sprintf("%s (%d %s of SQL)", h.Name, n, unit)
}

// Source is the cluster an artifact clones.
type Source struct {
	ClusterID          string     `json:"cluster_id"`
	Engine             string     `json:"engine"`
	EngineVersion      string     `json:"engine_version"`
	Port               int32      `json:"port"`
	MasterUsername     string     `json:"master_username"`
	RestoreToTime      *time.Time `json:"restore_to_time,omitempty"`     // nil: latest restorable time
	SnapshotIdentifier string     `json:"snapshot_identifier,omitempty"` // restore from this snapshot instead
}

// Target is where and how the clone runs.
type Target struct {
	InstanceClass      string   `json:"instance_class"`
	SubnetsFrom        string   `json:"subnets_from"`                  // "source" or "list"
	SourceSubnetGroup  string   `json:"source_subnet_group,omitempty"` // when SubnetsFrom is "source"
	VpcID              string   `json:"vpc_id"`
	VpcCIDR            string   `json:"vpc_cidr"`
	Subnets            []Subnet `json:"subnets"`
	AllowedCIDR        string   `json:"allowed_cidr"`
	PubliclyAccessible bool     `json:"publicly_accessible"`
	BackupRetention    int      `json:"backup_retention_days,omitempty"`
	BackupWindow       string   `json:"preferred_backup_window,omitempty"`
	MaintenanceWindow  string   `json:"preferred_maintenance_window,omitempty"`
	Serverless         *Scaling `json:"serverless,omitempty"` // set when InstanceClass is db.serverless
	// ManagedPassword has RDS generate each clone's master password and
	// keep it in Secrets Manager (INI password = secrets-manager).
	ManagedPassword bool `json:"managed_password,omitempty"`
}

// PasswordDescription says who sets a clone's master password: the one
// place that does, for show and the clone summary.
func (t Target) PasswordDescription() string {
	if t.ManagedPassword {
		return "managed by RDS in Secrets Manager: dbaf hands over the secret's ARN and the command that reads it, never the password"
	}
	return "given by the developer at clone time"
}

// Subnet is one subnet the clone may use.
type Subnet struct {
	ID   string `json:"id"`
	AZ   string `json:"az"`
	CIDR string `json:"cidr"`
}

// Scaling is a Serverless v2 capacity range in ACUs.
type Scaling struct {
	Min float64 `json:"min"`
	Max float64 `json:"max"`
}

// Duration is a time.Duration that reads and writes as "72h0m0s" in JSON.
type Duration time.Duration

// MarshalJSON writes the duration as a Go duration string.
func (d Duration) MarshalJSON() ([]byte, error) {
	return json.Marshal(time.Duration(d).String())
}

// UnmarshalJSON reads a Go duration string.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("clone_ttl: want a duration string like \"72h\": %w", err)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("clone_ttl: %w", err)
	}
	*d = Duration(v)
	return nil
}

// OpenToInternet reports whether clones of this target accept connections
// from anywhere (see config.OpenToInternet).
func (t Target) OpenToInternet() bool {
	return config.OpenToInternet(t.AllowedCIDR, t.PubliclyAccessible)
}

// Restore kinds: how a clone is made from the source.
const (
	RestoreCopyOnWrite = "copy-on-write" // shares the source's storage pages until they change
	RestoreFullCopy    = "full-copy"     // a point-in-time restore: every page copied, billed in full
	RestoreSnapshot    = "snapshot"      // restored from a cluster snapshot: a full copy too
)

// RestoreMode is how a clone is made: Kind is one of the Restore constants,
// Description says it in words (and is the one place that does, for show,
// the clone summary, the image label and the stack description).
type RestoreMode struct {
	Kind        string
	Description string
}

// RestoreMode says how this artifact's clones are made.
func (a *Artifact) RestoreMode() RestoreMode { return a.Source.RestoreMode() }

// RestoreMode says how clones of src are made.
func (src Source) RestoreMode() RestoreMode {
	switch {
	case src.SnapshotIdentifier != "":
		return RestoreMode{RestoreSnapshot, "full copy restored from snapshot " + src.SnapshotIdentifier}
	case src.RestoreToTime != nil:
		return RestoreMode{RestoreFullCopy, "full copy as of " + src.RestoreToTime.UTC().Format(time.RFC3339)}
	}
	return RestoreMode{RestoreCopyOnWrite, "copy-on-write at the latest restorable time"}
}
