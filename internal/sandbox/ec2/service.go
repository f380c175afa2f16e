// Package ec2 is the account's EC2 API over EC2's own query protocol:
// DescribeSubnets, DescribeVpcs, DescribeSecurityGroups and
// DescribeRouteTables of package state's records, with EC2's filters, paging and errors.
package ec2

import (
	"sync"

	"github.com/dbaf/dbaf/internal/sandbox/state"
	"github.com/dbaf/dbaf/internal/sandbox/wire"
)

// Service serves EC2 from the account's records.
type Service struct {
	mu              sync.Locker // guards st
	st              *state.State
	region, account string
}

// New is EC2 for the account whose records are st, guarded by mu.
func New(mu sync.Locker, st *state.State, region, account string) *Service {
	return &Service{mu: mu, st: st, region: region, account: account}
}

// Actions are the EC2 actions served. A nil Service lists the same names.
func (s *Service) Actions() map[string]wire.Handler {
	return map[string]wire.Handler{
		"DescribeSubnets":        s.describeSubnets,
		"DescribeVpcs":           s.describeVpcs,
		"DescribeSecurityGroups": s.describeSecurityGroups,
		"DescribeRouteTables":    s.describeRouteTables,
	}
}
