package sandbox

import (
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"

	"github.com/dbaf/dbaf/internal/sandbox/resources"
	"github.com/dbaf/dbaf/internal/sandbox/state"
	"github.com/dbaf/dbaf/internal/sandbox/wire"
)

// EventBridge Scheduler's own API, the part dbaf reads: GetSchedule and
// ListSchedules, on Scheduler's REST-JSON protocol (GET /schedules/{Name}
// ?groupName=…, GET /schedules?NamePrefix=…). Schedules are made by
// CloudFormation (resources/expiry.go); this only reads them.

// schedulerAPI serves the account's schedules.
type schedulerAPI struct {
	mu *sync.Mutex // the server's: guards st
	st *state.State
}

// Actions are the Scheduler actions served.
func (a *schedulerAPI) Actions() map[string]wire.Handler {
	return map[string]wire.Handler{"GetSchedule": a.getSchedule, "ListSchedules": a.listSchedules}
}

// schedulerRoute reads a Scheduler request's action from its method and
// path, and its input (path and query members) as the JSON the handlers
// decode.
func schedulerRoute(r *http.Request) (string, []byte, *wire.APIError) {
	q := r.URL.Query()
	path := strings.TrimSuffix(r.URL.EscapedPath(), "/")
	var action string
	in := map[string]string{}
	switch {
	case r.Method == http.MethodGet && path == "/schedules":
		action = "ListSchedules"
		in["GroupName"], in["NamePrefix"], in["State"] = q.Get("ScheduleGroup"), q.Get("NamePrefix"), q.Get("State")
	case r.Method == http.MethodGet && strings.HasPrefix(path, "/schedules/") && !strings.Contains(path[len("/schedules/"):], "/"):
		name, err := url.PathUnescape(path[len("/schedules/"):])
		if err != nil {
			return "", nil, wire.Errorf(400, "ValidationException", "Schedule name %q is not a valid path segment.", path)
		}
		action = "GetSchedule"
		in["Name"], in["GroupName"] = name, q.Get("groupName")
	default:
		return "", nil, wire.Errorf(404, "UnknownOperationException", "The sandbox's scheduler serves GET /schedules and GET /schedules/{Name}, not %s %s", r.Method, r.URL.Path)
	}
	b, _ := json.Marshal(in)
	return action, b, nil
}

type scheduleInput struct{ Name, GroupName, NamePrefix, State string }

// getSchedule is scheduler:GetSchedule.
func (a *schedulerAPI) getSchedule(c *wire.Call) *wire.APIError {
	var in scheduleInput
	if err := c.Decode(&in); err != nil {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	sc, ok := a.st.Schedules.Get(resources.ScheduleKey(in.GroupName, in.Name))
	if !ok {
		group := in.GroupName
		if group == "" {
			group = "default"
		}
		return wire.Errorf(404, "ResourceNotFoundException", "Schedule %s does not exist in group %s.", in.Name, group)
	}
	out := map[string]any{
		"Arn": sc.ARN, "Name": sc.Name, "GroupName": sc.Group, "State": sc.State,
		"ScheduleExpression": sc.Expression, "ScheduleExpressionTimezone": sc.Timezone,
		"ActionAfterCompletion": sc.AfterCompletion,
		"CreationDate":          wire.EpochSeconds(sc.Created), "LastModificationDate": wire.EpochSeconds(sc.Modified),
		"FlexibleTimeWindow": map[string]any{"Mode": sc.Mode},
		"Target":             map[string]any{"Arn": sc.TargetARN, "RoleArn": sc.RoleARN, "Input": sc.Input},
	}
	if sc.Description != "" {
		out["Description"] = sc.Description
	}
	c.Result = out
	return nil
}

// listSchedules is scheduler:ListSchedules, in one page.
func (a *schedulerAPI) listSchedules(c *wire.Call) *wire.APIError {
	var in scheduleInput
	if err := c.Decode(&in); err != nil {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	list := []map[string]any{}
	for _, sc := range a.st.Schedules.All() {
		if (in.GroupName != "" && sc.Group != in.GroupName) || !strings.HasPrefix(sc.Name, in.NamePrefix) || (in.State != "" && sc.State != in.State) {
			continue
		}
		list = append(list, map[string]any{
			"Arn": sc.ARN, "Name": sc.Name, "GroupName": sc.Group, "State": sc.State,
			"CreationDate": wire.EpochSeconds(sc.Created), "LastModificationDate": wire.EpochSeconds(sc.Modified),
			"Target": map[string]any{"Arn": sc.TargetARN},
		})
	}
	sort.Slice(list, func(i, j int) bool { return list[i]["Name"].(string) < list[j]["Name"].(string) })
	c.Result = map[string]any{"Schedules": list}
	return nil
}
