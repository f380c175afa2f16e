package dbserver

import "testing"

// TestReserveGivesAnIDItsAddressBack: a cluster made again under its id
// listens where it did, as Aurora's endpoint follows the identifier; other
// ids never get that address while it is taken.
func TestReserveGivesAnIDItsAddressBack(t *testing.T) {
	m := newTestManager(t)
	first, err := m.Reserve("clone-a", Postgres, 0)
	if err != nil {
		t.Fatal(err)
	}
	other, err := m.Reserve("clone-b", Postgres, 0)
	if err != nil {
		t.Fatal(err)
	}
	if other.Host == first.Host {
		t.Fatalf("two ids share %s", first.Host)
	}
	if err := m.Remove("clone-a"); err != nil {
		t.Fatal(err)
	}
	third, err := m.Reserve("clone-c", Postgres, 0)
	if err != nil {
		t.Fatal(err)
	}
	again, err := m.Reserve("clone-a", Postgres, 0)
	if err != nil {
		t.Fatal(err)
	}
	if again != first {
		t.Errorf("clone-a made again listens on %s, before on %s", again, first)
	}
	if third.Host == first.Host || third.Host == other.Host {
		t.Errorf("clone-c got %s, an address another id holds or held", third.Host)
	}
}
