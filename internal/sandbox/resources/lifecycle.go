package resources

import (
	"fmt"
	"slices"
	"strings"

	"github.com/dbaf/dbaf/internal/sandbox/cloudformation"
	"github.com/dbaf/dbaf/internal/sandbox/state"
	"github.com/dbaf/dbaf/internal/sandbox/wire"
)

// finishCreate moves a provisioned resource to its ready state. Callers
// hold pr.mu.
func (pr *Provider) finishCreate(r cloudformation.Resource) {
	switch r.Type {
	case "AWS::RDS::DBCluster":
		if cl, ok := pr.st.Clusters.Get(r.PhysicalID); ok && cl.Status == "creating" {
			cl.Status = "available"
		}
	case "AWS::RDS::DBInstance":
		if in, ok := pr.st.Instances.Get(r.PhysicalID); ok && in.Status == "creating" {
			in.Status = "available"
		}
	}
}

// failProvisioned marks a resource that failed after it was created.
func (pr *Provider) failProvisioned(r cloudformation.Resource) {
	switch r.Type {
	case "AWS::RDS::DBCluster":
		if cl, ok := pr.st.Clusters.Get(r.PhysicalID); ok {
			cl.Status = "failed"
		}
	case "AWS::RDS::DBInstance":
		if in, ok := pr.st.Instances.Get(r.PhysicalID); ok {
			in.Status = "failed"
		}
	}
}

// startDelete checks that a resource can be deleted and starts it; the
// note, if any, is an event reason worth showing. Callers hold pr.mu.
func (pr *Provider) startDelete(r cloudformation.Resource, snapshot bool) (note, snapshotID string, err error) {
	switch r.Type {
	case "AWS::RDS::DBSubnetGroup":
		for _, cl := range pr.st.Clusters.All() {
			if cl.SubnetGroup == r.PhysicalID && cl.Status != "deleting" {
				return "", "", rdsErr(400, "InvalidDBSubnetGroupStateFault", "Cannot delete the subnet group '%s' because at least one database cluster: %s is still using it.", r.PhysicalID, cl.ID)
			}
		}
	case "AWS::EC2::SecurityGroup":
		for _, cl := range pr.st.Clusters.All() {
			if slices.Contains(cl.SGIDs, r.PhysicalID) && cl.Status != "deleting" {
				return "", "", ec2Err("DependencyViolation", "resource %s has a dependent object", r.PhysicalID)
			}
		}
	case "AWS::RDS::DBCluster":
		cl, ok := pr.st.Clusters.Get(r.PhysicalID)
		if !ok {
			return "", "", nil // already gone: nothing to do
		}
		if cl.DeletionProtection {
			return "", "", rdsErr(400, "InvalidParameterCombination", "Cannot delete protected Cluster, please disable deletion protection and try again.")
		}
		for _, m := range cl.Members {
			if in, ok := pr.st.Instances.Get(m.Instance); ok && in.Status != "deleting" {
				return "", "", rdsErr(400, "InvalidDBClusterStateFault", "Cluster cannot be deleted, it still contains DB instances in non-deleting state.")
			}
		}
		cl.Status = "deleting"
		if snapshot {
			id := strings.ToLower(r.StackName + "-snapshot-" + r.LogicalID + "-" + wire.RandomSuffix(12, wire.LowerAlnum))
			pr.st.Snapshots.Put(id, pr.st.NewSnapshot(cl, id, slices.Clone(cl.Tags)))
			policy := "DeletionPolicy Snapshot"
			if r.DeletionPolicy == "" {
				policy = "no DeletionPolicy, so CloudFormation's default for AWS::RDS::DBCluster, Snapshot"
			}
			return fmt.Sprintf("Creating final snapshot %s of DB cluster %s before deleting it (%s); the snapshot is kept, and billed, after the stack is gone", id, cl.ID, policy), id, nil
		}
	case "AWS::RDS::DBInstance":
		if in, ok := pr.st.Instances.Get(r.PhysicalID); ok {
			in.Status = "deleting"
		}
	}
	return "", "", nil
}

// finishDelete removes a deleted resource from the account. Callers hold pr.mu.
func (pr *Provider) finishDelete(r cloudformation.Resource, snapshotID string) {
	switch r.Type {
	case "AWS::IAM::Role":
		pr.st.Roles.Del(r.PhysicalID)
	case "AWS::Scheduler::Schedule":
		// A schedule that deleted itself after it ran is simply gone.
		for _, sc := range pr.st.Schedules.All() {
			if sc.Name == r.PhysicalID {
				pr.st.Schedules.Del(ScheduleKey(sc.Group, sc.Name))
			}
		}
	case "AWS::RDS::DBSubnetGroup":
		pr.st.SubnetGroups.Del(r.PhysicalID)
	case "AWS::EC2::SecurityGroup":
		pr.st.SGs.Del(r.PhysicalID)
	case "AWS::RDS::DBCluster":
		if cl, ok := pr.st.Clusters.Get(r.PhysicalID); ok {
			pr.st.RemoveMasterSecret(cl) // RDS deletes the secret of a password it manages with the cluster
		}
		pr.st.Clusters.Del(r.PhysicalID)
		if id := snapshotID; id != "" {
			if sn, ok := pr.st.Snapshots.Get(id); ok {
				sn.Status = "available"
			}
		}
	case "AWS::RDS::DBInstance":
		in, ok := pr.st.Instances.Get(r.PhysicalID)
		if !ok {
			return
		}
		pr.st.Instances.Del(in.ID)
		if cl, ok := pr.st.Clusters.Get(in.Cluster); ok {
			wasWriter := false
			cl.Members = slices.DeleteFunc(cl.Members, func(m state.Member) bool {
				if m.Instance == in.ID {
					wasWriter = m.Writer
					return true
				}
				return false
			})
			if wasWriter && len(cl.Members) > 0 {
				cl.Members[0].Writer = true // failover to a reader
			}
		}
	}
}
