// Package testenv holds what several packages' tests need from the
// machine: a local registry, and a sandbox account with a dbaf AWS client
// pointed at it. Tests only; nothing in dbaf itself imports it.
//
// It is also where the fast tier is decided: under `go test -short` every
// Need… helper, and everything here that starts a real server (database
// servers, a sandbox with databases, a registry), skips the test, so the
// short run keeps the unit, golden and in-process tests only
// (docs/testing.md).
//
// Test support only: deadcode reports it unreachable from main, as it should.
package testenv

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dbaf/dbaf/aws"
	"github.com/dbaf/dbaf/internal/sandbox"
)

// checked remembers each tool check's outcome for the test binary: the
// tools do not come or go during a run, and some checks cost a second of
// CPU (the AWS CLI starts Python).
var checked sync.Map // tool and check args → error

// SkipShort skips tb under go test -short, naming what the fast tier
// leaves out (what: "the Docker engine", "real database servers", …).
func SkipShort(tb testing.TB, what string) {
	tb.Helper()
	if testing.Short() {
		tb.Skipf("-short: skipping a test that needs %s (the fast tier; scripts/test.sh runs it)", what)
	}
}

// Need skips the test when tool is not usable here and CI is unset (saying
// so), and fails it in CI, where scripts/test.sh installs every tool. Under
// -short it skips: every tool a test needs (docker, tmux, the AWS CLI,
// psql, …) is a process the fast tier does not start.
func Need(tb testing.TB, tool string, check ...string) {
	tb.Helper()
	SkipShort(tb, tool)
	if len(check) == 0 {
		check = []string{"--version"}
	}
	key := strings.Join(append([]string{tool}, check...), "\x00")
	v, ok := checked.Load(key)
	if !ok {
		v, _ = checked.LoadOrStore(key, exec.Command(tool, check...).Run())
	}
	if err, _ := v.(error); err != nil {
		if os.Getenv("CI") != "" {
			tb.Fatalf("%s is needed and not usable here (%v); scripts/test.sh installs it", tool, err)
		}
		tb.Skipf("skipping: %s not usable (%v) and CI is unset; scripts/test.sh installs it", tool, err)
	}
}

// FreeAddr is a loopback address nothing listens on right now.
func FreeAddr(tb testing.TB) string {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// StartRegistry runs Debian's docker-registry on a free loopback port for
// the test and returns its host:port.
func StartRegistry(tb testing.TB) string {
	tb.Helper()
	Need(tb, "docker-registry", "--version")
	addr := FreeAddr(tb)
	dir := tb.TempDir()
	cfg := filepath.Join(dir, "config.yml")
	body := fmt.Sprintf("version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: %s\n", dir, addr)
	if err := os.WriteFile(cfg, []byte(body), 0o644); err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command("docker-registry", "serve", cfg)
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	for range 100 {
		if resp, err := http.Get("http://" + addr + "/v2/"); err == nil {
			resp.Body.Close()
			return addr
		}
		time.Sleep(50 * time.Millisecond)
	}
	tb.Fatal("docker-registry did not start")
	return ""
}

// Account is a sandbox account served on loopback for one test.
type Account struct {
	Server *sandbox.Server
	URL    string
	Env    map[string]string // what `dbaf sandbox serve` prints, as a map
}

// NeedDocker skips (-short, or CI unset and no engine) or fails (CI) a test
// that needs the Docker engine.
func NeedDocker(tb testing.TB) {
	tb.Helper()
	Need(tb, "docker", "info")
}

// NeedTmux is Need for tmux, which drives the terminal UIs end to end.
func NeedTmux(tb testing.TB) {
	tb.Helper()
	Need(tb, "tmux", "-V")
}

// StartSandbox serves a sandbox account until the test ends. One with real
// database servers (o.Databases) is skipped under -short.
func StartSandbox(tb testing.TB, o sandbox.Options) *Account {
	tb.Helper()
	if o.Databases != nil {
		SkipShort(tb, "real database servers")
	}
	sb := sandbox.New(o)
	url, err := sb.Start("127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(sb.Close)
	env := map[string]string{}
	for _, kv := range sb.Env() {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	return &Account{Server: sb, URL: url, Env: env}
}

// Client builds a dbaf AWS client the way `dbaf --sandbox` does: explicit
// endpoint, region and static keys. maxAttempts 0 keeps the SDK default.
func (a *Account) Client(tb testing.TB, maxAttempts int) *aws.Client {
	tb.Helper()
	cfg, err := aws.LoadConfig(context.Background(), aws.Options{
		Region: a.Env["AWS_REGION"], EndpointURL: a.URL,
		AccessKeyID: a.Env["AWS_ACCESS_KEY_ID"], SecretAccessKey: a.Env["AWS_SECRET_ACCESS_KEY"],
		MaxAttempts: maxAttempts,
	})
	if err != nil {
		tb.Fatal(err)
	}
	return aws.New(cfg)
}

// ProdINI is an artifact INI of the sandbox's prod-aurora cluster; %s is
// the image tag.
const ProdINI = `[source_db]
source_db_cluster_id = prod-aurora
[target_db]
subnet_ids = source            ; or: subnet-0a1b2c3d, subnet-4e5f6a7b
instance_type = db.r6g.large
[artifact]
image_tag = %s
publisher_contact = dataops@example.com
clone_ttl = 3d
`
