package artifact_test

// Masking through the real SDK against an in-process sandbox whose
// clusters are real PostgreSQL and MariaDB servers holding the legacy
// dataset: the clone is compared in full with its source.

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/dbaf/dbaf/artifact"
	"github.com/dbaf/dbaf/aws"
	"github.com/dbaf/dbaf/config"
	"github.com/dbaf/dbaf/db"
	"github.com/dbaf/dbaf/internal/sandbox"
	"github.com/dbaf/dbaf/internal/sandbox/dbserver"
	"github.com/dbaf/dbaf/internal/testenv"
)

// passwordRecorder is the real client, remembering every master password
// set: the test needs the temporary one to prove it leaks nowhere.
type passwordRecorder struct {
	*aws.Client
	mu        sync.Mutex
	passwords []string
}

func (r *passwordRecorder) ResetMasterPassword(ctx context.Context, id, pw string) error {
	r.mu.Lock()
	r.passwords = append(r.passwords, pw)
	r.mu.Unlock()
	return r.Client.ResetMasterPassword(ctx, id, pw)
}

type maskEnv struct {
	c       *passwordRecorder
	rds     *rds.Client
	sb      *sandbox.Server
	sbLog   *testenv.LockedBuffer
	srcPass string
}

// sandboxWithBothEngines serves prod-aurora (PostgreSQL) and orders-mysql
// (MariaDB) as real servers; outside CI it skips when either is missing.
func sandboxWithBothEngines(t *testing.T) *maskEnv {
	t.Helper()
	testenv.NeedPostgres(t)
	testenv.NeedMariaDB(t)
	log := &testenv.LockedBuffer{}
	acct := testenv.StartSandbox(t, sandbox.Options{Pace: 0.05, DBSources: []string{"prod-aurora", "orders-mysql"},
		Databases: &dbserver.Config{StateDir: t.TempDir(), AddrBase: "127.87", Log: log, TemplateDir: testenv.TemplateDir()}})
	cfg, err := aws.LoadConfig(context.Background(), aws.Options{Region: acct.Env["AWS_REGION"], EndpointURL: acct.URL,
		AccessKeyID: acct.Env["AWS_ACCESS_KEY_ID"], SecretAccessKey: acct.Env["AWS_SECRET_ACCESS_KEY"]})
	if err != nil {
		t.Fatal(err)
	}
	return &maskEnv{c: &passwordRecorder{Client: acct.Client(t, 0)}, rds: rds.NewFromConfig(cfg), sb: acct.Server, sbLog: log, srcPass: acct.Server.DBPassword()}
}

func (e *maskEnv) resolve(t *testing.T, source string) *artifact.Artifact {
	t.Helper()
	ini := fmt.Sprintf("[source_db]\nsource_db_cluster_id = %s\n[target_db]\nsubnet_ids = source\ninstance_type = db.r6g.large\n[artifact]\nclone_ttl = 4h\npublisher_contact = dataops@example.com\n", source)
	cfg, _, err := config.Parse("test.ini", []byte(ini))
	if err != nil {
		t.Fatal(err)
	}
	a, err := artifact.Resolve(context.Background(), cfg, e.c.Client, time.Unix(1764000000, 0), func(string) {})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// open logs in over TLS with database/sql, as an independent client.
func open(t *testing.T, engine, host string, port int, user, password string) *sql.DB {
	t.Helper()
	if engine == db.EngineMySQL {
		c := mysql.NewConfig()
		c.User, c.Passwd, c.Net, c.Addr, c.DBName, c.TLSConfig = user, password, "tcp", fmt.Sprintf("%s:%d", host, port), "legacy", "skip-verify"
		d, err := sql.Open("mysql", c.FormatDSN())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		return d
	}
	c, err := pgx.ParseConfig(fmt.Sprintf("host=%s port=%d user=%s dbname=postgres sslmode=require", host, port, user))
	if err != nil {
		t.Fatal(err)
	}
	c.Password = password
	d := stdlib.OpenDB(*c)
	t.Cleanup(func() { d.Close() })
	return d
}

func (e *maskEnv) source(t *testing.T, a *artifact.Artifact) *sql.DB {
	t.Helper()
	out, err := e.rds.DescribeDBClusters(context.Background(), &rds.DescribeDBClustersInput{DBClusterIdentifier: awssdk.String(a.Source.ClusterID)})
	if err != nil {
		t.Fatal(err)
	}
	cl := out.DBClusters[0]
	return open(t, a.Source.Engine, awssdk.ToString(cl.Endpoint), int(awssdk.ToInt32(cl.Port)), a.Source.MasterUsername, e.srcPass)
}

// table is every row of a legacy table as text (NULL as nil), by id.
type table struct {
	cols []string
	rows map[string][]*string
}

func readTable(t *testing.T, d *sql.DB, name string) table {
	t.Helper()
	rs, err := d.Query("SELECT * FROM legacy." + name + " ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	cols, _ := rs.Columns()
	tb := table{cols: cols, rows: map[string][]*string{}}
	for rs.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rs.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		row := make([]*string, len(cols))
		for i, v := range vals {
			if v.Valid {
				s := v.String
				row[i] = &s
			}
		}
		tb.rows[*row[0]] = row
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
	return tb
}

var legacyTables = []string{"customers", "orders", "order_items", "payments"}

func readAll(t *testing.T, d *sql.DB) map[string]table {
	out := map[string]table{}
	for _, n := range legacyTables {
		out[n] = readTable(t, d, n)
	}
	return out
}

// proofRules are the rules, plus card_last4=hash: its values
// repeat, so "the same hash for the same input" is tested on real repeats.
var proofRules = []artifact.MaskRule{
	{Column: "legacy.customers.email", Strategy: "email"},
	{Column: "legacy.customers.phone", Strategy: "null"},
	{Column: "legacy.customers.national_id", Strategy: "redact:4"},
	{Column: "legacy.customers.full_name", Strategy: "name"},
	{Column: "legacy.payments.iban", Strategy: "hash"},
	{Column: "legacy.payments.card_last4", Strategy: "hash"},
	{Column: "legacy.customers.date_of_birth", Strategy: "keep"},
}

func proofHooks(engine string) []artifact.Hook {
	text := "text"
	if engine == db.EngineMySQL {
		text = "varchar(40)"
	}
	return []artifact.Hook{
		{Name: "hooks/01-log.sql", SQL: "-- the hook log\nCREATE TABLE legacy.hook_log (step " + text + ", n bigint);\n"},
		{Name: "hooks/02-count.sql", SQL: "INSERT INTO legacy.hook_log\n  SELECT 'customers', count(*) FROM legacy.customers;\n"},
	}
}

var hexHash = regexp.MustCompile(`^[0-9a-f]{64}$`)

func TestCloneMasksRealDatabases(t *testing.T) {
	t.Parallel()
	all := sandboxWithBothEngines(t)
	for _, source := range []string{"prod-aurora", "orders-mysql"} {
		t.Run(source, func(t *testing.T) {
			t.Parallel()
			e := all.withOwnRecorder()
			a := e.resolve(t, source)
			a.Masking, a.Hooks = proofRules, proofHooks(a.Source.Engine)
			src := e.source(t, a)
			before := readAll(t, src)
			req := func(name string) artifact.CloneRequest {
				return artifact.CloneRequest{Artifact: a, Name: name, Password: "dev-Secret-123", PollInterval: 100 * time.Millisecond, LoginWait: time.Minute, // generous: a loaded machine applies passwords slowly
					CA: testenv.CA(t, e.sb.DBCAFile())}
			}

			t.Run("masked before handover", func(t *testing.T) {
				var tl timeline
				e.c.mu.Lock()
				e.c.passwords = nil
				e.c.mu.Unlock()
				ready, err := artifact.Clone(context.Background(), req("masked-"+source), e.c, tl.emit)
				if err != nil {
					t.Fatal(err)
				}
				temp := e.tempPassword(t)
				e.noSecret(t, temp, tl.events, nil, ready.ClusterID)
				port := 5432
				if a.Source.Engine == db.EngineMySQL {
					port = 3306
				}
				clone := readAll(t, open(t, a.Source.Engine, ready.Endpoint, port, ready.Username, "dev-Secret-123"))
				after := readAll(t, src)
				compareMasked(t, before, clone)
				for _, n := range legacyTables {
					if diff := diffTables(before[n], after[n], nil); diff != "" {
						t.Errorf("the source's %s changed: %s", n, diff)
					}
				}
				// The hooks ran, in order, after masking, on one session.
				var step string
				var n int64
				cdb := open(t, a.Source.Engine, ready.Endpoint, port, ready.Username, "dev-Secret-123")
				if err := cdb.QueryRow("SELECT step, n FROM legacy.hook_log").Scan(&step, &n); err != nil || step != "customers" || n != int64(len(before["customers"].rows)) {
					t.Errorf("hook_log = %q %d (%v); want the customers counted", step, n, err)
				}
				var tables, done, hooks int
				for _, ev := range tl.events {
					switch ev := ev.(type) {
					case artifact.MaskTableStarted:
						tables++
					case artifact.MaskTableDone:
						done++
						if want := len(before[strings.TrimPrefix(ev.Table, "legacy.")].rows); ev.Rows != int64(want) {
							t.Errorf("%s: %d rows masked; the table has %d", ev.Table, ev.Rows, want)
						}
					case artifact.HookDone:
						hooks++
					}
				}
				if tables != 2 || done != 2 || hooks != 2 {
					t.Errorf("events: %d tables started, %d done, %d hooks; want 2, 2, 2", tables, done, hooks)
				}
			})

			t.Run("missing column fails before any change", func(t *testing.T) {
				b := *a
				b.Masking = append(append([]artifact.MaskRule{}, proofRules...), artifact.MaskRule{Column: "legacy.customers.nope", Strategy: "null"})
				r := req("nocol-" + source)
				r.Artifact, r.KeepOnFailure = &b, true // kept, to look inside
				e.c.mu.Lock()
				e.c.passwords = nil
				e.c.mu.Unlock()
				var tl timeline
				_, err := artifact.Clone(context.Background(), r, e.c, tl.emit)
				var ce *artifact.CloneError
				if !errors.As(err, &ce) || !strings.Contains(err.Error(), "legacy.customers.nope") || !strings.Contains(err.Error(), "does not exist") {
					t.Fatalf("err = %v; want a failed clone naming legacy.customers.nope", err)
				}
				if !ce.Failed.Kept || !strings.Contains(err.Error(), "UNMASKED") {
					t.Errorf("failed = %+v", ce.Failed)
				}
				temp := e.tempPassword(t)
				e.noSecret(t, temp, tl.events, err, r.Name)
				// Only the test, which saw the temporary password, can look:
				// every table is as in the source.
				st, derr := e.c.DescribeStack(context.Background(), r.Name)
				if derr != nil {
					t.Fatal(derr)
				}
				port := 5432
				if a.Source.Engine == db.EngineMySQL {
					port = 3306
				}
				kept := readAll(t, open(t, a.Source.Engine, st.Outputs["Endpoint"], port, a.Source.MasterUsername, temp))
				for _, n := range legacyTables {
					if diff := diffTables(before[n], kept[n], nil); diff != "" {
						t.Errorf("%s changed although a rule was wrong: %s", n, diff)
					}
				}
				if err := artifact.Teardown(context.Background(), artifact.TeardownRequest{Stack: r.Name, PollInterval: 100 * time.Millisecond}, e.c, nil); err != nil {
					t.Fatal(err)
				}
			})

			t.Run("failing hook tears down with file:line", func(t *testing.T) {
				b := *a
				b.Hooks = append(proofHooks(a.Source.Engine), artifact.Hook{Name: "hooks/03-bad.sql", SQL: "SELECT 1;\n\nUPDATE legacy.no_such_table SET x = 1;\n"})
				r := req("badhook-" + source)
				r.Artifact = &b
				e.c.mu.Lock()
				e.c.passwords = nil
				e.c.mu.Unlock()
				var tl timeline
				_, err := artifact.Clone(context.Background(), r, e.c, tl.emit)
				var ce *artifact.CloneError
				if !errors.As(err, &ce) || !strings.Contains(err.Error(), "hooks/03-bad.sql:3") || !strings.Contains(err.Error(), "no_such_table") {
					t.Fatalf("err = %v; want the hook's file:line and the server's error", err)
				}
				if ce.Failed.Kept {
					t.Errorf("failed = %+v; want torn down", ce.Failed)
				}
				e.noSecret(t, e.tempPassword(t), tl.events, err, "")
				st, derr := e.c.DescribeStack(context.Background(), r.Name)
				var ae *aws.Error
				if !(errors.As(derr, &ae) && ae.Kind == aws.NotFound) && !(derr == nil && st.Status == "DELETE_COMPLETE") {
					t.Errorf("stack after a failed hook: %+v, %v; want it deleted", st, derr)
				}
				if len(e.c.passwords) != 1 {
					t.Errorf("%d passwords set; want only the temporary one", len(e.c.passwords))
				}
			})
		})
	}
}

// withOwnRecorder is e with a password recorder of its own, so that the
// engines' clones run side by side.
func (e *maskEnv) withOwnRecorder() *maskEnv {
	c := *e
	c.c = &passwordRecorder{Client: e.c.Client}
	return &c
}

// tempPassword is the first password the clone was given.
func (e *maskEnv) tempPassword(t *testing.T) string {
	t.Helper()
	e.c.mu.Lock()
	defer e.c.mu.Unlock()
	if len(e.c.passwords) == 0 || e.c.passwords[0] == "dev-Secret-123" {
		t.Fatalf("passwords set: %d; want a temporary one first", len(e.c.passwords))
	}
	return e.c.passwords[0]
}

// noSecret fails when secret is in an event, the error, the sandbox's
// log, or the clone cluster's tags.
func (e *maskEnv) noSecret(t *testing.T, secret string, evs []artifact.Event, err error, clusterID string) {
	t.Helper()
	for _, ev := range evs {
		b, _ := json.Marshal(ev)
		if strings.Contains(string(b), secret) || strings.Contains(fmt.Sprintf("%#v", ev), secret) {
			t.Errorf("the temporary password is in event %s", artifact.Kind(ev))
		}
	}
	if err != nil && strings.Contains(err.Error(), secret) {
		t.Error("the temporary password is in the error")
	}
	if strings.Contains(e.sbLog.String(), secret) {
		t.Error("the temporary password is in the sandbox's log")
	}
	if clusterID != "" {
		cl, cerr := e.c.ClusterSummary(context.Background(), clusterID)
		if cerr != nil {
			t.Fatal(cerr)
		}
		if strings.Contains(fmt.Sprint(cl.Tags), secret) {
			t.Error("the temporary password is in the cluster's tags")
		}
	}
}

// masked are the columns the proof rules change, by table.
var masked = map[string][]string{
	"customers": {"email", "phone", "national_id", "full_name"},
	"payments":  {"iban", "card_last4"},
}

func compareMasked(t *testing.T, src, clone map[string]table) {
	t.Helper()
	// Every original value of a masked column, from any masked column.
	originals := map[string]bool{}
	for tn, cols := range masked {
		for _, c := range cols {
			i := colIndex(src[tn], c)
			for _, r := range src[tn].rows {
				if r[i] != nil && *r[i] != "" {
					originals[*r[i]] = true
				}
			}
		}
	}
	for _, tn := range legacyTables {
		if diff := diffTables(src[tn], clone[tn], masked[tn]); diff != "" {
			t.Errorf("%s: an unmasked column or the rows changed: %s", tn, diff)
		}
		for _, c := range masked[tn] {
			i := colIndex(clone[tn], c)
			for id, r := range clone[tn].rows {
				if r[i] != nil && originals[*r[i]] {
					t.Errorf("%s.%s of row %s is an original value of the source: %q", tn, c, id, *r[i])
					break // one is enough to say it
				}
			}
		}
	}
	// phone=null; national_id keeps its last 4; emails unique where the
	// source's were; equal inputs hash equal.
	cust, ccust := src["customers"], clone["customers"]
	phone, nid, email := colIndex(ccust, "phone"), colIndex(ccust, "national_id"), colIndex(ccust, "email")
	byEmail := map[string]string{}
	for id, r := range ccust.rows {
		s := cust.rows[id]
		if r[phone] != nil {
			t.Fatalf("customer %s: phone %q; want NULL", id, *r[phone])
		}
		if (s[nid] == nil) != (r[nid] == nil) || s[nid] != nil && (len(*r[nid]) != len(*s[nid]) || (*r[nid])[len(*r[nid])-4:] != (*s[nid])[len(*s[nid])-4:] ||
			strings.Trim((*r[nid])[:len(*r[nid])-4], "*") != "") {
			t.Fatalf("customer %s: national_id %v from %v; want redact:4", id, deref(r[nid]), deref(s[nid]))
		}
		if r[email] == nil {
			continue
		}
		if prev, ok := byEmail[*r[email]]; ok && prev != *s[email] {
			t.Fatalf("masked email %s stands for two source emails %q and %q", *r[email], prev, *s[email])
		}
		byEmail[*r[email]] = *s[email]
	}
	pay, cpay := src["payments"], clone["payments"]
	for _, c := range []string{"iban", "card_last4"} {
		i := colIndex(cpay, c)
		hashOf, repeats := map[string]string{}, 0
		for id, r := range cpay.rows {
			s := pay.rows[id][i]
			if s == nil {
				if r[i] != nil {
					t.Fatalf("payments.%s of %s: NULL became %q", c, id, *r[i])
				}
				continue
			}
			if r[i] == nil || !hexHash.MatchString(*r[i]) {
				t.Fatalf("payments.%s of %s = %v; want a hex HMAC", c, id, deref(r[i]))
			}
			if h, ok := hashOf[*s]; ok {
				repeats++
				if h != *r[i] {
					t.Fatalf("payments.%s: %q hashed to %s and %s in one clone", c, *s, h, *r[i])
				}
			}
			hashOf[*s] = *r[i]
		}
		if c == "card_last4" && repeats == 0 {
			t.Errorf("payments.card_last4 had no repeated values: the same-hash check tested nothing")
		}
	}
}

func deref(s *string) string {
	if s == nil {
		return "NULL"
	}
	return *s
}

func colIndex(tb table, c string) int {
	for i, n := range tb.cols {
		if n == c {
			return i
		}
	}
	panic("no column " + c)
}

// diffTables says how b differs from a outside the columns skip: rows,
// columns or values; "" when equal.
func diffTables(a, b table, skip []string) string {
	if strings.Join(a.cols, ",") != strings.Join(b.cols, ",") {
		return fmt.Sprintf("columns %v vs %v", a.cols, b.cols)
	}
	if len(a.rows) != len(b.rows) {
		return fmt.Sprintf("%d rows vs %d", len(a.rows), len(b.rows))
	}
	for id, ra := range a.rows {
		rb, ok := b.rows[id]
		if !ok {
			return "row " + id + " is gone"
		}
		for i, c := range a.cols {
			if contains(skip, c) {
				continue
			}
			if deref(ra[i]) != deref(rb[i]) || (ra[i] == nil) != (rb[i] == nil) {
				return fmt.Sprintf("row %s column %s: %s vs %s", id, c, deref(ra[i]), deref(rb[i]))
			}
		}
	}
	return ""
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
