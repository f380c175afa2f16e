package state

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dbaf/dbaf/internal/clock"
)

// Table keeps values by id with the ids sorted, so that every Describe call
// lists in a stable order and pages by key.
type Table[T any] struct {
	keys []string
	m    map[string]T
}

func newTable[T any]() *Table[T] { return &Table[T]{m: map[string]T{}} }

func (t *Table[T]) Put(k string, v T) {
	if _, ok := t.m[k]; !ok {
		i, _ := slices.BinarySearch(t.keys, k)
		t.keys = slices.Insert(t.keys, i, k)
	}
	t.m[k] = v
}

func (t *Table[T]) Get(k string) (T, bool) {
	v, ok := t.m[k]
	return v, ok
}

func (t *Table[T]) Del(k string) {
	if _, ok := t.m[k]; !ok {
		return
	}
	delete(t.m, k)
	if i, found := slices.BinarySearch(t.keys, k); found {
		t.keys = slices.Delete(t.keys, i, i+1)
	}
}

func (t *Table[T]) Len() int { return len(t.keys) }

// all returns the values in key order.
func (t *Table[T]) All() []T {
	out := make([]T, len(t.keys))
	for i, k := range t.keys {
		out[i] = t.m[k]
	}
	return out
}

// Tag is a resource tag; order is kept as given.
type Tag struct{ Key, Value string }

func TagValue(tags []Tag, key string) (string, bool) {
	for _, t := range tags {
		if t.Key == key {
			return t.Value, true
		}
	}
	return "", false
}

type VPC struct {
	ID        string
	CIDR      string
	Extra     []string // secondary CIDR blocks
	Tags      []Tag
	DefaultSG string // the VPC's "default" security group
}

type Subnet struct {
	ID, VPCID, AZ, CIDR string
	Free                int // available IP addresses
	Tags                []Tag
}

// RouteTable is a VPC's route table: the main one (Main, for subnets
// with no table of their own) or one associated with Subnets. A route to
// an igw- gateway is what makes a VPC reach the internet.
type RouteTable struct {
	ID, VPCID string
	Main      bool
	Subnets   []string
	Routes    []Route
	Tags      []Tag
}

// Route sends Dest (a CIDR) to Gateway: "local" within the VPC, or an
// internet gateway (igw-…).
type Route struct{ Dest, Gateway string }

// HasInternetGateway reports whether the VPC has an internet gateway, as
// its route tables show it: RDS refuses a publicly accessible instance in
// a VPC without one.
func (st *State) HasInternetGateway(vpcID string) bool {
	for _, rt := range st.RouteTables.All() {
		if rt.VPCID != vpcID {
			continue
		}
		for _, r := range rt.Routes {
			if strings.HasPrefix(r.Gateway, "igw-") {
				return true
			}
		}
	}
	return false
}

type IPRange struct{ CIDR, Desc string }

type IPPermission struct {
	Proto    string // "tcp", "udp", "icmp" or "-1"
	From, To int
	Ranges   []IPRange
	Groups   []string // source security group ids
}

type SecurityGroup struct {
	ID, Name, Desc, VPCID string
	Ingress, Egress       []IPPermission
	Tags                  []Tag
}

type SubnetGroup struct {
	Name, Desc, VPCID string
	SubnetIDs         []string
	Status            string // "Complete"
	Tags              []Tag
}

type Scaling struct{ Min, Max float64 }

type Member struct {
	Instance string
	Writer   bool
	Tier     int
}

type Cluster struct {
	ID, ResourceID     string
	Engine, Version    string
	Status             string
	Port               int
	MasterUser         string
	PasswordHash       string // sha256 of the last password set; the password itself is never kept
	SubnetGroup        string
	SGIDs              []string
	Members            []Member
	Serverless         *Scaling
	MultiAZ            bool
	ClusterClass       string // DBClusterInstanceClass of a Multi-AZ DB cluster
	StorageType        string
	BackupRetention    int
	BackupWindow       string
	MaintenanceWindow  string
	Created            time.Time
	DeletionProtection bool
	CopyTagsToSnapshot bool
	CloneGroup         string
	// CopyOnWrite: a copy-on-write clone, sharing its source's storage
	// (and counted against Aurora's limit per clone group). A full-copy
	// point-in-time restore shares the clone group, not the storage.
	CopyOnWrite      bool `json:",omitempty"`
	DatabaseName     string
	Tags             []Tag
	PendingPassword  bool // a master password reset is being applied
	ResetGen         int  // which reset the pending status change belongs to
	StorageEncrypted bool
	KeyID            string // the KMS key of an encrypted cluster
	SecretARN        string // the secret of the master password RDS manages, "" when it does not
	IAMAuth          bool
	// ServerDown: the database server behind the cluster died (killed,
	// its disk full); the cluster shows as stopped until the account's
	// next start brings the server back on its data.
	ServerDown bool `json:",omitempty"`
}

type Instance struct {
	ID, ResourceID  string
	Cluster         string
	Class           string
	Engine, Version string
	Status          string
	AZ              string
	Created         time.Time
	Public          bool
	Tier            int
	Tags            []Tag
}

type Snapshot struct {
	ID, Cluster      string
	Engine, Version  string
	Port             int
	VPCID            string
	MasterUser       string
	Type             string // manual or automated
	Status           string
	Created          time.Time
	ClusterCreated   time.Time
	StorageEncrypted bool
	KeyID            string
	Tags             []Tag
	// Seed: a seeded snapshot, whose data is the seed's dataset (a
	// snapshot taken in the account holds a copy of its own).
	Seed bool `json:",omitempty"`
}

// State is the account: everything Describe calls read and CloudFormation
// changes. It does no locking: its owner (the sandbox's Server) guards it
// with one mutex.
type State struct {
	VPCs         *Table[*VPC]
	Subnets      *Table[*Subnet]
	RouteTables  *Table[*RouteTable]
	SGs          *Table[*SecurityGroup]
	SubnetGroups *Table[*SubnetGroup]
	Clusters     *Table[*Cluster]
	Instances    *Table[*Instance]
	Snapshots    *Table[*Snapshot]
	Keys         *Table[*Key]      // KMS keys, by id
	Secrets      *Table[*Secret]   // Secrets Manager secrets, by ARN
	Roles        *Table[*Role]     // IAM roles, by name
	Schedules    *Table[*Schedule] // EventBridge Scheduler schedules, by group/name
	// Clock is the account's time: every time the API reports and
	// compares follows it; the control API moves it forward. It guards
	// itself, so it may be read without the Server's mutex.
	Clock *clock.Movable
}

func newState() *State {
	return &State{
		VPCs:         newTable[*VPC](),
		Subnets:      newTable[*Subnet](),
		RouteTables:  newTable[*RouteTable](),
		SGs:          newTable[*SecurityGroup](),
		SubnetGroups: newTable[*SubnetGroup](),
		Clusters:     newTable[*Cluster](),
		Instances:    newTable[*Instance](),
		Snapshots:    newTable[*Snapshot](),
		Keys:         newTable[*Key](),
		Secrets:      newTable[*Secret](),
		Roles:        newTable[*Role](),
		Schedules:    newTable[*Schedule](),
		Clock:        clock.NewMovable(nil),
	}
}

// NewSnapshot is a manual snapshot of cl being taken now (by the
// account's clock), not yet in the account.
func (st *State) NewSnapshot(cl *Cluster, id string, tags []Tag) *Snapshot {
	vpcID := ""
	if sg, ok := st.SubnetGroups.Get(cl.SubnetGroup); ok {
		vpcID = sg.VPCID
	}
	return &Snapshot{ID: id, Cluster: cl.ID, Engine: cl.Engine, Version: cl.Version, Port: cl.Port,
		VPCID: vpcID, MasterUser: cl.MasterUser, Type: "manual", Status: "creating", Created: st.Clock.Now(),
		ClusterCreated: cl.Created, StorageEncrypted: cl.StorageEncrypted, KeyID: cl.KeyID, Tags: tags}
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

func (st *State) FindCluster(idOrARN string) (*Cluster, bool) {
	return st.Clusters.Get(rdsID(idOrARN, "cluster"))
}

func (st *State) FindInstance(idOrARN string) (*Instance, bool) {
	return st.Instances.Get(rdsID(idOrARN, "db"))
}

func (st *State) FindSnapshot(idOrARN string) (*Snapshot, bool) {
	return st.Snapshots.Get(rdsID(idOrARN, "cluster-snapshot"))
}

func (st *State) FindSubnetGroup(name string) (*SubnetGroup, bool) {
	return st.SubnetGroups.Get(strings.ToLower(name))
}

// subnetAZs returns the sorted, distinct AZs of the subnets that exist.
func (st *State) SubnetAZs(ids []string) []string {
	var azs []string
	for _, id := range ids {
		if sn, ok := st.Subnets.Get(id); ok && !slices.Contains(azs, sn.AZ) {
			azs = append(azs, sn.AZ)
		}
	}
	slices.Sort(azs)
	return azs
}

// Label names a VPC for messages: its id and Name tag.
func (v *VPC) Label() string {
	if n, ok := TagValue(v.Tags, "Name"); ok {
		return fmt.Sprintf("%s (%s)", v.ID, n)
	}
	return v.ID
}

// RestorableWindow is the cluster's point-in-time window at account time
// now: from the backup retention period back (not before the cluster's
// creation) to a latest time that trails now by a few minutes, as the
// transaction logs reach S3 (a stopped cluster's stops where it stopped).
// It is never inverted: a cluster younger than the lag can be restored
// to its creation.
func (cl *Cluster) RestorableWindow(now time.Time) (earliest, latest time.Time) {
	earliest = now.Add(-time.Duration(cl.BackupRetention) * 24 * time.Hour)
	if earliest.Before(cl.Created) {
		earliest = cl.Created
	}
	latest = now.UTC().Add(-5 * time.Minute).Truncate(time.Second)
	if cl.Status == "stopped" {
		latest = seedTime().Add(240 * 24 * time.Hour)
	}
	if latest.Before(earliest) {
		latest = earliest
	}
	return earliest.UTC(), latest.UTC()
}

// ManualSnapshots counts the account's manual cluster snapshots, which
// the ManualClusterSnapshots quota is about.
func (st *State) ManualSnapshots() int {
	n := 0
	for _, sn := range st.Snapshots.All() {
		if sn.Type == "manual" {
			n++
		}
	}
	return n
}

// Role is an IAM role (dbaf setup's): a record only, for the ARN a
// schedule assumes; the sandbox does not evaluate its policies.
type Role struct {
	Name, ARN  string
	TrustJSON  string // AssumeRolePolicyDocument as given
	PolicyJSON string // the inline policies as given
	Tags       []Tag
	Created    time.Time
}

// Schedule is an EventBridge Scheduler schedule: a one-time at() schedule
// fires when the account's clock passes At.
type Schedule struct {
	Name, Group, ARN   string
	Description        string
	Expression         string // as given, e.g. at(2026-12-08T18:00:00)
	Timezone           string
	At                 time.Time // when an at() expression fires; zero for others
	State              string    // ENABLED or DISABLED
	Mode               string    // the flexible time window's mode
	TargetARN, RoleARN string
	Input              string
	AfterCompletion    string // ActionAfterCompletion: NONE or DELETE
	Created, Modified  time.Time
	Fired              bool // a one-time schedule that already ran
}
