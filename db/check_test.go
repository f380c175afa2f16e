package db_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dbaf/dbaf/db"
	"github.com/dbaf/dbaf/internal/testenv"
)

// TestMain stops the servers the tests start (testenv.StartPostgres, …).
func TestMain(m *testing.M) { os.Exit(testenv.RunWithDatabases(m)) }

// engines runs f once per engine on a server of its own, in parallel with
// the other tests that do.
func engines(t *testing.T, f func(t *testing.T, s *testenv.DBServer)) {
	t.Parallel()
	for name, start := range map[string]func(testing.TB) *testenv.DBServer{
		"postgres": testenv.StartPostgres, "mariadb": testenv.StartMariaDB,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f(t, start(t))
		})
	}
}

func target(s *testenv.DBServer) db.Target { return s.Target() }

// fakeClock moves only when slept on; onSleep runs at each sleep.
type fakeClock struct {
	now     time.Time
	sleeps  []time.Duration
	onSleep func(n int)
}

func (c *fakeClock) Now() time.Time { return c.now }
func (c *fakeClock) Sleep(_ context.Context, d time.Duration) error {
	c.sleeps = append(c.sleeps, d)
	c.now = c.now.Add(d)
	if c.onSleep != nil {
		c.onSleep(len(c.sleeps))
	}
	return nil
}

func (c *fakeClock) options() db.CheckOptions {
	return db.CheckOptions{Now: c.Now, Sleep: c.Sleep, ConnectTimeout: 5 * time.Second}
}

func TestCheckSummarises(t *testing.T) {
	engines(t, func(t *testing.T, s *testenv.DBServer) {
		// The server holds the sandbox's legacy dataset too: what the test
		// adds is counted against what was there.
		clock := &fakeClock{}
		base, err := db.Check(context.Background(), target(s), clock.options())
		if err != nil {
			t.Fatal(err)
		}
		newSchemas := 0 // MySQL: the database "app", there already
		if s.Engine == db.EnginePostgres {
			s.Exec(t, "CREATE SCHEMA app")
			newSchemas = 1
		}
		s.Exec(t, "CREATE TABLE app.a (id int primary key, v text)")
		s.Exec(t, "CREATE TABLE app.b (id int primary key)")
		s.Exec(t, "INSERT INTO app.a SELECT 1, 'x'")
		s.Exec(t, "CREATE VIEW app.v AS SELECT * FROM app.b") // not a table

		clock = &fakeClock{}
		sum, err := db.Check(context.Background(), target(s), clock.options())
		if err != nil {
			t.Fatal(err)
		}
		wantVersion := "15."
		if s.Engine == db.EngineMySQL {
			wantVersion = "MariaDB"
		}
		if !sum.Reachable || !strings.Contains(sum.ServerVersion, wantVersion) || sum.Database != s.Database ||
			sum.Schemas-base.Schemas != newSchemas || sum.Tables-base.Tables != 2 || sum.SizeBytes <= base.SizeBytes ||
			sum.LoginLatency <= 0 || sum.Attempts != 1 {
			t.Errorf("summary = %+v after %+v; want reachable, version ~%q, database %q, %d more schemas, 2 more tables, a larger size, a latency, 1 attempt",
				sum, base, wantVersion, s.Database, newSchemas)
		}
		if len(clock.sleeps) != 0 {
			t.Errorf("slept %v before a login that worked at once", clock.sleeps)
		}
	})
}

// A refused login is retried with growing waits for the login window, then
// names user@host:port and the server's words, never the password.
func TestCheckLoginRefused(t *testing.T) {
	engines(t, func(t *testing.T, s *testenv.DBServer) {
		tg := target(s)
		tg.Password = "wrong-Secret-123"
		clock := &fakeClock{}
		o := clock.options()
		o.LoginWindow = 20 * time.Second
		_, err := db.Check(context.Background(), tg, o)
		var lr *db.LoginRefusedError
		if !errors.As(err, &lr) {
			t.Fatalf("err = %v; want a LoginRefusedError", err)
		}
		msg := err.Error()
		serverWords := "password authentication failed"
		if s.Engine == db.EngineMySQL {
			serverWords = "Access denied"
		}
		if !strings.Contains(msg, s.User+"@"+s.Addr()) || !strings.Contains(msg, serverWords) || strings.Contains(msg, tg.Password) {
			t.Errorf("error %q: want %s@%s and %q, without the password", msg, s.User, s.Addr(), serverWords)
		}
		want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second}
		if !slicesEqual(clock.sleeps, want) {
			t.Errorf("waits = %v; want %v within the 20s window", clock.sleeps, want)
		}
	})
}

// While RDS applies the new password the old one still works and the new
// one is refused: the check waits until the new one is taken.
func TestCheckWaitsForPassword(t *testing.T) {
	engines(t, func(t *testing.T, s *testenv.DBServer) {
		s.Exec(t, createUser(s.Engine, "dev", "old-password"))
		tg := target(s)
		tg.User, tg.Password = "dev", `n3w 'pw" \;x=y`
		clock := &fakeClock{onSleep: func(n int) {
			if n == 2 { // the password "applies" during the second wait
				s.Exec(t, alterPassword(s.Engine, "dev", tg.Password))
			}
		}}
		sum, err := db.Check(context.Background(), tg, clock.options())
		if err != nil {
			t.Fatal(err)
		}
		if sum.Attempts != 3 || !sum.Reachable {
			t.Errorf("summary = %+v; want reachable on the third attempt", sum)
		}
	})
}

func createUser(engine, user, pw string) string {
	if engine == db.EngineMySQL {
		return "CREATE USER '" + user + "'@'%' IDENTIFIED BY '" + pw + "' REQUIRE SSL; GRANT ALL ON app.* TO '" + user + "'@'%'"
	}
	return "CREATE ROLE " + user + " LOGIN PASSWORD '" + pw + "'"
}

func alterPassword(engine, user, pw string) string {
	q := strings.NewReplacer(`\`, `\\`, `'`, `''`).Replace(pw)
	if engine == db.EngineMySQL {
		return "ALTER USER '" + user + "'@'%' IDENTIFIED BY '" + q + "'"
	}
	return "ALTER ROLE " + user + " PASSWORD '" + strings.ReplaceAll(pw, "'", "''") + "'"
}

func slicesEqual[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Nothing listening: unreachable, retried for the reach window only, and
// reported with a Summary saying so.
func TestCheckUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close() // nothing listens there now: connection refused
	for _, engine := range []string{db.EnginePostgres, db.EngineMySQL} {
		clock := &fakeClock{}
		o := clock.options()
		o.ReachWindow = 5 * time.Second
		tg := db.Target{Engine: engine, Host: "127.0.0.1", Port: port, User: "u", Password: "s3cret-pw"}
		sum, err := db.Check(context.Background(), tg, o)
		if !errors.Is(err, db.ErrUnreachable) || sum == nil || sum.Reachable {
			t.Fatalf("%s: Check = %+v, %v; want ErrUnreachable with an unreachable summary", engine, sum, err)
		}
		if !strings.Contains(err.Error(), "127.0.0.1:"+strconv.Itoa(port)) || strings.Contains(err.Error(), "s3cret-pw") {
			t.Errorf("%s: error %q should name the address and not the password", engine, err)
		}
		if len(clock.sleeps) != 2 { // 1s + 2s fit in 5s, 4s more would not
			t.Errorf("%s: waits %v; want 2 within the 5s reach window", engine, clock.sleeps)
		}
	}
}

// A peer that accepts TCP and never speaks is bounded by the connect
// timeout, not waited on for ever.
func TestCheckSilentPeer(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var held []net.Conn
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
		}
	}()
	for _, engine := range []string{db.EnginePostgres, db.EngineMySQL} {
		clock := &fakeClock{}
		o := clock.options()
		o.ConnectTimeout, o.ReachWindow = 300*time.Millisecond, time.Nanosecond
		tg := db.Target{Engine: engine, Host: "127.0.0.1", Port: l.Addr().(*net.TCPAddr).Port, User: "u", Password: "pw"}
		if _, err := db.Check(context.Background(), tg, o); !errors.Is(err, db.ErrUnreachable) {
			t.Errorf("%s: err = %v; want ErrUnreachable after the connect timeout", engine, err)
		}
	}
}

func TestConnectLines(t *testing.T) {
	ca, err := db.NewCA(db.RDSBundle(), "/home/me/.cache/dbaf/rds-ca.pem", "test")
	if err != nil {
		t.Fatal(err)
	}
	pg := db.Target{Engine: db.EnginePostgres, Host: "h.example", Port: 5432, User: "postgres", Password: "pw", CA: ca}
	my := db.Target{Engine: db.EngineMySQL, Host: "h.example", Port: 3306, User: "admin", Password: "pw", Database: "app", CA: ca}
	for _, c := range []struct{ got, want string }{
		{db.ConnectURL(pg), "postgresql://postgres@h.example:5432/postgres?sslmode=verify-full&sslrootcert=%2Fhome%2Fme%2F.cache%2Fdbaf%2Frds-ca.pem"},
		{db.ConnectURL(my), "mysql://admin@h.example:3306/app?ssl-ca=%2Fhome%2Fme%2F.cache%2Fdbaf%2Frds-ca.pem&ssl-mode=VERIFY_IDENTITY"},
		{db.ConnectURL(db.Target{Engine: db.EnginePostgres, Host: "h", Port: 5432, User: "u"}), "postgresql://u@h:5432/postgres?sslmode=verify-full"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

// A name that does not resolve is unreachable at once: the resolver's "no
// such host" is authoritative, so waiting the reach window would not help.
func TestCheckNoSuchHostIsNotRetried(t *testing.T) {
	clock := &fakeClock{}
	tg := db.Target{Engine: db.EnginePostgres, Host: "clone.cluster-x.dbaf-test.invalid", Port: 5432, User: "u", Password: "pw"}
	sum, err := db.Check(context.Background(), tg, clock.options())
	if !errors.Is(err, db.ErrUnreachable) || sum == nil || sum.Reachable {
		t.Fatalf("Check = %+v, %v; want ErrUnreachable with an unreachable summary", sum, err)
	}
	if !strings.Contains(err.Error(), "no such host") || len(clock.sleeps) != 0 {
		t.Errorf("err %q after waits %v; want \"no such host\" and no retry", err, clock.sleeps)
	}
}

// A server whose certificate another CA issued fails the login at once,
// naming the address and the reason: it is sent nothing, no password least
// of all. Here the target trusts AWS's RDS roots, as dbaf does by default,
// and the server's certificate is the sandbox CA's.
func TestCheckRefusesACertificateFromAnotherCA(t *testing.T) {
	engines(t, func(t *testing.T, s *testenv.DBServer) {
		tg := target(s)
		tg.CA = db.BuiltinCA()
		clock := &fakeClock{}
		_, err := db.Check(context.Background(), tg, clock.options())
		var ce *db.CertificateError
		if !errors.As(err, &ce) || ce.Addr != s.Addr() || len(clock.sleeps) != 0 {
			t.Fatalf("Check = %v (waits %v); want a CertificateError for %s at once", err, clock.sleeps, s.Addr())
		}
		for _, want := range []string{s.Addr(), "certificate signed by unknown authority", db.BuiltinSource, "--ca-bundle"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error lacks %q: %v", want, err)
			}
		}
		if strings.Contains(err.Error(), s.Password) {
			t.Errorf("error holds the password: %v", err)
		}
	})
}

// The server's name is checked too: a certificate the trusted CA issued
// for another name does not vouch for the address dialled. The server is a
// PostgreSQL front that accepts TLS (SSLRequest, then the handshake).
func TestCheckRefusesAnotherHostName(t *testing.T) {
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	caDER, _ := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	caCert, _ := x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	leaf := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "other.example"}, DNSNames: []string{"other.example"},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, _ := x509.CreateCertificate(rand.Reader, leaf, caCert, &key.PublicKey, caKey)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		c, err := l.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		if _, err := io.ReadFull(c, make([]byte, 8)); err != nil { // SSLRequest
			return
		}
		c.Write([]byte("S"))
		tc := tls.Server(c, &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}})
		_ = tc.Handshake()
	}()
	ca, err := db.NewCA(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), "", "the test CA")
	if err != nil {
		t.Fatal(err)
	}
	tg := db.Target{Engine: db.EnginePostgres, Host: "127.0.0.1", Port: l.Addr().(*net.TCPAddr).Port, User: "u", Password: "pw", CA: ca}
	_, err = db.Check(context.Background(), tg, (&fakeClock{}).options())
	var ce *db.CertificateError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "127.0.0.1") || !strings.Contains(err.Error(), "IP SANs") {
		t.Fatalf("Check = %v; want a CertificateError naming the address and the missing name", err)
	}
}

// The embedded bundle is AWS's RDS roots only: every certificate a G1 root
// of a region (RSA2048, RSA4096, ECC384), self-signed, valid now.
func TestBuiltinBundleIsTheRDSRoots(t *testing.T) {
	rest, n := db.RDSBundle(), 0
	for {
		var block *pem.Block
		if block, rest = pem.Decode(rest); block == nil {
			break
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		n++
		subj := c.Subject
		if !rdsRoot.MatchString(subj.CommonName) || len(subj.Organization) != 1 || subj.Organization[0] != "Amazon Web Services, Inc." ||
			c.CheckSignatureFrom(c) != nil || !c.IsCA || time.Now().After(c.NotAfter) || time.Now().Before(c.NotBefore) {
			t.Errorf("not a valid RDS root: %s (%s to %s)", subj, c.NotBefore, c.NotAfter)
		}
	}
	if n < 100 || n%3 != 0 {
		t.Errorf("%d certificates; want the three roots of each of AWS's 34 RDS regions and previews", n)
	}
}

var rdsRoot = regexp.MustCompile(`^Amazon RDS [a-zA-Z0-9 -]+ Root CA (RSA2048|RSA4096|ECC384) G1$`)
