package dbserver

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// The sandbox verifies exactly as AWS does: it has a CA of its own (as RDS
// has its regional roots), kept in the state directory, and each server
// presents a certificate the CA issued for the address clients use. Clients
// trust the CA through DBAF_CA_BUNDLE (CAFile), never by skipping the check.

// caFile and caKeyFile are the sandbox CA's certificate, which clients
// trust, and its key, which never leaves the state directory.
const (
	caFile    = "ca.crt"
	caKeyFile = "ca.key"
)

// CAFile is the sandbox CA's certificate under a state directory: the
// bundle clients of the sandbox's servers verify them with.
func CAFile(stateDir string) string { return filepath.Join(stateDir, "tls", caFile) }

// CAFile is the certificate of the CA that issues this manager's servers'
// certificates.
func (m *Manager) CAFile() string { return CAFile(m.cfg.StateDir) }

// serverCert issues s its certificate for the address it listens on, as
// it starts: an address is only known then.
func (m *Manager) serverCert(s *server) (tlsFiles, error) {
	return m.ca.issue(filepath.Join(s.dir, "tls"), s.ep.Host, m.runAs)
}

// tlsFiles are the certificate and key one server presents.
type tlsFiles struct{ cert, key string }

// authority is the sandbox CA: its certificate and key.
type authority struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

// ensureCA makes the sandbox CA at first start and reuses it after, so a
// CA file a user exported (dbaf sandbox env) stays valid across restarts.
func ensureCA(dir string) (*authority, error) {
	certPath, keyPath := filepath.Join(dir, caFile), filepath.Join(dir, caKeyFile)
	if ca, err := loadCA(certPath, keyPath); err == nil {
		return ca, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("dbserver: the sandbox CA in %s: %w (remove %s and %s to make a new one)", dir, err, certPath, keyPath)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: "dbaf sandbox Root CA", Organization: []string{"dbaf sandbox"}},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().AddDate(20, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	// The key first: a certificate without its key is useless, and the
	// certificate's presence is what marks the CA complete.
	if err := writeKey(keyPath, key); err != nil {
		return nil, err
	}
	if err := os.WriteFile(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		return nil, err
	}
	return &authority{cert: cert, key: key}, nil
}

func loadCA(certPath, keyPath string) (*authority, error) {
	cb, err := os.ReadFile(certPath)
	if err != nil {
		return nil, err
	}
	kb, err := os.ReadFile(keyPath)
	if err != nil {
		return nil, err
	}
	cblock, _ := pem.Decode(cb)
	kblock, _ := pem.Decode(kb)
	if cblock == nil || kblock == nil {
		return nil, errors.New("not PEM")
	}
	cert, err := x509.ParseCertificate(cblock.Bytes)
	if err != nil {
		return nil, err
	}
	k, err := x509.ParsePKCS8PrivateKey(kblock.Bytes)
	if err != nil {
		return nil, err
	}
	key, ok := k.(*ecdsa.PrivateKey)
	if !ok || !key.PublicKey.Equal(cert.PublicKey) {
		return nil, errors.New("the key is not the certificate's")
	}
	return &authority{cert: cert, key: key}, nil
}

// issue writes a server certificate for host (an IP address or a name)
// into dir, signed by the CA, for a server that runs as runAs.
func (ca *authority) issue(dir, host string, runAs credential) (tlsFiles, error) {
	f := tlsFiles{cert: filepath.Join(dir, "server.crt"), key: filepath.Join(dir, "server.key")}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return f, err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return f, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: host, Organization: []string{"dbaf sandbox"}},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().AddDate(1, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
	}
	if ip := net.ParseIP(host); ip != nil {
		tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
	} else {
		tmpl.DNSNames = append(tmpl.DNSNames, host)
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		return f, err
	}
	if err := writeKey(f.key, key); err != nil {
		return f, err
	}
	// The server sends its certificate and the CA's: clients need only
	// the CA's root, as with RDS.
	chain := append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.cert.Raw})...)
	if err := os.WriteFile(f.cert, chain, 0o644); err != nil {
		return f, err
	}
	// The servers read the key as their own user; PostgreSQL insists the
	// key is that user's and 0600.
	if err := runAs.chownTree(dir); err != nil {
		return f, fmt.Errorf("dbserver: certificate %s: %w", dir, err)
	}
	return f, nil
}

func writeKey(path string, key *ecdsa.PrivateKey) error {
	kb, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	return os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kb}), 0o600)
}

func serial() *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 126))
	return n
}
