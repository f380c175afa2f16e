package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"
)

// The login dbaf masks with is the cluster's master user, which on Aurora
// is no superuser: on PostgreSQL it may change only the tables it owns,
// was granted, or owned by a role it is a member of (a role it created,
// for one); on MySQL, the tables its grants cover. So before any change
// dbaf finds, for each masked table, a way to change it, and where there
// is none it stops, naming the GRANT that would give one.

// TablePrivilegeProblem is one masked table the login cannot change.
type TablePrivilegeProblem struct {
	Schema, Table string
	Owner         string // PostgreSQL: the owning role; MySQL: "" (tables have no owner)
	Grant         string // the statement that would let the login mask it
}

// PrivilegeError lists the masked tables the login cannot change, with
// the GRANT for each; nothing was changed.
type PrivilegeError struct {
	User     string
	Problems []TablePrivilegeProblem
}

func (e *PrivilegeError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		owner := ""
		if p.Owner != "" {
			owner = fmt.Sprintf(" (owner %s)", p.Owner)
		}
		parts[i] = fmt.Sprintf("%s.%s%s: run %s", p.Schema, p.Table, owner, p.Grant)
	}
	return fmt.Sprintf("%s may not change the tables to mask (nothing was changed): %s", e.User, strings.Join(parts, "; "))
}

// maskRoles finds, for each table, the role to mask it as ("" is the
// login's own), proving each with an UPDATE that changes no row, rolled
// back. On PostgreSQL the owner's role comes first when the login may
// take it (SET ROLE): the owner may always update its table, and row
// level security, which would silently hide rows from anyone else, does
// not apply to it. Every table without a way gives a problem; the error
// lists them all.
func maskRoles(ctx context.Context, c *sql.Conn, d dialect, tables []table) ([]string, error) {
	user, err := d.whoami(ctx, c)
	if err != nil {
		return nil, fmt.Errorf("reading who the login is: %w", err)
	}
	roles := make([]string, len(tables))
	var problems []TablePrivilegeProblem
	for i, tb := range tables {
		owner, canSet, err := d.owner(ctx, c, tb)
		if err != nil {
			return nil, fmt.Errorf("reading the owner of %s.%s: %w", tb.schema, tb.table, err)
		}
		candidates := []string{""}
		if owner != "" && owner != user && canSet {
			candidates = []string{owner, ""}
		}
		found := false
		for _, role := range candidates {
			err := probeUpdate(ctx, c, d, tb, role)
			if err == nil {
				roles[i], found = role, true
				break
			}
			if !d.denied(err) {
				return nil, fmt.Errorf("checking %s may change %s.%s: %w", user, tb.schema, tb.table, err)
			}
		}
		if !found {
			problems = append(problems, TablePrivilegeProblem{Schema: tb.schema, Table: tb.table, Owner: owner, Grant: d.grantFor(tb, owner, user)})
		}
	}
	if len(problems) > 0 {
		return nil, &PrivilegeError{User: user, Problems: problems}
	}
	return roles, nil
}

// probeUpdate runs the table's masking UPDATE's shape (each masked column
// set to itself) for no row, as role, and rolls it back: the server checks
// the privileges an UPDATE needs (UPDATE, and SELECT on the columns read)
// before it looks for rows.
func probeUpdate(ctx context.Context, c *sql.Conn, d dialect, tb table, role string) error {
	tx, err := c.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	if role != "" {
		if _, err := tx.ExecContext(ctx, d.setRole(role)); err != nil {
			return err
		}
	}
	sets := make([]string, len(tb.cols))
	for i, col := range tb.cols {
		q := d.quoteIdent(col.name)
		sets[i] = q + " = " + q
	}
	_, err = tx.ExecContext(ctx, "UPDATE "+d.quoteIdent(tb.schema)+"."+d.quoteIdent(tb.table)+" SET "+strings.Join(sets, ", ")+" WHERE 1 = 0")
	return err
}

var bareIdent = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

// pgName is a role name as a person would type it: bare when it can be.
func pgName(s string) string {
	if bareIdent.MatchString(s) {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// privileges is what differs between the engines in maskRoles.
type privileges struct {
	whoami func(ctx context.Context, c *sql.Conn) (string, error)
	// owner is the table's owner and whether the login may take its role.
	owner    func(ctx context.Context, c *sql.Conn, tb table) (string, bool, error)
	setRole  func(role string) string
	denied   func(err error) bool // a privilege error, not another failure
	grantFor func(tb table, owner, user string) string
}

// pgPrivileges is the PostgreSQL side of maskRoles.
var pgPrivileges = privileges{
	whoami: func(ctx context.Context, c *sql.Conn) (string, error) {
		var u string
		err := c.QueryRowContext(ctx, "SELECT current_user").Scan(&u)
		return u, err
	},
	owner: func(ctx context.Context, c *sql.Conn, tb table) (string, bool, error) {
		var owner string
		var member bool
		// MEMBER: the login may SET ROLE to the owner (PostgreSQL 15; 16
		// would ask for SET).
		err := c.QueryRowContext(ctx, `SELECT pg_get_userbyid(c.relowner), pg_has_role(current_user, c.relowner, 'MEMBER')
			FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2`,
			tb.schema, tb.table).Scan(&owner, &member)
		return owner, member, err
	},
	setRole: func(role string) string { return "SET LOCAL ROLE " + pgName(role) },
	denied: func(err error) bool {
		var pe *pgconn.PgError
		return errors.As(err, &pe) && pe.Code == "42501" // insufficient_privilege
	},
	grantFor: func(_ table, owner, user string) string {
		return fmt.Sprintf("GRANT %s TO %s;", pgName(owner), pgName(user))
	},
}

// mysqlPrivileges is the MySQL side: tables have no owner and no role is
// taken; the login's grants decide.
var mysqlPrivileges = privileges{
	whoami: func(ctx context.Context, c *sql.Conn) (string, error) {
		var u string
		if err := c.QueryRowContext(ctx, "SELECT CURRENT_USER()").Scan(&u); err != nil {
			return "", err
		}
		name, host, _ := strings.Cut(u, "@")
		return sqlString(name) + "@" + sqlString(host), nil
	},
	owner:   func(context.Context, *sql.Conn, table) (string, bool, error) { return "", false, nil },
	setRole: func(string) string { return "" },
	denied: func(err error) bool {
		var me *mysql.MySQLError
		// 1142: table access denied; 1143: column access denied.
		return errors.As(err, &me) && (me.Number == 1142 || me.Number == 1143)
	},
	grantFor: func(tb table, _, user string) string {
		return fmt.Sprintf("GRANT SELECT, UPDATE ON %s.%s TO %s;", mysqlIdent(tb.schema), mysqlIdent(tb.table), user)
	},
}
