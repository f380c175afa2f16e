package resources

import (
	"sync"
	"time"

	"github.com/dbaf/dbaf/internal/sandbox/cloudformation"
	"github.com/dbaf/dbaf/internal/sandbox/state"
)

// Account is what provisioning needs of the account beyond its data: the
// names and addresses it gives resources, and the real database servers
// behind clusters. The provider calls it holding the state's lock, except
// RemoveDatabase.
type Account interface {
	ClusterARN(id string) string
	InstanceARN(id string) string
	ClusterEndpoint(id string) string
	ReaderEndpoint(id string) string
	InstanceEndpoint(id string) string
	// CopyDatabase reserves an address for cluster id and starts copying
	// the server behind cluster source into it (its data at account time
	// at; zero: its latest), then sets user's password when password is
	// not ""; the channel gives the outcome. It returns nil when source
	// has no server.
	CopyDatabase(source, id string, at time.Time, port int, user, password string) (<-chan error, error)
	// RestoreDatabase is CopyDatabase from a cluster snapshot: the data
	// the snapshot holds. It returns nil when there is none to restore.
	RestoreDatabase(snapshotID, id string, port int, user, password string) (<-chan error, error)
	// SnapshotDatabase copies the data of the server behind a cluster, if
	// any, into a snapshot, as it is now. Called without the lock.
	SnapshotDatabase(clusterID, snapshotID string)
	// KeyARN is the ARN of the KMS key with id.
	KeyARN(id string) string
	// SecretARN is the ARN of a new Secrets Manager secret called name.
	SecretARN(name string) string
	// Quota is the account's limit by ParseQuota's names: db-clusters,
	// db-instances, clones-per-group.
	Quota(name string) int64
	// RemoveDatabase stops the server behind a deleted cluster, if any,
	// and removes its data. It takes a moment, so it is called without
	// the lock.
	RemoveDatabase(clusterID string)
}

// Provider is the account as CloudFormation's resource provider: it
// creates and deletes subnet groups, security groups, DB clusters and DB
// instances in the account's state, validating them as RDS and EC2 do.
type Provider struct {
	mu     sync.Locker // guards st
	st     *state.State
	region string
	acct   Account

	// Realistic orders creation times as on AWS, where a DB instance takes
	// longer than its cluster, even a full copy (the sandbox's --realistic).
	Realistic bool
}

var (
	_ cloudformation.Provider = (*Provider)(nil)
	_ cloudformation.Updater  = (*Provider)(nil)
)

// New is the provider of the account whose data is st, guarded by mu.
func New(mu sync.Locker, st *state.State, region string, acct Account) *Provider {
	return &Provider{mu: mu, st: st, region: region, acct: acct}
}

func (pr *Provider) Schema(typ string) (cloudformation.Schema, bool) {
	props := allowedProps(typ)
	if props == nil {
		return cloudformation.Schema{}, false
	}
	sc := cloudformation.Schema{Properties: props, Attributes: attributes(typ)}
	if typ == "AWS::RDS::DBCluster" {
		sc.DeletionPolicy = "Snapshot" // CloudFormation's default for it
	}
	return sc, true
}

// ValidParameter checks the AWS-specific parameter types that name
// something in the account.
func (pr *Provider) ValidParameter(typ, id string) bool {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	var ok bool
	switch typ {
	case "AWS::EC2::VPC::Id":
		_, ok = pr.st.VPCs.Get(id)
	case "AWS::EC2::Subnet::Id":
		_, ok = pr.st.Subnets.Get(id)
	case "AWS::EC2::SecurityGroup::Id":
		_, ok = pr.st.SGs.Get(id)
	default:
		ok = true
	}
	return ok
}

func (pr *Provider) Create(r cloudformation.Resource, m map[string]any) (*cloudformation.Created, error) {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	prov, err := pr.provision(r, &props{m: m})
	if err != nil {
		return nil, err
	}
	r.PhysicalID = prov.physicalID
	return &cloudformation.Created{PhysicalID: prov.physicalID, Ref: prov.ref, Attrs: prov.attrs,
		Duration: pr.createDuration(r.Type, prov.fullCopy), Ready: prov.ready,
		Done: func(err error) {
			pr.mu.Lock()
			defer pr.mu.Unlock()
			if err != nil {
				pr.failProvisioned(r)
				return
			}
			pr.finishCreate(r)
		}}, nil
}

func (pr *Provider) Delete(r cloudformation.Resource, snapshot bool) (*cloudformation.Deletion, error) {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	note, snapshotID, err := pr.startDelete(r, snapshot)
	if err != nil {
		return nil, err
	}
	return &cloudformation.Deletion{Note: note, Duration: deleteDuration(r.Type), Finish: func() {
		if r.Type == "AWS::RDS::DBCluster" {
			// Not under mu: copying and stopping a server take a moment.
			if snapshotID != "" {
				pr.acct.SnapshotDatabase(r.PhysicalID, snapshotID) // the final snapshot holds the last data
			}
			pr.acct.RemoveDatabase(r.PhysicalID)
		}
		pr.mu.Lock()
		defer pr.mu.Unlock()
		pr.finishDelete(r, snapshotID)
	}}, nil
}

// attributes lists the Fn::GetAtt attributes of each type.
func attributes(t string) []string {
	switch t {
	case "AWS::RDS::DBCluster":
		return []string{"Endpoint.Address", "Endpoint.Port", "ReadEndpoint.Address", "DBClusterArn", "DBClusterResourceId"}
	case "AWS::RDS::DBInstance":
		return []string{"Endpoint.Address", "Endpoint.Port", "Endpoint.HostedZoneId", "DBInstanceArn", "DbiResourceId"}
	case "AWS::EC2::SecurityGroup":
		return []string{"GroupId", "VpcId", "Id"}
	case "AWS::IAM::Role":
		return []string{"Arn", "RoleId"}
	case "AWS::Scheduler::Schedule":
		return []string{"Arn"}
	}
	return nil
}

// Durations at demo pace (Pace 1); a clone takes about 30 s.
// createDuration is how long creating a resource of typ takes at pace 1.
func (pr *Provider) createDuration(typ string, fullCopy bool) time.Duration {
	if pr.Realistic && typ == "AWS::RDS::DBInstance" {
		return realisticInstance
	}
	return createDuration(typ, fullCopy)
}

// realisticInstance is a DB instance's creation under --realistic: the
// longest step of a clone, as on AWS.
const realisticInstance = 30 * time.Second

func createDuration(typ string, fullCopy bool) time.Duration {
	switch typ {
	case "AWS::RDS::DBSubnetGroup":
		return time.Second
	case "AWS::EC2::SecurityGroup":
		return 2 * time.Second
	case "AWS::RDS::DBCluster":
		if fullCopy {
			return 20 * time.Second
		}
		return 12 * time.Second
	case "AWS::RDS::DBInstance":
		return 15 * time.Second
	}
	return time.Second
}

func deleteDuration(typ string) time.Duration {
	switch typ {
	case "AWS::RDS::DBCluster":
		return 6 * time.Second
	case "AWS::RDS::DBInstance":
		return 8 * time.Second
	}
	return time.Second
}
