package aws

import "time"

// Stack is a CloudFormation stack as dbaf sees it.
type Stack struct {
	Name         string
	ID           string
	Status       string // e.g. CREATE_IN_PROGRESS, CREATE_COMPLETE, DELETE_COMPLETE
	StatusReason string
	Created      time.Time
	Outputs      map[string]string
	Tags         map[string]string
}

// StackEvent is one CloudFormation stack event.
type StackEvent struct {
	ID           string // EventId: events are de-duplicated by it, never by time
	StackID      string
	LogicalID    string
	PhysicalID   string
	ResourceType string
	Status       string
	Reason       string
	Time         time.Time
}

// IsStack reports whether the event is about the stack itself rather than
// one of its resources.
func (e StackEvent) IsStack() bool {
	return e.ResourceType == "AWS::CloudFormation::Stack" && (e.PhysicalID == e.StackID || e.PhysicalID == "")
}

// StackResource is one resource of a stack.
type StackResource struct {
	LogicalID  string
	PhysicalID string
	Type       string
	Status     string
	Reason     string
}

// CreateStackInput is a stack to create.
type CreateStackInput struct {
	Name          string
	Template      []byte
	Tags          map[string]string
	KeepOnFailure bool     // leave failed resources for inspection instead of deleting the stack
	Token         string   // ClientRequestToken: a retry with the same token is the same request
	Capabilities  []string // e.g. CAPABILITY_IAM, for a template that creates IAM (dbaf setup's only)
}
