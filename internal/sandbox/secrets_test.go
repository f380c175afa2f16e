package sandbox_test

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/dbaf/dbaf/internal/sandbox"
)

// rdsSecretARN is the shape of the ARN of a secret RDS manages.
var rdsSecretARN = regexp.MustCompile(`^arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!cluster-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-[A-Za-z0-9]{6}$`)

// masterSecret reads an RDS-managed secret: its name, username and password.
func masterSecret(t *testing.T, c *clients, id string) (name, user, password string) {
	t.Helper()
	out, err := c.sm.GetSecretValue(ctx(t), &secretsmanager.GetSecretValueInput{SecretId: awssdk.String(id)})
	if err != nil {
		t.Fatalf("GetSecretValue %s: %v", id, err)
	}
	var v struct{ Username, Password string }
	if err := json.Unmarshal([]byte(awssdk.ToString(out.SecretString)), &v); err != nil {
		t.Fatalf("SecretString is not the JSON RDS keeps: %v", err)
	}
	return awssdk.ToString(out.Name), v.Username, v.Password
}

// manage has RDS manage a cluster's master password and returns the
// secret's ARN, once the cluster is available again.
func manage(t *testing.T, c *clients, cluster string) string {
	t.Helper()
	out, err := c.rds.ModifyDBCluster(ctx(t), &rds.ModifyDBClusterInput{DBClusterIdentifier: awssdk.String(cluster),
		ManageMasterUserPassword: awssdk.Bool(true), ApplyImmediately: awssdk.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	ms := out.DBCluster.MasterUserSecret
	if ms == nil || !rdsSecretARN.MatchString(awssdk.ToString(ms.SecretArn)) || awssdk.ToString(ms.SecretStatus) != "creating" {
		t.Fatalf("ModifyDBCluster's MasterUserSecret = %+v, want a new rds!cluster- secret being created", ms)
	}
	key, err := c.kms.DescribeKey(ctx(t), &kms.DescribeKeyInput{KeyId: awssdk.String("alias/aws/secretsmanager")})
	if err != nil {
		t.Fatal(err)
	}
	if awssdk.ToString(ms.KmsKeyId) != awssdk.ToString(key.KeyMetadata.Arn) {
		t.Errorf("secret key %s, want Secrets Manager's default %s", awssdk.ToString(ms.KmsKeyId), awssdk.ToString(key.KeyMetadata.Arn))
	}
	cl := waitAvailable(t, c, cluster)
	if cl.MasterUserSecret == nil || awssdk.ToString(cl.MasterUserSecret.SecretArn) != awssdk.ToString(ms.SecretArn) ||
		awssdk.ToString(cl.MasterUserSecret.SecretStatus) != "active" {
		t.Fatalf("DescribeDBClusters' MasterUserSecret = %+v, want %s active", cl.MasterUserSecret, awssdk.ToString(ms.SecretArn))
	}
	return awssdk.ToString(ms.SecretArn)
}

func TestManagedMasterPasswordLogsIn(t *testing.T) {
	c, _ := startWithDatabases(t, sandbox.Options{})
	stackID, cluster, host, port := cloneStack(t, c, "managed-pw")
	arn := manage(t, c, cluster)

	name, user, password := masterSecret(t, c, arn)
	if user != "postgres" || len(password) != 28 || !strings.HasPrefix(name, "rds!cluster-") || !strings.HasPrefix(arn, "arn:aws:secretsmanager:eu-west-1:123456789012:secret:"+name+"-") {
		t.Errorf("secret %s: name %q, user %q, %d-character password; want rds!cluster-…, postgres and 28", arn, name, user, len(password))
	}
	conn, err := pgLogin(ctx(t), host, port, user, password)
	if err != nil {
		t.Fatalf("log in to the clone with the managed password: %v", err)
	}
	conn.Close(ctx(t))
	if conn, err := pgLogin(ctx(t), host, port, user, c.sb.DBPassword()); err == nil {
		conn.Close(ctx(t))
		t.Error("the clone still takes the source's password")
	}
	// SecretId may be the name or the ARN without its random suffix too.
	for _, id := range []string{name, arn[:len(arn)-7]} {
		if _, _, pw := masterSecret(t, c, id); pw != password {
			t.Errorf("GetSecretValue %s: another password", id)
		}
	}
	d, err := c.sm.DescribeSecret(ctx(t), &secretsmanager.DescribeSecretInput{SecretId: awssdk.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	if awssdk.ToString(d.OwningService) != "rds" || !awssdk.ToBool(d.RotationEnabled) || !slices.ContainsFunc(d.Tags, func(tg smtypes.Tag) bool {
		return awssdk.ToString(tg.Key) == "aws:rds:primaryDBClusterArn" && strings.HasSuffix(awssdk.ToString(tg.Value), ":cluster:"+cluster)
	}) {
		t.Errorf("DescribeSecret = owner %q, rotation %v, tags %+v", awssdk.ToString(d.OwningService), awssdk.ToBool(d.RotationEnabled), d.Tags)
	}

	// A password of one's own needs ManageMasterUserPassword turned off,
	// which deletes the secret.
	_, err = c.rds.ModifyDBCluster(ctx(t), &rds.ModifyDBClusterInput{DBClusterIdentifier: awssdk.String(cluster),
		MasterUserPassword: awssdk.String("own-Passw0rd"), ApplyImmediately: awssdk.Bool(true)})
	if msg, _ := wantAPIError(t, err, "InvalidParameterCombination"); !strings.Contains(msg, "ManageMasterUserPassword to false") {
		t.Errorf("MasterUserPassword on a managed cluster: %q", msg)
	}
	if _, err := c.rds.ModifyDBCluster(ctx(t), &rds.ModifyDBClusterInput{DBClusterIdentifier: awssdk.String(cluster),
		ManageMasterUserPassword: awssdk.Bool(false), MasterUserPassword: awssdk.String("own-Passw0rd"), ApplyImmediately: awssdk.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	if cl := waitAvailable(t, c, cluster); cl.MasterUserSecret != nil {
		t.Errorf("MasterUserSecret %+v after ManageMasterUserPassword false", cl.MasterUserSecret)
	}
	_, err = c.sm.GetSecretValue(ctx(t), &secretsmanager.GetSecretValueInput{SecretId: awssdk.String(arn)})
	wantAPIError(t, err, "ResourceNotFoundException")
	conn, err = pgLogin(ctx(t), host, port, user, "own-Passw0rd")
	if err != nil {
		t.Fatalf("log in with the password of one's own: %v", err)
	}
	conn.Close(ctx(t))

	// Managed again: a new secret, deleted with the cluster.
	arn2 := manage(t, c, cluster)
	if arn2 == arn {
		t.Error("managing again reused the deleted secret's ARN")
	}
	if _, err := c.cfn.DeleteStack(ctx(t), &cloudformation.DeleteStackInput{StackName: awssdk.String(stackID)}); err != nil {
		t.Fatal(err)
	}
	if status, evs := waitStack(t, c, stackID); status != string(cfntypes.StackStatusDeleteComplete) {
		t.Fatalf("delete: %s\n%s", status, dump(evs))
	}
	_, err = c.sm.GetSecretValue(ctx(t), &secretsmanager.GetSecretValueInput{SecretId: awssdk.String(arn2)})
	wantAPIError(t, err, "ResourceNotFoundException")

	// A template's ManageMasterUserPassword: the clone's server takes the
	// generated password before the stack completes.
	tmpl := strings.Replace(cloneTemplate(t, prodArtifact(), "managed-tpl"), `"RestoreType": "copy-on-write",`,
		`"RestoreType": "copy-on-write", "ManageMasterUserPassword": true,`, 1)
	_, cluster, host, port = stackOf(t, c, "managed-tpl", tmpl)
	cl := waitAvailable(t, c, cluster)
	if cl.MasterUserSecret == nil || !rdsSecretARN.MatchString(awssdk.ToString(cl.MasterUserSecret.SecretArn)) {
		t.Fatalf("template clone's MasterUserSecret = %+v", cl.MasterUserSecret)
	}
	_, user, password = masterSecret(t, c, awssdk.ToString(cl.MasterUserSecret.SecretArn))
	conn, err = pgLogin(ctx(t), host, port, user, password)
	if err != nil {
		t.Fatalf("log in to the template's managed clone: %v", err)
	}
	conn.Close(ctx(t))
}

// ModifyDBCluster refuses what RDS refuses, before touching the cluster.
func TestManagedPasswordCombinations(t *testing.T) {
	c := start(t, sandbox.Options{Pace: testPace})
	_, cluster, _, _ := cloneStack(t, c, "combos")
	for _, tc := range []struct {
		in   rds.ModifyDBClusterInput
		says string
	}{
		{rds.ModifyDBClusterInput{ManageMasterUserPassword: awssdk.Bool(true), MasterUserPassword: awssdk.String("x-Passw0rd")}, "RDS generates the password"},
		{rds.ModifyDBClusterInput{MasterUserSecretKmsKeyId: awssdk.String("alias/prod-data")}, "only with ManageMasterUserPassword"},
		{rds.ModifyDBClusterInput{RotateMasterUserPassword: awssdk.Bool(true)}, "whose master user password RDS manages"},
		{rds.ModifyDBClusterInput{ManageMasterUserPassword: awssdk.Bool(true), MasterUserSecretKmsKeyId: awssdk.String("alias/nope")}, "alias/nope does not exist"},
	} {
		in := tc.in
		in.DBClusterIdentifier = awssdk.String(cluster)
		_, err := c.rds.ModifyDBCluster(ctx(t), &in)
		code := "InvalidParameterCombination"
		if strings.Contains(tc.says, "does not exist") {
			code = "KMSKeyNotAccessibleFault"
		}
		if msg, _ := wantAPIError(t, err, code); !strings.Contains(msg, tc.says) {
			t.Errorf("%+v: %q, want %q", tc.in, msg, tc.says)
		}
	}
	out, err := c.rds.DescribeDBClusters(ctx(t), &rds.DescribeDBClustersInput{DBClusterIdentifier: awssdk.String(cluster)})
	if err != nil || out.DBClusters[0].MasterUserSecret != nil || awssdk.ToString(out.DBClusters[0].Status) != "available" {
		t.Errorf("after refused calls: %+v, %v", out.DBClusters, err)
	}

	// Rotation: a new password in the same secret.
	arn := manage(t, c, cluster)
	_, _, before := masterSecret(t, c, arn)
	if _, err := c.rds.ModifyDBCluster(ctx(t), &rds.ModifyDBClusterInput{DBClusterIdentifier: awssdk.String(cluster),
		RotateMasterUserPassword: awssdk.Bool(true), ApplyImmediately: awssdk.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	if _, _, after := masterSecret(t, c, arn); after == before || len(after) != 28 {
		t.Error("RotateMasterUserPassword left the password as it was")
	}
}

// The AWS CLI, with its own JSON protocol code, reads the secret; faults
// work for Secrets Manager as for every service.
func TestAWSCLISecretsManager(t *testing.T) {
	c := start(t, sandbox.Options{Pace: testPace})
	_, cluster, _, _ := cloneStack(t, c, "cli-secret")
	arn := manage(t, c, cluster)
	_, _, password := masterSecret(t, c, arn)

	var got struct{ ARN, Name, SecretString, VersionId string }
	awsCLI(t, c.url, &got, "secretsmanager", "get-secret-value", "--secret-id", arn)
	var v struct{ Username, Password string }
	if err := json.Unmarshal([]byte(got.SecretString), &v); err != nil || got.ARN != arn || v.Username != "postgres" || v.Password != password || got.VersionId == "" {
		t.Errorf("aws secretsmanager get-secret-value: %+v (%v)", got, err)
	}
	var d struct {
		ARN, OwningService string
		RotationEnabled    bool
	}
	awsCLI(t, c.url, &d, "secretsmanager", "describe-secret", "--secret-id", got.Name)
	if d.ARN != arn || d.OwningService != "rds" || !d.RotationEnabled {
		t.Errorf("aws secretsmanager describe-secret: %+v", d)
	}
	var cls struct {
		DBClusters []struct {
			MasterUserSecret struct{ SecretArn, SecretStatus, KmsKeyId string }
		}
	}
	awsCLI(t, c.url, &cls, "rds", "describe-db-clusters", "--db-cluster-identifier", cluster)
	if len(cls.DBClusters) != 1 || cls.DBClusters[0].MasterUserSecret.SecretArn != arn || cls.DBClusters[0].MasterUserSecret.SecretStatus != "active" ||
		!strings.HasPrefix(cls.DBClusters[0].MasterUserSecret.KmsKeyId, "arn:aws:kms:eu-west-1:123456789012:key/") {
		t.Errorf("aws rds describe-db-clusters: %+v", cls)
	}
	_, stderr, err := runAWSCLI(t, c.url, "secretsmanager", "get-secret-value", "--secret-id", "rds!cluster-nope")
	if err == nil || !strings.Contains(stderr, "(ResourceNotFoundException)") || !strings.Contains(stderr, "can't find the specified secret") {
		t.Errorf("unknown secret: %v\n%s", err, stderr)
	}

	f, err := sandbox.ParseFault("secretsmanager:GetSecretValue=AccessDeniedException:1")
	if err != nil {
		t.Fatal(err)
	}
	c.sb.Inject(f)
	_, err = c.sm.GetSecretValue(ctx(t), &secretsmanager.GetSecretValueInput{SecretId: awssdk.String(arn)})
	if msg, status := wantAPIError(t, err, "AccessDeniedException"); status != 403 || !strings.Contains(msg, "secretsmanager:GetSecretValue on resource: "+arn) {
		t.Errorf("denied: HTTP %d %q", status, msg)
	}
	if c.sb.Calls()["secretsmanager:GetSecretValue"] < 3 {
		t.Errorf("calls = %v, want Secrets Manager's counted", c.sb.Calls())
	}
}
