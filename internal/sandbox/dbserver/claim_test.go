package dbserver

import (
	"fmt"
	"sync"
	"testing"
)

// Two sandboxes starting at once on one machine must not pick the same
// address: the probe alone lets both see it free before either binds it.
func TestTwoManagersNeverShareAnAddress(t *testing.T) {
	const base, each = "127.79", 20
	managers := make([]*Manager, 2)
	for i := range managers {
		m, err := New(Config{StateDir: t.TempDir(), AddrBase: base})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { m.Close() })
		managers[i] = m
	}
	var (
		mu   sync.Mutex
		seen = map[Endpoint]string{}
		wg   sync.WaitGroup
	)
	for i, m := range managers {
		for j := range each {
			wg.Add(1)
			go func() {
				defer wg.Done()
				id := fmt.Sprintf("m%d-c%d", i, j)
				ep, err := m.Reserve(id, Postgres, 0)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				defer mu.Unlock()
				if other, dup := seen[ep]; dup {
					t.Errorf("%s and %s both got %s", other, id, ep)
				}
				seen[ep] = id
			}()
		}
	}
	wg.Wait()
	if len(seen) != 2*each {
		t.Fatalf("%d distinct endpoints, want %d", len(seen), 2*each)
	}
	// Removing a server gives its address back.
	ep, _ := managers[0].Reserve("m0-c0", Postgres, 0)
	if err := managers[0].Remove("m0-c0"); err != nil {
		t.Fatal(err)
	}
	c, err := claim(ep.Host, ep.Port)
	if err != nil {
		t.Fatalf("%s still claimed after Remove: %v", ep, err)
	}
	c.Close()
}
