package artifact_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/dbaf/dbaf/artifact"
	"github.com/dbaf/dbaf/aws"
	"github.com/dbaf/dbaf/config"
)

// The sandbox's DescribeDBEngineVersions gives each version's Serverless
// v2 bounds, and resolving an artifact (dbaf build) takes them from it:
// auto-pause (a minimum of 0) only where the version supports it, 256 ACUs
// only on recent versions.
func TestServerlessBoundsFromTheAccount(t *testing.T) {
	c, _ := sandboxClient(t, 0.05)
	ctx := context.Background()
	for _, tc := range []struct {
		engine, version string
		want            *aws.ServerlessLimits
	}{
		{"aurora-postgresql", "13.12", &aws.ServerlessLimits{Min: 0.5, Max: 128}},
		{"aurora-postgresql", "15.5", &aws.ServerlessLimits{Min: 0.5, Max: 256}},
		{"aurora-postgresql", "15.8", &aws.ServerlessLimits{Min: 0, Max: 256}},
		{"aurora-postgresql", "16.4", &aws.ServerlessLimits{Min: 0, Max: 256}},
		{"aurora-mysql", "8.0.mysql_aurora.3.05.2", &aws.ServerlessLimits{Min: 0.5, Max: 128}},
		{"aurora-mysql", "8.0.mysql_aurora.3.08.0", &aws.ServerlessLimits{Min: 0, Max: 256}},
		{"postgres", "16.3", nil},
		{"aurora-postgresql", "9.6", nil},
	} {
		got, err := c.ServerlessLimits(ctx, tc.engine, tc.version)
		if err != nil {
			t.Fatal(err)
		}
		if (got == nil) != (tc.want == nil) || got != nil && *got != *tc.want {
			t.Errorf("%s %s: limits %+v, want %+v", tc.engine, tc.version, got, tc.want)
		}
	}

	resolve := func(source, capacity string) (*artifact.Artifact, error) {
		cfg, _, err := config.Parse("test.ini", []byte("[source_db]\nsource_db_cluster_id = "+source+
			"\n[target_db]\nsubnet_ids = source\ninstance_type = db.serverless\n"+capacity+
			"[artifact]\nclone_ttl = 4h\npublisher_contact = dataops@example.com\n"))
		if err != nil {
			t.Fatal(err)
		}
		return artifact.Resolve(ctx, cfg, c, time.Unix(1764000000, 0), func(string) {})
	}
	// analytics-serverless runs Aurora PostgreSQL 15.5: no auto-pause.
	_, err := resolve("analytics-serverless", "serverless_min_capacity = 0\n")
	var re *artifact.ResolveError
	const want = "serverless minimum 0 ACUs is below what aurora-postgresql 15.5 allows 0.5–256 ACUs (rds:DescribeDBEngineVersions): set serverless_min_capacity to 0.5 or more; a minimum of 0 (auto-pause) needs an engine version that supports it"
	if !errors.As(err, &re) || re.Key != "serverless_min_capacity" || re.Msg != want {
		t.Errorf("min 0 on 15.5: err = %v, want %q", err, want)
	}
	// search-mysql runs Aurora MySQL 3.08.0: it may pause.
	a, err := resolve("search-mysql", "serverless_min_capacity = 0\nserverless_max_capacity = 256\n")
	if err != nil || *a.Target.Serverless != (artifact.Scaling{Min: 0, Max: 256}) {
		t.Errorf("0–256 on 3.08.0: err %v, artifact %+v", err, a)
	}
}
