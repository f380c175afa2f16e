package state

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Key is a KMS key of the account. Encrypted clusters and snapshots name
// theirs by ID; RDS-managed secrets too.
type Key struct {
	ID          string // a UUID, as KMS's
	Description string
	Manager     string // AWS (an AWS-managed key, alias/aws/…) or CUSTOMER
	State       string // one of KeyStates
	Created     time.Time
	Aliases     []string // "alias/…"
}

// The AWS-managed keys' aliases: what RDS and Secrets Manager encrypt with
// when no key is named.
const (
	AliasRDS     = "alias/aws/rds"
	AliasSecrets = "alias/aws/secretsmanager"
	// AliasProd is the customer key the prod VPC's clusters use.
	AliasProd = "alias/prod-data"
)

// KeyStates are the key states the sandbox emulates: a key other than
// Enabled cannot encrypt a clone.
var KeyStates = []string{"Enabled", "Disabled", "PendingDeletion"}

// KeyState returns the canonical spelling of a key state (any case), or
// an error listing them.
func KeyState(s string) (string, error) {
	for _, k := range KeyStates {
		if strings.EqualFold(s, k) {
			return k, nil
		}
	}
	return "", fmt.Errorf("key state %q: want one of %s", s, strings.Join(KeyStates, ", "))
}

// Usable reports whether the key can encrypt and decrypt.
func (k *Key) Usable() bool { return k.State == "Enabled" }

// FindKey finds a key by id, alias name ("alias/…"), key ARN or alias ARN
// (an ARN's region and account are the caller's to check).
func (st *State) FindKey(ref string) (*Key, bool) {
	if i := strings.Index(ref, ":key/"); strings.HasPrefix(ref, "arn:") && i >= 0 {
		ref = ref[i+len(":key/"):]
	} else if i := strings.Index(ref, ":alias/"); strings.HasPrefix(ref, "arn:") && i >= 0 {
		ref = ref[i+1:]
	}
	if !strings.HasPrefix(ref, "alias/") {
		return st.Keys.Get(strings.ToLower(ref))
	}
	for _, k := range st.Keys.All() {
		if slices.Contains(k.Aliases, ref) {
			return k, true
		}
	}
	return nil, false
}

// KeyAlias returns the id of the key an alias names ("" if none).
func (st *State) KeyAlias(alias string) string {
	if k, ok := st.FindKey(alias); ok {
		return k.ID
	}
	return ""
}

// seedUUID is a stable UUID-shaped id from a seed string.
func seedUUID(from string) string {
	h := HexID("x", from)[3:] // 16 hex digits
	h += HexID("x", from+"/2")[3:]
	return h[:8] + "-" + h[8:12] + "-4" + h[13:16] + "-a" + h[17:20] + "-" + h[20:32]
}

func (st *State) seedKeys() {
	for _, k := range []*Key{
		{Description: "Default key that protects my RDS database volumes when no other key is defined", Manager: "AWS", Aliases: []string{AliasRDS}},
		{Description: "Default key that protects my Secrets Manager data when no other key is defined", Manager: "AWS", Aliases: []string{AliasSecrets}},
		{Description: "Production databases (prod VPC)", Manager: "CUSTOMER", Aliases: []string{AliasProd}},
	} {
		k.ID, k.State, k.Created = seedUUID(k.Aliases[0]), "Enabled", seedTime().Add(-500*24*time.Hour)
		st.Keys.Put(k.ID, k)
	}
}

// UsableKey finds the key ref names for encrypting something new; the
// message says why it cannot ("" when it can), naming the key by its ARN
// (arn makes it from an id) and aliases.
func (st *State) UsableKey(ref string, arn func(id string) string) (*Key, string) {
	key, ok := st.FindKey(ref)
	switch {
	case !ok:
		return nil, fmt.Sprintf("The specified KMS key %s does not exist in this account and region.", ref)
	case !key.Usable():
		name := arn(key.ID)
		if len(key.Aliases) > 0 {
			name += " (" + strings.Join(key.Aliases, ", ") + ")"
		}
		return nil, fmt.Sprintf("The KMS key %s is %s: it must be enabled to encrypt with it.", name, key.State)
	}
	return key, ""
}
