package config

import (
	"strings"
	"testing"
)

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"abc", "abc", 0}, {"instanse_type", "instance_type", 1},
		{"kitten", "sitting", 3}, {"é", "e", 1}, {"", "abc", 3},
		{strings.Repeat("x", 1000), "image_tag", maxEditInput}, {"\xff", "a", maxEditInput},
	}
	for _, tt := range tests {
		if got := editDistance(tt.a, tt.b); got != tt.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestNearestKey(t *testing.T) {
	tests := []struct{ section, key, want string }{
		{secTarget, "instance_typ", "instance_type"},
		{secTarget, "Instance-Type", "instance_type"},
		{secTarget, "instance_class", "instance_type"},
		{secTarget, "subnets", "subnet_ids"},
		{secSource, "source_cluster", "source_db_cluster_id"},
		{secSource, "cluster-id", "source_db_cluster_id"},
		{secArtifact, "ttl", "clone_ttl"},
		{secArtifact, "tag", "image_tag"},
		{secTarget, "backup_window", "preferred_backup_window"},
		{secTarget, "serverless_min_capacty", "serverless_min_capacity"},
		{secTarget, "serverless_max_capacty", "serverless_max_capacity"},
		{secSource, "regoin", "region"},
		{secArtifact, "xyzzy", ""},
	}
	for _, tt := range tests {
		got := ""
		if sp := nearestKey(tt.section, tt.key); sp != nil {
			got = sp.name
		}
		if got != tt.want {
			t.Errorf("nearestKey(%s, %q) = %q, want %q", tt.section, tt.key, got, tt.want)
		}
	}
}

func TestNearestSection(t *testing.T) {
	tests := []struct{ name, want string }{
		{"target", secTarget}, {"Target-DB", secTarget}, {"sourcedb", secSource}, {"source_bd", secSource},
		{"artefact", secArtifact}, {"artifacts", secArtifact}, {"DEFAULT", ""}, {"misc", ""},
	}
	for _, tt := range tests {
		if got := nearestSection(tt.name); got != tt.want {
			t.Errorf("nearestSection(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}
