package dockerbuild

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"runtime"
	"sort"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// BinaryPath is where the dbaf binary sits in every artifact image.
const BinaryPath = "/dbaf"

// Progress receives human-readable progress lines. It may be nil.
type Progress func(line string)

func (p Progress) say(format string, args ...any) {
	if p != nil {
		p(fmt.Sprintf(format, args...))
	}
}

// Spec is everything an image is made of. Image(spec) is a pure function of
// it: the same spec (and binary bytes) always gives the same image ID.
type Spec struct {
	Binary     string            // path of a static linux binary, placed at BinaryPath
	File       []byte            // the one data file the image carries
	FilePath   string            // absolute path of File in the image
	Labels     map[string]string // image labels; never secrets
	Created    time.Time         // image and file timestamps; never the build clock
	Arch       string            // GOARCH of the image; "" = this machine's
	Entrypoint []string
	Cmd        []string
	Env        []string // added after PATH and HOME
}

// archMachine maps GOARCH to the ELF machine a binary for it has.
var archMachine = map[string]elf.Machine{
	"amd64":   elf.EM_X86_64,
	"arm64":   elf.EM_AARCH64,
	"386":     elf.EM_386,
	"arm":     elf.EM_ARM,
	"ppc64le": elf.EM_PPC64,
	"s390x":   elf.EM_S390,
	"riscv64": elf.EM_RISCV,
}

// CheckBinary says whether path is a static linux executable for arch
// ("" = this machine's), the only kind that runs in an image with no base.
func CheckBinary(path, arch string) error {
	if arch == "" {
		arch = runtime.GOARCH
	}
	want, ok := archMachine[arch]
	if !ok {
		return fmt.Errorf("unknown architecture %q: use one of amd64, arm64", arch)
	}
	f, err := elf.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("dbaf binary %s does not exist: pass a static linux/%s dbaf with --dbaf-binary", path, arch)
		}
		var fe *elf.FormatError
		if errors.As(err, &fe) || errors.Is(err, io.EOF) {
			return fmt.Errorf("%s is not a linux executable (ELF): the image needs a static linux/%s dbaf; build one with CGO_ENABLED=0 GOOS=linux GOARCH=%s go build -trimpath -ldflags \"-s -w\" and pass it with --dbaf-binary", path, arch, arch)
		}
		return fmt.Errorf("reading dbaf binary %s: %w", path, err)
	}
	defer f.Close()
	if f.Machine != want {
		return fmt.Errorf("%s is built for %s, but the image is for linux/%s: pass a linux/%s dbaf with --dbaf-binary, or choose the image architecture with --arch", path, machineName(f.Machine), arch, arch)
	}
	if f.Type != elf.ET_EXEC && f.Type != elf.ET_DYN {
		return fmt.Errorf("%s is not an executable (ELF type %s): pass a static linux/%s dbaf with --dbaf-binary", path, f.Type, arch)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			interp, _ := io.ReadAll(io.LimitReader(p.Open(), 256))
			return fmt.Errorf("%s is not a static binary (it needs the dynamic loader %s, which an image with no base does not have): build it with CGO_ENABLED=0 and pass it with --dbaf-binary", path, strings.TrimRight(string(interp), "\x00"))
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		return fmt.Errorf("%s is not a static binary (it links %s): build it with CGO_ENABLED=0 and pass it with --dbaf-binary", path, strings.Join(libs, ", "))
	}
	return nil
}

func machineName(m elf.Machine) string {
	for a, mm := range archMachine {
		if mm == m {
			return "linux/" + a
		}
	}
	return m.String()
}

// Image assembles the image described by spec: one layer on no base image.
func Image(spec Spec) (v1.Image, error) {
	if spec.Arch == "" {
		spec.Arch = runtime.GOARCH
	}
	if !path.IsAbs(spec.FilePath) || path.Clean(spec.FilePath) == "/" || path.Clean(spec.FilePath) == BinaryPath {
		return nil, fmt.Errorf("file path %q: want an absolute path other than / and %s", spec.FilePath, BinaryPath)
	}
	bin, err := os.ReadFile(spec.Binary)
	if err != nil {
		return nil, fmt.Errorf("reading dbaf binary: %w", err)
	}
	created := spec.Created.UTC().Truncate(time.Second)
	layerTar, err := layer(created, bin, strings.TrimPrefix(path.Clean(spec.FilePath), "/"), spec.File)
	if err != nil {
		return nil, err
	}
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(layerTar)), nil
	}, tarball.WithCompressionLevel(gzip.BestSpeed))
	if err != nil {
		return nil, fmt.Errorf("making the image layer: %w", err)
	}
	img, err := mutate.Append(empty.Image, mutate.Addendum{
		Layer:   l,
		History: v1.History{Created: v1.Time{Time: created}, CreatedBy: "dbaf build", Comment: "dbaf binary and artifact file"},
	})
	if err != nil {
		return nil, fmt.Errorf("making the image: %w", err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.Architecture = spec.Arch
	cf.OS = "linux"
	cf.Created = v1.Time{Time: created}
	labels := make(map[string]string, len(spec.Labels))
	for k, v := range spec.Labels {
		labels[k] = v
	}
	cf.Config = v1.Config{
		Entrypoint: spec.Entrypoint,
		Cmd:        spec.Cmd,
		// HOME lets the AWS SDK find a ~/.aws mounted at /root/.aws.
		Env:        append([]string{"PATH=/", "HOME=/root"}, spec.Env...),
		Labels:     labels,
		WorkingDir: "/",
	}
	return mutate.ConfigFile(img, cf)
}

// layer writes a deterministic tar: fixed order, owner, modes and times.
func layer(created time.Time, bin []byte, filePath string, file []byte) ([]byte, error) {
	dirs := map[string]bool{"root/": true, "tmp/": true}
	for d := path.Dir(filePath); d != "." && d != "/"; d = path.Dir(d) {
		dirs[d+"/"] = true
	}
	names := make([]string, 0, len(dirs))
	for d := range dirs {
		names = append(names, d)
	}
	sort.Strings(names)

	var buf bytes.Buffer
	buf.Grow(len(bin) + len(file) + 16<<10)
	tw := tar.NewWriter(&buf)
	hdr := func(name string, typ byte, mode int64, size int64) *tar.Header {
		return &tar.Header{Name: name, Typeflag: typ, Mode: mode, Size: size, ModTime: created, Format: tar.FormatPAX}
	}
	for _, d := range names {
		mode := int64(0o755)
		if d == "tmp/" {
			mode = 0o1777
		}
		if err := tw.WriteHeader(hdr(d, tar.TypeDir, mode, 0)); err != nil {
			return nil, err
		}
	}
	for _, f := range []struct {
		name string
		mode int64
		data []byte
	}{{strings.TrimPrefix(BinaryPath, "/"), 0o755, bin}, {filePath, 0o644, file}} {
		if err := tw.WriteHeader(hdr(f.name, tar.TypeReg, f.mode, int64(len(f.data)))); err != nil {
			return nil, err
		}
		if _, err := tw.Write(f.data); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// fileFromImage returns the content of the regular file at p in img.
func fileFromImage(img v1.Image, p string) ([]byte, error) {
	want := strings.TrimPrefix(path.Clean(p), "/")
	rc := mutate.Extract(img)
	defer rc.Close()
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil, fmt.Errorf("the image has no file %s: is it a dbaf artifact image?", p)
		}
		if err != nil {
			return nil, fmt.Errorf("reading the image's files: %w", err)
		}
		if strings.TrimPrefix(path.Clean(h.Name), "/") == want && h.Typeflag == tar.TypeReg {
			return io.ReadAll(io.LimitReader(tr, 16<<20))
		}
	}
}
