// Package engine names the database engines dbaf clones, as RDS names
// them, with what every layer needs to know of them: a leaf that aws, db,
// config and artifact share instead of importing each other for it.
package engine

// The Aurora engines, as RDS names them.
const (
	AuroraPostgreSQL = "aurora-postgresql"
	AuroraMySQL      = "aurora-mysql"
)

// Aurora are the engines a copy-on-write clone works for.
func Aurora() []string { return []string{AuroraMySQL, AuroraPostgreSQL} }

// DefaultPort is the port an engine's clusters listen on unless told
// otherwise; 0 for an engine dbaf does not clone.
func DefaultPort(e string) int {
	switch e {
	case AuroraPostgreSQL:
		return 5432
	case AuroraMySQL:
		return 3306
	}
	return 0
}

// DisplayName is the engine as AWS writes it in prose, e.g. "Aurora MySQL".
func DisplayName(e string) string {
	switch e {
	case AuroraPostgreSQL:
		return "Aurora PostgreSQL"
	case AuroraMySQL:
		return "Aurora MySQL"
	}
	return "Aurora"
}
