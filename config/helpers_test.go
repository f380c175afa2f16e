package config

import (
	"fmt"
	"reflect"
	"slices"
	"time"
)

// configDiff compares the values two configs carry (not Path or the
// bookkeeping); times compare as instants. It returns "" when they match.
func configDiff(a, b *Config) string {
	var diffs []string
	add := func(name string, x, y any) {
		if !reflect.DeepEqual(x, y) {
			diffs = append(diffs, fmt.Sprintf("%s: %#v != %#v", name, x, y))
		}
	}
	add("SourceClusterID", a.SourceClusterID, b.SourceClusterID)
	add("Region", a.Region, b.Region)
	switch {
	case (a.RestoreToTime == nil) != (b.RestoreToTime == nil):
		add("RestoreToTime", a.RestoreToTime, b.RestoreToTime)
	case a.RestoreToTime != nil && !a.RestoreToTime.Equal(*b.RestoreToTime):
		add("RestoreToTime", a.RestoreToTime.Format(time.RFC3339Nano), b.RestoreToTime.Format(time.RFC3339Nano))
	}
	add("SnapshotIdentifier", a.SnapshotIdentifier, b.SnapshotIdentifier)
	add("Subnets.Source", a.Subnets.Source, b.Subnets.Source)
	if !slices.Equal(a.Subnets.IDs, b.Subnets.IDs) {
		add("Subnets.IDs", a.Subnets.IDs, b.Subnets.IDs)
	}
	add("InstanceClass", a.InstanceClass, b.InstanceClass)
	add("AllowedCIDR", a.AllowedCIDR, b.AllowedCIDR)
	add("PubliclyAccessible", a.PubliclyAccessible, b.PubliclyAccessible)
	add("BackupRetentionDays", a.BackupRetentionDays, b.BackupRetentionDays)
	add("BackupWindow", a.BackupWindow, b.BackupWindow)
	add("MaintenanceWindow", a.MaintenanceWindow, b.MaintenanceWindow)
	add("ServerlessMinCapacity", a.ServerlessMinCapacity, b.ServerlessMinCapacity)
	add("ServerlessMaxCapacity", a.ServerlessMaxCapacity, b.ServerlessMaxCapacity)
	add("ManagedPassword", a.ManagedPassword, b.ManagedPassword)
	add("ImageTag", a.ImageTag, b.ImageTag)
	add("PublisherContact", a.PublisherContact, b.PublisherContact)
	add("CloneTTL", a.CloneTTL, b.CloneTTL)
	add("Masking", stripLines(a.Masking), stripLines(b.Masking))
	if !slices.Equal(a.PostClone, b.PostClone) {
		add("PostClone", a.PostClone, b.PostClone)
	}
	add("IsSet(serverless_min_capacity)", a.IsSet("serverless_min_capacity"), b.IsSet("serverless_min_capacity"))
	return fmt.Sprint(diffs)[1 : len(fmt.Sprint(diffs))-1]
}

// stripLines drops the file lines rules carry, to compare what they say.
func stripLines(rules []MaskRule) []MaskRule {
	var out []MaskRule
	for _, r := range rules {
		out = append(out, MaskRule{Column: r.Column, Strategy: r.Strategy})
	}
	return out
}
