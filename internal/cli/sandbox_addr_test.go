package cli

import "testing"

func TestSameAddr(t *testing.T) {
	for _, tc := range []struct {
		url, addr string
		same      bool
	}{
		{"http://127.0.0.1:4566", "127.0.0.1:4566", true},
		{"http://127.0.0.1:4566", "localhost:4566", true},
		{"http://127.0.0.1:4566", ":4566", true},
		{"http://127.0.0.1:4566", "127.0.0.1:0", true},
		{"http://127.0.0.1:4566", "127.0.0.1:4567", false},
		{"http://127.0.0.1:4566", "127.0.0.2:4566", false},
		{"http://127.0.0.1:4566", "not an address", false},
	} {
		if got := sameAddr(tc.url, tc.addr); got != tc.same {
			t.Errorf("sameAddr(%q, %q) = %v, want %v", tc.url, tc.addr, got, tc.same)
		}
	}
}
