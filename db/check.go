package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
	"time"

	"github.com/dbaf/dbaf/internal/clock"
	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"
)

// UnreachableAdvice is what to tell the developer when the clone is ready
// but cannot be reached from where dbaf runs (a private subnet seen from a
// laptop: the common case on real AWS).
const UnreachableAdvice = "ready; not reachable from this machine: connect from inside the VPC"

// ErrUnreachable means no server answered at the target's address: dial
// timeout, connection refused, no route, or a name that does not resolve.
var ErrUnreachable = errors.New("the database is not reachable from this machine")

// errNoSuchHost marks an unreachable target whose name does not resolve
// here (a private hosted zone, or the sandbox's metadata-only clusters):
// the answer is authoritative and cached, so it is not retried.
var errNoSuchHost = errors.New("no such host")

// LoginRefusedError is a server that answered and refused the credentials.
type LoginRefusedError struct {
	User, Addr string
	Message    string // the server's own words
}

func (e *LoginRefusedError) Error() string {
	return fmt.Sprintf("%s@%s refused the login: %s", e.User, e.Addr, e.Message)
}

// The bounds of Check: a refused login is retried for up to
// DefaultLoginWindow, since RDS may still be applying the new password; an
// address that does not answer for up to DefaultReachWindow; each attempt
// may take DefaultConnectTimeout. The whole check is so bounded by about
// DefaultLoginWindow plus one attempt.
const (
	DefaultConnectTimeout = 5 * time.Second
	DefaultLoginWindow    = 2 * time.Minute
	DefaultReachWindow    = 20 * time.Second
)

// CheckOptions bound the check. Zero values take the defaults above.
type CheckOptions struct {
	ConnectTimeout time.Duration // one attempt
	LoginWindow    time.Duration // how long a refused login is retried
	ReachWindow    time.Duration // how long an unreachable address is retried
	FirstBackoff   time.Duration // first wait between attempts, doubled up to MaxBackoff (default 1s, 10s)
	MaxBackoff     time.Duration

	// Now and Sleep are the clock, injectable so tests do not wait.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
	// OnRetry, if set, hears each failed attempt that will be retried.
	OnRetry func(attempt int, err error, wait time.Duration)
}

func (o *CheckOptions) defaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.ConnectTimeout, DefaultConnectTimeout)
	def(&o.LoginWindow, DefaultLoginWindow)
	def(&o.ReachWindow, DefaultReachWindow)
	def(&o.FirstBackoff, time.Second)
	def(&o.MaxBackoff, 10*time.Second)
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Sleep == nil {
		o.Sleep = clock.Sleep
	}
}

// Summary is what the login check saw on the clone.
type Summary struct {
	Reachable     bool
	ServerVersion string
	Database      string
	Schemas       int   // user schemas (MySQL: databases), system ones left out
	Tables        int   // base tables in those schemas
	SizeBytes     int64 // approximate: PostgreSQL's database size, MySQL's data+index length
	LoginLatency  time.Duration
	Attempts      int
}

// Check logs in to t over TLS with its password and summarises what is
// there. A refused login is retried with backoff for LoginWindow (the new
// password may still be applying), an unreachable address for ReachWindow.
//
// Errors: ErrUnreachable (with a Summary whose Reachable is false: the
// caller says UnreachableAdvice and succeeds), *LoginRefusedError (the
// clone failed), or another error (server reached but the check failed).
func Check(ctx context.Context, t Target, o CheckOptions) (*Summary, error) {
	o.defaults()
	if err := t.validate(); err != nil {
		return nil, err
	}
	start := o.Now()
	wait := o.FirstBackoff
	for attempt := 1; ; attempt++ {
		s, err := checkOnce(ctx, t, o)
		if err == nil {
			s.Attempts = attempt
			return s, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		window := o.LoginWindow
		switch {
		case errors.Is(err, errNoSuchHost):
			window = 0
		case errors.Is(err, ErrUnreachable):
			window = o.ReachWindow
		case !isLoginRefused(err):
			return nil, err // reached, logged in or TLS refused: retrying will not help
		}
		if o.Now().Add(wait).Sub(start) > window {
			if errors.Is(err, ErrUnreachable) {
				return &Summary{Database: t.database(), Attempts: attempt}, err
			}
			return nil, err
		}
		if o.OnRetry != nil {
			o.OnRetry(attempt, err, wait)
		}
		if err := o.Sleep(ctx, wait); err != nil {
			return nil, err
		}
		wait = min(2*wait, o.MaxBackoff)
	}
}

func isLoginRefused(err error) bool {
	var lr *LoginRefusedError
	return errors.As(err, &lr)
}

// checkOnce is one login and summary, its error classified.
func checkOnce(ctx context.Context, t Target, o CheckOptions) (*Summary, error) {
	db, err := open(t, conn{connectTimeout: o.ConnectTimeout})
	if err != nil {
		return nil, err
	}
	defer db.Close()
	began := time.Now() // real time: latency is a measurement, not a wait
	actx, cancel := context.WithTimeout(ctx, o.ConnectTimeout)
	c, err := db.Conn(actx)
	if err == nil {
		err = c.PingContext(actx)
	}
	cancel()
	if err != nil {
		return nil, classify(t, err)
	}
	defer c.Close()
	s := &Summary{Reachable: true, LoginLatency: time.Since(began)}
	// The summary is a few catalogue queries: bounded like a login.
	qctx, cancel := context.WithTimeout(ctx, 4*o.ConnectTimeout)
	defer cancel()
	if err := summarise(qctx, c, t.Engine, s); err != nil {
		return nil, fmt.Errorf("logged in to %s@%s but could not read what is there: %w", t.User, t.Addr(), scrub(err, t.Password))
	}
	return s, nil
}

// systemSchemas are left out of the counts, per engine.
const (
	pgUserSchemas    = "nspname NOT IN ('pg_catalog', 'information_schema') AND nspname NOT LIKE 'pg\\_toast%' AND nspname NOT LIKE 'pg\\_temp\\_%'"
	mysqlUserSchemas = "NOT IN ('mysql', 'information_schema', 'performance_schema', 'sys')"
)

func summarise(ctx context.Context, c *sql.Conn, engine string, s *Summary) error {
	var db sql.NullString
	var q string
	if engine == EngineMySQL {
		q = `SELECT VERSION(), DATABASE(),
			(SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME ` + mysqlUserSchemas + `),
			(SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_TYPE = 'BASE TABLE' AND TABLE_SCHEMA ` + mysqlUserSchemas + `),
			(SELECT CAST(COALESCE(SUM(DATA_LENGTH + INDEX_LENGTH), 0) AS SIGNED) FROM information_schema.TABLES WHERE TABLE_SCHEMA ` + mysqlUserSchemas + `)`
	} else {
		q = `SELECT current_setting('server_version'), current_database(),
			(SELECT count(*) FROM pg_namespace WHERE ` + pgUserSchemas + `),
			(SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
				WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND ` + pgUserSchemas + `),
			pg_database_size(current_database())`
	}
	if err := c.QueryRowContext(ctx, q).Scan(&s.ServerVersion, &db, &s.Schemas, &s.Tables, &s.SizeBytes); err != nil {
		return err
	}
	s.Database = db.String
	return nil
}

// classify turns a failed login into ErrUnreachable, *LoginRefusedError or
// a plain error naming the target, with the password scrubbed.
func classify(t Target, err error) error {
	var pgErr *pgconn.PgError
	var myErr *mysql.MySQLError
	if ce, ok := certificateError(t, err); ok {
		return ce
	}
	switch {
	case errors.As(err, &pgErr) && (pgErr.Code == "28P01" || pgErr.Code == "28000"):
		return &LoginRefusedError{User: t.User, Addr: t.Addr(), Message: scrub(errors.New(pgErr.Message), t.Password).Error()}
	case errors.As(err, &myErr) && (myErr.Number == 1045 || myErr.Number == 1044):
		return &LoginRefusedError{User: t.User, Addr: t.Addr(), Message: scrub(errors.New(myErr.Message), t.Password).Error()}
	case noSuchHost(err):
		return fmt.Errorf("%w: %s: %w", ErrUnreachable, t.Addr(), errNoSuchHost)
	case unreachable(err):
		return fmt.Errorf("%w: %s: %v", ErrUnreachable, t.Addr(), scrub(rootCause(err), t.Password))
	}
	return fmt.Errorf("logging in to %s@%s: %w", t.User, t.Addr(), scrub(err, t.Password))
}

// unreachable: nothing answered at the address, as opposed to a server
// that answered and said no.
func unreachable(err error) bool {
	var dnsErr *net.DNSError
	var opErr *net.OpError
	switch {
	case errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.EHOSTUNREACH),
		errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.ETIMEDOUT):
		return true
	case errors.As(err, &dnsErr):
		return true
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded):
		return true
	case errors.As(err, &opErr) && opErr.Op == "dial":
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func noSuchHost(err error) bool {
	var dnsErr *net.DNSError
	return errors.As(err, &dnsErr) && dnsErr.IsNotFound
}

// rootCause is the innermost error: the OS's words, without the driver's
// prefixes.
func rootCause(err error) error {
	for {
		u := errors.Unwrap(err)
		if u == nil {
			return err
		}
		err = u
	}
}
