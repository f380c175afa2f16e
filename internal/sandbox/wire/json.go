package wire

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"time"
)

// The JSON 1.1 protocol (KMS, Secrets Manager): a POST whose X-Amz-Target
// header names "Prefix.Action" and whose body is the input as a JSON object;
// the output is a JSON object, an error {"__type": CODE, "message": …}.

// JSONContentType is the content type of JSON 1.1 requests and responses.
const JSONContentType = "application/x-amz-json-1.1"

// JSONAction reads the action of a JSON-protocol request from its
// X-Amz-Target header and its body into c.Input. The error is the one AWS
// gives a request it cannot route or read.
func JSONAction(r *http.Request, svc *Service) (action string, input []byte, err *APIError) {
	target := r.Header.Get("X-Amz-Target")
	prefix, action, ok := strings.Cut(target, ".")
	if !ok || prefix != svc.TargetPrefix || action == "" {
		return "", nil, Errorf(400, "UnknownOperationException", "X-Amz-Target %q is not an operation of %s: want %s.ACTION", target, svc.Name, svc.TargetPrefix)
	}
	body, e := io.ReadAll(r.Body)
	if e != nil {
		return action, nil, Errorf(400, "SerializationException", "Cannot read the request body: %v", e)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	return action, body, nil
}

// Decode reads a JSON-protocol call's input into v; a body that is not a
// JSON object of the input's shape is AWS's SerializationException.
func (c *Call) Decode(v any) *APIError {
	if err := json.Unmarshal(c.Input, v); err != nil {
		return Errorf(400, "SerializationException", "Start of structure or map found where not expected, or a member of the wrong type: %v", err)
	}
	return nil
}

// EpochSeconds is a timestamp as the JSON protocols send it: seconds since
// the epoch, with milliseconds.
func EpochSeconds(t time.Time) float64 { return float64(t.UnixMilli()) / 1000 }

func writeJSONResult(w http.ResponseWriter, c *Call) {
	body := []byte("{}")
	if c.Result != nil {
		b, err := json.Marshal(c.Result)
		if err != nil {
			writeJSONError(w, c.Service, c.RequestID, Errorf(500, "InternalFailure", "The sandbox could not encode its answer: %v", err))
			return
		}
		body = b
	}
	h := w.Header()
	h.Set("Content-Type", JSONContentType)
	h.Set("x-amzn-RequestId", c.RequestID)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

func writeJSONError(w http.ResponseWriter, svc *Service, reqID string, e *APIError) {
	key := svc.MessageKey
	if key == "" {
		key = "message"
	}
	body, _ := json.Marshal(map[string]string{"__type": e.Code, key: e.Message})
	h := w.Header()
	h.Set("Content-Type", JSONContentType)
	h.Set("x-amzn-RequestId", reqID)
	w.WriteHeader(e.Status)
	_, _ = w.Write(body)
}
