package rds

import (
	"fmt"
	"github.com/dbaf/dbaf/internal/sandbox/state"
	"github.com/dbaf/dbaf/internal/sandbox/wire"
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
func oneOrAll[T any](id string, t *state.Table[T], find func(string) (T, bool), code, kind string) ([]T, *wire.APIError) {
	if id == "" {
		return t.All(), nil
	}
	v, ok := find(id)
	if !ok {
		return nil, wire.Errorf(404, code, "%s %s not found.", kind, id)
	}
	return []T{v}, nil
}

// missOnce reports whether a describe by identifier of a resource a stack
// made (by its ResourceID) misses it: in realistic mode the first one does,
// as AWS's eventually consistent reads may just after a create, and the
// first describe of a clone comes as its stack completes. Callers hold s.mu.
func (s *Service) missOnce(resourceID string, tags []state.Tag) bool {
	if _, byStack := state.TagValue(tags, "aws:cloudformation:stack-id"); !s.realistic || !byStack || s.described[resourceID] {
		return false
	}
	if s.described == nil {
		s.described = map[string]bool{}
	}
	s.described[resourceID] = true
	return true
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

func (s *Service) ClusterARN(id string) string {
	return "arn:aws:rds:" + s.region + ":" + s.account + ":cluster:" + id
}

func (s *Service) ClusterEndpoint(id string) string {
	if h := s.dbHost(id); h != "" {
		return h
	}
	return id + ".cluster-c0sandbox." + s.region + ".rds.amazonaws.com"
}

func (s *Service) ReaderEndpoint(id string) string {
	if h := s.dbHost(id); h != "" {
		return h
	}
	return id + ".cluster-ro-c0sandbox." + s.region + ".rds.amazonaws.com"
}

// instanceEndpoint is an instance's address: its cluster's server's when
// it has one. Callers hold s.mu.
func (s *Service) InstanceEndpoint(id string) string {
	if in, ok := s.st.Instances.Get(id); ok {
		if h := s.dbHost(in.Cluster); h != "" {
			return h
		}
	}
	return id + ".c0sandbox." + s.region + ".rds.amazonaws.com"
}

func (s *Service) describeDBClusters(c *wire.Call) *wire.APIError {
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
	list, err := oneOrAll(c.Params.Get("DBClusterIdentifier"), s.st.Clusters, s.st.FindCluster, "DBClusterNotFoundFault", "DBCluster")
	if err != nil {
		return err
	}
	if id := c.Params.Get("DBClusterIdentifier"); id != "" && s.missOnce(list[0].ResourceID, list[0].Tags) {
		return wire.Errorf(404, "DBClusterNotFoundFault", "DBCluster %s not found.", id)
	}
	list = slices.DeleteFunc(list, func(cl *state.Cluster) bool {
		return !wire.MatchFilters(fs, wire.Equal, func(name string) []string {
			switch name {
			case "engine":
				return []string{cl.Engine}
			case "db-cluster-id":
				return []string{cl.ID, s.ClusterARN(cl.ID)}
			case "clone-group-id":
				return []string{cl.CloneGroup}
			case "db-cluster-resource-id":
				return []string{cl.ResourceID}
			}
			return nil
		})
	})
	pg, next, err := wire.Page(list, func(cl *state.Cluster) string { return cl.ID }, c.Params.Get("Marker"), max, badMarker)
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
func (s *Service) writeCluster(x *wire.XML, cl *state.Cluster) {
	x.Open("DBCluster")
	if cl.MultiAZ {
		x.Int("AllocatedStorage", 400)
	} else {
		x.Int("AllocatedStorage", 1)
	}
	zones := state.AZs(s.region)
	if g, ok := s.st.SubnetGroups.Get(cl.SubnetGroup); ok {
		zones = s.st.SubnetAZs(g.SubnetIDs)
	}
	x.Strings("AvailabilityZones", "AvailabilityZone", zones)
	x.Int("BackupRetentionPeriod", cl.BackupRetention)
	x.Opt("DatabaseName", cl.DatabaseName)
	x.Text("DBClusterIdentifier", cl.ID)
	x.Text("DBClusterParameterGroup", "default."+parameterGroupFamily(cl.Engine, cl.Version))
	x.Text("DBSubnetGroup", cl.SubnetGroup)
	x.Text("Status", cl.Status)
	if cl.Status != "creating" {
		earliest, latest := cl.RestorableWindow(s.st.Clock.Now())
		x.Time("EarliestRestorableTime", earliest)
		x.Time("LatestRestorableTime", latest)
	}
	x.Text("Endpoint", s.ClusterEndpoint(cl.ID))
	x.Text("ReaderEndpoint", s.ReaderEndpoint(cl.ID))
	x.Bool("MultiAZ", cl.MultiAZ || len(cl.Members) > 1)
	x.Text("Engine", cl.Engine)
	x.Text("EngineVersion", cl.Version)
	x.Int("Port", cl.Port)
	x.Text("MasterUsername", cl.MasterUser)
	x.Empty("DBClusterOptionGroupMemberships")
	x.Opt("PreferredBackupWindow", cl.BackupWindow)
	x.Opt("PreferredMaintenanceWindow", cl.MaintenanceWindow)
	x.Empty("ReadReplicaIdentifiers")
	wire.List(x, "DBClusterMembers", "DBClusterMember", cl.Members, func(m state.Member) {
		x.Text("DBInstanceIdentifier", m.Instance)
		x.Bool("IsClusterWriter", m.Writer)
		x.Text("DBClusterParameterGroupStatus", "in-sync")
		x.Int("PromotionTier", m.Tier)
	})
	writeVpcSecurityGroups(x, cl.SGIDs)
	x.Text("HostedZoneId", state.HostedZone)
	x.Bool("StorageEncrypted", cl.StorageEncrypted)
	if cl.StorageEncrypted && cl.KeyID != "" {
		x.Text("KmsKeyId", s.keyARN(cl.KeyID))
	}
	s.writeMasterUserSecret(x, cl)
	x.Text("DbClusterResourceId", cl.ResourceID)
	x.Text("DBClusterArn", s.ClusterARN(cl.ID))
	x.Empty("AssociatedRoles")
	x.Bool("IAMDatabaseAuthenticationEnabled", cl.IAMAuth)
	x.Opt("CloneGroupId", cl.CloneGroup)
	x.Time("ClusterCreateTime", cl.Created)
	x.Text("EngineMode", "provisioned")
	if cl.PendingPassword {
		x.Open("PendingModifiedValues")
		x.Text("MasterUserPassword", "****")
		x.Close("PendingModifiedValues")
	}
	if cl.MultiAZ {
		x.Opt("DBClusterInstanceClass", cl.ClusterClass)
		x.Int("Iops", 3000)
		x.Bool("PubliclyAccessible", false)
	}
	x.Opt("StorageType", cl.StorageType)
	x.Bool("AutoMinorVersionUpgrade", true)
	x.Bool("DeletionProtection", cl.DeletionProtection)
	x.Bool("HttpEndpointEnabled", false)
	x.Text("ActivityStreamStatus", "stopped")
	x.Bool("CopyTagsToSnapshot", cl.CopyTagsToSnapshot)
	x.Bool("CrossAccountClone", false)
	x.Empty("DomainMemberships")
	writeRDSTags(x, cl.Tags)
	x.Text("NetworkType", "IPV4")
	if cl.Serverless != nil {
		x.Open("ServerlessV2ScalingConfiguration")
		x.Float("MinCapacity", cl.Serverless.Min)
		x.Float("MaxCapacity", cl.Serverless.Max)
		x.Close("ServerlessV2ScalingConfiguration")
	}
	x.Text("EngineLifecycleSupport", "open-source-rds-extended-support")
	x.Close("DBCluster")
}

func writeRDSTags(x *wire.XML, tags []state.Tag) {
	wire.List(x, "TagList", "Tag", tags, func(t state.Tag) {
		x.Text("Key", t.Key)
		x.Text("Value", t.Value)
	})
}

func writeVpcSecurityGroups(x *wire.XML, ids []string) {
	wire.List(x, "VpcSecurityGroups", "VpcSecurityGroupMembership", ids, func(id string) {
		x.Text("VpcSecurityGroupId", id)
		x.Text("Status", "active")
	})
}

func (s *Service) describeDBInstances(c *wire.Call) *wire.APIError {
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
	list, err := oneOrAll(c.Params.Get("DBInstanceIdentifier"), s.st.Instances, s.st.FindInstance, "DBInstanceNotFound", "DBInstance")
	if err != nil {
		return err
	}
	if id := c.Params.Get("DBInstanceIdentifier"); id != "" && s.missOnce(list[0].ResourceID, list[0].Tags) {
		return wire.Errorf(404, "DBInstanceNotFound", "DBInstance %s not found.", id)
	}
	list = slices.DeleteFunc(list, func(in *state.Instance) bool {
		return !wire.MatchFilters(fs, equalOrLower, func(name string) []string {
			switch name {
			case "db-cluster-id":
				return []string{in.Cluster, s.ClusterARN(in.Cluster)}
			case "db-instance-id":
				return []string{in.ID, s.InstanceARN(in.ID)}
			case "dbi-resource-id":
				return []string{in.ResourceID}
			case "engine":
				return []string{in.Engine}
			}
			return nil
		})
	})
	pg, next, err := wire.Page(list, func(in *state.Instance) string { return in.ID }, c.Params.Get("Marker"), max, badMarker)
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

func (s *Service) InstanceARN(id string) string {
	return "arn:aws:rds:" + s.region + ":" + s.account + ":db:" + id
}

// writeInstance writes one <DBInstance>; network settings and the master
// user come from its cluster, as for every Aurora instance. Callers hold s.mu.
func (s *Service) writeInstance(x *wire.XML, in *state.Instance) {
	cl, _ := s.st.Clusters.Get(in.Cluster)
	x.Open("DBInstance")
	x.Text("DBInstanceIdentifier", in.ID)
	x.Text("DBInstanceClass", in.Class)
	x.Text("Engine", in.Engine)
	x.Text("DBInstanceStatus", in.Status)
	port := 0
	if cl != nil {
		port = cl.Port
		x.Text("MasterUsername", cl.MasterUser)
	}
	if in.Status != "creating" {
		x.Open("Endpoint")
		x.Text("Address", s.InstanceEndpoint(in.ID))
		x.Int("Port", port)
		x.Text("HostedZoneId", state.HostedZone)
		x.Close("Endpoint")
	}
	x.Int("AllocatedStorage", 1)
	x.Time("InstanceCreateTime", in.Created)
	if cl != nil {
		x.Opt("PreferredBackupWindow", cl.BackupWindow)
		x.Int("BackupRetentionPeriod", cl.BackupRetention)
	}
	x.Empty("DBSecurityGroups")
	var sgIDs []string
	if cl != nil {
		sgIDs = cl.SGIDs
	}
	writeVpcSecurityGroups(x, sgIDs)
	x.Open("DBParameterGroups")
	x.Open("DBParameterGroup")
	x.Text("DBParameterGroupName", "default."+parameterGroupFamily(in.Engine, in.Version))
	x.Text("ParameterApplyStatus", "in-sync")
	x.Close("DBParameterGroup")
	x.Close("DBParameterGroups")
	x.Opt("AvailabilityZone", in.AZ)
	if cl != nil {
		if g, ok := s.st.SubnetGroups.Get(cl.SubnetGroup); ok {
			s.writeSubnetGroup(x, "DBSubnetGroup", g)
		}
		x.Opt("PreferredMaintenanceWindow", cl.MaintenanceWindow)
	}
	x.Empty("PendingModifiedValues")
	x.Bool("MultiAZ", false)
	x.Text("EngineVersion", in.Version)
	x.Bool("AutoMinorVersionUpgrade", true)
	x.Text("LicenseModel", state.LicenseModel(in.Engine))
	x.Bool("PubliclyAccessible", in.Public)
	x.Text("StorageType", "aurora")
	x.Int("DbInstancePort", 0)
	x.Text("DBClusterIdentifier", in.Cluster)
	x.Bool("StorageEncrypted", cl != nil && cl.StorageEncrypted)
	x.Text("DbiResourceId", in.ResourceID)
	x.Text("CACertificateIdentifier", "rds-ca-rsa2048-g1")
	x.Bool("CopyTagsToSnapshot", false)
	x.Int("MonitoringInterval", 0)
	x.Int("PromotionTier", in.Tier)
	x.Text("DBInstanceArn", s.InstanceARN(in.ID))
	x.Bool("IAMDatabaseAuthenticationEnabled", false)
	x.Bool("PerformanceInsightsEnabled", false)
	x.Bool("DeletionProtection", false)
	writeRDSTags(x, in.Tags)
	x.Text("NetworkType", "IPV4")
	x.Close("DBInstance")
}

func (s *Service) subnetGroupARN(name string) string {
	return "arn:aws:rds:" + s.region + ":" + s.account + ":subgrp:" + name
}

// writeSubnetGroup writes a subnet group under the given element name
// (DBSubnetGroup both as a list member and inside a DBInstance).
func (s *Service) writeSubnetGroup(x *wire.XML, tag string, g *state.SubnetGroup) {
	x.Open(tag)
	x.Text("DBSubnetGroupName", g.Name)
	x.Text("DBSubnetGroupDescription", g.Desc)
	x.Text("VpcId", g.VPCID)
	x.Text("SubnetGroupStatus", g.Status)
	wire.List(x, "Subnets", "Subnet", g.SubnetIDs, func(id string) {
		x.Text("SubnetIdentifier", id)
		x.Open("SubnetAvailabilityZone")
		if sn, ok := s.st.Subnets.Get(id); ok {
			x.Text("Name", sn.AZ)
		}
		x.Close("SubnetAvailabilityZone")
		x.Empty("SubnetOutpost")
		x.Text("SubnetStatus", "Active")
	})
	x.Text("DBSubnetGroupArn", s.subnetGroupARN(g.Name))
	x.Strings("SupportedNetworkTypes", "member", []string{"IPV4"})
	x.Close(tag)
}

func (s *Service) describeDBSubnetGroups(c *wire.Call) *wire.APIError {
	max, err := maxRecords(c.Params, 100)
	if err != nil {
		return err
	}
	if _, err := rdsFilters(c.Params); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	list, err := oneOrAll(c.Params.Get("DBSubnetGroupName"), s.st.SubnetGroups, s.st.FindSubnetGroup, "DBSubnetGroupNotFoundFault", "DBSubnetGroup")
	if err != nil {
		return err
	}
	pg, next, err := wire.Page(list, func(g *state.SubnetGroup) string { return g.Name }, c.Params.Get("Marker"), max, badMarker)
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

func (s *Service) describeOrderable(c *wire.Call) *wire.APIError {
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
	versions := state.EngineVersions(engine)
	if version != "" {
		versions = []string{version}
	}
	zones := state.AZs(s.region)
	var list []state.Orderable
	for _, v := range versions {
		if !state.KnownVersion(engine, v) {
			continue
		}
		for _, o := range state.OrderableOptions(engine, v, zones) {
			if (class == "" || o.Class == class) && (license == "" || license == state.LicenseModel(engine)) {
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
		o   state.Orderable
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
		x.Text("Engine", o.Engine)
		x.Text("EngineVersion", o.Version)
		x.Text("DBInstanceClass", o.Class)
		x.Text("LicenseModel", state.LicenseModel(o.Engine))
		x.Text("AvailabilityZoneGroup", s.region)
		wire.List(x, "AvailabilityZones", "AvailabilityZone", o.AZs, func(z string) { x.Text("Name", z) })
		x.Bool("MultiAZCapable", true)
		x.Bool("ReadReplicaCapable", o.Engine == "postgres")
		x.Bool("Vpc", true)
		x.Bool("SupportsStorageEncryption", true)
		x.Text("StorageType", o.Storage)
		x.Bool("SupportsIops", o.Storage == "io1")
		x.Bool("SupportsStorageThroughput", o.Storage == "gp3")
		x.Bool("SupportsEnhancedMonitoring", o.Class != "db.serverless")
		x.Bool("SupportsIAMDatabaseAuthentication", true)
		x.Bool("SupportsPerformanceInsights", !strings.HasPrefix(o.Class, "db.t3."))
		x.Strings("SupportedEngineModes", "member", []string{"provisioned"})
		x.Bool("SupportsStorageAutoscaling", false)
		x.Bool("SupportsKerberosAuthentication", true)
		x.Bool("OutpostCapable", false)
		x.Bool("SupportsGlobalDatabases", !strings.HasPrefix(o.Class, "db.t"))
		x.Strings("SupportedNetworkTypes", "member", []string{"IPV4", "DUAL"})
		x.Bool("SupportsClusters", true)
		x.Bool("SupportsDedicatedLogVolume", false)
		x.Bool("SupportsHttpEndpoint", o.Engine == "aurora-postgresql")
		x.Close("OrderableDBInstanceOption")
	}
	x.Close("OrderableDBInstanceOptions")
	x.Opt("Marker", next)
	return nil
}

func (s *Service) snapshotARN(id string) string {
	return "arn:aws:rds:" + s.region + ":" + s.account + ":cluster-snapshot:" + id
}

func (s *Service) describeDBClusterSnapshots(c *wire.Call) *wire.APIError {
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
	list, err := oneOrAll(c.Params.Get("DBClusterSnapshotIdentifier"), s.st.Snapshots, s.st.FindSnapshot, "DBClusterSnapshotNotFoundFault", "DBClusterSnapshot")
	if err != nil {
		return err
	}
	cluster, typ := strings.ToLower(c.Params.Get("DBClusterIdentifier")), c.Params.Get("SnapshotType")
	list = slices.DeleteFunc(list, func(sn *state.Snapshot) bool {
		if cluster != "" && sn.Cluster != cluster || typ != "" && sn.Type != typ {
			return true
		}
		return !wire.MatchFilters(fs, wire.Equal, func(name string) []string {
			return []string{map[string]string{"db-cluster-id": sn.Cluster, "db-cluster-snapshot-id": sn.ID, "snapshot-type": sn.Type, "engine": sn.Engine}[name]}
		})
	})
	pg, next, err := wire.Page(list, func(sn *state.Snapshot) string { return sn.ID }, c.Params.Get("Marker"), max, badMarker)
	if err != nil {
		return err
	}
	x := &c.Out
	x.Open("DBClusterSnapshots")
	for _, sn := range pg {
		s.writeSnapshot(x, sn)
	}
	x.Close("DBClusterSnapshots")
	x.Opt("Marker", next)
	return nil
}

// modifyDBCluster is rds:ModifyDBCluster. A new master password puts the
// cluster in resetting-master-credentials for a moment, as RDS does; only a
// salted hash of it is kept. ManageMasterUserPassword has RDS generate the
// password and keep it in a Secrets Manager secret (RotateMasterUserPassword
// replaces it). Other settings are accepted; a few simple ones are applied.
func (s *Service) modifyDBCluster(c *wire.Call) *wire.APIError {
	id := c.Params.Get("DBClusterIdentifier")
	if id == "" {
		return wire.Errorf(400, "MissingParameter", "The request must contain the parameter DBClusterIdentifier")
	}
	pw, setPW := c.Params.Get("MasterUserPassword"), c.Params.Has("MasterUserPassword")
	m, err := readManage(c.Params, setPW)
	if err != nil {
		return err
	}
	retention, hasRetention, err := c.Params.Int("BackupRetentionPeriod")
	if err != nil {
		return err
	}
	if hasRetention && (retention < 1 || retention > 35) {
		return wire.Errorf(400, "InvalidParameterValue", "Invalid backup retention period %d: it must be from 1 to 35 days.", retention)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cl, ok := s.st.FindCluster(id)
	if !ok {
		return wire.Errorf(404, "DBClusterNotFoundFault", "DBCluster %s not found.", id)
	}
	if cl.Status != "available" && cl.Status != "resetting-master-credentials" {
		return wire.Errorf(400, "InvalidDBClusterStateFault", "DB cluster %s is not in the available state (it is %s).", cl.ID, cl.Status)
	}
	if setPW {
		if msg := state.PasswordProblem(pw); msg != "" {
			return wire.Errorf(400, "InvalidParameterValue", "The parameter MasterUserPassword is not a valid password%s", msg)
		}
	}
	if err := s.manageMasterPassword(cl, m, setPW); err != nil {
		return err
	}
	if setPW {
		s.resetPassword(cl, pw)
	}
	if hasRetention {
		cl.BackupRetention = retention
	}
	if v, ok := c.Params.Bool("DeletionProtection"); ok {
		cl.DeletionProtection = v
	}
	if w := c.Params.Get("PreferredBackupWindow"); w != "" {
		cl.BackupWindow = w
	}
	if w := c.Params.Get("PreferredMaintenanceWindow"); w != "" {
		cl.MaintenanceWindow = w
	}
	s.writeCluster(&c.Out, cl)
	return nil
}

// resetPassword sets a cluster's master password: its status shows the
// reset until the real server has the password. Callers hold s.mu.
func (s *Service) resetPassword(cl *state.Cluster, pw string) {
	cl.PasswordHash = state.HashPassword(pw)
	cl.PendingPassword = true
	cl.ResetGen++
	gen := cl.ResetGen
	// Realistic: the cluster reads as before (the password pending, the
	// secret creating) for a while, as AWS's does, before the reset shows.
	lag := s.realistic && cl.Status == "available"
	if !lag {
		cl.Status = "resetting-master-credentials"
	}
	fault, _ := s.takeBehaviour("rds", "ModifyDBCluster")
	user := cl.MasterUser
	s.goBackground(func() {
		if lag {
			if !s.sleep(s.ctx, 3*time.Second) {
				return
			}
			s.mu.Lock()
			if cur, ok := s.st.Clusters.Get(cl.ID); ok && cur == cl && cl.ResetGen == gen && cl.Status == "available" {
				cl.Status = "resetting-master-credentials"
			}
			s.mu.Unlock()
		}
		if !s.sleep(s.ctx, 2*time.Second) {
			return
		}
		// The real server takes the password before the cluster is
		// reported available again, so a login then works.
		s.applyPassword(s.ctx, cl.ID, user, pw, fault)
		s.mu.Lock()
		defer s.mu.Unlock()
		if cur, ok := s.st.Clusters.Get(cl.ID); ok && cur == cl && cl.ResetGen == gen && cl.Status == "resetting-master-credentials" {
			cl.Status = "available"
			cl.PendingPassword = false
		}
	})
}

func (s *Service) writeMasterUserSecret(x *wire.XML, cl *state.Cluster) {
	sec, ok := s.st.Secrets.Get(cl.SecretARN)
	if !ok {
		return
	}
	status := "active"
	if cl.Status == "creating" || cl.PendingPassword {
		status = "creating"
	}
	x.Open("MasterUserSecret")
	x.Text("SecretArn", sec.ARN)
	x.Text("SecretStatus", status)
	x.Text("KmsKeyId", s.keyARN(sec.KeyID))
	x.Close("MasterUserSecret")
}

// addTagsToResource is rds:AddTagsToResource for clusters: a tag of the
// same key is replaced, as in RDS.
func (s *Service) addTagsToResource(c *wire.Call) *wire.APIError {
	arn := c.Params.Get("ResourceName")
	c.NoResult = true
	s.mu.Lock()
	defer s.mu.Unlock()
	cl, ok := s.st.FindCluster(arn)
	if !ok || !strings.Contains(arn, ":cluster:") {
		return wire.Errorf(404, "DBClusterNotFoundFault", "DBCluster %s not found.", arn)
	}
	for _, t := range c.Params.Structs("Tags") {
		k, v := t.Get("Key"), t.Get("Value")
		if k == "" {
			return wire.Errorf(400, "InvalidParameterValue", "Tag keys must not be empty.")
		}
		i := slices.IndexFunc(cl.Tags, func(x state.Tag) bool { return x.Key == k })
		if i >= 0 {
			cl.Tags[i].Value = v
		} else {
			cl.Tags = append(cl.Tags, state.Tag{Key: k, Value: v})
		}
	}
	return nil
}

// writeSnapshot writes one <DBClusterSnapshot>. Callers hold s.mu.
func (s *Service) writeSnapshot(x *wire.XML, sn *state.Snapshot) {
	x.Open("DBClusterSnapshot")
	x.Strings("AvailabilityZones", "AvailabilityZone", state.AZs(s.region))
	x.Text("DBClusterSnapshotIdentifier", sn.ID)
	x.Text("DBClusterIdentifier", sn.Cluster)
	x.Time("SnapshotCreateTime", sn.Created)
	x.Text("Engine", sn.Engine)
	x.Text("EngineMode", "provisioned")
	x.Int("AllocatedStorage", 1)
	x.Text("Status", sn.Status)
	x.Int("Port", sn.Port)
	x.Text("VpcId", sn.VPCID)
	x.Time("ClusterCreateTime", sn.ClusterCreated)
	x.Text("MasterUsername", sn.MasterUser)
	x.Text("EngineVersion", sn.Version)
	x.Text("LicenseModel", state.LicenseModel(sn.Engine))
	x.Text("SnapshotType", sn.Type)
	progress := 100
	if sn.Status == "creating" {
		progress = 0
	}
	x.Int("PercentProgress", progress)
	x.Bool("StorageEncrypted", sn.StorageEncrypted)
	if sn.StorageEncrypted && sn.KeyID != "" {
		x.Text("KmsKeyId", s.keyARN(sn.KeyID))
	}
	x.Text("DBClusterSnapshotArn", s.snapshotARN(sn.ID))
	x.Bool("IAMDatabaseAuthenticationEnabled", false)
	writeRDSTags(x, sn.Tags)
	x.Close("DBClusterSnapshot")
}
