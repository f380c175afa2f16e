package testenv

import (
	"context"
	"testing"
)

// The throwaway servers answer over TLS, as Aurora does with TLS forced.
func TestStartServers(t *testing.T) {
	cases := []struct {
		name  string
		start func(testing.TB) *DBServer
		tls   string // a query giving a non-empty TLS version for this session
	}{
		{"postgres", StartPostgres, "SELECT version FROM pg_stat_ssl WHERE pid = pg_backend_pid()"},
		{"mariadb", StartMariaDB, "SELECT VARIABLE_VALUE FROM information_schema.SESSION_STATUS WHERE VARIABLE_NAME = 'SSL_VERSION'"},
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
			t.Logf("%s at %s: %s", c.name, s.Addr(), v)
		})
	}
}
