package rds

import (
	"regexp"
	"strings"
	"time"

	"github.com/dbaf/dbaf/internal/sandbox/state"
	"github.com/dbaf/dbaf/internal/sandbox/wire"
)

// Manual cluster snapshots: CreateDBClusterSnapshot copies the data of
// the cluster's server as it is at that moment (creating, then
// available), DeleteDBClusterSnapshot removes it; a restore from the
// snapshot (CloudFormation's SnapshotIdentifier) gets that data.

// snapshotIdentifier is RDS's rule for a DBClusterSnapshotIdentifier.
var snapshotIdentifier = regexp.MustCompile(`^[A-Za-z]([A-Za-z0-9]|-[A-Za-z0-9])*$`)

func (s *Service) createDBClusterSnapshot(c *wire.Call) *wire.APIError {
	id, clusterID := c.Params.Get("DBClusterSnapshotIdentifier"), c.Params.Get("DBClusterIdentifier")
	switch {
	case id == "":
		return wire.Errorf(400, "MissingParameter", "The request must contain the parameter DBClusterSnapshotIdentifier")
	case clusterID == "":
		return wire.Errorf(400, "MissingParameter", "The request must contain the parameter DBClusterIdentifier")
	case len(id) > 255 || !snapshotIdentifier.MatchString(id):
		return wire.Errorf(400, "InvalidParameterValue", "The parameter DBClusterSnapshotIdentifier is not a valid identifier. Identifiers must begin with a letter; must contain only ASCII letters, digits, and hyphens; and must not end with a hyphen or contain two consecutive hyphens.")
	}
	var tags []state.Tag
	for _, t := range c.Params.Structs("Tags") {
		if t.Get("Key") == "" {
			return wire.Errorf(400, "InvalidParameterValue", "Tag keys must not be empty.")
		}
		tags = append(tags, state.Tag{Key: t.Get("Key"), Value: t.Get("Value")})
	}
	s.mu.Lock()
	sn, err := s.beginSnapshot(id, clusterID, tags)
	s.mu.Unlock()
	if err != nil {
		return err
	}
	// The copy is taken before the answer, so that it holds exactly what
	// was committed when the call was made; it becomes available a moment
	// later (AWS takes minutes).
	copyErr := s.snapshotData(s.ctx, sn.Cluster, sn.ID)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.writeSnapshot(&c.Out, sn)
	s.goBackground(func() {
		if copyErr == nil && !s.sleep(s.ctx, 3*time.Second) {
			return
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		if cur, ok := s.st.Snapshots.Get(sn.ID); !ok || cur != sn {
			return // deleted meanwhile
		}
		sn.Status = "available"
		if copyErr != nil {
			sn.Status = "failed"
		}
	})
	return nil
}

// beginSnapshot checks a CreateDBClusterSnapshot and puts the snapshot in
// the account, creating. Callers hold s.mu.
func (s *Service) beginSnapshot(id, clusterID string, tags []state.Tag) (*state.Snapshot, *wire.APIError) {
	cl, ok := s.st.FindCluster(clusterID)
	if !ok {
		return nil, wire.Errorf(404, "DBClusterNotFoundFault", "DBCluster %s not found.", clusterID)
	}
	if _, exists := s.st.FindSnapshot(id); exists {
		return nil, wire.Errorf(400, "DBClusterSnapshotAlreadyExistsFault", "Cannot create the cluster snapshot because one with the identifier %s already exists.", id)
	}
	if cl.Status != "available" {
		return nil, wire.Errorf(400, "InvalidDBClusterStateFault", "Cannot create a snapshot of DB cluster %s: it is %s, not available.", cl.ID, cl.Status)
	}
	if n, max := int64(s.st.ManualSnapshots()), s.Quota("manual-cluster-snapshots"); n >= max {
		return nil, wire.Errorf(400, "SnapshotQuotaExceeded", "Cannot create the cluster snapshot %s: the account's quota of %d manual DB cluster snapshots (ManualClusterSnapshots) is used up, %d exist. Delete snapshots or request a quota increase.", id, max, n)
	}
	if tags == nil && cl.CopyTagsToSnapshot {
		tags = append(tags, cl.Tags...)
	}
	sn := s.st.NewSnapshot(cl, strings.ToLower(id), tags)
	s.st.Snapshots.Put(sn.ID, sn)
	return sn, nil
}

func (s *Service) deleteDBClusterSnapshot(c *wire.Call) *wire.APIError {
	id := c.Params.Get("DBClusterSnapshotIdentifier")
	if id == "" {
		return wire.Errorf(400, "MissingParameter", "The request must contain the parameter DBClusterSnapshotIdentifier")
	}
	s.mu.Lock()
	sn, ok := s.st.FindSnapshot(id)
	if !ok {
		s.mu.Unlock()
		return wire.Errorf(404, "DBClusterSnapshotNotFoundFault", "DBClusterSnapshot %s not found.", id)
	}
	if sn.Status != "available" && sn.Status != "failed" {
		s.mu.Unlock()
		return wire.Errorf(400, "InvalidDBClusterSnapshotStateFault", "Cannot delete the snapshot because the snapshot %s is in state %s.", sn.ID, sn.Status)
	}
	if sn.Type != "manual" {
		s.mu.Unlock()
		return wire.Errorf(400, "InvalidDBClusterSnapshotStateFault", "Only manual snapshots may be deleted: %s is %s.", sn.ID, sn.Type)
	}
	s.st.Snapshots.Del(sn.ID)
	sn.Status = "deleted"
	s.writeSnapshot(&c.Out, sn)
	s.mu.Unlock()
	s.removeSnapshot(sn.ID)
	return nil
}
