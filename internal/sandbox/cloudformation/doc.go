// Package cloudformation is the sandbox's CloudFormation: JSON templates
// (parameters, conditions, mappings, intrinsic functions, outputs), stacks
// and their events, resources created in dependency order with independent
// ones at once, rollback, deletion in reverse order with deletion policies,
// and the CloudFormation Query actions. It creates nothing itself: a
// Provider (the emulated account) creates, completes and deletes each
// resource of a type it knows, so the engine is tested with a fake one.
// Templates themselves (parsing, checks, intrinsic functions) are package
// template.
package cloudformation
