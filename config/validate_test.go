package config

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

const baseINI = "[source_db]\nsource_db_cluster_id = prod-aurora\n[target_db]\nsubnet_ids = source\ninstance_type = db.r6g.large\n"

func TestValidate(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
	}{
		{"valid", baseINI, nil},
		{"missing section", "[source_db]\nsource_db_cluster_id = a\n", []string{
			`t.ini: [target_db] subnet_ids: missing, and so is the [target_db] section; add a [target_db] section with a line like "subnet_ids = source"`,
			`t.ini: [target_db] instance_type: missing, and so is the [target_db] section; add a [target_db] section with a line like "instance_type = db.r6g.large"`,
		}},
		{"missing key", "[source_db]\nsource_db_cluster_id = a\n[target_db]\ninstance_type = db.r6g.large\n", []string{
			`t.ini: [target_db] subnet_ids: missing; add a line like "subnet_ids = source" under [target_db]`,
		}},
		{"empty value", "[source_db]\nsource_db_cluster_id =   ; fill in\n[target_db]\nsubnet_ids = source\ninstance_type = db.r6g.large\n", []string{
			`t.ini:2: [source_db] source_db_cluster_id: no value; want e.g. "source_db_cluster_id = prod-aurora"`,
		}},
		{"key in the wrong section", "[source_db]\nsource_db_cluster_id = a\ninstance_type = db.r6g.large\n[target_db]\nsubnet_ids = source\n", []string{
			`t.ini: [target_db] instance_type: missing; add a line like "instance_type = db.r6g.large" under [target_db] (line 3 has it under [source_db])`,
		}},
		{"keys in a misspelt section", "[source_db]\nsource_db_cluster_id = a\n[target-db]\nsubnet_ids = source\ninstance_type = db.r6g.large\n", []string{
			`t.ini: [target_db] subnet_ids: missing, and so is the [target_db] section; add a [target_db] section with a line like "subnet_ids = source" (line 4 has it under [target-db])`,
			`t.ini: [target_db] instance_type: missing, and so is the [target_db] section; add a [target_db] section with a line like "instance_type = db.r6g.large" (line 5 has it under [target-db])`,
		}},
		{"key outside any section", "source_db_cluster_id = a\n[target_db]\nsubnet_ids = source\ninstance_type = db.r6g.large\n", []string{
			`t.ini: [source_db] source_db_cluster_id: missing, and so is the [source_db] section; add a [source_db] section with a line like "source_db_cluster_id = prod-aurora" (line 1 has it outside any section)`,
		}},
		{"capacity without db.serverless", baseINI + "serverless_min_capacity = 0\nserverless_max_capacity = 8\n", []string{
			`t.ini:6: [target_db] serverless_min_capacity: only applies when instance_type is db.serverless, not db.r6g.large (line 5); remove serverless_min_capacity or set instance_type = db.serverless`,
			`t.ini:7: [target_db] serverless_max_capacity: only applies when instance_type is db.serverless, not db.r6g.large (line 5); remove serverless_max_capacity or set instance_type = db.serverless`,
		}},
		{"capacity with db.serverless", strings.Replace(baseINI, "db.r6g.large", "db.serverless", 1) + "serverless_min_capacity = 0\nserverless_max_capacity = 8\n", nil},
		{"max below min", strings.Replace(baseINI, "db.r6g.large", "db.serverless", 1) + "serverless_max_capacity = 2\nserverless_min_capacity = 4.5\n", []string{
			`t.ini:6: [target_db] serverless_max_capacity: 2 is less than serverless_min_capacity 4.5 (line 7); the maximum must be at least the minimum`,
		}},
		{"restore time and snapshot", baseINI + "[source_db]\nrestore_to_time = 2026-11-20T10:00:00Z\nsnapshot_identifier = snap\n", []string{
			`t.ini:8: [source_db] snapshot_identifier: cannot be combined with restore_to_time (line 7); keep one: restore_to_time clones the source as it was at a time, snapshot_identifier restores a snapshot`,
		}},
		{"snapshot and restore time", baseINI + "[source_db]\nsnapshot_identifier = snap\nrestore_to_time = 2026-11-20T10:00:00Z\n", []string{
			`t.ini:8: [source_db] restore_to_time: cannot be combined with snapshot_identifier (line 7); keep one: restore_to_time clones the source as it was at a time, snapshot_identifier restores a snapshot`,
		}},
		{"windows overlap", baseINI + "preferred_backup_window = 05:00-05:30\npreferred_maintenance_window = sun:05:15-sun:06:00\n", []string{
			`t.ini:7: [target_db] preferred_maintenance_window: sun:05:15-sun:06:00 overlaps preferred_backup_window 05:00-05:30 (line 6); AWS requires the two windows not to overlap; move one of them`,
		}},
		{"windows overlap across midnight and the week's end", baseINI + "preferred_backup_window = 23:45-00:15\npreferred_maintenance_window = sun:23:30-mon:00:00\n", []string{
			`t.ini:7: [target_db] preferred_maintenance_window: sun:23:30-mon:00:00 overlaps preferred_backup_window 23:45-00:15 (line 6); AWS requires the two windows not to overlap; move one of them`,
		}},
		{"windows touch", baseINI + "preferred_backup_window = 05:00-05:30\npreferred_maintenance_window = sun:05:30-sun:06:00\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := mustParse(t, tt.in)
			err := c.Validate()
			var got []string
			if err != nil {
				got = strings.Split(err.Error(), "\n")
				checkConfigErrors(t, err)
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestValidateWithoutFile(t *testing.T) {
	err := (&Config{}).Validate()
	want := `[source_db] source_db_cluster_id: missing; add a line like "source_db_cluster_id = prod-aurora" under [source_db]
[target_db] subnet_ids: missing; add a line like "subnet_ids = source" under [target_db]
[target_db] instance_type: missing; add a line like "instance_type = db.r6g.large" under [target_db]`
	if err == nil || err.Error() != want {
		t.Errorf("got\n%v\nwant\n%s", err, want)
	}
}

// Fields set by code (the wizard) get the same checks as the file.
func TestValidateFieldsSetInCode(t *testing.T) {
	future := time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	c := &Config{
		SourceClusterID:       "prod-aurora",
		Subnets:               Subnets{Source: true, IDs: []string{"subnet-0a1b2c3d", "subnet-4e5f6a7b"}},
		InstanceClass:         "db.serverless",
		AllowedCIDR:           "10.1.2.3/8",
		RestoreToTime:         &future,
		ServerlessMinCapacity: math.NaN(),
		CloneTTL:              -time.Hour,
		BackupRetentionDays:   -1,
	}
	err := c.Validate()
	want := []string{
		`[source_db] restore_to_time: "10000-01-01T00:00:00Z" is not an RFC 3339 time; want e.g. 2026-11-20T10:00:00Z (UTC) or 2026-11-20T12:00:00+02:00`,
		`[target_db] allowed_cidr: "10.1.2.3/8" has host bits set; did you mean 10.0.0.0/8?`,
		`[target_db] backup_retention_days: "-1" is not a whole number; want a whole number of days from 1 to 35`,
		`[target_db] serverless_min_capacity: "NaN" is not a number of ACUs; want ACUs from 0 to 256 in steps of 0.5, e.g. 0.5`,
		`[artifact] clone_ttl: "-1h0m0s" is shorter than the minimum, 1h: clones would expire almost at once; want a duration like 72h, 3d or 1d12h, at least 1h and at most 365d`,
		`[target_db] subnet_ids: both "source" and subnet ids are set; use the source cluster's subnet group or a list of subnets, not both`,
	}
	if err == nil || err.Error() != strings.Join(want, "\n") {
		t.Errorf("got\n%v\nwant\n%s", err, strings.Join(want, "\n"))
	}
	var e *Error
	if !errors.As(err, &e) || e.Key != "restore_to_time" || e.File != "" {
		t.Errorf("errors.As: %#v", e)
	}
}

func TestOpenToInternet(t *testing.T) {
	yes, no := true, false
	for _, tt := range []struct {
		cidr   string
		public *bool
		want   bool
	}{
		{"0.0.0.0/0", &yes, true},
		{"::/0", &yes, true},
		{"0.0.0.0/0", &no, false},
		{"0.0.0.0/0", nil, false},
		{"10.0.0.0/16", &yes, false},
		{"", &yes, false}, // the VPC's CIDR by default
	} {
		c := &Config{AllowedCIDR: tt.cidr, PubliclyAccessible: tt.public}
		if got := c.OpenToInternet(); got != tt.want {
			t.Errorf("%q public=%v: OpenToInternet = %v, want %v", tt.cidr, tt.public, got, tt.want)
		}
	}
}
