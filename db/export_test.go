package db

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
)

// Test-only exports of package db, for its external tests (package db_test).

// RunHooks is RunHooksWith without a time limit or reports: the plain
// form the tests use.
func RunHooks(ctx context.Context, t Target, hooks []Hook) error {
	return RunHooksWith(ctx, t, hooks, HookOptions{})
}

// HashOf is what the hash strategy writes for value under key: the hex
// HMAC-SHA256 of its text (UTF-8), computed here in Go so the tests can
// recognise what the server wrote.
func HashOf(key []byte, value string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(value))
	return hex.EncodeToString(m.Sum(nil))
}
