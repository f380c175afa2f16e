// Package sandbox is an emulated AWS account on loopback. It speaks the real
// AWS Query wire protocol (RDS, EC2, STS, CloudFormation) so the real SDK, the
// AWS CLI and a container given AWS_ENDPOINT_URL all work against it
// unchanged. Its data is a deterministic seed; time is scalable and failures
// are injectable so every path can be shown and tested.
package sandbox
