package passwordform

import (
	"strings"
	"testing"
)

func TestPasswordRules(t *testing.T) {
	pg, my := New("aurora-postgresql", true), New("aurora-mysql", true)
	for _, tc := range []struct {
		m        Model
		pw, want string
	}{
		{pg, "", "ctrl+g"},
		{pg, "short", "8 to 41"},
		{pg, "has space here", "refuses"},
		{pg, "no@at-signs-ok", "refuses"},
		{pg, `quote"inside1`, "refuses"},
		{pg, "slash/inside1", "refuses"},
		{pg, "Correct-Horse-9", ""},
		{pg, strings.Repeat("x", 41), ""},
		{pg, strings.Repeat("x", 42), "8 to 41"}, // PostgreSQL too: RDS's model
		{pg, strings.Repeat("x", 129), "129 characters"},
		{my, strings.Repeat("x", 42), "42 characters"},
		{my, "Correct-Horse-9", ""},
	} {
		err := tc.m.Check(tc.pw)
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%s: checkPassword(%q) = %v, want %q", tc.m.engine, tc.pw, err, tc.want)
		}
		if err != nil && tc.pw != "" && strings.Contains(err.Error(), tc.pw) {
			t.Errorf("the error shows the password: %v", err)
		}
	}
}
