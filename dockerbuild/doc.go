// Package dockerbuild turns a resolved artifact file plus a static linux dbaf
// binary into an OCI image with no base image, loads it into the Docker
// engine, pushes it to a registry, and reads an artifact back out of an image.
// It knows nothing about what the artifact means: it carries bytes and labels.
package dockerbuild
