package sandbox

import "github.com/dbaf/dbaf/internal/sandbox/rds"

// ParseQuota reads a --quota spec, NAME=N (e.g. db-clusters=3 or
// clones-per-group=1).
func ParseQuota(spec string) (name string, max int64, err error) { return rds.ParseQuota(spec) }
