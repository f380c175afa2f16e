package testenv

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"database/sql"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"math/big"
	mrand "math/rand/v2"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// DBServer is a throwaway database server for one test: TLS on, reachable
// only over TCP on a loopback address, with a superuser that must use TLS.
type DBServer struct {
	Engine   string // "aurora-postgresql" or "aurora-mysql": what dbaf calls the engine it stands in for
	Host     string
	Port     int
	User     string // superuser
	Password string
	Database string // where tests create their tables
	Dir      string // data directory and logs
}

// Addr is host:port.
func (s *DBServer) Addr() string { return net.JoinHostPort(s.Host, strconv.Itoa(s.Port)) }

// DB opens the server as its superuser over TLS (certificate not verified:
// it is self-signed), closed when the test ends.
func (s *DBServer) DB(tb testing.TB) *sql.DB {
	tb.Helper()
	var db *sql.DB
	switch s.Engine {
	case "aurora-mysql":
		c := mysql.NewConfig()
		c.User, c.Passwd, c.Net, c.Addr, c.DBName = s.User, s.Password, "tcp", s.Addr(), s.Database
		c.TLS = insecureTLS()
		c.MultiStatements = true
		c.Logger = &mysql.NopLogger{}
		conn, err := mysql.NewConnector(c)
		if err != nil {
			tb.Fatal(err)
		}
		db = sql.OpenDB(conn)
	default:
		c, err := pgx.ParseConfig(fmt.Sprintf("host=%s port=%d user=%s dbname=%s sslmode=require", s.Host, s.Port, s.User, s.Database))
		if err != nil {
			tb.Fatal(err)
		}
		c.Password = s.Password
		db = stdlib.OpenDB(*c)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// Exec runs SQL as the superuser, failing the test on error.
func (s *DBServer) Exec(tb testing.TB, query string, args ...any) {
	tb.Helper()
	if _, err := s.DB(tb).ExecContext(context.Background(), query, args...); err != nil {
		tb.Fatalf("%s: %v", firstLine(query), err)
	}
}

// insecureTLS encrypts without verifying: the test certificate is self-signed.
func insecureTLS() *tls.Config { return &tls.Config{InsecureSkipVerify: true} }

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	if len(s) > 120 {
		s = s[:120] + "…"
	}
	return s
}

// serverUser is the unprivileged account a server runs as: PostgreSQL
// refuses to run as root, and MariaDB should not.
func serverUser(tb testing.TB, names ...string) *syscall.Credential {
	tb.Helper()
	for _, n := range append(names, "nobody") {
		u, err := user.Lookup(n)
		if err != nil {
			continue
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
	}
	tb.Fatalf("no unprivileged user among %v to run the database server as", names)
	return nil
}

// serverDir is a fresh directory under t.TempDir owned by cred, with the
// directories above it made traversable (TempDir's are 0700 root).
func serverDir(tb testing.TB, cred *syscall.Credential) string {
	tb.Helper()
	base := tb.TempDir()
	// TempDir is <tmp>/<TestName><random>/<n>, both 0700.
	for _, d := range []string{base, filepath.Dir(base)} {
		if err := os.Chmod(d, 0o711); err != nil {
			tb.Fatal(err)
		}
	}
	dir := filepath.Join(base, "srv")
	if err := os.Mkdir(dir, 0o700); err != nil {
		tb.Fatal(err)
	}
	chown(tb, dir, cred)
	return dir
}

func chown(tb testing.TB, path string, cred *syscall.Credential) {
	tb.Helper()
	if os.Geteuid() != 0 {
		return // not root: everything already belongs to us
	}
	if err := os.Chown(path, int(cred.Uid), int(cred.Gid)); err != nil {
		tb.Fatal(err)
	}
}

// freeLoopback picks a random 127.0.0.x address and a port free on it, so
// parallel servers never meet on 127.0.0.1.
func freeLoopback(tb testing.TB) (string, int) {
	tb.Helper()
	for range 20 {
		host := fmt.Sprintf("127.0.0.%d", 2+mrand.IntN(250))
		l, err := net.Listen("tcp", host+":0")
		if err != nil {
			continue
		}
		port := l.Addr().(*net.TCPAddr).Port
		l.Close()
		return host, port
	}
	tb.Fatal("no free loopback address")
	return "", 0
}

// writeCert writes a self-signed RSA certificate and key for host into dir,
// readable by cred only.
func writeCert(tb testing.TB, dir, host string, cred *syscall.Credential) (certFile, keyFile string) {
	tb.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		tb.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: host},
		IPAddresses:  []net.IP{net.ParseIP(host)},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		tb.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "server.crt"), filepath.Join(dir, "server.key")
	write := func(path, typ string, b []byte) {
		if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: b}), 0o600); err != nil {
			tb.Fatal(err)
		}
		chown(tb, path, cred)
	}
	write(certFile, "CERTIFICATE", der)
	write(keyFile, "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(key))
	return certFile, keyFile
}

func randomPassword(tb testing.TB) string {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		tb.Fatal(err)
	}
	return "pw-" + hex.EncodeToString(b)
}

// findTool is the first of names on PATH or in dirs, or "" after skipping
// (CI unset) or failing (CI set) the test.
func findTool(tb testing.TB, dirs []string, names ...string) string {
	tb.Helper()
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
		for _, d := range dirs {
			if p := filepath.Join(d, n); isExec(p) {
				return p
			}
		}
	}
	if os.Getenv("CI") != "" {
		tb.Fatalf("%s is needed and not installed here; scripts/test.sh installs it", names[0])
	}
	tb.Skipf("skipping: %s not installed and CI is unset; scripts/test.sh installs it", names[0])
	return ""
}

func isExec(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

// runServer starts the server as cred, logging to dir/server.log, stops it
// when the test ends, and waits until ping succeeds (bounded).
func runServer(tb testing.TB, s *DBServer, cred *syscall.Credential, bin string, args ...string) {
	tb.Helper()
	logPath := filepath.Join(s.Dir, "server.log")
	logf, err := os.Create(logPath)
	if err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Setpgid: true}
	if os.Geteuid() != 0 {
		cmd.SysProcAttr.Credential = nil
	}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait(); logf.Close() }()
	tb.Cleanup(func() {
		// SIGTERM is a clean, fast shutdown for both servers; kill if it lingers.
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(20 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
		}
	})
	db := s.DB(tb)
	deadline := time.Now().Add(60 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		err = db.PingContext(ctx)
		cancel()
		if err == nil {
			return
		}
		select {
		case werr := <-exited:
			log, _ := os.ReadFile(logPath)
			tb.Fatalf("%s exited before it was ready (%v):\n%s", filepath.Base(bin), werr, log)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(logPath)
			tb.Fatalf("%s not ready after 60s (last error: %v):\n%s", filepath.Base(bin), err, log)
		}
	}
}

// pgDirs are where Debian's postgresql package (any version) and a local
// build keep the server binaries, which are not on PATH.
var pgDirs = append(pgVersionDirs(), "/usr/local/bin")

func pgVersionDirs() []string {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.Reverse(dirs) // newest first
	return dirs
}

// StartPostgres runs a throwaway PostgreSQL in t.TempDir on a free
// 127.0.0.x address, TLS-only over TCP with a scram-sha-256 superuser
// "postgres", and stops it when the test ends. Skips (CI unset) or fails
// (CI set) when the binaries are missing.
func StartPostgres(tb testing.TB) *DBServer {
	tb.Helper()
	initdb := findTool(tb, pgDirs, "initdb")
	postgres := findTool(tb, []string{filepath.Dir(initdb)}, "postgres")
	cred := serverUser(tb, "postgres")
	dir := serverDir(tb, cred)
	host, port := freeLoopback(tb)
	s := &DBServer{Engine: "aurora-postgresql", Host: host, Port: port, User: "postgres",
		Password: randomPassword(tb), Database: "postgres", Dir: dir}

	data := filepath.Join(dir, "data")
	pwfile := filepath.Join(dir, "pw")
	if err := os.WriteFile(pwfile, []byte(s.Password+"\n"), 0o600); err != nil {
		tb.Fatal(err)
	}
	chown(tb, pwfile, cred)
	cmd := exec.Command(initdb, "-D", data, "-U", s.User, "--pwfile", pwfile, "--auth-host=scram-sha-256",
		"--auth-local=trust", "--encoding=UTF8", "--locale=C", "--no-sync")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if os.Geteuid() != 0 {
		cmd.SysProcAttr = nil
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("initdb: %v\n%s", err, out)
	}
	os.Remove(pwfile)
	cert, key := writeCert(tb, dir, host, cred)
	// TLS required over TCP, as on Aurora with rds.force_ssl.
	hba := filepath.Join(dir, "pg_hba.conf")
	if err := os.WriteFile(hba, []byte("local all all trust\nhostssl all all 127.0.0.0/8 scram-sha-256\n"), 0o600); err != nil {
		tb.Fatal(err)
	}
	chown(tb, hba, cred)
	runServer(tb, s, cred, postgres, "-D", data,
		"-c", "listen_addresses="+host, "-c", "port="+strconv.Itoa(port),
		"-c", "unix_socket_directories="+dir, "-c", "hba_file="+hba,
		"-c", "ssl=on", "-c", "ssl_cert_file="+cert, "-c", "ssl_key_file="+key,
		"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
		"-c", "max_connections=30", "-c", "shared_buffers=64MB")
	return s
}

// StartMariaDB runs a throwaway MariaDB in t.TempDir on a free 127.0.0.x
// address with TLS, a superuser "admin" that must use TLS, and a database
// "app"; it stops it when the test ends. Skips (CI unset) or fails (CI set)
// when the binaries are missing.
func StartMariaDB(tb testing.TB) *DBServer {
	tb.Helper()
	install := findTool(tb, nil, "mariadb-install-db", "mysql_install_db")
	mariadbd := findTool(tb, []string{"/usr/sbin"}, "mariadbd", "mysqld")
	cred := serverUser(tb, "mysql")
	dir := serverDir(tb, cred)
	host, port := freeLoopback(tb)
	s := &DBServer{Engine: "aurora-mysql", Host: host, Port: port, User: "admin",
		Password: randomPassword(tb), Database: "app", Dir: dir}

	data := filepath.Join(dir, "data")
	cmd := exec.Command(install, "--no-defaults", "--datadir="+data, "--auth-root-authentication-method=socket",
		"--skip-test-db", "--skip-name-resolve")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if os.Geteuid() != 0 {
		cmd.SysProcAttr = nil
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("mariadb-install-db: %v\n%s", err, out)
	}
	cert, key := writeCert(tb, dir, host, cred)
	// The init file runs at every start: idempotent statements only.
	initSQL := fmt.Sprintf("CREATE USER IF NOT EXISTS '%s'@'%%' IDENTIFIED BY '%s' REQUIRE SSL;\n"+
		"GRANT ALL ON *.* TO '%s'@'%%' WITH GRANT OPTION;\nCREATE DATABASE IF NOT EXISTS %s;\n",
		s.User, s.Password, s.User, s.Database)
	initFile := filepath.Join(dir, "init.sql")
	if err := os.WriteFile(initFile, []byte(initSQL), 0o600); err != nil {
		tb.Fatal(err)
	}
	chown(tb, initFile, cred)
	runServer(tb, s, cred, mariadbd, "--no-defaults", "--datadir="+data,
		"--bind-address="+host, "--port="+strconv.Itoa(port), "--socket="+filepath.Join(dir, "mysqld.sock"),
		"--pid-file="+filepath.Join(dir, "mysqld.pid"), "--skip-name-resolve", "--init-file="+initFile,
		"--ssl-cert="+cert, "--ssl-key="+key, "--innodb-flush-log-at-trx-commit=0",
		"--character-set-server=utf8mb4", "--collation-server=utf8mb4_unicode_ci", // as Aurora MySQL 3
		"--innodb-buffer-pool-size=128M", "--skip-log-bin", "--max-connections=30")
	return s
}
