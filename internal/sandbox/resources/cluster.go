package resources

import (
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dbaf/dbaf/internal/sandbox/cloudformation"
	"github.com/dbaf/dbaf/internal/sandbox/state"
	"github.com/dbaf/dbaf/internal/sandbox/wire"
)

var (
	backupWindow      = regexp.MustCompile(`^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$`)
	maintenanceWindow = regexp.MustCompile(`^(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d-(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d$`)
)

// clusterProps are the properties of an AWS::RDS::DBCluster the sandbox
// acts on, read and type-checked.
type clusterProps struct {
	id, engine, version             string
	restoreType, source, snapshotID string // where the data comes from
	useLatest                       bool
	restoreTo                       string
	subnetGroup                     string
	sgIDs                           []string
	port, retention                 int
	hasPort, hasRetention           bool
	backupWindow, maintenanceWindow string
	deletionProtection, copyTags    bool
	encrypted, hasEncrypted         bool
	kmsKey                          string // KmsKeyId
	masterUser, masterPassword      string
	manageMaster                    bool
	secretKey                       string // MasterUserSecret.KmsKeyId
	dbName, storageType             string
	tags                            []state.Tag
	serverless                      *state.Scaling
}

// readClusterProps reads a cluster's properties; the error lists every
// type error, as CloudFormation's schema validation does.
func readClusterProps(logicalID string, p *props) (*clusterProps, error) {
	c := &clusterProps{
		id:     strings.ToLower(p.str("DBClusterIdentifier")),
		engine: p.str("Engine"), version: p.str("EngineVersion"),
		restoreType: p.str("RestoreType"), source: p.str("SourceDBClusterIdentifier"), snapshotID: p.str("SnapshotIdentifier"),
	}
	c.useLatest, _ = p.boolean("UseLatestRestorableTime")
	c.restoreTo = p.str("RestoreToTime")
	c.subnetGroup = strings.ToLower(p.str("DBSubnetGroupName"))
	c.sgIDs = p.strList("VpcSecurityGroupIds")
	c.port, c.hasPort = p.integer("Port")
	c.retention, c.hasRetention = p.integer("BackupRetentionPeriod")
	c.backupWindow, c.maintenanceWindow = p.str("PreferredBackupWindow"), p.str("PreferredMaintenanceWindow")
	c.deletionProtection, _ = p.boolean("DeletionProtection")
	c.copyTags, _ = p.boolean("CopyTagsToSnapshot")
	c.encrypted, c.hasEncrypted = p.boolean("StorageEncrypted")
	c.masterUser, c.masterPassword = p.str("MasterUsername"), p.str("MasterUserPassword")
	c.manageMaster, _ = p.boolean("ManageMasterUserPassword")
	c.kmsKey = p.str("KmsKeyId")
	if ms, ok := p.object("MasterUserSecret"); ok {
		c.secretKey = ms.str("KmsKeyId")
		p.errs = append(p.errs, ms.errs...)
	}
	c.dbName, c.storageType = p.str("DatabaseName"), p.str("StorageType")
	c.tags = p.tags("Tags")
	if sc, ok := p.object("ServerlessV2ScalingConfiguration"); ok {
		sc.required("MinCapacity", "MaxCapacity")
		minC, _ := sc.number("MinCapacity")
		maxC, _ := sc.number("MaxCapacity")
		c.serverless = &state.Scaling{Min: minC, Max: maxC}
		p.errs = append(p.errs, sc.errs...)
	}
	if err := p.check(logicalID); err != nil {
		return nil, err
	}
	return c, nil
}

// provisionCluster creates a DB cluster: new, a clone or restore of
// another cluster, or a restore of a snapshot. Checks come in RDS's order,
// so the first problem is the one reported.
func (pr *Provider) provisionCluster(r cloudformation.Resource, p *props) (*provisioned, error) {
	c, err := readClusterProps(r.LogicalID, p)
	if err != nil {
		return nil, err
	}
	id := c.id
	if id == "" {
		id = generatedName(r, 63, true)
	}
	if err := checkIdentifier("DBClusterIdentifier", id); err != nil {
		return nil, err
	}
	if _, exists := pr.st.Clusters.Get(id); exists {
		return nil, rdsErr(400, "DBClusterAlreadyExistsFault", "DB Cluster already exists")
	}
	if n, max := int64(pr.st.Clusters.Len()), pr.acct.Quota("db-clusters"); n >= max {
		return nil, rdsErr(403, "DBClusterQuotaExceededFault", "Cannot create DB cluster %s: the account's quota of %d DB clusters (DBClusters) is used up, %d exist. Delete clusters or request a quota increase.", id, max, n)
	}
	if c.masterPassword != "" && c.manageMaster {
		return nil, rdsErr(400, "InvalidParameterCombination", "You can't specify MasterUserPassword with ManageMasterUserPassword: RDS generates the password it manages.")
	}
	cl := &state.Cluster{ID: id, ResourceID: "cluster-" + wire.RandomSuffix(26, wire.UpperAlnum), Status: "creating", Created: pr.st.Clock.Now(),
		StorageType: "aurora", BackupRetention: 1, BackupWindow: "03:47-04:17", MaintenanceWindow: "tue:05:30-tue:06:00",
		DeletionProtection: c.deletionProtection, CopyTagsToSnapshot: c.copyTags, StorageEncrypted: true}
	res := &provisioned{physicalID: id, ref: id, fullCopy: true}
	switch {
	case c.source != "" && c.snapshotID != "":
		err = rdsErr(400, "InvalidParameterCombination", "Specify SourceDBClusterIdentifier or SnapshotIdentifier, not both.")
	case c.source != "":
		res.fullCopy, err = pr.cloneFrom(cl, c)
	case c.snapshotID != "":
		err = pr.restoreSnapshot(cl, c)
	default:
		err = newCluster(cl, c)
	}
	if err != nil {
		return nil, err
	}
	if err := pr.encrypt(cl, c); err != nil {
		return nil, err
	}
	if err := applySettings(cl, c); err != nil {
		return nil, err
	}
	if err := pr.placeCluster(cl, c); err != nil {
		return nil, err
	}
	cl.Tags = resourceTags(r, c.tags)
	password, secretKey := c.masterPassword, ""
	if c.manageMaster {
		ref := c.secretKey
		if ref == "" {
			ref = state.AliasSecrets
		}
		key, problem := pr.st.UsableKey(ref, pr.acct.KeyARN)
		if problem != "" {
			return nil, rdsErr(400, "KMSKeyNotAccessibleFault", "%s", problem)
		}
		password, secretKey = state.GeneratePassword(), key.ID
		cl.PasswordHash = state.HashPassword(password)
	}
	if res.ready, err = pr.copyDatabase(cl, c, password); err != nil {
		return nil, err
	}
	pr.st.Clusters.Put(id, cl)
	if c.manageMaster {
		pr.st.AddMasterSecret(cl, pr.acct.SecretARN(state.MasterSecretName()), pr.acct.ClusterARN(id), secretKey, password, cl.Created)
	}
	res.attrs = map[string]string{
		"Endpoint.Address":     pr.acct.ClusterEndpoint(id),
		"Endpoint.Port":        strconv.Itoa(cl.Port),
		"ReadEndpoint.Address": pr.acct.ReaderEndpoint(id),
		"DBClusterArn":         pr.acct.ClusterARN(id),
		"DBClusterResourceId":  cl.ResourceID,
	}
	return res, nil
}

// cloneFrom makes cl a clone (copy-on-write) or full-copy restore of the
// source cluster; fullCopy tells which.
func (pr *Provider) cloneFrom(cl *state.Cluster, c *clusterProps) (fullCopy bool, err error) {
	src, ok := pr.st.FindCluster(c.source)
	if !ok {
		return false, rdsErr(404, "DBClusterNotFoundFault", "DBCluster %s not found.", c.source)
	}
	switch c.restoreType {
	case "", "full-copy":
		fullCopy = true
	case "copy-on-write":
	default:
		return false, rdsErr(400, "InvalidParameterValue", "Invalid RestoreType %s: use full-copy or copy-on-write.", c.restoreType)
	}
	if !strings.HasPrefix(src.Engine, "aurora") && !fullCopy {
		return false, rdsErr(400, "InvalidParameterCombination",
			"DB cluster %s is a Multi-AZ DB cluster (engine %s): copy-on-write cloning is supported only for Aurora DB clusters.", src.ID, src.Engine)
	}
	if src.Status != "available" {
		return false, rdsErr(400, "InvalidDBClusterStateFault", "DB cluster %s is not in the available state (it is %s).", src.ID, src.Status)
	}
	if err := checkRestoreTime(src, c, fullCopy, pr.st.Clock.Now()); err != nil {
		return false, err
	}
	if c.engine != "" && c.engine != src.Engine {
		return false, rdsErr(400, "InvalidParameterCombination", "The engine of the new DB cluster (%s) must be the source's (%s).", c.engine, src.Engine)
	}
	if c.version != "" && c.version != src.Version {
		return false, rdsErr(400, "InvalidParameterCombination", "Cannot change the engine version when restoring DB cluster %s (%s): leave EngineVersion out or set %s.", src.ID, src.Version, src.Version)
	}
	cl.Engine, cl.Version, cl.Port, cl.MasterUser = src.Engine, src.Version, src.Port, src.MasterUser
	cl.StorageEncrypted, cl.KeyID, cl.DatabaseName, cl.IAMAuth = src.StorageEncrypted, src.KeyID, src.DatabaseName, src.IAMAuth
	if src.MultiAZ {
		cl.MultiAZ, cl.ClusterClass, cl.StorageType = true, src.ClusterClass, src.StorageType
	}
	if !fullCopy {
		if src.CloneGroup == "" {
			// The first clone puts its source in a clone group.
			src.CloneGroup = wire.NewUUID()
		}
		// Aurora's limit: past it, a copy-on-write clone silently becomes
		// a full copy.
		fullCopy = int64(pr.copyOnWriteIn(src.CloneGroup)) >= pr.acct.Quota("clones-per-group")
	}
	// RDS's model: "For PITR, the clone group ID is inherited from the
	// source cluster", whether the restore is a copy-on-write clone or a
	// full copy (the one past the limit too). So the group says nothing of
	// how a clone was made: only the restore knows (CopyOnWrite).
	cl.CloneGroup, cl.CopyOnWrite = src.CloneGroup, !fullCopy
	return fullCopy, nil
}

// copyOnWriteIn counts the copy-on-write clones in a clone group, which
// Aurora's limit is about; its full copies share the group but not the
// storage, and do not count.
func (pr *Provider) copyOnWriteIn(group string) int {
	n := 0
	for _, cl := range pr.st.Clusters.All() {
		if cl.CloneGroup == group && cl.CopyOnWrite {
			n++
		}
	}
	return n
}

// encrypt picks the KMS key of an encrypted cluster: KmsKeyId, else its
// source's, else RDS's AWS-managed key. A key that is not usable fails the
// cluster, as RDS cannot encrypt with it.
func (pr *Provider) encrypt(cl *state.Cluster, c *clusterProps) error {
	if !cl.StorageEncrypted {
		if c.kmsKey != "" {
			return rdsErr(400, "InvalidParameterCombination", "KmsKeyId %s requires StorageEncrypted: the DB cluster would not be encrypted.", c.kmsKey)
		}
		cl.KeyID = ""
		return nil
	}
	ref := c.kmsKey
	if ref == "" {
		ref = cl.KeyID
	}
	if ref == "" {
		ref = state.AliasRDS
	}
	key, problem := pr.st.UsableKey(ref, pr.acct.KeyARN)
	if problem != "" {
		return rdsErr(400, "KMSKeyNotAccessibleFault", "%s", problem)
	}
	cl.KeyID = key.ID
	return nil
}

// checkRestoreTime checks the point in time of a restore from src: the
// latest restorable time, or a time in src's restorable window (full copy
// only: a clone is always of the latest data).
func checkRestoreTime(src *state.Cluster, c *clusterProps, fullCopy bool, now time.Time) error {
	switch {
	case c.useLatest && c.restoreTo != "":
		return rdsErr(400, "InvalidParameterCombination", "Cannot specify both RestoreToTime and UseLatestRestorableTime.")
	case c.restoreTo != "" && !fullCopy:
		return rdsErr(400, "InvalidParameterCombination", "RestoreToTime can't be specified if RestoreType is copy-on-write: a clone is always of the source's latest data. Use full-copy to restore to a point in time.")
	case c.restoreTo == "" && !c.useLatest:
		return rdsErr(400, "InvalidParameterCombination", "RestoreToTime must be specified if UseLatestRestorableTime isn't enabled.")
	case c.restoreTo != "":
		at, err := time.Parse(time.RFC3339, c.restoreTo)
		if err != nil {
			return rdsErr(400, "InvalidParameterValue", "Invalid RestoreToTime %s: use an ISO 8601 UTC time like 2026-11-24T21:30:00Z.", c.restoreTo)
		}
		if earliest, latest := src.RestorableWindow(now); at.Before(earliest) || at.After(latest) {
			return rdsErr(400, "InvalidRestoreFault", "The restore time %s is outside the restorable window of DB cluster %s: %s to %s.",
				c.restoreTo, src.ID, wire.ISOTime(earliest), wire.ISOTime(latest))
		}
	}
	return nil
}

// restoreSnapshot makes cl a restore of a cluster snapshot.
func (pr *Provider) restoreSnapshot(cl *state.Cluster, c *clusterProps) error {
	sn, ok := pr.st.Snapshots.Get(strings.ToLower(c.snapshotID))
	if !ok {
		return rdsErr(404, "DBClusterSnapshotNotFoundFault", "DBClusterSnapshot %s not found.", c.snapshotID)
	}
	if sn.Status != "available" {
		return rdsErr(400, "InvalidDBClusterSnapshotStateFault", "DB cluster snapshot %s is not available (it is %s).", sn.ID, sn.Status)
	}
	if c.engine == "" {
		return rdsErr(400, "InvalidParameterValue", "The parameter Engine must be provided and must not be blank.")
	}
	if c.engine != sn.Engine {
		return rdsErr(400, "InvalidParameterCombination", "The engine of the new DB cluster (%s) must be the snapshot's (%s).", c.engine, sn.Engine)
	}
	cl.Engine, cl.Version, cl.Port, cl.MasterUser, cl.StorageEncrypted, cl.KeyID = sn.Engine, sn.Version, sn.Port, sn.MasterUser, sn.StorageEncrypted, sn.KeyID
	// RDS's model: "For snapshot restore operations, the clone group ID
	// isn't inherited from the source cluster": a new cluster has none.
	cl.CloneGroup = ""
	if c.version != "" {
		cl.Version = c.version
	}
	return nil
}

// newCluster makes cl a new, empty cluster: engine, version (the latest
// by default) and master user are the template's.
func newCluster(cl *state.Cluster, c *clusterProps) error {
	if c.engine == "" {
		return rdsErr(400, "InvalidParameterValue", "The parameter Engine must be provided and must not be blank.")
	}
	version := c.version
	if version == "" {
		if vs := state.EngineVersions(c.engine); len(vs) > 0 {
			version = vs[len(vs)-1]
		}
	}
	if !state.KnownVersion(c.engine, version) {
		return rdsErr(400, "InvalidParameterCombination", "Cannot find version %s for %s", version, c.engine)
	}
	if c.masterUser == "" {
		return rdsErr(400, "InvalidParameterValue", "The parameter MasterUsername must be provided and must not be blank.")
	}
	if c.masterPassword == "" && !c.manageMaster {
		return rdsErr(400, "InvalidParameterValue", "The parameter MasterUserPassword must be provided and must not be blank.")
	}
	cl.Engine, cl.Version, cl.MasterUser = c.engine, version, c.masterUser
	cl.Port = 5432
	if strings.Contains(c.engine, "mysql") {
		cl.Port = 3306
	}
	if c.hasEncrypted {
		cl.StorageEncrypted = c.encrypted
	}
	return nil
}

// applySettings checks and sets what the template gives whatever the
// cluster's origin: password, port, backups, maintenance, capacity.
func applySettings(cl *state.Cluster, c *clusterProps) error {
	if c.masterPassword != "" {
		if msg := state.PasswordProblem(c.masterPassword); msg != "" {
			return rdsErr(400, "InvalidParameterValue", "The parameter MasterUserPassword is not a valid password%s", msg)
		}
		cl.PasswordHash = state.HashPassword(c.masterPassword)
	}
	if c.hasPort {
		if c.port < 1150 || c.port > 65535 {
			return rdsErr(400, "InvalidParameterValue", "Invalid port %d: it must be from 1150 to 65535.", c.port)
		}
		cl.Port = c.port
	}
	if c.hasRetention {
		if c.retention < 1 || c.retention > 35 {
			return rdsErr(400, "InvalidParameterValue", "Invalid backup retention period %d: it must be from 1 to 35 days.", c.retention)
		}
		cl.BackupRetention = c.retention
	}
	if bw := c.backupWindow; bw != "" {
		if !backupWindow.MatchString(bw) {
			return rdsErr(400, "InvalidParameterValue", "The backup window %s is not valid: use the format hh24:mi-hh24:mi in UTC, e.g. 03:00-03:30.", bw)
		}
		cl.BackupWindow = bw
	}
	if mw := c.maintenanceWindow; mw != "" {
		if !maintenanceWindow.MatchString(strings.ToLower(mw)) {
			return rdsErr(400, "InvalidParameterValue", "The maintenance window %s is not valid: use the format ddd:hh24:mi-ddd:hh24:mi in UTC, e.g. sun:05:00-sun:05:30.", mw)
		}
		cl.MaintenanceWindow = strings.ToLower(mw)
	}
	if c.dbName != "" {
		cl.DatabaseName = c.dbName
	}
	if c.storageType != "" {
		cl.StorageType = c.storageType
	}
	if c.serverless != nil {
		if err := checkScaling(c.serverless); err != nil {
			return err
		}
		cl.Serverless = c.serverless
	}
	return nil
}

// placeCluster puts cl in its network: the subnet group and security
// groups must exist and share a VPC; no security group means the VPC's
// default one.
func (pr *Provider) placeCluster(cl *state.Cluster, c *clusterProps) error {
	if c.subnetGroup == "" {
		return rdsErr(400, "InvalidVPCNetworkStateFault", "The account has no default VPC, so DBSubnetGroupName is required.")
	}
	g, ok := pr.st.SubnetGroups.Get(c.subnetGroup)
	if !ok {
		return rdsErr(404, "DBSubnetGroupNotFoundFault", "DBSubnetGroup '%s' not found.", c.subnetGroup)
	}
	if zones := pr.st.SubnetAZs(g.SubnetIDs); len(zones) < 2 {
		return rdsErr(400, "DBSubnetGroupDoesNotCoverEnoughAZs",
			"The DB subnet group doesn't meet Availability Zone (AZ) coverage requirement. Current AZ coverage: %s. Add subnets to cover at least 2 AZs.", strings.Join(zones, ", "))
	}
	cl.SubnetGroup = g.Name
	sgIDs := c.sgIDs
	if len(sgIDs) == 0 {
		if v, ok := pr.st.VPCs.Get(g.VPCID); ok {
			sgIDs = []string{v.DefaultSG}
		}
	}
	for _, sgID := range sgIDs {
		sg, ok := pr.st.SGs.Get(sgID)
		if !ok {
			return rdsErr(400, "InvalidParameterValue", "Invalid security group, groupId= %s, groupName=.", sgID)
		}
		if sg.VPCID != g.VPCID {
			return rdsErr(400, "InvalidParameterCombination", "The DB subnet group %s (VPC %s) and the security group %s (VPC %s) are in different VPCs.", g.Name, g.VPCID, sg.ID, sg.VPCID)
		}
	}
	cl.SGIDs = slices.Clone(sgIDs)
	return nil
}

// copyDatabase starts the copy of a real server's data for a restore of
// a cluster that has one (for a snapshot: of its cluster's current data),
// with the master password set to password unless it is ""; the channel,
// nil when there is nothing to copy, gives its outcome.
func (pr *Provider) copyDatabase(cl *state.Cluster, c *clusterProps, password string) (<-chan error, error) {
	var ready <-chan error
	var err error
	switch {
	case c.snapshotID != "":
		sn, ok := pr.st.FindSnapshot(c.snapshotID)
		if !ok {
			return nil, nil
		}
		ready, err = pr.acct.RestoreDatabase(sn.ID, cl.ID, cl.Port, cl.MasterUser, password)
	case c.source != "":
		src, ok := pr.st.FindCluster(c.source)
		if !ok {
			return nil, nil
		}
		var at time.Time // the latest data
		if c.restoreTo != "" {
			at, _ = time.Parse(time.RFC3339, c.restoreTo) // checked by checkRestoreTime
		}
		ready, err = pr.acct.CopyDatabase(src.ID, cl.ID, at, cl.Port, cl.MasterUser, password)
	default:
		return nil, nil
	}
	if err != nil {
		return nil, rdsErr(500, "InternalFailure", "The sandbox cannot start a database server for %s: %v", cl.ID, err)
	}
	return ready, nil
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
