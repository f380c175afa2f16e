package dockerbuild

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	units "github.com/docker/go-units"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/moby/moby/client"
	"github.com/moby/moby/client/pkg/jsonmessage"
)

// Engine is a connection to the Docker engine, through its HTTP API.
type Engine struct {
	c *client.Client
}

// Info is what dbaf reads back about an image in the engine.
type Info struct {
	ID           string
	Tags         []string
	Size         int64 // bytes, as the engine counts them
	Created      string
	Architecture string
	OS           string
	Labels       map[string]string
	Entrypoint   []string
	Cmd          []string
	Env          []string
}

// NotFoundError says the engine has no such image.
type NotFoundError struct{ Ref string }

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("no image %s in the Docker engine: build it with \"dbaf build\", or pull it", e.Ref)
}

// Timeouts bound every request to the Docker engine or a registry: the
// connection (TCP and TLS handshakes) and the wait for the response to
// start, so an endpoint that accepts and never answers fails instead of
// hanging. Zero fields take the defaults.
type Timeouts struct {
	Dial, Response time.Duration
}

// Default timeouts: a local engine answers in milliseconds and a registry
// in seconds; an image load or push streams its body first and is only
// then waiting.
const (
	DefaultConnectTimeout  = 10 * time.Second
	DefaultResponseTimeout = 20 * time.Second
)

func (t Timeouts) orDefaults() Timeouts {
	if t.Dial <= 0 {
		t.Dial = DefaultConnectTimeout
	}
	if t.Response <= 0 {
		t.Response = DefaultResponseTimeout
	}
	return t
}

// transport is a fresh HTTP transport bounded by t.
func (t Timeouts) transport(base *http.Transport) *http.Transport {
	t = t.orDefaults()
	tr := base.Clone()
	tr.DialContext = (&net.Dialer{Timeout: t.Dial, KeepAlive: 30 * time.Second}).DialContext
	tr.TLSHandshakeTimeout = t.Dial
	tr.ResponseHeaderTimeout = t.Response
	return tr
}

// Connect reaches the engine named by DOCKER_HOST (or the default socket)
// and checks it answers, so a stopped or silent engine is reported before
// any work.
func (t Timeouts) Connect(ctx context.Context) (*Engine, error) {
	t = t.orDefaults()
	// The client sets its own dialer per DOCKER_HOST (unix socket, TCP) on
	// this transport; the response timeout stays.
	hc := &http.Client{Transport: &http.Transport{ResponseHeaderTimeout: t.Response, TLSHandshakeTimeout: t.Dial},
		CheckRedirect: client.CheckRedirect}
	opts := []client.Opt{client.WithHTTPClient(hc), client.WithHost(client.DefaultDockerHost), client.FromEnv}
	if os.Getenv("DOCKER_CERT_PATH") == "" {
		// The client picks https when its transport has a TLS config, which
		// a cloned transport always has; only DOCKER_CERT_PATH means TLS.
		opts = append(opts, client.WithScheme("http"))
	}
	c, err := client.New(opts...)
	if err != nil {
		return nil, fmt.Errorf("cannot set up the Docker client: %w (check DOCKER_HOST, DOCKER_CERT_PATH and DOCKER_TLS_VERIFY)", err)
	}
	// The dialer the client picked has its own, longer connect timeout.
	pctx, cancel := context.WithTimeout(ctx, t.Dial+t.Response)
	defer cancel()
	if _, err := c.Ping(pctx, client.PingOptions{NegotiateAPIVersion: true}); err != nil {
		host := c.DaemonHost()
		c.Close()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		why := unwrapAll(err)
		if pctx.Err() != nil || isTimeout(err) {
			why = fmt.Sprintf("no answer within %s", t.Response)
		}
		return nil, fmt.Errorf("cannot reach the Docker engine at %s%s: %s; start Docker, or set DOCKER_HOST to where it listens", host, fromEnv("DOCKER_HOST"), why)
	}
	return &Engine{c: c}, nil
}

// fromEnv says that a value came from the environment variable name.
func fromEnv(name string) string {
	if os.Getenv(name) != "" {
		return " (set by " + name + ")"
	}
	return ""
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout() || errors.Is(err, context.DeadlineExceeded)
}

// unwrapAll keeps a transport error's last, most specific sentence.
func unwrapAll(err error) string {
	s := err.Error()
	if i := strings.LastIndex(s, ": "); i >= 0 && strings.Contains(s, "connect") {
		return s[i+2:]
	}
	return s
}

// Close releases the connection.
func (e *Engine) Close() error { return e.c.Close() }

// Load loads img into the engine tagged tag and returns its image ID.
func (e *Engine) Load(ctx context.Context, img v1.Image, tag string, p Progress) (string, error) {
	ref, err := name.NewTag(tag)
	if err != nil {
		return "", fmt.Errorf("image tag %q: %w (want e.g. db-artifact:latest)", tag, err)
	}
	id, err := img.ConfigName()
	if err != nil {
		return "", err
	}
	if size, err := imageSize(img); err == nil {
		p.say("sending %s (%s) to the engine", tag, HumanSize(size))
	}
	pr, pw := io.Pipe()
	go func() {
		// docker-save format, which /images/load reads.
		pw.CloseWithError(tarball.Write(ref, img, pw))
	}()
	res, err := e.c.ImageLoad(ctx, pr, client.ImageLoadWithQuiet(false))
	if err != nil {
		pr.CloseWithError(err)
		return "", fmt.Errorf("loading the image into the Docker engine: %w", err)
	}
	defer res.Close()
	if err := readMessages(res, p); err != nil {
		pr.CloseWithError(err)
		return "", fmt.Errorf("loading the image into the Docker engine: %w", err)
	}
	return id.String(), nil
}

// readMessages reads the engine's JSON message stream, forwarding its lines
// and returning the first error it reports. The engine repeats a status
// for each progress tick of each layer ("Loading layer" …) and the line
// names neither: each distinct line is forwarded once.
func readMessages(r io.Reader, p Progress) error {
	w := &lineWriter{p: p}
	err := jsonmessage.DisplayStream(r, w)
	w.flush()
	return err
}

// lineWriter turns what jsonmessage prints into one Progress line per
// non-blank line.
type lineWriter struct {
	p    Progress
	buf  []byte
	seen map[string]bool
}

func (w *lineWriter) Write(b []byte) (int, error) {
	w.buf = append(w.buf, b...)
	for {
		i := bytes.IndexAny(w.buf, "\r\n")
		if i < 0 {
			return len(b), nil
		}
		w.say(w.buf[:i])
		w.buf = w.buf[i+1:]
	}
}

func (w *lineWriter) flush() {
	w.say(w.buf)
	w.buf = nil
}

func (w *lineWriter) say(line []byte) {
	if s := strings.TrimSpace(string(line)); s != "" && !w.seen[s] {
		if w.seen == nil {
			w.seen = map[string]bool{}
		}
		w.seen[s] = true
		w.p.say("%s", s)
	}
}

// ListLabeled lists the engine's images that carry label (the artifact
// images, by their schema label), with their tags, labels and creation
// time (RFC 3339).
func (e *Engine) ListLabeled(ctx context.Context, label string) ([]Info, error) {
	res, err := e.c.ImageList(ctx, client.ImageListOptions{Filters: client.Filters{}.Add("label", label)})
	if err != nil {
		return nil, fmt.Errorf("listing images in the Docker engine: %w", err)
	}
	out := make([]Info, 0, len(res.Items))
	for _, s := range res.Items {
		out = append(out, Info{ID: s.ID, Tags: s.RepoTags, Size: s.Size, Labels: s.Labels,
			Created: time.Unix(s.Created, 0).UTC().Format(time.RFC3339)})
	}
	return out, nil
}

// Inspect reads an image's metadata.
func (e *Engine) Inspect(ctx context.Context, ref string) (Info, error) {
	r, err := e.c.ImageInspect(ctx, ref)
	if err != nil {
		if cerrdefs.IsNotFound(err) {
			return Info{}, &NotFoundError{Ref: ref}
		}
		return Info{}, fmt.Errorf("inspecting image %s: %w", ref, err)
	}
	info := Info{
		ID: r.ID, Tags: r.RepoTags, Size: r.Size, Created: r.Created,
		Architecture: r.Architecture, OS: r.Os,
	}
	if r.Config != nil {
		info.Labels = r.Config.Labels
		info.Entrypoint = r.Config.Entrypoint
		info.Cmd = r.Config.Cmd
		info.Env = r.Config.Env
	}
	return info, nil
}

// ReadFile returns the file at path inside the image ref in the engine,
// without running it.
func (e *Engine) ReadFile(ctx context.Context, ref, path string) ([]byte, error) {
	if _, err := e.Inspect(ctx, ref); err != nil {
		return nil, err
	}
	res, err := e.c.ImageSave(ctx, []string{ref})
	if err != nil {
		return nil, fmt.Errorf("reading image %s from the engine: %w", ref, err)
	}
	defer res.Close()
	data, err := io.ReadAll(res)
	if err != nil {
		return nil, fmt.Errorf("reading image %s from the engine: %w", ref, err)
	}
	var tag *name.Tag
	if t, err := name.NewTag(ref); err == nil && !strings.HasPrefix(ref, "sha256:") {
		tag = &t
	}
	img, err := tarball.Image(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(data)), nil
	}, tag)
	if err != nil {
		return nil, fmt.Errorf("reading image %s: %w", ref, err)
	}
	return fileFromImage(img, path)
}

// Remove deletes an image from the engine (used to clean up after tests and
// failed builds). A missing image is not an error.
func (e *Engine) Remove(ctx context.Context, ref string) error {
	_, err := e.c.ImageRemove(ctx, ref, client.ImageRemoveOptions{Force: true, PruneChildren: true})
	if err != nil && !cerrdefs.IsNotFound(err) {
		return fmt.Errorf("removing image %s: %w", ref, err)
	}
	return nil
}

func imageSize(img v1.Image) (int64, error) {
	ls, err := img.Layers()
	if err != nil {
		return 0, err
	}
	var n int64
	for _, l := range ls {
		s, err := l.Size()
		if err != nil {
			return 0, err
		}
		n += s
	}
	return n, nil
}

// decimalUnits are the units `docker images` shows sizes in.
var decimalUnits = []string{"B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"}

// HumanSize formats a byte count the one way dbaf shows sizes: decimal
// units with one decimal, as `docker images` does ("24.9 MB", "512 B").
func HumanSize(n int64) string {
	if n < 1000 && n > -1000 {
		return fmt.Sprintf("%d B", n)
	}
	return units.CustomSize("%.1f %s", float64(n), 1000, decimalUnits)
}
