package sandbox

import (
	"context"
	"errors"
	"fmt"
	"github.com/dbaf/dbaf/internal/sandbox/control"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/dbaf/dbaf/internal/engine"
	"github.com/dbaf/dbaf/internal/sandbox/dbserver"
)

// databases puts real servers behind clusters (Options.Databases): every
// available seeded Aurora cluster gets one at New, every clone a physical
// copy of its source's. Without it, or where an engine's binaries are
// missing, clusters are metadata only.
type databases struct {
	mgr *dbserver.Manager
	log io.Writer
}

func engineOf(awsEngine string) (dbserver.Engine, bool) {
	switch awsEngine {
	case engine.AuroraPostgreSQL:
		return dbserver.Postgres, true
	case engine.AuroraMySQL:
		return dbserver.MySQL, true
	}
	return "", false
}

// startDatabases starts the servers of the seed's available Aurora
// clusters (only those named in o.DBSources when it is set). Failures are
// reported on cfg.Log and leave the clusters metadata only. resumed, when
// not nil, are the servers of the account a crash ended, by cluster id:
// they start again on their data instead (reattach).
func (s *Server) startDatabases(o Options, resumed map[string]dbserver.Endpoint) {
	cfg := *o.Databases
	if cfg.Log == nil {
		cfg.Log = io.Discard
	}
	cfg.OnExit = s.serverDied
	for id := range resumed {
		cfg.Keep = append(cfg.Keep, id)
	}
	if resumed != nil {
		for _, sn := range s.st.Snapshots.All() {
			cfg.KeepSnapshots = append(cfg.KeepSnapshots, sn.ID)
		}
	}
	mgr, err := dbserver.New(cfg)
	if err != nil {
		fmt.Fprintf(cfg.Log, "dbaf sandbox: no database servers, clusters are metadata only: %v\n", err)
		return
	}
	s.dbs = &databases{mgr: mgr, log: cfg.Log}
	if resumed != nil {
		s.reattach(resumed)
		return
	}
	type job struct{ id, user string }
	jobs := map[dbserver.Engine][]job{}
	backed := map[string]bool{}
	for _, cl := range s.st.Clusters.All() {
		e, ok := engineOf(cl.Engine)
		if !ok || cl.Status != "available" || strings.HasPrefix(cl.ID, "load-") || o.DBSources != nil && !slices.Contains(o.DBSources, cl.ID) {
			continue
		}
		jobs[e] = append(jobs[e], job{cl.ID, cl.MasterUser})
		backed[cl.ID] = true
	}
	for _, id := range o.DBSources {
		if !backed[id] {
			fmt.Fprintf(cfg.Log, "dbaf sandbox: %s is not an available Aurora cluster of the account: no server backs it\n", id)
		}
	}
	// The engines start side by side: each builds (or reuses) its own
	// template first, which is most of the wait.
	var wg sync.WaitGroup
	for _, e := range []dbserver.Engine{dbserver.Postgres, dbserver.MySQL} {
		if len(jobs[e]) == 0 {
			continue
		}
		if err := mgr.Available(e); err != nil {
			fmt.Fprintf(cfg.Log, "dbaf sandbox: %s clusters are metadata only: %v\n", e, err)
			continue
		}
		wg.Go(func() {
			// The first builds (or reuses) the engine's template; then the
			// rest copy it, two at a time (the machine may have two cores).
			first := jobs[e][0]
			if _, err := mgr.StartSource(s.ctx, first.id, e, first.user); err != nil {
				fmt.Fprintf(cfg.Log, "dbaf sandbox: %s is metadata only: %v\n", first.id, err)
				return
			}
			sem := make(chan struct{}, 2)
			var rest sync.WaitGroup
			for _, j := range jobs[e][1:] {
				rest.Go(func() {
					sem <- struct{}{}
					defer func() { <-sem }()
					if _, err := mgr.StartSource(s.ctx, j.id, e, j.user); err != nil {
						fmt.Fprintf(cfg.Log, "dbaf sandbox: %s is metadata only: %v\n", j.id, err)
					}
				})
			}
			rest.Wait()
		})
	}
	wg.Wait()
}

// DBPassword is the master password of every seeded cluster that has a
// real server ("" without Options.Databases).
func (s *Server) DBPassword() string {
	if s.dbs == nil {
		return ""
	}
	return s.dbs.mgr.SourcePassword()
}

// DBCAFile is the certificate of the CA that issues the database servers'
// certificates, "" without databases: clients verify the servers with it
// (DBAF_CA_BUNDLE in Env), as they verify RDS with AWS's bundle.
func (s *Server) DBCAFile() string {
	if s.dbs == nil {
		return ""
	}
	return s.dbs.mgr.CAFile()
}

// dbHost is the address of the server behind a cluster, "" if none.
func (s *Server) dbHost(clusterID string) string {
	if s.dbs == nil {
		return ""
	}
	if ep, ok := s.dbs.mgr.Endpoint(clusterID); ok {
		return ep.Host
	}
	return ""
}

// backClone reserves an address for a new cluster restored from a backed
// source and starts the copy in the background, then sets user's password
// unless it is ""; the channel gives the outcome. It returns nil when the
// source has no server. Callers hold s.mu.
func (s *Server) backClone(source, id string, at time.Time, port int, user, password string) (<-chan error, error) {
	if s.dbs == nil {
		return nil, nil
	}
	if _, ok := s.dbs.mgr.Endpoint(source); !ok {
		return nil, nil
	}
	e, _ := engineOf(s.clusterEngine(source))
	return s.startServerFor(id, e, port, user, password, func() error {
		if !at.IsZero() {
			// The servers run on the wall clock: at is the account's time.
			_, err := s.dbs.mgr.RestoreToTime(s.ctx, source, id, s.st.Clock.Wall(at))
			if !errors.Is(err, dbserver.ErrNoArchive) {
				return err
			}
			fmt.Fprintf(s.dbs.log, "dbaf sandbox: %s is restored with the current data of %s, not that of %s: %v\n", id, source, at.UTC().Format(time.RFC3339), err)
		}
		_, err := s.dbs.mgr.Clone(s.ctx, source, id)
		return err
	})
}

// startServerFor reserves an address for a new cluster's server, then
// starts it in the background with start and sets user's password unless
// it is ""; the channel gives the outcome. Callers hold s.mu.
func (s *Server) startServerFor(id string, e dbserver.Engine, port int, user, password string, start func() error) (<-chan error, error) {
	if _, err := s.dbs.mgr.Reserve(id, e, port); err != nil {
		return nil, err
	}
	done := make(chan error, 1)
	if !s.goBackground(func() {
		err := start()
		if err == nil && password != "" {
			err = s.dbs.mgr.SetPassword(s.ctx, id, user, password)
		}
		done <- err
	}) {
		_ = s.dbs.mgr.Remove(id)
		return nil, fmt.Errorf("the sandbox is closing")
	}
	return done, nil
}

func (s *Server) clusterEngine(id string) string {
	if cl, ok := s.st.Clusters.Get(id); ok {
		return cl.Engine
	}
	return ""
}

// removeDatabase stops a deleted cluster's server and removes its data.
// Not under s.mu: stopping a server takes a moment.
func (s *Server) removeDatabase(clusterID string) {
	if s.dbs == nil {
		return
	}
	if err := s.dbs.mgr.Remove(clusterID); err != nil {
		fmt.Fprintf(s.dbs.log, "dbaf sandbox: removing the server of %s: %v\n", clusterID, err)
	}
}

// applyPassword sets a new master password in the cluster's server, or,
// under a behaviour fault, does not. Not under s.mu.
func (s *Server) applyPassword(ctx context.Context, clusterID, user, password, fault string) {
	if s.dbs == nil {
		return
	}
	if _, ok := s.dbs.mgr.Endpoint(clusterID); !ok {
		return
	}
	var err error
	switch fault {
	case control.PasswordNotApplied:
		return
	case control.EndpointUnreachable:
		err = s.dbs.mgr.Stop(clusterID)
	default:
		err = s.dbs.mgr.SetPassword(ctx, clusterID, user, password)
	}
	if err != nil {
		fmt.Fprintf(s.dbs.log, "dbaf sandbox: %s: %v\n", clusterID, err)
	}
}

// reattach starts again the servers a crashed run left, on their data
// and at their addresses, two at a time. A cluster whose server cannot
// start shows as stopped (ServerDown); one whose server died before the
// crash and now starts is available again.
func (s *Server) reattach(servers map[string]dbserver.Endpoint) {
	sem := make(chan struct{}, 2)
	var wg sync.WaitGroup
	for id, ep := range servers {
		s.mu.Lock()
		cl, ok := s.st.Clusters.Get(id)
		serve := ok && (cl.Status == "available" || cl.ServerDown)
		var e dbserver.Engine
		if ok {
			e, ok = engineOf(cl.Engine)
		}
		s.mu.Unlock()
		if !serve || !ok {
			continue // failed or being deleted: its data goes with it
		}
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			err := s.dbs.mgr.Reattach(s.ctx, id, e, ep)
			if err != nil {
				fmt.Fprintf(s.dbs.log, "dbaf sandbox: %s stays stopped: %v\n", id, err)
			}
			s.setServerDown(id, err != nil)
		})
	}
	wg.Wait()
}

// serverDied is told by dbserver that the server behind a cluster exited
// unasked (killed, its disk full): the cluster and its instances show as
// stopped until the account's next start brings the server back.
func (s *Server) serverDied(clusterID string) {
	fmt.Fprintf(s.dbs.log, "dbaf sandbox: the database server of %s died; %s shows as stopped until the next dbaf sandbox start\n", clusterID, clusterID)
	s.setServerDown(clusterID, true)
	s.changed()
}

// setServerDown marks a cluster's server dead (the cluster and its
// instances stopped), or back (available again).
func (s *Server) setServerDown(clusterID string, down bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cl, ok := s.st.Clusters.Get(clusterID)
	if !ok || cl.ServerDown == down || cl.Status == "deleting" {
		return
	}
	from, to := "available", "stopped"
	if !down {
		from, to = to, from
	}
	cl.ServerDown = down
	if cl.Status == from || cl.Status == "resetting-master-credentials" {
		cl.Status, cl.PendingPassword = to, false
	}
	for _, m := range cl.Members {
		if in, ok := s.st.Instances.Get(m.Instance); ok && in.Status == from {
			in.Status = to
		}
	}
}

// startServer starts again the stopped server behind a cluster on its
// data (rds:StartDBCluster); nil when the cluster has no server. Not under
// s.mu.
func (s *Server) startServer(ctx context.Context, clusterID string) error {
	if s.dbs == nil {
		return nil
	}
	if _, ok := s.dbs.mgr.Endpoint(clusterID); !ok {
		return nil
	}
	err := s.dbs.mgr.Restart(ctx, clusterID)
	if err != nil {
		fmt.Fprintf(s.dbs.log, "dbaf sandbox: %s stays stopped: %v\n", clusterID, err)
	}
	return err
}

// serverAddrs are the addresses of the servers behind clusters, by
// cluster id, for the saved account. Callers hold s.mu.
func (s *Server) serverAddrs() map[string]dbserver.Endpoint {
	if s.dbs == nil {
		return nil
	}
	out := map[string]dbserver.Endpoint{}
	for _, cl := range s.st.Clusters.All() {
		if ep, ok := s.dbs.mgr.Endpoint(cl.ID); ok {
			out[cl.ID] = ep
		}
	}
	return out
}

func (s *Server) closeDatabases() {
	if s.dbs != nil {
		if err := s.dbs.mgr.Close(); err != nil {
			fmt.Fprintf(s.dbs.log, "dbaf sandbox: stopping database servers: %v\n", err)
		}
	}
}

// snapshotData copies the data of the server behind a cluster, as it is
// now, into a snapshot; nil when the cluster has no server. Not under s.mu.
func (s *Server) snapshotData(ctx context.Context, clusterID, snapshotID string) error {
	if s.dbs == nil {
		return nil
	}
	if _, ok := s.dbs.mgr.Endpoint(clusterID); !ok {
		return nil
	}
	return s.dbs.mgr.Snapshot(ctx, clusterID, snapshotID)
}

// removeSnapshotData deletes a deleted snapshot's data. Not under s.mu.
func (s *Server) removeSnapshotData(snapshotID string) {
	if s.dbs == nil {
		return
	}
	if err := s.dbs.mgr.RemoveSnapshot(snapshotID); err != nil {
		fmt.Fprintf(s.dbs.log, "dbaf sandbox: removing the data of snapshot %s: %v\n", snapshotID, err)
	}
}

// backRestore reserves an address for a new cluster restored from a
// snapshot and starts a server on the snapshot's data in the background:
// the data copied when it was taken, or, for a seeded snapshot of a
// backed cluster, the seed's dataset. It returns nil when the snapshot
// holds no data. Callers hold s.mu.
func (s *Server) backRestore(snapshotID, id string, port int, user, password string) (<-chan error, error) {
	if s.dbs == nil {
		return nil, nil
	}
	sn, ok := s.st.Snapshots.Get(snapshotID)
	if !ok {
		return nil, nil
	}
	e, ok := engineOf(sn.Engine)
	if !ok {
		return nil, nil
	}
	taken := s.dbs.mgr.HasSnapshot(sn.ID)
	if _, backed := s.dbs.mgr.Endpoint(sn.Cluster); !taken && !(sn.Seed && backed) {
		if backed {
			// Its copy never finished (a crash while it was taken): no
			// data of its moment to give.
			return nil, fmt.Errorf("snapshot %s holds no data", sn.ID)
		}
		return nil, nil
	}
	return s.startServerFor(id, e, port, user, password, func() error {
		var err error
		if taken {
			_, err = s.dbs.mgr.RestoreSnapshot(s.ctx, sn.ID, id)
		} else {
			_, err = s.dbs.mgr.StartSource(s.ctx, id, e, sn.MasterUser)
		}
		return err
	})
}
