package rds

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/dbaf/dbaf/internal/sandbox/wire"
)

// The account's limits by the name a --quota flag uses, with AWS's
// default: the RDS quotas DescribeAccountAttributes reports, and Aurora's
// fixed limit of copy-on-write clones in one clone group, past which a
// clone silently becomes a full copy (not reported: AWS has no API for it).
var quotaNames = map[string]struct {
	aws string // the AccountQuotaName; "" for a limit DescribeAccountAttributes does not report
	def int64
}{
	"db-clusters":                 {"DBClusters", 40},
	"db-instances":                {"DBInstances", 40},
	"db-subnet-groups":            {"DBSubnetGroups", 50},
	"manual-cluster-snapshots":    {"ManualClusterSnapshots", 100},
	"db-cluster-parameter-groups": {"DBClusterParameterGroups", 50},
	"clones-per-group":            {"", 15},
}

// reported are the quotas DescribeAccountAttributes reports, in its order:
// those dbaf's clones count against and those it will need next.
var reported = []string{"db-clusters", "db-instances", "db-subnet-groups", "manual-cluster-snapshots", "db-cluster-parameter-groups"}

// ParseQuota reads a --quota spec, NAME=N (e.g. db-clusters=3,
// db-subnet-groups=3 or clones-per-group=1).
func ParseQuota(spec string) (name string, max int64, err error) {
	name, v, ok := strings.Cut(spec, "=")
	if _, known := quotaNames[name]; !ok || !known {
		names := make([]string, 0, len(quotaNames))
		for n := range quotaNames {
			names = append(names, n)
		}
		slices.Sort(names)
		return "", 0, fmt.Errorf("want NAME=N with NAME one of %s", strings.Join(names, ", "))
	}
	max, err = strconv.ParseInt(v, 10, 64)
	if err != nil || max < 0 {
		return "", 0, fmt.Errorf("quota %s: want a whole number from 0 up, not %q", name, v)
	}
	return name, max, nil
}

// Quota is the account's limit for name: the option's, else AWS's default.
func (s *Service) Quota(name string) int64 {
	if v, ok := s.quotas[name]; ok {
		return v
	}
	return quotaNames[name].def
}

// describeAccountAttributes reports the RDS account quotas with what the
// region uses of them, so that a client can check for room before it
// creates anything.
func (s *Service) describeAccountAttributes(c *wire.Call) *wire.APIError {
	s.mu.Lock()
	used := map[string]int{"db-clusters": s.st.Clusters.Len(), "db-instances": s.st.Instances.Len(),
		"db-subnet-groups": s.st.SubnetGroups.Len(), "manual-cluster-snapshots": s.st.ManualSnapshots(),
		"db-cluster-parameter-groups": 0} // the account has only the default ones, which do not count
	s.mu.Unlock()
	x := &c.Out
	x.Open("AccountQuotas")
	for _, name := range reported {
		x.Open("AccountQuota")
		x.Text("AccountQuotaName", quotaNames[name].aws)
		x.Int("Used", used[name])
		x.Text("Max", strconv.FormatInt(s.Quota(name), 10))
		x.Close("AccountQuota")
	}
	x.Close("AccountQuotas")
	return nil
}
