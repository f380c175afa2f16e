package cloudformation

import (
	"time"

	"github.com/dbaf/dbaf/internal/sandbox/cloudformation/template"
)

// Provider creates and deletes the resources of the account a template
// describes. The engine owns the rest: ordering, events, waiting,
// rollback, deletion policies and outputs. A provider must not call back
// into the engine.
type Provider interface {
	// Schema describes a resource type the provider creates; false for a
	// type it does not know, which CreateStack refuses.
	Schema(typ string) (Schema, bool)
	// ValidParameter reports whether value names something that exists,
	// for a parameter of an AWS-specific type (e.g. AWS::EC2::VPC::Id);
	// true for types it does not check.
	ValidParameter(typ, value string) bool
	// Create validates a resource against the account and creates it
	// there in its initial state; the error is the resource's failure
	// reason.
	Create(r Resource, props map[string]any) (*Created, error)
	// Delete checks that a created resource can be deleted and starts
	// deleting it; snapshot asks for a final snapshot where the type
	// takes one.
	Delete(r Resource, snapshot bool) (*Deletion, error)
}

// Schema is what the engine needs to know about a resource type.
type Schema = template.Schema

// Resource is one resource of a stack, as a provider sees it.
type Resource struct {
	StackName, StackID string
	StackTags          []Tag
	LogicalID, Type    string
	PhysicalID         string // set once created
	DeletionPolicy     string // as the template gives it, "" if it does not
}

// Tag is a stack or resource tag.
type Tag struct{ Key, Value string }

// Created is what creating a resource gave.
type Created struct {
	PhysicalID, Ref string            // the physical id and the value of Ref
	Attrs           map[string]string // Fn::GetAtt values
	Duration        time.Duration     // how long creation takes at demo pace (Pace 1)
	Ready           <-chan error      // nil, or work (a database copy) that must end before the resource is complete
	// Done moves the resource to its final state: ready when err is nil,
	// failed otherwise.
	Done func(err error)
}

// Deletion is a deletion a provider has started.
type Deletion struct {
	Note     string        // an event reason worth showing, if any
	Duration time.Duration // how long deletion takes at demo pace
	Finish   func()        // removes the resource from the account; not called under the engine's lock
}
