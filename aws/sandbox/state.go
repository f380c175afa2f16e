package sandbox

import (
	"slices"
	"strings"
	"time"
)

// table keeps values by id with the ids sorted, so that every Describe call
// lists in a stable order and pages by key.
type table[T any] struct {
	keys []string
	m    map[string]T
}

func newTable[T any]() *table[T] { return &table[T]{m: map[string]T{}} }

func (t *table[T]) put(k string, v T) {
	if _, ok := t.m[k]; !ok {
		i, _ := slices.BinarySearch(t.keys, k)
		t.keys = slices.Insert(t.keys, i, k)
	}
	t.m[k] = v
}

func (t *table[T]) get(k string) (T, bool) {
	v, ok := t.m[k]
	return v, ok
}

func (t *table[T]) del(k string) {
	if _, ok := t.m[k]; !ok {
		return
	}
	delete(t.m, k)
	if i, found := slices.BinarySearch(t.keys, k); found {
		t.keys = slices.Delete(t.keys, i, i+1)
	}
}

func (t *table[T]) len() int { return len(t.keys) }

// all returns the values in key order.
func (t *table[T]) all() []T {
	out := make([]T, len(t.keys))
	for i, k := range t.keys {
		out[i] = t.m[k]
	}
	return out
}

// tag is a resource tag; order is kept as given.
type tag struct{ key, value string }

func tagValue(tags []tag, key string) (string, bool) {
	for _, t := range tags {
		if t.key == key {
			return t.value, true
		}
	}
	return "", false
}

type vpc struct {
	id       string
	cidr     string
	extra    []string // secondary CIDR blocks
	tags     []tag
	defaultG string // the VPC's "default" security group
}

type subnet struct {
	id, vpcID, az, cidr string
	free                int // available IP addresses
	tags                []tag
}

type ipRange struct{ cidr, desc string }

type ipPermission struct {
	proto    string // "tcp", "udp", "icmp" or "-1"
	from, to int
	ranges   []ipRange
	groups   []string // source security group ids
}

type securityGroup struct {
	id, name, desc, vpcID string
	ingress, egress       []ipPermission
	tags                  []tag
}

type subnetGroup struct {
	name, desc, vpcID string
	subnetIDs         []string
	status            string // "Complete"
	tags              []tag
}

type scaling struct{ min, max float64 }

type clusterMember struct {
	instance string
	writer   bool
	tier     int
}

type dbCluster struct {
	id, resourceID     string
	engine, version    string
	status             string
	port               int
	masterUser         string
	passwordHash       string // sha256 of the last password set; the password itself is never kept
	subnetGroup        string
	sgIDs              []string
	members            []clusterMember
	serverless         *scaling
	multiAZ            bool
	clusterClass       string // DBClusterInstanceClass of a Multi-AZ DB cluster
	storageType        string
	backupRetention    int
	backupWindow       string
	maintenanceWindow  string
	created            time.Time
	deletionProtection bool
	copyTagsToSnapshot bool
	cloneGroup         string
	databaseName       string
	tags               []tag
	pendingPassword    bool // a master password reset is being applied
	resetGen           int  // which reset the pending status change belongs to
	storageEncrypted   bool
	iamAuth            bool
}

type dbInstance struct {
	id, resourceID  string
	cluster         string
	class           string
	engine, version string
	status          string
	az              string
	created         time.Time
	public          bool
	tier            int
	tags            []tag
}

type clusterSnapshot struct {
	id, cluster      string
	engine, version  string
	port             int
	vpcID            string
	masterUser       string
	typ              string // manual or automated
	status           string
	created          time.Time
	clusterCreated   time.Time
	storageEncrypted bool
	tags             []tag
}

// state is the account: everything Describe calls read and CloudFormation
// changes. The Server's mutex guards it.
type state struct {
	vpcs         *table[*vpc]
	subnets      *table[*subnet]
	sgs          *table[*securityGroup]
	subnetGroups *table[*subnetGroup]
	clusters     *table[*dbCluster]
	instances    *table[*dbInstance]
	snapshots    *table[*clusterSnapshot]
}

func newState() *state {
	return &state{
		vpcs:         newTable[*vpc](),
		subnets:      newTable[*subnet](),
		sgs:          newTable[*securityGroup](),
		subnetGroups: newTable[*subnetGroup](),
		clusters:     newTable[*dbCluster](),
		instances:    newTable[*dbInstance](),
		snapshots:    newTable[*clusterSnapshot](),
	}
}

// rdsID turns an RDS identifier, or an ARN whose resource type is kind
// ("arn:...:cluster:ID"), into the table key: RDS identifiers are
// case-insensitive.
func rdsID(idOrARN, kind string) string {
	id := strings.ToLower(idOrARN)
	if i := strings.LastIndex(id, ":"+kind+":"); i >= 0 {
		id = id[i+len(kind)+2:]
	}
	return id
}

func (st *state) findCluster(idOrARN string) (*dbCluster, bool) {
	return st.clusters.get(rdsID(idOrARN, "cluster"))
}

func (st *state) findInstance(idOrARN string) (*dbInstance, bool) {
	return st.instances.get(rdsID(idOrARN, "db"))
}

func (st *state) findSnapshot(idOrARN string) (*clusterSnapshot, bool) {
	return st.snapshots.get(rdsID(idOrARN, "cluster-snapshot"))
}

func (st *state) findSubnetGroup(name string) (*subnetGroup, bool) {
	return st.subnetGroups.get(strings.ToLower(name))
}

// subnetAZs returns the sorted, distinct AZs of the subnets that exist.
func (st *state) subnetAZs(ids []string) []string {
	var azs []string
	for _, id := range ids {
		if sn, ok := st.subnets.get(id); ok && !slices.Contains(azs, sn.az) {
			azs = append(azs, sn.az)
		}
	}
	slices.Sort(azs)
	return azs
}
