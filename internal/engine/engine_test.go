package engine

import (
	"slices"
	"testing"
)

func TestEngines(t *testing.T) {
	if got := Aurora(); !slices.Contains(got, AuroraPostgreSQL) || !slices.Contains(got, AuroraMySQL) || len(got) != 2 {
		t.Errorf("Aurora() = %v", got)
	}
	for e, want := range map[string]int{AuroraPostgreSQL: 5432, AuroraMySQL: 3306, "postgres": 0} {
		if got := DefaultPort(e); got != want {
			t.Errorf("DefaultPort(%q) = %d, want %d", e, got, want)
		}
	}
	for e, want := range map[string]string{AuroraPostgreSQL: "Aurora PostgreSQL", AuroraMySQL: "Aurora MySQL", "aurora": "Aurora"} {
		if got := DisplayName(e); got != want {
			t.Errorf("DisplayName(%q) = %q, want %q", e, got, want)
		}
	}
}
