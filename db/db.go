// Package db speaks SQL to a clone through the real drivers (pgx for
// aurora-postgresql, go-sql-driver/mysql for aurora-mysql): the handover
// login check with its data summary, masking, and post-clone hooks.
//
// Every connection is TLS and verifies the server as libpq's
// sslmode=verify-full does: its certificate against the target's CA (AWS's
// RDS bundle unless told otherwise, tls.go) and its name against the host
// dialled. It never falls back to plain text, and is opened per call with
// no driver-global registration. Passwords and masking keys never
// appear in an error this package returns.
package db

import (
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/dbaf/dbaf/internal/engine"
	"github.com/dbaf/dbaf/internal/secret"
	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// Engines, as RDS names them (internal/engine's names, for Target.Engine).
const (
	EnginePostgres = engine.AuroraPostgreSQL
	EngineMySQL    = engine.AuroraMySQL
)

// Target is where to log in. Password is a secret: it is never printed.
type Target struct {
	Engine   string // EnginePostgres or EngineMySQL
	Host     string
	Port     int
	User     string
	Password string
	Database string // empty: "postgres" on PostgreSQL, none on MySQL
	// CA is what the server's certificate must chain to; nil = AWS's RDS
	// bundle built into dbaf (BuiltinCA).
	CA *CA
}

// Addr is host:port.
func (t Target) Addr() string { return net.JoinHostPort(t.Host, strconv.Itoa(t.Port)) }

// database is the one to connect to: the given one or the engine's default.
func (t Target) database() string {
	if t.Database == "" && t.Engine == EnginePostgres {
		return "postgres"
	}
	return t.Database
}

func (t Target) validate() error {
	switch {
	case t.Engine != EnginePostgres && t.Engine != EngineMySQL:
		return fmt.Errorf("engine %q is not supported: use %s or %s", t.Engine, EnginePostgres, EngineMySQL)
	case t.Host == "":
		return errors.New("no host to connect to")
	case t.Port <= 0 || t.Port > 65535:
		return fmt.Errorf("port %d is not a TCP port", t.Port)
	case t.User == "":
		return errors.New("no user to log in as")
	}
	return nil
}

// ConnectURL is a URL for the clone without the password, verifying the
// server with the target's CA file, e.g.
// postgresql://postgres@host:5432/postgres?sslmode=verify-full&sslrootcert=/path.
func ConnectURL(t Target) string {
	u := url.URL{Host: t.Addr(), User: url.User(t.User), Path: "/" + t.database()}
	q := url.Values{}
	path := t.ca().Path
	if t.Engine == EngineMySQL {
		u.Scheme = "mysql"
		q.Set("ssl-mode", "VERIFY_IDENTITY")
		if path != "" {
			q.Set("ssl-ca", path)
		}
	} else {
		u.Scheme = "postgresql"
		q.Set("sslmode", "verify-full")
		if path != "" {
			q.Set("sslrootcert", path)
		}
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// conn is how a call reaches the server.
type conn struct {
	connectTimeout time.Duration
	multiStatement bool // MySQL: allow several statements in one Exec
}

// open returns a *sql.DB for t over TLS. Nothing is dialled yet.
func open(t Target, c conn) (*sql.DB, error) {
	if err := t.validate(); err != nil {
		return nil, err
	}
	if c.connectTimeout == 0 {
		c.connectTimeout = 10 * time.Second
	}
	if t.Engine == EngineMySQL {
		cfg := mysql.NewConfig()
		cfg.User, cfg.Passwd, cfg.Net, cfg.Addr, cfg.DBName = t.User, t.Password, "tcp", t.Addr(), t.database()
		// Set on the Config, not registered by name: the driver's TLS
		// registry is global and would collide between concurrent calls.
		cfg.TLS = t.tlsConfig()
		cfg.Timeout = c.connectTimeout
		cfg.AllowNativePasswords = true
		cfg.ClientFoundRows = true // rows matched, not only rows changed: "rows masked" counts them all
		cfg.MultiStatements = c.multiStatement
		cfg.Logger = &mysql.NopLogger{} // the driver would print to stderr on its own
		cfg.Params = map[string]string{"sql_mode": "'STRICT_ALL_TABLES'"}
		connector, err := mysql.NewConnector(cfg)
		if err != nil {
			return nil, scrub(err, t.Password)
		}
		return sql.OpenDB(connector), nil
	}
	// Parsed without the password, which is set afterwards, so no parse
	// error can echo it; verify-full never falls back to plain text, and
	// its TLS settings are replaced by the target's CA.
	dsn := fmt.Sprintf("host=%s port=%d user=%s dbname=%s sslmode=verify-full connect_timeout=%d application_name=dbaf",
		quoteDSN(t.Host), t.Port, quoteDSN(t.User), quoteDSN(t.database()), max(1, int(c.connectTimeout/time.Second)))
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, scrub(err, t.Password)
	}
	cfg.Password = t.Password
	cfg.ConnectTimeout = c.connectTimeout
	cfg.TLSConfig, cfg.Fallbacks = t.tlsConfig(), nil
	return stdlib.OpenDB(*cfg), nil
}

// quoteDSN quotes a libpq key=value value.
func quoteDSN(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// scrub hides the password in err's message, keeping the chain for
// errors.As: drivers sometimes echo their DSN or query.
func scrub(err error, password string) error { return secret.Scrub(err, password, "********") }
