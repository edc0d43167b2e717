package bus

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/iotos/iotos/internal/codes"
)

// selfSigned makes a certificate for 127.0.0.1 that is its own CA and
// writes the CA PEM file an engine is given.
func selfSigned(t *testing.T) (*tls.Config, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "iotos test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:                  true,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert := tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, caFile
}

func TestEngineOverTLS(t *testing.T) {
	keys := newKeyring()
	conf, caFile := selfSigned(t)
	s, err := NewServer(ServerOptions{Listen: "127.0.0.1:-1", TLS: conf, Authenticate: keys.check, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown()
	if !strings.HasPrefix(s.ClientURL(), "tls://127.0.0.1:") {
		t.Fatalf("ClientURL = %q", s.ClientURL())
	}
	servePlatform(t, s, newFakePlatform())

	link, err := DialEngine(context.Background(), EngineOptions{URL: s.ClientURL(), Gateway: gwA, Key: "key-a", TLSCA: caFile, Logger: quietLogger()})
	if err != nil {
		t.Fatalf("DialEngine over TLS: %v", err)
	}
	defer link.Close()
	if !link.Connected() {
		t.Fatal("not connected")
	}
	tlsState, err := link.(*EngineConn).conn().TLSConnectionState()
	if err != nil || !tlsState.HandshakeComplete {
		t.Fatalf("connection is not TLS: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	if _, err := link.TableIndex(ctx); err != nil {
		t.Fatalf("request over TLS: %v", err)
	}

	// Without the CA the server's certificate is not trusted.
	if nc, err := nats.Connect(s.ClientURL(), nats.UserInfo(gwA, "key-a")); err == nil {
		nc.Close()
		t.Fatal("connected without trusting the certificate")
	}
	// The listener announces TLS as required to every client.
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.ClientURL(), "tls://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	buf := make([]byte, 4096)
	conn.SetReadDeadline(time.Now().Add(waitLong))
	n, _ := conn.Read(buf)
	if !strings.Contains(string(buf[:n]), `"tls_required":true`) {
		t.Fatalf("server INFO does not require TLS: %s", buf[:n])
	}
}

func TestDialEngineChecksTheCAFile(t *testing.T) {
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "ca.txt")
	if err := os.WriteFile(notPEM, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		file string
		want codes.Code
	}{
		{filepath.Join(dir, "missing.pem"), codes.FileNotExist},
		{notPEM, codes.ArgError},
	} {
		_, err := DialEngine(context.Background(), EngineOptions{URL: "tls://127.0.0.1:1", Gateway: gwA, Key: "k", TLSCA: tc.file})
		if codes.Of(err) != tc.want {
			t.Errorf("TLSCA %s: err = %v, want %d", tc.file, err, tc.want)
		}
	}
}
