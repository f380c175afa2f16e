package testenv

import (
	"context"
	"os"
	"testing"
)

func TestMain(m *testing.M) { os.Exit(RunWithDatabases(m)) }

// The servers answer over TLS, as Aurora does with TLS forced, and log the
// master user in to the test's own database, which holds nothing yet.
func TestStartServers(t *testing.T) {
	cases := []struct {
		name  string
		start func(testing.TB) *DBServer
		tls   string // a query giving a non-empty TLS version for this session
		empty string // a query counting the tables of the database "app"
	}{
		{"postgres", StartPostgres, "SELECT version FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
			"SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"},
		{"mariadb", StartMariaDB, "SELECT VARIABLE_VALUE FROM information_schema.SESSION_STATUS WHERE VARIABLE_NAME = 'SSL_VERSION'",
			"SELECT count(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'app'"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s := c.start(t)
			var v string
			if err := s.DB(t).QueryRowContext(context.Background(), c.tls).Scan(&v); err != nil {
				t.Fatal(err)
			}
			if v == "" {
				t.Fatalf("%s at %s: session is not encrypted", c.name, s.Addr())
			}
			var n int
			if err := s.DB(t).QueryRowContext(context.Background(), c.empty).Scan(&n); err != nil || n != 0 {
				t.Errorf("%s: %d tables in %s, %v; want a database of the test's own, empty", c.name, n, s.Database, err)
			}
		})
	}
}
