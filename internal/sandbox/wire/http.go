package wire

import (
	"net/http"
	"strings"
	"time"
)

// Service is one emulated AWS API.
type Service struct {
	Name    string // as in the SigV4 credential scope and IAM actions
	Version string
	XMLNS   string
	EC2     bool // EC2's own protocol rather than Query
	// JSON services speak JSON 1.1 (json.go): the action comes from
	// X-Amz-Target, "TargetPrefix.Action", and errors carry their text
	// under MessageKey ("message" unless the service's model says
	// "Message").
	JSON         bool
	TargetPrefix string
	MessageKey   string
	// Route, when set, reads a REST-JSON request (Scheduler): the action
	// from its method and path, the input from its path and query as a
	// JSON object; its answers and errors are JSON, as JSON services'.
	Route   func(r *http.Request) (action string, input []byte, err *APIError)
	Actions map[string]Handler
}

// Call is one AWS request being served.
type Call struct {
	Service   *Service
	Action    string
	Params    Params // Query and EC2 input
	RequestID string
	Out       XML  // the body inside <ActionResult> (or the EC2 response)
	NoResult  bool // the action has no output shape (DeleteStack)

	Input  []byte // JSON input (JSON services), read with Decode
	Result any    // JSON output (JSON services); nil is {}
}

type Handler func(c *Call) *APIError

// ResponseLatency holds every AWS response back a moment, as the network
// to AWS does. Without it the Go SDK races itself on loopback: it closes
// the request body as soon as response headers arrive, while net/http's
// writer may still be probing that body, and the probe's spurious error
// closes the connection under the response being read ("use of closed
// network connection", aws/aws-sdk-go-v2#2737).
const ResponseLatency = 2 * time.Millisecond

// MaxBody bounds a request body; CloudFormation's own template limit is 51,200 bytes.
const MaxBody = 4 << 20

// CredentialRegion reads the region from the SigV4 credential scope.
func CredentialRegion(r *http.Request) string {
	parts := credentialScope(r)
	if len(parts) < 5 {
		return ""
	}
	return parts[len(parts)-3]
}

// CredentialService reads the service from the SigV4 credential scope,
// "Credential=AKID/20261125/eu-west-1/rds/aws4_request", in the
// Authorization header or a presigned URL. The signature is not checked.
func CredentialService(r *http.Request) string {
	parts := credentialScope(r)
	if len(parts) < 5 {
		return ""
	}
	return parts[len(parts)-2]
}

// credentialScope splits "AKID/20261125/eu-west-1/rds/aws4_request".
func credentialScope(r *http.Request) []string {
	scope := ""
	if auth := r.Header.Get("Authorization"); auth != "" {
		if _, after, ok := strings.Cut(auth, "Credential="); ok {
			scope, _, _ = strings.Cut(after, ",")
		}
	} else {
		scope = r.URL.Query().Get("X-Amz-Credential")
	}
	return strings.Split(strings.TrimSpace(scope), "/")
}

func WriteResult(w http.ResponseWriter, c *Call) {
	time.Sleep(ResponseLatency)
	if c.Service.JSON {
		writeJSONResult(w, c)
		return
	}
	var x XML
	root := c.Action + "Response"
	x.b = append(x.b, `<?xml version="1.0" encoding="UTF-8"?>`...)
	x.b = append(x.b, "\n<"+root+` xmlns="`+c.Service.XMLNS+`">`...)
	if c.Service.EC2 {
		x.Text("requestId", c.RequestID)
		x.b = append(x.b, c.Out.b...)
	} else {
		if !c.NoResult {
			x.Open(c.Action + "Result")
			x.b = append(x.b, c.Out.b...)
			x.Close(c.Action + "Result")
		}
		x.Open("ResponseMetadata")
		x.Text("RequestId", c.RequestID)
		x.Close("ResponseMetadata")
	}
	x.Close(root)
	h := w.Header()
	h.Set("Content-Type", "text/xml;charset=UTF-8")
	if !c.Service.EC2 {
		h.Set("x-amzn-RequestId", c.RequestID)
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(x.b)
}

func WriteError(w http.ResponseWriter, svc *Service, reqID string, e *APIError) {
	time.Sleep(ResponseLatency)
	if svc.JSON {
		writeJSONError(w, svc, reqID, e)
		return
	}
	if !svc.EC2 {
		WriteQueryError(w, reqID, e)
		return
	}
	var x XML
	x.b = append(x.b, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"...)
	x.Open("Response")
	x.Open("Errors")
	x.Open("Error")
	x.Text("Code", e.Code)
	x.Text("Message", e.Message)
	x.Close("Error")
	x.Close("Errors")
	x.Text("RequestID", reqID)
	x.Close("Response")
	w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
	w.WriteHeader(e.Status)
	_, _ = w.Write(x.b)
}

func WriteQueryError(w http.ResponseWriter, reqID string, e *APIError) {
	var x XML
	x.b = append(x.b, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"...)
	x.Open("ErrorResponse")
	x.Open("Error")
	kind := "Sender"
	if e.Status >= 500 {
		kind = "Receiver"
	}
	x.Text("Type", kind)
	x.Text("Code", e.Code)
	x.Text("Message", e.Message)
	x.Close("Error")
	x.Text("RequestId", reqID)
	x.Close("ErrorResponse")
	h := w.Header()
	h.Set("Content-Type", "text/xml;charset=UTF-8")
	h.Set("x-amzn-RequestId", reqID)
	w.WriteHeader(e.Status)
	_, _ = w.Write(x.b)
}
