// Package dbserver runs real database servers on loopback for the sandbox:
// one PostgreSQL or MariaDB server per backed cluster, each on its own
// 127.77.x.y address and the engine's own port, seeded with a legacy
// dataset, copied physically for clones. It knows nothing of AWS: the
// sandbox names a server by its cluster id.
package dbserver

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Engine is a server kind.
type Engine string

const (
	Postgres Engine = "postgres" // backs aurora-postgresql
	MySQL    Engine = "mysql"    // backs aurora-mysql, served by MariaDB
)

// Port is the engine's standard port, the one every server of it listens on.
func (e Engine) Port() int {
	if e == MySQL {
		return 3306
	}
	return 5432
}

// AdminUser is the sandbox's own superuser in every server, named as RDS
// names its own.
const AdminUser = "rdsadmin"

// Config says where servers keep their data and how big the dataset is.
type Config struct {
	StateDir string    // required: templates, certificates and server data live here
	Scale    int       // dataset scale factor; 0 means 1 (about 100,000 rows)
	Log      io.Writer // where warnings go (binaries missing, ...); nil discards
	// AddrBase is the first two octets of server addresses; default "127.77".
	AddrBase string
	// TemplateDir is where the seeded templates are built and kept, with
	// the passwords they hold; default StateDir/templates. Managers of
	// several processes may share one (a test run does): a lock file per
	// template lets one build it while the others wait and copy it.
	TemplateDir string
	// Keep names the servers (by id) whose data directories a crashed
	// earlier run left and Reattach will start again: New stops their
	// leftover processes but keeps their data.
	Keep []string
	// KeepSnapshots names the snapshots (by id) whose data a crashed
	// earlier run left and the account still has: New removes the others.
	KeepSnapshots []string
	// OnExit is told when a server that was serving exits without being
	// stopped (killed, its disk full). It is called on a goroutine of its
	// own; nil means nobody listens.
	OnExit func(id string)
}

// Endpoint is where a server listens.
type Endpoint struct {
	Host string
	Port int
}

func (e Endpoint) String() string { return net.JoinHostPort(e.Host, strconv.Itoa(e.Port)) }

// Manager owns every server it started; Close stops them all. Safe for
// concurrent use.
type Manager struct {
	cfg     Config
	secrets secrets
	ca      *authority // issues each server's certificate (tls.go)
	runAs   credential
	engines map[Engine]engine

	mu      sync.Mutex
	servers map[string]*server // by id
	next    int                // next address index
	// hosts is the address each id was given: a cluster made again under
	// its id gets it back, as Aurora derives the endpoint from the cluster
	// identifier (dbaf reset relies on it).
	hosts    map[string]string
	tmplOnce map[Engine]*onceErr
	closed   bool
}

// secrets are kept in the state directory, 0600: the admin password only
// the sandbox uses, and the master password of every seeded source.
type secrets struct {
	Admin  string `json:"admin"`
	Source string `json:"source"`
}

type onceErr struct {
	once sync.Once
	err  error
}

// New prepares the state directory: it stops and removes what a crashed
// earlier run left, and makes the TLS certificate and passwords at first
// start. It starts no server.
func New(cfg Config) (*Manager, error) {
	if cfg.StateDir == "" {
		return nil, errors.New("dbserver: Config.StateDir is empty: give a directory for database data")
	}
	if cfg.Scale <= 0 {
		cfg.Scale = 1
	}
	if cfg.Log == nil {
		cfg.Log = io.Discard
	}
	if cfg.AddrBase == "" {
		cfg.AddrBase = "127.77"
	}
	dir, err := filepath.Abs(cfg.StateDir)
	if err != nil {
		return nil, err
	}
	cfg.StateDir = dir
	if cfg.TemplateDir == "" {
		cfg.TemplateDir = filepath.Join(dir, "templates")
	}
	if cfg.TemplateDir, err = filepath.Abs(cfg.TemplateDir); err != nil {
		return nil, err
	}
	for _, d := range []string{dir, filepath.Join(dir, "servers"), cfg.TemplateDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, fmt.Errorf("dbserver: state directory %s: %w", d, err)
		}
	}
	m := &Manager{cfg: cfg, servers: map[string]*server{}, hosts: map[string]string{}, tmplOnce: map[Engine]*onceErr{}}
	if m.runAs, err = serverUser(); err != nil {
		return nil, err
	}
	for _, d := range []string{dir, cfg.TemplateDir} {
		if err := m.runAs.reach(d); err != nil {
			return nil, err
		}
	}
	if err := m.loadSecrets(); err != nil {
		return nil, err
	}
	if m.ca, err = ensureCA(filepath.Join(dir, "tls")); err != nil {
		return nil, err
	}
	m.cleanLeftovers()
	if err := m.cleanSnapshots(cfg.KeepSnapshots); err != nil {
		fmt.Fprintf(cfg.Log, "dbaf sandbox: cannot remove leftover snapshot data: %v\n", err)
	}
	m.engines = map[Engine]engine{Postgres: &pgEngine{m: m}, MySQL: &mariaEngine{m: m}}
	return m, nil
}

// sharedTemplates says whether the templates live outside the state
// directory, possibly shared with other managers.
func (m *Manager) sharedTemplates() bool {
	return m.cfg.TemplateDir != filepath.Join(m.cfg.StateDir, "templates")
}

// loadSecrets reads the passwords, or makes them at first start. They live
// with the templates, which hold them.
func (m *Manager) loadSecrets() error {
	path := filepath.Join(m.cfg.StateDir, "secrets.json")
	if m.sharedTemplates() {
		path = filepath.Join(m.cfg.TemplateDir, "secrets.json")
	}
	unlock, err := lockFile(path + ".lock")
	if err != nil {
		return fmt.Errorf("dbserver: %w", err)
	}
	defer unlock()
	b, err := os.ReadFile(path)
	if err == nil && json.Unmarshal(b, &m.secrets) == nil && m.secrets.Admin != "" && m.secrets.Source != "" {
		return nil
	}
	// New passwords make the cached templates useless: they hold the old ones.
	if entries, err := os.ReadDir(m.cfg.TemplateDir); err == nil {
		for _, e := range entries {
			if !strings.HasSuffix(e.Name(), ".lock") {
				_ = os.RemoveAll(filepath.Join(m.cfg.TemplateDir, e.Name()))
			}
		}
	}
	m.secrets = secrets{Admin: randomPassword(), Source: randomPassword()}
	b, _ = json.Marshal(m.secrets)
	if err := os.WriteFile(path, b, 0o600); err != nil {
		return fmt.Errorf("dbserver: cannot save passwords in %s: %w", path, err)
	}
	return nil
}

func randomPassword() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return "Sbx" + hex.EncodeToString(b) // letters and digits: valid for both engines and for RDS
}

// SourcePassword is the master password of every seeded source.
func (m *Manager) SourcePassword() string { return m.secrets.Source }

// AdminPassword is the password of AdminUser, the sandbox's own superuser
// in every server (the master user is none): for tests that must look
// where the master user cannot.
func (m *Manager) AdminPassword() string { return m.secrets.Admin }

// Available says whether the engine's binaries are on this machine; the
// error names what is missing.
func (m *Manager) Available(e Engine) error {
	en, ok := m.engines[e]
	if !ok {
		return fmt.Errorf("dbserver: unknown engine %q", e)
	}
	return en.available()
}

// Endpoint is where the server for id listens; ok is false when there is none.
func (m *Manager) Endpoint(id string) (Endpoint, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.servers[id]
	if !ok {
		return Endpoint{}, false
	}
	return s.ep, true
}

// Reserve picks the address a server for id will listen on, before it
// exists, so that its endpoint can be reported at once; port 0 is the
// engine's own.
func (m *Manager) Reserve(id string, e Engine, port int) (Endpoint, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return Endpoint{}, errors.New("dbserver: manager closed")
	}
	if s, ok := m.servers[id]; ok {
		return s.ep, nil
	}
	if port == 0 {
		port = e.Port()
	}
	ep, c, err := m.earlierEndpointLocked(id, port)
	if err != nil {
		ep, c, err = m.freeEndpointLocked(port)
	}
	if err != nil {
		return Endpoint{}, err
	}
	m.hosts[id] = ep.Host
	m.servers[id] = m.newServer(id, e, ep, c)
	return ep, nil
}

// newServer is the record of a server the sandbox serves a cluster with.
func (m *Manager) newServer(id string, e Engine, ep Endpoint, c *os.File) *server {
	s := &server{id: id, engine: e, ep: ep, claim: c, dir: filepath.Join(m.cfg.StateDir, "servers", id), done: make(chan struct{})}
	if m.cfg.OnExit != nil {
		s.onExit = func() { m.cfg.OnExit(id) }
	}
	return s
}

// Reattach starts the server for id again on the data a crashed earlier
// run left (Config.Keep), at the address it had, so that its endpoint is
// what it was. When it cannot start (the address is taken, the data is
// gone or broken, the disk is full), id keeps its address and data but no
// server runs, and the error says why.
func (m *Manager) Reattach(ctx context.Context, id string, e Engine, ep Endpoint) error {
	en, ok := m.engines[e]
	if !ok {
		return fmt.Errorf("dbserver: unknown engine %q", e)
	}
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return errors.New("dbserver: manager closed")
	}
	c, err := claim(ep.Host, ep.Port)
	if err != nil {
		c = nil // kept without the claim: its address is still its own
	}
	s := m.newServer(id, e, ep, c)
	m.servers[id], m.hosts[id] = s, ep.Host
	m.mu.Unlock()
	if err != nil {
		return fmt.Errorf("dbserver: %s's address %s: %w", id, ep, err)
	}
	if _, err := os.Stat(s.dataDir()); err != nil {
		return fmt.Errorf("dbserver: %s's data: %w", id, err)
	}
	if err := en.start(ctx, s); err != nil {
		return fmt.Errorf("dbserver: restart %s (%s) on its data: %w", id, e, err)
	}
	return nil
}

// earlierEndpointLocked claims the address id had before, if it had one
// and it is free.
func (m *Manager) earlierEndpointLocked(id string, port int) (Endpoint, *os.File, error) {
	host, ok := m.hosts[id]
	if !ok {
		return Endpoint{}, nil, fmt.Errorf("dbserver: %s had no address", id)
	}
	c, err := claim(host, port)
	return Endpoint{Host: host, Port: port}, c, err
}

// freeEndpointLocked returns the next address whose port nothing listens on.
func (m *Manager) freeEndpointLocked(port int) (Endpoint, *os.File, error) {
	for range 60000 {
		n := m.next
		m.next++
		host := fmt.Sprintf("%s.%d.%d", m.cfg.AddrBase, n/250, n%250+1)
		c, err := claim(host, port)
		if err != nil {
			continue // taken (e.g. by another sandbox): try the next one
		}
		return Endpoint{Host: host, Port: port}, c, nil
	}
	return Endpoint{}, nil, fmt.Errorf("dbserver: no free address in %s.0.0/16 for port %d", m.cfg.AddrBase, port)
}

func (m *Manager) reserved(id string) (*server, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.servers[id]
	if !ok {
		return nil, fmt.Errorf("dbserver: no server %s", id)
	}
	return s, nil
}

// StartSource starts a server for id holding the legacy dataset, with
// masterUser's password the source password. The first call per engine
// builds (or reuses) the seeded template.
func (m *Manager) StartSource(ctx context.Context, id string, e Engine, masterUser string) (Endpoint, error) {
	if _, err := m.Reserve(id, e, 0); err != nil {
		return Endpoint{}, err
	}
	s, _ := m.reserved(id)
	en := m.engines[e]
	err := func() error {
		tmpl, err := m.template(ctx, e, masterUser)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(s.dir, 0o755); err != nil {
			return err
		}
		if err := copyTree(tmpl, s.dataDir()); err != nil {
			return fmt.Errorf("copy template: %w", err)
		}
		// The template, never changed, is the source's base backup.
		if err := m.keepArchive(s, tmpl, nil); err != nil {
			return err
		}
		if err := m.runAs.chownTree(s.dir); err != nil {
			return err
		}
		return en.start(ctx, s)
	}()
	if err != nil {
		m.discard(s)
		return Endpoint{}, fmt.Errorf("dbserver: start %s (%s): %w", id, e, err)
	}
	return s.ep, nil
}

// Clone starts a server for id holding a physical copy of source's data,
// taken from the running source server, on the address Reserve gave id
// (or a new one).
func (m *Manager) Clone(ctx context.Context, source, id string) (Endpoint, error) {
	src, err := m.reserved(source)
	if err != nil {
		return Endpoint{}, err
	}
	if !src.running() {
		return Endpoint{}, fmt.Errorf("dbserver: source %s is not running", source)
	}
	if _, err := m.Reserve(id, src.engine, 0); err != nil {
		return Endpoint{}, err
	}
	s, _ := m.reserved(id)
	en := m.engines[src.engine]
	err = func() error {
		if err := os.MkdirAll(s.dir, 0o755); err != nil {
			return err
		}
		src.copying.Lock()
		err := en.copyFrom(ctx, src, s.dataDir())
		src.copying.Unlock()
		if err != nil {
			return fmt.Errorf("copy the data of %s: %w", source, err)
		}
		if src.engine == Postgres {
			if err := m.inheritArchive(s, src); err != nil {
				return err
			}
		}
		if err := m.runAs.chownTree(s.dir); err != nil {
			return err
		}
		return en.start(ctx, s)
	}()
	if err != nil {
		m.discard(s)
		return Endpoint{}, fmt.Errorf("dbserver: clone %s to %s: %w", source, id, err)
	}
	return s.ep, nil
}

// Restart starts id's server again on its data when it is not running
// (it died, or Stop stopped it).
func (m *Manager) Restart(ctx context.Context, id string) error {
	s, err := m.reserved(id)
	if err != nil {
		return err
	}
	if s.running() {
		return nil
	}
	m.mu.Lock()
	if s.claim == nil {
		s.claim, err = claim(s.ep.Host, s.ep.Port)
	}
	m.mu.Unlock()
	if err != nil {
		return fmt.Errorf("dbserver: %s's address %s: %w", id, s.ep, err)
	}
	if err := m.engines[s.engine].start(ctx, s); err != nil {
		return fmt.Errorf("dbserver: restart %s (%s) on its data: %w", id, s.engine, err)
	}
	return nil
}

// SetPassword changes user's password in id's server.
func (m *Manager) SetPassword(ctx context.Context, id, user, password string) error {
	s, err := m.reserved(id)
	if err != nil {
		return err
	}
	if !s.running() {
		return fmt.Errorf("dbserver: %s is not running", id)
	}
	if err := m.engines[s.engine].setPassword(ctx, s, user, password); err != nil {
		return fmt.Errorf("dbserver: set the password of %s in %s: %w", user, id, err)
	}
	return nil
}

// Stop stops id's server and keeps its data; the endpoint then refuses
// connections.
func (m *Manager) Stop(id string) error {
	s, err := m.reserved(id)
	if err != nil {
		return err
	}
	return s.stop()
}

// Remove stops id's server and deletes its data. Removing an unknown id is
// not an error.
func (m *Manager) Remove(id string) error {
	m.mu.Lock()
	s, ok := m.servers[id]
	m.mu.Unlock()
	if !ok {
		// Data a crashed run left that no server was started on again.
		return os.RemoveAll(filepath.Join(m.cfg.StateDir, "servers", id))
	}
	return m.discard(s)
}

func (m *Manager) discard(s *server) error {
	err := s.stop()
	if rmErr := os.RemoveAll(s.dir); err == nil {
		err = rmErr
	}
	s.release()
	m.mu.Lock()
	if m.servers[s.id] == s {
		delete(m.servers, s.id)
	}
	m.mu.Unlock()
	return err
}

// Close stops every server and deletes its data: the sandbox's account
// starts from its seed each time, so nothing here outlives it. Templates
// stay, so the next start is fast.
func (m *Manager) Close() error {
	m.mu.Lock()
	m.closed = true
	list := make([]*server, 0, len(m.servers))
	for _, s := range m.servers {
		list = append(list, s)
	}
	m.mu.Unlock()
	var wg sync.WaitGroup
	errs := make([]error, len(list))
	for i, s := range list {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = m.discard(s)
		}()
	}
	wg.Wait()
	return errors.Join(append(errs, m.cleanSnapshots(nil))...)
}

// template returns the data directory of the seeded, stopped template
// server for e, building it once.
func (m *Manager) template(ctx context.Context, e Engine, masterUser string) (string, error) {
	en := m.engines[e]
	if err := en.available(); err != nil {
		return "", err
	}
	ver, err := en.version(ctx)
	if err != nil {
		return "", err
	}
	dir := filepath.Join(m.cfg.TemplateDir, fmt.Sprintf("%s-%s-%s-scale%d-d%d", e, safeName(ver), masterUser, m.cfg.Scale, datasetVersion))
	m.mu.Lock()
	o, ok := m.tmplOnce[e]
	if !ok {
		o = &onceErr{}
		m.tmplOnce[e] = o
	}
	m.mu.Unlock()
	o.once.Do(func() {
		// Another process sharing the templates may be building it.
		unlock, err := lockFile(dir + ".lock")
		if err != nil {
			o.err = err
			return
		}
		defer unlock()
		if _, err := os.Stat(filepath.Join(dir, "data")); err == nil {
			return // cached by an earlier run
		}
		o.err = m.buildTemplate(ctx, en, dir, masterUser)
	})
	if o.err != nil {
		// A failed build (e.g. cancelled) may be retried by the next caller.
		m.mu.Lock()
		delete(m.tmplOnce, e)
		m.mu.Unlock()
		return "", o.err
	}
	return filepath.Join(dir, "data"), nil
}

func (m *Manager) buildTemplate(ctx context.Context, en engine, dir, masterUser string) error {
	build := dir + ".build"
	killLeftover(build) // a build that crashed, holding the lock no more
	_ = os.RemoveAll(build)
	if err := os.MkdirAll(build, 0o755); err != nil {
		return err
	}
	m.mu.Lock()
	ep, c, err := m.freeEndpointLocked(en.engine().Port())
	m.mu.Unlock()
	if err != nil {
		return err
	}
	s := &server{id: "template", engine: en.engine(), ep: ep, claim: c, dir: build, done: make(chan struct{})}
	defer s.release()
	err = func() error {
		if err := m.runAs.chownTree(build); err != nil {
			return err
		}
		if err := en.initData(ctx, s, masterUser); err != nil {
			return err
		}
		if err := en.start(ctx, s); err != nil {
			return err
		}
		if err := en.seed(ctx, s, masterUser, m.cfg.Scale); err != nil {
			return fmt.Errorf("load the legacy dataset: %w", err)
		}
		return s.stop()
	}()
	if err != nil {
		_ = s.stop()
		_ = os.RemoveAll(build)
		return fmt.Errorf("build the %s template: %w", en.engine(), err)
	}
	_ = os.Remove(filepath.Join(build, "server.log"))
	return os.Rename(build, dir)
}

func safeName(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' {
			return r
		}
		return '_'
	}, s)
}

// cleanLeftovers stops servers a crashed run left running and removes
// their data: no cluster outlives the sandbox that made it.
func (m *Manager) cleanLeftovers() {
	parents := []string{filepath.Join(m.cfg.StateDir, "servers")}
	if !m.sharedTemplates() {
		// Shared ones may be building in another process: a builder
		// clears a crashed build itself, under the template's lock.
		parents = append(parents, m.cfg.TemplateDir)
	}
	for _, parent := range parents {
		entries, _ := os.ReadDir(parent)
		for _, e := range entries {
			dir := filepath.Join(parent, e.Name())
			if parent == m.cfg.TemplateDir && !strings.HasSuffix(e.Name(), ".build") {
				continue // a finished template, or its lock: keep
			}
			killLeftover(dir)
			if parent != m.cfg.TemplateDir && slices.Contains(m.cfg.Keep, e.Name()) {
				continue // Reattach starts it again on its data
			}
			if err := os.RemoveAll(dir); err != nil {
				fmt.Fprintf(m.cfg.Log, "dbaf sandbox: cannot remove the leftover database data %s: %v\n", dir, err)
			}
		}
	}
}
