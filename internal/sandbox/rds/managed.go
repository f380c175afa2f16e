package rds

import (
	"github.com/dbaf/dbaf/internal/sandbox/state"
	"github.com/dbaf/dbaf/internal/sandbox/wire"
)

// manage is what a ModifyDBCluster asks of the master password RDS
// manages in Secrets Manager.
type manage struct {
	set, on bool   // ManageMasterUserPassword was sent, and its value
	rotate  bool   // RotateMasterUserPassword
	key     string // MasterUserSecretKmsKeyId
}

// readManage reads the managed-password parameters and checks the
// combinations RDS refuses whatever the cluster.
func readManage(p wire.Params, setPW bool) (manage, *wire.APIError) {
	var m manage
	m.on, m.set = p.Bool("ManageMasterUserPassword")
	m.rotate, _ = p.Bool("RotateMasterUserPassword")
	m.key = p.Get("MasterUserSecretKmsKeyId")
	switch {
	case m.on && setPW:
		return m, wire.Errorf(400, "InvalidParameterCombination", "You can't specify MasterUserPassword with ManageMasterUserPassword: RDS generates the password it manages.")
	case m.key != "" && !m.on:
		return m, wire.Errorf(400, "InvalidParameterCombination", "MasterUserSecretKmsKeyId can be specified only with ManageMasterUserPassword set to true.")
	case m.rotate && (setPW || m.set):
		return m, wire.Errorf(400, "InvalidParameterCombination", "RotateMasterUserPassword can't be combined with MasterUserPassword or ManageMasterUserPassword.")
	}
	return m, nil
}

// manageMasterPassword applies m to cl: start managing the password (a
// generated one, set on the server, kept in a new secret), change the
// secret's key, rotate it, or stop managing it (the secret is deleted;
// the caller then sets the password given). Callers hold s.mu.
func (s *Service) manageMasterPassword(cl *state.Cluster, m manage, setPW bool) *wire.APIError {
	managed := cl.SecretARN != ""
	switch {
	case setPW && managed && !(m.set && !m.on):
		return wire.Errorf(400, "InvalidParameterCombination", "DB cluster %s has its master user password managed by RDS in Secrets Manager (%s): set ManageMasterUserPassword to false together with MasterUserPassword to give it a password of your own.", cl.ID, cl.SecretARN)
	case m.set && !m.on && managed && !setPW:
		return wire.Errorf(400, "InvalidParameterCombination", "Specify MasterUserPassword when you turn off ManageMasterUserPassword for DB cluster %s.", cl.ID)
	case m.rotate && !managed:
		return wire.Errorf(400, "InvalidParameterCombination", "RotateMasterUserPassword applies only to a DB cluster whose master user password RDS manages; DB cluster %s's is not.", cl.ID)
	}
	now := s.st.Clock.Now()
	switch {
	case m.set && !m.on && managed:
		s.st.RemoveMasterSecret(cl)
	case m.on:
		keyID, err := s.secretKey(m.key)
		if err != nil {
			return err
		}
		if managed {
			if sec, ok := s.st.Secrets.Get(cl.SecretARN); ok {
				sec.KeyID = keyID
			}
			return nil
		}
		pw := state.GeneratePassword()
		s.st.AddMasterSecret(cl, s.secretARN(state.MasterSecretName()), s.ClusterARN(cl.ID), keyID, pw, now)
		s.resetPassword(cl, pw)
	case m.rotate:
		pw := state.GeneratePassword()
		s.st.RotateMasterSecret(cl, pw, now)
		s.resetPassword(cl, pw)
	}
	return nil
}

// secretKey resolves the KMS key a managed password's secret is to be
// encrypted with: the one named, else Secrets Manager's default. It must
// be usable. Callers hold s.mu.
func (s *Service) secretKey(ref string) (string, *wire.APIError) {
	if ref == "" {
		ref = state.AliasSecrets
	}
	key, problem := s.st.UsableKey(ref, s.keyARN)
	if problem != "" {
		return "", wire.Errorf(400, "KMSKeyNotAccessibleFault", "%s", problem)
	}
	return key.ID, nil
}
