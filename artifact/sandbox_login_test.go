package artifact_test

// The handover login check through the real SDK against an in-process
// sandbox whose clusters are real PostgreSQL servers.

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dbaf/dbaf/artifact"
	"github.com/dbaf/dbaf/aws"
	"github.com/dbaf/dbaf/db"
	"github.com/dbaf/dbaf/internal/sandbox"
	"github.com/dbaf/dbaf/internal/sandbox/dbserver"
	"github.com/dbaf/dbaf/internal/testenv"
)

// sandboxWithDatabases serves a sandbox whose prod-aurora is a real
// PostgreSQL server; outside CI it skips when PostgreSQL is missing.
func sandboxWithDatabases(tb testing.TB) (*aws.Client, *sandbox.Server) {
	tb.Helper()
	testenv.NeedPostgres(tb)
	a := testenv.StartSandbox(tb, sandbox.Options{Pace: 0.05, DBSources: []string{"prod-aurora"},
		Databases: &dbserver.Config{StateDir: tb.TempDir(), AddrBase: "127.86", TemplateDir: testenv.TemplateDir()}})
	return a.Client(tb, 0), a.Server
}

func inject(t *testing.T, sb *sandbox.Server, spec string) {
	t.Helper()
	f, err := sandbox.ParseFault(spec)
	if err != nil {
		t.Fatal(err)
	}
	sb.Inject(f)
}

func TestCloneLoginAgainstRealDatabase(t *testing.T) {
	t.Parallel()
	c, sb := sandboxWithDatabases(t)
	a := resolveProd(t, c)
	ctx := context.Background()
	// A short wait: the faults below make the check retry until it is over.
	req := func(name string) artifact.CloneRequest {
		return artifact.CloneRequest{Artifact: a, Name: name, Password: "a-Secret-123", PollInterval: 100 * time.Millisecond, LoginWait: 2 * time.Second,
			CA: testenv.CA(t, sb.DBCAFile())}
	}

	t.Run("ready with what it saw", func(t *testing.T) {
		var tl timeline
		ready, err := artifact.Clone(ctx, req("login-ok"), c, tl.emit)
		if err != nil {
			t.Fatal(err)
		}
		l := ready.Login
		if l == nil || !l.Reachable || !l.LoggedIn || !strings.HasPrefix(l.ServerVersion, "15.") || l.Database != "postgres" ||
			l.Schemas < 1 || l.Tables < 4 || l.SizeBytes <= 0 || l.LatencyMS <= 0 || l.Note != "" {
			t.Errorf("ready.Login = %+v; want PostgreSQL 15.x with the legacy tables", l)
		}
		t.Logf("login saw %+v", l)
		// psql, an independent client, counts the same tables.
		if _, err := exec.LookPath("psql"); err == nil && l != nil {
			cmd := exec.Command("psql", "-XAtc", `SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')`,
				"host="+ready.Endpoint+" port=5432 user=postgres dbname=postgres sslmode=require")
			cmd.Env = append(os.Environ(), "PGPASSWORD=a-Secret-123")
			out, err := cmd.Output()
			if got := strings.TrimSpace(string(out)); err != nil || got != strconv.Itoa(l.Tables) {
				t.Errorf("psql counts %q tables (%v); the login check saw %d", got, err, l.Tables)
			}
		}
	})

	t.Run("password not applied is a failed clone", func(t *testing.T) {
		inject(t, sb, "rds:ModifyDBCluster=PasswordNotApplied:1")
		var tl timeline
		_, err := artifact.Clone(ctx, req("login-refused"), c, tl.emit)
		var ce *artifact.CloneError
		var lr *db.LoginRefusedError
		if !errors.As(err, &ce) || !errors.As(err, &lr) || lr.User != "postgres" {
			t.Fatalf("err = %v; want a CloneError wrapping the refused login", err)
		}
		for _, want := range []string{"postgres@", "refused the login", "dbaf --region eu-west-1 clone --name login-refused --reset-password", "dbaf --region eu-west-1 teardown login-refused --yes"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error lacks %q:\n%v", want, err)
			}
		}
		if strings.Contains(err.Error(), "a-Secret-123") {
			t.Errorf("the password leaked: %v", err)
		}
		retries := 0
		for _, e := range tl.events {
			if p, ok := e.(artifact.Progress); ok && p.Step == string(artifact.PhaseLoggingIn) {
				retries++
			}
		}
		if retries == 0 {
			t.Error("the refused login was not retried while the password might still be applying")
		}
		if f, ok := tl.events[len(tl.events)-1].(artifact.CloneFailed); !ok || !f.Kept || f.State != artifact.StateLoginFailed {
			t.Errorf("final event %#v", tl.events[len(tl.events)-1])
		}
	})

	t.Run("unreachable endpoint is ready with advice", func(t *testing.T) {
		inject(t, sb, "rds:ModifyDBCluster=EndpointUnreachable:1")
		ready, err := artifact.Clone(ctx, req("login-unreachable"), c, nil)
		if err != nil {
			t.Fatal(err)
		}
		if l := ready.Login; l == nil || l.Reachable || l.LoggedIn || !strings.HasPrefix(l.Note, db.UnreachableAdvice) {
			t.Errorf("ready.Login = %+v; want unreachable with %q", l, db.UnreachableAdvice)
		}
	})
}

// BenchmarkCloneLoginCheck measures the time the login check adds to the
// handover (phase "logging in" to "ready") on clones of a real PostgreSQL
// server on loopback:
//
//	go test ./artifact -run '^$' -bench CloneLoginCheck -benchtime 3x
func BenchmarkCloneLoginCheck(b *testing.B) {
	c, sb := sandboxWithDatabases(b)
	a := resolveProd(b, c)
	var total time.Duration
	n := 0
	for b.Loop() {
		var tl timeline
		name := "bench-login-" + strings.ReplaceAll(time.Now().Format("150405.000000"), ".", "")
		if _, err := artifact.Clone(context.Background(), artifact.CloneRequest{Artifact: a, Name: name, Password: "a-Secret-123",
			PollInterval: 100 * time.Millisecond, CA: testenv.CA(b, sb.DBCAFile())}, c, tl.emit); err != nil {
			b.Fatal(err)
		}
		var from, to time.Time
		for i, e := range tl.events {
			if p, ok := e.(artifact.Phase); ok {
				switch p.Phase {
				case artifact.PhaseLoggingIn:
					from = tl.at[i]
				case artifact.PhaseReady:
					to = tl.at[i]
				}
			}
		}
		total += to.Sub(from)
		n++
	}
	b.ReportMetric(float64(total.Microseconds())/1000/float64(n), "ms-login-check")
}
