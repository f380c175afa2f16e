package dbserver

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// trustedAsOnAurora are the extensions Aurora lets its master user create
// that PostgreSQL itself marks untrusted (superuser only); pgcrypto,
// pg_trgm and the other contrib extensions Aurora supports are trusted
// already.
var trustedAsOnAurora = []string{"pg_stat_statements"}

// serverBinary is the postgres binary the servers run. PostgreSQL finds its
// share directory (with the extensions' control files) relative to its own
// binary, as a relocatable installation; so the sandbox runs a copy of the
// binary in an overlay of the installation under its state directory,
// whose control files for trustedAsOnAurora say trusted = true, and leaves
// the machine's installation alone. Where the installation is not laid out
// as Debian's (prefix/lib/postgresql/N/bin, prefix/share/postgresql/N), it
// runs the machine's binary and says so once: those extensions stay the
// superuser's.
func (e *pgEngine) serverBinary() string {
	e.overlayOnce.Do(func() {
		e.overlayBin, e.overlayErr = e.makeOverlay()
		if e.overlayErr != nil {
			fmt.Fprintf(e.m.cfg.Log, "dbaf sandbox: PostgreSQL's master user cannot create %s (only the sandbox's superuser can): %v\n",
				strings.Join(trustedAsOnAurora, ", "), e.overlayErr)
		}
	})
	if e.overlayErr != nil {
		return e.bin("postgres")
	}
	return e.overlayBin
}

func (e *pgEngine) makeOverlay() (string, error) {
	major := filepath.Base(filepath.Dir(e.bindir))
	tail := filepath.Join("lib", "postgresql", major, "bin")
	if !strings.HasSuffix(e.bindir, string(filepath.Separator)+tail) {
		return "", fmt.Errorf("%s is not PREFIX/%s", e.bindir, tail)
	}
	prefix := strings.TrimSuffix(e.bindir, string(filepath.Separator)+tail)
	share := filepath.Join(prefix, "share", "postgresql", major)
	if _, err := os.Stat(filepath.Join(share, "extension")); err != nil {
		return "", err
	}
	root := filepath.Join(e.m.cfg.StateDir, "pg-install-"+major)
	if err := os.RemoveAll(root); err != nil {
		return "", err
	}
	bin := filepath.Join(root, tail)
	ext := filepath.Join(root, "share", "postgresql", major, "extension")
	for _, d := range []string{bin, ext} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return "", err
		}
	}
	// A copy, not a link: PostgreSQL resolves links to find itself.
	if err := copyFile(filepath.Join(e.bindir, "postgres"), filepath.Join(bin, "postgres"), 0o755); err != nil {
		return "", err
	}
	links := map[string]string{
		filepath.Join(prefix, "lib", "postgresql", major, "lib"): filepath.Join(root, "lib", "postgresql", major, "lib"),
		filepath.Join(prefix, "share", "locale"):                 filepath.Join(root, "share", "locale"),
	}
	for _, dir := range []string{share, filepath.Join(share, "extension")} {
		entries, err := os.ReadDir(dir)
		if err != nil {
			return "", err
		}
		rel, _ := filepath.Rel(share, dir)
		for _, en := range entries {
			if dir == share && en.Name() == "extension" {
				continue
			}
			links[filepath.Join(dir, en.Name())] = filepath.Join(root, "share", "postgresql", major, rel, en.Name())
		}
	}
	for _, name := range trustedAsOnAurora {
		control := filepath.Join(share, "extension", name+".control")
		b, err := os.ReadFile(control)
		if err != nil {
			return "", err
		}
		delete(links, control)
		if err := os.WriteFile(filepath.Join(ext, name+".control"), append(b, "\n# dbaf sandbox: as Aurora allows its master user\ntrusted = true\n"...), 0o644); err != nil {
			return "", err
		}
	}
	for target, link := range links {
		if _, err := os.Stat(target); err != nil {
			continue // no locale directory, say
		}
		if err := os.Symlink(target, link); err != nil {
			return "", err
		}
	}
	if err := e.m.runAs.reach(bin); err != nil {
		return "", err
	}
	return filepath.Join(bin, "postgres"), nil
}
