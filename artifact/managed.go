package artifact

import (
	"context"
	"fmt"
)

// SecretCommand is the AWS CLI command that prints the secret in which RDS
// keeps a clone's master password (a JSON object with "username" and
// "password"): the one place this command line is spelled. The developer
// runs it when they need the password, so it passes through no dbaf output.
// The ARN is single-quoted: RDS names its secrets "rds!cluster-…", and an
// interactive bash would take the "!" for history expansion.
func SecretCommand(region, secretARN string) string {
	return "aws secretsmanager get-secret-value --region " + region + " --secret-id '" + secretARN + "' --query SecretString --output text"
}

// managedPassword reads the master password RDS keeps for the clone, for
// dbaf's own login check alone: it is never emitted, logged or returned
// to the caller. secretARN is the one ModifyDBCluster reported; when it
// reported none, the cluster names it once the change is applied.
func managedPassword(ctx context.Context, s Stacks, clusterID, secretARN string) (password, arn string, err error) {
	if secretARN == "" {
		c, err := s.ClusterSummary(ctx, clusterID)
		if err != nil {
			return "", "", err
		}
		if secretARN = c.MasterUserSecretARN; secretARN == "" {
			return "", "", fmt.Errorf("RDS was asked to manage the master password of %s, but the cluster names no secret for it: "+
				"check it with aws rds describe-db-clusters --db-cluster-identifier %s --query 'DBClusters[0].MasterUserSecret'", clusterID, clusterID)
		}
	}
	pw, err := s.SecretPassword(ctx, secretARN)
	if err != nil {
		return "", "", fmt.Errorf("reading the clone's managed password from %s for the login check (secretsmanager:GetSecretValue): %w", secretARN, err)
	}
	return pw, secretARN, nil
}
