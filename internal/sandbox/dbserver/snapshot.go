package dbserver

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
)

// Snapshots are physical copies of a server's data kept apart, with no
// server on them: a cluster snapshot holds the data of the moment it was
// taken, and a restore starts a server on a copy of it.

// snapshotDir is where snapshot id's data is kept.
func (m *Manager) snapshotDir(id string) string {
	return filepath.Join(m.cfg.StateDir, "snapshots", id)
}

// Snapshot copies the data of source's running server, as it is now, into
// snapshot id (a hot physical backup, as a clone's copy is taken).
func (m *Manager) Snapshot(ctx context.Context, source, id string) error {
	src, err := m.reserved(source)
	if err != nil {
		return err
	}
	if !src.running() {
		return fmt.Errorf("dbserver: %s is not running", source)
	}
	dir := m.snapshotDir(id)
	part := dir + ".part"
	_ = os.RemoveAll(part)
	err = func() error {
		if err := os.MkdirAll(part, 0o755); err != nil {
			return err
		}
		src.copying.Lock()
		err := m.engines[src.engine].copyFrom(ctx, src, filepath.Join(part, "data"))
		src.copying.Unlock()
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(part, "engine"), []byte(src.engine), 0o644); err != nil {
			return err
		}
		return os.Rename(part, dir)
	}()
	if err != nil {
		_ = os.RemoveAll(part)
		return fmt.Errorf("dbserver: snapshot %s of %s: %w", id, source, err)
	}
	return nil
}

// HasSnapshot says whether snapshot id holds data.
func (m *Manager) HasSnapshot(id string) bool {
	_, err := os.Stat(filepath.Join(m.snapshotDir(id), "engine"))
	return err == nil
}

// RestoreSnapshot starts a server for id on a copy of snapshot snap's
// data, on the address Reserve gave id (or a new one).
func (m *Manager) RestoreSnapshot(ctx context.Context, snap, id string) (Endpoint, error) {
	b, err := os.ReadFile(filepath.Join(m.snapshotDir(snap), "engine"))
	if err != nil {
		return Endpoint{}, fmt.Errorf("dbserver: snapshot %s holds no data: %w", snap, err)
	}
	e := Engine(b)
	en, ok := m.engines[e]
	if !ok {
		return Endpoint{}, fmt.Errorf("dbserver: snapshot %s is of an unknown engine %q", snap, e)
	}
	if _, err := m.Reserve(id, e, 0); err != nil {
		return Endpoint{}, err
	}
	s, _ := m.reserved(id)
	err = func() error {
		if err := os.MkdirAll(s.dir, 0o755); err != nil {
			return err
		}
		if err := copyTree(filepath.Join(m.snapshotDir(snap), "data"), s.dataDir()); err != nil {
			return fmt.Errorf("copy the snapshot: %w", err)
		}
		// Its history starts at the snapshot: a second copy, its own (the
		// snapshot may be deleted), is the base its archive replays onto.
		base := filepath.Join(s.dir, "base")
		if err := copyTree(filepath.Join(m.snapshotDir(snap), "data"), base); err != nil {
			return fmt.Errorf("copy the snapshot: %w", err)
		}
		if err := m.keepArchive(s, base, nil); err != nil {
			return err
		}
		if err := m.runAs.chownTree(s.dir); err != nil {
			return err
		}
		return en.start(ctx, s)
	}()
	if err != nil {
		m.discard(s)
		return Endpoint{}, fmt.Errorf("dbserver: restore snapshot %s to %s: %w", snap, id, err)
	}
	return s.ep, nil
}

// RemoveSnapshot deletes snapshot id's data; an unknown id is no error.
func (m *Manager) RemoveSnapshot(id string) error {
	return os.RemoveAll(m.snapshotDir(id))
}

// cleanSnapshots removes the snapshots a crashed run left but those keep
// names (Config.KeepSnapshots), and half-taken ones; with keep nil, all.
func (m *Manager) cleanSnapshots(keep []string) error {
	parent := filepath.Join(m.cfg.StateDir, "snapshots")
	entries, err := os.ReadDir(parent)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	var errs []error
	for _, e := range entries {
		if !slices.Contains(keep, e.Name()) {
			errs = append(errs, os.RemoveAll(filepath.Join(parent, e.Name())))
		}
	}
	return errors.Join(errs...)
}
