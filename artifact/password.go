package artifact

import (
	"crypto/rand"
	"fmt"

	"github.com/dbaf/dbaf/internal/engine"
)

// PasswordLength is the length Aurora accepts for an engine's master
// password: 8 to 41 characters for both (engine.MasterPasswordMax: RDS
// refuses a longer one for Aurora PostgreSQL too, after the clone exists).
func PasswordLength(e string) (minLen, maxLen int) {
	return engine.MasterPasswordMin, engine.MasterPasswordMax
}

// CheckPassword applies Aurora's master password rules for engine: its
// length (PasswordLength) and printable ASCII without /, ", @ or a space.
// The error names the rule, never the value; source says where the
// password came from (e.g. "DB_PASSWORD").
func CheckPassword(eng, pw, source string) error {
	lo, hi := PasswordLength(eng)
	if len(pw) < lo || len(pw) > hi {
		return fmt.Errorf("%s is %d characters: %s master passwords have %d to %d", source, len(pw), engineName(eng), lo, hi)
	}
	for _, r := range pw {
		if !engine.MasterPasswordChar(r) {
			return fmt.Errorf("%s holds a character %s refuses: use printable ASCII without /, \", @ or spaces", source, engineName(eng))
		}
	}
	return nil
}

// GeneratePassword makes a master password: crypto/rand.Text's 26 base32
// characters (A–Z, 2–7; 130 bits), within every Aurora engine's length and
// free of the characters Aurora refuses. It is what --generate-password
// shows, and what a clone holds, never shown, while it is masked.
func GeneratePassword() string { return rand.Text() }

func engineName(e string) string { return engine.DisplayName(e) }
