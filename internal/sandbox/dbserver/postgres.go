package dbserver

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"
)

// engine is what the manager needs of a server kind.
type engine interface {
	engine() Engine
	available() error
	version(ctx context.Context) (string, error)
	// initData makes an empty data directory in s.dataDir() whose admin
	// user has the admin password.
	initData(ctx context.Context, s *server, masterUser string) error
	start(ctx context.Context, s *server) error
	seed(ctx context.Context, s *server, masterUser string, scale int) error
	copyFrom(ctx context.Context, src *server, dstData string) error
	setPassword(ctx context.Context, s *server, user, password string) error
}

type pgEngine struct {
	m       *Manager
	once    sync.Once
	bindir  string
	findErr error

	overlayOnce sync.Once // serverBinary (extensions.go)
	overlayBin  string
	overlayErr  error
}

func (e *pgEngine) engine() Engine { return Postgres }

// find locates a PostgreSQL bin directory holding every tool: the one
// `postgres` on PATH lives in, else the newest /usr/lib/postgresql/N/bin.
func (e *pgEngine) available() error {
	e.once.Do(func() {
		tools := []string{"initdb", "postgres", "pg_basebackup"}
		var dirs []string
		if p, err := exec.LookPath("postgres"); err == nil {
			if r, err := filepath.EvalSymlinks(p); err == nil {
				dirs = append(dirs, filepath.Dir(r))
			}
		}
		found, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
		sort.Slice(found, func(i, j int) bool { return pgMajor(found[i]) > pgMajor(found[j]) })
		dirs = append(dirs, found...)
		for _, d := range dirs {
			ok := true
			for _, t := range tools {
				if _, err := os.Stat(filepath.Join(d, t)); err != nil {
					ok = false
				}
			}
			if ok {
				e.bindir = d
				return
			}
		}
		e.findErr = fmt.Errorf("PostgreSQL server binaries (%s) not found on PATH or in /usr/lib/postgresql/*/bin: install Debian's postgresql package", strings.Join(tools, ", "))
	})
	return e.findErr
}

func pgMajor(dir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
	return n
}

func (e *pgEngine) bin(name string) string { return filepath.Join(e.bindir, name) }

func (e *pgEngine) version(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, e.bin("postgres"), "--version").Output()
	if err != nil {
		return "", fmt.Errorf("postgres --version: %w", err)
	}
	f := strings.Fields(string(out))
	if len(f) < 3 {
		return "", fmt.Errorf("postgres --version said %q", out)
	}
	return f[2], nil
}

// pgConf is the sandbox's server configuration: small enough that twenty
// clones fit a small machine. fsync is off: a sandbox server that loses
// its last writes in a power cut is of no concern, and copies are faster.
const pgConf = `
max_connections = 20
shared_buffers = 16MB
work_mem = 4MB
maintenance_work_mem = 32MB
fsync = off
synchronous_commit = off
full_page_writes = off
max_wal_size = 256MB
min_wal_size = 32MB
wal_level = replica
max_wal_senders = 4
wal_keep_size = 128MB
dynamic_shared_memory_type = posix
log_destination = 'stderr'
logging_collector = off
password_encryption = 'scram-sha-256'
ssl = on
unix_socket_directories = ''
datestyle = 'iso, mdy'
timezone = 'UTC'
`

// pgHBA admits password logins over TLS only, as Aurora does with
// rds.force_ssl, and lets the admin take base backups for clones.
const pgHBA = `# dbaf sandbox: TLS and a password, from loopback only
hostssl replication rdsadmin 127.0.0.0/8 scram-sha-256
hostssl all         all      127.0.0.0/8 scram-sha-256
`

func (e *pgEngine) initData(ctx context.Context, s *server, _ string) error {
	pw := filepath.Join(s.dir, "pwfile")
	if err := os.WriteFile(pw, []byte(e.m.secrets.Admin+"\n"), 0o600); err != nil {
		return err
	}
	defer os.Remove(pw)
	if err := e.m.runAs.chownTree(pw); err != nil {
		return err
	}
	if err := os.MkdirAll(s.dataDir(), 0o700); err != nil {
		return err
	}
	if err := e.m.runAs.chownTree(s.dataDir()); err != nil {
		return err
	}
	cmd := e.m.runAs.command(ctx, e.bin("initdb"), "-D", s.dataDir(), "-U", AdminUser, "--pwfile", pw,
		"--auth=scram-sha-256", "--encoding=UTF8", "--locale=C", "--no-sync")
	if err := runTool(cmd); err != nil {
		return err
	}
	conf := filepath.Join(s.dataDir(), "postgresql.conf")
	f, err := os.OpenFile(conf, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	_, err = f.WriteString("\n# dbaf sandbox\n" + pgConf)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(s.dataDir(), "pg_hba.conf"), []byte(pgHBA), 0o600)
}

func (e *pgEngine) start(ctx context.Context, s *server) error {
	if err := e.available(); err != nil {
		return err
	}
	// Address, port and the certificate are per server (or per state
	// directory), so they go on the command line, not into the data
	// directory every copy shares, or a template shared by state directories.
	ready := func(ctx context.Context) error {
		c, err := e.connect(ctx, s, "postgres")
		if err == nil {
			c.Close(ctx)
		}
		return err
	}
	cert, err := e.m.serverCert(s)
	if err != nil {
		return err
	}
	args := append([]string{"-D", s.dataDir(),
		"-c", "listen_addresses=" + s.ep.Host, "-c", "port=" + strconv.Itoa(s.ep.Port),
		"-c", "ssl_cert_file=" + cert.cert, "-c", "ssl_key_file=" + cert.key,
		// Loaded as Aurora's default parameter group loads it.
		"-c", "shared_preload_libraries=pg_stat_statements"}, pgArchiveArgs(s)...)
	return s.launch(ctx, e.m.runAs, ready, e.serverBinary(), args...)
}

func (e *pgEngine) connect(ctx context.Context, s *server, db string) (*pgx.Conn, error) {
	cfg, err := pgx.ParseConfig(fmt.Sprintf("host=%s port=%d user=%s dbname=%s sslmode=require", s.ep.Host, s.ep.Port, AdminUser, db))
	if err != nil {
		return nil, err
	}
	cfg.Password = e.m.secrets.Admin
	return pgx.ConnectConfig(ctx, cfg)
}

func (e *pgEngine) seed(ctx context.Context, s *server, masterUser string, scale int) error {
	c, err := e.connect(ctx, s, "postgres")
	if err != nil {
		return err
	}
	defer c.Close(context.Background())
	role := pgx.Identifier{masterUser}.Sanitize()
	// The master user is Aurora's: NOSUPERUSER, CREATEDB, CREATEROLE, a
	// member of rds_superuser (pg_monitor, pg_signal_backend), and no
	// pg_read_all_data or pg_write_all_data: it reads what it owns, what it
	// was granted and what the roles it is a member of may read. It owns the
	// postgres database, so it may CREATE EXTENSION the extensions
	// PostgreSQL marks trusted (pgcrypto, pg_trgm, ...) there and in the
	// databases it creates.
	setup := []string{
		"CREATE ROLE rds_superuser NOLOGIN",
		"GRANT pg_monitor, pg_signal_backend TO rds_superuser",
		fmt.Sprintf("CREATE ROLE %s LOGIN INHERIT CREATEDB CREATEROLE PASSWORD %s IN ROLE rds_superuser", role, pgLiteral(e.m.secrets.Source)),
		fmt.Sprintf("ALTER DATABASE postgres OWNER TO %s", role),
		fmt.Sprintf("ALTER SCHEMA public OWNER TO %s", role),
		// As in a real database, the application's schema belongs to an
		// application role the master user created: the master user is a
		// member WITH ADMIN OPTION (what PostgreSQL 16 grants a role's
		// creator; on 15, what a CREATEROLE user grants itself), so it can
		// SET ROLE legacy_app, as on Aurora.
		fmt.Sprintf("SET ROLE %s", role),
		"CREATE ROLE legacy_app NOLOGIN",
		"CREATE ROLE legacy_reporting NOLOGIN",
		fmt.Sprintf("GRANT legacy_app, legacy_reporting TO %s WITH ADMIN OPTION", role),
		"CREATE SCHEMA legacy AUTHORIZATION legacy_app",
		"SET ROLE legacy_app",
	}
	grants := []string{
		"GRANT USAGE ON SCHEMA legacy TO legacy_reporting",
		"GRANT SELECT ON ALL TABLES IN SCHEMA legacy TO legacy_reporting",
		"ALTER DEFAULT PRIVILEGES IN SCHEMA legacy GRANT SELECT ON TABLES TO legacy_reporting",
	}
	for _, q := range append(append(setup, pgDataset(scale)...), grants...) {
		if _, err := c.Exec(ctx, q); err != nil {
			return fmt.Errorf("%w\nin: %.200s", err, q)
		}
	}
	if _, err := c.Exec(ctx, "RESET ROLE; CHECKPOINT"); err != nil {
		return err
	}
	return nil
}

func pgLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// copyFrom takes a base backup of the running source: a physical copy,
// consistent, with the WAL it needs streamed alongside.
func (e *pgEngine) copyFrom(ctx context.Context, src *server, dst string) error {
	if err := os.MkdirAll(dst, 0o700); err != nil {
		return err
	}
	if err := e.m.runAs.chownTree(dst); err != nil {
		return err
	}
	cmd := e.m.runAs.command(ctx, e.bin("pg_basebackup"), "-D", dst, "-d",
		fmt.Sprintf("host=%s port=%d user=%s sslmode=require", src.ep.Host, src.ep.Port, AdminUser),
		"-X", "stream", "-c", "fast", "--no-sync", "--no-manifest")
	// The password never goes in argv; HOME is the server user's own
	// directory so libpq looks for no client certificate in ours.
	cmd.Env = append(os.Environ(), "PGPASSWORD="+e.m.secrets.Admin, "HOME="+filepath.Dir(dst))
	return runTool(cmd)
}

func (e *pgEngine) setPassword(ctx context.Context, s *server, user, password string) error {
	c, err := e.connect(ctx, s, "postgres")
	if err != nil {
		return err
	}
	defer c.Close(context.Background())
	// ALTER ROLE takes no bind parameters; the literal goes over TLS and
	// log_statement is off, so it lands in no log.
	_, err = c.Exec(ctx, fmt.Sprintf("ALTER ROLE %s PASSWORD %s", pgx.Identifier{user}.Sanitize(), pgLiteral(password)))
	return err
}
