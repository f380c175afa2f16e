package dbserver

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// tlsFiles are the server certificate and key every server presents.
type tlsFiles struct{ cert, key string }

// ensureCert makes a self-signed ECDSA certificate for the loopback
// addresses at first start and reuses it after: clients connect with
// sslmode=require, which encrypts without verifying the certificate.
func ensureCert(dir string, runAs credential) (tlsFiles, error) {
	f := tlsFiles{cert: filepath.Join(dir, "server.crt"), key: filepath.Join(dir, "server.key")}
	if _, err := os.Stat(f.key); err == nil {
		if _, err := os.Stat(f.cert); err == nil {
			return f, nil
		}
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return f, err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return f, err
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "dbaf sandbox database", Organization: []string{"dbaf sandbox"}},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().AddDate(10, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return f, err
	}
	kb, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return f, err
	}
	if err := os.WriteFile(f.key, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kb}), 0o600); err != nil {
		return f, err
	}
	if err := os.WriteFile(f.cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		return f, err
	}
	// The servers read the key as their own user; PostgreSQL insists the
	// key is that user's and 0600.
	if err := runAs.chownTree(dir); err != nil {
		return f, fmt.Errorf("dbserver: certificate %s: %w", dir, err)
	}
	return f, nil
}
