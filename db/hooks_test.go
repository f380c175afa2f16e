package db_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/dbaf/dbaf/db"
	"github.com/dbaf/dbaf/internal/testenv"
)

// Hooks run in order; the first failure names file:line and the server's
// words, and nothing after it runs.
func TestRunHooks(t *testing.T) {
	engines(t, func(t *testing.T, s *testenv.DBServer) {
		legacy(t, s, "app", 5)
		fn := "CREATE FUNCTION app.one() RETURNS int AS $$ BEGIN RETURN 1; END; $$ LANGUAGE plpgsql;"
		if s.Engine == db.EngineMySQL {
			fn = "DELIMITER //\nCREATE FUNCTION app.one() RETURNS int DETERMINISTIC BEGIN DECLARE x int; SET x = 1; RETURN x; END//\nDELIMITER ;"
		}
		hooks := []db.Hook{
			{Name: "hooks/01_fix.sql", SQL: "-- give support a login; semicolons in comments are fine\n" +
				"UPDATE app.customers SET notes = 'hooked; ok' WHERE id = 1;\n\n" +
				"CREATE TABLE app.audit (id int);\n" + fn + "\n"},
			{Name: "hooks/02_bad.sql", SQL: "/* a header\n   over lines */\nINSERT INTO app.audit VALUES (1);\n\n" +
				"SELECT *\n  FROM app.no_such_table;\n" +
				"CREATE TABLE app.after_failure (id int);\n"},
		}
		err := db.RunHooks(context.Background(), target(s), hooks)
		var he *db.HookError
		if !errors.As(err, &he) || he.Hook != "hooks/02_bad.sql" || he.Line != 5 {
			t.Fatalf("err = %v; want a HookError at hooks/02_bad.sql:5", err)
		}
		if !strings.HasPrefix(err.Error(), "hook hooks/02_bad.sql:5: ") || !strings.Contains(err.Error(), "no_such_table") ||
			strings.Contains(err.Error(), s.Password) {
			t.Errorf("error %q: want file:line and the server's words, no password", err)
		}
		var notes string
		var audit, one, after int
		sdb := s.DB(t)
		ctx := context.Background()
		if err := sdb.QueryRowContext(ctx, "SELECT notes FROM app.customers WHERE id = 1").Scan(&notes); err != nil || notes != "hooked; ok" {
			t.Errorf("first hook's update: %q, %v", notes, err)
		}
		if err := sdb.QueryRowContext(ctx, "SELECT count(*) FROM app.audit").Scan(&audit); err != nil || audit != 1 {
			t.Errorf("statements before the failure: audit rows %d, %v; want 1", audit, err)
		}
		if err := sdb.QueryRowContext(ctx, "SELECT app.one()").Scan(&one); err != nil || one != 1 {
			t.Errorf("function with ; in its body: %d, %v", one, err)
		}
		q := "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'app' AND table_name = 'after_failure'"
		if err := sdb.QueryRowContext(ctx, q).Scan(&after); err != nil || after != 0 {
			t.Errorf("a statement after the failure ran (%d, %v)", after, err)
		}
	})
}

// A hook that runs past its time limit is stopped on the server, and the
// error names the hook, the statement and the limit; the hooks before it
// were reported started and done, the stopped one only started.
func TestRunHooksTimeout(t *testing.T) {
	engines(t, func(t *testing.T, s *testenv.DBServer) {
		sleep := "SELECT pg_sleep(600);"
		if s.Engine == db.EngineMySQL {
			sleep = "SELECT SLEEP(600);"
		}
		hooks := []db.Hook{
			{Name: "hooks/01_quick.sql", SQL: "SELECT 1;\n"},
			{Name: "hooks/02_hung.sql", SQL: "SELECT 1;\n" + sleep + "\n"},
			{Name: "hooks/03_never.sql", SQL: "SELECT 1;\n"},
		}
		var started, done []string
		begin := time.Now()
		err := db.RunHooksWith(context.Background(), target(s), hooks, db.HookOptions{Timeout: 2 * time.Second,
			Started: func(h db.Hook) { started = append(started, h.Name) },
			Done:    func(h db.Hook, _ time.Duration) { done = append(done, h.Name) }})
		var te *db.HookTimeoutError
		if !errors.As(err, &te) || te.Hook != "hooks/02_hung.sql" || te.Line != 2 || te.Timeout != 2*time.Second {
			t.Fatalf("err = %v; want a HookTimeoutError at hooks/02_hung.sql:2 after 2s", err)
		}
		if !strings.Contains(err.Error(), "hooks/02_hung.sql:2") || !strings.Contains(err.Error(), "2s") {
			t.Errorf("error %q names neither the hook nor the limit", err)
		}
		if took := time.Since(begin); took > time.Minute {
			t.Errorf("the hung hook was stopped after %s", took)
		}
		if strings.Join(started, ",") != "hooks/01_quick.sql,hooks/02_hung.sql" || strings.Join(done, ",") != "hooks/01_quick.sql" {
			t.Errorf("started %v, done %v", started, done)
		}
	})
}
