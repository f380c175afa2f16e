package sandbox

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/dbaf/dbaf/internal/clock"
	"github.com/dbaf/dbaf/internal/sandbox/state"
)

// The account's EventBridge Scheduler: a one-time at() schedule fires
// once the account's clock passes its time, when the clock is moved and
// on a ticker for real time. The only target it runs is the universal
// target for CloudFormation's DeleteStack, the one dbaf's clones use;
// the stack's events then say "User Initiated", as AWS's do.

const (
	deleteStackTarget = "arn:aws:scheduler:::aws-sdk:cloudformation:deleteStack"
	scheduleTick      = time.Second
)

// scheduleLoop fires due schedules as real time passes.
func (s *Server) scheduleLoop() {
	clock.Every(s.ctx, nil, scheduleTick, s.fireSchedules)
}

// fireSchedules runs every enabled schedule whose time has come.
func (s *Server) fireSchedules() {
	now := s.st.Clock.Now()
	var due []*state.Schedule
	s.mu.Lock()
	for _, sc := range s.st.Schedules.All() {
		if sc.State == "ENABLED" && !sc.Fired && !sc.At.IsZero() && !now.Before(sc.At) {
			sc.Fired = true
			due = append(due, sc)
			if sc.AfterCompletion == "DELETE" {
				s.st.Schedules.Del(sc.Group + "/" + sc.Name)
			}
		}
	}
	s.mu.Unlock()
	if len(due) == 0 {
		return
	}
	s.changed()
	for _, sc := range due {
		if err := s.runTarget(sc); err != nil {
			fmt.Fprintf(s.log, "dbaf sandbox: schedule %s (as %s): %v\n", sc.Name, sc.RoleARN, err)
		}
	}
}

// runTarget calls a schedule's target as its role.
func (s *Server) runTarget(sc *state.Schedule) error {
	if sc.TargetARN != deleteStackTarget {
		return fmt.Errorf("the sandbox runs only the %s target, not %s", deleteStackTarget, sc.TargetARN)
	}
	var in struct{ StackName string }
	if err := json.Unmarshal([]byte(sc.Input), &in); err != nil || in.StackName == "" {
		return fmt.Errorf(`input %q is not {"StackName": …}`, sc.Input)
	}
	s.mu.Lock()
	_, roleOK := s.st.Roles.Get(roleName(sc.RoleARN))
	s.mu.Unlock()
	if !roleOK {
		return fmt.Errorf("role %s does not exist: the schedule cannot assume it", sc.RoleARN)
	}
	if err := s.cfn.DeleteStack(in.StackName); err != nil {
		return fmt.Errorf("cloudformation:DeleteStack %s: %s", in.StackName, err.Message)
	}
	fmt.Fprintf(s.log, "dbaf sandbox: schedule %s deleted stack %s as %s\n", sc.Name, in.StackName, sc.RoleARN)
	return nil
}

func roleName(arn string) string {
	for i := len(arn) - 1; i >= 0; i-- {
		if arn[i] == '/' {
			return arn[i+1:]
		}
	}
	return arn
}
