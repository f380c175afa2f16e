package dbserver

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Point-in-time restores for MariaDB sources: a seeded source writes its
// binary log into its archive directory from the moment it starts on a
// copy of the template (its base). A restore copies the base, starts a
// server on it and replays the binary log up to the time
// (mariadb-binlog | mariadb). The binary log stamps events to the second;
// at a move of the account's clock (MarkTime) each source's binary log
// position is recorded, so that a time the move jumped over (which maps to
// the move's wall-clock instant) replays exactly what was committed
// before it. Clones of MariaDB keep no binary log.

const marksFile = "binlog-marks" // in a server's directory: "wall<TAB>file<TAB>pos" lines

// mariaBinlogArgs are the server options for s's binary log: on, into its
// archive, when it keeps one; off otherwise.
func mariaBinlogArgs(s *server) []string {
	dir := s.archive()
	if dir == "" {
		return []string{"--skip-log-bin"}
	}
	// The binary log is the sandbox's means to restore to a time, not one
	// Aurora's master would see (Aurora MySQL's is off by default): with
	// it on, a master without SUPER (Aurora's) could create no function
	// or trigger unless the log trusts their creators.
	return []string{"--log-bin=" + filepath.Join(dir, "bin"), "--server-id=1", "--sync-binlog=0", "--log-bin-trust-function-creators=1"}
}

// MarkTime records, for every running MariaDB server that keeps a binary
// log, its position at wall-clock instant at (a move of the account's
// clock), so that a restore to that instant stops exactly there.
func (m *Manager) MarkTime(ctx context.Context, at time.Time) {
	m.mu.Lock()
	var list []*server
	for _, s := range m.servers {
		if s.engine == MySQL && s.archive() != "" && s.running() {
			list = append(list, s)
		}
	}
	m.mu.Unlock()
	en := m.engines[MySQL].(*mariaEngine)
	for _, s := range list {
		file, pos, err := en.binlogPosition(ctx, s)
		if err == nil {
			err = appendFile(filepath.Join(s.dir, marksFile), fmt.Sprintf("%s\t%s\t%d\n", at.UTC().Format(time.RFC3339Nano), file, pos))
		}
		if err != nil {
			fmt.Fprintf(m.cfg.Log, "dbaf sandbox: cannot mark the binary log of %s at the clock's move: %v\n", s.id, err)
		}
	}
}

func (e *mariaEngine) binlogPosition(ctx context.Context, s *server) (string, int64, error) {
	db, err := e.connect(s, "")
	if err != nil {
		return "", 0, err
	}
	defer db.Close()
	var file string
	var pos int64
	var doDB, ignoreDB string
	err = db.QueryRowContext(ctx, "SHOW MASTER STATUS").Scan(&file, &pos, &doDB, &ignoreDB)
	return file, pos, err
}

// mark is the binary log position recorded at wall-clock instant at, if any.
func (s *server) mark(at time.Time) (file string, pos int64, ok bool) {
	f, err := os.Open(filepath.Join(s.dir, marksFile))
	if err != nil {
		return "", 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		p := strings.Split(sc.Text(), "\t")
		if len(p) != 3 {
			continue
		}
		w, err := time.Parse(time.RFC3339Nano, p[0])
		n, perr := strconv.ParseInt(p[2], 10, 64)
		if err == nil && perr == nil && w.Equal(at) {
			file, pos, ok = p[1], n, true
		}
	}
	return file, pos, ok
}

// replayTo replays src's binary log into the restored server s up to
// wall-clock instant at: to the position marked at that instant, else to
// the end of at's second (the binary log's grain).
func (e *mariaEngine) replayTo(ctx context.Context, src, s *server, at time.Time) error {
	binlog, err := exec.LookPath("mariadb-binlog")
	if err != nil {
		return fmt.Errorf("mariadb-binlog not found: install Debian's mariadb-client package: %w", err)
	}
	client, err := exec.LookPath("mariadb")
	if err != nil {
		return fmt.Errorf("mariadb (the client) not found: install Debian's mariadb-client package: %w", err)
	}
	// Close the file being written, so that every event is in a finished one.
	db, err := e.connect(src, "")
	if err != nil {
		return err
	}
	_, err = db.ExecContext(ctx, "FLUSH BINARY LOGS")
	db.Close()
	if err != nil {
		return err
	}
	index, err := os.ReadFile(filepath.Join(src.archive(), "bin.index"))
	if err != nil {
		return err
	}
	args := []string{"--no-defaults"}
	var files []string
	markFile, markPos, marked := src.mark(at)
	for _, f := range strings.Fields(string(index)) {
		if !filepath.IsAbs(f) {
			f = filepath.Join(src.archive(), filepath.Base(f))
		}
		files = append(files, f)
		if marked && filepath.Base(f) == markFile {
			break
		}
	}
	if marked {
		args = append(args, "--stop-position="+strconv.FormatInt(markPos, 10))
	} else {
		args = append(args, "--stop-datetime="+at.UTC().Truncate(time.Second).Add(time.Second).Format("2006-01-02 15:04:05"))
	}
	cnf := filepath.Join(s.dir, "replay.cnf")
	body := fmt.Sprintf("[client]\nuser=%s\npassword=%s\nhost=%s\nport=%d\nprotocol=tcp\nssl-verify-server-cert=0\n", AdminUser, e.m.secrets.Admin, s.ep.Host, s.ep.Port)
	if err := os.WriteFile(cnf, []byte(body), 0o600); err != nil {
		return err
	}
	defer os.Remove(cnf)
	read := exec.CommandContext(ctx, binlog, append(args, files...)...)
	read.Env = append(os.Environ(), "TZ=UTC")
	apply := exec.CommandContext(ctx, client, "--defaults-file="+cnf)
	var readErr, applyOut bytes.Buffer
	read.Stderr = &readErr
	apply.Stdout, apply.Stderr = &applyOut, &applyOut
	if apply.Stdin, err = read.StdoutPipe(); err != nil {
		return err
	}
	if err := read.Start(); err != nil {
		return err
	}
	applyErr := apply.Run()
	if err := read.Wait(); err != nil {
		return fmt.Errorf("mariadb-binlog: %w: %s", err, lastLines(readErr.String(), 8))
	}
	if applyErr != nil {
		return fmt.Errorf("replaying the binary log: %w: %s", applyErr, lastLines(applyOut.String(), 8))
	}
	return nil
}

// restoreMariaToTime starts a server for id on a copy of src's base and
// replays src's binary log into it up to at.
func (m *Manager) restoreMariaToTime(ctx context.Context, src *server, id, base string, at time.Time) (Endpoint, error) {
	if _, err := m.Reserve(id, MySQL, 0); err != nil {
		return Endpoint{}, err
	}
	s, _ := m.reserved(id)
	en := m.engines[MySQL].(*mariaEngine)
	err := func() error {
		if err := os.MkdirAll(s.dir, 0o755); err != nil {
			return err
		}
		if err := copyTree(base, s.dataDir()); err != nil {
			return fmt.Errorf("copy the base backup: %w", err)
		}
		if err := m.runAs.chownTree(s.dir); err != nil {
			return err
		}
		if err := en.start(ctx, s); err != nil {
			return err
		}
		return en.replayTo(ctx, src, s, at)
	}()
	if err != nil {
		m.discard(s)
		return Endpoint{}, fmt.Errorf("dbserver: restore %s to %s as %s: %w", src.id, at.UTC().Format(time.RFC3339Nano), id, err)
	}
	return s.ep, nil
}
