package control

import (
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// Panel holds what the control API shows and changes: the injected faults
// and the call counts. It is safe for concurrent use, with a lock of its
// own so that counting never waits for the account's work.
type Panel struct {
	parse func(spec string) (Fault, error)

	extra map[string]http.Handler // more endpoints under /_sandbox/, added before serving

	mu     sync.Mutex // guards the fields below
	faults []*activeFault
	calls  map[string]int
	first  time.Time // when the first AWS call since New or ResetCalls arrived
}

// activeFault is an injected fault and how many more times it fires
// (-1: until cleared).
type activeFault struct {
	f    Fault
	left int
}

// New makes an empty panel; parse reads the fault specs POSTed to the
// control API.
func New(parse func(spec string) (Fault, error)) *Panel {
	return &Panel{parse: parse, calls: map[string]int{}, extra: map[string]http.Handler{}}
}

// Handle adds an endpoint at path (under /_sandbox/) for state the panel
// does not hold, e.g. the account's KMS keys. Call it before serving.
func (p *Panel) Handle(path string, h http.Handler) { p.extra[path] = h }

// Count counts one AWS call, by "service:Action".
func (p *Panel) Count(key string) {
	now := time.Now()
	p.mu.Lock()
	p.calls[key]++
	if p.first.IsZero() {
		p.first = now
	}
	p.mu.Unlock()
}

// Calls returns a copy of the call counts.
func (p *Panel) Calls() map[string]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make(map[string]int, len(p.calls))
	for k, v := range p.calls {
		out[k] = v
	}
	return out
}

// ResetCalls zeroes the call counts.
func (p *Panel) ResetCalls() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls, p.first = map[string]int{}, time.Time{}
}

// FirstCall is when the first call since New or ResetCalls arrived (zero
// if none has).
func (p *Panel) FirstCall() time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.first
}

// Inject adds a fault; it applies from the next call on. Faults are checked
// in the order injected.
func (p *Panel) Inject(f Fault) {
	f.Service = strings.ToLower(f.Service)
	left := f.Times
	if left <= 0 {
		left = -1
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.faults = append(p.faults, &activeFault{f: f, left: left})
}

// ClearFaults removes every injected fault.
func (p *Panel) ClearFaults() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.faults = nil
}

// TakeFault returns the first error fault for service:action and uses up
// one of its times.
func (p *Panel) TakeFault(svc, act string) (Fault, bool) { return p.take(svc, act, false) }

// TakeBehaviour is TakeFault for behaviour faults (PasswordNotApplied,
// EndpointUnreachable), which change what a call does rather than fail
// it; it returns the code.
func (p *Panel) TakeBehaviour(svc, act string) (string, bool) {
	f, ok := p.take(svc, act, true)
	return f.Code, ok
}

func (p *Panel) take(svc, act string, behaviour bool) (Fault, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, af := range p.faults {
		if af.f.Service != svc || af.f.Action != act || IsBehaviour(af.f.Code) != behaviour {
			continue
		}
		if af.left > 0 {
			af.left--
			if af.left == 0 {
				p.faults = slices.Delete(p.faults, i, i+1)
			}
		}
		return af.f, true
	}
	return Fault{}, false
}

type faultView struct {
	Service string `json:"service"`
	Action  string `json:"action"`
	Code    string `json:"code,omitempty"`
	Message string `json:"message,omitempty"`
	Status  int    `json:"status,omitempty"`
	Times   int    `json:"times,omitempty"`
	Left    int    `json:"left,omitempty"` // calls it still fails; absent = until cleared
}

func faultJSON(f Fault) faultView {
	return faultView{Service: f.Service, Action: f.Action, Code: f.Code, Message: f.Message, Status: f.Status, Times: f.Times}
}

func (p *Panel) activeFaults() []faultView {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := []faultView{}
	for _, af := range p.faults {
		v := faultJSON(af.f)
		if af.left > 0 {
			v.Left = af.left
		}
		out = append(out, v)
	}
	return out
}

// ServeHTTP is the sandbox's own API, beside the AWS ones: call counts
// and fault injection for tests and demos, under /_sandbox/.
func (p *Panel) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/_sandbox/calls":
		switch r.Method {
		case http.MethodGet:
			WriteJSON(w, http.StatusOK, p.Calls())
		case http.MethodDelete:
			p.ResetCalls()
			w.WriteHeader(http.StatusNoContent)
		default:
			Error(w, http.StatusMethodNotAllowed, "use GET (counts) or DELETE (reset) on /_sandbox/calls")
		}
	case "/_sandbox/first-call":
		first := p.FirstCall()
		if first.IsZero() {
			Error(w, http.StatusNotFound, "no AWS call since the sandbox started or its calls were reset")
			return
		}
		WriteJSON(w, http.StatusOK, map[string]string{"time": first.UTC().Format(time.RFC3339Nano)})
	case "/_sandbox/faults":
		switch r.Method {
		case http.MethodGet:
			WriteJSON(w, http.StatusOK, p.activeFaults())
		case http.MethodPost:
			var body struct {
				Spec string `json:"spec"`
			}
			if err := json.NewDecoder(io.LimitReader(r.Body, 64<<10)).Decode(&body); err != nil {
				Error(w, http.StatusBadRequest, `want a JSON body like {"spec": "rds:DescribeDBClusters=AccessDenied"}: `+err.Error())
				return
			}
			f, err := p.parse(body.Spec)
			if err != nil {
				Error(w, http.StatusBadRequest, err.Error())
				return
			}
			p.Inject(f)
			WriteJSON(w, http.StatusCreated, faultJSON(f))
		case http.MethodDelete:
			p.ClearFaults()
			w.WriteHeader(http.StatusNoContent)
		default:
			Error(w, http.StatusMethodNotAllowed, "use GET, POST or DELETE on /_sandbox/faults")
		}
	default:
		if h, ok := p.extra[r.URL.Path]; ok {
			h.ServeHTTP(w, r)
			return
		}
		paths := []string{"/_sandbox/calls", "/_sandbox/first-call", "/_sandbox/faults"}
		for path := range p.extra {
			paths = append(paths, path)
		}
		slices.Sort(paths[3:])
		Error(w, http.StatusNotFound, "the sandbox control API has "+strings.Join(paths, ", "))
	}
}

// WriteJSON answers a control call with v as JSON.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// Error answers a control call with {"error": msg}.
func Error(w http.ResponseWriter, status int, msg string) {
	WriteJSON(w, status, map[string]string{"error": msg})
}
