package db

import (
	"slices"
	"strings"
	"testing"
)

func TestClientForKeepsThePasswordOutOfArgs(t *testing.T) {
	const pw = "s3cret-Pa55word"
	for _, c := range []struct {
		t            Target
		program, pkg string
		pwEnv        string
		wantArgs     []string
	}{
		{Target{Engine: EnginePostgres, Host: "127.77.0.9", Port: 5433, User: "postgres", Password: pw}, "psql", "postgresql-client", "PGPASSWORD",
			[]string{"host=127.77.0.9 port=5433 user=postgres dbname=postgres sslmode=verify-full"}},
		{Target{Engine: EngineMySQL, Host: "127.77.1.9", Port: 3306, User: "admin", Password: pw}, "mysql", "mariadb-client", "MYSQL_PWD",
			[]string{"--ssl", "--ssl-verify-server-cert", "-h", "127.77.1.9", "-P", "3306", "-u", "admin"}},
		{Target{Engine: EnginePostgres, Host: "h", Port: 5432, User: "postgres", Password: pw, CA: &CA{Path: "/c/ca b.pem"}}, "psql", "postgresql-client", "PGPASSWORD",
			[]string{"host=h port=5432 user=postgres dbname=postgres sslmode=verify-full sslrootcert='/c/ca b.pem'"}},
		{Target{Engine: EngineMySQL, Host: "h", Port: 3306, User: "admin", Password: pw, CA: &CA{Path: "/c/ca.pem"}}, "mysql", "mariadb-client", "MYSQL_PWD",
			[]string{"--ssl", "--ssl-ca=/c/ca.pem", "--ssl-verify-server-cert", "-h", "h", "-P", "3306", "-u", "admin"}},
	} {
		cl := ClientFor(c.t)
		if cl.Program != c.program || cl.Package != c.pkg || !slices.Equal(cl.Args, c.wantArgs) {
			t.Errorf("ClientFor(%s) = %+v, want %s %q from %s", c.t.Engine, cl, c.program, c.wantArgs, c.pkg)
		}
		if strings.Contains(strings.Join(cl.Args, " "), pw) {
			t.Errorf("%s args hold the password: %q", c.program, cl.Args)
		}
		if !slices.Contains(cl.Env, c.pwEnv+"="+pw) {
			t.Errorf("%s env %q lacks %s", c.program, cl.Env, c.pwEnv)
		}
	}
	// No password: the client prompts for it.
	if cl := ClientFor(Target{Engine: EngineMySQL, Host: "h", Port: 3306, User: "admin", Database: "legacy"}); !slices.Equal(cl.Args[len(cl.Args)-2:], []string{"-p", "legacy"}) || len(cl.Env) != 0 {
		t.Errorf("mysql without a password: %+v, want -p to prompt", cl)
	}
	if cl := ClientFor(Target{Engine: EnginePostgres, Host: "h", Port: 5432, User: "o'brien x"}); cl.Args[0] != `host=h port=5432 user='o\'brien x' dbname=postgres sslmode=verify-full` || slices.ContainsFunc(cl.Env, func(kv string) bool { return strings.HasPrefix(kv, "PGPASSWORD=") }) {
		t.Errorf("psql without a password, quoted user: %+v", cl)
	}
}
