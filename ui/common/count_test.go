package common

import "testing"

func TestCount(t *testing.T) {
	for n, want := range map[int]string{0: "0 SQL files", 1: "1 SQL file", 2: "2 SQL files"} {
		if got := Count(n, "SQL file"); got != want {
			t.Errorf("Count(%d) = %q, want %q", n, got, want)
		}
	}
}
