package db_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"

	"github.com/dbaf/dbaf/db"
	"github.com/dbaf/dbaf/internal/masking"
	"github.com/dbaf/dbaf/internal/testenv"
)

func rule(t *testing.T, schema, table, col, strategy string) db.Rule {
	t.Helper()
	st, err := masking.Parse(strategy)
	if err != nil {
		t.Fatal(err)
	}
	return db.Rule{Schema: schema, Table: table, Column: col, Strategy: st}
}

func queryString(t *testing.T, c *sql.DB, q string, args ...any) string {
	t.Helper()
	var s sql.NullString
	if err := c.QueryRowContext(context.Background(), q, args...).Scan(&s); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return s.String
}

// inPostgresDB is s's seeded database, where the legacy schema lives.
func inPostgresDB(s *testenv.DBServer) *testenv.DBServer {
	ps := *s
	ps.Database = "postgres"
	return &ps
}

// The seeded master user is Aurora's: no superuser, no pg_read_all_data or
// pg_write_all_data, a member of rds_superuser; legacy belongs to
// legacy_app, which the master user administers, and legacy_reporting
// reads it.
func TestPostgresMasterIsAurorasMaster(t *testing.T) {
	testenv.NeedPostgres(t)
	t.Parallel()
	s := inPostgresDB(testenv.StartPostgres(t))
	c := s.DB(t)
	for q, want := range map[string]string{
		"SELECT rolsuper::text FROM pg_roles WHERE rolname = current_user":                                 "false",
		"SELECT (rolcreatedb AND rolcreaterole)::text FROM pg_roles WHERE rolname = current_user":          "true",
		"SELECT pg_has_role(current_user, 'rds_superuser', 'MEMBER')::text":                                "true",
		"SELECT pg_has_role(current_user, 'pg_monitor', 'USAGE')::text":                                    "true",
		"SELECT pg_has_role(current_user, 'pg_signal_backend', 'USAGE')::text":                             "true",
		"SELECT pg_has_role(current_user, 'pg_read_all_data', 'MEMBER')::text":                             "false",
		"SELECT pg_has_role(current_user, 'pg_write_all_data', 'MEMBER')::text":                            "false",
		"SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = 'legacy.customers'::regclass":          "legacy_app",
		"SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = 'legacy'":                      "legacy_app",
		"SELECT pg_has_role(current_user, 'legacy_app', 'MEMBER WITH ADMIN OPTION')::text":                 "true",
		"SELECT has_table_privilege('legacy_reporting', 'legacy.payments', 'SELECT')::text":                "true",
		"SELECT has_table_privilege('legacy_reporting', 'legacy.payments', 'UPDATE')::text":                "false",
		"SELECT has_database_privilege(current_user, current_database(), 'CREATE')::text":                  "true",
		"SELECT (SELECT count(*) FROM pg_roles WHERE rolname IN ('legacy_app', 'legacy_reporting'))::text": "2",
	} {
		if got := queryString(t, c, q); got != want {
			t.Errorf("%s = %s, want %s", q, got, want)
		}
	}

	// Data only pg_read_all_data could read stays out of reach.
	a := s.AdminDB(t)
	for _, q := range []string{
		"CREATE ROLE vault_owner NOLOGIN",
		"CREATE TABLE public.vault (id int, secret text)",
		"INSERT INTO public.vault VALUES (1, 'not for the master user')",
		"ALTER TABLE public.vault OWNER TO vault_owner",
	} {
		if _, err := a.Exec(q); err != nil {
			t.Fatalf("as the sandbox's superuser: %s: %v", q, err)
		}
	}
	if _, err := c.Exec("SELECT * FROM public.vault"); err == nil || !strings.Contains(err.Error(), "permission denied") {
		t.Errorf("the master user read a table it has no grant on: %v", err)
	}

	// Extensions Aurora lets its master create: pgcrypto and pg_trgm are
	// trusted in PostgreSQL, pg_stat_statements by the sandbox's overlay.
	app := testenv.StartPostgres(t).DB(t)
	for _, ext := range []string{"pgcrypto", "pg_trgm", "pg_stat_statements"} {
		if _, err := app.Exec("CREATE EXTENSION " + ext); err != nil {
			t.Errorf("the master user cannot CREATE EXTENSION %s: %v", ext, err)
		}
	}
	if got := queryString(t, app, "SELECT encode(digest('x', 'sha256'), 'hex')"); !strings.HasPrefix(got, "2d711642") {
		t.Errorf("pgcrypto's digest gave %q", got)
	}
	if got := queryString(t, app, "SELECT (count(*) > 0)::text FROM pg_stat_statements"); got != "true" {
		t.Errorf("pg_stat_statements holds no statement (is it preloaded?): %q", got)
	}
}

// Masking a table owned by legacy_app goes through legacy_app's role: a
// trigger records the role each UPDATE ran as.
func TestMaskThroughOwnersRole(t *testing.T) {
	testenv.NeedPostgres(t)
	t.Parallel()
	s := inPostgresDB(testenv.StartPostgres(t))
	c := s.DB(t)
	for _, q := range []string{
		"SET ROLE legacy_app",
		"CREATE TABLE legacy.mask_audit (who text)",
		`CREATE FUNCTION legacy.audit() RETURNS trigger LANGUAGE plpgsql AS $$
			BEGIN INSERT INTO legacy.mask_audit VALUES (current_user); RETURN NULL; END $$`,
		"CREATE TRIGGER audit AFTER UPDATE ON legacy.customers FOR EACH STATEMENT EXECUTE FUNCTION legacy.audit()",
	} {
		if _, err := c.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	var n int64
	if err := c.QueryRow("SELECT count(*) FROM legacy.customers").Scan(&n); err != nil {
		t.Fatal(err)
	}
	done, err := db.Mask(context.Background(), s.Target(), []db.Rule{rule(t, "legacy", "customers", "email", "email")}, db.MaskOptions{Key: key1})
	if err != nil {
		t.Fatal(err)
	}
	if len(done) != 1 || done[0].Rows != n {
		t.Fatalf("masked %+v, want all %d rows of legacy.customers", done, n)
	}
	if who := strings.Join(rowsOf(t, s.AdminDB(t), "SELECT who FROM legacy.mask_audit"), ","); who != "legacy_app" {
		t.Errorf("the masking UPDATE ran as %q, want legacy_app (the owner's role)", who)
	}
	var left int64
	if err := s.AdminDB(t).QueryRow("SELECT count(*) FROM legacy.customers WHERE lower(email) LIKE '%@example.com'").Scan(&left); err != nil {
		t.Fatal(err)
	}
	if left != 0 {
		t.Errorf("%d original e-mails left", left)
	}
}

// A table whose owner the master user cannot take fails before any change,
// naming the GRANT; after that GRANT, masking works.
func TestMaskUnusableOwnerNamesGrant(t *testing.T) {
	testenv.NeedPostgres(t)
	t.Parallel()
	s := testenv.StartPostgres(t)
	legacy(t, s, "app", 50)
	a := s.AdminDB(t)
	for _, q := range []string{
		"CREATE ROLE billing_owner NOLOGIN",
		"CREATE SCHEMA billing AUTHORIZATION billing_owner",
		"CREATE TABLE billing.cards (id int PRIMARY KEY, holder text)",
		"INSERT INTO billing.cards SELECT i, 'holder ' || i FROM generate_series(1, 20) i",
		"ALTER TABLE billing.cards OWNER TO billing_owner",
		"GRANT USAGE ON SCHEMA billing TO postgres",
	} {
		if _, err := a.Exec(q); err != nil {
			t.Fatalf("as the sandbox's superuser: %s: %v", q, err)
		}
	}
	beforeC, beforeB := snapAs(t, a, "app.customers"), snapAs(t, a, "billing.cards")
	rules := []db.Rule{rule(t, "app", "customers", "email", "email"), rule(t, "billing", "cards", "holder", "name")}
	var pe *db.PrivilegeError
	if err := db.CheckMask(context.Background(), s.Target(), rules); !errors.As(err, &pe) {
		t.Errorf("CheckMask = %v, want a *db.PrivilegeError", err)
	}
	_, err := db.Mask(context.Background(), s.Target(), rules, db.MaskOptions{Key: key1})
	if !errors.As(err, &pe) {
		t.Fatalf("Mask = %v, want a *db.PrivilegeError", err)
	}
	if len(pe.Problems) != 1 || pe.Problems[0].Table != "cards" || pe.Problems[0].Owner != "billing_owner" || pe.Problems[0].Grant != "GRANT billing_owner TO postgres;" {
		t.Errorf("problems %+v", pe.Problems)
	}
	for _, w := range []string{"billing.cards", "billing_owner", "GRANT billing_owner TO postgres;", "nothing was changed"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not say %q", err, w)
		}
	}
	if !snapEqual(beforeC, snapAs(t, a, "app.customers")) || !snapEqual(beforeB, snapAs(t, a, "billing.cards")) {
		t.Fatal("a row changed although masking failed its privilege check")
	}
	// The GRANT named is one the master user (CREATEROLE) may run itself.
	if _, err := s.DB(t).Exec(pe.Problems[0].Grant); err != nil {
		t.Fatalf("%s as the master user: %v", pe.Problems[0].Grant, err)
	}
	if err := db.CheckMask(context.Background(), s.Target(), rules); err != nil {
		t.Errorf("CheckMask after the GRANT: %v", err)
	}
	if _, err := db.Mask(context.Background(), s.Target(), rules, db.MaskOptions{Key: key1}); err != nil {
		t.Fatalf("after the GRANT: %v", err)
	}
	if snapEqual(beforeB, snapAs(t, a, "billing.cards")) {
		t.Error("billing.cards is unchanged after masking")
	}
}

// MySQL tables have no owner: a login without UPDATE on a masked table
// fails before any change with the GRANT to run. The Aurora MySQL 3 master
// has neither SUPER nor FILE.
func TestMaskMySQLPrivileges(t *testing.T) {
	testenv.NeedMariaDB(t)
	t.Parallel()
	s := testenv.StartMariaDB(t)
	grants := strings.Join(rowsOf(t, s.DB(t), "SHOW GRANTS"), "\n")
	for _, forbidden := range []string{"SUPER", "FILE", "ALL PRIVILEGES", "SHUTDOWN"} {
		if strings.Contains(grants, forbidden) {
			t.Errorf("the master user holds %s:\n%s", forbidden, grants)
		}
	}
	for _, want := range []string{"SELECT", "UPDATE", "CREATE USER", "WITH GRANT OPTION"} {
		if !strings.Contains(grants, want) {
			t.Errorf("the master user lacks %s:\n%s", want, grants)
		}
	}
	for _, role := range []string{"legacy_app", "legacy_reporting"} {
		if got := queryString(t, s.AdminDB(t), "SELECT Admin_option FROM mysql.roles_mapping WHERE User = 'admin' AND Role = ?", role); got != "Y" {
			t.Errorf("admin administers %s: %q, want Y", role, got)
		}
	}

	legacy(t, s, "app", 30)
	a := s.AdminDB(t)
	for _, q := range []string{"CREATE USER 'masker'@'%' IDENTIFIED BY 'masker-password-1'", "GRANT SELECT ON app.* TO 'masker'@'%'"} {
		if _, err := a.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	before := snapAs(t, a, "app.customers")
	tg := s.Target()
	tg.User, tg.Password = "masker", "masker-password-1"
	rules := []db.Rule{rule(t, "app", "customers", "email", "email")}
	_, err := db.Mask(context.Background(), tg, rules, db.MaskOptions{Key: key1})
	var pe *db.PrivilegeError
	if !errors.As(err, &pe) || len(pe.Problems) != 1 {
		t.Fatalf("Mask = %v, want a *db.PrivilegeError for app.customers", err)
	}
	want := "GRANT SELECT, UPDATE ON `app`.`customers` TO 'masker'@'%';"
	if pe.Problems[0].Grant != want || !strings.Contains(err.Error(), want) {
		t.Errorf("grant %q (error %q), want %q", pe.Problems[0].Grant, err, want)
	}
	if !snapEqual(before, snapAs(t, a, "app.customers")) {
		t.Fatal("a row changed although masking failed its privilege check")
	}
	if _, err := a.Exec(want); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Mask(context.Background(), tg, rules, db.MaskOptions{Key: key1}); err != nil {
		t.Fatalf("after the GRANT: %v", err)
	}
}

// The login summary works as the master user on the seeded database.
func TestCheckAsMasterSeesLegacy(t *testing.T) {
	testenv.NeedPostgres(t)
	t.Parallel()
	s := inPostgresDB(testenv.StartPostgres(t))
	sum, err := db.Check(context.Background(), s.Target(), db.CheckOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Tables < 4 || sum.SizeBytes == 0 {
		t.Errorf("summary %+v: want the 4 legacy tables and a size", sum)
	}
}

func rowsOf(t *testing.T, c *sql.DB, q string) []string {
	t.Helper()
	rows, err := c.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// snapAs is every row of table as text, read with c.
func snapAs(t *testing.T, c *sql.DB, table string) []string {
	t.Helper()
	rows, err := c.Query("SELECT * FROM " + table + " ORDER BY 1")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for _, v := range vals {
			b.WriteString(v.String + "|")
		}
		out = append(out, b.String())
	}
	return out
}

func snapEqual(a, b []string) bool { return strings.Join(a, "\n") == strings.Join(b, "\n") }
