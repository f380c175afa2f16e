package sandbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/dbaf/dbaf/internal/sandbox/cloudformation"
	"github.com/dbaf/dbaf/internal/sandbox/dbserver"
	"github.com/dbaf/dbaf/internal/sandbox/state"
)

// The account saves itself (Options.StateFile) after every change, so
// that after a crash (kill -9, the machine's power) the next start serves
// it again: every stack with its events and resources, every cluster,
// instance, snapshot, secret and tag, and the database servers on the
// data they had, at the addresses they had. A clean stop (Close) ends the
// account and removes the file: the next start begins from the seed.

// savedVersion changes when an older file can no longer be read as saved.
const savedVersion = 1

// saved is the file's content.
type saved struct {
	Version         int
	Region, Account string
	State           json.RawMessage // a *state.State
	Stacks          []cloudformation.SavedStack
	// Servers are the addresses of the database servers behind clusters,
	// by cluster id; their data is in the state directory (dbserver).
	Servers map[string]dbserver.Endpoint

	st *state.State // State, read
}

// saver writes the account to its file, one write at a time, only when
// it changed.
type saver struct {
	path string
	log  io.Writer
	kick chan struct{} // a change to save; buffered 1, so changes coalesce

	mu   sync.Mutex // one write at a time; guards last
	last []byte
}

// loadSaved reads the account a crashed run saved at path: nil when there
// is none, or when it cannot be used (then it is moved aside, and why is
// logged).
func loadSaved(path, region, account string, log io.Writer) *saved {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	var sv saved
	if err == nil {
		err = json.Unmarshal(b, &sv)
	}
	switch {
	case err != nil:
	case sv.Version != savedVersion:
		err = fmt.Errorf("it is of version %d, this dbaf reads %d", sv.Version, savedVersion)
	case sv.Region != region || sv.Account != account:
		err = fmt.Errorf("it is account %s in %s, not %s in %s", sv.Account, sv.Region, account, region)
	case len(sv.State) == 0:
		err = errors.New("it holds no account")
	default:
		sv.st, err = state.Load(sv.State)
	}
	if err != nil {
		aside := path + ".unreadable"
		_ = os.Rename(path, aside)
		fmt.Fprintf(log, "dbaf sandbox: the saved account %s cannot be used (%v): starting from the seed; it is kept as %s\n", path, err, aside)
		return nil
	}
	return &sv
}

// settle puts what a crash cut short in a state the account can serve: a
// cluster or instance being created failed with its stack (which Restore
// fails), a password being reset took, a snapshot being taken is done.
func settle(st *state.State) {
	for _, cl := range st.Clusters.All() {
		switch cl.Status {
		case "creating":
			cl.Status = "failed"
		case "resetting-master-credentials":
			cl.Status, cl.PendingPassword = "available", false
		}
	}
	for _, in := range st.Instances.All() {
		if in.Status == "creating" {
			in.Status = "failed"
		}
	}
	for _, sn := range st.Snapshots.All() {
		if sn.Status == "creating" {
			sn.Status = "available"
		}
	}
}

// changed tells the saver that something changed; it never blocks.
func (s *Server) changed() {
	if s.save == nil {
		return
	}
	select {
	case s.save.kick <- struct{}{}:
	default:
	}
}

// saveLoop saves after each change until the account closes.
func (s *Server) saveLoop() {
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-s.save.kick:
			s.saveNow()
		}
	}
}

// saveNow writes the account to its file if it changed since the last
// write: aside, then renamed over it, so that a crash never leaves half a
// file.
func (s *Server) saveNow() {
	if s.save == nil {
		return
	}
	s.save.mu.Lock()
	defer s.save.mu.Unlock()
	sv := saved{Version: savedVersion, Region: s.region, Account: s.account}
	var b []byte
	var err error
	sv.Stacks = s.cfn.Save(func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		sv.Servers = s.serverAddrs()
		sv.State, err = json.Marshal(s.st) // under the lock: it reads the records
	})
	if err == nil {
		b, err = json.Marshal(sv)
	}
	if err != nil {
		fmt.Fprintf(s.save.log, "dbaf sandbox: cannot save the account: %v\n", err)
		return
	}
	if bytes.Equal(b, s.save.last) {
		return
	}
	tmp := s.save.path + ".tmp"
	if err := writeSynced(tmp, b); err != nil {
		fmt.Fprintf(s.save.log, "dbaf sandbox: cannot save the account in %s: %v\n", s.save.path, err)
		return
	}
	if err := os.Rename(tmp, s.save.path); err != nil {
		fmt.Fprintf(s.save.log, "dbaf sandbox: cannot save the account in %s: %v\n", s.save.path, err)
		return
	}
	s.save.last = b
}

// writeSynced writes b to path (0600: it holds the secrets RDS manages)
// and flushes it to the disk.
func writeSynced(path string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// forget removes the saved account: a clean stop ends it.
func (s *Server) forget() {
	if s.save != nil {
		_ = os.Remove(s.save.path)
	}
}

// readOnly says whether an action only reads, so that serving it needs no
// save.
func readOnly(action string) bool {
	for _, p := range []string{"Describe", "List", "Get"} {
		if strings.HasPrefix(action, p) {
			return true
		}
	}
	return false
}
