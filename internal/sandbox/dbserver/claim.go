package dbserver

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
)

// claimDir holds one lock file per address a server of this machine uses.
// A listen-and-close probe alone races: two sandboxes starting at once (two
// test packages, or a test beside a user's account) would both see
// 127.77.0.1:5432 free before either server binds it. An flock is held for
// the server's whole life and released by the kernel if the process dies.
// The directory is machine-wide on purpose: /tmp, not os.TempDir(), which a
// process's TMPDIR may point elsewhere (scripts/test.sh points it at a tmpfs).
func claimDir() string { return "/tmp/dbaf-sandbox-addresses" }

// claim takes host:port for this process, or fails if another process (or
// this one) holds it or something already listens there.
func claim(host string, port int) (*os.File, error) {
	if err := os.MkdirAll(claimDir(), 0o777); err != nil {
		return nil, err
	}
	_ = os.Chmod(claimDir(), 0o777|os.ModeSticky) // shared by every user's sandboxes
	f, err := os.OpenFile(filepath.Join(claimDir(), host+"_"+strconv.Itoa(port)+".lock"), os.O_CREATE|os.O_RDWR, 0o666)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("%s:%d is claimed by another sandbox", host, port)
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
	if err != nil {
		f.Close() // taken by something that is not a dbaf sandbox
		return nil, err
	}
	_ = ln.Close()
	return f, nil
}

// lockFile takes an exclusive lock on path, waiting for another process (or
// goroutine) that holds it; the kernel releases it if the holder dies.
func lockFile(path string) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return func() { f.Close() }, nil
}
