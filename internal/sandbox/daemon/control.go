package daemon

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/dbaf/dbaf/internal/clock"
	"github.com/dbaf/dbaf/internal/sandbox/dbserver"
)

// StartOptions say how to run the detached serve process.
type StartOptions struct {
	Dir string // the state directory (required)
	// Exe is the dbaf binary to run as `Exe sandbox serve --state-dir Dir
	// Args…`; empty means this executable.
	Exe  string
	Args []string
	// Env is the serve process's environment; nil means this process's.
	Env []string
	// Progress receives what the serve process logs while it starts; nil
	// discards it.
	Progress io.Writer
	// Timeout bounds the wait until it serves; 0 means 3 minutes (the
	// first start seeds the database templates).
	Timeout time.Duration
}

// DefaultAddr is where the account listens unless told otherwise: the
// port other local AWS emulators use, so tools' settings carry over.
const DefaultAddr = "127.0.0.1:4566"

// PickAddr returns preferred when it can be listened on now, else a free
// loopback port: an account started on the user's behalf should not fail
// over a port someone else holds.
func PickAddr(preferred string) string {
	ln, err := net.Listen("tcp", preferred)
	if err != nil {
		return "127.0.0.1:0"
	}
	ln.Close()
	return preferred
}

// Start runs the account detached from this process (its own session,
// standard input from /dev/null, standard error to LogFile in Dir) and
// waits until it serves. When one already runs it returns that one and
// started false.
func Start(ctx context.Context, o StartOptions) (acc *Account, started bool, err error) {
	if o.Dir == "" {
		return nil, false, errors.New("no state directory for the sandbox account")
	}
	if a, err := Status(o.Dir); a != nil || err != nil {
		return a, false, err
	}
	if o.Exe == "" {
		if o.Exe, err = os.Executable(); err != nil {
			return nil, false, fmt.Errorf("finding the dbaf binary to run the sandbox: %w", err)
		}
	}
	if o.Timeout <= 0 {
		o.Timeout = 3 * time.Minute
	}
	if o.Progress == nil {
		o.Progress = io.Discard
	}
	if err := os.MkdirAll(o.Dir, 0o700); err != nil {
		return nil, false, fmt.Errorf("sandbox state directory: %w", err)
	}
	logPath := filepath.Join(o.Dir, LogFile)
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, false, fmt.Errorf("sandbox log: %w", err)
	}
	defer logf.Close()
	cmd := exec.Command(o.Exe, append([]string{"sandbox", "serve", "--state-dir", o.Dir}, o.Args...)...)
	// Stdin and Stdout stay nil: /dev/null. Its export lines hold the
	// database password; they reach the user through the 0600 account file.
	cmd.Stderr = logf
	cmd.Env = o.Env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return nil, false, fmt.Errorf("starting the sandbox account: %w", err)
	}
	pid := cmd.Process.Pid
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }() // reaps it should it die while this process lives

	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	var shown int64
	relay := func() { shown = relayLog(logPath, shown, o.Progress) }
	var up *Account
	var died error // the process exited before it served
	err = clock.Poll(ctx, nil, 50*time.Millisecond, func() (bool, error) {
		a, err := read(o.Dir)
		relay()
		if err == nil && a.PID == pid {
			up = a
			return true, nil
		}
		select {
		case died = <-exited:
			return true, nil
		default:
			return false, nil
		}
	})
	switch {
	case up != nil:
		return up, true, nil
	case err == nil:
		// Another start may have won the race for the directory.
		if a, _ := Status(o.Dir); a != nil {
			return a, false, nil
		}
		return nil, false, fmt.Errorf("the sandbox account did not start (%v): %s(log: %s)", died, lastLines(logPath, 5), logPath)
	}
	_ = syscall.Kill(pid, syscall.SIGTERM) // it stops its database servers on the way out
	if errors.Is(err, context.DeadlineExceeded) {
		err = fmt.Errorf("the sandbox account was not serving after %v (log: %s)", o.Timeout, logPath)
	}
	select {
	case <-exited:
	case <-time.After(stopTimeout):
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
	return nil, false, err
}

// relayLog copies what the log gained since offset to w.
func relayLog(path string, offset int64, w io.Writer) int64 {
	f, err := os.Open(path)
	if err != nil {
		return offset
	}
	defer f.Close()
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return offset
	}
	n, _ := io.Copy(w, f)
	return offset + n
}

func lastLines(path string, n int) string {
	b, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	s := strings.Join(lines, "\n")
	if s != "" {
		s += "\n"
	}
	return s
}

// stopTimeout bounds how long a serve process may take to stop its
// database servers (each has 30 s of its own, in parallel) before SIGKILL.
const stopTimeout = 60 * time.Second

// Stop ends the account running from dir: SIGTERM, so that it stops its
// database servers and removes their data; SIGKILL after a bound, and then
// the servers it left are killed here. It returns the account it stopped,
// or nil when none ran.
func Stop(ctx context.Context, dir string) (*Account, error) {
	a, err := Status(dir)
	if a == nil || err != nil {
		return nil, err
	}
	if err := syscall.Kill(a.PID, syscall.SIGTERM); err != nil && !errors.Is(err, syscall.ESRCH) {
		return nil, fmt.Errorf("stopping the sandbox account (pid %d): %w", a.PID, err)
	}
	if err := waitGone(ctx, a.PID, stopTimeout); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		_ = syscall.Kill(a.PID, syscall.SIGKILL)
		if err := waitGone(ctx, a.PID, 10*time.Second); err != nil {
			return nil, fmt.Errorf("the sandbox account (pid %d) did not stop: %w", a.PID, err)
		}
		// Killed before it stopped its servers: the manager's start-up
		// clean-up stops and removes what a crashed run left, and the
		// account it saved ends with it, as a stop ends it.
		_ = os.Remove(filepath.Join(dir, SavedFile))
		if _, err := dbserver.New(dbserver.Config{StateDir: dir}); err != nil {
			return a, fmt.Errorf("the sandbox account was killed; cleaning its database servers: %w", err)
		}
	}
	removeIfPID(dir, a.PID)
	return a, nil
}

// waitGone polls /proc until pid is gone (it is not our child, so it
// cannot be waited for), bounded by d and ctx.
func waitGone(ctx context.Context, pid int, d time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	return clock.Poll(ctx, nil, 20*time.Millisecond, func() (bool, error) { return !alive(pid), nil })
}
