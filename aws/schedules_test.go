package aws

import (
	"context"
	"strings"
	"testing"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	"github.com/aws/aws-sdk-go-v2/service/scheduler/types"
)

type fakeScheduler struct{ out *scheduler.GetScheduleOutput }

func (f fakeScheduler) GetSchedule(context.Context, *scheduler.GetScheduleInput, ...func(*scheduler.Options)) (*scheduler.GetScheduleOutput, error) {
	return f.out, nil
}

// ScheduleTime reads an at() schedule's time in its time zone, and refuses
// one that will not fire once.
func TestScheduleTime(t *testing.T) {
	for _, tc := range []struct {
		expr, tz string
		state    types.ScheduleState
		want     string // RFC 3339, or an error's words
	}{
		{"at(2026-12-08T18:00:00)", "", types.ScheduleStateEnabled, "2026-12-08T18:00:00Z"},
		{"at(2026-12-08T18:00:00)", "UTC", types.ScheduleStateEnabled, "2026-12-08T18:00:00Z"},
		{"at(2026-12-08T18:00:00)", "Europe/Paris", types.ScheduleStateEnabled, "2026-12-08T17:00:00Z"},
		{"rate(1 hour)", "", types.ScheduleStateEnabled, "not a one-time at(…)"},
		{"at(2026-12-08T18:00:00)", "", types.ScheduleStateDisabled, "disabled"},
	} {
		c := &Client{sched: fakeScheduler{&scheduler.GetScheduleOutput{ScheduleExpression: awssdk.String(tc.expr),
			ScheduleExpressionTimezone: awssdk.String(tc.tz), State: tc.state}}}
		at, err := c.ScheduleTime(context.Background(), "pr-7")
		got := at.Format(time.RFC3339)
		if err != nil {
			got = err.Error()
		}
		if !strings.Contains(got, tc.want) {
			t.Errorf("%s %q %s: %s, want %s", tc.expr, tc.tz, tc.state, got, tc.want)
		}
	}
}
