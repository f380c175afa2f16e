// Package resources is the emulated account's CloudFormation resource
// provider (cloudformation.Provider): it validates AWS::RDS::DBSubnetGroup,
// AWS::EC2::SecurityGroup, AWS::RDS::DBCluster and AWS::RDS::DBInstance
// resources as RDS and EC2 would, creates them in the account's state
// (package state) and deletes them, final snapshots included.
//
// It works on the account's records directly, under the account's lock,
// and asks the account (Account, which package sandbox implements) only for
// what is not data: ARNs, endpoint addresses and the real database servers
// behind clusters.
//
// Files: provider.go the Provider, props.go reading properties and
// wording errors, network.go subnet and security groups, cluster.go and
// instance.go the RDS resources, lifecycle.go the states after creation
// and deletion.
package resources
