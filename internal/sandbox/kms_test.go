package sandbox_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/dbaf/dbaf/internal/sandbox"
)

func describeKey(t *testing.T, c *clients, id string) *kmstypes.KeyMetadata {
	t.Helper()
	out, err := c.kms.DescribeKey(ctx(t), &kms.DescribeKeyInput{KeyId: awssdk.String(id)})
	if err != nil {
		t.Fatalf("DescribeKey %s: %v", id, err)
	}
	return out.KeyMetadata
}

func clusterKey(t *testing.T, c *clients, id string) (encrypted bool, keyARN string) {
	t.Helper()
	out, err := c.rds.DescribeDBClusters(ctx(t), &rds.DescribeDBClustersInput{DBClusterIdentifier: awssdk.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	return awssdk.ToBool(out.DBClusters[0].StorageEncrypted), awssdk.ToString(out.DBClusters[0].KmsKeyId)
}

// Encrypted clusters name a key of the account's KMS, which describes it
// by id, ARN, alias or alias ARN.
func TestClusterKeysAreTheAccountsKeys(t *testing.T) {
	c := start(t, sandbox.Options{})
	enc, prodKey := clusterKey(t, c, "prod-aurora")
	m := describeKey(t, c, prodKey)
	if !enc || awssdk.ToString(m.Arn) != prodKey || m.KeyManager != kmstypes.KeyManagerTypeCustomer || m.KeyState != kmstypes.KeyStateEnabled ||
		!m.Enabled || awssdk.ToString(m.AWSAccountId) != "123456789012" || m.CreationDate == nil {
		t.Errorf("prod-aurora: encrypted %v with %s = %+v", enc, prodKey, m)
	}
	for _, ref := range []string{awssdk.ToString(m.KeyId), "alias/prod-data", "arn:aws:kms:eu-west-1:123456789012:alias/prod-data"} {
		if got := describeKey(t, c, ref); awssdk.ToString(got.Arn) != prodKey {
			t.Errorf("DescribeKey %s = %s, want %s", ref, awssdk.ToString(got.Arn), prodKey)
		}
	}
	// Staging clusters use RDS's AWS-managed key; two old ones are not encrypted.
	_, stagingKey := clusterKey(t, c, "billing-aurora")
	if m := describeKey(t, c, "alias/aws/rds"); awssdk.ToString(m.Arn) != stagingKey || m.KeyManager != kmstypes.KeyManagerTypeAws {
		t.Errorf("billing-aurora's key %s, aws/rds %+v", stagingKey, m)
	}
	if enc, key := clusterKey(t, c, "geo-pg"); enc || key != "" {
		t.Errorf("geo-pg: encrypted %v, key %q; want neither", enc, key)
	}

	for _, ref := range []string{"alias/nope", "0c0c0c0c-0000-4000-a000-000000000000", "arn:aws:kms:eu-west-1:999999999999:alias/prod-data", "arn:aws:kms:us-east-1:123456789012:" + prodKey[strings.Index(prodKey, "key/"):]} {
		_, err := c.kms.DescribeKey(ctx(t), &kms.DescribeKeyInput{KeyId: awssdk.String(ref)})
		if msg, status := wantAPIError(t, err, "NotFoundException"); status != 400 || !strings.Contains(msg, "not") {
			t.Errorf("DescribeKey %s: HTTP %d %q", ref, status, msg)
		}
	}
}

// A disabled key: DescribeKey says so, and a clone of a cluster encrypted
// with it fails as RDS fails it; enabled again, cloning works.
func TestDisabledKeyFailsTheClone(t *testing.T) {
	c := start(t, sandbox.Options{Pace: testPace})
	postKeys := func(body string) (int, string) {
		resp, err := http.Post(c.url+"/_sandbox/kms-keys", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b bytes.Buffer
		b.ReadFrom(resp.Body)
		return resp.StatusCode, b.String()
	}
	if code, body := postKeys(`{"key": "alias/prod-data", "state": "disabled"}`); code != http.StatusOK || !strings.Contains(body, `"state": "Disabled"`) {
		t.Fatalf("POST /_sandbox/kms-keys: %d %s", code, body)
	}
	if code, body := postKeys(`{"key": "alias/nope", "state": "Disabled"}`); code != http.StatusBadRequest || !strings.Contains(body, "alias/nope") {
		t.Errorf("unknown key: %d %s", code, body)
	}
	if code, body := postKeys(`{"key": "alias/prod-data", "state": "Gone"}`); code != http.StatusBadRequest || !strings.Contains(body, "Enabled, Disabled, PendingDeletion") {
		t.Errorf("unknown state: %d %s", code, body)
	}
	m := describeKey(t, c, "alias/prod-data")
	if m.KeyState != kmstypes.KeyStateDisabled || m.Enabled {
		t.Errorf("disabled key: %s, enabled %v", m.KeyState, m.Enabled)
	}

	id := createStack(t, c, &cloudformation.CreateStackInput{StackName: awssdk.String("disabled-key"),
		TemplateBody: awssdk.String(cloneTemplate(t, prodArtifact(), "disabled-key"))})
	status, evs := waitStack(t, c, id)
	reason := awssdk.ToString(evs[indexOf(t, evs, "Cluster CREATE_FAILED")].ResourceStatusReason)
	if status != "ROLLBACK_COMPLETE" || !strings.Contains(reason, "alias/prod-data") || !strings.Contains(reason, "is Disabled") ||
		!strings.Contains(reason, "Status Code: 400") {
		t.Errorf("%s: %s\n%s", status, reason, dump(evs))
	}

	if err := c.sb.SetKeyState("alias/prod-data", "Enabled"); err != nil {
		t.Fatal(err)
	}
	_, cluster, _, _ := cloneStack(t, c, "enabled-key")
	if _, key := clusterKey(t, c, cluster); key != awssdk.ToString(m.Arn) {
		t.Errorf("the clone's key %s, want its source's %s", key, awssdk.ToString(m.Arn))
	}
}

// A denied DescribeKey names the key, as AWS's message does; the AWS CLI
// reads keys too.
func TestKMSDenialAndAWSCLI(t *testing.T) {
	c := start(t, sandbox.Options{})
	_, prodKey := clusterKey(t, c, "prod-aurora")
	f, err := sandbox.ParseFault("kms:DescribeKey=AccessDeniedException:1")
	if err != nil {
		t.Fatal(err)
	}
	c.sb.Inject(f)
	_, err = c.kms.DescribeKey(ctx(t), &kms.DescribeKeyInput{KeyId: awssdk.String("alias/prod-data")})
	if msg, status := wantAPIError(t, err, "AccessDeniedException"); status != 403 ||
		!strings.Contains(msg, "is not authorized to perform: kms:DescribeKey on resource: "+prodKey) {
		t.Errorf("denied: HTTP %d %q", status, msg)
	}

	var out struct {
		KeyMetadata struct{ KeyId, Arn, KeyState, KeyManager string }
	}
	awsCLI(t, c.url, &out, "kms", "describe-key", "--key-id", "alias/prod-data")
	if out.KeyMetadata.Arn != prodKey || out.KeyMetadata.KeyState != "Enabled" || out.KeyMetadata.KeyManager != "CUSTOMER" {
		t.Errorf("aws kms describe-key: %+v", out)
	}
	if err := c.sb.SetKeyState(out.KeyMetadata.KeyId, "Disabled"); err != nil {
		t.Fatal(err)
	}
	awsCLI(t, c.url, &out, "kms", "describe-key", "--key-id", prodKey)
	if out.KeyMetadata.KeyState != "Disabled" {
		t.Errorf("aws kms describe-key after disabling: %+v", out)
	}
	_, stderr, err := runAWSCLI(t, c.url, "kms", "describe-key", "--key-id", "alias/nope")
	if err == nil || !strings.Contains(stderr, "(NotFoundException)") || !strings.Contains(stderr, "alias/nope is not found") {
		t.Errorf("unknown alias: %v\n%s", err, stderr)
	}

	var keys []struct{ ARN, State string }
	resp, err := http.Get(c.url + "/_sandbox/kms-keys")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&keys); err != nil || len(keys) != 3 {
		t.Fatalf("GET /_sandbox/kms-keys: %+v, %v", keys, err)
	}
	for _, k := range keys {
		if want := map[bool]string{true: "Disabled", false: "Enabled"}[k.ARN == prodKey]; k.State != want {
			t.Errorf("key %s is %s, want %s", k.ARN, k.State, want)
		}
	}
}

func TestParseKeyState(t *testing.T) {
	if key, st, err := sandbox.ParseKeyState("alias/prod-data=disabled"); err != nil || key != "alias/prod-data" || st != "Disabled" {
		t.Errorf("ParseKeyState = %q %q %v", key, st, err)
	}
	for _, bad := range []struct{ spec, says string }{
		{"alias/prod-data", "KEY=STATE"},
		{"alias/prod-data=Off", "Enabled, Disabled, PendingDeletion"},
		{"alias/nope=Disabled", "alias/aws/rds, alias/aws/secretsmanager and alias/prod-data"},
	} {
		if _, _, err := sandbox.ParseKeyState(bad.spec); err == nil || !strings.Contains(err.Error(), bad.says) {
			t.Errorf("ParseKeyState(%q) = %v, want it to say %q", bad.spec, err, bad.says)
		}
	}
}
