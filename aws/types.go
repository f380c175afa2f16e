// Package aws owns every call dbaf makes to AWS: loading the SDK config
// (profile, region, endpoint, adaptive retries), discovery (clusters, subnet
// groups, subnets, VPCs, orderable classes, caller identity), and turning AWS
// errors into sentences a user can act on. Callers declare the small
// interfaces they need; *Client satisfies them.
package aws

import "time"

// Cluster is the part of an Aurora DB cluster dbaf cares about.
type Cluster struct {
	ID             string
	ARN            string
	Engine         string // aurora-postgresql or aurora-mysql
	EngineVersion  string
	Status         string
	Port           int32
	MasterUsername string
	SubnetGroup    string
	SecurityGroups []string // VPC security group ids
	Members        []Member
	Serverless     *ServerlessScaling // nil unless Serverless v2 scaling is configured
	Tags           map[string]string
	// CloneGroupID is shared by a cluster and its point-in-time restores,
	// copy-on-write clones and full copies alike (RDS's model); a snapshot
	// restore is in none. It does not tell how a clone was made.
	CloneGroupID string
	Encrypted    bool
	KMSKeyID     string // the key its storage is encrypted with, when Encrypted
	// MasterUserSecretARN is the Secrets Manager secret holding the master
	// password when RDS manages it ("" otherwise).
	MasterUserSecretARN string
	// SecretStatus is that secret's MasterUserSecret.SecretStatus
	// ("creating", then "active"); "" when there is none.
	SecretStatus string
	// PendingPassword: a master password change is accepted but not yet
	// applied (PendingModifiedValues.MasterUserPassword).
	PendingPassword bool
	// The window a point-in-time restore may pick from; zero when unknown.
	EarliestRestorable, LatestRestorable time.Time
}

// ClusterSnapshot is the part of a DB cluster snapshot dbaf cares about.
type ClusterSnapshot struct {
	ID             string
	ClusterID      string // the cluster it was taken from
	Engine         string
	EngineVersion  string
	Status         string // available, creating, …
	Port           int32
	MasterUsername string
}

// Member is one instance of a cluster.
type Member struct {
	InstanceID string
	Writer     bool
	Class      string // filled when known (DescribeDBInstances)
}

// ServerlessScaling is a cluster's Serverless v2 capacity range in ACUs.
type ServerlessScaling struct {
	Min, Max float64
}

// SubnetGroup is a DB subnet group with its subnets.
type SubnetGroup struct {
	Name    string
	VpcID   string
	Subnets []Subnet
}

// Subnet is one VPC subnet.
type Subnet struct {
	ID    string
	VpcID string
	AZ    string
	CIDR  string
	Name  string // the Name tag, if any
}

// VPC is one VPC.
type VPC struct {
	ID   string
	CIDR string
	Name string
}

// Identity is the caller's identity (sts:GetCallerIdentity).
type Identity struct {
	Account string
	ARN     string
	UserID  string
}
