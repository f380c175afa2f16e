package main

// The masked example artifact end to end: built against the sandbox
// account of TestSandboxAccountJourneys, cloned with a generated password (-o json, no terminal), then
// the clone and its source are read with pgx as independent checks: the
// personal data is masked on the clone, the hooks ran there, and the
// source is untouched.

import (
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// pgConnect logs in with pgx over TLS; the password stays out of any URL.
func pgConnect(t *testing.T, host, port, user, password string) *pgx.Conn {
	t.Helper()
	cfg, err := pgx.ParseConfig(fmt.Sprintf("host=%s port=%s user=%s dbname=postgres sslmode=require connect_timeout=10", host, port, user))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Password = password
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatalf("logging in to %s:%s as %s: %v", host, port, user, err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// pgStrings maps the first column to the second (NULL as nil) for a query
// of "id, value" rows.
func pgStrings(t *testing.T, conn *pgx.Conn, query string) map[int64]*string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rows, err := conn.Query(ctx, query)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	m := map[int64]*string{}
	for rows.Next() {
		var id int64
		var v *string
		if err := rows.Scan(&id, &v); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		m[id] = v
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return m
}

// pgScalar runs a one-value query.
func pgScalar[T any](t *testing.T, conn *pgx.Conn, query string) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var v T
	if err := conn.QueryRow(ctx, query).Scan(&v); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return v
}

func pgRowCounts(t *testing.T, conn *pgx.Conn) map[string]int64 {
	t.Helper()
	counts := map[string]int64{}
	for _, tb := range legacyTables {
		counts[tb] = pgScalar[int64](t, conn, "SELECT count(*) FROM legacy."+tb)
	}
	return counts
}

// maskedClone runs on the account of TestSandboxAccountJourneys.
func maskedClone(t *testing.T, a *testAccount) {
	env, sbEnv := a.env, a.sbEnv

	// The source as it is before any clone.
	srcHost := a.sources["prod-aurora"]
	if srcHost == "" {
		t.Fatal("the sandbox has no prod-aurora")
	}
	src := pgConnect(t, srcHost, "5432", "postgres", a.srcPassword())
	const emailsQ, nationalQ, ibanQ = "SELECT id, email FROM legacy.customers", "SELECT id, national_id FROM legacy.customers", "SELECT id, iban FROM legacy.payments"
	srcEmails, srcNational, srcIBANs := pgStrings(t, src, emailsQ), pgStrings(t, src, nationalQ), pgStrings(t, src, ibanQ)
	srcCounts := pgRowCounts(t, src)
	srcNotes := pgScalar[int64](t, src, "SELECT count(*) FROM legacy.orders WHERE notes IS NOT NULL")
	if len(srcEmails) == 0 || len(srcIBANs) == 0 || srcNotes == 0 {
		t.Fatalf("the source has %d customers, %d payments, %d order notes: nothing to mask", len(srcEmails), len(srcIBANs), srcNotes)
	}

	// 1. Build the masked example into the engine.
	tag := uniqueTag(t, "masked")
	build := runDbaf(t, env, "--sandbox", "build", filepath.Join("examples", "masked_artifact_config.ini"), "--yes", "--tag", tag)
	if build.code != 0 {
		t.Fatalf("build: exit %d\n%s%s", build.code, build.stdout, build.stderr)
	}

	// 2. Clone it with a generated password, as JSON events.
	cl := runDbaf(t, with(env, "DBAF_POLL_INTERVAL=200ms"), "--sandbox", "clone", "--image", tag, "--generate-password", "-o", "json")
	if cl.code != 0 {
		t.Fatalf("clone: exit %d\n%s%s", cl.code, cl.stdout, cl.stderr)
	}
	var ready struct {
		Stack, Endpoint, Port, Username, Password string
		ClusterID                                 string `json:"cluster_id"`
	}
	masking, hooks := false, 0
	started, done := map[string]bool{}, map[string]float64{}
	for _, line := range strings.Split(strings.TrimSpace(cl.stdout), "\n") {
		var ev map[string]any
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatalf("clone -o json printed a line that is not JSON: %q", line)
		}
		switch ev["event"] {
		case "phase":
			masking = masking || ev["phase"] == "masking"
		case "mask_table_started":
			started[fmt.Sprint(ev["table"])] = true
		case "mask_table_done":
			rows, _ := ev["rows"].(float64)
			done[fmt.Sprint(ev["table"])] = rows
		case "hook_done":
			hooks++
		case "clone_ready":
			if err := json.Unmarshal([]byte(line), &ready); err != nil {
				t.Fatal(err)
			}
		}
	}
	final := finalEvents(cl.stdout)
	if ev := lastJSONEvent(t, cl.stdout); ev["event"] != "clone_ready" || final != 1 {
		t.Fatalf("clone's last event %v, %d final events; want one clone_ready\n%s", ev["event"], final, cl.stdout)
	}
	if !masking {
		t.Errorf("no masking phase in the events:\n%s", cl.stdout)
	}
	for _, tb := range []string{"legacy.customers", "legacy.payments"} {
		if !started[tb] || done[tb] <= 0 {
			t.Errorf("%s: started %v, done with %v rows; want started and rows > 0\n%s", tb, started[tb], done[tb], cl.stdout)
		}
	}
	if hooks != 2 {
		t.Errorf("%d hook_done events, want 2\n%s", hooks, cl.stdout)
	}
	if ready.Stack == "" || ready.Endpoint == "" || ready.Endpoint == srcHost || ready.Username == "" || ready.Password == "" {
		t.Fatalf("clone_ready: %+v (the source is %s)", ready, srcHost)
	}
	t.Cleanup(func() {
		// Whatever failed, the clone goes (a second teardown just says there is nothing).
		runDbaf(t, with(env, "DBAF_POLL_INTERVAL=200ms"), "--sandbox", "teardown", ready.Stack, "--yes")
	})
	if strings.Contains(cl.stderr, ready.Password) {
		t.Errorf("the generated password appears on stderr:\n%s", cl.stderr)
	}

	// 3. The clone, logged in to with what clone_ready gave.
	clone := pgConnect(t, ready.Endpoint, ready.Port, ready.Username, ready.Password)
	cloneEmails := pgStrings(t, clone, emailsQ)
	known := map[string]bool{}
	for _, e := range srcEmails {
		if e != nil {
			known[*e] = true
		}
	}
	for id, e := range cloneEmails {
		if e != nil && known[*e] {
			t.Errorf("customer %d: the clone holds the source's email %q", id, *e)
		}
	}
	if n := pgScalar[int64](t, clone, "SELECT count(*) FROM legacy.customers WHERE phone IS NOT NULL"); n != 0 {
		t.Errorf("%d customers on the clone still have a phone, want all NULL", n)
	}
	cloneNational := pgStrings(t, clone, nationalQ)
	if len(cloneNational) != len(srcNational) {
		t.Errorf("national_id: %d customers on the clone, %d on the source", len(cloneNational), len(srcNational))
	}
	for id, s := range srcNational {
		c, ok := cloneNational[id]
		switch {
		case !ok:
			t.Errorf("customer %d is missing on the clone", id)
		case s == nil || c == nil:
			if (s == nil) != (c == nil) {
				t.Errorf("customer %d: national_id %v on the source, %v on the clone", id, s, c)
			}
		case len([]rune(*s)) > 4:
			r := []rune(*s)
			last4 := string(r[len(r)-4:])
			if want := strings.Repeat("*", len(r)-4) + last4; *c != want {
				t.Errorf("customer %d: national_id %q on the clone, want %q (the source's last 4 kept)", id, *c, want)
			}
		}
	}
	cloneIBANs := pgStrings(t, clone, ibanQ)
	for id, s := range srcIBANs {
		if c := cloneIBANs[id]; s != nil && c != nil && *c == *s {
			t.Errorf("payment %d: the clone holds the source's IBAN", id)
		}
	}
	if got := pgRowCounts(t, clone); fmt.Sprint(got) != fmt.Sprint(srcCounts) {
		t.Errorf("row counts: clone %v, source %v", got, srcCounts)
	}
	// The hooks ran on the clone, in order: grants.sql made the analyst
	// role, cleanup.sql dropped the order notes and wrote the audit row.
	if !pgScalar[bool](t, clone, "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'analyst')") {
		t.Error("grants.sql did not run on the clone: no role analyst")
	}
	if !pgScalar[bool](t, clone, "SELECT has_table_privilege('analyst', 'legacy.customers', 'SELECT')") {
		t.Error("grants.sql did not run on the clone: analyst cannot read legacy.customers")
	}
	if n := pgScalar[int64](t, clone, "SELECT count(*) FROM legacy.orders WHERE notes IS NOT NULL"); n != 0 {
		t.Errorf("cleanup.sql did not run on the clone: %d orders keep notes", n)
	}
	if note := pgScalar[string](t, clone, "SELECT string_agg(note, ';') FROM legacy.masking_audit"); note != "customers and payments masked by dbaf" {
		t.Errorf("legacy.masking_audit on the clone holds %q", note)
	}

	// The source: unchanged, and none of the hooks' effects.
	if got := pgStrings(t, src, emailsQ); fmt.Sprint(deref(got)) != fmt.Sprint(deref(srcEmails)) {
		t.Error("the source's emails changed with the clone's masking")
	}
	if got := pgRowCounts(t, src); fmt.Sprint(got) != fmt.Sprint(srcCounts) {
		t.Errorf("the source's row counts changed: now %v, before %v", got, srcCounts)
	}
	if n := pgScalar[int64](t, src, "SELECT count(*) FROM legacy.orders WHERE notes IS NOT NULL"); n != srcNotes {
		t.Errorf("the source's order notes: %d now, %d before", n, srcNotes)
	}
	if pgScalar[bool](t, src, "SELECT to_regclass('legacy.masking_audit') IS NOT NULL") {
		t.Error("cleanup.sql reached the source: it has legacy.masking_audit")
	}

	// 4. The generated password is in neither the stack nor the image.
	var stacks json.RawMessage
	if err := awsCLI(t, sbEnv, &stacks, "cloudformation", "describe-stacks", "--stack-name", ready.Stack); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(stacks), "Parameters") || !strings.Contains(string(stacks), "Outputs") {
		t.Errorf("describe-stacks lacks parameters or outputs: %s", stacks)
	}
	if strings.Contains(string(stacks), ready.Password) {
		t.Errorf("the generated password is in the stack's description: %s", stacks)
	}
	img, err := exec.Command("docker", "image", "inspect", tag).Output()
	if err != nil {
		t.Fatalf("docker image inspect %s: %v", tag, err)
	}
	if strings.Contains(string(img), ready.Password) {
		t.Errorf("the generated password is in the image's configuration")
	}

	// 5. Teardown.
	if td := runDbaf(t, with(env, "DBAF_POLL_INTERVAL=200ms"), "--sandbox", "teardown", ready.Stack, "--yes"); td.code != 0 {
		t.Fatalf("teardown: exit %d\n%s%s", td.code, td.stdout, td.stderr)
	}
	if _, ok := liveClusters(t, sbEnv)[ready.ClusterID]; ok || ready.ClusterID == "" {
		t.Errorf("the AWS CLI still sees cluster %q after teardown", ready.ClusterID)
	}
}

// deref turns NULLs into a marker so two maps compare by value.
func deref(m map[int64]*string) map[int64]string {
	out := make(map[int64]string, len(m))
	for k, v := range m {
		if v == nil {
			out[k] = "\x00NULL"
		} else {
			out[k] = *v
		}
	}
	return out
}
