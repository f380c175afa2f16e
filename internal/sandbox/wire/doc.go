// Package wire is the AWS wire format the sandbox speaks: Query and EC2
// request parameters (lists, structures, filters), XML responses and
// errors in each protocol's shape, the JSON 1.1 protocol of KMS and Secrets
// Manager, opaque page tokens, and the service and region of a request's
// SigV4 credential scope. It knows nothing of what the services hold.
package wire
