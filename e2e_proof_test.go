package main

// The whole journey as a user makes it, per engine, on the account of
// TestSandboxAccountJourneys: `eval $(dbaf sandbox env)`, `dbaf build
// --yes`, the artifact image run with `docker run --network host`, the
// engine's own client with the printed connect line, changes in the clone
// that the source never sees, teardown.

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// legacyTables are the dataset's tables, which every backed source holds.
var legacyTables = []string{"customers", "orders", "order_items", "payments"}

// rowCountsQuery lists "table|rows" for each legacy table, sorted, in both dialects.
func rowCountsQuery() string {
	parts := make([]string, len(legacyTables))
	for i, tb := range legacyTables {
		parts[i] = fmt.Sprintf("SELECT '%s' AS t, count(*) AS n FROM legacy.%s", tb, tb)
	}
	// ORDER BY: a UNION ALL's rows come in no set order (PostgreSQL may
	// append them in parallel), and the lists are compared as text.
	return "SELECT t, n FROM (" + strings.Join(parts, " UNION ALL ") + ") AS c ORDER BY t;"
}

// changesQuery is what a developer may do to a clone and never to the source.
const changesQuery = "UPDATE legacy.customers SET full_name = 'changed in the clone'; DELETE FROM legacy.order_items; DROP TABLE legacy.payments;"

// engineClient runs one engine's command-line client: the printed connect
// line (run by a shell, as a user pastes it) or a source login.
type engineClient struct {
	name string // in stack names
	// batch turns a client line into one that runs SQL from stdin and
	// prints bare "a|b" rows; env gives it the password.
	batch func(line string) string
	env   func(password string) []string
	// source is the client line for a seeded source at host, verifying
	// it with the sandbox's CA file.
	source func(host, ca string) string
}

var pgClient = engineClient{
	name:  "pg",
	batch: func(line string) string { return line + " -XAt -v ON_ERROR_STOP=1" },
	env:   func(pw string) []string { return []string{"PGPASSWORD=" + pw, "PGCONNECT_TIMEOUT=10"} },
	source: func(host, ca string) string {
		return fmt.Sprintf(`psql "host=%s port=5432 user=postgres dbname=postgres sslmode=verify-full sslrootcert=%s"`, host, ca)
	},
}

// The printed mysql line ends in -p, which prompts; the password goes in
// MYSQL_PWD instead, as dbaf connect does.
var mysqlClient = engineClient{
	name: "mysql",
	batch: func(line string) string {
		return strings.TrimSuffix(line, " -p") + ` --batch --skip-column-names --connect-timeout=10 | tr '\t' '|'`
	},
	env: func(pw string) []string { return []string{"MYSQL_PWD=" + pw} },
	source: func(host, ca string) string {
		return fmt.Sprintf("mysql --ssl-ca=%s --ssl-verify-server-cert -h %s -P 3306 -u admin -p", ca, host)
	},
}

// run runs sql through the client line and returns its trimmed output.
func (c engineClient) run(t *testing.T, line, password, sql string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-o", "pipefail", "-c", c.batch(line))
	cmd.Env = append(os.Environ(), c.env(password)...)
	cmd.Stdin = strings.NewReader(sql + "\n")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", line, err, out)
	}
	return strings.TrimSpace(string(out))
}

// accountExports is `dbaf sandbox env` as KEY=VALUE lines.
func accountExports(t *testing.T, env []string) []string {
	t.Helper()
	r := runDbaf(t, env, "sandbox", "env")
	var kvs []string
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		kv, _ := strings.CutPrefix(line, "export ")
		k, v, _ := strings.Cut(kv, "=")
		kvs = append(kvs, k+"="+strings.Trim(v, "'"))
	}
	if r.code != 0 || envValue(kvs, "AWS_ENDPOINT_URL") == "" || envValue(kvs, "DBAF_SANDBOX_DB_PASSWORD") == "" {
		t.Fatalf("sandbox env: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	return kvs
}

type journey struct {
	source, ini string
	client      engineClient
	// passwordVia gives the password to the container: docker run flags,
	// and its stdin.
	passwordVia func(t *testing.T, password string) (flags []string, stdin string)
}

// viaSecretFile mounts the password as a file, named by DB_PASSWORD_FILE.
func viaSecretFile(t *testing.T, password string) ([]string, string) {
	p := filepath.Join(t.TempDir(), "db_password")
	if err := os.WriteFile(p, []byte(password+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return []string{"-v", p + ":/run/secrets/db_password:ro", "-e", "DB_PASSWORD_FILE=/run/secrets/db_password"}, ""
}

// viaStdin pipes the password to --password-stdin.
func viaStdin(_ *testing.T, password string) ([]string, string) {
	return []string{"-i"}, password + "\n"
}

// ordersMySQLINI is prodINI for the seed's Aurora MySQL cluster, in the
// same prod subnets.
var ordersMySQLINI = strings.NewReplacer("prod-aurora", "orders-mysql", "db.r6g.large", "db.r6g.xlarge").Replace(prodINI)

// runJourney is one engine's journey on the account a: the source's rows
// read with the engine's client, `dbaf build`, the image's clone run with
// `docker run --network host`, the printed connect line, changes in the
// clone that the source never sees, and teardown leaving nothing of it.
func runJourney(t *testing.T, a *testAccount, j journey) {
	sbEnv, userEnv, srcPassword := a.sbEnv, a.user, a.srcPassword()
	srcHost := a.sources[j.source]
	if srcHost == "" {
		t.Fatalf("the sandbox has no %s", j.source)
	}
	// The sandbox's CA, as `dbaf sandbox env` exports it: the container gets
	// it mounted at the same path, so the connect line it prints names a file
	// the host has too.
	ca := envValue(sbEnv, "DBAF_CA_BUNDLE")
	if ca == "" {
		t.Fatalf("dbaf sandbox env exports no DBAF_CA_BUNDLE: %q", sbEnv)
	}
	srcLine := j.client.source(srcHost, ca)
	srcCounts := j.client.run(t, srcLine, srcPassword, rowCountsQuery())

	tag := uniqueTag(t, "journey")
	if build := runDbaf(t, userEnv, "build", writeINI(t, fmt.Sprintf(j.ini, tag)), "--yes"); build.code != 0 {
		t.Fatalf("build: exit %d\n%s", build.code, build.stderr)
	}

	stack := fmt.Sprintf("e2e%d-journey-%s", time.Now().UnixNano()%1e9, j.client.name)
	const password = "Journey-pw-4821"
	pwFlags, stdin := j.passwordVia(t, password)
	args := append([]string{"run", "--rm", "--network", "host",
		"-e", "AWS_ENDPOINT_URL", "-e", "AWS_REGION", "-e", "AWS_ACCESS_KEY_ID", "-e", "AWS_SECRET_ACCESS_KEY",
		"-e", "DBAF_CA_BUNDLE", "-v", ca + ":" + ca + ":ro", "-e", "DBAF_POLL_INTERVAL=200ms"}, pwFlags...)
	args = append(args, tag, "clone", "--name", stack)
	if stdin != "" {
		args = append(args, "--password-stdin")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "docker", args...)
	cmd.Env = append(cleanEnv(t), sbEnv...)
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("docker %s: %v\n%s%s", strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	out := stdout.String()
	connect, endpoint, port := field(out, "connect"), field(out, "endpoint"), field(out, "port")
	if connect == "" || endpoint == "" || endpoint == srcHost {
		t.Fatalf("clone result: want a connect line and an endpoint of its own (the source is %s)\n%s%s", srcHost, out, stderr.String())
	}
	if strings.Contains(out+stderr.String(), password) || strings.Contains(strings.Join(args, " "), password) {
		t.Errorf("the password shows in the command line or output:\n%s%s", out, stderr.String())
	}
	if info, err := exec.Command("docker", "ps", "-a", "--filter", "ancestor="+tag, "-q").Output(); err != nil || len(bytes.TrimSpace(info)) != 0 {
		t.Errorf("a container of %s is left: %q %v", tag, info, err)
	}

	// The printed line and the password: the clone holds the source's rows.
	if got := j.client.run(t, connect, password, rowCountsQuery()); got != srcCounts {
		t.Fatalf("row counts in legacy.*:\nclone:\n%s\nsource:\n%s", got, srcCounts)
	}
	j.client.run(t, connect, password, changesQuery)
	after := j.client.run(t, connect, password,
		"SELECT count(*) FROM legacy.customers WHERE full_name = 'changed in the clone'; SELECT count(*) FROM legacy.order_items;")
	if lines := strings.Fields(after); len(lines) != 2 || lines[0] == "0" || lines[1] != "0" {
		t.Errorf("the clone after UPDATE and DELETE: %q, want every customer changed and no order_items", after)
	}
	// The source, with its own password: unchanged.
	if got := j.client.run(t, srcLine, srcPassword, rowCountsQuery()); got != srcCounts {
		t.Errorf("the source's row counts changed with the clone's:\nnow:\n%s\nbefore:\n%s", got, srcCounts)
	}
	if got := j.client.run(t, srcLine, srcPassword, "SELECT count(*) FROM legacy.customers WHERE full_name = 'changed in the clone';"); got != "0" {
		t.Errorf("the clone's UPDATE reached %s source rows", got)
	}

	cluster := ""
	for id, ep := range liveClusters(t, sbEnv) {
		if ep == endpoint {
			cluster = id
		}
	}
	dataDir := filepath.Join(a.st.StateDir, "servers", cluster)
	if _, err := os.Stat(dataDir); cluster == "" || err != nil {
		t.Fatalf("the clone's data (cluster %q): %v", cluster, err)
	}
	if td := runDbaf(t, with(userEnv, "DBAF_POLL_INTERVAL=200ms"), "teardown", stack, "--yes"); td.code != 0 {
		t.Fatalf("teardown: exit %d\n%s", td.code, td.stderr)
	}
	if c, err := net.DialTimeout("tcp", net.JoinHostPort(endpoint, port), time.Second); err == nil {
		c.Close()
		t.Errorf("the torn-down clone's %s:%s still accepts connections", endpoint, port)
	}
	if _, err := os.Stat(dataDir); !os.IsNotExist(err) {
		t.Errorf("the torn-down clone's data %s: %v, want gone", dataDir, err)
	}
}
