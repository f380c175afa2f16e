package sandbox

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/dbaf/dbaf/internal/sandbox/control"
	"github.com/dbaf/dbaf/internal/sandbox/state"
)

// KMS keys an administrator can disable, so that what dbaf does with a key
// it cannot use is shown and tested. A denial of kms:DescribeKey is a
// fault like any other: kms:DescribeKey=AccessDeniedException.

// ParseKeyState reads a --kms-key-state spec, KEY=STATE: KEY a key's id,
// ARN or alias (e.g. alias/prod-data), STATE Enabled, Disabled or
// PendingDeletion.
func ParseKeyState(spec string) (key, keyState string, err error) {
	key, v, ok := strings.Cut(strings.TrimSpace(spec), "=")
	if !ok || key == "" {
		return "", "", fmt.Errorf("want KEY=STATE, e.g. %s=Disabled", state.AliasProd)
	}
	if keyState, err = state.KeyState(v); err != nil {
		return "", "", err
	}
	// The seed's keys are the same in every account and region.
	if _, found := state.Seed("eu-west-1", 0, 0).FindKey(key); !found {
		return "", "", fmt.Errorf("no KMS key %q in the sandbox account: it has %s, %s and %s", key, state.AliasRDS, state.AliasSecrets, state.AliasProd)
	}
	return key, keyState, nil
}

// SetKeyState enables or disables a KMS key (or schedules its deletion);
// key is its id, ARN or alias. A cluster encrypted with a key that is not
// Enabled cannot be cloned, and a secret it encrypts cannot be read.
func (s *Server) SetKeyState(key, keyState string) error {
	if err := s.keys.SetKeyState(key, keyState); err != nil {
		return err
	}
	s.changed()
	return nil
}

// serveKeys is /_sandbox/kms-keys: GET lists the keys with their states,
// POST {"key": "alias/prod-data", "state": "Disabled"} changes one.
func (s *Server) serveKeys(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		control.WriteJSON(w, http.StatusOK, s.keys.Keys())
	case http.MethodPost:
		var body struct{ Key, State string }
		if err := json.NewDecoder(io.LimitReader(r.Body, 64<<10)).Decode(&body); err != nil {
			control.Error(w, http.StatusBadRequest, `want a JSON body like {"key": "alias/prod-data", "state": "Disabled"}: `+err.Error())
			return
		}
		if err := s.SetKeyState(body.Key, body.State); err != nil {
			control.Error(w, http.StatusBadRequest, err.Error())
			return
		}
		control.WriteJSON(w, http.StatusOK, s.keys.Keys())
	default:
		control.Error(w, http.StatusMethodNotAllowed, "use GET (list) or POST (set a state) on /_sandbox/kms-keys")
	}
}
