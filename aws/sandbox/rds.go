package sandbox

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"github.com/dbaf/dbaf/aws/sandbox/wire"
	"slices"
	"strings"
	"time"
)

// RDS paging: MaxRecords defaults to 100 and must be 20..100 (20..1000 for
// DescribeOrderableDBInstanceOptions), as RDS enforces.
func maxRecords(p wire.Params, hi int) (int, *wire.APIError) {
	n, ok, err := p.Int("MaxRecords")
	if err != nil {
		return 0, err
	}
	if !ok {
		return 100, nil
	}
	if n < 20 || n > hi {
		return 0, wire.Errorf(400, "InvalidParameterValue", "Invalid value %d for MaxRecords. Must be between 20 and %d", n, hi)
	}
	return n, nil
}

// oneOrAll is what an RDS Describe call covers: the item id names (kind
// and code make RDS's error when there is none), or every item for no id.
func oneOrAll[T any](id string, t *table[T], find func(string) (T, bool), code, kind string) ([]T, *wire.APIError) {
	if id == "" {
		return t.all(), nil
	}
	v, ok := find(id)
	if !ok {
		return nil, wire.Errorf(404, code, "%s %s not found.", kind, id)
	}
	return []T{v}, nil
}

func badMarker() *wire.APIError {
	return wire.Errorf(400, "InvalidParameterValue", "The marker you provided is not valid: pass the Marker of the previous response unchanged.")
}

// rdsFilter checks filters against the names an action supports.
func rdsFilters(p wire.Params, supported ...string) ([]wire.Filter, *wire.APIError) {
	fs := p.Filters("Filters", "Values")
	for _, f := range fs {
		if !slices.Contains(supported, f.Name) {
			return nil, wire.Errorf(400, "InvalidParameterValue", "Unrecognized filter name: %s. Supported filters: %s.", f.Name, strings.Join(supported, ", "))
		}
		if len(f.Values) == 0 {
			return nil, wire.Errorf(400, "InvalidParameterValue", "The filter %s needs at least one value.", f.Name)
		}
	}
	return fs, nil
}

func (s *Server) clusterARN(id string) string {
	return "arn:aws:rds:" + s.region + ":" + s.account + ":cluster:" + id
}

func (s *Server) clusterEndpoint(id string) string {
	if h := s.dbHost(id); h != "" {
		return h
	}
	return id + ".cluster-c0sandbox." + s.region + ".rds.amazonaws.com"
}

func (s *Server) readerEndpoint(id string) string {
	if h := s.dbHost(id); h != "" {
		return h
	}
	return id + ".cluster-ro-c0sandbox." + s.region + ".rds.amazonaws.com"
}

// instanceEndpoint is an instance's address: its cluster's server's when
// it has one. Callers hold s.mu.
func (s *Server) instanceEndpoint(id string) string {
	if in, ok := s.st.instances.get(id); ok {
		if h := s.dbHost(in.cluster); h != "" {
			return h
		}
	}
	return id + ".c0sandbox." + s.region + ".rds.amazonaws.com"
}

// hostedZone is the Route 53 zone RDS endpoints of the region live in.
const hostedZone = "Z29XKXDKYMONMX"

func (s *Server) describeDBClusters(c *wire.Call) *wire.APIError {
	max, err := maxRecords(c.Params, 100)
	if err != nil {
		return err
	}
	fs, err := rdsFilters(c.Params, "engine", "db-cluster-id", "clone-group-id", "db-cluster-resource-id", "domain")
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	list, err := oneOrAll(c.Params.Get("DBClusterIdentifier"), s.st.clusters, s.st.findCluster, "DBClusterNotFoundFault", "DBCluster")
	if err != nil {
		return err
	}
	list = slices.DeleteFunc(list, func(cl *dbCluster) bool {
		return !wire.MatchFilters(fs, wire.Equal, func(name string) []string {
			switch name {
			case "engine":
				return []string{cl.engine}
			case "db-cluster-id":
				return []string{cl.id, s.clusterARN(cl.id)}
			case "clone-group-id":
				return []string{cl.cloneGroup}
			case "db-cluster-resource-id":
				return []string{cl.resourceID}
			}
			return nil
		})
	})
	pg, next, err := wire.Page(list, func(cl *dbCluster) string { return cl.id }, c.Params.Get("Marker"), max, badMarker)
	if err != nil {
		return err
	}
	x := &c.Out
	x.Opt("Marker", next)
	x.Open("DBClusters")
	for _, cl := range pg {
		s.writeCluster(x, cl)
	}
	x.Close("DBClusters")
	return nil
}

func parameterGroupFamily(engine, version string) string {
	major, _, _ := strings.Cut(version, ".")
	if engine == "aurora-mysql" {
		return "aurora-mysql8.0"
	}
	return engine + major
}

// writeCluster writes one <DBCluster>. Callers hold s.mu.
func (s *Server) writeCluster(x *wire.XML, cl *dbCluster) {
	now := time.Now().UTC()
	x.Open("DBCluster")
	if cl.multiAZ {
		x.Int("AllocatedStorage", 400)
	} else {
		x.Int("AllocatedStorage", 1)
	}
	zones := azs(s.region)
	if g, ok := s.st.subnetGroups.get(cl.subnetGroup); ok {
		zones = s.st.subnetAZs(g.subnetIDs)
	}
	x.Strings("AvailabilityZones", "AvailabilityZone", zones)
	x.Int("BackupRetentionPeriod", cl.backupRetention)
	x.Opt("DatabaseName", cl.databaseName)
	x.Text("DBClusterIdentifier", cl.id)
	x.Text("DBClusterParameterGroup", "default."+parameterGroupFamily(cl.engine, cl.version))
	x.Text("DBSubnetGroup", cl.subnetGroup)
	x.Text("Status", cl.status)
	if cl.status != "creating" {
		earliest := now.Add(-time.Duration(cl.backupRetention) * 24 * time.Hour)
		if earliest.Before(cl.created) {
			earliest = cl.created
		}
		x.Time("EarliestRestorableTime", earliest)
		x.Time("LatestRestorableTime", s.latestRestorable(cl))
	}
	x.Text("Endpoint", s.clusterEndpoint(cl.id))
	x.Text("ReaderEndpoint", s.readerEndpoint(cl.id))
	x.Bool("MultiAZ", cl.multiAZ || len(cl.members) > 1)
	x.Text("Engine", cl.engine)
	x.Text("EngineVersion", cl.version)
	x.Int("Port", cl.port)
	x.Text("MasterUsername", cl.masterUser)
	x.Empty("DBClusterOptionGroupMemberships")
	x.Opt("PreferredBackupWindow", cl.backupWindow)
	x.Opt("PreferredMaintenanceWindow", cl.maintenanceWindow)
	x.Empty("ReadReplicaIdentifiers")
	wire.List(x, "DBClusterMembers", "DBClusterMember", cl.members, func(m clusterMember) {
		x.Text("DBInstanceIdentifier", m.instance)
		x.Bool("IsClusterWriter", m.writer)
		x.Text("DBClusterParameterGroupStatus", "in-sync")
		x.Int("PromotionTier", m.tier)
	})
	writeVpcSecurityGroups(x, cl.sgIDs)
	x.Text("HostedZoneId", hostedZone)
	x.Bool("StorageEncrypted", cl.storageEncrypted)
	if cl.storageEncrypted {
		x.Text("KmsKeyId", "arn:aws:kms:"+s.region+":"+s.account+":key/5f3e0c1a-7b2d-4e8f-9a6b-0c1d2e3f4a5b")
	}
	x.Text("DbClusterResourceId", cl.resourceID)
	x.Text("DBClusterArn", s.clusterARN(cl.id))
	x.Empty("AssociatedRoles")
	x.Bool("IAMDatabaseAuthenticationEnabled", cl.iamAuth)
	x.Opt("CloneGroupId", cl.cloneGroup)
	x.Time("ClusterCreateTime", cl.created)
	x.Text("EngineMode", "provisioned")
	if cl.pendingPassword {
		x.Open("PendingModifiedValues")
		x.Text("MasterUserPassword", "****")
		x.Close("PendingModifiedValues")
	}
	if cl.multiAZ {
		x.Opt("DBClusterInstanceClass", cl.clusterClass)
		x.Int("Iops", 3000)
		x.Bool("PubliclyAccessible", false)
	}
	x.Opt("StorageType", cl.storageType)
	x.Bool("AutoMinorVersionUpgrade", true)
	x.Bool("DeletionProtection", cl.deletionProtection)
	x.Bool("HttpEndpointEnabled", false)
	x.Text("ActivityStreamStatus", "stopped")
	x.Bool("CopyTagsToSnapshot", cl.copyTagsToSnapshot)
	x.Bool("CrossAccountClone", false)
	x.Empty("DomainMemberships")
	writeRDSTags(x, cl.tags)
	x.Text("NetworkType", "IPV4")
	if cl.serverless != nil {
		x.Open("ServerlessV2ScalingConfiguration")
		x.Float("MinCapacity", cl.serverless.min)
		x.Float("MaxCapacity", cl.serverless.max)
		x.Close("ServerlessV2ScalingConfiguration")
	}
	x.Text("EngineLifecycleSupport", "open-source-rds-extended-support")
	x.Close("DBCluster")
}

// latestRestorableTime trails the clock by a few minutes, as the
// transaction logs reach S3; a stopped cluster's stops where it stopped.
func (s *Server) latestRestorable(cl *dbCluster) time.Time {
	if cl.status == "stopped" {
		return seedTime().Add(240 * 24 * time.Hour)
	}
	return time.Now().UTC().Add(-5 * time.Minute).Truncate(time.Second)
}

func writeRDSTags(x *wire.XML, tags []tag) {
	wire.List(x, "TagList", "Tag", tags, func(t tag) {
		x.Text("Key", t.key)
		x.Text("Value", t.value)
	})
}

func writeVpcSecurityGroups(x *wire.XML, ids []string) {
	wire.List(x, "VpcSecurityGroups", "VpcSecurityGroupMembership", ids, func(id string) {
		x.Text("VpcSecurityGroupId", id)
		x.Text("Status", "active")
	})
}

func (s *Server) describeDBInstances(c *wire.Call) *wire.APIError {
	max, err := maxRecords(c.Params, 100)
	if err != nil {
		return err
	}
	fs, err := rdsFilters(c.Params, "db-cluster-id", "db-instance-id", "dbi-resource-id", "engine", "domain")
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	list, err := oneOrAll(c.Params.Get("DBInstanceIdentifier"), s.st.instances, s.st.findInstance, "DBInstanceNotFound", "DBInstance")
	if err != nil {
		return err
	}
	list = slices.DeleteFunc(list, func(in *dbInstance) bool {
		return !wire.MatchFilters(fs, equalOrLower, func(name string) []string {
			switch name {
			case "db-cluster-id":
				return []string{in.cluster, s.clusterARN(in.cluster)}
			case "db-instance-id":
				return []string{in.id, s.instanceARN(in.id)}
			case "dbi-resource-id":
				return []string{in.resourceID}
			case "engine":
				return []string{in.engine}
			}
			return nil
		})
	})
	pg, next, err := wire.Page(list, func(in *dbInstance) string { return in.id }, c.Params.Get("Marker"), max, badMarker)
	if err != nil {
		return err
	}
	x := &c.Out
	x.Opt("Marker", next)
	x.Open("DBInstances")
	for _, in := range pg {
		s.writeInstance(x, in)
	}
	x.Close("DBInstances")
	return nil
}

// equalOrLower also matches want lower-cased, as RDS does for instance filters.
func equalOrLower(want, have string) bool { return have == want || have == strings.ToLower(want) }

func (s *Server) instanceARN(id string) string {
	return "arn:aws:rds:" + s.region + ":" + s.account + ":db:" + id
}

// writeInstance writes one <DBInstance>; network settings and the master
// user come from its cluster, as for every Aurora instance. Callers hold s.mu.
func (s *Server) writeInstance(x *wire.XML, in *dbInstance) {
	cl, _ := s.st.clusters.get(in.cluster)
	x.Open("DBInstance")
	x.Text("DBInstanceIdentifier", in.id)
	x.Text("DBInstanceClass", in.class)
	x.Text("Engine", in.engine)
	x.Text("DBInstanceStatus", in.status)
	port := 0
	if cl != nil {
		port = cl.port
		x.Text("MasterUsername", cl.masterUser)
	}
	if in.status != "creating" {
		x.Open("Endpoint")
		x.Text("Address", s.instanceEndpoint(in.id))
		x.Int("Port", port)
		x.Text("HostedZoneId", hostedZone)
		x.Close("Endpoint")
	}
	x.Int("AllocatedStorage", 1)
	x.Time("InstanceCreateTime", in.created)
	if cl != nil {
		x.Opt("PreferredBackupWindow", cl.backupWindow)
		x.Int("BackupRetentionPeriod", cl.backupRetention)
	}
	x.Empty("DBSecurityGroups")
	var sgIDs []string
	if cl != nil {
		sgIDs = cl.sgIDs
	}
	writeVpcSecurityGroups(x, sgIDs)
	x.Open("DBParameterGroups")
	x.Open("DBParameterGroup")
	x.Text("DBParameterGroupName", "default."+parameterGroupFamily(in.engine, in.version))
	x.Text("ParameterApplyStatus", "in-sync")
	x.Close("DBParameterGroup")
	x.Close("DBParameterGroups")
	x.Opt("AvailabilityZone", in.az)
	if cl != nil {
		if g, ok := s.st.subnetGroups.get(cl.subnetGroup); ok {
			s.writeSubnetGroup(x, "DBSubnetGroup", g)
		}
		x.Opt("PreferredMaintenanceWindow", cl.maintenanceWindow)
	}
	x.Empty("PendingModifiedValues")
	x.Bool("MultiAZ", false)
	x.Text("EngineVersion", in.version)
	x.Bool("AutoMinorVersionUpgrade", true)
	x.Text("LicenseModel", licenseModel(in.engine))
	x.Bool("PubliclyAccessible", in.public)
	x.Text("StorageType", "aurora")
	x.Int("DbInstancePort", 0)
	x.Text("DBClusterIdentifier", in.cluster)
	x.Bool("StorageEncrypted", cl != nil && cl.storageEncrypted)
	x.Text("DbiResourceId", in.resourceID)
	x.Text("CACertificateIdentifier", "rds-ca-rsa2048-g1")
	x.Bool("CopyTagsToSnapshot", false)
	x.Int("MonitoringInterval", 0)
	x.Int("PromotionTier", in.tier)
	x.Text("DBInstanceArn", s.instanceARN(in.id))
	x.Bool("IAMDatabaseAuthenticationEnabled", false)
	x.Bool("PerformanceInsightsEnabled", false)
	x.Bool("DeletionProtection", false)
	writeRDSTags(x, in.tags)
	x.Text("NetworkType", "IPV4")
	x.Close("DBInstance")
}

func licenseModel(engine string) string {
	if strings.Contains(engine, "postgres") {
		return "postgresql-license"
	}
	return "general-public-license"
}

func (s *Server) subnetGroupARN(name string) string {
	return "arn:aws:rds:" + s.region + ":" + s.account + ":subgrp:" + name
}

// writeSubnetGroup writes a subnet group under the given element name
// (DBSubnetGroup both as a list member and inside a DBInstance).
func (s *Server) writeSubnetGroup(x *wire.XML, tag string, g *subnetGroup) {
	x.Open(tag)
	x.Text("DBSubnetGroupName", g.name)
	x.Text("DBSubnetGroupDescription", g.desc)
	x.Text("VpcId", g.vpcID)
	x.Text("SubnetGroupStatus", g.status)
	wire.List(x, "Subnets", "Subnet", g.subnetIDs, func(id string) {
		x.Text("SubnetIdentifier", id)
		x.Open("SubnetAvailabilityZone")
		if sn, ok := s.st.subnets.get(id); ok {
			x.Text("Name", sn.az)
		}
		x.Close("SubnetAvailabilityZone")
		x.Empty("SubnetOutpost")
		x.Text("SubnetStatus", "Active")
	})
	x.Text("DBSubnetGroupArn", s.subnetGroupARN(g.name))
	x.Strings("SupportedNetworkTypes", "member", []string{"IPV4"})
	x.Close(tag)
}

func (s *Server) describeDBSubnetGroups(c *wire.Call) *wire.APIError {
	max, err := maxRecords(c.Params, 100)
	if err != nil {
		return err
	}
	if _, err := rdsFilters(c.Params); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	list, err := oneOrAll(c.Params.Get("DBSubnetGroupName"), s.st.subnetGroups, s.st.findSubnetGroup, "DBSubnetGroupNotFoundFault", "DBSubnetGroup")
	if err != nil {
		return err
	}
	pg, next, err := wire.Page(list, func(g *subnetGroup) string { return g.name }, c.Params.Get("Marker"), max, badMarker)
	if err != nil {
		return err
	}
	x := &c.Out
	x.Opt("Marker", next)
	x.Open("DBSubnetGroups")
	for _, g := range pg {
		s.writeSubnetGroup(x, "DBSubnetGroup", g)
	}
	x.Close("DBSubnetGroups")
	return nil
}

func (s *Server) describeOrderable(c *wire.Call) *wire.APIError {
	max, err := maxRecords(c.Params, 1000)
	if err != nil {
		return err
	}
	engine := c.Params.Get("Engine")
	if engine == "" {
		return wire.Errorf(400, "InvalidParameterValue", "The parameter Engine must be provided and must not be blank.")
	}
	version, class, license := c.Params.Get("EngineVersion"), c.Params.Get("DBInstanceClass"), c.Params.Get("LicenseModel")
	vpcOnly, vpcSet := c.Params.Bool("Vpc")
	versions := engineVersions(engine)
	if version != "" {
		versions = []string{version}
	}
	zones := azs(s.region)
	var list []orderable
	for _, v := range versions {
		if !knownVersion(engine, v) {
			continue
		}
		for _, o := range orderableOptions(engine, v, zones) {
			if (class == "" || o.class == class) && (license == "" || license == licenseModel(engine)) {
				list = append(list, o)
			}
		}
	}
	if vpcSet && !vpcOnly {
		list = nil // every option the sandbox offers is in a VPC
	}
	// The list is static, so its position is a stable key.
	type keyed struct {
		key string
		o   orderable
	}
	items := make([]keyed, len(list))
	for i, o := range list {
		items[i] = keyed{fmt.Sprintf("%08d", i), o}
	}
	pg, next, err := wire.Page(items, func(k keyed) string { return k.key }, c.Params.Get("Marker"), max, badMarker)
	if err != nil {
		return err
	}
	x := &c.Out
	x.Open("OrderableDBInstanceOptions")
	for _, k := range pg {
		o := k.o
		x.Open("OrderableDBInstanceOption")
		x.Text("Engine", o.engine)
		x.Text("EngineVersion", o.version)
		x.Text("DBInstanceClass", o.class)
		x.Text("LicenseModel", licenseModel(o.engine))
		x.Text("AvailabilityZoneGroup", s.region)
		wire.List(x, "AvailabilityZones", "AvailabilityZone", o.azs, func(z string) { x.Text("Name", z) })
		x.Bool("MultiAZCapable", true)
		x.Bool("ReadReplicaCapable", o.engine == "postgres")
		x.Bool("Vpc", true)
		x.Bool("SupportsStorageEncryption", true)
		x.Text("StorageType", o.storage)
		x.Bool("SupportsIops", o.storage == "io1")
		x.Bool("SupportsStorageThroughput", o.storage == "gp3")
		x.Bool("SupportsEnhancedMonitoring", o.class != "db.serverless")
		x.Bool("SupportsIAMDatabaseAuthentication", true)
		x.Bool("SupportsPerformanceInsights", !strings.HasPrefix(o.class, "db.t3."))
		x.Strings("SupportedEngineModes", "member", []string{"provisioned"})
		x.Bool("SupportsStorageAutoscaling", false)
		x.Bool("SupportsKerberosAuthentication", true)
		x.Bool("OutpostCapable", false)
		x.Bool("SupportsGlobalDatabases", !strings.HasPrefix(o.class, "db.t"))
		x.Strings("SupportedNetworkTypes", "member", []string{"IPV4", "DUAL"})
		x.Bool("SupportsClusters", true)
		x.Bool("SupportsDedicatedLogVolume", false)
		x.Bool("SupportsHttpEndpoint", o.engine == "aurora-postgresql")
		x.Close("OrderableDBInstanceOption")
	}
	x.Close("OrderableDBInstanceOptions")
	x.Opt("Marker", next)
	return nil
}

func (s *Server) snapshotARN(id string) string {
	return "arn:aws:rds:" + s.region + ":" + s.account + ":cluster-snapshot:" + id
}

func (s *Server) describeDBClusterSnapshots(c *wire.Call) *wire.APIError {
	max, err := maxRecords(c.Params, 100)
	if err != nil {
		return err
	}
	fs, err := rdsFilters(c.Params, "db-cluster-id", "db-cluster-snapshot-id", "snapshot-type", "engine")
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	list, err := oneOrAll(c.Params.Get("DBClusterSnapshotIdentifier"), s.st.snapshots, s.st.findSnapshot, "DBClusterSnapshotNotFoundFault", "DBClusterSnapshot")
	if err != nil {
		return err
	}
	cluster, typ := strings.ToLower(c.Params.Get("DBClusterIdentifier")), c.Params.Get("SnapshotType")
	list = slices.DeleteFunc(list, func(sn *clusterSnapshot) bool {
		if cluster != "" && sn.cluster != cluster || typ != "" && sn.typ != typ {
			return true
		}
		return !wire.MatchFilters(fs, wire.Equal, func(name string) []string {
			return []string{map[string]string{"db-cluster-id": sn.cluster, "db-cluster-snapshot-id": sn.id, "snapshot-type": sn.typ, "engine": sn.engine}[name]}
		})
	})
	pg, next, err := wire.Page(list, func(sn *clusterSnapshot) string { return sn.id }, c.Params.Get("Marker"), max, badMarker)
	if err != nil {
		return err
	}
	x := &c.Out
	x.Open("DBClusterSnapshots")
	for _, sn := range pg {
		x.Open("DBClusterSnapshot")
		x.Strings("AvailabilityZones", "AvailabilityZone", azs(s.region))
		x.Text("DBClusterSnapshotIdentifier", sn.id)
		x.Text("DBClusterIdentifier", sn.cluster)
		x.Time("SnapshotCreateTime", sn.created)
		x.Text("Engine", sn.engine)
		x.Text("EngineMode", "provisioned")
		x.Int("AllocatedStorage", 1)
		x.Text("Status", sn.status)
		x.Int("Port", sn.port)
		x.Text("VpcId", sn.vpcID)
		x.Time("ClusterCreateTime", sn.clusterCreated)
		x.Text("MasterUsername", sn.masterUser)
		x.Text("EngineVersion", sn.version)
		x.Text("LicenseModel", licenseModel(sn.engine))
		x.Text("SnapshotType", sn.typ)
		x.Int("PercentProgress", 100)
		x.Bool("StorageEncrypted", sn.storageEncrypted)
		x.Text("DBClusterSnapshotArn", s.snapshotARN(sn.id))
		x.Bool("IAMDatabaseAuthenticationEnabled", false)
		writeRDSTags(x, sn.tags)
		x.Close("DBClusterSnapshot")
	}
	x.Close("DBClusterSnapshots")
	x.Opt("Marker", next)
	return nil
}

// modifyDBCluster is rds:ModifyDBCluster. A new master password puts the
// cluster in resetting-master-credentials for a moment, as RDS does; only a
// salted hash of it is kept. Other settings are accepted; a few simple ones
// are applied.
func (s *Server) modifyDBCluster(c *wire.Call) *wire.APIError {
	id := c.Params.Get("DBClusterIdentifier")
	if id == "" {
		return wire.Errorf(400, "MissingParameter", "The request must contain the parameter DBClusterIdentifier")
	}
	pw, setPW := c.Params.Get("MasterUserPassword"), c.Params.Has("MasterUserPassword")
	retention, hasRetention, err := c.Params.Int("BackupRetentionPeriod")
	if err != nil {
		return err
	}
	if hasRetention && (retention < 1 || retention > 35) {
		return wire.Errorf(400, "InvalidParameterValue", "Invalid backup retention period %d: it must be from 1 to 35 days.", retention)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cl, ok := s.st.findCluster(id)
	if !ok {
		return wire.Errorf(404, "DBClusterNotFoundFault", "DBCluster %s not found.", id)
	}
	if cl.status != "available" && cl.status != "resetting-master-credentials" {
		return wire.Errorf(400, "InvalidDBClusterStateFault", "DB cluster %s is not in the available state (it is %s).", cl.id, cl.status)
	}
	if setPW {
		if msg := passwordProblem(pw, cl.engine); msg != "" {
			return wire.Errorf(400, "InvalidParameterValue", "The parameter MasterUserPassword is not a valid password%s", msg)
		}
		cl.passwordHash = hashPassword(pw)
		cl.status = "resetting-master-credentials"
		cl.pendingPassword = true
		cl.resetGen++
		gen := cl.resetGen
		fault, _ := s.ctl.TakeBehaviour("rds", "ModifyDBCluster")
		user := cl.masterUser
		s.goBackground(func() {
			if !s.sleep(s.ctx, 2*time.Second) {
				return
			}
			// The real server takes the password before the cluster is
			// reported available again, so a login then works.
			s.applyPassword(s.ctx, cl.id, user, pw, fault)
			s.mu.Lock()
			defer s.mu.Unlock()
			if cur, ok := s.st.clusters.get(cl.id); ok && cur == cl && cl.resetGen == gen && cl.status == "resetting-master-credentials" {
				cl.status = "available"
				cl.pendingPassword = false
			}
		})
	}
	if hasRetention {
		cl.backupRetention = retention
	}
	if v, ok := c.Params.Bool("DeletionProtection"); ok {
		cl.deletionProtection = v
	}
	if w := c.Params.Get("PreferredBackupWindow"); w != "" {
		cl.backupWindow = w
	}
	if w := c.Params.Get("PreferredMaintenanceWindow"); w != "" {
		cl.maintenanceWindow = w
	}
	s.writeCluster(&c.Out, cl)
	return nil
}

// hashPassword is all the sandbox keeps of a password: a salted SHA-256,
// enough to tell that it changed and never enough to show it.
func hashPassword(pw string) string {
	salt := wire.NewUUID()
	sum := sha256.Sum256([]byte(salt + pw))
	return salt + ":" + hex.EncodeToString(sum[:])
}

// passwordProblem checks a master password as RDS does; "" means valid.
// The message never contains the password.
func passwordProblem(pw, engine string) string {
	maxLen := 128
	if strings.Contains(engine, "mysql") {
		maxLen = 41
	}
	switch {
	case len(pw) < 8:
		return " because it is shorter than 8 characters."
	case len(pw) > maxLen:
		return fmt.Sprintf(" because it is longer than %d characters.", maxLen)
	}
	for _, r := range pw {
		if r < 0x21 || r > 0x7e || r == '/' || r == '@' || r == '"' {
			return ". Only printable ASCII characters besides '/', '@', '\"', ' ' may be used."
		}
	}
	return ""
}

// addTagsToResource is rds:AddTagsToResource for clusters: a tag of the
// same key is replaced, as in RDS.
func (s *Server) addTagsToResource(c *wire.Call) *wire.APIError {
	arn := c.Params.Get("ResourceName")
	c.NoResult = true
	s.mu.Lock()
	defer s.mu.Unlock()
	cl, ok := s.st.findCluster(arn)
	if !ok || !strings.Contains(arn, ":cluster:") {
		return wire.Errorf(404, "DBClusterNotFoundFault", "DBCluster %s not found.", arn)
	}
	for _, t := range c.Params.Structs("Tags") {
		k, v := t.Get("Key"), t.Get("Value")
		if k == "" {
			return wire.Errorf(400, "InvalidParameterValue", "Tag keys must not be empty.")
		}
		i := slices.IndexFunc(cl.tags, func(x tag) bool { return x.key == k })
		if i >= 0 {
			cl.tags[i].value = v
		} else {
			cl.tags = append(cl.tags, tag{k, v})
		}
	}
	return nil
}
