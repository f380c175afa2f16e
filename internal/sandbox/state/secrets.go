package state

import (
	"crypto/rand"
	"encoding/json"
	"math/big"
	"strings"
	"time"

	"github.com/dbaf/dbaf/internal/sandbox/wire"
)

// Secret is a Secrets Manager secret. The account's are the master
// passwords RDS manages for its clusters (ManageMasterUserPassword); the
// secret is the one place the emulation keeps a password in clear, as
// Secrets Manager does.
type Secret struct {
	ARN, Name   string
	Description string
	KeyID       string // the KMS key that encrypts it
	Value       string // SecretString
	VersionID   string
	Created     time.Time
	Changed     time.Time
	Cluster     string // the cluster whose master password it holds
	Tags        []Tag
}

// FindSecret finds a secret by ARN, partial ARN (without the six random
// characters Secrets Manager appends) or name, as SecretId may give it.
func (st *State) FindSecret(id string) (*Secret, bool) {
	if s, ok := st.Secrets.Get(id); ok {
		return s, true
	}
	for _, s := range st.Secrets.All() {
		if s.Name == id || strings.HasPrefix(id, "arn:") && len(s.ARN) == len(id)+7 && strings.HasPrefix(s.ARN, id+"-") {
			return s, true
		}
	}
	return nil, false
}

// MasterSecretName is the name RDS gives a cluster's master-password
// secret: rds!cluster- and a UUID.
func MasterSecretName() string { return "rds!cluster-" + wire.NewUUID() }

// masterSecretValue is the SecretString RDS keeps a master password in;
// like RDS's, it leaves <, > and & as they are.
func masterSecretValue(user, password string) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(struct {
		Username string `json:"username"`
		Password string `json:"password"`
	}{user, password})
	return strings.TrimSuffix(b.String(), "\n")
}

// AddMasterSecret records the secret RDS makes when it starts managing
// cl's master password, and links it to cl. arn is its ARN (the name
// MasterSecretName gave, with Secrets Manager's suffix), clusterARN cl's.
func (st *State) AddMasterSecret(cl *Cluster, arn, clusterARN, keyID, password string, now time.Time) *Secret {
	name := arn[strings.Index(arn, ":secret:")+len(":secret:") : len(arn)-7]
	s := &Secret{ARN: arn, Name: name, KeyID: keyID, Value: masterSecretValue(cl.MasterUser, password),
		Description: "Secret associated with primary RDS DB cluster: " + clusterARN,
		VersionID:   wire.NewUUID(), Created: now, Changed: now, Cluster: cl.ID,
		Tags: []Tag{{"aws:rds:primaryDBClusterArn", clusterARN}, {"aws:secretsmanager:owningService", "rds"}}}
	st.Secrets.Put(arn, s)
	cl.SecretARN = arn
	return s
}

// RotateMasterSecret puts a new password in cl's secret, as a new version.
func (st *State) RotateMasterSecret(cl *Cluster, password string, now time.Time) {
	if s, ok := st.Secrets.Get(cl.SecretARN); ok {
		s.Value, s.VersionID, s.Changed = masterSecretValue(cl.MasterUser, password), wire.NewUUID(), now
	}
}

// RemoveMasterSecret deletes cl's secret, as RDS does when it stops
// managing the password or the cluster is deleted.
func (st *State) RemoveMasterSecret(cl *Cluster) {
	if cl.SecretARN != "" {
		st.Secrets.Del(cl.SecretARN)
		cl.SecretARN = ""
	}
}

// passwordChars are what RDS puts in the passwords it generates: printable
// ASCII but for '/', '@', '"' and space, which it refuses in a password.
const passwordChars = "!#$%&'()*+,-.0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~"

// GeneratePassword is a master password as RDS generates one: 28
// characters drawn uniformly from passwordChars, with at least one letter
// of each case, a digit and a symbol.
func GeneratePassword() string {
	for {
		b := make([]byte, 28)
		max := big.NewInt(int64(len(passwordChars)))
		for i := range b {
			n, err := rand.Int(rand.Reader, max)
			if err != nil {
				panic("crypto/rand: " + err.Error()) // the kernel's random source never fails on Linux
			}
			b[i] = passwordChars[n.Int64()]
		}
		pw := string(b)
		if strings.ContainsAny(pw, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") && strings.ContainsAny(pw, "abcdefghijklmnopqrstuvwxyz") &&
			strings.ContainsAny(pw, "0123456789") && strings.ContainsAny(pw, "!#$%&'()*+,-.:;<=>?[\\]^_`{|}~") {
			return pw
		}
	}
}
