package resources

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/dbaf/dbaf/internal/sandbox/cloudformation"
	"github.com/dbaf/dbaf/internal/sandbox/state"
)

// accountOf reads the account id out of a stack's ARN
// (arn:aws:cloudformation:REGION:ACCOUNT:stack/NAME/ID).
func accountOf(stackID string) string { return arnAccount(stackID) }

// provisionRole records an IAM role: its name and ARN, and its policies
// as given (the sandbox does not enforce them).
func (pr *Provider) provisionRole(r cloudformation.Resource, p *props) (*provisioned, error) {
	p.required("AssumeRolePolicyDocument")
	name, tags := p.str("RoleName"), p.tags("Tags")
	trust, _ := json.Marshal(p.m["AssumeRolePolicyDocument"])
	policies, _ := json.Marshal(p.m["Policies"])
	if err := p.check(r.LogicalID); err != nil {
		return nil, err
	}
	if name == "" {
		name = generatedName(r, 64, false)
	}
	if _, exists := pr.st.Roles.Get(name); exists {
		return nil, fmt.Errorf("%s", "Role with name "+name+" already exists. (Service: Iam, Status Code: 409, Error Code: EntityAlreadyExists)")
	}
	arn := "arn:aws:iam::" + accountOf(r.StackID) + ":role/" + name
	pr.st.Roles.Put(name, &state.Role{Name: name, ARN: arn, TrustJSON: string(trust), PolicyJSON: string(policies),
		Tags: resourceTags(r, tags), Created: pr.st.Clock.Now()})
	return &provisioned{physicalID: name, ref: name, attrs: map[string]string{"Arn": arn, "RoleId": "AROA" + strings.ToUpper(name[:min(len(name), 17)])}}, nil
}

var atExpression = regexp.MustCompile(`^at\((\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\)$`)

// ScheduleKey is a schedule's key in the account: group/name.
func ScheduleKey(group, name string) string {
	if group == "" {
		group = "default"
	}
	return group + "/" + name
}

// provisionSchedule records an EventBridge Scheduler schedule; a
// one-time at() schedule fires when the account's clock passes it.
func (pr *Provider) provisionSchedule(r cloudformation.Resource, p *props) (*provisioned, error) {
	p.required("FlexibleTimeWindow", "ScheduleExpression", "Target")
	sc := &state.Schedule{Name: p.str("Name"), Group: p.str("GroupName"), Description: p.str("Description"),
		Expression: p.str("ScheduleExpression"), Timezone: p.str("ScheduleExpressionTimezone"), State: p.str("State"),
		AfterCompletion: "NONE"}
	if w, ok := p.object("FlexibleTimeWindow"); ok {
		w.required("Mode")
		sc.Mode = w.str("Mode")
		p.errs = append(p.errs, w.errs...)
	}
	if t, ok := p.object("Target"); ok {
		t.required("Arn", "RoleArn")
		sc.TargetARN, sc.RoleARN, sc.Input = t.str("Arn"), t.str("RoleArn"), t.str("Input")
		p.errs = append(p.errs, t.errs...)
	}
	if err := p.check(r.LogicalID); err != nil {
		return nil, err
	}
	if sc.Name == "" {
		sc.Name = generatedName(r, 64, false)
	}
	if sc.Group == "" {
		sc.Group = "default"
	}
	if sc.State == "" {
		sc.State = "ENABLED"
	}
	if sc.Timezone == "" {
		sc.Timezone = "UTC"
	}
	var err error
	if sc.At, err = scheduleTime(sc.Expression, sc.Timezone); err != nil {
		return nil, err
	}
	// A role of this account must exist; another account's is not the
	// sandbox's to check.
	if _, ok := pr.st.Roles.Get(roleName(sc.RoleARN)); !ok && arnAccount(sc.RoleARN) == accountOf(r.StackID) {
		return nil, schedulerErr("ValidationException", "The execution role you provide must allow AWS EventBridge Scheduler to assume the role.")
	}
	key := ScheduleKey(sc.Group, sc.Name)
	if _, exists := pr.st.Schedules.Get(key); exists {
		return nil, schedulerErr("ConflictException", "Schedule %s already exists.", sc.Name)
	}
	sc.ARN = fmt.Sprintf("arn:aws:scheduler:%s:%s:schedule/%s/%s", pr.region, accountOf(r.StackID), sc.Group, sc.Name)
	sc.Created = pr.st.Clock.Now()
	sc.Modified = sc.Created
	pr.st.Schedules.Put(key, sc)
	return &provisioned{physicalID: sc.Name, ref: sc.Name, attrs: map[string]string{"Arn": sc.ARN}}, nil
}

// scheduleTime is when a one-time at() expression fires (zero for rate()
// and cron()), or why the expression is invalid.
func scheduleTime(expr, tz string) (time.Time, error) {
	m := atExpression.FindStringSubmatch(expr)
	if m == nil {
		if !strings.HasPrefix(expr, "rate(") && !strings.HasPrefix(expr, "cron(") {
			return time.Time{}, schedulerErr("ValidationException", "Invalid Schedule Expression %s.", expr)
		}
		return time.Time{}, nil
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return time.Time{}, schedulerErr("ValidationException", "Invalid ScheduleExpressionTimezone %s", tz)
	}
	at, err := time.ParseInLocation("2006-01-02T15:04:05", m[1], loc)
	if err != nil {
		return time.Time{}, schedulerErr("ValidationException", "Invalid Schedule Expression %s.", expr)
	}
	return at, nil
}

// Update is UpdateStack's in-place change: a schedule's time (the engine
// refuses every other change). The moved schedule fires at its new time,
// even if it had fired.
func (pr *Provider) Update(r cloudformation.Resource, m map[string]any) error {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	if r.Type != "AWS::Scheduler::Schedule" {
		return fmt.Errorf("the sandbox cannot update a %s in place", r.Type)
	}
	p := &props{m: m}
	key := ScheduleKey(p.str("GroupName"), r.PhysicalID)
	sc, ok := pr.st.Schedules.Get(key)
	if !ok {
		return schedulerErr("ResourceNotFoundException", "Schedule %s does not exist.", r.PhysicalID)
	}
	expr := p.str("ScheduleExpression")
	at, err := scheduleTime(expr, sc.Timezone)
	if err != nil {
		return err
	}
	sc.Expression, sc.At, sc.Fired, sc.Modified = expr, at, false, pr.st.Clock.Now()
	pr.st.Schedules.Put(key, sc)
	return nil
}

func roleName(arn string) string {
	_, name, _ := strings.Cut(arn, ":role/")
	if i := strings.LastIndex(name, "/"); i >= 0 {
		name = name[i+1:]
	}
	return name
}

func arnAccount(arn string) string {
	if f := strings.Split(arn, ":"); len(f) > 4 {
		return f[4]
	}
	return ""
}

func schedulerErr(code, format string, args ...any) error {
	return fmt.Errorf("%s (Service: Scheduler, Status Code: 400, Error Code: %s)", fmt.Sprintf(format, args...), code)
}
