package main

// End-to-end tests of the real dbaf binary: a standalone sandbox process,
// the real Docker engine, the docker CLI and a local registry as independent
// checks. They need Docker (and docker-registry for the push test); without
// them they skip unless CI is set, when they fail.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dbaf/dbaf/internal/testenv"
)

// dbafBin is the static dbaf binary built once for all end-to-end tests,
// or the prebuilt one named by DBAF_E2E_BINARY (built as below: static,
// with -ldflags "-X main.version=e2e", which the image labels are checked for).
var dbafBin string

func TestMain(m *testing.M) {
	if dbafBin = os.Getenv("DBAF_E2E_BINARY"); dbafBin != "" {
		code := m.Run()
		removeSharedImages()
		os.Exit(code)
	}
	dir, err := os.MkdirTemp("", "dbaf-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	dbafBin = filepath.Join(dir, "dbaf")
	// The image needs a static binary (CGO_ENABLED=0). No -trimpath or other
	// flag that changes the compiled packages: under scripts/test.sh, which
	// runs the tests with CGO_ENABLED=0 too, this build reuses the test
	// build's cache and only links.
	build := exec.Command("go", "build", "-ldflags", "-X main.version=e2e", "-o", dbafBin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building dbaf: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	removeSharedImages()
	os.RemoveAll(dir)
	os.Exit(code)
}

// need skips (locally) or fails (in CI) when a tool is missing.
func need(t *testing.T, tool string, check ...string) { testenv.Need(t, tool, check...) }

type result struct {
	stdout, stderr string
	code           int
}

// runDbaf runs the binary with a clean AWS environment plus env.
func runDbaf(t *testing.T, env []string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, dbafBin, args...)
	cmd.Env = append(cleanEnv(t), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running dbaf %v: %v", args, err)
	}
	if strings.Contains(errb.String(), "goroutine ") || strings.Contains(errb.String(), "panic:") {
		t.Fatalf("dbaf %v crashed:\n%s", args, errb.String())
	}
	testenv.CheckJSONRun(t, args, out.String())
	return result{out.String(), errb.String(), code}
}

// cleanEnv is the environment without any AWS settings of the machine, and
// with a private HOME so no real profile or credentials leak into a test.
func cleanEnv(t *testing.T) []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "AWS_") || strings.HasPrefix(kv, "HOME=") || strings.HasPrefix(kv, "XDG_STATE_HOME=") || strings.HasPrefix(kv, "DBAF_SANDBOX_") || strings.HasPrefix(kv, "SOURCE_DATE_EPOCH=") {
			continue
		}
		env = append(env, kv)
	}
	home := t.TempDir()
	// --sandbox keeps an isolated account inside the process: a test that
	// wants the user's persistent account overrides this.
	return append(env, "HOME="+home, "AWS_CONFIG_FILE="+filepath.Join(home, "none"),
		"AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(home, "none"), "AWS_EC2_METADATA_DISABLED=true", "DBAF_SANDBOX_INPROCESS=1")
}

// startSandbox runs `dbaf sandbox serve` and returns the env lines it printed.
// Its clusters are metadata only (--databases=false): starting the real
// servers costs seconds, and only the tests that log in to a clone need them.
func startSandbox(t *testing.T, extra ...string) []string {
	t.Helper()
	addr := freeAddr(t)
	cmd := exec.Command(dbafBin, append([]string{"sandbox", "serve", "--addr", addr, "--databases=false"}, extra...)...)
	cmd.Env = cleanEnv(t)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
	})
	var env []string
	sc := bufio.NewScanner(stdout)
	// AWS_DEFAULT_REGION is the last line: the AWS CLI v1 reads it, not AWS_REGION.
	for !hasKey(env, "AWS_DEFAULT_REGION") && sc.Scan() {
		line := sc.Text()
		kv, ok := strings.CutPrefix(line, "export ")
		if !ok {
			t.Fatalf("sandbox printed %q, want export lines", line)
		}
		env = append(env, strings.Trim(kv, "'"))
	}
	if len(env) < 5 {
		t.Fatalf("sandbox printed %d export lines; stderr:\n%s", len(env), stderr.String())
	}
	for _, kv := range env {
		if strings.HasPrefix(kv, "AWS_ENDPOINT_URL=") && !strings.HasSuffix(kv, addr) {
			t.Fatalf("sandbox endpoint %s, want %s", kv, addr)
		}
	}
	return env
}

func hasKey(env []string, key string) bool {
	for _, kv := range env {
		if strings.HasPrefix(kv, key+"=") {
			return true
		}
	}
	return false
}

func freeAddr(t *testing.T) string { return testenv.FreeAddr(t) }

func writeINI(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "artifact_config.ini")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// uniqueTag is an image tag no other test uses; the image is removed after.
func uniqueTag(t *testing.T, name string) string {
	tag := fmt.Sprintf("dbaf-e2e-%s:%d", name, time.Now().UnixNano())
	t.Cleanup(func() { exec.Command("docker", "image", "rm", "-f", tag).Run() })
	return tag
}

// sharedProdImage is the artifact image of prodINI, built once for the
// tests that only run one (the build itself is tested by the build tests);
// TestMain removes it.
var sharedProdImage struct {
	once sync.Once
	tag  string
	err  string
}

// prodImage builds sharedProdImage on first use, in the in-process sandbox:
// the same seed gives the same artifact as any sandbox account.
func prodImage(t *testing.T) string {
	t.Helper()
	testenv.NeedDocker(t)
	s := &sharedProdImage
	s.once.Do(func() {
		tag := fmt.Sprintf("dbaf-e2e-shared:%d", time.Now().UnixNano())
		r := runDbaf(t, nil, "--sandbox", "build", writeINI(t, fmt.Sprintf(prodINI, tag)), "--yes")
		if r.code != 0 {
			s.err = fmt.Sprintf("building the shared image: exit %d\n%s", r.code, r.stderr)
			return
		}
		s.tag = tag
	})
	if s.tag == "" {
		t.Fatalf("no shared image of prod-aurora: %s", s.err)
	}
	return s.tag
}

func removeSharedImages() {
	if tag := sharedProdImage.tag; tag != "" {
		exec.Command("docker", "image", "rm", "-f", tag).Run()
	}
}

func imageExists(ref string) bool {
	return exec.Command("docker", "image", "inspect", ref).Run() == nil
}

type dockerInspect struct {
	ID     string
	Size   int64
	Config struct {
		Entrypoint []string
		Cmd        []string
		Env        []string
		Labels     map[string]string
	}
}

func inspect(t *testing.T, ref string) dockerInspect {
	t.Helper()
	out, err := exec.Command("docker", "image", "inspect", ref).Output()
	if err != nil {
		t.Fatalf("docker image inspect %s: %v", ref, err)
	}
	var got []dockerInspect
	if err := json.Unmarshal(out, &got); err != nil || len(got) != 1 {
		t.Fatalf("docker image inspect: %v %s", err, out)
	}
	return got[0]
}

func field(out, key string) string {
	for _, line := range strings.Split(out, "\n") {
		if v, ok := strings.CutPrefix(line, key+": "); ok {
			return v
		}
	}
	return ""
}

// prodINI is an artifact INI of prod-aurora; %s is the image tag.
const prodINI = testenv.ProdINI

func TestBuildEndToEnd(t *testing.T) {
	t.Parallel()
	testenv.NeedDocker(t)
	env := startSandbox(t)
	tag := uniqueTag(t, "build")
	ini := writeINI(t, fmt.Sprintf(prodINI, tag))

	first := runDbaf(t, env, "build", ini, "--yes")
	if first.code != 0 {
		t.Fatalf("build exit %d\nstdout:\n%s\nstderr:\n%s", first.code, first.stdout, first.stderr)
	}
	for _, want := range []string{"==> resolve", "==> assemble", "==> load"} {
		if !strings.Contains(first.stderr, want) {
			t.Errorf("progress lacks %q:\n%s", want, first.stderr)
		}
	}
	id := field(first.stdout, "id")
	if field(first.stdout, "image") != tag || !strings.HasPrefix(id, "sha256:") {
		t.Fatalf("result lines:\n%s", first.stdout)
	}

	img := inspect(t, tag)
	if img.ID != id {
		t.Errorf("engine says %s, dbaf said %s", img.ID, id)
	}
	if strings.Join(img.Config.Entrypoint, " ") != "/dbaf" || strings.Join(img.Config.Cmd, " ") != "clone" {
		t.Errorf("entrypoint %q cmd %q", img.Config.Entrypoint, img.Config.Cmd)
	}
	labels := img.Config.Labels
	for k, v := range map[string]string{
		"org.opencontainers.image.title": "dbaf artifact: prod-aurora", "dev.dbaf.source-cluster": "prod-aurora",
		"dev.dbaf.engine": "aurora-postgresql", "dev.dbaf.region": "eu-west-1", "org.opencontainers.image.version": "e2e",
	} {
		if labels[k] != v {
			t.Errorf("label %s = %q, want %q", k, labels[k], v)
		}
	}
	fi, err := os.Stat(dbafBin)
	if err != nil {
		t.Fatal(err)
	}
	if ratio := float64(img.Size) / float64(fi.Size()); ratio > 1.3 {
		t.Errorf("image is %d bytes, %.2f x the %d-byte binary; want <= 1.3", img.Size, ratio, fi.Size())
	}
	if !strings.Contains(strings.Join(img.Config.Env, " "), "HOME=/root") {
		t.Errorf("env %q lacks HOME", img.Config.Env)
	}

	// The image describes itself, with no AWS access at all.
	out, err := exec.Command("docker", "run", "--rm", "--network", "none", tag, "show").CombinedOutput()
	if err != nil {
		t.Fatalf("docker run show: %v\n%s", err, out)
	}
	for _, want := range []string{"prod-aurora (aurora-postgresql 16.4) in eu-west-1", "db.r6g.large, port 5432, user postgres",
		"dataops@example.com", "ttl         3d", "prod-db-subnets"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("show output lacks %q:\n%s", want, out)
		}
	}

	// Reproducible: the same artifact and binary give the same image.
	second := runDbaf(t, env, "build", ini, "--yes")
	if second.code != 0 || field(second.stdout, "id") != id {
		t.Errorf("second build: exit %d id %q, want %q\n%s", second.code, field(second.stdout, "id"), id, second.stderr)
	}

	// show --image reads it back out of the engine, as JSON too.
	shown := runDbaf(t, nil, "show", "--image", tag, "-o", "json")
	var art struct {
		Source struct {
			ClusterID string `json:"cluster_id"`
		}
		Target struct {
			AllowedCIDR string `json:"allowed_cidr"`
		}
	}
	if shown.code != 0 || json.Unmarshal([]byte(shown.stdout), &art) != nil || art.Source.ClusterID != "prod-aurora" || art.Target.AllowedCIDR != "10.0.0.0/16" {
		t.Errorf("show --image: exit %d %+v\n%s%s", shown.code, art, shown.stdout, shown.stderr)
	}
}

func TestBuildInProcessSandboxJSON(t *testing.T) {
	t.Parallel()
	testenv.NeedDocker(t)
	tag := uniqueTag(t, "inproc")
	ini := writeINI(t, fmt.Sprintf(prodINI, tag))
	r := runDbaf(t, nil, "--sandbox", "build", ini, "--yes", "-o", "json", "--instance-class", "db.r6g.xlarge")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	var last map[string]any
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	for _, l := range lines {
		var ev map[string]any
		if err := json.Unmarshal([]byte(l), &ev); err != nil {
			t.Fatalf("not a JSON line: %q", l)
		}
		last = ev
	}
	if last["event"] != "built" || last["image"] != tag {
		t.Fatalf("last event %v", last)
	}
	if got := inspect(t, tag).Config.Labels["dev.dbaf.instance-class"]; got != "db.r6g.xlarge" {
		t.Errorf("flag override not applied: class label %q", got)
	}
	// No --yes and no terminal: it builds headless and says so. A key it
	// does not know is a warning naming the one meant, not an error. (A tag
	// of its own: this build's class differs, so reusing tag would move it
	// and leave the first image dangling.)
	tag = uniqueTag(t, "inproc-headless")
	typo := writeINI(t, strings.Replace(fmt.Sprintf(prodINI, tag), "instance_type = db.r6g.large\n", "instance_type = db.r6g.large\ninstance_typo = x\n", 1))
	r = runDbaf(t, nil, "--sandbox", "build", typo)
	if r.code != 0 || !strings.Contains(r.stderr, "no terminal: building without prompts, as with --yes") {
		t.Errorf("headless without --yes: exit %d\n%s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "warning") || !strings.Contains(r.stderr, "instance_typo") || !strings.Contains(r.stderr, "instance_type") {
		t.Errorf("the unknown key instance_typo is no warning naming instance_type:\n%s", r.stderr)
	}
	// Built in the sandbox: the clone command that works there.
	if run := field(r.stdout, "run"); run != "dbaf --sandbox clone --image "+tag {
		t.Errorf("run = %q, want the sandbox's clone command", run)
	}
}

func TestBuildPushToLocalRegistry(t *testing.T) {
	t.Parallel()
	testenv.NeedDocker(t)
	need(t, "docker-registry", "--version")
	env := startSandbox(t)
	regAddr := testenv.StartRegistry(t)
	tag := uniqueTag(t, "push")
	ini := writeINI(t, fmt.Sprintf(prodINI, tag))
	ref := regAddr + "/db-artifact:e2e"
	r := runDbaf(t, env, "build", ini, "--yes", "--push", ref)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	pushed := field(r.stdout, "pushed")
	if !strings.HasPrefix(pushed, ref+"@sha256:") {
		t.Fatalf("pushed = %q", pushed)
	}
	// Developers pull what was pushed, not the builder's local tag.
	if run := field(r.stdout, "run"); !strings.HasSuffix(run, " "+ref) {
		t.Errorf("run = %q, want the pushed reference %s", run, ref)
	}
	// Fetch the manifest back by digest, with plain HTTP as any client would.
	digest := strings.TrimPrefix(pushed, ref+"@")
	req, _ := http.NewRequest("GET", "http://"+regAddr+"/v2/db-artifact/manifests/"+digest, nil)
	req.Header.Set("Accept", "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Docker-Content-Digest") != digest || !bytes.Contains(body, []byte(`"layers"`)) {
		t.Fatalf("manifest fetch: %d %s %s", resp.StatusCode, resp.Header.Get("Docker-Content-Digest"), body)
	}
	// And the artifact can be read from the registry when the engine lacks the image.
	shown := runDbaf(t, nil, "show", "--image", ref)
	if shown.code != 0 || !strings.Contains(shown.stdout, "prod-aurora") {
		t.Errorf("show from registry: exit %d\n%s%s", shown.code, shown.stdout, shown.stderr)
	}
}
