package sandbox_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
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

func TestParseFault(t *testing.T) {
	good := []struct {
		spec string
		want sandbox.Fault
	}{
		{"rds:DescribeDBClusters=AccessDenied", sandbox.Fault{Service: "rds", Action: "DescribeDBClusters", Code: "AccessDenied"}},
		{"cloudformation:DescribeStackEvents=Throttling:3", sandbox.Fault{Service: "cloudformation", Action: "DescribeStackEvents", Code: "Throttling", Times: 3}},
		{"EC2:DescribeSubnets=InvalidSubnetID.NotFound", sandbox.Fault{Service: "ec2", Action: "DescribeSubnets", Code: "InvalidSubnetID.NotFound"}},
		// Every service's actions come from the service table.
		{"sts:GetCallerIdentity=ExpiredToken", sandbox.Fault{Service: "sts", Action: "GetCallerIdentity", Code: "ExpiredToken"}},
		{"rds:DescribeAccountAttributes=Throttling", sandbox.Fault{Service: "rds", Action: "DescribeAccountAttributes", Code: "Throttling"}},
		{"secretsmanager:DescribeSecret=AccessDeniedException", sandbox.Fault{Service: "secretsmanager", Action: "DescribeSecret", Code: "AccessDeniedException"}},
		{"cloudformation:Resource:Instance=Some reason text: with a colon", sandbox.Fault{Service: "cloudformation", Action: "Resource:Instance", Message: "Some reason text: with a colon"}},
	}
	for _, g := range good {
		f, err := sandbox.ParseFault(g.spec)
		if err != nil || f != g.want {
			t.Errorf("ParseFault(%q) = %+v, %v; want %+v", g.spec, f, err, g.want)
		}
	}
	bad := []struct{ spec, says string }{
		{"rds:DescribeDBClusters", "no '='"},
		{"DescribeDBClusters=AccessDenied", "SERVICE:ACTION"},
		{"s3:GetObject=AccessDenied", `unknown service "s3"`},
		{"rds:DescribeDBCluster=AccessDenied", "DescribeDBClusters"}, // a typo lists the real actions
		{"rds:DescribeDBClusters=", "not an AWS error code"},
		{"rds:DescribeDBClusters=Access Denied", "not an AWS error code"},
		{"rds:DescribeDBClusters=Throttling:0", "positive whole number"},
		{"rds:DescribeDBClusters=Throttling:x", "positive whole number"},
		{"cloudformation:Resource:Instance=", "failure reason"},
		{"cloudformation:Resource:In-stance=x", "logical id"},
		{"rds:Resource:Instance=x", "belong to cloudformation"},
	}
	for _, b := range bad {
		_, err := sandbox.ParseFault(b.spec)
		if err == nil || !strings.Contains(err.Error(), b.says) {
			t.Errorf("ParseFault(%q) = %v, want an error saying %q", b.spec, err, b.says)
		}
	}
}

func TestInjectedFaults(t *testing.T) {
	c := start(t, sandbox.Options{})

	// Times: the next two calls fail, the third succeeds.
	c.sb.Inject(sandbox.Fault{Service: "rds", Action: "DescribeDBClusters", Code: "AccessDenied", Times: 2})
	for i := range 2 {
		_, err := c.rds.DescribeDBClusters(ctx(t), &rds.DescribeDBClustersInput{})
		msg, status := wantAPIError(t, err, "AccessDenied")
		if status != 403 || !strings.Contains(msg, "rds:DescribeDBClusters") || !strings.Contains(msg, "sandbox-developer") {
			t.Errorf("call %d: HTTP %d %q", i+1, status, msg)
		}
	}
	if _, err := c.rds.DescribeDBClusters(ctx(t), &rds.DescribeDBClustersInput{}); err != nil {
		t.Errorf("third call: %v", err)
	}

	// Times 0: every call until cleared; other actions are untouched.
	c.sb.Inject(sandbox.Fault{Service: "ec2", Action: "DescribeSubnets", Code: "UnauthorizedOperation"})
	c.sb.Inject(sandbox.Fault{Service: "cloudformation", Action: "DescribeStackEvents", Code: "Throttling"})
	c.sb.Inject(sandbox.Fault{Service: "sts", Action: "GetCallerIdentity", Code: "ExpiredToken", Message: "custom words", Status: 400})
	for range 3 {
		_, err := c.ec2.DescribeSubnets(ctx(t), &ec2.DescribeSubnetsInput{})
		if msg, status := wantAPIError(t, err, "UnauthorizedOperation"); status != 403 || !strings.Contains(msg, "Encoded authorization failure message") {
			t.Errorf("HTTP %d %q", status, msg)
		}
	}
	if _, err := c.ec2.DescribeVpcs(ctx(t), &ec2.DescribeVpcsInput{}); err != nil {
		t.Errorf("DescribeVpcs hit by a DescribeSubnets fault: %v", err)
	}
	_, err := c.cfn.DescribeStackEvents(ctx(t), &cloudformation.DescribeStackEventsInput{StackName: awssdk.String("any")})
	if msg, status := wantAPIError(t, err, "Throttling"); msg != "Rate exceeded" || status != 400 {
		t.Errorf("throttling: HTTP %d %q", status, msg)
	}
	_, err = c.sts.GetCallerIdentity(ctx(t), &sts.GetCallerIdentityInput{})
	if msg, status := wantAPIError(t, err, "ExpiredToken"); msg != "custom words" || status != 400 {
		t.Errorf("custom fault: HTTP %d %q", status, msg)
	}

	c.sb.ClearFaults()
	if _, err := c.ec2.DescribeSubnets(ctx(t), &ec2.DescribeSubnetsInput{}); err != nil {
		t.Errorf("after ClearFaults: %v", err)
	}

	calls := c.sb.Calls()
	if calls["rds:DescribeDBClusters"] != 3 || calls["ec2:DescribeSubnets"] != 4 || calls["sts:GetCallerIdentity"] != 1 {
		t.Errorf("calls = %v", calls)
	}
	c.sb.ResetCalls()
	if n := len(c.sb.Calls()); n != 0 {
		t.Errorf("%d counts after ResetCalls", n)
	}
}

func TestControlAPI(t *testing.T) {
	c := start(t, sandbox.Options{})
	post := func(body string) (int, string) {
		resp, err := http.Post(c.url+"/_sandbox/faults", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := post(`{"spec": "rds:DescribeDBClusters=Throttling:1"}`); code != http.StatusCreated {
		t.Fatalf("POST good spec: %d %s", code, body)
	}
	if code, body := post(`{"spec": "rds:DescribeDBClusters"}`); code != http.StatusBadRequest || !strings.Contains(body, "no '='") {
		t.Errorf("POST bad spec: %d %s", code, body)
	}
	if code, body := post(`not json`); code != http.StatusBadRequest || !strings.Contains(body, "spec") {
		t.Errorf("POST bad JSON: %d %s", code, body)
	}

	_, err := c.rds.DescribeDBClusters(ctx(t), &rds.DescribeDBClustersInput{})
	wantAPIError(t, err, "Throttling")
	if _, err := c.rds.DescribeDBClusters(ctx(t), &rds.DescribeDBClustersInput{}); err != nil {
		t.Errorf("a Times=1 fault fired twice: %v", err)
	}

	post(`{"spec": "ec2:DescribeVpcs=AccessDenied"}`)
	req, _ := http.NewRequest(http.MethodDelete, c.url+"/_sandbox/faults", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode/100 != 2 {
		t.Fatalf("DELETE faults: %v %v", resp, err)
	}
	resp.Body.Close()
	if _, err := c.ec2.DescribeVpcs(ctx(t), &ec2.DescribeVpcsInput{}); err != nil {
		t.Errorf("after DELETE /_sandbox/faults: %v", err)
	}

	resp, err = http.Get(c.url + "/_sandbox/calls")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var calls map[string]int
	if err := json.NewDecoder(resp.Body).Decode(&calls); err != nil {
		t.Fatal(err)
	}
	if calls["rds:DescribeDBClusters"] != 2 || calls["ec2:DescribeVpcs"] != 1 {
		t.Errorf("GET /_sandbox/calls = %v", calls)
	}

	// first-call: when the first AWS call since the reset arrived.
	firstCall := func() (int, string) {
		resp, err := http.Get(c.url + "/_sandbox/first-call")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body struct{ Time string }
		json.NewDecoder(resp.Body).Decode(&body)
		return resp.StatusCode, body.Time
	}
	if code, at := firstCall(); code != http.StatusOK || at == "" {
		t.Errorf("GET /_sandbox/first-call after calls = %d %q", code, at)
	}
	req, _ = http.NewRequest(http.MethodDelete, c.url+"/_sandbox/calls", nil)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
	}
	if code, _ := firstCall(); code != http.StatusNotFound {
		t.Errorf("GET /_sandbox/first-call after a reset = %d, want 404", code)
	}
	before := time.Now()
	if _, err := c.ec2.DescribeVpcs(ctx(t), &ec2.DescribeVpcsInput{}); err != nil {
		t.Fatal(err)
	}
	code, at := firstCall()
	got, err := time.Parse(time.RFC3339Nano, at)
	if code != http.StatusOK || err != nil || got.Before(before) || got.After(time.Now()) {
		t.Errorf("first-call = %d %q (%v), want a time after %s", code, at, err, before)
	}
}

// TestRawProtocol covers what the SDKs never send: unknown actions and
// services, unsigned requests; through Handler, as httptest would use it.
func TestRawProtocol(t *testing.T) {
	sb := sandbox.New(sandbox.Options{})
	defer sb.Close()
	ts := httptest.NewServer(sb.Handler())
	defer ts.Close()
	send := func(svc string, form url.Values) (int, string) {
		req, _ := http.NewRequest(http.MethodPost, ts.URL+"/", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if svc != "" {
			req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=sandbox/20261125/eu-west-1/"+svc+"/aws4_request, SignedHeaders=host, Signature=00")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for _, tc := range []struct {
		svc    string
		form   url.Values
		status int
		says   []string
	}{
		{"rds", url.Values{"Action": {"DescribeDBClusters"}, "Version": {"2014-10-31"}, "Filters.Filter.1.Name": {"engine"}, "Filters.Filter.1.Values.Value.1": {"aurora-mysql"}},
			200, []string{"<DescribeDBClustersResponse", "<DescribeDBClustersResult>", "<DBCluster>", "orders-mysql", "<RequestId>"}},
		{"rds", url.Values{"Action": {"DescribeDBClusters"}, "Filters.member.1.Name": {"engine"}, "Filters.member.1.Values.member.1": {"postgres"}},
			200, []string{"legacy-multiaz"}},
		{"ec2", url.Values{"Action": {"DescribeSubnets"}, "Filter.1.Name": {"vpc-id"}, "Filter.1.Value.1": {"vpc-0a1b2c3d4e5f60001"}, "SubnetId.1": {"subnet-0a1b2c3d4e5f61001"}},
			200, []string{`<DescribeSubnetsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>`, "<subnetSet><item>", "<tagSet><item>"}},
		{"ec2", url.Values{"Action": {"DescribeSubnets"}, "SubnetId.1": {"subnet-0000000000000dead"}},
			400, []string{"<Response><Errors><Error><Code>InvalidSubnetID.NotFound</Code>", "<RequestID>"}},
		{"rds", url.Values{"Action": {"DescribeDBClusterz"}}, 400, []string{"<ErrorResponse>", "<Type>Sender</Type>", "<Code>InvalidAction</Code>"}},
		{"rds", url.Values{}, 400, []string{"MissingAction"}},
		{"s3", url.Values{"Action": {"ListBuckets"}}, 400, []string{"<Code>InvalidAction</Code>", "rds, ec2, sts, cloudformation, kms, secretsmanager and scheduler"}},
		{"", url.Values{"Action": {"DescribeDBClusters"}}, 403, []string{"MissingAuthenticationToken"}},
	} {
		status, body := send(tc.svc, tc.form)
		if status != tc.status {
			t.Errorf("%s %v: HTTP %d, want %d\n%s", tc.svc, tc.form, status, tc.status, body)
		}
		for _, s := range tc.says {
			if !strings.Contains(body, s) {
				t.Errorf("%s %v: body lacks %q:\n%.600s", tc.svc, tc.form, s, body)
			}
		}
	}
}

func TestCloseIsIdempotent(t *testing.T) {
	sb := sandbox.New(sandbox.Options{})
	url, err := sb.Start("127.0.0.1:0")
	if err != nil || sb.URL() != url || !strings.HasPrefix(url, "http://127.0.0.1:") {
		t.Fatalf("Start = %q, %v; URL() = %q", url, err, sb.URL())
	}
	if _, err := sb.Start("127.0.0.1:0"); err == nil {
		t.Error("a second Start succeeded")
	}
	env := strings.Join(sb.Env(), "\n")
	for _, want := range []string{"AWS_ENDPOINT_URL=" + url, "AWS_REGION=eu-west-1", "AWS_ACCESS_KEY_ID=sandbox", "AWS_SECRET_ACCESS_KEY=sandbox"} {
		if !strings.Contains(env, want) {
			t.Errorf("Env lacks %s:\n%s", want, env)
		}
	}
	if last := sb.Env()[len(sb.Env())-1]; last != "AWS_DEFAULT_REGION=eu-west-1" {
		t.Errorf("last Env line %q: AWS_DEFAULT_REGION comes last, as dbaf sandbox serve's readers expect", last)
	}
	sb.Close()
	sb.Close()
	if _, err := http.Get(url + "/_sandbox/calls"); err == nil {
		t.Error("still serving after Close")
	}
}
