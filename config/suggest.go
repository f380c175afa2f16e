package config

import (
	"strings"
	"unicode/utf8"
)

// normalizeName folds the spellings people use for the same key: case,
// hyphens (as in the --flags), dots and spaces.
func normalizeName(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '-', '.', ' ':
			return '_'
		}
		return r
	}, strings.ToLower(strings.TrimSpace(s)))
}

// alias maps names that mean a key but are too far from it for edit
// distance: the --flag names, the Config field names and the AWS API names.
func alias(norm string) string {
	switch norm {
	case "source_cluster", "source_cluster_id", "source_db_cluster", "cluster_id", "cluster",
		"db_cluster_identifier", "source_db_cluster_identifier", "sourceclusterid":
		return "source_db_cluster_id"
	case "aws_region", "region_name":
		return "region"
	case "restore_time", "point_in_time", "restoretotime":
		return "restore_to_time"
	case "snapshot", "snapshot_id", "snapshot_name", "db_cluster_snapshot_identifier":
		return "snapshot_identifier"
	case "subnets", "subnet", "subnet_id", "subnet_group", "db_subnet_group":
		return "subnet_ids"
	case "instance_class", "db_instance_class", "instanceclass", "class", "instance":
		return "instance_type"
	case "cidr", "allowed_cidrs", "ingress_cidr", "allowedcidr":
		return "allowed_cidr"
	case "public", "publiclyaccessible":
		return "publicly_accessible"
	case "backup_retention", "backup_retention_period", "retention_days", "backupretentiondays":
		return "backup_retention_days"
	case "backup_window", "backupwindow":
		return "preferred_backup_window"
	case "maintenance_window", "maintenancewindow":
		return "preferred_maintenance_window"
	case "min_capacity", "serverless_min", "min_acu", "serverlessmincapacity":
		return "serverless_min_capacity"
	case "max_capacity", "serverless_max", "max_acu", "serverlessmaxcapacity":
		return "serverless_max_capacity"
	case "tag", "image", "image_name", "imagetag":
		return "image_tag"
	case "contact", "publisher", "owner", "publishercontact":
		return "publisher_contact"
	case "ttl", "expiry", "expires", "clonettl":
		return "clone_ttl"
	case "clone_password", "master_password", "master_user_password", "managed_password", "manage_master_user_password", "managedpassword":
		return "password"
	}
	return ""
}

// nearestKey finds the key an unknown name most likely means, preferring
// the given section, and returns "" when nothing is close.
func nearestKey(section, key string) *keySpec {
	norm := normalizeName(key)
	if sp := spec(norm); sp != nil {
		return sp
	}
	if a := alias(norm); a != "" {
		return spec(a)
	}
	var best *keySpec
	bestD := 0
	// Two passes so a close key in the same section beats an equally close
	// one elsewhere.
	for pass := 0; pass < 2 && best == nil; pass++ {
		for i := range keys {
			sp := &keys[i]
			if (sp.section == section) != (pass == 0) {
				continue
			}
			if d := editDistance(norm, sp.name); near(d, sp.name) && (best == nil || d < bestD) {
				best, bestD = sp, d
			}
		}
	}
	return best
}

// keySuggestion is the tail of an unknown-key warning.
func keySuggestion(section, key string) string {
	sp := nearestKey(section, key)
	switch {
	case sp == nil && section != "":
		names := make([]string, 0, len(keys))
		for _, k := range keys {
			if k.section == section {
				names = append(names, k.name)
			}
		}
		return "; [" + section + "] keys are " + strings.Join(names, ", ")
	case sp == nil:
		return ""
	case sp.section == section:
		return "; did you mean " + sp.name + "?"
	}
	return "; did you mean " + sp.name + " (in [" + sp.section + "])?"
}

// nearestSection names the known section an unknown header most likely
// means, or "".
func nearestSection(name string) string {
	norm := normalizeName(name)
	switch norm {
	case "source", "source_database", "sourcedb", "src":
		return secSource
	case "target", "target_database", "targetdb", "clone", "dest", "destination":
		return secTarget
	case "image", "docker", "artefact":
		return secArtifact
	}
	best, bestD := "", 0
	for _, s := range sectionNames {
		if d := editDistance(norm, s); near(d, s) && (best == "" || d < bestD) {
			best, bestD = s, d
		}
	}
	return best
}

// near accepts typos (two edits) and, for long names, up to a third of
// the name: "source_cluster" still finds source_db_cluster_id.
func near(d int, target string) bool { return d <= 2 || 3*d <= len(target) }

// maxEditInput bounds the work for absurd names; nothing that long is a
// typo of a 28-character key.
const maxEditInput = 100

// editDistance is the Levenshtein distance between a and b, in runes.
func editDistance(a, b string) int {
	if len(a) > maxEditInput || !utf8.ValidString(a) {
		return maxEditInput
	}
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
