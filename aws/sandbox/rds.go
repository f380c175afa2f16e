package sandbox

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"
)

// RDS paging: MaxRecords defaults to 100 and must be 20..100 (20..1000 for
// DescribeOrderableDBInstanceOptions), as RDS enforces.
func maxRecords(p params, hi int) (int, *apiError) {
	n, ok, err := p.intParam("MaxRecords")
	if err != nil {
		return 0, err
	}
	if !ok {
		return 100, nil
	}
	if n < 20 || n > hi {
		return 0, errf(400, "InvalidParameterValue", "Invalid value %d for MaxRecords. Must be between 20 and %d", n, hi)
	}
	return n, nil
}

// oneOrAll is what an RDS Describe call covers: the item id names (kind
// and code make RDS's error when there is none), or every item for no id.
func oneOrAll[T any](id string, t *table[T], find func(string) (T, bool), code, kind string) ([]T, *apiError) {
	if id == "" {
		return t.all(), nil
	}
	v, ok := find(id)
	if !ok {
		return nil, errf(404, code, "%s %s not found.", kind, id)
	}
	return []T{v}, nil
}

func badMarker() *apiError {
	return errf(400, "InvalidParameterValue", "The marker you provided is not valid: pass the Marker of the previous response unchanged.")
}

// rdsFilter checks filters against the names an action supports.
func rdsFilters(p params, supported ...string) ([]filter, *apiError) {
	fs := p.filters("Filters", "Values")
	for _, f := range fs {
		if !slices.Contains(supported, f.name) {
			return nil, errf(400, "InvalidParameterValue", "Unrecognized filter name: %s. Supported filters: %s.", f.name, strings.Join(supported, ", "))
		}
		if len(f.values) == 0 {
			return nil, errf(400, "InvalidParameterValue", "The filter %s needs at least one value.", f.name)
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

func (s *Server) describeDBClusters(c *call) *apiError {
	max, err := maxRecords(c.p, 100)
	if err != nil {
		return err
	}
	fs, err := rdsFilters(c.p, "engine", "db-cluster-id", "clone-group-id", "db-cluster-resource-id", "domain")
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	list, err := oneOrAll(c.p.get("DBClusterIdentifier"), s.st.clusters, s.st.findCluster, "DBClusterNotFoundFault", "DBCluster")
	if err != nil {
		return err
	}
	list = slices.DeleteFunc(list, func(cl *dbCluster) bool {
		return !matchFilters(fs, equal, func(name string) []string {
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
	pg, next, err := page(list, func(cl *dbCluster) string { return cl.id }, c.p.get("Marker"), max, badMarker)
	if err != nil {
		return err
	}
	x := &c.out
	x.opt("Marker", next)
	x.open("DBClusters")
	for _, cl := range pg {
		s.writeCluster(x, cl)
	}
	x.close("DBClusters")
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
func (s *Server) writeCluster(x *xmlw, cl *dbCluster) {
	now := time.Now().UTC()
	x.open("DBCluster")
	if cl.multiAZ {
		x.integer("AllocatedStorage", 400)
	} else {
		x.integer("AllocatedStorage", 1)
	}
	zones := azs(s.region)
	if g, ok := s.st.subnetGroups.get(cl.subnetGroup); ok {
		zones = s.st.subnetAZs(g.subnetIDs)
	}
	x.strings("AvailabilityZones", "AvailabilityZone", zones)
	x.integer("BackupRetentionPeriod", cl.backupRetention)
	x.opt("DatabaseName", cl.databaseName)
	x.text("DBClusterIdentifier", cl.id)
	x.text("DBClusterParameterGroup", "default."+parameterGroupFamily(cl.engine, cl.version))
	x.text("DBSubnetGroup", cl.subnetGroup)
	x.text("Status", cl.status)
	if cl.status != "creating" {
		earliest := now.Add(-time.Duration(cl.backupRetention) * 24 * time.Hour)
		if earliest.Before(cl.created) {
			earliest = cl.created
		}
		x.time("EarliestRestorableTime", earliest)
		x.time("LatestRestorableTime", s.latestRestorable(cl))
	}
	x.text("Endpoint", s.clusterEndpoint(cl.id))
	x.text("ReaderEndpoint", s.readerEndpoint(cl.id))
	x.boolean("MultiAZ", cl.multiAZ || len(cl.members) > 1)
	x.text("Engine", cl.engine)
	x.text("EngineVersion", cl.version)
	x.integer("Port", cl.port)
	x.text("MasterUsername", cl.masterUser)
	x.empty("DBClusterOptionGroupMemberships")
	x.opt("PreferredBackupWindow", cl.backupWindow)
	x.opt("PreferredMaintenanceWindow", cl.maintenanceWindow)
	x.empty("ReadReplicaIdentifiers")
	xmlList(x, "DBClusterMembers", "DBClusterMember", cl.members, func(m clusterMember) {
		x.text("DBInstanceIdentifier", m.instance)
		x.boolean("IsClusterWriter", m.writer)
		x.text("DBClusterParameterGroupStatus", "in-sync")
		x.integer("PromotionTier", m.tier)
	})
	writeVpcSecurityGroups(x, cl.sgIDs)
	x.text("HostedZoneId", hostedZone)
	x.boolean("StorageEncrypted", cl.storageEncrypted)
	if cl.storageEncrypted {
		x.text("KmsKeyId", "arn:aws:kms:"+s.region+":"+s.account+":key/5f3e0c1a-7b2d-4e8f-9a6b-0c1d2e3f4a5b")
	}
	x.text("DbClusterResourceId", cl.resourceID)
	x.text("DBClusterArn", s.clusterARN(cl.id))
	x.empty("AssociatedRoles")
	x.boolean("IAMDatabaseAuthenticationEnabled", cl.iamAuth)
	x.opt("CloneGroupId", cl.cloneGroup)
	x.time("ClusterCreateTime", cl.created)
	x.text("EngineMode", "provisioned")
	if cl.pendingPassword {
		x.open("PendingModifiedValues")
		x.text("MasterUserPassword", "****")
		x.close("PendingModifiedValues")
	}
	if cl.multiAZ {
		x.opt("DBClusterInstanceClass", cl.clusterClass)
		x.integer("Iops", 3000)
		x.boolean("PubliclyAccessible", false)
	}
	x.opt("StorageType", cl.storageType)
	x.boolean("AutoMinorVersionUpgrade", true)
	x.boolean("DeletionProtection", cl.deletionProtection)
	x.boolean("HttpEndpointEnabled", false)
	x.text("ActivityStreamStatus", "stopped")
	x.boolean("CopyTagsToSnapshot", cl.copyTagsToSnapshot)
	x.boolean("CrossAccountClone", false)
	x.empty("DomainMemberships")
	writeRDSTags(x, cl.tags)
	x.text("NetworkType", "IPV4")
	if cl.serverless != nil {
		x.open("ServerlessV2ScalingConfiguration")
		x.float("MinCapacity", cl.serverless.min)
		x.float("MaxCapacity", cl.serverless.max)
		x.close("ServerlessV2ScalingConfiguration")
	}
	x.text("EngineLifecycleSupport", "open-source-rds-extended-support")
	x.close("DBCluster")
}

// latestRestorableTime trails the clock by a few minutes, as the
// transaction logs reach S3; a stopped cluster's stops where it stopped.
func (s *Server) latestRestorable(cl *dbCluster) time.Time {
	if cl.status == "stopped" {
		return seedTime().Add(240 * 24 * time.Hour)
	}
	return time.Now().UTC().Add(-5 * time.Minute).Truncate(time.Second)
}

func writeRDSTags(x *xmlw, tags []tag) {
	xmlList(x, "TagList", "Tag", tags, func(t tag) {
		x.text("Key", t.key)
		x.text("Value", t.value)
	})
}

func writeVpcSecurityGroups(x *xmlw, ids []string) {
	xmlList(x, "VpcSecurityGroups", "VpcSecurityGroupMembership", ids, func(id string) {
		x.text("VpcSecurityGroupId", id)
		x.text("Status", "active")
	})
}

func (s *Server) describeDBInstances(c *call) *apiError {
	max, err := maxRecords(c.p, 100)
	if err != nil {
		return err
	}
	fs, err := rdsFilters(c.p, "db-cluster-id", "db-instance-id", "dbi-resource-id", "engine", "domain")
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	list, err := oneOrAll(c.p.get("DBInstanceIdentifier"), s.st.instances, s.st.findInstance, "DBInstanceNotFound", "DBInstance")
	if err != nil {
		return err
	}
	list = slices.DeleteFunc(list, func(in *dbInstance) bool {
		return !matchFilters(fs, equalOrLower, func(name string) []string {
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
	pg, next, err := page(list, func(in *dbInstance) string { return in.id }, c.p.get("Marker"), max, badMarker)
	if err != nil {
		return err
	}
	x := &c.out
	x.opt("Marker", next)
	x.open("DBInstances")
	for _, in := range pg {
		s.writeInstance(x, in)
	}
	x.close("DBInstances")
	return nil
}

// equalOrLower also matches want lower-cased, as RDS does for instance filters.
func equalOrLower(want, have string) bool { return have == want || have == strings.ToLower(want) }

func (s *Server) instanceARN(id string) string {
	return "arn:aws:rds:" + s.region + ":" + s.account + ":db:" + id
}

// writeInstance writes one <DBInstance>; network settings and the master
// user come from its cluster, as for every Aurora instance. Callers hold s.mu.
func (s *Server) writeInstance(x *xmlw, in *dbInstance) {
	cl, _ := s.st.clusters.get(in.cluster)
	x.open("DBInstance")
	x.text("DBInstanceIdentifier", in.id)
	x.text("DBInstanceClass", in.class)
	x.text("Engine", in.engine)
	x.text("DBInstanceStatus", in.status)
	port := 0
	if cl != nil {
		port = cl.port
		x.text("MasterUsername", cl.masterUser)
	}
	if in.status != "creating" {
		x.open("Endpoint")
		x.text("Address", s.instanceEndpoint(in.id))
		x.integer("Port", port)
		x.text("HostedZoneId", hostedZone)
		x.close("Endpoint")
	}
	x.integer("AllocatedStorage", 1)
	x.time("InstanceCreateTime", in.created)
	if cl != nil {
		x.opt("PreferredBackupWindow", cl.backupWindow)
		x.integer("BackupRetentionPeriod", cl.backupRetention)
	}
	x.empty("DBSecurityGroups")
	var sgIDs []string
	if cl != nil {
		sgIDs = cl.sgIDs
	}
	writeVpcSecurityGroups(x, sgIDs)
	x.open("DBParameterGroups")
	x.open("DBParameterGroup")
	x.text("DBParameterGroupName", "default."+parameterGroupFamily(in.engine, in.version))
	x.text("ParameterApplyStatus", "in-sync")
	x.close("DBParameterGroup")
	x.close("DBParameterGroups")
	x.opt("AvailabilityZone", in.az)
	if cl != nil {
		if g, ok := s.st.subnetGroups.get(cl.subnetGroup); ok {
			s.writeSubnetGroup(x, "DBSubnetGroup", g)
		}
		x.opt("PreferredMaintenanceWindow", cl.maintenanceWindow)
	}
	x.empty("PendingModifiedValues")
	x.boolean("MultiAZ", false)
	x.text("EngineVersion", in.version)
	x.boolean("AutoMinorVersionUpgrade", true)
	x.text("LicenseModel", licenseModel(in.engine))
	x.boolean("PubliclyAccessible", in.public)
	x.text("StorageType", "aurora")
	x.integer("DbInstancePort", 0)
	x.text("DBClusterIdentifier", in.cluster)
	x.boolean("StorageEncrypted", cl != nil && cl.storageEncrypted)
	x.text("DbiResourceId", in.resourceID)
	x.text("CACertificateIdentifier", "rds-ca-rsa2048-g1")
	x.boolean("CopyTagsToSnapshot", false)
	x.integer("MonitoringInterval", 0)
	x.integer("PromotionTier", in.tier)
	x.text("DBInstanceArn", s.instanceARN(in.id))
	x.boolean("IAMDatabaseAuthenticationEnabled", false)
	x.boolean("PerformanceInsightsEnabled", false)
	x.boolean("DeletionProtection", false)
	writeRDSTags(x, in.tags)
	x.text("NetworkType", "IPV4")
	x.close("DBInstance")
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
func (s *Server) writeSubnetGroup(x *xmlw, tag string, g *subnetGroup) {
	x.open(tag)
	x.text("DBSubnetGroupName", g.name)
	x.text("DBSubnetGroupDescription", g.desc)
	x.text("VpcId", g.vpcID)
	x.text("SubnetGroupStatus", g.status)
	xmlList(x, "Subnets", "Subnet", g.subnetIDs, func(id string) {
		x.text("SubnetIdentifier", id)
		x.open("SubnetAvailabilityZone")
		if sn, ok := s.st.subnets.get(id); ok {
			x.text("Name", sn.az)
		}
		x.close("SubnetAvailabilityZone")
		x.empty("SubnetOutpost")
		x.text("SubnetStatus", "Active")
	})
	x.text("DBSubnetGroupArn", s.subnetGroupARN(g.name))
	x.strings("SupportedNetworkTypes", "member", []string{"IPV4"})
	x.close(tag)
}

func (s *Server) describeDBSubnetGroups(c *call) *apiError {
	max, err := maxRecords(c.p, 100)
	if err != nil {
		return err
	}
	if _, err := rdsFilters(c.p); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	list, err := oneOrAll(c.p.get("DBSubnetGroupName"), s.st.subnetGroups, s.st.findSubnetGroup, "DBSubnetGroupNotFoundFault", "DBSubnetGroup")
	if err != nil {
		return err
	}
	pg, next, err := page(list, func(g *subnetGroup) string { return g.name }, c.p.get("Marker"), max, badMarker)
	if err != nil {
		return err
	}
	x := &c.out
	x.opt("Marker", next)
	x.open("DBSubnetGroups")
	for _, g := range pg {
		s.writeSubnetGroup(x, "DBSubnetGroup", g)
	}
	x.close("DBSubnetGroups")
	return nil
}

func (s *Server) describeOrderable(c *call) *apiError {
	max, err := maxRecords(c.p, 1000)
	if err != nil {
		return err
	}
	engine := c.p.get("Engine")
	if engine == "" {
		return errf(400, "InvalidParameterValue", "The parameter Engine must be provided and must not be blank.")
	}
	version, class, license := c.p.get("EngineVersion"), c.p.get("DBInstanceClass"), c.p.get("LicenseModel")
	vpcOnly, vpcSet := c.p.boolParam("Vpc")
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
	pg, next, err := page(items, func(k keyed) string { return k.key }, c.p.get("Marker"), max, badMarker)
	if err != nil {
		return err
	}
	x := &c.out
	x.open("OrderableDBInstanceOptions")
	for _, k := range pg {
		o := k.o
		x.open("OrderableDBInstanceOption")
		x.text("Engine", o.engine)
		x.text("EngineVersion", o.version)
		x.text("DBInstanceClass", o.class)
		x.text("LicenseModel", licenseModel(o.engine))
		x.text("AvailabilityZoneGroup", s.region)
		xmlList(x, "AvailabilityZones", "AvailabilityZone", o.azs, func(z string) { x.text("Name", z) })
		x.boolean("MultiAZCapable", true)
		x.boolean("ReadReplicaCapable", o.engine == "postgres")
		x.boolean("Vpc", true)
		x.boolean("SupportsStorageEncryption", true)
		x.text("StorageType", o.storage)
		x.boolean("SupportsIops", o.storage == "io1")
		x.boolean("SupportsStorageThroughput", o.storage == "gp3")
		x.boolean("SupportsEnhancedMonitoring", o.class != "db.serverless")
		x.boolean("SupportsIAMDatabaseAuthentication", true)
		x.boolean("SupportsPerformanceInsights", !strings.HasPrefix(o.class, "db.t3."))
		x.strings("SupportedEngineModes", "member", []string{"provisioned"})
		x.boolean("SupportsStorageAutoscaling", false)
		x.boolean("SupportsKerberosAuthentication", true)
		x.boolean("OutpostCapable", false)
		x.boolean("SupportsGlobalDatabases", !strings.HasPrefix(o.class, "db.t"))
		x.strings("SupportedNetworkTypes", "member", []string{"IPV4", "DUAL"})
		x.boolean("SupportsClusters", true)
		x.boolean("SupportsDedicatedLogVolume", false)
		x.boolean("SupportsHttpEndpoint", o.engine == "aurora-postgresql")
		x.close("OrderableDBInstanceOption")
	}
	x.close("OrderableDBInstanceOptions")
	x.opt("Marker", next)
	return nil
}

func (s *Server) snapshotARN(id string) string {
	return "arn:aws:rds:" + s.region + ":" + s.account + ":cluster-snapshot:" + id
}

func (s *Server) describeDBClusterSnapshots(c *call) *apiError {
	max, err := maxRecords(c.p, 100)
	if err != nil {
		return err
	}
	fs, err := rdsFilters(c.p, "db-cluster-id", "db-cluster-snapshot-id", "snapshot-type", "engine")
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	list, err := oneOrAll(c.p.get("DBClusterSnapshotIdentifier"), s.st.snapshots, s.st.findSnapshot, "DBClusterSnapshotNotFoundFault", "DBClusterSnapshot")
	if err != nil {
		return err
	}
	cluster, typ := strings.ToLower(c.p.get("DBClusterIdentifier")), c.p.get("SnapshotType")
	list = slices.DeleteFunc(list, func(sn *clusterSnapshot) bool {
		if cluster != "" && sn.cluster != cluster || typ != "" && sn.typ != typ {
			return true
		}
		return !matchFilters(fs, equal, func(name string) []string {
			return []string{map[string]string{"db-cluster-id": sn.cluster, "db-cluster-snapshot-id": sn.id, "snapshot-type": sn.typ, "engine": sn.engine}[name]}
		})
	})
	pg, next, err := page(list, func(sn *clusterSnapshot) string { return sn.id }, c.p.get("Marker"), max, badMarker)
	if err != nil {
		return err
	}
	x := &c.out
	x.open("DBClusterSnapshots")
	for _, sn := range pg {
		x.open("DBClusterSnapshot")
		x.strings("AvailabilityZones", "AvailabilityZone", azs(s.region))
		x.text("DBClusterSnapshotIdentifier", sn.id)
		x.text("DBClusterIdentifier", sn.cluster)
		x.time("SnapshotCreateTime", sn.created)
		x.text("Engine", sn.engine)
		x.text("EngineMode", "provisioned")
		x.integer("AllocatedStorage", 1)
		x.text("Status", sn.status)
		x.integer("Port", sn.port)
		x.text("VpcId", sn.vpcID)
		x.time("ClusterCreateTime", sn.clusterCreated)
		x.text("MasterUsername", sn.masterUser)
		x.text("EngineVersion", sn.version)
		x.text("LicenseModel", licenseModel(sn.engine))
		x.text("SnapshotType", sn.typ)
		x.integer("PercentProgress", 100)
		x.boolean("StorageEncrypted", sn.storageEncrypted)
		x.text("DBClusterSnapshotArn", s.snapshotARN(sn.id))
		x.boolean("IAMDatabaseAuthenticationEnabled", false)
		writeRDSTags(x, sn.tags)
		x.close("DBClusterSnapshot")
	}
	x.close("DBClusterSnapshots")
	x.opt("Marker", next)
	return nil
}

// modifyDBCluster is rds:ModifyDBCluster. A new master password puts the
// cluster in resetting-master-credentials for a moment, as RDS does; only a
// salted hash of it is kept. Other settings are accepted; a few simple ones
// are applied.
func (s *Server) modifyDBCluster(c *call) *apiError {
	id := c.p.get("DBClusterIdentifier")
	if id == "" {
		return errf(400, "MissingParameter", "The request must contain the parameter DBClusterIdentifier")
	}
	pw, setPW := c.p.get("MasterUserPassword"), c.p.has("MasterUserPassword")
	retention, hasRetention, err := c.p.intParam("BackupRetentionPeriod")
	if err != nil {
		return err
	}
	if hasRetention && (retention < 1 || retention > 35) {
		return errf(400, "InvalidParameterValue", "Invalid backup retention period %d: it must be from 1 to 35 days.", retention)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cl, ok := s.st.findCluster(id)
	if !ok {
		return errf(404, "DBClusterNotFoundFault", "DBCluster %s not found.", id)
	}
	if cl.status != "available" && cl.status != "resetting-master-credentials" {
		return errf(400, "InvalidDBClusterStateFault", "DB cluster %s is not in the available state (it is %s).", cl.id, cl.status)
	}
	if setPW {
		if msg := passwordProblem(pw, cl.engine); msg != "" {
			return errf(400, "InvalidParameterValue", "The parameter MasterUserPassword is not a valid password%s", msg)
		}
		cl.passwordHash = hashPassword(pw)
		cl.status = "resetting-master-credentials"
		cl.pendingPassword = true
		cl.resetGen++
		gen := cl.resetGen
		fault, _ := s.takeBehaviour("rds", "ModifyDBCluster")
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
	if v, ok := c.p.boolParam("DeletionProtection"); ok {
		cl.deletionProtection = v
	}
	if w := c.p.get("PreferredBackupWindow"); w != "" {
		cl.backupWindow = w
	}
	if w := c.p.get("PreferredMaintenanceWindow"); w != "" {
		cl.maintenanceWindow = w
	}
	s.writeCluster(&c.out, cl)
	return nil
}

// hashPassword is all the sandbox keeps of a password: a salted SHA-256,
// enough to tell that it changed and never enough to show it.
func hashPassword(pw string) string {
	salt := newUUID()
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
func (s *Server) addTagsToResource(c *call) *apiError {
	arn := c.p.get("ResourceName")
	c.noResult = true
	s.mu.Lock()
	defer s.mu.Unlock()
	cl, ok := s.st.findCluster(arn)
	if !ok || !strings.Contains(arn, ":cluster:") {
		return errf(404, "DBClusterNotFoundFault", "DBCluster %s not found.", arn)
	}
	for _, t := range c.p.structs("Tags") {
		k, v := t.get("Key"), t.get("Value")
		if k == "" {
			return errf(400, "InvalidParameterValue", "Tag keys must not be empty.")
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
