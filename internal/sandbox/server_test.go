package sandbox_test

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/dbaf/dbaf/internal/sandbox"
)

// Calls signed for another region see what a real account has there:
// nothing. An artifact for us-east-1 must not resolve eu-west-1's cluster
// or subnets.
func TestOtherRegionHasNothing(t *testing.T) {
	home := start(t, sandbox.Options{})
	other := clientsIn(t, home.url, "us-east-1")

	// At home the cluster and subnets are there.
	if _, err := home.rds.DescribeDBClusters(ctx(t), &rds.DescribeDBClustersInput{DBClusterIdentifier: awssdk.String("prod-aurora")}); err != nil {
		t.Fatalf("home region: %v", err)
	}
	homeSubnets, err := home.ec2.DescribeSubnets(ctx(t), &ec2.DescribeSubnetsInput{})
	if err != nil || len(homeSubnets.Subnets) == 0 {
		t.Fatalf("home subnets: %v, %v", homeSubnets, err)
	}

	_, err = other.rds.DescribeDBClusters(ctx(t), &rds.DescribeDBClustersInput{DBClusterIdentifier: awssdk.String("prod-aurora")})
	wantAPIError(t, err, "DBClusterNotFoundFault")
	all, err := other.rds.DescribeDBClusters(ctx(t), &rds.DescribeDBClustersInput{})
	if err != nil || len(all.DBClusters) != 0 {
		t.Errorf("us-east-1 clusters: %d, %v; want none", len(all.DBClusters), err)
	}
	subnets, err := other.ec2.DescribeSubnets(ctx(t), &ec2.DescribeSubnetsInput{})
	if err != nil || len(subnets.Subnets) != 0 {
		t.Errorf("us-east-1 subnets: %v, %v; want none", subnets, err)
	}
	_, err = other.cfn.DescribeStacks(ctx(t), &cloudformation.DescribeStacksInput{StackName: awssdk.String("s1")})
	wantAPIError(t, err, "ValidationError")
	_, err = other.cfn.CreateStack(ctx(t), &cloudformation.CreateStackInput{StackName: awssdk.String("s1"), TemplateBody: awssdk.String("{}")})
	if msg, _ := wantAPIError(t, err, "InvalidParameterValue"); !strings.Contains(msg, "eu-west-1 only") {
		t.Errorf("create in us-east-1: %q", msg)
	}
	// STS is global.
	if _, err := other.sts.GetCallerIdentity(ctx(t), &sts.GetCallerIdentityInput{}); err != nil {
		t.Errorf("sts from us-east-1: %v", err)
	}
}

// post sends a raw query-protocol call, signed only as far as the sandbox
// reads (the credential scope).
func post(t *testing.T, base, service, body string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("POST", base+"/", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=sandbox/20261125/eu-west-1/"+service+"/aws4_request, SignedHeaders=host, Signature=0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

func TestUnknownActionsAreNotCounted(t *testing.T) {
	c := start(t, sandbox.Options{})
	for i := range 50 {
		if resp := post(t, c.url, "rds", url.Values{"Action": {fmt.Sprintf("Bogus%d", i)}}.Encode()); resp.StatusCode != 400 {
			t.Fatalf("unknown action: status %d", resp.StatusCode)
		}
	}
	post(t, c.url, "rds", url.Values{"Action": {"DescribeDBClusters"}, "Version": {"2014-10-31"}}.Encode())
	calls := c.sb.Calls()
	if len(calls) != 1 || calls["rds:DescribeDBClusters"] != 1 {
		t.Errorf("calls = %v, want only rds:DescribeDBClusters once", calls)
	}
}

// A client that promises a body and stalls is cut off by the read timeout
// instead of holding its connection for ever.
func TestStalledRequestBodyTimesOut(t *testing.T) {
	c := start(t, sandbox.Options{ReadTimeout: 200 * time.Millisecond})
	conn, err := net.Dial("tcp", strings.TrimPrefix(c.url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"+
		"Authorization: AWS4-HMAC-SHA256 Credential=sandbox/20261125/eu-west-1/rds/aws4_request, SignedHeaders=host, Signature=0\r\n"+
		"Content-Length: 1000\r\n\r\nAction=Desc")
	// The deadline only keeps the old code from hanging the test.
	conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	_, err = io.ReadAll(bufio.NewReader(conn))
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatal("the server kept a stalled request's connection open")
	}
}

// The JSON 1.1 protocol's own failures: no or a foreign X-Amz-Target, an
// operation not served, a body that is not JSON. None is counted.
func TestRawJSONProtocol(t *testing.T) {
	c := start(t, sandbox.Options{})
	send := func(service, target, body string) (int, map[string]string) {
		req, _ := http.NewRequest("POST", c.url+"/", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=sandbox/20261125/eu-west-1/"+service+"/aws4_request, SignedHeaders=host, Signature=0")
		if target != "" {
			req.Header.Set("X-Amz-Target", target)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]string
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			t.Fatalf("%s %s: the body is not JSON: %v", service, target, err)
		}
		if ct := resp.Header.Get("Content-Type"); ct != "application/x-amz-json-1.1" {
			t.Errorf("%s %s: Content-Type %q", service, target, ct)
		}
		return resp.StatusCode, out
	}
	for _, tc := range []struct {
		service, target, body string
		status                int
		typ, key, says        string
	}{
		{"kms", "", "{}", 400, "UnknownOperationException", "message", "want TrentService.ACTION"},
		{"kms", "secretsmanager.GetSecretValue", "{}", 400, "UnknownOperationException", "message", "want TrentService.ACTION"},
		{"kms", "TrentService.Encrypt", "{}", 400, "UnknownOperationException", "message", "it serves DescribeKey"},
		{"kms", "TrentService.DescribeKey", "{not json", 400, "SerializationException", "message", ""},
		{"kms", "TrentService.DescribeKey", "", 400, "ValidationException", "message", "'keyId'"},
		{"secretsmanager", "secretsmanager.GetSecretValue", `{"SecretId": "nope"}`, 400, "ResourceNotFoundException", "Message", "can't find the specified secret"},
	} {
		status, out := send(tc.service, tc.target, tc.body)
		if status != tc.status || out["__type"] != tc.typ || !strings.Contains(out[tc.key], tc.says) {
			t.Errorf("%s %q %q: HTTP %d %v, want %d %s saying %q under %q", tc.service, tc.target, tc.body, status, out, tc.status, tc.typ, tc.says, tc.key)
		}
	}
	calls := c.sb.Calls()
	if len(calls) != 2 || calls["kms:DescribeKey"] != 2 || calls["secretsmanager:GetSecretValue"] != 1 {
		t.Errorf("calls = %v, want only the served operations", calls)
	}
}
