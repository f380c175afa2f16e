package dockerbuild

import (
	"context"
	"fmt"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// Push publishes img as ref, with credentials from the usual Docker config
// (~/.docker/config.json, credential helpers), and returns its digest.
// Registries on localhost or 127.0.0.1 are reached over plain HTTP.
func Push(ctx context.Context, img v1.Image, ref string, p Progress) (string, error) {
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
				p.say("pushed %s of %s", humanBytes(u.Complete), humanBytes(u.Total))
			}
		}
	}()
	err = remote.Write(r, img, remote.WithContext(ctx), remote.WithAuthFromKeychain(authn.DefaultKeychain), remote.WithProgress(updates))
	<-done
	if err != nil {
		reg := r.Context().RegistryStr()
		return "", fmt.Errorf("pushing to %s: %w\n(check the reference, that the registry is up, and that you may push there: docker login %s)", reg, err, reg)
	}
	d, err := img.Digest()
	if err != nil {
		return "", err
	}
	return d.String(), nil
}

// ReadRemoteFile returns the file at path inside the image ref in its
// registry, without pulling the image into an engine.
func ReadRemoteFile(ctx context.Context, ref, path string) ([]byte, error) {
	r, err := name.ParseReference(ref)
	if err != nil {
		return nil, fmt.Errorf("image reference %q: %w", ref, err)
	}
	img, err := remote.Image(r, remote.WithContext(ctx), remote.WithAuthFromKeychain(authn.DefaultKeychain))
	if err != nil {
		return nil, fmt.Errorf("reading image %s from its registry: %w", ref, err)
	}
	return fileFromImage(img, path)
}
