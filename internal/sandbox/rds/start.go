package rds

import (
	"time"

	"github.com/dbaf/dbaf/internal/sandbox/state"
	"github.com/dbaf/dbaf/internal/sandbox/wire"
)

// startDBCluster is rds:StartDBCluster: a stopped cluster (a seeded one,
// or one whose server died) is starting for a moment, its server is
// started again on its data, and it is available; a server that still
// cannot start leaves it stopped.
func (s *Service) startDBCluster(c *wire.Call) *wire.APIError {
	id := c.Params.Get("DBClusterIdentifier")
	if id == "" {
		return wire.Errorf(400, "MissingParameter", "The request must contain the parameter DBClusterIdentifier")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cl, ok := s.st.FindCluster(id)
	if !ok {
		return wire.Errorf(404, "DBClusterNotFoundFault", "DBCluster %s not found.", id)
	}
	if cl.Status != "stopped" {
		return wire.Errorf(400, "InvalidDBClusterStateFault", "DbCluster %s is in %s state but expected it to be one of stopped.", cl.ID, cl.Status)
	}
	s.setStatus(cl, "stopped", "starting")
	s.goBackground(func() {
		if !s.sleep(s.ctx, 5*time.Second) {
			return
		}
		err := s.startServer(s.ctx, cl.ID)
		s.mu.Lock()
		defer s.mu.Unlock()
		if cur, ok := s.st.Clusters.Get(cl.ID); !ok || cur != cl || cl.Status != "starting" {
			return // deleted meanwhile
		}
		if err != nil {
			s.setStatus(cl, "starting", "stopped")
			return
		}
		cl.ServerDown = false
		s.setStatus(cl, "starting", "available")
	})
	s.writeCluster(&c.Out, cl)
	return nil
}

// setStatus moves a cluster and its instances that are in status from to
// status to. Callers hold s.mu.
func (s *Service) setStatus(cl *state.Cluster, from, to string) {
	if cl.Status == from {
		cl.Status = to
	}
	for _, m := range cl.Members {
		if in, ok := s.st.Instances.Get(m.Instance); ok && in.Status == from {
			in.Status = to
		}
	}
}
