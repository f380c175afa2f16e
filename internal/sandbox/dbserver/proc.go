package dbserver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/dbaf/dbaf/internal/clock"
)

// server is one database server process and its directory:
// dir/data (the data directory), dir/server.log, dir/pid.
// release gives up the server's address for other sandboxes.
func (s *server) release() {
	if s.claim != nil {
		_ = s.claim.Close()
		s.claim = nil
	}
}

type server struct {
	id     string
	engine Engine
	ep     Endpoint
	claim  *os.File // the lock on ep while this server may use it (claim.go)
	dir    string

	// copying lets one copy of this server's data be taken at a time:
	// parallel base backups of one source compete for WAL senders and
	// backup locks, and the disk is the bottleneck anyway.
	copying sync.Mutex

	mu       sync.Mutex
	cmd      *exec.Cmd
	done     chan struct{} // closed when the process has exited
	serving  bool          // it was ready once since it was launched
	stopping bool          // stop was asked: its exit is no surprise
	onExit   func()        // told when it exits serving and unasked; nil: nobody
}

func (s *server) dataDir() string { return filepath.Join(s.dir, "data") }
func (s *server) pidFile() string { return filepath.Join(s.dir, "pid") }

func (s *server) running() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return false
	}
	select {
	case <-s.done:
		return false
	default:
		return true
	}
}

// credential is the user servers run as: postgres and mysql refuse root.
type credential struct {
	uid, gid uint32
	asRoot   bool // we are root and switch to uid/gid
}

// serverUser picks who runs servers: when we are root, the engine's usual
// user if the machine has one (postgres), else nobody; otherwise ourselves.
func serverUser() (credential, error) {
	if os.Geteuid() != 0 {
		return credential{uid: uint32(os.Geteuid()), gid: uint32(os.Getegid())}, nil
	}
	for _, name := range []string{"postgres", "mysql", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, err1 := strconv.Atoi(u.Uid)
		gid, err2 := strconv.Atoi(u.Gid)
		if err1 == nil && err2 == nil {
			return credential{uid: uint32(uid), gid: uint32(gid), asRoot: true}, nil
		}
	}
	return credential{}, errors.New("dbserver: running as root and found no user (postgres, mysql or nobody) to run database servers as; run as a normal user")
}

func (c credential) attr() *syscall.SysProcAttr {
	a := &syscall.SysProcAttr{Setpgid: true}
	if c.asRoot {
		a.Credential = &syscall.Credential{Uid: c.uid, Gid: c.gid}
	}
	return a
}

func (c credential) chownTree(dir string) error {
	if !c.asRoot {
		return nil
	}
	return filepath.WalkDir(dir, func(p string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, int(c.uid), int(c.gid))
	})
}

// reach lets the server user reach dir when we are root: it gives others
// search (not read) permission on the directories above it, which
// temporary and home directories usually withhold.
func (c credential) reach(dir string) error {
	if !c.asRoot {
		return nil
	}
	for d := dir; ; d = filepath.Dir(d) {
		info, err := os.Stat(d)
		if err != nil {
			return err
		}
		if info.Mode().Perm()&0o001 == 0 {
			if err := os.Chmod(d, info.Mode().Perm()|0o001); err != nil {
				return fmt.Errorf("dbserver: database servers run as uid %d and cannot reach %s: %w", c.uid, d, err)
			}
		}
		if d == filepath.Dir(d) {
			return nil
		}
	}
}

// command builds a helper command (initdb, pg_basebackup, ...) run as the
// server user, its output kept for errors.
func (c credential) command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.SysProcAttr = c.attr()
	return cmd
}

func runTool(cmd *exec.Cmd) error {
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %w: %s", filepath.Base(cmd.Path), err, strings.TrimSpace(lastLines(string(out), 8)))
	}
	return nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// launch starts the server process, output to dir/server.log, and waits
// until ready (a probe, e.g. an admin login) succeeds, bounded by
// startTimeout and ctx.
func (s *server) launch(ctx context.Context, runAs credential, ready func(context.Context) error, name string, args ...string) error {
	logf, err := os.OpenFile(filepath.Join(s.dir, "server.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	cmd := exec.Command(name, args...) // not CommandContext: the server outlives the request that started it
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = runAs.attr()
	cmd.Dir = s.dir
	if err := cmd.Start(); err != nil {
		logf.Close()
		return err
	}
	logf.Close()
	done := make(chan struct{})
	s.mu.Lock()
	s.cmd, s.done, s.serving, s.stopping = cmd, done, false, false
	s.mu.Unlock()
	_ = os.WriteFile(s.pidFile(), []byte(strconv.Itoa(cmd.Process.Pid)), 0o644)
	go func() {
		_ = cmd.Wait()
		close(done)
		s.mu.Lock()
		died := s.serving && !s.stopping && s.cmd == cmd
		s.mu.Unlock()
		if died && s.onExit != nil {
			s.onExit()
		}
	}()

	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	var last error
	err = clock.Poll(ctx, nil, 50*time.Millisecond, func() (bool, error) {
		c, err := net.DialTimeout("tcp", s.ep.String(), time.Second)
		if err == nil {
			c.Close()
			err = ready(ctx)
		}
		if last = err; err == nil {
			return true, nil
		}
		select {
		case <-done:
			return false, fmt.Errorf("%s exited at start: %s", filepath.Base(name), lastLines(readFile(filepath.Join(s.dir, "server.log")), 6))
		default:
			return false, nil
		}
	})
	switch {
	case err == nil:
		s.mu.Lock()
		s.serving = s.cmd == cmd
		s.mu.Unlock()
		return nil
	case ctx.Err() != nil && err == ctx.Err():
		_ = s.stop()
		return fmt.Errorf("%s was not ready on %s: %w (last: %v; see %s)", filepath.Base(name), s.ep, err, last, filepath.Join(s.dir, "server.log"))
	}
	return err
}

const (
	startTimeout = 2 * time.Minute
	stopTimeout  = 30 * time.Second
)

func readFile(p string) string {
	b, _ := os.ReadFile(p)
	return string(b)
}

// stop asks the server to shut down fast and waits; SIGKILL after a bound.
func (s *server) stop() error {
	s.mu.Lock()
	cmd, done := s.cmd, s.done
	s.stopping = true
	s.mu.Unlock()
	if cmd == nil {
		return nil
	}
	sig := syscall.SIGTERM
	if s.engine == Postgres {
		sig = syscall.SIGINT // fast shutdown: don't wait for clients to leave
	}
	_ = cmd.Process.Signal(sig)
	select {
	case <-done:
	case <-time.After(stopTimeout):
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-done
	}
	_ = os.Remove(s.pidFile())
	return nil
}

// killLeftover kills the server a crashed run left in dir, if its pid file
// names a live process that runs on that directory.
func killLeftover(dir string) {
	b, err := os.ReadFile(filepath.Join(dir, "pid"))
	if err != nil {
		return
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 1 {
		return
	}
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil || !strings.Contains(string(cmdline), dir) {
		return // gone, or the pid was reused by something not ours
	}
	_ = syscall.Kill(-pid, syscall.SIGKILL)
	_ = syscall.Kill(pid, syscall.SIGKILL)
	// Not our child: poll /proc until the kernel has reaped it.
	ctx, cancel := context.WithTimeout(context.Background(), stopTimeout)
	defer cancel()
	_ = clock.Poll(ctx, nil, 20*time.Millisecond, func() (bool, error) {
		_, err := os.Stat(fmt.Sprintf("/proc/%d", pid))
		return err != nil, nil
	})
}

// copyTree copies a directory tree (regular files, dirs, symlinks).
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			return os.MkdirAll(target, info.Mode().Perm())
		case d.Type()&fs.ModeSymlink != 0:
			l, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return os.Symlink(l, target)
		case d.Type().IsRegular():
			return copyFile(p, target, info.Mode().Perm())
		}
		return nil // sockets, pipes: not data
	})
}

func copyFile(src, dst string, mode fs.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
