package aws

import (
	"context"
	"fmt"
	"regexp"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
)

// The EventBridge Scheduler call: when a clone's expiry schedule fires, as
// AWS will run it (its own at() time, not the stack's tag).

type schedulerAPI interface {
	GetSchedule(context.Context, *scheduler.GetScheduleInput, ...func(*scheduler.Options)) (*scheduler.GetScheduleOutput, error)
}

var atExpression = regexp.MustCompile(`^at\((\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\)$`)

// ScheduleTime reads the schedule name (group default) and returns when
// its one-time at() expression fires, in UTC. A schedule that is not a
// one-time at() schedule, or is disabled, is an error naming it: it will
// not fire at one time.
func (c *Client) ScheduleTime(ctx context.Context, name string) (time.Time, error) {
	out, err := c.sched.GetSchedule(ctx, &scheduler.GetScheduleInput{Name: awssdk.String(name)})
	if err != nil {
		return time.Time{}, Explain(err, "scheduler:GetSchedule")
	}
	expr := awssdk.ToString(out.ScheduleExpression)
	if out.State == "DISABLED" {
		return time.Time{}, &Error{Kind: Other, Op: "scheduler:GetSchedule", Msg: fmt.Sprintf("schedule %s is disabled: it will not fire", name)}
	}
	m := atExpression.FindStringSubmatch(expr)
	if m == nil {
		return time.Time{}, &Error{Kind: Other, Op: "scheduler:GetSchedule", Msg: fmt.Sprintf("schedule %s runs %q, not a one-time at(…)", name, expr)}
	}
	loc := time.UTC
	if tz := awssdk.ToString(out.ScheduleExpressionTimezone); tz != "" && tz != "UTC" {
		if loc, err = time.LoadLocation(tz); err != nil {
			return time.Time{}, &Error{Kind: Other, Op: "scheduler:GetSchedule", Msg: fmt.Sprintf("schedule %s has time zone %q, which this machine does not know", name, tz)}
		}
	}
	at, err := time.ParseInLocation("2006-01-02T15:04:05", m[1], loc)
	if err != nil {
		return time.Time{}, &Error{Kind: Other, Op: "scheduler:GetSchedule", Msg: fmt.Sprintf("schedule %s has expression %q: %v", name, expr, err)}
	}
	return at.UTC(), nil
}
