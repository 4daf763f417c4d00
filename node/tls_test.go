package node

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is a log sink a test reads while the node writes to it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestSelfSignedTLS: 'hearth tls selfsigned' makes a pair a phone on the
// LAN can be served with; the node serves HTTPS with it, and says so when
// other users of the machine can read the key.
func TestSelfSignedTLS(t *testing.T) {
	t.Parallel()
	tn := newTestNode(t, "tls", testConfig())
	now := time.Now()
	made, err := SelfSignedTLS(tn.dir, []string{"hub.lan", "192.168.50.1"}, 825*24*time.Hour, false, now)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"localhost", "127.0.0.1", "hub.lan", "192.168.50.1"} {
		if !slices.Contains(made.Names, name) {
			t.Errorf("the certificate does not cover %s: %v", name, made.Names)
		}
	}
	if info, err := os.Stat(made.KeyFile); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("key file: %v %v", info.Mode(), err)
	}
	if _, err := SelfSignedTLS(tn.dir, nil, time.Hour, false, now); !errors.Is(err, ErrTLSExists) {
		t.Errorf("a second one over the first: %v", err)
	}

	// Served, with a warning for a key others can read.
	if err := os.Chmod(made.KeyFile, 0o644); err != nil {
		t.Fatal(err)
	}
	tn.Close()
	cfg := testConfig()
	cfg.Web.TLSCert, cfg.Web.TLSKey = made.CertFile, made.KeyFile
	var logs lockedBuffer
	n, err := Open(tn.dir, Options{Config: &cfg, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	tn.Node = n
	tn.start()
	if !strings.Contains(logs.String(), "can be read by other users of this machine (mode 0644)") {
		t.Errorf("no warning for a readable key:\n%s", logs.String())
	}
	pemBytes, _ := os.ReadFile(made.CertFile)
	block, _ := pem.Decode(pemBytes)
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pemBytes)
	st, _ := n.Status(t.Context())
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	// Without a page (Options.Web) the node answers 404, over TLS.
	res, err := client.Get("https://" + st.Web + "/")
	if err != nil {
		t.Fatalf("HTTPS with the self-signed certificate: %v", err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound || Fingerprint(res.TLS.PeerCertificates[0].Raw) != made.Fingerprint || Fingerprint(block.Bytes) != made.Fingerprint {
		t.Errorf("status %d, fingerprint %s, want %s", res.StatusCode, Fingerprint(res.TLS.PeerCertificates[0].Raw), made.Fingerprint)
	}
	if !strings.HasPrefix(st.WebURL(), "https://") {
		t.Errorf("status URL %s", st.WebURL())
	}
}

// TestTLSFilesCheckedAtStart: a missing key stops the node at once, with
// one line that says what to do.
func TestTLSFilesCheckedAtStart(t *testing.T) {
	t.Parallel()
	cfg := testConfig()
	cfg.Web.TLSCert, cfg.Web.TLSKey = "/nonexistent/cert.pem", "/nonexistent/key.pem"
	tn := newTestNode(t, "tls", cfg)
	err := tn.Run(t.Context())
	if err == nil || !strings.Contains(err.Error(), "web.tls_cert /nonexistent/cert.pem") || !strings.Contains(err.Error(), "hearth tls selfsigned") || strings.Contains(err.Error(), "\n") {
		t.Errorf("run with missing TLS files: %v", err)
	}
}
