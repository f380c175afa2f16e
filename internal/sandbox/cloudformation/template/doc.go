// Package template is CloudFormation's template language, as the sandbox
// speaks it: JSON templates parsed and checked the way CreateStack checks
// them (sections, parameters and their constraints, resource types and
// properties against a Schema, references, dependency cycles), and an
// Evaluator for intrinsic functions, pseudo parameters and conditions.
// Package cloudformation runs stacks from what it gives.
package template
