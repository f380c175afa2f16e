package sandbox

import (
	"fmt"
	"time"

	"github.com/dbaf/dbaf/internal/sandbox/control"
	"github.com/dbaf/dbaf/internal/sandbox/resources"
	"github.com/dbaf/dbaf/internal/sandbox/wire"
)

// account is the Server as its resource provider (package resources) sees
// it: the names and addresses it gives resources and the database servers
// behind clusters. The provider holds s.mu when it calls, except for
// RemoveDatabase.
type account struct{ s *Server }

var _ resources.Account = account{}

func (a account) ClusterARN(id string) string       { return a.s.rds.ClusterARN(id) }
func (a account) InstanceARN(id string) string      { return a.s.rds.InstanceARN(id) }
func (a account) ClusterEndpoint(id string) string  { return a.s.rds.ClusterEndpoint(id) }
func (a account) ReaderEndpoint(id string) string   { return a.s.rds.ReaderEndpoint(id) }
func (a account) InstanceEndpoint(id string) string { return a.s.rds.InstanceEndpoint(id) }
func (a account) RemoveDatabase(clusterID string)   { a.s.removeDatabase(clusterID) }

func (a account) SecretARN(name string) string { return a.s.keys.SecretARN(name) }
func (a account) KeyARN(id string) string      { return a.s.keys.KeyARN(id) }
func (a account) Quota(name string) int64      { return a.s.rds.Quota(name) }

func (a account) CopyDatabase(source, id string, at time.Time, port int, user, password string) (<-chan error, error) {
	return a.s.backClone(source, id, at, port, user, password)
}

func (a account) RestoreDatabase(snapshotID, id string, port int, user, password string) (<-chan error, error) {
	return a.s.backRestore(snapshotID, id, port, user, password)
}

func (a account) SnapshotDatabase(clusterID, snapshotID string) {
	if err := a.s.snapshotData(a.s.ctx, clusterID, snapshotID); err != nil {
		fmt.Fprintf(a.s.dbs.log, "dbaf sandbox: %v\n", err)
	}
}

// resourceFault is the failure reason of an injected resource fault.
func (s *Server) resourceFault(logicalID string) (string, bool) {
	f, ok := s.ctl.TakeFault("cloudformation", control.ResourcePrefix+logicalID)
	if !ok {
		return "", false
	}
	if f.Message != "" {
		return f.Message, true
	}
	return fmt.Sprintf("Resource handler returned message: \"%s (failure injected by the sandbox)\" (RequestToken: %s, HandlerErrorCode: GeneralServiceException)", f.Code, wire.NewUUID()), true
}
