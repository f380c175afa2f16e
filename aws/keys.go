package aws

import (
	"context"
	"encoding/json"
	"errors"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// The KMS and Secrets Manager calls: reading the key an encrypted source
// uses, and the password RDS manages for a clone.

type kmsAPI interface {
	DescribeKey(context.Context, *kms.DescribeKeyInput, ...func(*kms.Options)) (*kms.DescribeKeyOutput, error)
}

type secretsAPI interface {
	GetSecretValue(context.Context, *secretsmanager.GetSecretValueInput, ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
}

// KMSKey is the part of a KMS key dbaf checks before cloning a cluster
// encrypted with it.
type KMSKey struct {
	ID      string
	ARN     string
	State   string // Enabled, Disabled, PendingDeletion, …
	Manager string // AWS or CUSTOMER
}

// Usable reports whether a clone can be encrypted with the key.
func (k *KMSKey) Usable() bool { return k.State == "Enabled" }

// KMSKey describes a key by id, ARN or alias, in one call. A caller that
// may not describe it gets an AccessDenied error: it may not use it either.
func (c *Client) KMSKey(ctx context.Context, keyID string) (*KMSKey, error) {
	out, err := c.kms.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: awssdk.String(keyID)})
	if err != nil {
		return nil, Explain(err, "kms:DescribeKey")
	}
	if out.KeyMetadata == nil {
		return nil, &Error{Kind: Other, Op: "kms:DescribeKey", Msg: "kms:DescribeKey returned no key metadata for " + keyID}
	}
	m := out.KeyMetadata
	return &KMSKey{ID: awssdk.ToString(m.KeyId), ARN: awssdk.ToString(m.Arn), State: string(m.KeyState), Manager: string(m.KeyManager)}, nil
}

// ManageMasterPassword has RDS generate the cluster's master password and
// keep it in Secrets Manager, applied now; it returns the secret's ARN ("" if
// RDS did not report it yet: read it from the cluster later).
func (c *Client) ManageMasterPassword(ctx context.Context, clusterID string) (string, error) {
	out, err := c.rdsw.ModifyDBCluster(ctx, &rds.ModifyDBClusterInput{
		DBClusterIdentifier:      awssdk.String(clusterID),
		ManageMasterUserPassword: awssdk.Bool(true),
		ApplyImmediately:         awssdk.Bool(true),
	})
	if err != nil {
		return "", Explain(err, "rds:ModifyDBCluster")
	}
	if out.DBCluster != nil && out.DBCluster.MasterUserSecret != nil {
		return awssdk.ToString(out.DBCluster.MasterUserSecret.SecretArn), nil
	}
	return "", nil
}

// SecretPassword reads the password from an RDS-managed secret (a JSON
// object with "username" and "password"). The value never goes into an
// error message.
func (c *Client) SecretPassword(ctx context.Context, secretARN string) (string, error) {
	out, err := c.secrets.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: awssdk.String(secretARN)})
	if err != nil {
		return "", Explain(err, "secretsmanager:GetSecretValue")
	}
	var v struct {
		Password string `json:"password"`
	}
	if err := json.Unmarshal([]byte(awssdk.ToString(out.SecretString)), &v); err != nil || v.Password == "" {
		return "", &Error{Kind: Other, Op: "secretsmanager:GetSecretValue", Err: errors.New("no password field"),
			Msg: "secret " + secretARN + " holds no JSON object with a \"password\": it is not an RDS-managed master password"}
	}
	return v.Password, nil
}
