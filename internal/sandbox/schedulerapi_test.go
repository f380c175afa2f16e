package sandbox_test

import (
	"strings"
	"testing"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"

	"github.com/dbaf/dbaf/internal/sandbox"
	"github.com/dbaf/dbaf/internal/testenv"
)

// scheduleTemplate is a stack with a role and a one-time schedule that
// deletes the stack, as a clone's expiry is.
const scheduleTemplate = `{
  "Resources": {
    "Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {"Version": "2012-10-17",
      "Statement": [{"Effect": "Allow", "Principal": {"Service": "scheduler.amazonaws.com"}, "Action": "sts:AssumeRole"}]}}},
    "Expiry": {"Type": "AWS::Scheduler::Schedule", "Properties": {"Name": "sched-stack",
      "ScheduleExpression": "at(2099-01-02T03:04:05)", "FlexibleTimeWindow": {"Mode": "OFF"},
      "Target": {"Arn": "arn:aws:scheduler:::aws-sdk:cloudformation:deleteStack", "RoleArn": {"Fn::GetAtt": ["Role", "Arn"]},
        "Input": "{\"StackName\": \"sched-stack\"}"}}}
  }
}`

// TestSchedulerGetSchedule: the SDK's Scheduler client (REST-JSON) reads a
// schedule a stack made, lists it, and gets ResourceNotFoundException
// (404) for one that does not exist.
func TestSchedulerGetSchedule(t *testing.T) {
	c := start(t, sandbox.Options{Pace: testPace})
	id := createStack(t, c, &cloudformation.CreateStackInput{StackName: awssdk.String("sched-stack"), TemplateBody: awssdk.String(scheduleTemplate)})
	if status, _ := waitStack(t, c, id); status != "CREATE_COMPLETE" {
		t.Fatalf("stack: %s", status)
	}
	got, err := c.sch.GetSchedule(ctx(t), &scheduler.GetScheduleInput{Name: awssdk.String("sched-stack")})
	if err != nil {
		t.Fatalf("GetSchedule: %v", err)
	}
	if e := awssdk.ToString(got.ScheduleExpression); e != "at(2099-01-02T03:04:05)" {
		t.Errorf("ScheduleExpression = %q", e)
	}
	if g, st := awssdk.ToString(got.GroupName), got.State; g != "default" || st != "ENABLED" {
		t.Errorf("group, state = %q, %q; want default, ENABLED", g, st)
	}
	if arn := awssdk.ToString(got.Arn); !strings.HasSuffix(arn, ":schedule/default/sched-stack") {
		t.Errorf("Arn = %q", arn)
	}
	if got.Target == nil || awssdk.ToString(got.Target.Arn) != "arn:aws:scheduler:::aws-sdk:cloudformation:deleteStack" {
		t.Errorf("Target = %+v", got.Target)
	}
	if got.CreationDate == nil || got.CreationDate.Before(time.Now().Add(-time.Hour)) {
		t.Errorf("CreationDate = %v", got.CreationDate)
	}

	_, err = c.sch.GetSchedule(ctx(t), &scheduler.GetScheduleInput{Name: awssdk.String("sched-stack"), GroupName: awssdk.String("other")})
	if _, status := wantAPIError(t, err, "ResourceNotFoundException"); status != 404 {
		t.Errorf("status = %d, want 404", status)
	}
	_, err = c.sch.GetSchedule(ctx(t), &scheduler.GetScheduleInput{Name: awssdk.String("no-such")})
	if msg, _ := wantAPIError(t, err, "ResourceNotFoundException"); !strings.Contains(msg, "no-such") {
		t.Errorf("message %q does not name the schedule", msg)
	}

	list, err := c.sch.ListSchedules(ctx(t), &scheduler.ListSchedulesInput{NamePrefix: awssdk.String("sched-")})
	if err != nil {
		t.Fatalf("ListSchedules: %v", err)
	}
	if len(list.Schedules) != 1 || awssdk.ToString(list.Schedules[0].Name) != "sched-stack" {
		t.Errorf("ListSchedules = %+v, want sched-stack", list.Schedules)
	}
}

// TestSchedulerAWSCLI: botocore's own REST-JSON code reads the schedule.
func TestSchedulerAWSCLI(t *testing.T) {
	testenv.Need(t, "aws", "--version")
	c := start(t, sandbox.Options{Pace: testPace})
	id := createStack(t, c, &cloudformation.CreateStackInput{StackName: awssdk.String("sched-stack"), TemplateBody: awssdk.String(scheduleTemplate)})
	if status, _ := waitStack(t, c, id); status != "CREATE_COMPLETE" {
		t.Fatalf("stack: %s", status)
	}
	var got struct{ Name, GroupName, ScheduleExpression, State string }
	testenv.AWSCLIJSON(t, c.url, &got, "scheduler", "get-schedule", "--name", "sched-stack")
	if got.Name != "sched-stack" || got.GroupName != "default" || got.ScheduleExpression != "at(2099-01-02T03:04:05)" || got.State != "ENABLED" {
		t.Errorf("get-schedule = %+v", got)
	}
	_, stderr, err := testenv.AWSCLI(t, c.url, "scheduler", "get-schedule", "--name", "no-such")
	if err == nil || !strings.Contains(stderr, "ResourceNotFoundException") {
		t.Errorf("get-schedule of a missing schedule: err %v, stderr %q", err, stderr)
	}
}
