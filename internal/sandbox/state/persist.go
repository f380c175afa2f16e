package state

import "encoding/json"

// A table is saved as an object by key, so that a reloaded table finds
// every value under the key it was put with (clusters by lower-cased id,
// secrets by ARN).
func (t *Table[T]) MarshalJSON() ([]byte, error) { return json.Marshal(t.m) }

func (t *Table[T]) UnmarshalJSON(b []byte) error {
	var m map[string]T
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	*t = *newTable[T]()
	for k, v := range m {
		t.Put(k, v)
	}
	return nil
}

// Load reads an account saved as JSON (by encoding/json of a *State): the
// records of a sandbox that crashed, to serve again.
func Load(b []byte) (*State, error) {
	st := newState()
	if err := json.Unmarshal(b, st); err != nil {
		return nil, err
	}
	return st, nil
}
