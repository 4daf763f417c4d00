package node

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// SelfSigned is a certificate SelfSignedTLS made.
type SelfSigned struct {
	CertFile, KeyFile string
	// Names are the host names and addresses the certificate is good for.
	Names []string
	// Fingerprint is the certificate's SHA-256, as browsers show it
	// (AB:CD:...): an operator can read it out to members, who compare it
	// with what their browser shows before they accept the certificate.
	Fingerprint string
	NotAfter    time.Time
}

// ErrTLSExists: SelfSignedTLS found a certificate it made before.
var ErrTLSExists = errors.New("a certificate is already there")

// SelfSignedTLS makes a certificate for the member page on a LAN, signed by
// its own key: good for localhost, this machine's name (and name.local)
// and every address of it other devices can reach, plus extra names or
// addresses, for validFor. It writes DIR/tls/cert.pem and DIR/tls/key.pem
// (0600); it refuses to replace them unless replace is set, since members'
// browsers were told to accept the old one.
func SelfSignedTLS(dir string, extra []string, validFor time.Duration, replace bool, now time.Time) (SelfSigned, error) {
	out := SelfSigned{CertFile: filepath.Join(dir, tlsDir, "cert.pem"), KeyFile: filepath.Join(dir, tlsDir, "key.pem")}
	if !replace {
		if _, err := os.Stat(out.CertFile); err == nil {
			return out, fmt.Errorf("%s: %w: keep it (members' browsers accepted it), or make a new one with --replace", out.CertFile, ErrTLSExists)
		}
	}
	tmpl := &x509.Certificate{
		Subject:               pkix.Name{CommonName: "Hearth hub", Organization: []string{"Hearth"}},
		NotBefore:             now.Add(-time.Hour), // a phone whose clock is a little behind
		NotAfter:              now.Add(validFor),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
	}
	var err error
	if tmpl.SerialNumber, err = rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127)); err != nil {
		return out, fmt.Errorf("tls: %w", err)
	}
	names := []string{"localhost", "127.0.0.1", "::1"}
	if host, err := os.Hostname(); err == nil && host != "" && host != "localhost" {
		names = append(names, host, strings.TrimSuffix(host, ".local")+".local")
	}
	for _, ip := range lanIPs() {
		names = append(names, ip.String())
	}
	names = append(names, extra...)
	for _, name := range names {
		name = strings.TrimSpace(name)
		if ip := net.ParseIP(name); ip != nil {
			if !slices.ContainsFunc(tmpl.IPAddresses, ip.Equal) {
				tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
				out.Names = append(out.Names, ip.String())
			}
		} else if name != "" && !slices.Contains(tmpl.DNSNames, strings.ToLower(name)) {
			tmpl.DNSNames = append(tmpl.DNSNames, strings.ToLower(name))
			out.Names = append(out.Names, strings.ToLower(name))
		}
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return out, fmt.Errorf("tls: %w", err)
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return out, fmt.Errorf("tls: %w", err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return out, fmt.Errorf("tls: %w", err)
	}
	if err := os.MkdirAll(filepath.Join(dir, tlsDir), 0o700); err != nil {
		return out, fmt.Errorf("tls: %w", err)
	}
	// The key first: a certificate without its key is no use, and the
	// check above looks for the certificate.
	if err := writeFileSync(out.KeyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		return out, fmt.Errorf("tls: %w", err)
	}
	if err := writeFileSync(out.CertFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		return out, fmt.Errorf("tls: %w", err)
	}
	out.Fingerprint = Fingerprint(der)
	out.NotAfter = tmpl.NotAfter
	return out, nil
}

// Fingerprint is a certificate's SHA-256 as browsers show it: AB:CD:...
func Fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	hex := make([]string, len(sum))
	for i, b := range sum {
		hex[i] = fmt.Sprintf("%02X", b)
	}
	return strings.Join(hex, ":")
}

// loadWebTLS loads the member page's certificate and key at start, so a
// missing or mismatched file stops the node with one line instead of
// failing every connection later, and warns when other users of this
// machine can read the key.
func loadWebTLS(cfg WebConfig, log *slog.Logger) (*tls.Config, error) {
	cert, err := tls.LoadX509KeyPair(cfg.TLSCert, cfg.TLSKey)
	if err != nil {
		return nil, fmt.Errorf("web.tls_cert %s and web.tls_key %s: %v: give a PEM certificate and its key ('hearth tls selfsigned' makes a pair)", cfg.TLSCert, cfg.TLSKey, oneLineErr(err))
	}
	if info, err := os.Stat(cfg.TLSKey); err == nil && info.Mode().Perm()&0o077 != 0 {
		log.Warn(fmt.Sprintf("web.tls_key %s can be read by other users of this machine (mode %04o), who could then pose as this hub: run chmod 600 %s", cfg.TLSKey, info.Mode().Perm(), cfg.TLSKey))
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
}

// oneLineErr is an error's text on one line.
func oneLineErr(err error) string {
	if pe, ok := errors.AsType[*fs.PathError](err); ok {
		err = pe.Err
	}
	return strings.ReplaceAll(err.Error(), "\n", "; ")
}
