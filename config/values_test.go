package config

import (
	"strings"
	"testing"
	"time"
)

// badValues are checked twice: in a file (message with file and line) and
// through Set (the same message without them), since both must agree.
var badValues = []struct{ key, value, want string }{
	{"source_db_cluster_id", "prod_aurora", `"prod_aurora" is not a DB cluster identifier: "_" is not allowed; want 1-63 letters, digits and hyphens, starting with a letter, with no "--" and no hyphen at the end, e.g. prod-aurora`},
	{"source_db_cluster_id", "1prod", `"1prod" is not a DB cluster identifier: it must start with a letter; want 1-63 letters, digits and hyphens, starting with a letter, with no "--" and no hyphen at the end, e.g. prod-aurora`},
	{"source_db_cluster_id", "prod--aurora", `"prod--aurora" is not a DB cluster identifier: it contains "--"; want 1-63 letters, digits and hyphens, starting with a letter, with no "--" and no hyphen at the end, e.g. prod-aurora`},
	{"source_db_cluster_id", "prod-", `"prod-" is not a DB cluster identifier: it ends with a hyphen; want 1-63 letters, digits and hyphens, starting with a letter, with no "--" and no hyphen at the end, e.g. prod-aurora`},
	{"source_db_cluster_id", strings.Repeat("a", 64), `"` + strings.Repeat("a", 64) + `" is not a DB cluster identifier: it is 64 characters long; at most 63; want 1-63 letters, digits and hyphens, starting with a letter, with no "--" and no hyphen at the end, e.g. prod-aurora`},
	{"region", "eu-west", `"eu-west" is not an AWS region; want a region code like us-east-1, eu-west-1 or ap-southeast-2`},
	{"region", "EU-WEST-1", `"EU-WEST-1" is not an AWS region; did you mean eu-west-1? want a region code like us-east-1, eu-west-1 or ap-southeast-2`},
	{"restore_to_time", "2026-11-20 10:00:00", `"2026-11-20 10:00:00" is not an RFC 3339 time; did you mean 2026-11-20T10:00:00Z? want e.g. 2026-11-20T10:00:00Z (UTC) or 2026-11-20T12:00:00+02:00`},
	{"restore_to_time", "yesterday", `"yesterday" is not an RFC 3339 time; want e.g. 2026-11-20T10:00:00Z (UTC) or 2026-11-20T12:00:00+02:00`},
	{"snapshot_identifier", "my_snap", `"my_snap" is not a cluster snapshot identifier: "_" is not allowed; want a snapshot name like prod-aurora-snap, rds:prod-aurora-2026-11-20-03-00, or a cluster-snapshot ARN`},
	{"snapshot_identifier", "arn:aws:rds:eu-west-1:123:cluster-snapshot:s", `"arn:aws:rds:eu-west-1:123:cluster-snapshot:s" is not a cluster snapshot identifier: it is not a cluster-snapshot ARN; want a snapshot name like prod-aurora-snap, rds:prod-aurora-2026-11-20-03-00, or a cluster-snapshot ARN`},
	{"subnet_ids", "subnet-1", `"subnet-1" is not a subnet id; want "source" or two or more ids like subnet-0a1b2c3d, separated by commas`},
	{"subnet_ids", "subnet-0a1b2c3d", `"subnet-0a1b2c3d" is a single subnet; Aurora needs subnets in at least two availability zones; want "source" or two or more ids like subnet-0a1b2c3d, separated by commas`},
	{"subnet_ids", "subnet-0a1b2c3d, subnet-0a1b2c3d", `"subnet-0a1b2c3d" is listed twice; want "source" or two or more ids like subnet-0a1b2c3d, separated by commas`},
	{"subnet_ids", "subnet-0a1b2c3d,,subnet-4e5f6a7b", `"subnet-0a1b2c3d,,subnet-4e5f6a7b" has an empty entry between commas; want "source" or two or more ids like subnet-0a1b2c3d, separated by commas`},
	{"subnet_ids", "subnet-0a1b2c3d subnet-4e5f6a7b", `"subnet-0a1b2c3d subnet-4e5f6a7b" is not a subnet id; want "source" or two or more ids like subnet-0a1b2c3d, separated by commas`},
	{"subnet_ids", "subnet-0A1B2C3D, subnet-4e5f6a7b", `"subnet-0A1B2C3D" is not a subnet id; subnet ids are lower case; want "source" or two or more ids like subnet-0a1b2c3d, separated by commas`},
	{"instance_type", "r6g.large", `"r6g.large" is not an instance class; did you mean db.r6g.large? want db.serverless or db.<family>.<size>, e.g. db.r6g.large, db.t4g.medium, db.r7g.2xlarge`},
	{"instance_type", "DB.Serverless", `"DB.Serverless" is not an instance class; did you mean db.serverless? want db.serverless or db.<family>.<size>, e.g. db.r6g.large, db.t4g.medium, db.r7g.2xlarge`},
	{"instance_type", "large", `"large" is not an instance class; want db.serverless or db.<family>.<size>, e.g. db.r6g.large, db.t4g.medium, db.r7g.2xlarge`},
	{"allowed_cidr", "10.0.0.1/16", `"10.0.0.1/16" has host bits set; did you mean 10.0.0.0/16?`},
	{"allowed_cidr", "10.0.0.5", `"10.0.0.5" is an address, not a CIDR block; did you mean 10.0.0.5/32? want an IPv4 CIDR block like 10.0.0.0/16 (one address is 10.0.0.5/32)`},
	{"allowed_cidr", "10.0.0.0/33", `"10.0.0.0/33" is not a CIDR block; want an IPv4 CIDR block like 10.0.0.0/16 (one address is 10.0.0.5/32)`},
	{"allowed_cidr", "fd00::/8", `"fd00::/8" is not IPv4; want an IPv4 CIDR block like 10.0.0.0/16 (one address is 10.0.0.5/32)`},
	{"publicly_accessible", "maybe", `"maybe" is not true or false; want true or false (yes/no and 1/0 work too)`},
	{"backup_retention_days", "0", `"0" is out of range; want a whole number of days from 1 to 35`},
	{"backup_retention_days", "36", `"36" is out of range; want a whole number of days from 1 to 35`},
	{"backup_retention_days", "99999999999999999999", `"99999999999999999999" is out of range; want a whole number of days from 1 to 35`},
	{"backup_retention_days", "7d", `"7d" is not a whole number; want a whole number of days from 1 to 35`},
	{"preferred_backup_window", "3:00-3:30", `"3:00-3:30" is not a time window; want hh24:mi-hh24:mi in UTC, at least 30 minutes long, e.g. 03:00-03:30`},
	{"preferred_backup_window", "03:00-03:15", `"03:00-03:15" is only 15 minutes long; want hh24:mi-hh24:mi in UTC, at least 30 minutes long, e.g. 03:00-03:30`},
	{"preferred_backup_window", "03:00-03:00", `"03:00-03:00" is only 0 minutes long; want hh24:mi-hh24:mi in UTC, at least 30 minutes long, e.g. 03:00-03:30`},
	{"preferred_backup_window", "24:00-24:30", `"24:00-24:30" has a time that does not exist; want hh24:mi-hh24:mi in UTC, at least 30 minutes long, e.g. 03:00-03:30`},
	{"preferred_maintenance_window", "sun:05:00-sun:05:10", `"sun:05:00-sun:05:10" is only 10 minutes long; want ddd:hh24:mi-ddd:hh24:mi in UTC, at least 30 minutes long, e.g. sun:05:00-sun:05:30`},
	{"preferred_maintenance_window", "sunday 05:00", `"sunday 05:00" is not a weekly time window; want ddd:hh24:mi-ddd:hh24:mi in UTC, at least 30 minutes long, e.g. sun:05:00-sun:05:30`},
	{"preferred_maintenance_window", "sno:05:00-sun:06:00", `"sno:05:00-sun:06:00" has a day that is not mon, tue, wed, thu, fri, sat or sun; want ddd:hh24:mi-ddd:hh24:mi in UTC, at least 30 minutes long, e.g. sun:05:00-sun:05:30`},
	{"preferred_maintenance_window", "sun:05:60-sun:06:30", `"sun:05:60-sun:06:30" has a time that does not exist; want ddd:hh24:mi-ddd:hh24:mi in UTC, at least 30 minutes long, e.g. sun:05:00-sun:05:30`},
	{"serverless_min_capacity", "0.25", `"0.25" is not a multiple of 0.5; want ACUs from 0 to 256 in steps of 0.5, e.g. 0.5`},
	{"serverless_min_capacity", "300", `"300" is out of range; want ACUs from 0 to 256 in steps of 0.5, e.g. 0.5`},
	{"serverless_min_capacity", "-1", `"-1" is not a number of ACUs; want ACUs from 0 to 256 in steps of 0.5, e.g. 0.5`},
	{"serverless_min_capacity", "NaN", `"NaN" is not a number of ACUs; want ACUs from 0 to 256 in steps of 0.5, e.g. 0.5`},
	{"serverless_max_capacity", "0.5", `"0.5" is out of range; want ACUs from 1 to 256 in steps of 0.5, e.g. 16`},
	{"serverless_max_capacity", "1e2", `"1e2" is not a number of ACUs; want ACUs from 1 to 256 in steps of 0.5, e.g. 16`},
	{"image_tag", "Db-Artifact", "\"Db-Artifact\" is not a Docker image tag: repository can only contain the characters `abcdefghijklmnopqrstuvwxyz0123456789_-./`; want e.g. db-artifact:latest or registry.example.com/team/db-artifact:v1"},
	{"image_tag", "db-artifact@sha256:0123", `"db-artifact@sha256:0123" is a digest reference, not a tag; an image is built under a tag; want e.g. db-artifact:latest`},
	{"image_tag", "db-artifact:v1:v2", "\"db-artifact:v1:v2\" is not a Docker image tag: repository can only contain the characters `abcdefghijklmnopqrstuvwxyz0123456789_-./`; want e.g. db-artifact:latest or registry.example.com/team/db-artifact:v1"},
	{"image_tag", "db-artifact:", "\"db-artifact:\" is not a Docker image tag: db-artifact: must specify a tag name after the colon; want e.g. db-artifact:latest or registry.example.com/team/db-artifact:v1"},
	{"publisher_contact", strings.Repeat("é", 257), "is 257 characters long; at most 256; want one line of text, e.g. dataops@example.com or #dataops on Slack"},
	// Never quoted back: it may be a real password written by mistake.
	{"password", "hunter2-Real", "is not a way to set the password; want secrets-manager or developer; the password itself is never written in the artifact"},
	{"clone_ttl", "0s", `"0s" is shorter than the minimum, 1h: clones would expire almost at once; want a duration like 72h, 3d or 1d12h, at least 1h and at most 365d`},
	{"clone_ttl", "-1h", `"-1h" is shorter than the minimum, 1h: clones would expire almost at once; want a duration like 72h, 3d or 1d12h, at least 1h and at most 365d`},
	{"clone_ttl", "1ns", `"1ns" is shorter than the minimum, 1h: clones would expire almost at once; want a duration like 72h, 3d or 1d12h, at least 1h and at most 365d`},
	{"clone_ttl", "59m59s", `"59m59s" is shorter than the minimum, 1h: clones would expire almost at once; want a duration like 72h, 3d or 1d12h, at least 1h and at most 365d`},
	{"clone_ttl", "366d", `"366d" is longer than 365d; want a duration like 72h, 3d or 1d12h, at least 1h and at most 365d`},
	{"clone_ttl", "3 days", `"3 days" is not a duration; want a duration like 72h, 3d or 1d12h, at least 1h and at most 365d`},
	{"clone_ttl", "1d-1h", `"1d-1h" is not a duration; want a duration like 72h, 3d or 1d12h, at least 1h and at most 365d`},
	{"clone_ttl", "1d2562047h", `"1d2562047h" is longer than 365d; want a duration like 72h, 3d or 1d12h, at least 1h and at most 365d`},
	{"clone_ttl", "99999d", `"99999d" is not a duration; want a duration like 72h, 3d or 1d12h, at least 1h and at most 365d`},
}

func TestBadValuesInFile(t *testing.T) {
	for _, tt := range badValues {
		t.Run(tt.key+"="+tt.value, func(t *testing.T) {
			sp := spec(tt.key)
			in := "; comment\n[" + sp.section + "]\n" + tt.key + " = " + tt.value + "   ; why\n"
			_, _, err := Parse("t.ini", []byte(in))
			want := "t.ini:3: [" + sp.section + "] " + tt.key + ": " + tt.want
			if err == nil || err.Error() != want {
				t.Errorf("got\n%v\nwant\n%s", err, want)
			}
		})
	}
}

func TestSetBadValues(t *testing.T) {
	for _, tt := range badValues {
		t.Run(tt.key+"="+tt.value, func(t *testing.T) {
			c := &Config{InstanceClass: "db.r6g.large"}
			before, wasSet := *c, c.IsSet(tt.key)
			err := c.Set(tt.key, tt.value)
			want := "[" + spec(tt.key).section + "] " + tt.key + ": " + tt.want
			if err == nil || err.Error() != want {
				t.Errorf("got\n%v\nwant\n%s", err, want)
			}
			if d := configDiff(c, &before); d != "" || c.IsSet(tt.key) != wasSet {
				t.Errorf("a failed Set changed the config: %s", d)
			}
		})
	}
}

func TestSetEveryKey(t *testing.T) {
	restore := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	tests := []struct {
		key, value string
		check      func(*Config) bool
		written    string // the value as Write renders it
	}{
		{"source_db_cluster_id", "prod-aurora", func(c *Config) bool { return c.SourceClusterID == "prod-aurora" }, "prod-aurora"},
		{"region", " us-gov-west-1 ", func(c *Config) bool { return c.Region == "us-gov-west-1" }, "us-gov-west-1"},
		{"restore_to_time", "2026-11-20T10:00:00+02:00", func(c *Config) bool { return c.RestoreToTime.Equal(restore) }, "2026-11-20T08:00:00Z"},
		{"snapshot_identifier", "rds:prod-aurora-2026-11-20-03-00", func(c *Config) bool { return c.SnapshotIdentifier == "rds:prod-aurora-2026-11-20-03-00" }, "rds:prod-aurora-2026-11-20-03-00"},
		{"snapshot_identifier", "arn:aws:rds:eu-west-1:123456789012:cluster-snapshot:s1", func(c *Config) bool { return strings.HasPrefix(c.SnapshotIdentifier, "arn:") }, "arn:aws:rds:eu-west-1:123456789012:cluster-snapshot:s1"},
		{"subnet_ids", "Source", func(c *Config) bool { return c.Subnets.Source && c.Subnets.IDs == nil }, "source"},
		{"subnet_ids", "subnet-0a1b2c3d,subnet-4e5f6a7b8c9d0e1f2", func(c *Config) bool {
			return !c.Subnets.Source && strings.Join(c.Subnets.IDs, " ") == "subnet-0a1b2c3d subnet-4e5f6a7b8c9d0e1f2"
		}, "subnet-0a1b2c3d, subnet-4e5f6a7b8c9d0e1f2"},
		{"instance_type", "db.r7g.2xlarge", func(c *Config) bool { return c.InstanceClass == "db.r7g.2xlarge" }, "db.r7g.2xlarge"},
		{"allowed_cidr", "192.168.0.0/24", func(c *Config) bool { return c.AllowedCIDR == "192.168.0.0/24" }, "192.168.0.0/24"},
		{"publicly_accessible", "YES", func(c *Config) bool { return *c.PubliclyAccessible }, "true"},
		{"publicly_accessible", "0", func(c *Config) bool { return !*c.PubliclyAccessible }, "false"},
		{"backup_retention_days", "35", func(c *Config) bool { return c.BackupRetentionDays == 35 }, "35"},
		{"preferred_backup_window", "23:45-00:15", func(c *Config) bool { return c.BackupWindow == "23:45-00:15" }, "23:45-00:15"},
		{"preferred_maintenance_window", "SUN:23:50-Mon:00:20", func(c *Config) bool { return c.MaintenanceWindow == "sun:23:50-mon:00:20" }, "sun:23:50-mon:00:20"},
		{"serverless_min_capacity", "0", func(c *Config) bool { return c.ServerlessMinCapacity == 0 && c.IsSet("serverless_min_capacity") }, "0"},
		{"serverless_min_capacity", "0.50", func(c *Config) bool { return c.ServerlessMinCapacity == 0.5 }, "0.5"},
		{"serverless_max_capacity", "256", func(c *Config) bool { return c.ServerlessMaxCapacity == 256 }, "256"},
		{"password", "SECRETS_MANAGER", func(c *Config) bool { return c.ManagedPassword }, "secrets-manager"},
		{"image_tag", "localhost:5000/db-artifact", func(c *Config) bool { return c.ImageTag == "localhost:5000/db-artifact" }, "localhost:5000/db-artifact"},
		{"publisher_contact", "#dataops; pager 555", func(c *Config) bool { return c.PublisherContact == "#dataops; pager 555" }, "`#dataops; pager 555`"},
		{"publisher_contact", "`x` #y", func(c *Config) bool { return c.PublisherContact == "`x` #y" }, "\"\"\"`x` #y\"\"\""},
		{"clone_ttl", "72h", func(c *Config) bool { return c.CloneTTL == 72*time.Hour }, "3d"},
		{"clone_ttl", "1d12h30m", func(c *Config) bool { return c.CloneTTL == 36*time.Hour+30*time.Minute }, "1d12h30m"},
		{"clone_ttl", "90m", func(c *Config) bool { return c.CloneTTL == 90*time.Minute }, "1h30m"},
		{"clone_ttl", "365d", func(c *Config) bool { return c.CloneTTL == 365*24*time.Hour }, "365d"},
		{"CLONE_TTL", "2d", func(c *Config) bool { return c.CloneTTL == 48*time.Hour }, "2d"},
	}
	for _, tt := range tests {
		t.Run(tt.key+"="+tt.value, func(t *testing.T) {
			c := &Config{}
			if err := c.Set(tt.key, tt.value); err != nil {
				t.Fatal(err)
			}
			if !tt.check(c) {
				t.Errorf("field not set: %+v", c)
			}
			key := strings.ToLower(tt.key)
			if !c.IsSet(key) {
				t.Errorf("IsSet(%s) = false", key)
			}
			var b strings.Builder
			if err := c.Write(&b); err != nil {
				t.Fatal(err)
			}
			if line := key + " = " + tt.written + "\n"; !strings.Contains(b.String(), line) {
				t.Errorf("Write lacks %q:\n%s", line, b.String())
			}
			back, _, err := Parse("w.ini", []byte(b.String()))
			if err != nil {
				t.Fatalf("written file does not parse: %v\n%s", err, b.String())
			}
			if d := configDiff(c, back); d != "" {
				t.Errorf("round trip: %s", d)
			}
			if err := c.Set(tt.key, " "); err != nil || c.IsSet(key) {
				t.Errorf("Set to empty does not clear: %v", err)
			}
		})
	}
}

func TestSetUnknownKey(t *testing.T) {
	tests := []struct{ key, want string }{
		{"instance-class", "instance-class: unknown key; did you mean instance_type? the keys are " + allKeyNames()},
		{"colour", "colour: unknown key; the keys are " + allKeyNames()},
		{"master_password", "master_password: unknown key; did you mean password? the keys are " + allKeyNames()},
	}
	for _, tt := range tests {
		err := (&Config{}).Set(tt.key, "x")
		if err == nil || err.Error() != tt.want {
			t.Errorf("got\n%v\nwant\n%s", err, tt.want)
		}
	}
}

// A flag overriding a file value must not be blamed on the file's line.
func TestSetForgetsFileLine(t *testing.T) {
	c, _ := mustParse(t, "[source_db]\nsource_db_cluster_id = a\n[target_db]\nsubnet_ids = source\ninstance_type = db.serverless\nserverless_min_capacity = 2\n")
	copyBefore := *c
	if err := c.Set("instance_type", "db.r6g.large"); err != nil {
		t.Fatal(err)
	}
	want := "t.ini:6: [target_db] serverless_min_capacity: only applies when instance_type is db.serverless, not db.r6g.large; remove serverless_min_capacity or set instance_type = db.serverless"
	if err := c.Validate(); err == nil || err.Error() != want {
		t.Errorf("got\n%v\nwant\n%s", err, want)
	}
	if copyBefore.src.line["instance_type"] != 5 || copyBefore.Validate() != nil {
		t.Errorf("Set changed a copy made before it")
	}
}

// TestIsRegion: the one region pattern, for the INI and --region alike.
func TestIsRegion(t *testing.T) {
	for _, r := range []string{"eu-west-1", "us-east-1", "ap-southeast-4", "us-gov-west-1", "cn-northwest-1", "il-central-1", "us-isob-east-1"} {
		if !IsRegion(r) {
			t.Errorf("IsRegion(%q) = false", r)
		}
	}
	for _, r := range []string{"", "eu-west", "EU-WEST-1", "eu_west_1", "eu-north-west-central-1", "eu-west-100", "e-west-1", " eu-west-1"} {
		if IsRegion(r) {
			t.Errorf("IsRegion(%q) = true", r)
		}
	}
	if c := new(Config); c.Set("region", "us-gov-west-1") != nil || c.Region != "us-gov-west-1" {
		t.Errorf("region key refuses us-gov-west-1")
	}
}
