package artifact

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/dbaf/dbaf/config"
)

// TestResolveMaskingAndHooks: the rules, in the order written, and the
// hook files' contents (read beside the INI) land in the artifact and
// survive its JSON round trip.
func TestResolveMaskingAndHooks(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "sql"), 0o755); err != nil {
		t.Fatal(err)
	}
	grants := "CREATE ROLE analyst;\nGRANT SELECT ON legacy.customers TO analyst;\n"
	cleanup := "DELETE FROM legacy.sessions;\n"
	for name, sql := range map[string]string{"grants.sql": grants, "cleanup.sql": cleanup} {
		if err := os.WriteFile(filepath.Join(dir, "sql", name), []byte(sql), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ini := filepath.Join(dir, "artifact_config.ini")
	if err := os.WriteFile(ini, []byte(`[source_db]
source_db_cluster_id = prod
[target_db]
subnet_ids = source
instance_type = db.r6g.large
[masking]
legacy.customers.phone = null
legacy.customers.email = EMAIL
legacy.customers.national_id = redact:4
[hooks]
post_clone = sql/grants.sql, sql/cleanup.sql
`), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, _, err := config.Load(ini)
	if err != nil {
		t.Fatal(err)
	}
	a, err := Resolve(context.Background(), cfg, newFake(), time.Unix(0, 0), nil)
	if err != nil {
		t.Fatal(err)
	}
	wantRules := []MaskRule{
		{"legacy.customers.phone", "null"},
		{"legacy.customers.email", "email"},
		{"legacy.customers.national_id", "redact:4"},
	}
	wantHooks := []Hook{{"sql/grants.sql", grants}, {"sql/cleanup.sql", cleanup}}
	if !reflect.DeepEqual(a.Masking, wantRules) || !reflect.DeepEqual(a.Hooks, wantHooks) {
		t.Fatalf("masking %+v\nhooks %+v", a.Masking, a.Hooks)
	}
	data, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	back, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back.Masking, wantRules) || !reflect.DeepEqual(back.Hooks, wantHooks) {
		t.Errorf("after JSON: masking %+v\nhooks %+v", back.Masking, back.Hooks)
	}

	// A hook that went missing after the config was validated is a config
	// error on the post_clone line, before any AWS call.
	if err := os.Remove(filepath.Join(dir, "sql", "cleanup.sql")); err != nil {
		t.Fatal(err)
	}
	_, err = Resolve(context.Background(), cfg, nil, time.Unix(0, 0), nil)
	var cfgErr *config.Error
	if !errors.As(err, &cfgErr) || cfgErr.File != ini || cfgErr.Line != 11 || cfgErr.Key != "post_clone" {
		t.Errorf("missing hook: %v", err)
	}
}
