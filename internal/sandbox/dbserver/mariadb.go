package dbserver

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/go-sql-driver/mysql"
)

// mariaEngine serves aurora-mysql clusters with MariaDB, which speaks the
// MySQL protocol and has mariadb-backup for physical copies.
type mariaEngine struct {
	m       *Manager
	once    sync.Once
	bins    map[string]string
	findErr error
}

func (e *mariaEngine) engine() Engine { return MySQL }

func (e *mariaEngine) available() error {
	e.once.Do(func() {
		e.bins = map[string]string{}
		var missing []string
		for _, tool := range [][]string{{"mariadbd", "mysqld"}, {"mariadb-install-db", "mysql_install_db"}, {"mariadb-backup", "mariabackup"}} {
			for _, name := range tool {
				if p, err := exec.LookPath(name); err == nil {
					e.bins[tool[0]] = p
					break
				}
				if p := "/usr/sbin/" + name; fileExists(p) {
					e.bins[tool[0]] = p
					break
				}
			}
			if e.bins[tool[0]] == "" {
				missing = append(missing, tool[0])
			}
		}
		if len(missing) > 0 {
			e.findErr = fmt.Errorf("MariaDB binaries (%s) not found: install Debian's mariadb-server and mariadb-backup packages", strings.Join(missing, ", "))
		}
	})
	return e.findErr
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

var mariaVersion = regexp.MustCompile(`Ver (\S+)`)

func (e *mariaEngine) version(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, e.bins["mariadbd"], "--version").Output()
	if err != nil {
		return "", fmt.Errorf("mariadbd --version: %w", err)
	}
	m := mariaVersion.FindStringSubmatch(string(out))
	if m == nil {
		return "", fmt.Errorf("mariadbd --version said %q", out)
	}
	return m[1], nil
}

func (e *mariaEngine) initData(ctx context.Context, s *server, _ string) error {
	if err := os.MkdirAll(s.dataDir(), 0o700); err != nil {
		return err
	}
	if err := e.m.runAs.chownTree(s.dataDir()); err != nil {
		return err
	}
	if err := runTool(e.m.runAs.command(ctx, e.bins["mariadb-install-db"], "--no-defaults", "--datadir="+s.dataDir(),
		"--auth-root-authentication-method=normal", "--skip-test-db", "--skip-name-resolve")); err != nil {
		return err
	}
	// The admin user is made by an init file at the first start, so that
	// its password is in no argument list; root goes, as on RDS.
	init := fmt.Sprintf(`CREATE USER '%s'@'%%' IDENTIFIED BY '%s';
GRANT ALL PRIVILEGES ON *.* TO '%s'@'%%' WITH GRANT OPTION;
DROP USER IF EXISTS 'root'@'localhost';
`, AdminUser, e.m.secrets.Admin, AdminUser)
	if err := os.WriteFile(e.initFile(s), []byte(init), 0o600); err != nil {
		return err
	}
	return e.m.runAs.chownTree(e.initFile(s))
}

func (e *mariaEngine) initFile(s *server) string { return filepath.Join(s.dir, "init.sql") }

// baseArgs are the server options: small buffers so twenty clones fit,
// and no durability (a sandbox), TLS with the sandbox certificate. Each
// server has a tmpdir of its own: at start a server deletes every #sql
// file in its tmpdir, the temporary tables of servers running beside it
// in a shared /tmp included.
func (e *mariaEngine) baseArgs(s *server, cert tlsFiles) []string {
	return append([]string{"--no-defaults", "--datadir=" + s.dataDir(), "--socket=" + e.socket(s), "--tmpdir=" + e.tmpDir(s),
		"--pid-file=" + filepath.Join(s.dir, "mysqld.pid"), "--skip-name-resolve",
		"--character-set-server=utf8mb4", "--collation-server=utf8mb4_general_ci",
		"--innodb-buffer-pool-size=16M", "--innodb-log-file-size=16M", "--innodb-log-buffer-size=2M",
		"--innodb-flush-log-at-trx-commit=0", "--innodb-doublewrite=0", "--innodb-use-native-aio=0",
		"--innodb-data-file-path=ibdata1:10M:autoextend",
		"--max-connections=20", "--performance-schema=OFF", "--key-buffer-size=1M", "--table-open-cache=200",
		"--ssl-cert=" + cert.cert, "--ssl-key=" + cert.key}, mariaBinlogArgs(s)...)
}

// socket is a unix socket path short enough for the kernel's 108-byte limit.
func (e *mariaEngine) socket(s *server) string {
	p := filepath.Join(s.dir, "mysqld.sock")
	if len(p) < 100 {
		return p
	}
	h := sha256.Sum256([]byte(p))
	return filepath.Join(os.TempDir(), "dbaf-"+hex.EncodeToString(h[:8])+".sock")
}

// tmpDir is the server's own directory for temporary files.
func (e *mariaEngine) tmpDir(s *server) string { return filepath.Join(s.dir, "tmp") }

func (e *mariaEngine) start(ctx context.Context, s *server) error {
	if err := e.available(); err != nil {
		return err
	}
	if err := os.MkdirAll(e.tmpDir(s), 0o700); err != nil {
		return err
	}
	if err := e.m.runAs.chownTree(e.tmpDir(s)); err != nil {
		return err
	}
	ready := func(ctx context.Context) error {
		db, err := e.connect(s, "")
		if err != nil {
			return err
		}
		defer db.Close()
		return db.PingContext(ctx)
	}
	cert, err := e.m.serverCert(s)
	if err != nil {
		return err
	}
	args := append(e.baseArgs(s, cert), "--bind-address="+s.ep.Host, "--port="+strconv.Itoa(s.ep.Port))
	if fileExists(e.initFile(s)) {
		args = append(args, "--init-file="+e.initFile(s))
		defer os.Remove(e.initFile(s))
	}
	return s.launch(ctx, e.m.runAs, ready, e.bins["mariadbd"], args...)
}

func (e *mariaEngine) connect(s *server, db string) (*sql.DB, error) {
	cfg := mysql.NewConfig()
	cfg.User, cfg.Passwd = AdminUser, e.m.secrets.Admin
	cfg.Net, cfg.Addr, cfg.DBName = "tcp", s.ep.String(), db
	cfg.TLSConfig = "skip-verify" // the sandbox's own self-signed certificate
	cfg.InterpolateParams = true  // so that ? works in CREATE/ALTER USER
	cfg.MultiStatements = false
	return sql.Open("mysql", cfg.FormatDSN())
}

// auroraMySQLMasterPrivileges are the Aurora MySQL 3 master user's global
// privileges (Aurora User Guide, "Master user account privileges") as
// MariaDB names them: no SUPER, no FILE, no SHUTDOWN. MariaDB's CREATE USER
// covers MySQL's CREATE ROLE, DROP ROLE and ROLE_ADMIN, BINLOG MONITOR is
// REPLICATION CLIENT, SET USER is SET_USER_ID; MySQL's
// APPLICATION_PASSWORD_ADMIN and XA_RECOVER_ADMIN have no MariaDB
// counterpart (and nothing dbaf does needs them). DELETE HISTORY is
// MariaDB's own (system-versioned tables): without it the master could not
// GRANT ALL ON a database, which the Aurora master can.
const auroraMySQLMasterPrivileges = "SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, RELOAD, PROCESS, REFERENCES, INDEX, ALTER, " +
	"SHOW DATABASES, CREATE TEMPORARY TABLES, LOCK TABLES, EXECUTE, REPLICATION SLAVE, BINLOG MONITOR, " +
	"CREATE VIEW, SHOW VIEW, CREATE ROUTINE, ALTER ROUTINE, CREATE USER, EVENT, TRIGGER, CONNECTION ADMIN, SET USER, DELETE HISTORY"

func (e *mariaEngine) seed(ctx context.Context, s *server, masterUser string, scale int) error {
	db, err := e.connect(s, "")
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	setup := []struct {
		q    string
		args []any
	}{
		{"CREATE USER ?@'%' IDENTIFIED BY ?", []any{masterUser, e.m.secrets.Source}},
		{"GRANT " + auroraMySQLMasterPrivileges + " ON *.* TO ?@'%' WITH GRANT OPTION", []any{masterUser}},
		{"CREATE DATABASE legacy", nil},
		// The application's roles, made by (administered by) the master
		// user, as in a real database: MySQL tables have no owner, so the
		// roles hold grants on the schema.
		{"CREATE ROLE legacy_app WITH ADMIN ?", []any{masterUser}},
		{"CREATE ROLE legacy_reporting WITH ADMIN ?", []any{masterUser}},
		{"GRANT ALL PRIVILEGES ON legacy.* TO legacy_app", nil},
		{"GRANT SELECT ON legacy.* TO legacy_reporting", nil},
	}
	for _, q := range setup {
		if _, err := db.ExecContext(ctx, q.q, q.args...); err != nil {
			return fmt.Errorf("%w\nin: %s", err, q.q)
		}
	}
	for _, q := range dataset(mariaDialect, scale) {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%w\nin: %.200s", err, q)
		}
	}
	return nil
}

// copyFrom takes a hot physical backup of the running source with
// mariadb-backup and prepares it into a data directory.
func (e *mariaEngine) copyFrom(ctx context.Context, src *server, dst string) error {
	tmp := dst + ".backup"
	_ = os.RemoveAll(tmp)
	defer os.RemoveAll(tmp)
	// The password goes in an option file, not in the argument list.
	cnf := filepath.Join(filepath.Dir(dst), "backup.cnf")
	body := fmt.Sprintf("[client]\nuser=%s\npassword=%s\nhost=%s\nport=%d\n", AdminUser, e.m.secrets.Admin, src.ep.Host, src.ep.Port)
	if err := os.WriteFile(cnf, []byte(body), 0o600); err != nil {
		return err
	}
	defer os.Remove(cnf)
	// mariadb-backup reads the source's files directly, so it runs as us.
	if err := runTool(exec.CommandContext(ctx, e.bins["mariadb-backup"], "--defaults-file="+cnf, "--backup",
		"--target-dir="+tmp, "--datadir="+src.dataDir(), "--protocol=tcp")); err != nil {
		return err
	}
	if err := runTool(exec.CommandContext(ctx, e.bins["mariadb-backup"], "--no-defaults", "--prepare", "--target-dir="+tmp)); err != nil {
		return err
	}
	return os.Rename(tmp, dst)
}

func (e *mariaEngine) setPassword(ctx context.Context, s *server, user, password string) error {
	db, err := e.connect(s, "")
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.ExecContext(ctx, "ALTER USER ?@'%' IDENTIFIED BY ?", user, password)
	return err
}
