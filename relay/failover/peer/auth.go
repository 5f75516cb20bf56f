package peer

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"os"
	"strings"
	"time"

	"github.com/iphelper/iphelper/relay/failover/wire"
)

// MinKeyLen is the shortest pre-shared key, in bytes of secret.
const MinKeyLen = 32

// exporterLabel is the TLS exporter label the key proof covers (RFC 5705).
const exporterLabel = "EXPORTER-iphelper-failover"

// Auth is how a Peer authenticates its partner: made by CertAuth,
// LoadCertAuth or PSKAuth. The zero Auth is invalid.
type Auth struct {
	client, server *tls.Config
	psk            []byte // nil in certificate mode
}

// CertAuth authenticates by certificates: this node presents cert, and
// accepts a partner whose certificate chains to a certificate in ca, as
// client and as server alike.
func CertAuth(cert tls.Certificate, ca *x509.CertPool) (Auth, error) {
	if len(cert.Certificate) == 0 || ca == nil {
		return Auth{}, errors.New("certificate authentication needs a certificate and a CA")
	}
	verify := func(cs tls.ConnectionState) error { return verifyChain(cs.PeerCertificates, ca) }
	client := baseTLS(cert)
	// The partner's chain is verified by VerifyConnection against the pair's
	// CA, without a host name: the partner is known by its address.
	client.InsecureSkipVerify = true
	client.VerifyConnection = verify
	server := baseTLS(cert)
	server.ClientAuth = tls.RequireAnyClientCert
	server.VerifyConnection = verify
	return Auth{client: client, server: server}, nil
}

// LoadCertAuth is CertAuth from PEM files: the node's certificate (chain)
// and key, and the CA certificates.
func LoadCertAuth(certFile, keyFile, caFile string) (Auth, error) {
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return Auth{}, fmt.Errorf("failed to load the failover certificate: %w", err)
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return Auth{}, fmt.Errorf("failed to read the failover CA: %w", err)
	}
	ca := x509.NewCertPool()
	if !ca.AppendCertsFromPEM(pem) {
		return Auth{}, fmt.Errorf("failed to read the failover CA %s: no PEM certificate in it", caFile)
	}
	return CertAuth(cert, ca)
}

// PSKAuth authenticates by a pre-shared key of at least MinKeyLen bytes.
// It makes the ephemeral self-signed certificate the TLS sessions use.
func PSKAuth(key []byte) (Auth, error) {
	if len(key) < MinKeyLen {
		return Auth{}, fmt.Errorf("pre-shared key of %d bytes, at least %d", len(key), MinKeyLen)
	}
	cert, err := ephemeralCert()
	if err != nil {
		return Auth{}, err
	}
	client := baseTLS(cert)
	// Nobody verifies the ephemeral certificate: the key proof over the
	// session's exporter authenticates both sides.
	client.InsecureSkipVerify = true
	return Auth{client: client, server: baseTLS(cert), psk: append([]byte(nil), key...)}, nil
}

// LoadKeyFile reads a pre-shared key file: the key in hexadecimal, at least
// 2×MinKeyLen digits (`openssl rand -hex 32`), with surrounding white space
// ignored.
func LoadKeyFile(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("failed to read the failover key: %w", err)
	}
	key, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil {
		return nil, fmt.Errorf("failed to read the failover key %s: not hexadecimal: %w", path, err)
	}
	if len(key) < MinKeyLen {
		return nil, fmt.Errorf("failed to read the failover key %s: %d bytes, at least %d (%d hex digits)", path, len(key), MinKeyLen, 2*MinKeyLen)
	}
	return key, nil
}

// baseTLS is the TLS configuration both modes share: TLS 1.3 only, no
// session resumption.
func baseTLS(cert tls.Certificate) *tls.Config {
	return &tls.Config{
		Certificates:           []tls.Certificate{cert},
		MinVersion:             tls.VersionTLS13,
		MaxVersion:             tls.VersionTLS13,
		SessionTicketsDisabled: true,
	}
}

// verifyChain checks that the partner's certificate chains to ca.
func verifyChain(certs []*x509.Certificate, ca *x509.CertPool) error {
	if len(certs) == 0 {
		return errors.New("the partner presented no certificate")
	}
	inter := x509.NewCertPool()
	for _, c := range certs[1:] {
		inter.AddCert(c)
	}
	opts := x509.VerifyOptions{Roots: ca, Intermediates: inter, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}
	if _, err := certs[0].Verify(opts); err != nil {
		return fmt.Errorf("the partner's certificate %q: %w", certs[0].Subject, err)
	}
	return nil
}

// ephemeralCert makes the self-signed certificate of PSK mode.
func ephemeralCert() (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("failed to make the ephemeral TLS key: %w", err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "iphelper failover"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(100 * 365 * 24 * time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("failed to make the ephemeral TLS certificate: %w", err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}

// proof is the key proof a node of role sends on the session cs.
func proof(key []byte, role wire.Role, cs tls.ConnectionState) ([]byte, error) {
	ekm, err := cs.ExportKeyingMaterial(exporterLabel, nil, 32)
	if err != nil {
		return nil, fmt.Errorf("failed to export keying material: %w", err)
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte("iphelper-failover " + role.String()))
	m.Write(ekm)
	return m.Sum(nil), nil
}
