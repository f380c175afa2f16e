package config

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const fullWritten = `; dbaf database artifact. Every key is described in the INI reference in docs/ini.md.

[source_db]
; Aurora cluster to clone (required).
source_db_cluster_id = prod-aurora
; AWS region of the source cluster; default: the AWS profile's region.
region = eu-west-1
; Clone the source as it was at this time (RFC 3339); default: the latest restorable time.
restore_to_time = 2026-11-20T10:00:00Z

[target_db]
; Subnets of the clone (required): "source" (the source cluster's subnet group) or two or more subnet ids.
subnet_ids = subnet-0a1b2c3d, subnet-4e5f6a7b8c9d0e1f2, subnet-11112222
; Instance class of the clone (required), e.g. db.r6g.large or db.serverless.
instance_type = db.serverless
; IPv4 CIDR allowed to connect to the clone; default: the VPC's CIDR.
allowed_cidr = 10.0.0.0/16
; Give the clone a public address (true or false); default: false.
publicly_accessible = true
; Days the clone keeps automated backups, 1-35.
backup_retention_days = 7
; Daily backup window, hh24:mi-hh24:mi in UTC, at least 30 minutes.
preferred_backup_window = 23:45-00:15
; Weekly maintenance window, ddd:hh24:mi-ddd:hh24:mi in UTC, at least 30 minutes.
preferred_maintenance_window = sun:05:00-sun:05:30
; Serverless v2 minimum capacity in ACUs, 0-256 in steps of 0.5 (db.serverless only).
serverless_min_capacity = 0
; Serverless v2 maximum capacity in ACUs, 1-256 in steps of 0.5 (db.serverless only).
serverless_max_capacity = 16.5
; Master password of each clone: "secrets-manager" has RDS generate it and keep it in Secrets Manager, and dbaf hands over the secret's ARN; default: "developer", given by the developer at clone time.
password = secrets-manager

[artifact]
; Docker tag of the artifact image; default: db-artifact:latest.
image_tag = registry.example.com:5000/team/db-artifact:v1
; Who developers contact when a clone fails.
publisher_contact = ` + "`#dataops on Slack; or page @dba`" + `
; How long a clone may live, e.g. 72h, 3d or 1d12h; at least 1h, at most 365d.
clone_ttl = 1d12h
`

func TestWriteCanonical(t *testing.T) {
	c, _ := mustParse(t, fullINI)
	var b bytes.Buffer
	if err := c.Write(&b); err != nil {
		t.Fatal(err)
	}
	if b.String() != fullWritten {
		t.Errorf("got\n%s\nwant\n%s", b.String(), fullWritten)
	}
}

func TestWriteMinimal(t *testing.T) {
	var b bytes.Buffer
	if err := (&Config{}).Write(&b); err != nil {
		t.Fatal(err)
	}
	want := `; dbaf database artifact. Every key is described in the INI reference in docs/ini.md.

[source_db]
; Aurora cluster to clone (required).
source_db_cluster_id =

[target_db]
; Subnets of the clone (required): "source" (the source cluster's subnet group) or two or more subnet ids.
subnet_ids =
; Instance class of the clone (required), e.g. db.r6g.large or db.serverless.
instance_type =
`
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
	c, _ := mustParse(t, b.String())
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "t.ini:9: [target_db] subnet_ids: no value") {
		t.Errorf("the required keys written empty should read back as empty: %v", err)
	}
}

func TestWriteRoundTrip(t *testing.T) {
	fromFlags := &Config{}
	for k, v := range map[string]string{
		"source_db_cluster_id": "prod", "subnet_ids": "subnet-0a1b2c3d, subnet-4e5f6a7b", "instance_type": "db.t4g.medium",
		"publisher_contact": `"quoted" 'and' ; #all`, "clone_ttl": "1h0.5s", "restore_to_time": "2026-01-02T03:04:05.123456789-07:00",
	} {
		if err := fromFlags.Set(k, v); err != nil {
			t.Fatal(err)
		}
	}
	for name, c := range map[string]*Config{
		"original tool": func() *Config { c, _ := mustParse(t, originalToolINI); return c }(),
		"every key":     func() *Config { c, _ := mustParse(t, fullINI); return c }(),
		"from flags":    fromFlags,
	} {
		t.Run(name, func(t *testing.T) {
			if err := c.Validate(); err != nil {
				t.Fatal(err)
			}
			var b bytes.Buffer
			if err := c.Write(&b); err != nil {
				t.Fatal(err)
			}
			back, w, err := Parse("w.ini", b.Bytes())
			if err != nil || len(w) > 0 {
				t.Fatalf("%v %v\n%s", err, w, b.String())
			}
			if d := configDiff(c, back); d != "" {
				t.Errorf("%s\n%s", d, b.String())
			}
		})
	}
}

func TestWriteRefusesLineBreaks(t *testing.T) {
	c := &Config{SourceClusterID: "a", PublisherContact: "a\n[target_db]"}
	want := `[artifact] publisher_contact: cannot write "a\n[target_db]": it contains a line break or control character`
	if err := c.Write(&bytes.Buffer{}); err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
}

func TestSave(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "artifact_config.ini")
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, _ := mustParse(t, fullINI)
	if err := c.Save(path); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil || string(data) != fullWritten {
		t.Errorf("saved %q, %v", data, err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, %v", fi.Mode(), err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temporary file left behind: %v", entries)
	}
	loaded, _, err := Load(path)
	if err != nil || configDiff(c, loaded) != "" {
		t.Errorf("Load after Save: %v %s", err, configDiff(c, loaded))
	}

	if err := c.Save(filepath.Join(dir, "no", "such", "dir.ini")); err == nil {
		t.Error("Save into a missing directory succeeded")
	}
	bad := &Config{PublisherContact: "a\nb"}
	if err := bad.Save(path); err == nil {
		t.Error("Save of an unwritable config succeeded")
	}
	if data2, _ := os.ReadFile(path); !bytes.Equal(data, data2) {
		t.Error("a failed Save changed the file")
	}
}
