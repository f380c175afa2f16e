package cli

// In-process tests of the commands: the root command run with fake streams
// and environment, against the in-process sandbox account on loopback.

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dbaf/dbaf/artifact"
	"github.com/dbaf/dbaf/dockerbuild"
	"github.com/dbaf/dbaf/internal/sandbox"
	"github.com/dbaf/dbaf/internal/testenv"
)

// TestMain gives the AWS SDK, which reads the process environment itself,
// no settings or credentials of the machine.
func TestMain(m *testing.M) {
	// Most of these tests wait on the in-process sandbox's paced clock, not
	// on the CPU: unless -parallel says otherwise, let six run at once, as
	// scripts/test.sh does for the whole suite. (This package is the fast
	// tier's longest: 36 s at the default of one per core.)
	flag.Parse()
	parallelSet := false
	flag.Visit(func(f *flag.Flag) { parallelSet = parallelSet || f.Name == "test.parallel" })
	if !parallelSet {
		flag.Set("test.parallel", "6")
	}
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "AWS_") {
			os.Unsetenv(k)
		}
	}
	home, err := os.MkdirTemp("", "dbaf-cli-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Setenv("HOME", home)
	os.Setenv("AWS_CONFIG_FILE", filepath.Join(home, "none"))
	os.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(home, "none"))
	os.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	code := m.Run()
	os.RemoveAll(home)
	os.Exit(code)
}

// testPassword is what the tests give a clone; no output may show it.
const testPassword = "e2e-Secret-pw-123"

// prodINI is an artifact INI of prod-aurora; %s is the image tag.
const prodINI = testenv.ProdINI

type result struct {
	stdout, stderr string
	code           int
}

// cmdRun is one command line to run in-process.
type cmdRun struct {
	env     map[string]string
	stdin   string
	sandbox *sandbox.Server // set: --sandbox uses this account
	// cancelOn, when set, interrupts the run (as Ctrl-C does) once its
	// standard output holds this text.
	cancelOn string
}

// cancelWriter is a run's standard output that cancels the run once it
// holds a text.
type cancelWriter struct {
	bytes.Buffer
	text   string
	cancel context.CancelFunc
}

func (w *cancelWriter) Write(p []byte) (int, error) {
	n, err := w.Buffer.Write(p)
	if w.text != "" && strings.Contains(w.String(), w.text) {
		w.cancel()
	}
	return n, err
}

func (c cmdRun) run(t *testing.T, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out := &cancelWriter{text: c.cancelOn, cancel: cancel}
	var errOut bytes.Buffer
	f := NewFactory(IOStreams{In: strings.NewReader(c.stdin), Out: out, ErrOut: &errOut, IsTerminal: func() bool { return false }},
		func(k string) string { return c.env[k] }, func() []string { return nil }, "test")
	f.DockerEngine = func(context.Context) (*dockerbuild.Engine, error) {
		return nil, errors.New("this in-process test reached the Docker engine")
	}
	if c.sandbox != nil {
		f.SandboxEnv = func(context.Context) ([]string, error) { return c.sandbox.Env(), nil }
		args = append([]string{"--sandbox"}, args...)
	}
	code := Run(ctx, f, args)
	testenv.CheckJSONRun(t, args, out.String())
	return result{out.String(), errOut.String(), code}
}

// run runs a command line with env and no sandbox.
func run(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	return cmdRun{env: env}.run(t, args...)
}

// startSandbox starts an in-process account at test pace (a clone takes
// about a second), metadata only, with faults injected.
func startSandbox(t *testing.T, faults ...string) *sandbox.Server {
	t.Helper()
	return startSandboxWith(t, sandbox.Options{Pace: 0.05}, faults...)
}

// startSandboxWith starts an in-process account with options o and faults.
func startSandboxWith(t *testing.T, o sandbox.Options, faults ...string) *sandbox.Server {
	t.Helper()
	sb := sandbox.New(o)
	for _, spec := range faults {
		flt, err := sandbox.ParseFault(spec)
		if err != nil {
			t.Fatal(err)
		}
		sb.Inject(flt)
	}
	if _, err := sb.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sb.Close)
	return sb
}

func writeINI(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "artifact_config.ini")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// lastJSONEvent decodes the last line of a -o json run.
func lastJSONEvent(t *testing.T, stdout string) map[string]any {
	t.Helper()
	return testenv.LastJSONEvent(t, stdout)
}

// finalEvents counts the final events in a -o json run's output.
func finalEvents(stdout string) int { return testenv.CountEvents(stdout, artifact.FinalKinds()) }

func noSecret(t *testing.T, outputs ...string) {
	t.Helper()
	for _, o := range outputs {
		if strings.Contains(o, testPassword) {
			t.Errorf("the password appears in the output:\n%s", o)
		}
	}
}

func field(out, key string) string {
	for _, line := range strings.Split(out, "\n") {
		if v, ok := strings.CutPrefix(line, key+": "); ok {
			return v
		}
	}
	return ""
}
