package dbserver

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/dbaf/dbaf/internal/clock"
)

// Point-in-time restores, for PostgreSQL (MariaDB: pitr_mariadb.go): a seeded source archives its WAL
// (archive_mode, a copy of each finished segment in its archive directory)
// from the moment it starts on a copy of its engine's template, which is
// its base backup. A clone (or a restore) archives its own WAL too, and
// shares its source's base: its history is the source's archive up to the
// copy, then its own (one WAL stream: the copy continues the source's). A
// restore to a time copies the base and replays the archives up to that
// time (recovery_target_time, then promote), the server's own archive
// first, then its ancestors', so it holds exactly the transactions
// committed by then.

// ErrNoArchive is RestoreToTime's error for a server that keeps no WAL
// archive (a MariaDB clone, one started before archiving existed): it
// cannot go back in time.
var ErrNoArchive = errors.New("keeps no archive to restore to a point in time from")

const (
	archiveDir  = "wal-archive"  // in a server's directory: the WAL it archived
	baseFile    = "pitr-base"    // in a server's directory: the path of its base backup
	parentsFile = "pitr-parents" // in a server's directory: its ancestors' archives, nearest first
)

// archive is where s archives its WAL, "" when it does not.
func (s *server) archive() string {
	if _, err := os.Stat(filepath.Join(s.dir, baseFile)); err != nil {
		return ""
	}
	return filepath.Join(s.dir, archiveDir)
}

// keepArchive makes s archive its WAL from its next start, with base (a
// stopped data directory s's history starts from) as the base backup, and
// parents the archives of the servers s's data was copied from, nearest
// first.
func (m *Manager) keepArchive(s *server, base string, parents []string) error {
	if strings.ContainsAny(s.dir+base, "'\"$`\\\n") {
		return nil // not quotable in archive_command: no point-in-time restores
	}
	if err := os.MkdirAll(filepath.Join(s.dir, archiveDir), 0o700); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(s.dir, parentsFile), []byte(strings.Join(parents, "\n")), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(s.dir, baseFile), []byte(base), 0o644)
}

// inheritArchive makes s, a copy of src's data, archive its WAL on top of
// src's history (nothing when src keeps none).
func (m *Manager) inheritArchive(s, src *server) error {
	archive := src.archive()
	if archive == "" {
		return nil
	}
	base, err := os.ReadFile(filepath.Join(src.dir, baseFile))
	if err != nil {
		return err
	}
	return m.keepArchive(s, string(base), append([]string{archive}, src.parents()...))
}

// parents are the archives of the servers s's data was copied from,
// nearest first.
func (s *server) parents() []string {
	b, _ := os.ReadFile(filepath.Join(s.dir, parentsFile))
	if len(b) == 0 {
		return nil
	}
	return strings.Split(string(b), "\n")
}

// pgArchiveArgs are the postgres options that archive s's WAL, if it keeps
// an archive: each finished segment copied aside and renamed, so that a
// restore never reads half of one.
func pgArchiveArgs(s *server) []string {
	dir := s.archive()
	if dir == "" {
		return nil
	}
	return []string{"-c", "archive_mode=on", "-c", fmt.Sprintf("archive_command=cp %%p '%s/%%f.part' && mv '%s/%%f.part' '%s/%%f'", dir, dir, dir)}
}

// RestoreToTime starts a server for id holding source's data as it was at
// wall-clock time at: its base backup with its archived WAL replayed up
// to at (inclusive), on the address Reserve gave id (or a new one).
func (m *Manager) RestoreToTime(ctx context.Context, source, id string, at time.Time) (Endpoint, error) {
	src, err := m.reserved(source)
	if err != nil {
		return Endpoint{}, err
	}
	archive := src.archive()
	if archive == "" {
		return Endpoint{}, fmt.Errorf("dbserver: %s %w", source, ErrNoArchive)
	}
	if !src.running() {
		return Endpoint{}, fmt.Errorf("dbserver: source %s is not running", source)
	}
	b, err := os.ReadFile(filepath.Join(src.dir, baseFile))
	if err != nil {
		return Endpoint{}, err
	}
	if src.engine == MySQL {
		return m.restoreMariaToTime(ctx, src, id, string(b), at)
	}
	en := m.engines[Postgres].(*pgEngine)
	if err := en.archiveNow(ctx, src, archive); err != nil {
		return Endpoint{}, fmt.Errorf("dbserver: archive the WAL of %s: %w", source, err)
	}
	if _, err := m.Reserve(id, Postgres, 0); err != nil {
		return Endpoint{}, err
	}
	s, _ := m.reserved(id)
	err = func() error {
		if err := os.MkdirAll(s.dir, 0o755); err != nil {
			return err
		}
		if err := copyTree(string(b), s.dataDir()); err != nil {
			return fmt.Errorf("copy the base backup: %w", err)
		}
		// A segment is taken from the nearest archive that has it: past the
		// copy, a source's segment of the same name holds its own history.
		var fetch []string
		for _, a := range append([]string{archive}, src.parents()...) {
			fetch = append(fetch, fmt.Sprintf(`cp "%s/%%f" "%%p" 2>/dev/null`, a))
		}
		recovery := fmt.Sprintf("\n# dbaf sandbox: a point-in-time restore\nrestore_command = '%s'\nrecovery_target_time = '%s'\nrecovery_target_inclusive = on\nrecovery_target_action = 'promote'\n",
			strings.Join(fetch, " || "), at.UTC().Format("2006-01-02 15:04:05.999999+00"))
		if err := appendFile(filepath.Join(s.dataDir(), "postgresql.auto.conf"), recovery); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(s.dataDir(), "recovery.signal"), nil, 0o600); err != nil {
			return err
		}
		if err := m.inheritArchive(s, src); err != nil {
			return err
		}
		if err := m.runAs.chownTree(s.dir); err != nil {
			return err
		}
		if err := en.start(ctx, s); err != nil {
			return err
		}
		return en.awaitPromoted(ctx, s)
	}()
	if err != nil {
		m.discard(s)
		return Endpoint{}, fmt.Errorf("dbserver: restore %s to %s as %s: %w", source, at.UTC().Format(time.RFC3339Nano), id, err)
	}
	return s.ep, nil
}

func appendFile(path, text string) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	_, err = f.WriteString(text)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// archiveNow makes the source's WAL up to now reach its archive: a
// transaction (so that a commit later than any target time exists, which
// recovery needs to know it has gone far enough), then a switch to a new
// segment, and a wait until the finished one is archived.
func (e *pgEngine) archiveNow(ctx context.Context, s *server, archive string) error {
	c, err := e.connect(ctx, s, "postgres")
	if err != nil {
		return err
	}
	defer c.Close(context.Background())
	if _, err := c.Exec(ctx, "BEGIN; SELECT pg_current_xact_id(); COMMIT"); err != nil {
		return err
	}
	var segment string
	if err := c.QueryRow(ctx, "SELECT pg_walfile_name(pg_switch_wal())").Scan(&segment); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	return clock.Poll(ctx, nil, 20*time.Millisecond, func() (bool, error) {
		_, err := os.Stat(filepath.Join(archive, segment))
		return err == nil, nil
	})
}

// awaitPromoted waits until a restored server has replayed to its target
// and left recovery: it takes read-only logins before that.
func (e *pgEngine) awaitPromoted(ctx context.Context, s *server) error {
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	return clock.Poll(ctx, nil, 50*time.Millisecond, func() (bool, error) {
		if !s.running() {
			return false, fmt.Errorf("the server stopped while replaying the archive (see %s)", filepath.Join(s.dir, "server.log"))
		}
		c, err := e.connect(ctx, s, "postgres")
		if err != nil {
			return false, nil
		}
		defer c.Close(context.Background())
		var recovering bool
		if err := c.QueryRow(ctx, "SELECT pg_is_in_recovery()").Scan(&recovering); err != nil {
			return false, nil
		}
		return !recovering, nil
	})
}
