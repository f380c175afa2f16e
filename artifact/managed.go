package artifact

import (
	"context"
	"fmt"
)

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
