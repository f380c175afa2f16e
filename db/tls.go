package db

import (
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
)

// rdsBundle is AWS's RDS certificate bundle for all regions
// (https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem): the
// RSA2048, RSA4096 and ECC384 G1 root of every region. docs/cloning.md says
// where this copy came from and how to refresh it.
//
//go:embed rdsca/global-bundle.pem
var rdsBundle []byte

// RDSBundle is the embedded RDS certificate bundle, PEM.
func RDSBundle() []byte { return rdsBundle }

// CA is what a server's certificate must chain to: the certificates, and
// the file that holds them, which the psql and mysql lines name.
type CA struct {
	// Path is a PEM file holding these certificates, for the clients dbaf
	// starts or prints (sslrootcert, --ssl-ca); "" when there is none.
	Path string
	// Source says where the certificates came from, for messages: the
	// file, or "AWS's RDS bundle built into dbaf".
	Source string
	pem    []byte
	pool   *x509.CertPool
}

// NewCA reads PEM certificates. source names them in errors.
func NewCA(pemCerts []byte, path, source string) (*CA, error) {
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pemCerts) {
		return nil, fmt.Errorf("%s holds no PEM certificate: give a CA bundle such as AWS's global-bundle.pem", source)
	}
	return &CA{Path: path, Source: source, pem: pemCerts, pool: pool}, nil
}

// At is ca kept in the file at path instead.
func (ca *CA) At(path string) *CA {
	c := *ca
	c.Path = path
	return &c
}

// PEM is the certificates as they were read, for dbaf ca-bundle to print.
func (ca *CA) PEM() []byte { return ca.pem }

// BuiltinSource names the embedded bundle in messages.
const BuiltinSource = "AWS's RDS certificate bundle built into dbaf"

// builtin is the embedded bundle, parsed once.
var builtin = sync.OnceValue(func() *CA {
	ca, err := NewCA(rdsBundle, "", BuiltinSource)
	if err != nil {
		panic("db: the embedded RDS bundle does not parse: " + err.Error()) // a test guards it
	}
	return ca
})

// BuiltinCA is the embedded RDS bundle, with no file (Path ""): the CA of
// a Target that names none.
func BuiltinCA() *CA { return builtin() }

// BundleName is a file name for pemCerts that changes when they do, so a
// cached copy is written once and replaced by a new dbaf's bundle.
func BundleName(pemCerts []byte) string {
	sum := sha256.Sum256(pemCerts)
	return "rds-ca-" + hex.EncodeToString(sum[:6]) + ".pem"
}

// ca is the target's CA: the given one, else the embedded RDS bundle.
func (t Target) ca() *CA {
	if t.CA != nil {
		return t.CA
	}
	return BuiltinCA()
}

// tlsConfig verifies the server's certificate against the CA and its name
// against the host dbaf connects to (libpq's verify-full).
func (t Target) tlsConfig() *tls.Config {
	return &tls.Config{RootCAs: t.ca().pool, ServerName: t.Host, MinVersion: tls.VersionTLS12}
}

// CertificateError is a server whose certificate does not verify: anyone
// on the path could be presenting it, so nothing is sent to it, no
// password least of all.
type CertificateError struct {
	Addr   string
	CA     string // where the trusted certificates came from
	Reason string
}

func (e *CertificateError) Error() string {
	return fmt.Sprintf("the server at %s presented a TLS certificate that does not verify against %s: %s; "+
		"dbaf sent it nothing (if the server is right, pass its CA bundle with --ca-bundle FILE or DBAF_CA_BUNDLE)", e.Addr, e.CA, e.Reason)
}

// certificateError is err as a *CertificateError when the TLS handshake
// refused the server's certificate.
func certificateError(t Target, err error) (*CertificateError, bool) {
	var (
		verr  *tls.CertificateVerificationError
		uaerr x509.UnknownAuthorityError
		herr  x509.HostnameError
		cierr x509.CertificateInvalidError
	)
	var reason error
	switch {
	case errors.As(err, &verr):
		reason = verr.Err
	case errors.As(err, &uaerr):
		reason = uaerr
	case errors.As(err, &herr):
		reason = herr
	case errors.As(err, &cierr):
		reason = cierr
	default:
		return nil, false
	}
	return &CertificateError{Addr: t.Addr(), CA: t.ca().Source, Reason: reason.Error()}, true
}
