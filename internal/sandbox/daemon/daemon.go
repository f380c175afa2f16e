// Package daemon keeps one local sandbox account running across commands,
// the way a real AWS account outlives the commands that use it: `dbaf
// sandbox serve` claims a state directory and publishes where it serves
// (Claim, Publish); Start runs that serve process detached, Stop ends it,
// and Status says whether one runs. The state directory also holds the
// account's database servers (package dbserver) and the account as it
// saves itself after every change (SavedFile), which a start after a
// crash serves again.
package daemon

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Files in the state directory.
const (
	accountFile = "account.json" // the running account; mode 0600: it holds the database password
	lockFile    = "serve.lock"   // held by the serving process for its whole life
	LogFile     = "serve.log"    // the detached serve process's standard error
	// SavedFile is where the account saves itself after every change, so
	// that a start after a crash serves it again (sandbox.Options.StateFile).
	SavedFile = "account-state.json"
)

// Account is a running sandbox account, as its serving process published it.
type Account struct {
	PID      int       `json:"pid"`
	URL      string    `json:"url"`
	Started  time.Time `json:"started"`
	StateDir string    `json:"state_dir"`
	// Env is what points the AWS SDKs, the AWS CLI and dbaf at it
	// (KEY=VALUE), with DBAF_SANDBOX_DB_PASSWORD first when it has
	// databases. It is secret: never log it.
	Env []string `json:"env"`
}

// Lookup returns the value of key in the account's environment.
func (a *Account) Lookup(key string) string {
	for _, kv := range a.Env {
		if k, v, ok := strings.Cut(kv, "="); ok && k == key {
			return v
		}
	}
	return ""
}

// DefaultStateDir is $XDG_STATE_HOME/dbaf/sandbox, else
// ~/.local/state/dbaf/sandbox; "" when neither is known.
func DefaultStateDir(getenv func(string) string) string {
	if d := getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "dbaf", "sandbox")
	}
	if h := getenv("HOME"); h != "" {
		return filepath.Join(h, ".local", "state", "dbaf", "sandbox")
	}
	return ""
}

// Claim is a serving process's hold on a state directory: only one
// account serves from a directory, since a second one's database manager
// would take the first one's servers for a crash's leftovers.
type Claim struct {
	dir  string
	lock *os.File
}

// ErrClaimed means another live process serves from the directory.
var ErrClaimed = errors.New("another sandbox account serves from this state directory")

// NewClaim takes the directory for this process (creating it), or fails
// with ErrClaimed. A crashed holder's lock is released by the kernel, so
// its stale account file is simply overwritten by Publish.
func NewClaim(dir string) (*Claim, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("sandbox state directory: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(dir, lockFile), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("sandbox state directory: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			if a, _ := Status(dir); a != nil {
				return nil, fmt.Errorf("%w (%s, pid %d): stop it with dbaf sandbox stop, or give another --state-dir", ErrClaimed, a.URL, a.PID)
			}
			return nil, fmt.Errorf("%w (%s): give another --state-dir", ErrClaimed, dir)
		}
		return nil, fmt.Errorf("locking %s: %w", f.Name(), err)
	}
	return &Claim{dir: dir, lock: f}, nil
}

// Publish records the account as the running one, for Status and --sandbox.
func (c *Claim) Publish(a Account) error {
	a.PID, a.StateDir = os.Getpid(), c.dir
	if a.Started.IsZero() {
		a.Started = time.Now()
	}
	b, err := json.MarshalIndent(a, "", "  ")
	if err != nil {
		return err
	}
	// Written aside and renamed, so a reader never sees half a file.
	tmp := filepath.Join(c.dir, accountFile+".tmp")
	if err := os.WriteFile(tmp, append(b, '\n'), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(c.dir, accountFile))
}

// Release withdraws the account and lets the directory go.
func (c *Claim) Release() {
	removeIfPID(c.dir, os.Getpid())
	c.lock.Close() // closing the descriptor drops the lock
}

// removeIfPID removes the account file when it is pid's.
func removeIfPID(dir string, pid int) {
	if a, err := read(dir); err == nil && a.PID == pid {
		_ = os.Remove(filepath.Join(dir, accountFile))
	}
}

func read(dir string) (*Account, error) {
	b, err := os.ReadFile(filepath.Join(dir, accountFile))
	if err != nil {
		return nil, err
	}
	var a Account
	if err := json.Unmarshal(b, &a); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, accountFile), err)
	}
	return &a, nil
}

// Status returns the account running from dir, or nil when none runs. It
// reads one file and /proc: cheap enough for a home screen. An account
// file whose process is gone (a crash) or is no longer ours is removed.
func Status(dir string) (*Account, error) {
	if dir == "" {
		return nil, nil
	}
	a, err := read(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		_ = os.Remove(filepath.Join(dir, accountFile))
		return nil, nil
	}
	if !isServe(a.PID) {
		removeIfPID(dir, a.PID) // re-read: a new account may have just replaced it
		return nil, nil
	}
	return a, nil
}

// isServe reports whether pid is a live `dbaf sandbox serve` process, so
// a reused pid never gets our signals.
func isServe(pid int) bool {
	if pid <= 1 {
		return false
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	if err != nil {
		return false
	}
	args := strings.Split(strings.TrimRight(string(b), "\x00"), "\x00")
	for i := 0; i+1 < len(args); i++ {
		if args[i] == "sandbox" && args[i+1] == "serve" {
			return !zombie(pid)
		}
	}
	return false
}

// zombie reports a process that has exited but not been reaped: it holds
// no port and serves nothing.
func zombie(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true
	}
	// pid (comm) STATE …; comm may hold spaces and parentheses.
	s := string(b)
	if i := strings.LastIndexByte(s, ')'); i >= 0 && i+2 < len(s) {
		return s[i+2] == 'Z'
	}
	return false
}

// alive reports whether pid still exists (zombies count as gone).
func alive(pid int) bool {
	_, err := os.Stat("/proc/" + strconv.Itoa(pid))
	return err == nil && !zombie(pid)
}
