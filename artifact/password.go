package artifact

import (
	"crypto/rand"
	"fmt"
	"strings"

	"github.com/dbaf/dbaf/internal/engine"
)

// PasswordLength is the length Aurora accepts for an engine's master
// password: 8 to 41 characters for Aurora MySQL, 8 to 128 for Aurora
// PostgreSQL.
func PasswordLength(e string) (minLen, maxLen int) {
	if e == engine.AuroraMySQL {
		return 8, 41
	}
	return 8, 128
}

// CheckPassword applies Aurora's master password rules for engine: its
// length (PasswordLength) and printable ASCII without /, ", @ or a space.
// The error names the rule, never the value; source says where the
// password came from (e.g. "DB_PASSWORD").
func CheckPassword(engine, pw, source string) error {
	lo, hi := PasswordLength(engine)
	if len(pw) < lo || len(pw) > hi {
		return fmt.Errorf("%s is %d characters: %s master passwords have %d to %d", source, len(pw), engineName(engine), lo, hi)
	}
	for _, r := range pw {
		if r < 0x21 || r > 0x7e || strings.ContainsRune(`/"@`, r) {
			return fmt.Errorf("%s holds a character %s refuses: use printable ASCII without /, \", @ or spaces", source, engineName(engine))
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
