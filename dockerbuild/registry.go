package dockerbuild

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"syscall"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// Push publishes img as ref, bounded by t, with credentials from the usual
// Docker config (~/.docker/config.json, credential helpers), and returns
// its digest. Registries on localhost or 127.0.0.1 are reached over plain
// HTTP.
func (t Timeouts) Push(ctx context.Context, img v1.Image, ref string, p Progress) (string, error) {
	r, err := name.ParseReference(ref)
	if err != nil {
		return "", fmt.Errorf("push reference %q: %w (want e.g. registry.example.com/team/db-artifact:latest)", ref, err)
	}
	updates := make(chan v1.Update, 16)
	done := make(chan struct{})
	go func() {
		defer close(done)
		last := int64(-1)
		for u := range updates {
			// One line per tenth, not per chunk.
			if u.Total > 0 && (u.Complete == u.Total || u.Complete*10/u.Total != last) {
				last = u.Complete * 10 / u.Total
				p.say("pushed %s of %s", HumanSize(u.Complete), HumanSize(u.Total))
			}
		}
	}()
	err = remote.Write(r, img, remote.WithContext(ctx), remote.WithAuthFromKeychain(authn.DefaultKeychain), remote.WithProgress(updates),
		remote.WithTransport(t.registryTransport()), remote.WithRetryPredicate(retryable))
	<-done
	if err != nil {
		reg := r.Context().RegistryStr()
		if isTimeout(err) && ctx.Err() == nil {
			err = fmt.Errorf("registry %s gave no answer within %s: %w", reg, t.orDefaults().Response, err)
		}
		return "", fmt.Errorf("pushing to %s: %w\n(check the reference, that the registry is up, and that you may push there: docker login %s)", reg, err, reg)
	}
	d, err := img.Digest()
	if err != nil {
		return "", err
	}
	return d.String(), nil
}

// ReadRemoteFile returns the file at path inside the image ref in its
// registry, bounded by t, without pulling the image into an engine.
func (t Timeouts) ReadRemoteFile(ctx context.Context, ref, path string) ([]byte, error) {
	r, err := name.ParseReference(ref)
	if err != nil {
		return nil, fmt.Errorf("image reference %q: %w", ref, err)
	}
	img, err := remote.Image(r, remote.WithContext(ctx), remote.WithAuthFromKeychain(authn.DefaultKeychain), remote.WithTransport(t.registryTransport()), remote.WithRetryPredicate(retryable))
	if err != nil {
		if isTimeout(err) && ctx.Err() == nil {
			return nil, fmt.Errorf("reading image %s: registry %s gave no answer within %s: check that it is up and reachable", ref, r.Context().RegistryStr(), t.orDefaults().Response)
		}
		return nil, fmt.Errorf("reading image %s from its registry: %w", ref, err)
	}
	return fileFromImage(img, path)
}

// registryTransport is go-containerregistry's default transport with t's
// bounds.
func (t Timeouts) registryTransport() http.RoundTripper {
	return t.transport(remote.DefaultTransport.(*http.Transport))
}

// retryable retries a dropped connection, not a registry that said nothing
// for the whole response timeout: retrying that would multiply the wait.
func retryable(err error) bool {
	if isTimeout(err) {
		return false
	}
	return errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}
