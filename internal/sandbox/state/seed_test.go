package state

import "testing"

func TestAZID(t *testing.T) {
	for az, want := range map[string]string{"eu-west-1a": "euw1-az1", "us-east-2c": "use2-az3", "ap-southeast-2b": "apse2-az2", "eu-central-1a": "euc1-az1"} {
		if got := AZID(az); got != want {
			t.Errorf("azID(%s) = %s, want %s", az, got, want)
		}
	}
}
