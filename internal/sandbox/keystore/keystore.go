// Package keystore is the account's KMS and Secrets Manager, over their
// JSON 1.1 protocol: kms:DescribeKey of the keys encrypted clusters use,
// and secretsmanager:GetSecretValue and DescribeSecret of the master
// passwords RDS manages. The keys and secrets themselves are records in
// package state, which RDS and CloudFormation change too.
package keystore

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/dbaf/dbaf/internal/sandbox/state"
	"github.com/dbaf/dbaf/internal/sandbox/wire"
)

// Store serves KMS and Secrets Manager from the account's state.
type Store struct {
	mu              sync.Locker // guards st
	st              *state.State
	region, account string
}

// New is the store of the account whose data is st, guarded by mu.
func New(mu sync.Locker, st *state.State, region, account string) *Store {
	return &Store{mu: mu, st: st, region: region, account: account}
}

func (k *Store) kmsPrefix() string { return "arn:aws:kms:" + k.region + ":" + k.account + ":" }

// KeyARN is the ARN of the key with id.
func (k *Store) KeyARN(id string) string { return k.kmsPrefix() + "key/" + id }

// SecretARN is the ARN Secrets Manager gives a new secret called name:
// the name and six random characters.
func (k *Store) SecretARN(name string) string {
	return "arn:aws:secretsmanager:" + k.region + ":" + k.account + ":secret:" + name + "-" +
		wire.RandomSuffix(6, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
}

// FindKey finds a key as KMS resolves a KeyId: id, alias, key ARN or alias
// ARN, the ARNs in this account and region only. Callers hold the lock.
func (k *Store) FindKey(ref string) (*state.Key, bool) {
	if strings.HasPrefix(ref, "arn:") && !strings.HasPrefix(ref, k.kmsPrefix()) {
		return nil, false
	}
	return k.st.FindKey(ref)
}

// notFound is KMS's error for a KeyId that names no key.
func (k *Store) notFound(ref string) *wire.APIError {
	switch {
	case strings.HasPrefix(ref, "alias/"):
		return wire.Errorf(400, "NotFoundException", "Alias %s%s is not found.", k.kmsPrefix(), ref)
	case strings.HasPrefix(ref, "arn:"):
		return wire.Errorf(400, "NotFoundException", "Key '%s' does not exist", ref)
	}
	return wire.Errorf(400, "NotFoundException", "Key '%s' does not exist", k.KeyARN(ref))
}

// SetKeyState enables or disables a key (or schedules its deletion), as an
// administrator would in the console; ref is anything FindKey takes.
func (k *Store) SetKeyState(ref, keyState string) error {
	canon, err := state.KeyState(keyState)
	if err != nil {
		return err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	key, ok := k.FindKey(ref)
	if !ok {
		return fmt.Errorf("no KMS key %q in the account: name it by id, ARN or alias, e.g. %s", ref, state.AliasProd)
	}
	key.State = canon
	return nil
}

// KeyView is a key as the control API lists it.
type KeyView struct {
	ID      string   `json:"id"`
	ARN     string   `json:"arn"`
	Aliases []string `json:"aliases"`
	Manager string   `json:"manager"`
	State   string   `json:"state"`
}

// Keys lists the account's keys.
func (k *Store) Keys() []KeyView {
	k.mu.Lock()
	defer k.mu.Unlock()
	var out []KeyView
	for _, key := range k.st.Keys.All() {
		out = append(out, KeyView{ID: key.ID, ARN: k.KeyARN(key.ID), Aliases: key.Aliases, Manager: key.Manager, State: key.State})
	}
	return out
}

// KMSActions are the KMS actions served.
func (k *Store) KMSActions() map[string]wire.Handler {
	return map[string]wire.Handler{"DescribeKey": k.describeKey}
}

// SecretsActions are the Secrets Manager actions served.
func (k *Store) SecretsActions() map[string]wire.Handler {
	return map[string]wire.Handler{"GetSecretValue": k.getSecretValue, "DescribeSecret": k.describeSecret}
}

// Resource is the ARN an access-denied message names for a call: the key
// or secret it asks for when the account has it.
func (k *Store) Resource(c *wire.Call) string {
	var in struct{ KeyId, SecretId string }
	if c.Decode(&in) != nil {
		return "*"
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if in.KeyId != "" {
		if key, ok := k.FindKey(in.KeyId); ok {
			return k.KeyARN(key.ID)
		}
	}
	if in.SecretId != "" {
		if s, ok := k.st.FindSecret(in.SecretId); ok {
			return s.ARN
		}
	}
	switch c.Service.Name {
	case "kms":
		return k.kmsPrefix() + "key/*"
	case "secretsmanager":
		return "arn:aws:secretsmanager:" + k.region + ":" + k.account + ":secret:*"
	}
	return "*"
}

type keyMetadata struct {
	AWSAccountID          string   `json:"AWSAccountId"`
	KeyID                 string   `json:"KeyId"`
	Arn                   string   `json:"Arn"`
	CreationDate          float64  `json:"CreationDate"`
	Enabled               bool     `json:"Enabled"`
	Description           string   `json:"Description"`
	KeyUsage              string   `json:"KeyUsage"`
	KeyState              string   `json:"KeyState"`
	DeletionDate          *float64 `json:"DeletionDate,omitempty"`
	PendingDeletionWindow *int     `json:"PendingDeletionWindowInDays,omitempty"`
	Origin                string   `json:"Origin"`
	KeyManager            string   `json:"KeyManager"`
	CustomerMasterKeySpec string   `json:"CustomerMasterKeySpec"`
	KeySpec               string   `json:"KeySpec"`
	EncryptionAlgorithms  []string `json:"EncryptionAlgorithms"`
	MultiRegion           bool     `json:"MultiRegion"`
}

// describeKey is kms:DescribeKey.
func (k *Store) describeKey(c *wire.Call) *wire.APIError {
	var in struct{ KeyId string }
	if err := c.Decode(&in); err != nil {
		return err
	}
	if in.KeyId == "" {
		return wire.Errorf(400, "ValidationException", "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null")
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	key, ok := k.FindKey(in.KeyId)
	if !ok {
		return k.notFound(in.KeyId)
	}
	m := keyMetadata{AWSAccountID: k.account, KeyID: key.ID, Arn: k.KeyARN(key.ID), CreationDate: wire.EpochSeconds(key.Created),
		Enabled: key.State == "Enabled", Description: key.Description, KeyUsage: "ENCRYPT_DECRYPT", KeyState: key.State,
		Origin: "AWS_KMS", KeyManager: key.Manager, CustomerMasterKeySpec: "SYMMETRIC_DEFAULT", KeySpec: "SYMMETRIC_DEFAULT",
		EncryptionAlgorithms: []string{"SYMMETRIC_DEFAULT"}}
	if key.State == "PendingDeletion" {
		days := 30
		at := wire.EpochSeconds(k.st.Clock.Now().Add(time.Duration(days) * 24 * time.Hour).Truncate(24 * time.Hour))
		m.DeletionDate, m.PendingDeletionWindow = &at, &days
	}
	c.Result = map[string]any{"KeyMetadata": m}
	return nil
}

// secretNotFound is Secrets Manager's error for a SecretId it does not
// know, deleted ones included.
func secretNotFound() *wire.APIError {
	return wire.Errorf(400, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
}

// secretInput is the input of the Secrets Manager actions served.
type secretInput struct{ SecretId, VersionId, VersionStage string }

// withSecret reads a call's input and runs f, under the lock, with the
// secret its SecretId names.
func (k *Store) withSecret(c *wire.Call, f func(in secretInput, s *state.Secret) *wire.APIError) *wire.APIError {
	var in secretInput
	if err := c.Decode(&in); err != nil {
		return err
	}
	if in.SecretId == "" {
		return wire.Errorf(400, "ValidationException", "1 validation error detected: Value null at 'secretId' failed to satisfy constraint: Member must not be null")
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	s, ok := k.st.FindSecret(in.SecretId)
	if !ok {
		return secretNotFound()
	}
	return f(in, s)
}

// getSecretValue is secretsmanager:GetSecretValue: the current version
// only (RDS keeps no other). A secret whose key is not usable cannot be
// decrypted.
func (k *Store) getSecretValue(c *wire.Call) *wire.APIError {
	return k.withSecret(c, func(in secretInput, s *state.Secret) *wire.APIError {
		switch {
		case in.VersionId != "" && in.VersionId != s.VersionID:
			return wire.Errorf(400, "ResourceNotFoundException", "Secrets Manager can't find the specified secret value for VersionId: %s", in.VersionId)
		case in.VersionStage != "" && in.VersionStage != "AWSCURRENT":
			return wire.Errorf(400, "ResourceNotFoundException", "Secrets Manager can't find the specified secret value for staging label: %s", in.VersionStage)
		}
		if key, ok := k.st.Keys.Get(s.KeyID); ok && !key.Usable() {
			return wire.Errorf(400, "DecryptionFailure", "Secrets Manager can't decrypt the protected secret text using the provided KMS key: key %s is %s.", k.KeyARN(key.ID), key.State)
		}
		c.Result = map[string]any{"ARN": s.ARN, "Name": s.Name, "VersionId": s.VersionID, "SecretString": s.Value,
			"VersionStages": []string{"AWSCURRENT"}, "CreatedDate": wire.EpochSeconds(s.Changed)}
		return nil
	})
}

// describeSecret is secretsmanager:DescribeSecret. RDS rotates the secrets
// it manages every 7 days.
func (k *Store) describeSecret(c *wire.Call) *wire.APIError {
	return k.withSecret(c, func(_ secretInput, s *state.Secret) *wire.APIError {
		c.Result = k.secretDescription(s)
		return nil
	})
}

// secretDescription is DescribeSecret's output. Callers hold the lock.
func (k *Store) secretDescription(s *state.Secret) map[string]any {
	tags := make([]map[string]string, len(s.Tags))
	for i, t := range s.Tags {
		tags[i] = map[string]string{"Key": t.Key, "Value": t.Value}
	}
	out := map[string]any{"ARN": s.ARN, "Name": s.Name, "Description": s.Description,
		"RotationEnabled": true, "RotationRules": map[string]any{"AutomaticallyAfterDays": 7},
		"LastChangedDate": wire.EpochSeconds(s.Changed), "LastRotatedDate": wire.EpochSeconds(s.Changed),
		"NextRotationDate": wire.EpochSeconds(s.Changed.Add(7 * 24 * time.Hour).Truncate(24 * time.Hour)),
		"Tags":             tags, "VersionIdsToStages": map[string][]string{s.VersionID: {"AWSCURRENT"}},
		"OwningService": "rds", "CreatedDate": wire.EpochSeconds(s.Created)}
	// Secrets Manager names the key only when it is not its own default.
	if key, ok := k.st.Keys.Get(s.KeyID); ok && key.Manager != "AWS" {
		out["KmsKeyId"] = k.KeyARN(key.ID)
	}
	return out
}
