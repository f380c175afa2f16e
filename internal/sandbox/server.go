package sandbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/dbaf/dbaf/internal/clock"
	"github.com/dbaf/dbaf/internal/sandbox/cloudformation"
	"github.com/dbaf/dbaf/internal/sandbox/control"
	"github.com/dbaf/dbaf/internal/sandbox/dbserver"
	"github.com/dbaf/dbaf/internal/sandbox/ec2"
	"github.com/dbaf/dbaf/internal/sandbox/keystore"
	"github.com/dbaf/dbaf/internal/sandbox/rds"
	"github.com/dbaf/dbaf/internal/sandbox/resources"
	"github.com/dbaf/dbaf/internal/sandbox/state"
	"github.com/dbaf/dbaf/internal/sandbox/sts"
	"github.com/dbaf/dbaf/internal/sandbox/wire"
)

// Options shape the emulated account. The zero value is the standard seed
// in eu-west-1 at demo pace.
type Options struct {
	Region        string  // default "eu-west-1"
	AccountID     string  // default "123456789012"
	Pace          float64 // CloudFormation time factor: 1 = demo pace (a clone takes ~30 s), 0.05 = test pace (< 2 s); 0 means 1
	ExtraClusters int     // add this many generated Aurora clusters (load tests, e.g. 1000 or 5000)
	// Realistic makes status changes lag the call as on AWS: after a
	// password change in ModifyDBCluster the cluster still reads
	// "available" (the password pending) for a few seconds (at Pace)
	// before "resetting-master-credentials".
	Realistic    bool
	ExtraSubnets int // add this many generated subnets to the staging VPC (e.g. 5000 or 20000)

	// Real database servers behind the clusters (databases.go); nil means
	// metadata only. DBSources limits them to those seeded clusters.
	Databases *dbserver.Config
	DBSources []string
	// ReadTimeout bounds reading a request, body included; 0 = 30 s.
	ReadTimeout time.Duration
	// Quotas sets the account's RDS quotas by ParseQuota's names
	// ("db-clusters", "db-instances"); unset ones are AWS's defaults (40).
	Quotas map[string]int64
	// StateFile, when set, is where the account saves itself after every
	// change (persist.go); New serves what it holds, if anything, instead
	// of the seed: the account a crash ended. Close removes it.
	StateFile string
	// Log receives what goes wrong in the background (saving, database
	// servers); nil means Databases.Log, else nowhere.
	Log io.Writer
}

// Server is one emulated AWS account. It is safe for concurrent use; its
// CloudFormation work runs on goroutines that Close stops.
type Server struct {
	region, account string
	readTimeout     time.Duration
	pace            float64
	services        map[string]*wire.Service
	handler         http.Handler

	// ctx ends the background work (stack operations, status changes) when
	// the server closes; wg waits for it.
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu sync.Mutex // guards st and everything reachable from it
	st *state.State

	save *saver     // nil: the account is not saved
	dbs  *databases // nil: clusters are metadata only
	rds  *rds.Service
	ec2  *ec2.Service
	sts  *sts.Service
	cfn  *cloudformation.Engine
	keys *keystore.Store // KMS and Secrets Manager
	log  io.Writer       // what the account reports, e.g. a schedule that ran

	ctl *control.Panel // faults and call counts, apart from mu so that counting never waits for a big Describe

	lifecycle sync.Mutex // guards the fields below
	hs        *http.Server
	url       string
	closed    bool
}

// New builds the account from its deterministic seed. It does not listen:
// call Start, or mount Handler yourself.
func New(o Options) *Server {
	if o.Region == "" {
		o.Region = "eu-west-1"
	}
	if o.AccountID == "" {
		o.AccountID = "123456789012"
	}
	if o.Pace <= 0 {
		o.Pace = 1
	}
	if o.ReadTimeout <= 0 {
		o.ReadTimeout = 30 * time.Second
	}
	s := &Server{region: o.Region, account: o.AccountID, pace: o.Pace, readTimeout: o.ReadTimeout}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	if o.Log == nil && o.Databases != nil {
		o.Log = o.Databases.Log
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	s.log = o.Log
	var resumed *saved
	if o.StateFile != "" {
		s.save = &saver{path: o.StateFile, log: o.Log, kick: make(chan struct{}, 1)}
		resumed = loadSaved(o.StateFile, s.region, s.account, o.Log)
	}
	if resumed != nil {
		s.st = resumed.st
		settle(s.st)
	} else {
		s.st = state.Seed(o.Region, o.ExtraClusters, o.ExtraSubnets)
	}
	s.keys = keystore.New(&s.mu, s.st, s.region, s.account)
	s.ctl = control.New(ParseFault)
	if o.Databases != nil {
		var servers map[string]dbserver.Endpoint
		if resumed != nil {
			servers = resumed.Servers
			if servers == nil {
				servers = map[string]dbserver.Endpoint{}
			}
		}
		s.startDatabases(o, servers)
	}
	s.rds = rds.New(s.ctx, &s.mu, s.st, rds.Config{Region: s.region, Account: s.account, Quotas: maps.Clone(o.Quotas),
		KeyARN: s.keys.KeyARN, SecretARN: s.keys.SecretARN, DBHost: s.dbHost, ApplyPassword: s.applyPassword, StartServer: s.startServer,
		TakeBehaviour: s.ctl.TakeBehaviour, Sleep: s.sleep, Go: s.goBackground,
		SnapshotData: s.snapshotData, RemoveSnapshotData: s.removeSnapshotData, Realistic: o.Realistic})
	s.ec2 = ec2.New(&s.mu, s.st, s.region, s.account)
	s.sts = sts.New(s.account)
	res := resources.New(&s.mu, s.st, s.region, account{s})
	res.Realistic = o.Realistic
	s.cfn = cloudformation.New(s.ctx, res, cloudformation.Config{Region: s.region, Account: s.account, AZs: state.AZs(s.region),
		Sleep: s.sleep, Go: s.goBackground, ResourceFault: s.resourceFault, Changed: s.changed, Now: s.st.Clock.Now})
	if resumed != nil {
		if err := s.cfn.Restore(resumed.Stacks); err != nil {
			fmt.Fprintf(o.Log, "dbaf sandbox: the saved stacks cannot be served again: %v\n", err)
		}
		fmt.Fprintf(o.Log, "dbaf sandbox: serving again the account saved in %s (%d clusters, %d stacks)\n", o.StateFile, s.st.Clusters.Len(), len(resumed.Stacks))
	}
	if s.save != nil {
		s.saveNow()
		s.goBackground(s.saveLoop)
	}
	s.goBackground(s.scheduleLoop)
	s.services = serviceTable(s.rds, s.ec2, s.sts, s.cfn, s.keys, &schedulerAPI{mu: &s.mu, st: s.st})
	mux := http.NewServeMux()
	s.ctl.Handle("/_sandbox/kms-keys", http.HandlerFunc(s.serveKeys))
	s.ctl.Handle("/_sandbox/clock", http.HandlerFunc(s.serveClock))
	mux.Handle("/_sandbox/", s.ctl)
	mux.HandleFunc("/", s.serveAWS)
	s.handler = mux
	return s
}

// Start listens on addr (e.g. "127.0.0.1:0"), serves in the background and
// returns the base URL to give the SDK, e.g. "http://127.0.0.1:4566".
func (s *Server) Start(addr string) (string, error) {
	s.lifecycle.Lock()
	defer s.lifecycle.Unlock()
	if s.closed {
		return "", errors.New("sandbox: Start after Close")
	}
	if s.hs != nil {
		return "", fmt.Errorf("sandbox: already serving at %s", s.url)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", err
	}
	// A client that sends headers or a body and then stalls must not hold a
	// connection (and a goroutine) for ever.
	s.hs = &http.Server{Handler: s.handler, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: s.readTimeout, IdleTimeout: 2 * time.Minute}
	s.url = "http://" + ln.Addr().String()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		_ = s.hs.Serve(ln) // returns http.ErrServerClosed on Close
	}()
	return s.url, nil
}

// URL is the base URL Start returned ("" before Start).
func (s *Server) URL() string {
	s.lifecycle.Lock()
	defer s.lifecycle.Unlock()
	return s.url
}

// Close stops serving and stops all background work, waiting for it. It is
// idempotent. Stacks still in progress stay as they are.
func (s *Server) Close() {
	s.lifecycle.Lock()
	if s.closed {
		s.lifecycle.Unlock()
		return
	}
	s.closed = true
	hs := s.hs
	s.lifecycle.Unlock()

	s.cancel()
	if hs != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		if hs.Shutdown(ctx) != nil {
			_ = hs.Close()
		}
		cancel()
	}
	s.wg.Wait()
	s.closeDatabases()
	s.forget()
}

// Env is the environment that points the AWS SDKs and CLI at this account:
// endpoint, region and fixed dummy keys. AWS_DEFAULT_REGION is for AWS CLI
// v1, which ignores AWS_REGION; it comes last, so that a reader of
// `dbaf sandbox serve` output knows when it has every line.
func (s *Server) Env() []string {
	var env []string
	if ca := s.DBCAFile(); ca != "" {
		env = append(env, "DBAF_CA_BUNDLE="+ca)
	}
	return append(env,
		"AWS_ENDPOINT_URL="+s.URL(),
		"AWS_REGION="+s.region,
		"AWS_ACCESS_KEY_ID=sandbox",
		"AWS_SECRET_ACCESS_KEY=sandbox",
		"AWS_DEFAULT_REGION="+s.region, // last: readers of serve's output stop at it
	)
}

// Handler serves the AWS APIs and the control API, for use with httptest
// or a server of the caller's own.
func (s *Server) Handler() http.Handler { return s.handler }

// Calls counts the AWS calls served since New or ResetCalls, by
// "service:Action" (e.g. "rds:DescribeDBClusters"), failed ones included.
func (s *Server) Calls() map[string]int { return s.ctl.Calls() }

// ResetCalls zeroes the call counts.
func (s *Server) ResetCalls() { s.ctl.ResetCalls() }

// sleep waits d scaled by the pace; false means ctx ended first.
func (s *Server) sleep(ctx context.Context, d time.Duration) bool {
	return clock.Sleep(ctx, time.Duration(float64(d)*s.pace)) == nil
}

// goBackground runs f on a goroutine that Close waits for. It refuses once
// the server is closing, so nothing starts after the final Wait.
func (s *Server) goBackground(f func()) bool {
	s.lifecycle.Lock()
	defer s.lifecycle.Unlock()
	if s.closed {
		return false
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		f()
		s.changed() // background work changes the account (a status, a server)
	}()
	return true
}

func (s *Server) serveAWS(w http.ResponseWriter, r *http.Request) {
	reqID := wire.NewUUID()
	svcName := wire.CredentialService(r)
	svc := s.services[svcName]
	if svc == nil {
		msg := "The sandbox emulates " + emulated
		if svcName == "" {
			wire.WriteQueryError(w, reqID, wire.Errorf(403, "MissingAuthenticationToken",
				"Request is missing Authentication Token: sign it with SigV4 (any key works; the sandbox's are in `dbaf sandbox serve` output)"))
			return
		}
		wire.WriteQueryError(w, reqID, wire.Errorf(400, "InvalidAction", "%s, not %q.", msg, svcName))
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, wire.MaxBody)
	c, err := readCall(r, svc, reqID)
	if err != nil {
		wire.WriteError(w, svc, reqID, err)
		return
	}
	act := svc.Actions[c.Action]
	if act == nil && svc.JSON {
		wire.WriteError(w, svc, reqID, wire.Errorf(400, "UnknownOperationException", "The sandbox's %s has no operation %s; it serves %s", svc.Name, c.Action, strings.Join(knownActions(svc.Name), ", ")))
		return
	}
	if act == nil {
		wire.WriteError(w, svc, reqID, wire.Errorf(400, "InvalidAction", "Could not find operation %s for version %s", c.Action, svc.Version))
		return
	}
	// Only known actions are counted: made-up names must not grow the map.
	s.ctl.Count(svc.Name + ":" + c.Action)
	if region := wire.CredentialRegion(r); region != "" && region != s.region && svc.Name != "sts" {
		if err := otherRegion(c, region, s.region); err != nil {
			wire.WriteError(w, svc, reqID, err)
			return
		}
		wire.WriteResult(w, c)
		return
	}
	if f, ok := s.ctl.TakeFault(svc.Name, c.Action); ok {
		wire.WriteError(w, svc, reqID, s.faultError(f, c))
		return
	}
	if err := act(c); err != nil {
		wire.WriteError(w, svc, reqID, err)
		return
	}
	if !readOnly(c.Action) {
		s.saveNow() // saved before it is answered: a crash now loses nothing the caller saw
	}
	wire.WriteResult(w, c)
}

// readCall reads the action and input of a request in its service's
// protocol: a form (Query, EC2) or X-Amz-Target and a JSON body.
func readCall(r *http.Request, svc *wire.Service, reqID string) (*wire.Call, *wire.APIError) {
	if svc.Route != nil {
		action, input, err := svc.Route(r)
		if err != nil {
			return nil, err
		}
		return &wire.Call{Service: svc, RequestID: reqID, Action: action, Input: input}, nil
	}
	if svc.JSON {
		action, input, err := wire.JSONAction(r, svc)
		if err != nil {
			return nil, err
		}
		return &wire.Call{Service: svc, RequestID: reqID, Action: action, Input: input}, nil
	}
	if err := r.ParseForm(); err != nil {
		return nil, wire.Errorf(400, "MalformedQueryString", "Cannot read the request: %v", err)
	}
	c := &wire.Call{Service: svc, Params: wire.Params(r.Form), RequestID: reqID, Action: r.Form.Get("Action")}
	if c.Action == "" {
		return nil, wire.Errorf(400, "MissingAction", "Missing required parameter Action")
	}
	return c, nil
}

// FirstCall is when the first AWS call since New or ResetCalls arrived
// (zero if none has): how fast a client starts talking, e.g. a container.
func (s *Server) FirstCall() time.Time { return s.ctl.FirstCall() }

// otherRegion answers a call signed for a region the account has nothing
// in, as AWS would: a named resource is not found, a listing is empty, and
// a change is refused (the sandbox emulates one region).
func otherRegion(c *wire.Call, region, home string) *wire.APIError {
	switch {
	case c.Service.Name == "kms":
		return wire.Errorf(400, "NotFoundException", "The sandbox account has no KMS keys in %s: its keys are in %s.", region, home)
	case c.Service.Name == "secretsmanager":
		return wire.Errorf(400, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
	case c.Params.Get("DBClusterIdentifier") != "" && strings.HasPrefix(c.Action, "Describe"):
		return wire.Errorf(404, "DBClusterNotFoundFault", "DBCluster %s not found.", c.Params.Get("DBClusterIdentifier"))
	case c.Params.Get("StackName") != "" && strings.HasPrefix(c.Action, "Describe"):
		return wire.Errorf(400, "ValidationError", "Stack with id %s does not exist", c.Params.Get("StackName"))
	case c.Params.Get("DBSubnetGroupName") != "" && strings.HasPrefix(c.Action, "Describe"):
		return wire.Errorf(404, "DBSubnetGroupNotFoundFault", "DBSubnetGroup %s not found.", c.Params.Get("DBSubnetGroupName"))
	case strings.HasPrefix(c.Action, "Describe") || strings.HasPrefix(c.Action, "List"):
		return nil // an empty result
	}
	return wire.Errorf(400, "InvalidParameterValue", "The sandbox account holds resources in %s only; %s in %s is not emulated: use --region %s", home, c.Action, region, home)
}

// serviceTable is the account's services and the actions each serves.
// With nil handlers it still lists every action, which is what
// knownActions reads.
func serviceTable(r *rds.Service, e *ec2.Service, t *sts.Service, cfn *cloudformation.Engine, keys *keystore.Store, sch *schedulerAPI) map[string]*wire.Service {
	return map[string]*wire.Service{
		"rds":            {Name: "rds", Version: "2014-10-31", XMLNS: "http://rds.amazonaws.com/doc/2014-10-31/", Actions: r.Actions()},
		"ec2":            {Name: "ec2", Version: "2016-11-15", XMLNS: "http://ec2.amazonaws.com/doc/2016-11-15/", EC2: true, Actions: e.Actions()},
		"sts":            {Name: "sts", Version: "2011-06-15", XMLNS: "https://sts.amazonaws.com/doc/2011-06-15/", Actions: t.Actions()},
		"cloudformation": {Name: "cloudformation", Version: "2010-05-15", XMLNS: "http://cloudformation.amazonaws.com/doc/2010-05-15/", Actions: cfn.Actions()},
		"kms":            {Name: "kms", JSON: true, TargetPrefix: "TrentService", Actions: keys.KMSActions()},
		"secretsmanager": {Name: "secretsmanager", JSON: true, TargetPrefix: "secretsmanager", MessageKey: "Message", Actions: keys.SecretsActions()},
		"scheduler":      {Name: "scheduler", JSON: true, MessageKey: "Message", Route: schedulerRoute, Actions: sch.Actions()},
	}
}

// emulated names the services the sandbox serves, for messages.
const emulated = "rds, ec2, sts, cloudformation, kms, secretsmanager and scheduler"

// knownActions lists, sorted, the actions the sandbox serves for svc (nil
// for a service it does not emulate), for ParseFault's messages: read from
// the service table, so it cannot drift from what is served.
func knownActions(svc string) []string {
	t := serviceTable(nil, nil, nil, nil, nil, nil)[svc]
	if t == nil {
		return nil
	}
	return slices.Sorted(maps.Keys(t.Actions))
}
