// Package config owns the artifact INI file: parsing it (the original tool's
// format is valid input), validating every value with errors that name the
// file, line, section and key, and writing it back.
package config

import (
	"net/netip"
	"strings"
	"time"
)

// DefaultFile is the artifact INI that `dbaf build` reads, and the wizard
// writes, when given no path.
const DefaultFile = "artifact_config.ini"

// The values of the password key: who sets a clone's master password.
const (
	PasswordSecretsManager = "secrets-manager" // RDS generates it and keeps it in Secrets Manager
	PasswordDeveloper      = "developer"       // the developer gives one at clone time (the default)
)

// ServerlessClass is the instance class of an Aurora Serverless v2 instance.
const ServerlessClass = "db.serverless"

// DefaultImageTag is the tag an artifact image gets when the INI names none.
const DefaultImageTag = "db-artifact:latest"

// Config is one artifact INI file, parsed. Zero values mean "not set".
type Config struct {
	// Path is the file the config was read from ("" when built in memory).
	Path string

	// [source_db]
	SourceClusterID    string     // source_db_cluster_id (required)
	Region             string     // region
	RestoreToTime      *time.Time // restore_to_time (RFC 3339); nil = latest restorable time
	SnapshotIdentifier string     // snapshot_identifier

	// [target_db]
	Subnets               Subnets // subnet_ids (required)
	InstanceClass         string  // instance_type (required)
	AllowedCIDR           string  // allowed_cidr
	PubliclyAccessible    *bool   // publicly_accessible
	BackupRetentionDays   int     // backup_retention_days
	BackupWindow          string  // preferred_backup_window, hh24:mi-hh24:mi
	MaintenanceWindow     string  // preferred_maintenance_window, ddd:hh24:mi-ddd:hh24:mi
	ServerlessMinCapacity float64 // serverless_min_capacity (ACUs)
	ServerlessMaxCapacity float64 // serverless_max_capacity (ACUs)
	ManagedPassword       bool    // password = secrets-manager

	// [artifact]
	ImageTag         string        // image_tag
	PublisherContact string        // publisher_contact
	CloneTTL         time.Duration // clone_ttl, Go duration or "3d"

	// [masking]: schema.table.column = strategy, in the order written
	// (the artifact keeps it, so the same file gives the same image).
	Masking []MaskRule

	// [hooks]
	PostClone []string // post_clone: SQL files, relative to the INI's directory (see ReadHooks)

	// src remembers where values came from, so Validate can cite lines.
	src source
}

// source is the bookkeeping Parse and Set keep beside the values. Its maps
// are replaced, never modified in place, so copies of a Config do not
// share changes.
type source struct {
	file     string            // name for messages (Parse's name, Load's path)
	line     map[string]int    // key -> line it was set on; 0 when set by Set
	empty    map[string]int    // key -> line where it is written with no value
	sections map[string]int    // known section -> line of its first header
	stray    map[string]string // key -> where the file has it outside its section
}

// has reports whether key was given a value by the file or by Set.
func (s source) has(key string) bool {
	_, ok := s.line[key]
	return ok
}

// Subnets is the subnet_ids value: either the source cluster's own subnet
// group ("source") or an explicit list of subnet ids.
type Subnets struct {
	Source bool
	IDs    []string
}

// OpenToInternet reports whether a clone with these settings takes
// connections from anywhere: a public address and an allowed CIDR of /0.
// Build warns about it and the wizard asks for confirmation.
func OpenToInternet(allowedCIDR string, publiclyAccessible bool) bool {
	if !publiclyAccessible {
		return false
	}
	p, err := netip.ParsePrefix(strings.TrimSpace(allowedCIDR))
	return err == nil && p.Bits() == 0
}

// OpenToInternetWarning says what OpenToInternet means, for the build
// stream and the wizard's review.
const OpenToInternetWarning = "allowed_cidr 0.0.0.0/0 with publicly_accessible = true lets anyone on the internet reach every clone's database port: narrow allowed_cidr to your network unless that is really meant"

// OpenToInternet is OpenToInternet of c's own values (an unset
// allowed_cidr defaults to the VPC's CIDR, which is never open).
func (c *Config) OpenToInternet() bool {
	return c.PubliclyAccessible != nil && OpenToInternet(c.AllowedCIDR, *c.PubliclyAccessible)
}
