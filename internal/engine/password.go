package engine

// Aurora's rule for a DB cluster's master password, the same for both
// engines (the RDS API model for CreateDBCluster and ModifyDBCluster): 8 to
// 41 characters, printable ASCII except "/", `"` and "@". RDS's own error
// message also names the space, and refuses it. dbaf checks a password
// with it before anything is created, the sandbox refuses with it as RDS
// does: one rule, so the two cannot drift apart.
const (
	MasterPasswordMin = 8
	MasterPasswordMax = 41
)

// MasterPasswordChar reports whether Aurora accepts r in a master password.
func MasterPasswordChar(r rune) bool {
	return r > ' ' && r <= '~' && r != '/' && r != '"' && r != '@'
}
