package dockerbuild

import (
	"archive/tar"
	"context"
	"debug/elf"
	"encoding/binary"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/mutate"

	"github.com/dbaf/dbaf/internal/blackhole"
	"github.com/dbaf/dbaf/internal/testenv"
)

// testBins are small test binaries made once for the whole package.
var testBins struct {
	static, otherArch, dir string
}

// defaultTimeouts are what dbaf uses unless told otherwise.
var defaultTimeouts Timeouts

// otherArch is an architecture this machine's binaries are not built for.
func otherArch() string {
	if runtime.GOARCH == "arm64" {
		return "amd64"
	}
	return "arm64"
}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "dockerbuild-test")
	if err != nil {
		panic(err)
	}
	testBins.dir = dir
	src := filepath.Join(dir, "main.go")
	os.WriteFile(src, []byte("package main\n\nfunc main() { println(\"hello from the image\") }\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module hello\n\ngo 1.26\n"), 0o644)
	testBins.static = filepath.Join(dir, "static")
	cmd := exec.Command("go", "build", "-o", testBins.static, src)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+runtime.GOARCH, "GOFLAGS=-mod=mod")
	cmd.Dir = dir
	if b, err := cmd.CombinedOutput(); err != nil {
		panic(fmt.Sprintf("building test binary: %v\n%s", err, b))
	}
	// CheckBinary reads only the ELF header, so the wrong-architecture binary
	// is the static one with its machine field rewritten: cross-compiling the
	// runtime for another architecture cost over a minute on a cold cache.
	testBins.otherArch = filepath.Join(dir, "other")
	if err := retarget(testBins.static, testBins.otherArch, archMachine[otherArch()]); err != nil {
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// retarget copies the ELF file src to dst with its e_machine set to m.
func retarget(src, dst string, m elf.Machine) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	const eMachine = 18 // offset of e_machine in the ELF header
	if len(b) < eMachine+2 || elf.Data(b[elf.EI_DATA]) != elf.ELFDATA2LSB {
		return fmt.Errorf("%s is not a little-endian ELF file", src)
	}
	binary.LittleEndian.PutUint16(b[eMachine:], uint16(m))
	return os.WriteFile(dst, b, 0o755)
}

func TestCheckBinary(t *testing.T) {
	text := filepath.Join(t.TempDir(), "script.sh")
	os.WriteFile(text, []byte("#!/bin/sh\necho hi\n"), 0o755)
	dynamic := "/bin/ls" // every Debian image has a dynamically linked ls
	other := otherArch()
	cases := []struct {
		name, path, arch string
		wantErr          []string // all must appear; nil = no error
	}{
		{"static for this machine", testBins.static, "", nil},
		{"static, named arch", testBins.static, runtime.GOARCH, nil},
		{"other architecture", testBins.otherArch, "", []string{"built for linux/" + other, "--dbaf-binary"}},
		{"asked for the other arch", testBins.otherArch, other, nil},
		{"dynamic binary", dynamic, "", []string{"not a static binary", "CGO_ENABLED=0", "--dbaf-binary"}},
		{"not ELF", text, "", []string{"not a linux executable", "--dbaf-binary"}},
		{"missing", filepath.Join(t.TempDir(), "nope"), "", []string{"does not exist", "--dbaf-binary"}},
		{"unknown arch", testBins.static, "mips99", []string{`unknown architecture "mips99"`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckBinary(tc.path, tc.arch)
			if tc.wantErr == nil {
				if err != nil {
					t.Fatalf("CheckBinary(%s) = %v, want nil", tc.path, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("CheckBinary(%s) = nil, want an error", tc.path)
			}
			for _, w := range tc.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func testSpec(file string) Spec {
	return Spec{
		Binary:     testBins.static,
		File:       []byte(file),
		FilePath:   "/etc/dbaf/artifact.json",
		Labels:     map[string]string{"org.opencontainers.image.title": "test", "dev.dbaf.source-cluster": "prod-aurora"},
		Created:    time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC),
		Entrypoint: []string{"/dbaf"},
		Cmd:        []string{"clone"},
		Env:        []string{"DBAF_ARTIFACT=/etc/dbaf/artifact.json"},
	}
}

func TestImageIsReproducible(t *testing.T) {
	a, err := Image(testSpec(`{"a":1}`))
	if err != nil {
		t.Fatal(err)
	}
	b, err := Image(testSpec(`{"a":1}`))
	if err != nil {
		t.Fatal(err)
	}
	c, err := Image(testSpec(`{"a":2}`))
	if err != nil {
		t.Fatal(err)
	}
	ida, _ := a.ConfigName()
	idb, _ := b.ConfigName()
	idc, _ := c.ConfigName()
	if ida != idb {
		t.Errorf("same spec, different IDs: %s, %s", ida, idb)
	}
	if ida == idc {
		t.Errorf("different artifact files gave the same ID %s", ida)
	}
	da, _ := a.Digest()
	db, _ := b.Digest()
	if da != db {
		t.Errorf("same spec, different manifest digests: %s, %s", da, db)
	}
}

func TestImageContents(t *testing.T) {
	spec := testSpec(`{"schema_version":1}`)
	img, err := Image(spec)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if cf.OS != "linux" || cf.Architecture != runtime.GOARCH || !cf.Created.Time.Equal(spec.Created) {
		t.Errorf("platform/created = %s/%s %s", cf.OS, cf.Architecture, cf.Created)
	}
	if got := strings.Join(cf.Config.Entrypoint, " ") + " " + strings.Join(cf.Config.Cmd, " "); got != "/dbaf clone" {
		t.Errorf("entrypoint+cmd = %q", got)
	}
	env := strings.Join(cf.Config.Env, " ")
	for _, want := range []string{"HOME=/root", "PATH=/", "DBAF_ARTIFACT=/etc/dbaf/artifact.json"} {
		if !strings.Contains(env, want) {
			t.Errorf("env %q lacks %s", env, want)
		}
	}
	if cf.Config.Labels["dev.dbaf.source-cluster"] != "prod-aurora" {
		t.Errorf("labels = %v", cf.Config.Labels)
	}
	if len(cf.RootFS.DiffIDs) != 1 {
		t.Errorf("%d layers, want 1 (no base image)", len(cf.RootFS.DiffIDs))
	}

	files := map[string]*tar.Header{}
	rc := mutate.Extract(img)
	defer rc.Close()
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		files[h.Name] = h
		if !h.ModTime.Equal(spec.Created) || h.Uid != 0 || h.Gid != 0 {
			t.Errorf("%s: mtime %s uid %d gid %d, want the artifact time and root", h.Name, h.ModTime, h.Uid, h.Gid)
		}
	}
	// Extract reports directories without their trailing slash.
	want := map[string]int64{"dbaf": 0o755, "etc/dbaf/artifact.json": 0o644, "etc": 0o755, "etc/dbaf": 0o755, "root": 0o755, "tmp": 0o1777}
	for name, mode := range want {
		h, ok := files[name]
		if !ok {
			t.Errorf("%s missing from the layer (have %v)", name, keys(files))
			continue
		}
		if h.Mode != mode {
			t.Errorf("%s mode %o, want %o", name, h.Mode, mode)
		}
	}
	got, err := fileFromImage(img, spec.FilePath)
	if err != nil || string(got) != `{"schema_version":1}` {
		t.Errorf("artifact file = %q, %v", got, err)
	}
	if _, err := fileFromImage(img, "/etc/nothing"); err == nil || !strings.Contains(err.Error(), "dbaf artifact image") {
		t.Errorf("missing file: %v", err)
	}
}

func TestImageRejectsBadFilePath(t *testing.T) {
	for _, p := range []string{"", "relative/file", "/", "/dbaf"} {
		s := testSpec("{}")
		s.FilePath = p
		if _, err := Image(s); err == nil {
			t.Errorf("FilePath %q accepted", p)
		}
	}
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// needDocker connects to the engine. Outside CI a missing engine skips the
// test (and says so); in CI it fails it. Under -short it skips.
func needDocker(t testing.TB) *Engine {
	t.Helper()
	testenv.SkipShort(t, "the Docker engine")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	e, err := defaultTimeouts.Connect(ctx)
	if err != nil {
		if os.Getenv("CI") == "" {
			t.Skipf("no Docker engine here (CI unset, so skipping): %v", err)
		}
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

func TestEngineLoadInspectReadRemove(t *testing.T) {
	e := needDocker(t)
	ctx := context.Background()
	spec := testSpec(`{"engine":"test"}`)
	img, err := Image(spec)
	if err != nil {
		t.Fatal(err)
	}
	tag := fmt.Sprintf("dbaf-test/dockerbuild:%d", time.Now().UnixNano())
	var lines []string
	id, err := e.Load(ctx, img, tag, func(l string) { lines = append(lines, l) })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Remove(context.Background(), tag) })
	want, _ := img.ConfigName()
	if id != want.String() {
		t.Errorf("Load id %s, want the config digest %s", id, want)
	}
	if len(lines) == 0 || !strings.Contains(strings.Join(lines, "\n"), "sending "+tag) {
		t.Errorf("progress lines %q", lines)
	}

	info, err := e.Inspect(ctx, tag)
	if err != nil {
		t.Fatal(err)
	}
	if info.ID != id || info.Labels["dev.dbaf.source-cluster"] != "prod-aurora" || info.Architecture != runtime.GOARCH {
		t.Errorf("inspect = %+v", info)
	}
	bin, _ := os.Stat(testBins.static)
	if info.Size < bin.Size() || info.Size > bin.Size()+64<<10 {
		t.Errorf("image size %d, want the binary's %d plus a little", info.Size, bin.Size())
	}

	data, err := e.ReadFile(ctx, tag, spec.FilePath)
	if err != nil || string(data) != `{"engine":"test"}` {
		t.Errorf("ReadFile = %q, %v", data, err)
	}

	// The image runs: the binary, with no base image under it.
	out, err := exec.Command("docker", "run", "--rm", "--entrypoint", "/dbaf", tag).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "hello from the image") {
		t.Errorf("docker run: %v\n%s", err, out)
	}

	if err := e.Remove(ctx, tag); err != nil {
		t.Fatal(err)
	}
	var nf *NotFoundError
	if _, err := e.Inspect(ctx, tag); err == nil || !asNotFound(err, &nf) {
		t.Errorf("after Remove, Inspect = %v, want NotFoundError", err)
	}
	if err := e.Remove(ctx, tag); err != nil {
		t.Errorf("removing a missing image: %v", err)
	}
}

func asNotFound(err error, target **NotFoundError) bool {
	nf, ok := err.(*NotFoundError)
	*target = nf
	return ok
}

func TestConnectNamesDockerHost(t *testing.T) {
	t.Setenv("DOCKER_HOST", "unix://"+filepath.Join(t.TempDir(), "no-docker.sock"))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := defaultTimeouts.Connect(ctx)
	if err == nil {
		t.Fatal("Connect to a missing socket succeeded")
	}
	for _, want := range []string{"cannot reach the Docker engine", "no-docker.sock", "DOCKER_HOST"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

func TestPushAndReadRemote(t *testing.T) {
	addr := testenv.StartRegistry(t)
	t.Setenv("DOCKER_CONFIG", t.TempDir()) // no credentials needed, none leaked in
	ctx := context.Background()
	spec := testSpec(`{"pushed":true}`)
	img, err := Image(spec)
	if err != nil {
		t.Fatal(err)
	}
	ref := addr + "/team/db-artifact:v1"
	var lines []string
	digest, err := defaultTimeouts.Push(ctx, img, ref, func(l string) { lines = append(lines, l) })
	if err != nil {
		t.Fatal(err)
	}
	want, _ := img.Digest()
	if digest != want.String() {
		t.Errorf("digest %s, want %s", digest, want)
	}
	if len(lines) == 0 {
		t.Error("no push progress")
	}
	// The registry serves the manifest under that digest.
	req, _ := http.NewRequest("GET", "http://"+addr+"/v2/team/db-artifact/manifests/v1", nil)
	m, _ := img.MediaType()
	req.Header.Set("Accept", string(m)) // without it the registry converts to schema 1
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("Docker-Content-Digest"); got != digest {
		t.Errorf("registry digest %q, want %s", got, digest)
	}
	data, err := defaultTimeouts.ReadRemoteFile(ctx, ref, spec.FilePath)
	if err != nil || string(data) != `{"pushed":true}` {
		t.Errorf("ReadRemoteFile = %q, %v", data, err)
	}
	if _, err := defaultTimeouts.Push(ctx, img, "Bad Ref!", nil); err == nil || !strings.Contains(err.Error(), `"Bad Ref!"`) {
		t.Errorf("bad ref: %v", err)
	}
	if _, err := defaultTimeouts.ReadRemoteFile(ctx, addr+"/team/none:v1", spec.FilePath); err == nil {
		t.Error("reading a missing remote image succeeded")
	}
}

// BenchmarkImage measures assembling the image (layer tar, digests).
func BenchmarkImage(b *testing.B) {
	spec := testSpec(`{"bench":1}`)
	for b.Loop() {
		img, err := Image(spec)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := img.ConfigName(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoad measures assembling and loading an image into the engine.
func BenchmarkLoad(b *testing.B) {
	e := needDocker(b)
	ctx := context.Background()
	tag := fmt.Sprintf("dbaf-test/bench:%d", time.Now().UnixNano())
	defer e.Remove(ctx, tag)
	spec := testSpec(`{"bench":1}`)
	for b.Loop() {
		img, err := Image(spec)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := e.Load(ctx, img, tag, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func TestPushFailureSaysWhatToDo(t *testing.T) {
	img, err := Image(testSpec(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	// Nothing listens there: the push fails and the message says what to check.
	ref := testenv.FreeAddr(t) + "/team/db-artifact:v1"
	_, err = defaultTimeouts.Push(context.Background(), img, ref, nil)
	if err == nil {
		t.Fatal("push to a closed port succeeded")
	}
	for _, want := range []string{"pushing to 127.0.0.1:", "docker login 127.0.0.1:"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

// testTimeouts are short bounds, so the black-hole tests take well under a
// second.
var testTimeouts = Timeouts{Dial: 200 * time.Millisecond, Response: 200 * time.Millisecond}

// A DOCKER_HOST that accepts and never answers fails Connect, naming the
// host and the variable, instead of hanging.
func TestConnectToSilentEngine(t *testing.T) {
	addr := blackhole.Listen(t)
	t.Setenv("DOCKER_HOST", "tcp://"+addr)
	// The outer deadline only keeps the old code from hanging the test.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := testTimeouts.Connect(ctx)
	if err == nil {
		t.Fatal("Connect to a silent engine succeeded")
	}
	for _, want := range []string{"cannot reach the Docker engine at tcp://" + addr, "set by DOCKER_HOST", "no answer within 200ms"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if ctx.Err() != nil {
		t.Error("Connect ran into the test's own deadline: the timeout did not apply")
	}
}

// A registry that accepts and never answers fails push and read, naming
// the registry.
func TestSilentRegistry(t *testing.T) {
	t.Setenv("DOCKER_CONFIG", t.TempDir())
	addr := blackhole.Listen(t)
	img, err := Image(testSpec(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ref := addr + "/team/db-artifact:v1"
	_, err = testTimeouts.Push(ctx, img, ref, nil)
	if err == nil || !strings.Contains(err.Error(), "registry "+addr+" gave no answer within 200ms") {
		t.Errorf("push: %v", err)
	}
	_, err = testTimeouts.ReadRemoteFile(ctx, ref, "/artifact.json")
	if err == nil || !strings.Contains(err.Error(), "registry "+addr+" gave no answer within 200ms") {
		t.Errorf("read: %v", err)
	}
	if ctx.Err() != nil {
		t.Error("the registry calls ran into the test's own deadline: the timeout did not apply")
	}
}
