package aws

import "slices"

// MinAZs is how many availability zones a DB subnet group's subnets must
// span: Aurora refuses fewer.
const MinAZs = 2

// AZs lists the distinct availability zones of subnets, sorted.
func AZs(subnets []Subnet) []string {
	var azs []string
	for _, s := range subnets {
		if !slices.Contains(azs, s.AZ) {
			azs = append(azs, s.AZ)
		}
	}
	slices.Sort(azs)
	return azs
}

// EnoughAZs is the one rule for "two AZs": whether subnets span at least
// MinAZs availability zones, and the zones they span.
func EnoughAZs(subnets []Subnet) (azs []string, ok bool) {
	azs = AZs(subnets)
	return azs, len(azs) >= MinAZs
}
