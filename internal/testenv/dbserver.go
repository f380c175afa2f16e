package testenv

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"database/sql"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/dbaf/dbaf/db"
	"github.com/dbaf/dbaf/internal/sandbox/dbserver"
)

// DBServer is a real database server of the test's own, as the sandbox
// runs one behind a cluster (internal/sandbox/dbserver): TLS only, reachable
// over TCP on a loopback address, holding the seeded legacy dataset, with
// the cluster's master user, with the privileges Aurora gives its master
// (no superuser on PostgreSQL, no SUPER or FILE on MariaDB).
type DBServer struct {
	Engine   string // db.EnginePostgres or db.EngineMySQL: the engine it stands in for
	Host     string
	Port     int
	User     string // the master user, as dbaf logs in to a clone
	Password string
	Database string // "app", made for the test and owned by User
	// CA issued the server's certificate (the sandbox's own CA): clients
	// verify the server with it, as they verify RDS with AWS's bundle.
	CA *db.CA
	// adminPassword is the sandbox's own superuser's (dbserver.AdminUser):
	// AdminDB logs in with it.
	adminPassword string
}

// CA reads the CA bundle at path for a client to verify servers with.
func CA(tb testing.TB, path string) *db.CA {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	ca, err := db.NewCA(b, path, path)
	if err != nil {
		tb.Fatal(err)
	}
	return ca
}

// Target is where dbaf logs in to the server as its master user.
func (s *DBServer) Target() db.Target {
	return db.Target{Engine: s.Engine, Host: s.Host, Port: s.Port, User: s.User, Password: s.Password, Database: s.Database, CA: s.CA}
}

// Addr is host:port.
func (s *DBServer) Addr() string { return net.JoinHostPort(s.Host, strconv.Itoa(s.Port)) }

// DB opens the server as its master user over TLS, verified with its CA,
// closed when the test ends.
func (s *DBServer) DB(tb testing.TB) *sql.DB {
	tb.Helper()
	conn := s.open(tb, s.Database)
	tb.Cleanup(func() { conn.Close() })
	return conn
}

// AdminDB opens the test's database as the sandbox's own superuser
// (dbserver.AdminUser), who can do what the master user cannot: for tests
// that set up what a master user could not, or look where it cannot.
func (s *DBServer) AdminDB(tb testing.TB) *sql.DB {
	tb.Helper()
	as := *s
	as.User, as.Password = dbserver.AdminUser, s.adminPassword
	conn := as.open(tb, s.Database)
	tb.Cleanup(func() { conn.Close() })
	return conn
}

func (s *DBServer) open(tb testing.TB, database string) *sql.DB {
	tb.Helper()
	switch s.Engine {
	case db.EngineMySQL:
		c := mysql.NewConfig()
		c.User, c.Passwd, c.Net, c.Addr, c.DBName = s.User, s.Password, "tcp", s.Addr(), database
		pool := x509.NewCertPool()
		if b, err := os.ReadFile(s.CA.Path); err != nil || !pool.AppendCertsFromPEM(b) {
			tb.Fatalf("the servers' CA %s: %v", s.CA.Path, err)
		}
		c.TLS = &tls.Config{RootCAs: pool, ServerName: s.Host}
		c.MultiStatements = true
		c.Logger = &mysql.NopLogger{}
		conn, err := mysql.NewConnector(c)
		if err != nil {
			tb.Fatal(err)
		}
		return sql.OpenDB(conn)
	default:
		c, err := pgx.ParseConfig(fmt.Sprintf("host=%s port=%d user=%s dbname=%s sslmode=verify-full sslrootcert=%s", s.Host, s.Port, s.User, database, s.CA.Path))
		if err != nil {
			tb.Fatal(err)
		}
		c.Password = s.Password
		return stdlib.OpenDB(*c)
	}
}

// Exec runs SQL as the master user, failing the test on error.
func (s *DBServer) Exec(tb testing.TB, query string, args ...any) {
	tb.Helper()
	if _, err := s.DB(tb).ExecContext(context.Background(), query, args...); err != nil {
		tb.Fatalf("%s: %v", firstLine(query), err)
	}
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	if len(s) > 120 {
		s = s[:120] + "…"
	}
	return s
}

// TemplateDir is where the tests' database managers keep their seeded
// templates (dbserver.Config.TemplateDir): DBAF_TEST_TEMPLATE_DIR, which
// scripts/test.sh sets so that every test package of a run copies the
// same ones, each built once; "" (each manager its own) when unset.
func TemplateDir() string { return os.Getenv("DBAF_TEST_TEMPLATE_DIR") }

// databases is the one dbserver.Manager of a test binary: each engine's
// seeded template is built once, then every server is a copy of it.
var databases struct {
	running bool // RunWithDatabases runs the tests
	once    sync.Once
	mgr     *dbserver.Manager
	dir     string
	err     error
	next    atomic.Int64
}

// RunWithDatabases runs the tests of m, for a TestMain of a package whose
// tests call StartPostgres or StartMariaDB; then it stops every server
// they started and removes their data.
func RunWithDatabases(m *testing.M) int {
	databases.running = true
	code := m.Run()
	if databases.mgr != nil {
		if err := databases.mgr.Close(); err != nil {
			fmt.Fprintln(os.Stderr, "testenv: stopping the database servers:", err)
		}
	}
	if databases.dir != "" {
		os.RemoveAll(databases.dir)
	}
	return code
}

func manager(tb testing.TB) *dbserver.Manager {
	tb.Helper()
	if !databases.running {
		tb.Fatal("testenv: the servers would outlive the tests: call testenv.RunWithDatabases(m) from TestMain")
	}
	databases.once.Do(func() {
		if databases.dir, databases.err = os.MkdirTemp("", "dbaf-testenv-db-"); databases.err != nil {
			return
		}
		// Its own addresses, away from the sandbox's 127.77 and other tests'.
		databases.mgr, databases.err = dbserver.New(dbserver.Config{StateDir: databases.dir, AddrBase: "127.89", TemplateDir: TemplateDir()})
	})
	if databases.err != nil {
		tb.Fatal(databases.err)
	}
	return databases.mgr
}

// start runs a server of engine e for the test, a copy of the seeded
// template, and makes the database "app" in it as the master user. Skips
// (CI unset) or fails (CI set) when the engine's binaries are missing.
func start(tb testing.TB, e dbserver.Engine, s *DBServer) *DBServer {
	tb.Helper()
	SkipShort(tb, "real database servers")
	m := manager(tb)
	if err := m.Available(e); err != nil {
		if os.Getenv("CI") != "" {
			tb.Fatalf("%v; scripts/test.sh installs it", err)
		}
		tb.Skipf("skipping: %v, and CI is unset; scripts/test.sh installs it", err)
	}
	id := fmt.Sprintf("test-%d", databases.next.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	ep, err := m.StartSource(ctx, id, e, s.User)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := m.Remove(id); err != nil {
			tb.Error(err)
		}
	})
	s.Host, s.Port, s.Password, s.Database = ep.Host, ep.Port, m.SourcePassword(), "app"
	s.adminPassword = m.AdminPassword()
	s.CA = CA(tb, m.CAFile())
	admin := "" // MySQL: no database
	if s.Engine == db.EnginePostgres {
		admin = "postgres"
	}
	conn := s.open(tb, admin)
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "CREATE DATABASE app"); err != nil {
		tb.Fatalf("CREATE DATABASE app on %s: %v", s.Addr(), err)
	}
	return s
}

// StartPostgres runs a PostgreSQL server for the test, as the sandbox's
// aurora-postgresql clusters: master user "postgres".
func StartPostgres(tb testing.TB) *DBServer {
	tb.Helper()
	return start(tb, dbserver.Postgres, &DBServer{Engine: db.EnginePostgres, User: "postgres"})
}

// StartMariaDB runs a MariaDB server for the test, as the sandbox's
// aurora-mysql clusters: master user "admin".
func StartMariaDB(tb testing.TB) *DBServer {
	tb.Helper()
	return start(tb, dbserver.MySQL, &DBServer{Engine: db.EngineMySQL, User: "admin"})
}

// NeedPostgres skips a test that starts real PostgreSQL servers under
// -short, or when the machine has none and CI is unset (in CI the test
// runs, and fails if they are missing: scripts/test.sh installs them).
func NeedPostgres(tb testing.TB) {
	tb.Helper()
	needServer(tb, "PostgreSQL", "initdb", "/usr/lib/postgresql")
}

// NeedMariaDB is NeedPostgres for MariaDB servers (mariadbd, from Debian's
// mariadb-server).
func NeedMariaDB(tb testing.TB) {
	tb.Helper()
	needServer(tb, "MariaDB", "mariadbd", "/usr/sbin/mariadbd")
}

// needServer skips under -short, and outside CI when bin is neither on PATH
// nor at path (where Debian puts it off PATH).
func needServer(tb testing.TB, engine, bin, path string) {
	tb.Helper()
	SkipShort(tb, "real "+engine+" servers")
	if _, err := exec.LookPath(bin); err != nil && os.Getenv("CI") == "" {
		if _, err := os.Stat(path); err != nil {
			tb.Skipf("skipping outside CI: no %s server binaries (%s); scripts/test.sh installs them", engine, bin)
		}
	}
}
