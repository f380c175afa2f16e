package daemon

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dbaf/dbaf/internal/sandbox"
)

// TestMain doubles as the serve process Start runs: the test binary given
// "sandbox serve --state-dir DIR [--fail|--silent]" serves a metadata-only
// account the way dbaf's serve command does, until SIGTERM.
func TestMain(m *testing.M) {
	if len(os.Args) > 4 && os.Args[1] == "sandbox" && os.Args[2] == "serve" {
		os.Exit(fakeServe(os.Args[4], os.Args[5:]))
	}
	os.Exit(m.Run())
}

func fakeServe(dir string, flags []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	has := func(f string) bool { return strings.Contains(strings.Join(flags, " "), f) }
	if has("--fail") {
		fmt.Fprintln(os.Stderr, "serve: cannot listen on 127.0.0.1:1: permission denied")
		return 1
	}
	claim, err := NewClaim(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer claim.Release()
	sb := sandbox.New(sandbox.Options{Pace: 0.05})
	defer sb.Close()
	u, err := sb.Start("127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Fprintln(os.Stderr, "serve: serving at", u)
	if !has("--silent") {
		if err := claim.Publish(Account{URL: u, Env: append([]string{"DBAF_SANDBOX_DB_PASSWORD=secret-pw"}, sb.Env()...)}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	<-ctx.Done()
	return 0
}

func startFake(t *testing.T, dir string, args ...string) (*Account, bool, error) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	var progress strings.Builder
	acc, started, err := Start(context.Background(), StartOptions{Dir: dir, Exe: exe, Args: args, Progress: &progress, Timeout: 30 * time.Second})
	if acc != nil {
		t.Cleanup(func() { Stop(context.Background(), dir) })
	}
	if err == nil && started && !strings.Contains(progress.String(), "serve: serving at") {
		t.Errorf("progress %q lacks the serve process's log", progress.String())
	}
	return acc, started, err
}

func TestStartStatusStop(t *testing.T) {
	dir := t.TempDir()
	if a, err := Status(dir); a != nil || err != nil {
		t.Fatalf("Status of an empty dir: %v %v", a, err)
	}
	acc, started, err := startFake(t, dir)
	if err != nil || !started {
		t.Fatalf("Start: started %v, %v", started, err)
	}
	if acc.Lookup("AWS_ENDPOINT_URL") != acc.URL || acc.Lookup("DBAF_SANDBOX_DB_PASSWORD") != "secret-pw" || acc.StateDir != dir {
		t.Errorf("account %+v", acc)
	}
	resp, err := http.Get(acc.URL + "/_sandbox/calls")
	if err != nil {
		t.Fatalf("the started account does not serve: %v", err)
	}
	resp.Body.Close()
	fi, err := os.Stat(filepath.Join(dir, accountFile))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("account file: %v, mode %v; want 0600 (it holds the database password)", err, fi.Mode())
	}

	// A second start finds it; so does Status, from another "command".
	again, started, err := startFake(t, dir)
	if err != nil || started || again.PID != acc.PID {
		t.Errorf("second Start: %+v started %v %v; want the running pid %d", again, started, err, acc.PID)
	}
	if st, _ := Status(dir); st == nil || st.PID != acc.PID || st.URL != acc.URL {
		t.Errorf("Status: %+v", st)
	}
	// A second serve on the same directory is refused.
	if _, err := NewClaim(dir); !errors.Is(err, ErrClaimed) || !strings.Contains(err.Error(), acc.URL) {
		t.Errorf("NewClaim on a served dir: %v", err)
	}

	stopped, err := Stop(context.Background(), dir)
	if err != nil || stopped == nil || stopped.PID != acc.PID {
		t.Fatalf("Stop: %+v %v", stopped, err)
	}
	if alive(acc.PID) {
		t.Errorf("pid %d still alive after Stop", acc.PID)
	}
	host := must(url.Parse(acc.URL)).Host
	if c, err := net.Dial("tcp", host); err == nil {
		c.Close()
		t.Errorf("%s still accepts connections after Stop", host)
	}
	if _, err := os.Stat(filepath.Join(dir, accountFile)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("account file left after Stop: %v", err)
	}
	if a, err := Stop(context.Background(), dir); a != nil || err != nil {
		t.Errorf("Stop when none runs: %v %v", a, err)
	}
	// The directory is free again.
	c, err := NewClaim(dir)
	if err != nil {
		t.Fatalf("NewClaim after Stop: %v", err)
	}
	c.Release()
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestStaleAccountIsCleaned(t *testing.T) {
	for name, pid := range map[string]int{
		"dead process": deadPID(t),
		"not a serve":  os.Getpid(), // alive, but the test binary, not `sandbox serve`
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			b := fmt.Sprintf(`{"pid": %d, "url": "http://127.0.0.1:1", "env": ["AWS_ENDPOINT_URL=http://127.0.0.1:1"]}`, pid)
			if err := os.WriteFile(filepath.Join(dir, accountFile), []byte(b), 0o600); err != nil {
				t.Fatal(err)
			}
			if a, err := Status(dir); a != nil || err != nil {
				t.Fatalf("Status with a stale file: %+v %v", a, err)
			}
			if _, err := os.Stat(filepath.Join(dir, accountFile)); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("stale account file kept: %v", err)
			}
		})
	}
}

// deadPID is the pid of a process that has exited and been reaped.
func deadPID(t *testing.T) int {
	p, err := os.StartProcess("/bin/true", []string{"true"}, &os.ProcAttr{})
	if err != nil {
		t.Fatal(err)
	}
	p.Wait()
	return p.Pid
}

func TestStartFailureShowsTheLog(t *testing.T) {
	dir := t.TempDir()
	_, _, err := startFake(t, dir, "--fail")
	if err == nil || !strings.Contains(err.Error(), "cannot listen on 127.0.0.1:1") || !strings.Contains(err.Error(), LogFile) {
		t.Fatalf("Start of a serve that fails: %v; want its log's last lines and the log's path", err)
	}
}

func TestStartGivesUpAndStopsTheProcess(t *testing.T) {
	dir := t.TempDir()
	exe, _ := os.Executable()
	ctx, cancel := context.WithCancel(context.Background())
	progress := &notifyWriter{seen: make(chan struct{})}
	go func() {
		<-progress.seen // serving, but it never publishes: give up
		cancel()
	}()
	_, _, err := Start(ctx, StartOptions{Dir: dir, Exe: exe, Args: []string{"--silent"}, Progress: progress})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Start cancelled: %v", err)
	}
	// The half-started process was stopped: the directory can be claimed.
	c, err := NewClaim(dir)
	if err != nil {
		t.Fatalf("the abandoned serve process still holds the directory: %v", err)
	}
	c.Release()
}

type notifyWriter struct {
	seen chan struct{}
	done bool
}

func (w *notifyWriter) Write(p []byte) (int, error) {
	if !w.done && strings.Contains(string(p), "serving at") {
		w.done = true
		close(w.seen)
	}
	return len(p), nil
}

func TestDefaultStateDir(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	for _, c := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"XDG_STATE_HOME": "/x", "HOME": "/h"}, "/x/dbaf/sandbox"},
		{map[string]string{"HOME": "/h"}, "/h/.local/state/dbaf/sandbox"},
		{map[string]string{}, ""},
	} {
		if got := DefaultStateDir(env(c.env)); got != c.want {
			t.Errorf("DefaultStateDir(%v) = %q, want %q", c.env, got, c.want)
		}
	}
}
