// Package sandbox is an emulated AWS account on loopback. It speaks the real
// AWS wire protocols (Query for RDS, STS and CloudFormation; EC2's own;
// JSON 1.1 for KMS and Secrets Manager) so
// the real SDK, the AWS CLI and a container given AWS_ENDPOINT_URL all work
// against it unchanged. Requests are routed by the service in their SigV4
// credential scope; signatures are not checked, so any keys work.
//
// Its data is a deterministic seed: two VPCs (prod 10.0.0.0/16, staging
// 10.1.0.0/16) with subnets in three AZs, DB subnet groups (including a
// one-AZ group for error paths), security groups, about 25 DB clusters
// (Aurora PostgreSQL and MySQL, Serverless v2, stopped, and one Multi-AZ DB
// cluster of plain PostgreSQL) and the instance classes orderable for each
// engine version; KMS keys (RDS's and Secrets Manager's AWS-managed ones, a
// customer key for prod) that encrypted clusters name. Options add generated
// clusters and subnets for load tests, and set quotas: db-clusters and
// db-instances (enforced on creation) and clones-per-group (Aurora's limit
// of 15 copy-on-write clones per clone group, past which a clone is a full
// copy in a clone group of its own).
//
// Its CloudFormation runs JSON templates of AWS::RDS::DBSubnetGroup,
// AWS::EC2::SecurityGroup, AWS::RDS::DBCluster and AWS::RDS::DBInstance:
// resources in dependency order with CloudFormation's events, validation as
// RDS and EC2 would do it, rollback, deletion policies and outputs. What it
// creates becomes part of the account. Time is scaled by Options.Pace, and
// failures are injectable (Fault), so every path can be shown and tested.
//
// The code is split by what it emulates: package wire is the wire format,
// package cloudformation the CloudFormation engine behind a small Provider
// interface, package resources that provider (it creates and deletes
// resources in the account's records, and asks this package, through its
// Account interface, only for ARNs, endpoints and database servers),
// package state the account's data, seed and catalog as exported records,
// packages rds, ec2, sts and keystore the other services' actions, package
// control the faults, call counts and control API, and package dbserver
// the real database servers behind clusters (databases.go). This package
// is the account itself: its Server, the lock over its state, the service
// table that routes each call, and the wiring between the others.
//
// Given a state file (Options.StateFile), the account saves itself after
// every change and New serves what a crashed run saved (persist.go); a
// database server that dies stops its cluster until StartDBCluster or the
// next start brings it back.
//
// Beside the AWS APIs, the listener serves a small control API:
// GET /_sandbox/calls (call counts), POST /_sandbox/faults with
// {"spec": "rds:DescribeDBClusters=AccessDenied"} (a denied key is
// "kms:DescribeKey=AccessDeniedException"), DELETE /_sandbox/faults, and
// GET or POST /_sandbox/kms-keys with {"key": "alias/prod-data", "state":
// "Disabled"} to disable or enable a key (SetKeyState).
package sandbox
