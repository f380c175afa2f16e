package sandbox

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/netip"
	"strings"
	"time"
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

// azs are the region's three availability zones.
func azs(region string) []string {
	return []string{region + "a", region + "b", region + "c"}
}

// azID maps an AZ name to its zone id (eu-west-1a -> euw1-az1), as EC2
// reports it beside the name.
func azID(az string) string {
	if az == "" {
		return ""
	}
	region, letter := az[:len(az)-1], az[len(az)-1]
	short := map[string]string{"north": "n", "south": "s", "east": "e", "west": "w", "central": "c",
		"northeast": "ne", "northwest": "nw", "southeast": "se", "southwest": "sw"}
	parts := strings.Split(region, "-")
	var b strings.Builder
	for i, p := range parts {
		if i > 0 && i < len(parts)-1 {
			if s, ok := short[p]; ok {
				p = s
			}
		}
		b.WriteString(p)
	}
	return fmt.Sprintf("%s-az%d", b.String(), int(letter-'a')+1)
}

// hexID derives a believable, stable resource id from a seed string.
func hexID(prefix, from string) string {
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
	serverless                  *scaling
	backupRetention             int
}

func seed(o Options) *state {
	st := newState()
	zones := azs(o.Region)

	st.vpcs.put(prodVPC, &vpc{id: prodVPC, cidr: "10.0.0.0/16", tags: []tag{{"Name", "prod"}, {"Environment", "production"}}, defaultG: "sg-0a1b2c3d4e5f63001"})
	st.vpcs.put(stagingVPC, &vpc{id: stagingVPC, cidr: "10.1.0.0/16", tags: []tag{{"Name", "staging"}, {"Environment", "staging"}}, defaultG: "sg-0a1b2c3d4e5f63101"})

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
		st.subnets.put(sn.id, &subnet{id: sn.id, vpcID: sn.vpc, az: zones[sn.az], cidr: sn.cidr, free: 251 - len(sn.name)%7,
			tags: []tag{{"Name", sn.name}}})
	}
	if o.ExtraSubnets > 0 {
		// Real VPCs cap subnets far lower; load tests want more than a /16
		// holds, so they come from a secondary 100.64.0.0/10 block in /28s.
		v, _ := st.vpcs.get(stagingVPC)
		v.extra = append(v.extra, "100.64.0.0/10")
		base := netip.MustParseAddr("100.64.0.0").As4()
		for i := range o.ExtraSubnets {
			n := uint32(base[0])<<24 | uint32(base[1])<<16 | uint32(base[2])<<8 | uint32(base[3])
			n += uint32(i) * 16
			cidr := fmt.Sprintf("%d.%d.%d.%d/28", n>>24, n>>16&0xff, n>>8&0xff, n&0xff)
			id := hexID("subnet", fmt.Sprintf("load-subnet-%d", i))
			st.subnets.put(id, &subnet{id: id, vpcID: stagingVPC, az: zones[i%3], cidr: cidr, free: 11,
				tags: []tag{{"Name", fmt.Sprintf("staging-load-%05d", i+1)}}})
		}
	}

	allTraffic := []ipPermission{{proto: "-1", ranges: []ipRange{{cidr: "0.0.0.0/0"}}}}
	for _, sg := range []*securityGroup{
		{id: "sg-0a1b2c3d4e5f63001", name: "default", desc: "default VPC security group", vpcID: prodVPC,
			ingress: []ipPermission{{proto: "-1", groups: []string{"sg-0a1b2c3d4e5f63001"}}}},
		{id: "sg-0a1b2c3d4e5f63002", name: "prod-aurora-postgres", desc: "Aurora PostgreSQL clients in prod", vpcID: prodVPC,
			ingress: []ipPermission{{proto: "tcp", from: 5432, to: 5432, ranges: []ipRange{{"10.0.0.0/16", "prod VPC"}}}},
			tags:    []tag{{"Name", "prod-aurora-postgres"}}},
		{id: "sg-0a1b2c3d4e5f63003", name: "prod-aurora-mysql", desc: "Aurora MySQL clients in prod", vpcID: prodVPC,
			ingress: []ipPermission{{proto: "tcp", from: 3306, to: 3306, ranges: []ipRange{{"10.0.0.0/16", "prod VPC"}}}},
			tags:    []tag{{"Name", "prod-aurora-mysql"}}},
		{id: "sg-0a1b2c3d4e5f63101", name: "default", desc: "default VPC security group", vpcID: stagingVPC,
			ingress: []ipPermission{{proto: "-1", groups: []string{"sg-0a1b2c3d4e5f63101"}}}},
		{id: "sg-0a1b2c3d4e5f63102", name: "staging-databases", desc: "Databases in staging", vpcID: stagingVPC,
			ingress: []ipPermission{
				{proto: "tcp", from: 5432, to: 5432, ranges: []ipRange{{"10.1.0.0/16", "staging VPC"}}},
				{proto: "tcp", from: 3306, to: 3306, ranges: []ipRange{{"10.1.0.0/16", "staging VPC"}}},
			},
			tags: []tag{{"Name", "staging-databases"}}},
	} {
		sg.egress = allTraffic
		st.sgs.put(sg.id, sg)
	}

	for _, g := range []*subnetGroup{
		{name: "prod-db-subnets", desc: "Private subnets for prod databases", vpcID: prodVPC,
			subnetIDs: []string{"subnet-0a1b2c3d4e5f61001", "subnet-0a1b2c3d4e5f61002", "subnet-0a1b2c3d4e5f61003"}},
		{name: "staging-db-subnets", desc: "Private subnets for staging databases", vpcID: stagingVPC,
			subnetIDs: []string{"subnet-0a1b2c3d4e5f62001", "subnet-0a1b2c3d4e5f62002", "subnet-0a1b2c3d4e5f62003"}},
		// Made before RDS enforced two AZs; kept to show what a clone into one AZ does.
		{name: "single-az-subnets", desc: "Legacy scratch subnets, one AZ only", vpcID: stagingVPC,
			subnetIDs: []string{"subnet-0a1b2c3d4e5f62004", "subnet-0a1b2c3d4e5f62005"}},
	} {
		g.status = "Complete"
		st.subnetGroups.put(g.name, g)
	}

	const (
		pg16, pg15, pg158, pg14, pg13 = "16.4", "15.5", "15.8", "14.9", "13.12"
		my305, my304, my308           = "8.0.mysql_aurora.3.05.2", "8.0.mysql_aurora.3.04.3", "8.0.mysql_aurora.3.08.0"
		apg, amy                      = "aurora-postgresql", "aurora-mysql"
		prodPG, prodMy, stg           = "sg-0a1b2c3d4e5f63002", "sg-0a1b2c3d4e5f63003", "sg-0a1b2c3d4e5f63102"
	)
	clusters := []seedCluster{
		{"prod-aurora", apg, pg16, "available", "prod-db-subnets", prodPG, []string{"db.r6g.large", "db.r6g.large"}, nil, 7},
		{"orders-mysql", amy, my305, "available", "prod-db-subnets", prodMy, []string{"db.r6g.xlarge"}, nil, 7},
		{"analytics-serverless", apg, pg15, "available", "prod-db-subnets", prodPG, []string{"db.serverless"}, &scaling{0.5, 16}, 7},
		{"reporting-stopped", apg, pg14, "stopped", "prod-db-subnets", prodPG, []string{"db.r6g.large"}, nil, 7},
		{"billing-aurora", apg, pg158, "available", "staging-db-subnets", stg, []string{"db.r6g.xlarge", "db.r6g.xlarge"}, nil, 3},
		{"inventory-mysql", amy, my304, "available", "staging-db-subnets", stg, []string{"db.r6g.large"}, nil, 1},
		{"payments-pg", apg, pg16, "backing-up", "staging-db-subnets", stg, []string{"db.r7g.large", "db.r7g.large"}, nil, 14},
		{"catalog-pg", apg, pg16, "available", "staging-db-subnets", stg, []string{"db.r6i.large"}, nil, 1},
		{"search-mysql", amy, my308, "available", "staging-db-subnets", stg, []string{"db.r7g.xlarge"}, nil, 1},
		{"crm-staging", apg, pg15, "stopped", "staging-db-subnets", stg, []string{"db.t4g.medium"}, nil, 1},
		{"events-pg", apg, pg16, "available", "staging-db-subnets", stg, []string{"db.serverless"}, &scaling{0.5, 8}, 1},
		{"ledger-pg", apg, pg14, "modifying", "staging-db-subnets", stg, []string{"db.r5.large"}, nil, 7},
		{"sessions-mysql", amy, my305, "available", "staging-db-subnets", stg, []string{"db.t4g.large"}, nil, 1},
		{"geo-pg", apg, pg13, "available", "staging-db-subnets", stg, []string{"db.r6g.large"}, nil, 1},
		{"audit-mysql", amy, my304, "stopped", "staging-db-subnets", stg, []string{"db.t3.medium"}, nil, 1},
		{"ml-features-pg", apg, pg16, "available", "staging-db-subnets", stg, []string{"db.r6g.2xlarge", "db.r6g.2xlarge", "db.r6g.2xlarge"}, nil, 1},
		{"notifications-mysql", amy, my308, "available", "staging-db-subnets", stg, []string{"db.serverless"}, &scaling{1, 32}, 1},
		{"support-pg", apg, pg158, "available", "staging-db-subnets", stg, []string{"db.t4g.medium"}, nil, 1},
		{"warehouse-pg", apg, pg16, "available", "staging-db-subnets", stg, []string{"db.x2g.xlarge"}, nil, 7},
		{"loyalty-mysql", amy, my305, "backing-up", "staging-db-subnets", stg, []string{"db.r6g.large"}, nil, 7},
		{"pricing-pg", apg, pg15, "available", "staging-db-subnets", stg, []string{"db.r7g.large"}, nil, 1},
		{"qa-orders-mysql", amy, my305, "stopped", "staging-db-subnets", stg, []string{"db.t4g.medium"}, nil, 1},
		{"recommendations-pg", apg, pg16, "available", "staging-db-subnets", stg, []string{"db.r6g.4xlarge"}, nil, 1},
		{"shipping-mysql", amy, my308, "available", "staging-db-subnets", stg, []string{"db.r6g.large", "db.r6g.large"}, nil, 3},
	}
	for i := range o.ExtraClusters {
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
	legacy := &dbCluster{id: "legacy-multiaz", resourceID: "cluster-" + strings.ToUpper(hexID("x", "legacy-multiaz")[3:]),
		engine: "postgres", version: "16.3", status: "available", port: 5432, masterUser: "postgres",
		subnetGroup: "prod-db-subnets", sgIDs: []string{prodPG}, multiAZ: true, clusterClass: "db.m6gd.large",
		storageType: "io1", backupRetention: 7, backupWindow: "02:00-02:30", maintenanceWindow: "sun:04:00-sun:04:30",
		created: seedTime().Add(-400 * 24 * time.Hour), storageEncrypted: true}
	for j := range 3 {
		id := fmt.Sprintf("legacy-multiaz-instance-%d", j+1)
		legacy.members = append(legacy.members, clusterMember{instance: id, writer: j == 0, tier: 1})
		st.instances.put(id, &dbInstance{id: id, resourceID: "db-" + strings.ToUpper(hexID("x", id)[3:]), cluster: legacy.id,
			class: "db.m6gd.large", engine: "postgres", version: "16.3", status: "available", az: zones[j], created: legacy.created, tier: 1})
	}
	st.clusters.put(legacy.id, legacy)

	// Manual snapshots, so that restoring from a snapshot can be tried.
	for _, sn := range []struct{ id, cluster string }{
		{"prod-aurora-before-migration", "prod-aurora"},
		{"orders-mysql-2026-11-01", "orders-mysql"},
	} {
		c, _ := st.clusters.get(sn.cluster)
		sg, _ := st.subnetGroups.get(c.subnetGroup)
		st.snapshots.put(sn.id, &clusterSnapshot{id: sn.id, cluster: c.id, engine: c.engine, version: c.version, port: c.port,
			vpcID: sg.vpcID, masterUser: c.masterUser, typ: "manual", status: "available",
			created: seedTime().Add(200 * 24 * time.Hour), clusterCreated: c.created, storageEncrypted: true})
	}
	return st
}

func (st *state) addSeedCluster(sc seedCluster, zones []string, created time.Time) {
	port, user := 5432, "postgres"
	if sc.engine == "aurora-mysql" {
		port, user = 3306, "admin"
	}
	c := &dbCluster{id: sc.id, resourceID: "cluster-" + strings.ToUpper(hexID("x", sc.id)[3:]), engine: sc.engine, version: sc.version,
		status: sc.status, port: port, masterUser: user, subnetGroup: sc.subnetGroup, sgIDs: []string{sc.sg},
		serverless: sc.serverless, storageType: "aurora", backupRetention: sc.backupRetention,
		backupWindow: "03:00-03:30", maintenanceWindow: "sun:05:00-sun:05:30", created: created,
		deletionProtection: strings.HasPrefix(sc.id, "prod-") || sc.id == "orders-mysql", copyTagsToSnapshot: true,
		storageEncrypted: true, tags: []tag{{"team", teamOf(sc.id)}}}
	if strings.HasPrefix(sc.id, "prod-") || sc.id == "orders-mysql" || sc.id == "analytics-serverless" {
		c.tags = append(c.tags, tag{"environment", "production"})
	} else {
		c.tags = append(c.tags, tag{"environment", "staging"})
	}
	instStatus := "available"
	if sc.status == "stopped" {
		instStatus = "stopped"
	}
	for j, class := range sc.classes {
		id := fmt.Sprintf("%s-%d", sc.id, j+1)
		c.members = append(c.members, clusterMember{instance: id, writer: j == 0, tier: 1})
		st.instances.put(id, &dbInstance{id: id, resourceID: "db-" + strings.ToUpper(hexID("x", id)[3:]), cluster: sc.id, class: class,
			engine: sc.engine, version: sc.version, status: instStatus, az: zones[j%3], created: created, tier: 1})
	}
	st.clusters.put(c.id, c)
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

// engineVersions are the versions the sandbox's RDS offers, per engine.
func engineVersions(engine string) []string {
	switch engine {
	case "aurora-postgresql":
		return []string{"13.12", "14.9", "15.5", "15.8", "16.4", "16.6"}
	case "aurora-mysql":
		return []string{"8.0.mysql_aurora.3.04.3", "8.0.mysql_aurora.3.05.2", "8.0.mysql_aurora.3.08.0"}
	case "postgres":
		return []string{"16.3"}
	}
	return nil
}

// orderable is one DescribeOrderableDBInstanceOptions entry.
type orderable struct {
	engine, version, class, storage string
	azs                             []string
}

// orderableOptions lists what may be ordered for an engine version. Like
// RDS, it repeats a class per storage type (Aurora standard and
// I/O-Optimized), and the largest classes are only in two of the AZs.
func orderableOptions(engine, version string, zones []string) []orderable {
	sizes := func(family string, list ...string) []string {
		out := make([]string, len(list))
		for i, s := range list {
			out[i] = "db." + family + "." + s
		}
		return out
	}
	std := []string{"large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge"}
	var classes []string
	storages := []string{"aurora", "aurora-iopt1"}
	switch engine {
	case "aurora-postgresql", "aurora-mysql":
		classes = append(classes, sizes("r5", append(std, "24xlarge")...)...)
		classes = append(classes, sizes("r6g", std...)...)
		classes = append(classes, sizes("r6i", append(std, "24xlarge", "32xlarge")...)...)
		classes = append(classes, sizes("r7g", std...)...)
		classes = append(classes, sizes("x2g", std...)...)
		if engine == "aurora-postgresql" && version >= "14" {
			// Optimized Reads classes (local NVMe), PostgreSQL 14.9 and later.
			classes = append(classes, sizes("r6gd", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge")...)
			classes = append(classes, sizes("r6id", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge", "32xlarge")...)
		}
		if version == "16.4" || version == "16.6" || version == "8.0.mysql_aurora.3.08.0" {
			classes = append(classes, sizes("r8g", append(std, "24xlarge", "48xlarge")...)...)
		}
		classes = append(classes, sizes("t3", "medium", "large")...)
		classes = append(classes, sizes("t4g", "medium", "large")...)
		classes = append(classes, "db.serverless")
	case "postgres":
		storages = []string{"io1", "gp3"}
		classes = append(classes, sizes("m6gd", "large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge")...)
		classes = append(classes, sizes("r6gd", "large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge")...)
	default:
		return nil
	}
	var out []orderable
	for _, class := range classes {
		where := zones
		if strings.HasPrefix(class, "db.x2g.") || strings.HasSuffix(class, ".24xlarge") || strings.HasSuffix(class, ".32xlarge") || strings.HasSuffix(class, ".48xlarge") {
			where = zones[:2]
		}
		for _, sto := range storages {
			out = append(out, orderable{engine: engine, version: version, class: class, storage: sto, azs: where})
		}
	}
	return out
}

// isOrderable reports whether class can be ordered for the engine version.
func isOrderable(engine, version, class string) bool {
	for _, o := range orderableOptions(engine, version, []string{"a", "b", "c"}) {
		if o.class == class {
			return true
		}
	}
	return false
}

func knownVersion(engine, version string) bool {
	for _, v := range engineVersions(engine) {
		if v == version {
			return true
		}
	}
	return false
}
