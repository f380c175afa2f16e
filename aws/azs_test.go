package aws

import (
	"slices"
	"testing"
)

func TestEnoughAZs(t *testing.T) {
	a1, a2, b := Subnet{ID: "s1", AZ: "eu-west-1a"}, Subnet{ID: "s2", AZ: "eu-west-1a"}, Subnet{ID: "s3", AZ: "eu-west-1b"}
	for _, c := range []struct {
		subnets []Subnet
		azs     []string
		ok      bool
	}{
		{nil, nil, false},
		{[]Subnet{a1, a2}, []string{"eu-west-1a"}, false},
		{[]Subnet{b, a1, a2}, []string{"eu-west-1a", "eu-west-1b"}, true},
	} {
		azs, ok := EnoughAZs(c.subnets)
		if !slices.Equal(azs, c.azs) || ok != c.ok {
			t.Errorf("EnoughAZs(%v) = %v %v, want %v %v", c.subnets, azs, ok, c.azs, c.ok)
		}
	}
}
