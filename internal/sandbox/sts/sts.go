// Package sts is the account's STS: GetCallerIdentity answers as a fixed
// developer user, the identity every call to the account is made as.
package sts

import "github.com/dbaf/dbaf/internal/sandbox/wire"

// Service serves STS for one account.
type Service struct{ account string }

// New is STS for the account with id account.
func New(account string) *Service { return &Service{account: account} }

// Actions are the STS actions served. A nil Service lists the same names.
func (s *Service) Actions() map[string]wire.Handler {
	return map[string]wire.Handler{"GetCallerIdentity": s.getCallerIdentity}
}

// UserARN is the caller every request is made as.
func (s *Service) UserARN() string { return "arn:aws:iam::" + s.account + ":user/sandbox-developer" }

// getCallerIdentity is sts:GetCallerIdentity: a fixed developer user.
func (s *Service) getCallerIdentity(c *wire.Call) *wire.APIError {
	c.Out.Text("Arn", s.UserARN())
	c.Out.Text("UserId", "AIDASANDBOXDEVELOPER")
	c.Out.Text("Account", s.account)
	return nil
}
