package resources

import (
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dbaf/dbaf/aws/sandbox/cloudformation"
	"github.com/dbaf/dbaf/aws/sandbox/state"
	"github.com/dbaf/dbaf/aws/sandbox/wire"
)

var (
	backupWindow      = regexp.MustCompile(`^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$`)
	maintenanceWindow = regexp.MustCompile(`^(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d-(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d$`)
)

func (pr *Provider) provisionCluster(r cloudformation.Resource, p *props) (*provisioned, error) {
	id := strings.ToLower(p.str("DBClusterIdentifier"))
	engine, version := p.str("Engine"), p.str("EngineVersion")
	restoreType, source, snapshotID := p.str("RestoreType"), p.str("SourceDBClusterIdentifier"), p.str("SnapshotIdentifier")
	useLatest, _ := p.boolean("UseLatestRestorableTime")
	restoreTo := p.str("RestoreToTime")
	subnetGroupName := strings.ToLower(p.str("DBSubnetGroupName"))
	sgIDs := p.strList("VpcSecurityGroupIds")
	port, hasPort := p.integer("Port")
	retention, hasRetention := p.integer("BackupRetentionPeriod")
	bw, mw := p.str("PreferredBackupWindow"), p.str("PreferredMaintenanceWindow")
	deletionProtection, _ := p.boolean("DeletionProtection")
	copyTags, _ := p.boolean("CopyTagsToSnapshot")
	encrypted, hasEncrypted := p.boolean("StorageEncrypted")
	masterUser, masterPassword := p.str("MasterUsername"), p.str("MasterUserPassword")
	manageMaster, _ := p.boolean("ManageMasterUserPassword")
	dbName, storageType := p.str("DatabaseName"), p.str("StorageType")
	tags := p.tags("Tags")
	var sv2 *state.Scaling
	if sc, ok := p.object("ServerlessV2ScalingConfiguration"); ok {
		sc.required("MinCapacity", "MaxCapacity")
		minC, _ := sc.number("MinCapacity")
		maxC, _ := sc.number("MaxCapacity")
		sv2 = &state.Scaling{Min: minC, Max: maxC}
		p.errs = append(p.errs, sc.errs...)
	}
	if err := p.check(r.LogicalID); err != nil {
		return nil, err
	}

	if id == "" {
		id = generatedName(r, 63, true)
	}
	if err := checkIdentifier("DBClusterIdentifier", id); err != nil {
		return nil, err
	}
	if _, exists := pr.st.Clusters.Get(id); exists {
		return nil, rdsErr(400, "DBClusterAlreadyExistsFault", "DB Cluster already exists")
	}

	cl := &state.Cluster{ID: id, ResourceID: "cluster-" + wire.RandomSuffix(26, wire.UpperAlnum), Status: "creating", Created: time.Now().UTC(),
		StorageType: "aurora", BackupRetention: 1, BackupWindow: "03:47-04:17", MaintenanceWindow: "tue:05:30-tue:06:00",
		DeletionProtection: deletionProtection, CopyTagsToSnapshot: copyTags, StorageEncrypted: true}
	res := &provisioned{physicalID: id, ref: id}
	switch {
	case source != "" && snapshotID != "":
		return nil, rdsErr(400, "InvalidParameterCombination", "Specify SourceDBClusterIdentifier or SnapshotIdentifier, not both.")
	case source != "":
		src, ok := pr.st.FindCluster(source)
		if !ok {
			return nil, rdsErr(404, "DBClusterNotFoundFault", "DBCluster %s not found.", source)
		}
		switch restoreType {
		case "", "full-copy":
			res.fullCopy = true
		case "copy-on-write":
		default:
			return nil, rdsErr(400, "InvalidParameterValue", "Invalid RestoreType %s: use full-copy or copy-on-write.", restoreType)
		}
		if !strings.HasPrefix(src.Engine, "aurora") && !res.fullCopy {
			return nil, rdsErr(400, "InvalidParameterCombination",
				"DB cluster %s is a Multi-AZ DB cluster (engine %s): copy-on-write cloning is supported only for Aurora DB clusters.", src.ID, src.Engine)
		}
		if src.Status != "available" {
			return nil, rdsErr(400, "InvalidDBClusterStateFault", "DB cluster %s is not in the available state (it is %s).", src.ID, src.Status)
		}
		switch {
		case useLatest && restoreTo != "":
			return nil, rdsErr(400, "InvalidParameterCombination", "Cannot specify both RestoreToTime and UseLatestRestorableTime.")
		case restoreTo != "" && !res.fullCopy:
			return nil, rdsErr(400, "InvalidParameterCombination", "RestoreToTime can't be specified if RestoreType is copy-on-write: a clone is always of the source's latest data. Use full-copy to restore to a point in time.")
		case restoreTo == "" && !useLatest:
			return nil, rdsErr(400, "InvalidParameterCombination", "RestoreToTime must be specified if UseLatestRestorableTime isn't enabled.")
		case restoreTo != "":
			at, err := time.Parse(time.RFC3339, restoreTo)
			if err != nil {
				return nil, rdsErr(400, "InvalidParameterValue", "Invalid RestoreToTime %s: use an ISO 8601 UTC time like 2026-11-24T21:30:00Z.", restoreTo)
			}
			earliest := time.Now().Add(-time.Duration(src.BackupRetention) * 24 * time.Hour)
			if earliest.Before(src.Created) {
				earliest = src.Created
			}
			if latest := src.LatestRestorable(); at.Before(earliest) || at.After(latest) {
				return nil, rdsErr(400, "InvalidRestoreFault", "The restore time %s is outside the restorable window of DB cluster %s: %s to %s.",
					restoreTo, src.ID, wire.ISOTime(earliest), wire.ISOTime(latest))
			}
		}
		if engine != "" && engine != src.Engine {
			return nil, rdsErr(400, "InvalidParameterCombination", "The engine of the new DB cluster (%s) must be the source's (%s).", engine, src.Engine)
		}
		if version != "" && version != src.Version {
			return nil, rdsErr(400, "InvalidParameterCombination", "Cannot change the engine version when restoring DB cluster %s (%s): leave EngineVersion out or set %s.", src.ID, src.Version, src.Version)
		}
		cl.Engine, cl.Version, cl.Port, cl.MasterUser = src.Engine, src.Version, src.Port, src.MasterUser
		cl.StorageEncrypted, cl.DatabaseName, cl.IAMAuth = src.StorageEncrypted, src.DatabaseName, src.IAMAuth
		if src.MultiAZ {
			cl.MultiAZ, cl.ClusterClass, cl.StorageType = true, src.ClusterClass, src.StorageType
		}
		if !res.fullCopy {
			if src.CloneGroup == "" {
				src.CloneGroup = wire.NewUUID()
			}
			cl.CloneGroup = src.CloneGroup
		}
	case snapshotID != "":
		sn, ok := pr.st.Snapshots.Get(strings.ToLower(snapshotID))
		if !ok {
			return nil, rdsErr(404, "DBClusterSnapshotNotFoundFault", "DBClusterSnapshot %s not found.", snapshotID)
		}
		if sn.Status != "available" {
			return nil, rdsErr(400, "InvalidDBClusterSnapshotStateFault", "DB cluster snapshot %s is not available (it is %s).", sn.ID, sn.Status)
		}
		if engine == "" {
			return nil, rdsErr(400, "InvalidParameterValue", "The parameter Engine must be provided and must not be blank.")
		}
		if engine != sn.Engine {
			return nil, rdsErr(400, "InvalidParameterCombination", "The engine of the new DB cluster (%s) must be the snapshot's (%s).", engine, sn.Engine)
		}
		res.fullCopy = true
		cl.Engine, cl.Version, cl.Port, cl.MasterUser, cl.StorageEncrypted = sn.Engine, sn.Version, sn.Port, sn.MasterUser, sn.StorageEncrypted
		if version != "" {
			cl.Version = version
		}
	default:
		if engine == "" {
			return nil, rdsErr(400, "InvalidParameterValue", "The parameter Engine must be provided and must not be blank.")
		}
		if version == "" {
			if vs := state.EngineVersions(engine); len(vs) > 0 {
				version = vs[len(vs)-1]
			}
		}
		if !state.KnownVersion(engine, version) {
			return nil, rdsErr(400, "InvalidParameterCombination", "Cannot find version %s for %s", version, engine)
		}
		if masterUser == "" {
			return nil, rdsErr(400, "InvalidParameterValue", "The parameter MasterUsername must be provided and must not be blank.")
		}
		if masterPassword == "" && !manageMaster {
			return nil, rdsErr(400, "InvalidParameterValue", "The parameter MasterUserPassword must be provided and must not be blank.")
		}
		res.fullCopy = true
		cl.Engine, cl.Version, cl.MasterUser = engine, version, masterUser
		cl.Port = 5432
		if strings.Contains(engine, "mysql") {
			cl.Port = 3306
		}
		if hasEncrypted {
			cl.StorageEncrypted = encrypted
		}
	}
	if masterPassword != "" {
		if msg := state.PasswordProblem(masterPassword, cl.Engine); msg != "" {
			return nil, rdsErr(400, "InvalidParameterValue", "The parameter MasterUserPassword is not a valid password%s", msg)
		}
		cl.PasswordHash = state.HashPassword(masterPassword)
	}
	if hasPort {
		if port < 1150 || port > 65535 {
			return nil, rdsErr(400, "InvalidParameterValue", "Invalid port %d: it must be from 1150 to 65535.", port)
		}
		cl.Port = port
	}
	if hasRetention {
		if retention < 1 || retention > 35 {
			return nil, rdsErr(400, "InvalidParameterValue", "Invalid backup retention period %d: it must be from 1 to 35 days.", retention)
		}
		cl.BackupRetention = retention
	}
	if bw != "" {
		if !backupWindow.MatchString(bw) {
			return nil, rdsErr(400, "InvalidParameterValue", "The backup window %s is not valid: use the format hh24:mi-hh24:mi in UTC, e.g. 03:00-03:30.", bw)
		}
		cl.BackupWindow = bw
	}
	if mw != "" {
		if !maintenanceWindow.MatchString(strings.ToLower(mw)) {
			return nil, rdsErr(400, "InvalidParameterValue", "The maintenance window %s is not valid: use the format ddd:hh24:mi-ddd:hh24:mi in UTC, e.g. sun:05:00-sun:05:30.", mw)
		}
		cl.MaintenanceWindow = strings.ToLower(mw)
	}
	if dbName != "" {
		cl.DatabaseName = dbName
	}
	if storageType != "" {
		cl.StorageType = storageType
	}
	if sv2 != nil {
		if err := checkScaling(sv2); err != nil {
			return nil, err
		}
		cl.Serverless = sv2
	}

	// Network: the subnet group and security groups must exist and share a VPC.
	if subnetGroupName == "" {
		return nil, rdsErr(400, "InvalidVPCNetworkStateFault", "The account has no default VPC, so DBSubnetGroupName is required.")
	}
	g, ok := pr.st.SubnetGroups.Get(subnetGroupName)
	if !ok {
		return nil, rdsErr(404, "DBSubnetGroupNotFoundFault", "DBSubnetGroup '%s' not found.", subnetGroupName)
	}
	if zones := pr.st.SubnetAZs(g.SubnetIDs); len(zones) < 2 {
		return nil, rdsErr(400, "DBSubnetGroupDoesNotCoverEnoughAZs",
			"The DB subnet group doesn't meet Availability Zone (AZ) coverage requirement. Current AZ coverage: %s. Add subnets to cover at least 2 AZs.", strings.Join(zones, ", "))
	}
	cl.SubnetGroup = g.Name
	if len(sgIDs) == 0 {
		if v, ok := pr.st.VPCs.Get(g.VPCID); ok {
			sgIDs = []string{v.DefaultSG}
		}
	}
	for _, sgID := range sgIDs {
		sg, ok := pr.st.SGs.Get(sgID)
		if !ok {
			return nil, rdsErr(400, "InvalidParameterValue", "Invalid security group, groupId= %s, groupName=.", sgID)
		}
		if sg.VPCID != g.VPCID {
			return nil, rdsErr(400, "InvalidParameterCombination", "The DB subnet group %s (VPC %s) and the security group %s (VPC %s) are in different VPCs.", g.Name, g.VPCID, sg.ID, sg.VPCID)
		}
	}
	cl.SGIDs = slices.Clone(sgIDs)
	cl.Tags = resourceTags(r, tags)
	// A restore of a cluster with a real server gets a physical copy of
	// that server's data (for a snapshot: of its cluster's current data).
	copyOf := source
	if snapshotID != "" {
		if sn, ok := pr.st.Snapshots.Get(strings.ToLower(snapshotID)); ok {
			copyOf = sn.Cluster
		}
	}
	if copyOf != "" {
		if src, ok := pr.st.FindCluster(copyOf); ok {
			ready, err := pr.acct.CopyDatabase(src.ID, id, cl.Port)
			if err != nil {
				return nil, rdsErr(500, "InternalFailure", "The sandbox cannot start a database server for %s: %v", id, err)
			}
			res.ready = ready
		}
	}
	pr.st.Clusters.Put(id, cl)
	res.attrs = map[string]string{
		"Endpoint.Address":     pr.acct.ClusterEndpoint(id),
		"Endpoint.Port":        strconv.Itoa(cl.Port),
		"ReadEndpoint.Address": pr.acct.ReaderEndpoint(id),
		"DBClusterArn":         pr.acct.ClusterARN(id),
		"DBClusterResourceId":  cl.ResourceID,
	}
	return res, nil
}

// checkScaling checks a Serverless v2 range as RDS does: half-ACU steps,
// 0-256 minimum, 1-256 maximum, minimum not above maximum.
func checkScaling(sc *state.Scaling) error {
	half := func(f float64) bool { return math.Mod(f*2, 1) == 0 }
	switch {
	case sc.Min < 0 || sc.Min > 256 || !half(sc.Min):
		return rdsErr(400, "InvalidParameterValue", "Serverless v2 minimum capacity %g isn't valid: use 0 to 256 ACUs in steps of 0.5.", sc.Min)
	case sc.Max < 1 || sc.Max > 256 || !half(sc.Max):
		return rdsErr(400, "InvalidParameterValue", "Serverless v2 maximum capacity %g isn't valid: use 1 to 256 ACUs in steps of 0.5.", sc.Max)
	case sc.Min > sc.Max:
		return rdsErr(400, "InvalidParameterCombination", "Serverless v2 minimum capacity %g is above its maximum %g.", sc.Min, sc.Max)
	}
	return nil
}
