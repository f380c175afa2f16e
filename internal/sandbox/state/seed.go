package state

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/dbaf/dbaf/internal/engine"
)

// seedTime is when the seed resources were "created": fixed, so the seed is
// the same on every run.
func seedTime() time.Time { return time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC) }

// Seed ids look like real ones (17 hex digits) and are fixed so tests and
// demos can name them.
const (
	prodVPC    = "vpc-0a1b2c3d4e5f60001"
	stagingVPC = "vpc-0a1b2c3d4e5f60002"
)

// HexID derives a believable, stable resource id from a seed string.
func HexID(prefix, from string) string {
	h := sha256.Sum256([]byte(from))
	return prefix + "-0" + hex.EncodeToString(h[:])[:16]
}

type seedSubnet struct {
	id, vpc, cidr, name string
	az                  int // index into azs
}

type seedCluster struct {
	id, engine, version, status string
	subnetGroup, sg             string
	classes                     []string // one instance each; the first is the writer
	serverless                  *Scaling
	backupRetention             int
}

// Seed builds the account's deterministic data in region, with extra
// generated clusters and subnets for load tests.
func Seed(region string, extraClusters, extraSubnets int) *State {
	st := newState()
	st.seedKeys()
	zones := AZs(region)

	st.VPCs.Put(prodVPC, &VPC{ID: prodVPC, CIDR: "10.0.0.0/16", Tags: []Tag{{"Name", "prod"}, {"Environment", "production"}}, DefaultSG: "sg-0a1b2c3d4e5f63001"})
	st.VPCs.Put(stagingVPC, &VPC{ID: stagingVPC, CIDR: "10.1.0.0/16", Tags: []Tag{{"Name", "staging"}, {"Environment", "staging"}}, DefaultSG: "sg-0a1b2c3d4e5f63101"})

	for _, sn := range []seedSubnet{
		{"subnet-0a1b2c3d4e5f61001", prodVPC, "10.0.1.0/24", "prod-private-a", 0},
		{"subnet-0a1b2c3d4e5f61002", prodVPC, "10.0.2.0/24", "prod-private-b", 1},
		{"subnet-0a1b2c3d4e5f61003", prodVPC, "10.0.3.0/24", "prod-private-c", 2},
		{"subnet-0a1b2c3d4e5f61004", prodVPC, "10.0.101.0/24", "prod-public-a", 0},
		{"subnet-0a1b2c3d4e5f61005", prodVPC, "10.0.102.0/24", "prod-public-b", 1},
		{"subnet-0a1b2c3d4e5f62001", stagingVPC, "10.1.1.0/24", "staging-private-a", 0},
		{"subnet-0a1b2c3d4e5f62002", stagingVPC, "10.1.2.0/24", "staging-private-b", 1},
		{"subnet-0a1b2c3d4e5f62003", stagingVPC, "10.1.3.0/24", "staging-private-c", 2},
		{"subnet-0a1b2c3d4e5f62004", stagingVPC, "10.1.10.0/24", "staging-scratch-a1", 0},
		{"subnet-0a1b2c3d4e5f62005", stagingVPC, "10.1.11.0/24", "staging-scratch-a2", 0},
	} {
		st.Subnets.Put(sn.id, &Subnet{ID: sn.id, VPCID: sn.vpc, AZ: zones[sn.az], CIDR: sn.cidr, Free: 251 - len(sn.name)%7,
			Tags: []Tag{{"Name", sn.name}}})
	}
	if extraSubnets > 0 {
		// Real VPCs cap subnets far lower; load tests want more than a /16
		// holds, so they come from a secondary 100.64.0.0/10 block in /28s.
		v, _ := st.VPCs.Get(stagingVPC)
		v.Extra = append(v.Extra, "100.64.0.0/10")
		base := netip.MustParseAddr("100.64.0.0").As4()
		for i := range extraSubnets {
			n := uint32(base[0])<<24 | uint32(base[1])<<16 | uint32(base[2])<<8 | uint32(base[3])
			n += uint32(i) * 16
			cidr := fmt.Sprintf("%d.%d.%d.%d/28", n>>24, n>>16&0xff, n>>8&0xff, n&0xff)
			id := HexID("subnet", fmt.Sprintf("load-subnet-%d", i))
			st.Subnets.Put(id, &Subnet{ID: id, VPCID: stagingVPC, AZ: zones[i%3], CIDR: cidr, Free: 11,
				Tags: []Tag{{"Name", fmt.Sprintf("staging-load-%05d", i+1)}}})
		}
	}

	// The prod VPC reaches the internet through its gateway, from its
	// public subnets; staging is private: no internet gateway at all, so
	// RDS refuses a publicly accessible instance there.
	for _, rt := range []*RouteTable{
		{ID: "rtb-0a1b2c3d4e5f65001", VPCID: prodVPC, Main: true, Routes: []Route{{"10.0.0.0/16", "local"}}, Tags: []Tag{{"Name", "prod-private"}}},
		{ID: "rtb-0a1b2c3d4e5f65002", VPCID: prodVPC, Subnets: []string{"subnet-0a1b2c3d4e5f61004", "subnet-0a1b2c3d4e5f61005"},
			Routes: []Route{{"10.0.0.0/16", "local"}, {"0.0.0.0/0", "igw-0a1b2c3d4e5f66001"}}, Tags: []Tag{{"Name", "prod-public"}}},
		{ID: "rtb-0a1b2c3d4e5f65101", VPCID: stagingVPC, Main: true, Routes: []Route{{"10.1.0.0/16", "local"}}, Tags: []Tag{{"Name", "staging"}}},
	} {
		st.RouteTables.Put(rt.ID, rt)
	}

	allTraffic := []IPPermission{{Proto: "-1", Ranges: []IPRange{{CIDR: "0.0.0.0/0"}}}}
	for _, sg := range []*SecurityGroup{
		{ID: "sg-0a1b2c3d4e5f63001", Name: "default", Desc: "default VPC security group", VPCID: prodVPC,
			Ingress: []IPPermission{{Proto: "-1", Groups: []string{"sg-0a1b2c3d4e5f63001"}}}},
		{ID: "sg-0a1b2c3d4e5f63002", Name: "prod-aurora-postgres", Desc: "Aurora PostgreSQL clients in prod", VPCID: prodVPC,
			Ingress: []IPPermission{{Proto: "tcp", From: 5432, To: 5432, Ranges: []IPRange{{"10.0.0.0/16", "prod VPC"}}}},
			Tags:    []Tag{{"Name", "prod-aurora-postgres"}}},
		{ID: "sg-0a1b2c3d4e5f63003", Name: "prod-aurora-mysql", Desc: "Aurora MySQL clients in prod", VPCID: prodVPC,
			Ingress: []IPPermission{{Proto: "tcp", From: 3306, To: 3306, Ranges: []IPRange{{"10.0.0.0/16", "prod VPC"}}}},
			Tags:    []Tag{{"Name", "prod-aurora-mysql"}}},
		{ID: "sg-0a1b2c3d4e5f63101", Name: "default", Desc: "default VPC security group", VPCID: stagingVPC,
			Ingress: []IPPermission{{Proto: "-1", Groups: []string{"sg-0a1b2c3d4e5f63101"}}}},
		{ID: "sg-0a1b2c3d4e5f63102", Name: "staging-databases", Desc: "Databases in staging", VPCID: stagingVPC,
			Ingress: []IPPermission{
				{Proto: "tcp", From: 5432, To: 5432, Ranges: []IPRange{{"10.1.0.0/16", "staging VPC"}}},
				{Proto: "tcp", From: 3306, To: 3306, Ranges: []IPRange{{"10.1.0.0/16", "staging VPC"}}},
			},
			Tags: []Tag{{"Name", "staging-databases"}}},
	} {
		sg.Egress = allTraffic
		st.SGs.Put(sg.ID, sg)
	}

	for _, g := range []*SubnetGroup{
		{Name: "prod-db-subnets", Desc: "Private subnets for prod databases", VPCID: prodVPC,
			SubnetIDs: []string{"subnet-0a1b2c3d4e5f61001", "subnet-0a1b2c3d4e5f61002", "subnet-0a1b2c3d4e5f61003"}},
		{Name: "staging-db-subnets", Desc: "Private subnets for staging databases", VPCID: stagingVPC,
			SubnetIDs: []string{"subnet-0a1b2c3d4e5f62001", "subnet-0a1b2c3d4e5f62002", "subnet-0a1b2c3d4e5f62003"}},
		// Made before RDS enforced two AZs; kept to show what a clone into one AZ does.
		{Name: "single-az-subnets", Desc: "Legacy scratch subnets, one AZ only", VPCID: stagingVPC,
			SubnetIDs: []string{"subnet-0a1b2c3d4e5f62004", "subnet-0a1b2c3d4e5f62005"}},
	} {
		g.Status = "Complete"
		st.SubnetGroups.Put(g.Name, g)
	}

	const (
		pg16, pg15, pg158, pg14, pg13 = "16.4", "15.5", "15.8", "14.9", "13.12"
		my305, my304, my308           = "8.0.mysql_aurora.3.05.2", "8.0.mysql_aurora.3.04.3", "8.0.mysql_aurora.3.08.0"
		apg, amy                      = engine.AuroraPostgreSQL, engine.AuroraMySQL
		prodPG, prodMy, stg           = "sg-0a1b2c3d4e5f63002", "sg-0a1b2c3d4e5f63003", "sg-0a1b2c3d4e5f63102"
	)
	clusters := []seedCluster{
		{"prod-aurora", apg, pg16, "available", "prod-db-subnets", prodPG, []string{"db.r6g.large", "db.r6g.large"}, nil, 7},
		{"orders-mysql", amy, my305, "available", "prod-db-subnets", prodMy, []string{"db.r6g.xlarge"}, nil, 7},
		{"analytics-serverless", apg, pg15, "available", "prod-db-subnets", prodPG, []string{"db.serverless"}, &Scaling{0.5, 16}, 7},
		{"reporting-stopped", apg, pg14, "stopped", "prod-db-subnets", prodPG, []string{"db.r6g.large"}, nil, 7},
		{"billing-aurora", apg, pg158, "available", "staging-db-subnets", stg, []string{"db.r6g.xlarge", "db.r6g.xlarge"}, nil, 3},
		{"inventory-mysql", amy, my304, "available", "staging-db-subnets", stg, []string{"db.r6g.large"}, nil, 1},
		{"payments-pg", apg, pg16, "backing-up", "staging-db-subnets", stg, []string{"db.r7g.large", "db.r7g.large"}, nil, 14},
		{"catalog-pg", apg, pg16, "available", "staging-db-subnets", stg, []string{"db.r6i.large"}, nil, 1},
		{"search-mysql", amy, my308, "available", "staging-db-subnets", stg, []string{"db.r7g.xlarge"}, nil, 1},
		{"crm-staging", apg, pg15, "stopped", "staging-db-subnets", stg, []string{"db.t4g.medium"}, nil, 1},
		{"events-pg", apg, pg16, "available", "staging-db-subnets", stg, []string{"db.serverless"}, &Scaling{0.5, 8}, 1},
		{"ledger-pg", apg, pg14, "modifying", "staging-db-subnets", stg, []string{"db.r5.large"}, nil, 7},
		{"sessions-mysql", amy, my305, "available", "staging-db-subnets", stg, []string{"db.t4g.large"}, nil, 1},
		{"geo-pg", apg, pg13, "available", "staging-db-subnets", stg, []string{"db.r6g.large"}, nil, 1},
		{"audit-mysql", amy, my304, "stopped", "staging-db-subnets", stg, []string{"db.t3.medium"}, nil, 1},
		{"ml-features-pg", apg, pg16, "available", "staging-db-subnets", stg, []string{"db.r6g.2xlarge", "db.r6g.2xlarge", "db.r6g.2xlarge"}, nil, 1},
		{"notifications-mysql", amy, my308, "available", "staging-db-subnets", stg, []string{"db.serverless"}, &Scaling{1, 32}, 1},
		{"support-pg", apg, pg158, "available", "staging-db-subnets", stg, []string{"db.t4g.medium"}, nil, 1},
		{"warehouse-pg", apg, pg16, "available", "staging-db-subnets", stg, []string{"db.x2g.xlarge"}, nil, 7},
		{"loyalty-mysql", amy, my305, "backing-up", "staging-db-subnets", stg, []string{"db.r6g.large"}, nil, 7},
		{"pricing-pg", apg, pg15, "available", "staging-db-subnets", stg, []string{"db.r7g.large"}, nil, 1},
		{"qa-orders-mysql", amy, my305, "stopped", "staging-db-subnets", stg, []string{"db.t4g.medium"}, nil, 1},
		{"recommendations-pg", apg, pg16, "available", "staging-db-subnets", stg, []string{"db.r6g.4xlarge"}, nil, 1},
		{"shipping-mysql", amy, my308, "available", "staging-db-subnets", stg, []string{"db.r6g.large", "db.r6g.large"}, nil, 3},
	}
	for i := range extraClusters {
		c := seedCluster{id: fmt.Sprintf("load-%05d", i+1), engine: apg, version: pg16, status: "available",
			subnetGroup: "staging-db-subnets", sg: stg, classes: []string{"db.t4g.medium"}, backupRetention: 1}
		if i%3 == 2 {
			c.engine, c.version, c.classes = amy, my305, []string{"db.t4g.large"}
		}
		clusters = append(clusters, c)
	}
	for i, sc := range clusters {
		st.addSeedCluster(sc, zones, seedTime().Add(time.Duration(i)*time.Hour))
	}

	// A Multi-AZ DB cluster of plain PostgreSQL: listed by RDS, but not
	// Aurora, so it cannot be cloned copy-on-write.
	legacy := &Cluster{ID: "legacy-multiaz", ResourceID: "cluster-" + strings.ToUpper(HexID("x", "legacy-multiaz")[3:]),
		Engine: "postgres", Version: "16.3", Status: "available", Port: 5432, MasterUser: "postgres",
		SubnetGroup: "prod-db-subnets", SGIDs: []string{prodPG}, MultiAZ: true, ClusterClass: "db.m6gd.large",
		StorageType: "io1", BackupRetention: 7, BackupWindow: "02:00-02:30", MaintenanceWindow: "sun:04:00-sun:04:30",
		Created: seedTime().Add(-400 * 24 * time.Hour), StorageEncrypted: true, KeyID: st.KeyAlias(AliasProd)}
	for j := range 3 {
		id := fmt.Sprintf("legacy-multiaz-instance-%d", j+1)
		legacy.Members = append(legacy.Members, Member{Instance: id, Writer: j == 0, Tier: 1})
		st.Instances.Put(id, &Instance{ID: id, ResourceID: "db-" + strings.ToUpper(HexID("x", id)[3:]), Cluster: legacy.ID,
			Class: "db.m6gd.large", Engine: "postgres", Version: "16.3", Status: "available", AZ: zones[j], Created: legacy.Created, Tier: 1})
	}
	st.Clusters.Put(legacy.ID, legacy)

	// Manual snapshots, so that restoring from a snapshot can be tried.
	for _, sn := range []struct{ id, cluster string }{
		{"prod-aurora-before-migration", "prod-aurora"},
		{"orders-mysql-2026-11-01", "orders-mysql"},
	} {
		c, _ := st.Clusters.Get(sn.cluster)
		sg, _ := st.SubnetGroups.Get(c.SubnetGroup)
		st.Snapshots.Put(sn.id, &Snapshot{ID: sn.id, Cluster: c.ID, Engine: c.Engine, Version: c.Version, Port: c.Port,
			VPCID: sg.VPCID, MasterUser: c.MasterUser, Type: "manual", Status: "available",
			Created: seedTime().Add(200 * 24 * time.Hour), ClusterCreated: c.Created, StorageEncrypted: c.StorageEncrypted, KeyID: c.KeyID, Seed: true})
	}
	return st
}

func (st *State) addSeedCluster(sc seedCluster, zones []string, created time.Time) {
	port, user := engine.DefaultPort(sc.engine), "postgres"
	if sc.engine == engine.AuroraMySQL {
		user = "admin"
	}
	c := &Cluster{ID: sc.id, ResourceID: "cluster-" + strings.ToUpper(HexID("x", sc.id)[3:]), Engine: sc.engine, Version: sc.version,
		Status: sc.status, Port: port, MasterUser: user, SubnetGroup: sc.subnetGroup, SGIDs: []string{sc.sg},
		Serverless: sc.serverless, StorageType: "aurora", BackupRetention: sc.backupRetention,
		BackupWindow: "03:00-03:30", MaintenanceWindow: "sun:05:00-sun:05:30", Created: created,
		DeletionProtection: strings.HasPrefix(sc.id, "prod-") || sc.id == "orders-mysql", CopyTagsToSnapshot: true,
		Tags: []Tag{{"team", teamOf(sc.id)}}}
	// Encrypted, as RDS is by default: the prod VPC's with the prod
	// customer key, the rest with RDS's AWS-managed key; two old staging
	// clusters predate that default.
	if sc.id != "geo-pg" && sc.id != "audit-mysql" {
		c.StorageEncrypted, c.KeyID = true, st.KeyAlias(AliasRDS)
		if sc.subnetGroup == "prod-db-subnets" {
			c.KeyID = st.KeyAlias(AliasProd)
		}
	}
	if strings.HasPrefix(sc.id, "prod-") || sc.id == "orders-mysql" || sc.id == "analytics-serverless" {
		c.Tags = append(c.Tags, Tag{"environment", "production"})
	} else {
		c.Tags = append(c.Tags, Tag{"environment", "staging"})
	}
	instStatus := "available"
	if sc.status == "stopped" {
		instStatus = "stopped"
	}
	for j, class := range sc.classes {
		id := fmt.Sprintf("%s-%d", sc.id, j+1)
		c.Members = append(c.Members, Member{Instance: id, Writer: j == 0, Tier: 1})
		st.Instances.Put(id, &Instance{ID: id, ResourceID: "db-" + strings.ToUpper(HexID("x", id)[3:]), Cluster: sc.id, Class: class,
			Engine: sc.engine, Version: sc.version, Status: instStatus, AZ: zones[j%3], Created: created, Tier: 1})
	}
	st.Clusters.Put(c.ID, c)
}

func teamOf(id string) string {
	switch {
	case strings.HasPrefix(id, "load-"):
		return "load-test"
	case strings.Contains(id, "analytics"), strings.Contains(id, "ml-"), strings.Contains(id, "warehouse"), strings.Contains(id, "reporting"):
		return "data"
	case strings.Contains(id, "orders"), strings.Contains(id, "payments"), strings.Contains(id, "billing"), strings.Contains(id, "ledger"):
		return "payments"
	}
	return "platform"
}
