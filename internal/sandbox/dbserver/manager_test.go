package dbserver

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5"
)

// newTestManager starts a manager in a temporary state directory, skipping
// only outside CI when the engine's binaries are missing.
func newTestManager(t testing.TB, engines ...Engine) *Manager {
	t.Helper()
	skipShort(t, engines)
	m, err := New(Config{StateDir: t.TempDir(), AddrBase: testAddrBase(t), TemplateDir: testTemplateDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := m.Close(); err != nil {
			t.Error(err)
		}
	})
	for _, e := range engines {
		if err := m.Available(e); err != nil {
			if os.Getenv("CI") == "" {
				t.Skipf("skipping outside CI: %v", err)
			}
			t.Fatal(err)
		}
	}
	return m
}

// shared is one manager for the tests that need no state directory of
// their own: each engine's seeded template is built once for them all.
var shared struct {
	once sync.Once
	m    *Manager
	err  error
}

// sharedManager is shared's manager, skipping only outside CI when the
// engines' binaries are missing. TestMain closes it.
func sharedManager(t testing.TB, engines ...Engine) *Manager {
	t.Helper()
	skipShort(t, engines)
	shared.once.Do(func() {
		dir, err := os.MkdirTemp("", "dbaf-dbserver-test-")
		if err != nil {
			shared.err = err
			return
		}
		shared.m, shared.err = New(Config{StateDir: dir, AddrBase: testAddrBase(t), TemplateDir: testTemplateDir()})
	})
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	for _, e := range engines {
		if err := shared.m.Available(e); err != nil {
			if os.Getenv("CI") == "" {
				t.Skipf("skipping outside CI: %v", err)
			}
			t.Fatal(err)
		}
	}
	return shared.m
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.m != nil {
		if err := shared.m.Close(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			code = 1
		}
		os.RemoveAll(shared.m.cfg.StateDir)
	}
	os.Exit(code)
}

// skipShort is testenv's -short rule (which this package's tests cannot
// import): the fast tier starts no database server.
func skipShort(t testing.TB, engines []Engine) {
	t.Helper()
	if len(engines) > 0 && testing.Short() {
		t.Skip("-short: skipping a test that needs real database servers (the fast tier; scripts/test.sh runs it)")
	}
}

// testTemplateDir is testenv.TemplateDir (which this package's tests cannot
// import): the templates of the whole test run, when scripts/test.sh set it.
func testTemplateDir() string { return os.Getenv("DBAF_TEST_TEMPLATE_DIR") }

// testAddrBase keeps tests of different packages (run in parallel by go
// test) on different addresses.
func testAddrBase(t testing.TB) string { return "127.78" }

// login connects as user with password over TLS and returns a query func.
func login(ctx context.Context, e Engine, ep Endpoint, user, password, db string) (func(q string, args ...any) (int64, error), func(), error) {
	switch e {
	case Postgres:
		cfg, err := pgx.ParseConfig(fmt.Sprintf("host=%s port=%d user=%s dbname=postgres sslmode=require", ep.Host, ep.Port, user))
		if err != nil {
			return nil, nil, err
		}
		cfg.Password = password
		c, err := pgx.ConnectConfig(ctx, cfg)
		if err != nil {
			return nil, nil, err
		}
		if c.PgConn().Conn() == nil {
			return nil, nil, errors.New("no connection")
		}
		q := func(q string, args ...any) (int64, error) {
			var n int64
			err := c.QueryRow(ctx, q, args...).Scan(&n)
			return n, err
		}
		return q, func() { c.Close(context.Background()) }, nil
	default:
		cfg := mysql.NewConfig()
		cfg.User, cfg.Passwd, cfg.Net, cfg.Addr, cfg.DBName = user, password, "tcp", ep.String(), db
		cfg.TLSConfig = "skip-verify"
		dbh, err := sql.Open("mysql", cfg.FormatDSN())
		if err != nil {
			return nil, nil, err
		}
		if err := dbh.PingContext(ctx); err != nil {
			dbh.Close()
			return nil, nil, err
		}
		q := func(q string, args ...any) (int64, error) {
			var n int64
			err := dbh.QueryRowContext(ctx, q, args...).Scan(&n)
			return n, err
		}
		return q, func() { dbh.Close() }, nil
	}
}

func exec1(ctx context.Context, e Engine, ep Endpoint, user, password, stmt string) error {
	if e == Postgres {
		cfg, _ := pgx.ParseConfig(fmt.Sprintf("host=%s port=%d user=%s dbname=postgres sslmode=require", ep.Host, ep.Port, user))
		cfg.Password = password
		c, err := pgx.ConnectConfig(ctx, cfg)
		if err != nil {
			return err
		}
		defer c.Close(ctx)
		_, err = c.Exec(ctx, stmt)
		return err
	}
	cfg := mysql.NewConfig()
	cfg.User, cfg.Passwd, cfg.Net, cfg.Addr = user, password, "tcp", ep.String()
	cfg.TLSConfig = "skip-verify"
	dbh, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		return err
	}
	defer dbh.Close()
	_, err = dbh.ExecContext(ctx, stmt)
	return err
}

func masterOf(e Engine) string {
	if e == MySQL {
		return "admin"
	}
	return "postgres"
}

func TestSourceCloneWritePassword(t *testing.T) {
	t.Parallel()
	for _, e := range []Engine{Postgres, MySQL} {
		t.Run(string(e), func(t *testing.T) {
			t.Parallel()
			m := sharedManager(t, e)
			prod, clone1 := "prod-"+string(e), "clone-"+string(e)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()
			user := masterOf(e)
			src, err := m.StartSource(ctx, prod, e, user)
			if err != nil {
				t.Fatal(err)
			}
			if src.Port != e.Port() {
				t.Errorf("source port %d, want the engine's %d", src.Port, e.Port())
			}
			q, done, err := login(ctx, e, src, user, m.SourcePassword(), "legacy")
			if err != nil {
				t.Fatalf("log in to the source as %s: %v", user, err)
			}
			total := 0
			for table, want := range RowCounts(1) {
				n, err := q("SELECT COUNT(*) FROM legacy." + table)
				if err != nil || n != int64(want) {
					t.Errorf("source legacy.%s: %d rows, %v; want %d", table, n, err, want)
				}
				total += int(n)
			}
			if total < 100000 {
				t.Errorf("source holds %d rows in all, want at least 100,000", total)
			}
			// The dirt: duplicate customers by e-mail case, orphaned items.
			if n, err := q("SELECT COUNT(*) FROM (SELECT lower(email) FROM legacy.customers WHERE email IS NOT NULL GROUP BY lower(email) HAVING COUNT(*) > 1) d"); err != nil || n == 0 {
				t.Errorf("duplicate customers by e-mail case: %d, %v", n, err)
			}
			if n, err := q("SELECT COUNT(*) FROM legacy.order_items i LEFT JOIN legacy.orders o ON o.id = i.order_id WHERE o.id IS NULL"); err != nil || n == 0 {
				t.Errorf("orphaned order items: %d, %v", n, err)
			}
			if n, err := q("SELECT COUNT(*) FROM legacy.customer_order_totals"); err != nil || n != int64(RowCounts(1)["customers"]) {
				t.Errorf("view customer_order_totals: %d rows, %v", n, err)
			}
			done()

			clone, err := m.Clone(ctx, prod, clone1)
			if err != nil {
				t.Fatal(err)
			}
			if clone.Host == src.Host || clone.Port != e.Port() {
				t.Errorf("clone endpoint %s, source %s: want its own address on port %d", clone, src, e.Port())
			}
			if err := exec1(ctx, e, clone, user, m.SourcePassword(), "DELETE FROM legacy.payments"); err != nil {
				t.Fatalf("write to the clone: %v", err)
			}
			q, done, _ = login(ctx, e, src, user, m.SourcePassword(), "legacy")
			if n, err := q("SELECT COUNT(*) FROM legacy.payments"); err != nil || n != int64(RowCounts(1)["payments"]) {
				t.Errorf("source payments after deleting them in the clone: %d, %v", n, err)
			}
			done()

			if err := m.SetPassword(ctx, clone1, user, "NewPassw0rd-x"); err != nil {
				t.Fatal(err)
			}
			q, done, err = login(ctx, e, clone, user, "NewPassw0rd-x", "legacy")
			if err != nil {
				t.Fatalf("log in to the clone with its new password: %v", err)
			}
			if n, err := q("SELECT COUNT(*) FROM legacy.payments"); err != nil || n != 0 {
				t.Errorf("clone payments after delete: %d, %v", n, err)
			}
			done()
			if _, done, err := login(ctx, e, clone, user, m.SourcePassword(), "legacy"); err == nil {
				done()
				t.Error("the clone still takes the source's password")
			}

			dir := filepath.Join(m.cfg.StateDir, "servers", clone1)
			if err := m.Remove(clone1); err != nil {
				t.Fatal(err)
			}
			if c, err := net.Dial("tcp", clone.String()); err == nil {
				c.Close()
				t.Errorf("%s still accepts connections after Remove", clone)
			}
			if _, err := os.Stat(dir); !os.IsNotExist(err) {
				t.Errorf("data of the removed clone: %v, want gone", err)
			}
		})
	}
}

func TestParallelClones(t *testing.T) {
	t.Parallel()
	m := sharedManager(t, Postgres)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if _, err := m.StartSource(ctx, "parallel-prod", Postgres, "postgres"); err != nil {
		t.Fatal(err)
	}
	const n = 5
	eps := make([]Endpoint, n)
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() { eps[i], errs[i] = m.Clone(ctx, "parallel-prod", fmt.Sprintf("parallel-%d", i)) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	// Each clone gets a distinct write; none sees another's.
	for i, ep := range eps {
		if err := exec1(ctx, Postgres, ep, "postgres", m.SourcePassword(), fmt.Sprintf("DELETE FROM legacy.customers WHERE id <= %d", i+1)); err != nil {
			t.Fatal(err)
		}
	}
	for i, ep := range eps {
		q, done, err := login(ctx, Postgres, ep, "postgres", m.SourcePassword(), "")
		if err != nil {
			t.Fatal(err)
		}
		if got, err := q("SELECT COUNT(*) FROM legacy.customers"); err != nil || got != int64(RowCounts(1)["customers"]-i-1) {
			t.Errorf("clone %d: %d customers, %v; want %d", i, got, err, RowCounts(1)["customers"]-i-1)
		}
		done()
	}
}

func TestLeftoversOfACrashedRunAreCleaned(t *testing.T) {
	t.Parallel()
	m := newTestManager(t, Postgres)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	ep, err := m.StartSource(ctx, "prod", Postgres, "postgres")
	if err != nil {
		t.Fatal(err)
	}
	// A second manager on the same state directory is the next run after a
	// crash: the first never stopped its server.
	m2, err := New(Config{StateDir: m.cfg.StateDir, AddrBase: testAddrBase(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer m2.Close()
	if c, err := net.Dial("tcp", ep.String()); err == nil {
		c.Close()
		t.Errorf("the leftover server at %s still listens", ep)
	}
	if _, err := os.Stat(filepath.Join(m.cfg.StateDir, "servers", "prod")); !os.IsNotExist(err) {
		t.Errorf("leftover data: %v, want removed", err)
	}
	m.mu.Lock()
	m.servers = map[string]*server{} // already dealt with
	m.mu.Unlock()
}
