// Package state is the emulated account's data: its VPCs, subnets,
// security groups, DB subnet groups, DB clusters, instances and snapshots
// as plain records in sorted tables, the deterministic seed they start
// from, and the catalog of what the region offers (AZs, engine versions,
// orderable instance classes) with the rules RDS applies to what is asked
// of it (password checks, license models).
//
// The records are exported so that the account's API handlers (package
// sandbox) and its CloudFormation resource provider (package resources)
// read and change the same data. Nothing here locks: the owner of a State
// guards it with one mutex.
package state
