package platform

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/iotos/iotos/internal/bus"
	"github.com/iotos/iotos/internal/codes"
)

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func start(t *testing.T, cfg Config) *Platform {
	t.Helper()
	if cfg.HTTP == "" {
		cfg.HTTP = "127.0.0.1:0"
	}
	if cfg.Logger == nil {
		cfg.Logger = quietLogger()
	}
	p, err := Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Shutdown(context.Background()) })
	return p
}

func TestFirstStartPrintsARandomPasswordOnce(t *testing.T) {
	dir := t.TempDir()
	var out bytes.Buffer
	p := start(t, Config{DataDir: dir, NATS: "127.0.0.1:0", Out: &out})
	if !strings.Contains(out.String(), "created user admin with password ") {
		t.Fatalf("first start did not print the generated password: %q", out.String())
	}
	if err := p.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	start(t, Config{DataDir: dir, NATS: "127.0.0.1:0", Out: &out, AdminPassword: "ignored-now"})
	if out.Len() != 0 {
		t.Fatalf("a later start printed %q; the password is shown once", out.String())
	}
}

func TestReadyUntilShutdown(t *testing.T) {
	p := start(t, Config{DataDir: t.TempDir(), NATS: "127.0.0.1:0", AdminPassword: "a-long-password"})
	resp, err := http.Get(p.URL() + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/readyz = %d", resp.StatusCode)
	}
	p.ready.Store(false) // the first step of Shutdown
	resp, err = http.Get(p.URL() + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("/readyz while stopping = %d, want 503", resp.StatusCode)
	}
}

func TestEngineKeysAreCheckedAgainstTheStore(t *testing.T) {
	p := start(t, Config{DataDir: t.TempDir(), NATS: "127.0.0.1:0", AdminPassword: "a-long-password"})
	if err := p.checkGatewayKey(strings.Repeat("a", 32), "whatever"); codes.Of(err) != codes.AccountNotRegister {
		t.Fatalf("unknown gateway: %v, want 107", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, err := bus.DialEngine(ctx, bus.EngineOptions{URL: p.Bus().ClientURL(), Gateway: strings.Repeat("a", 32), Key: "nope", Logger: quietLogger()})
	if codes.Of(err) != codes.AccountNotRegister {
		t.Fatalf("engine of an unknown gateway: %v, want 107", err)
	}
}

func TestTLSForHTTPAndNATS(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile, pool := selfSigned(t, dir)
	p := start(t, Config{DataDir: dir, NATS: "127.0.0.1:0", AdminPassword: "a-long-password", TLSCert: certFile, TLSKey: keyFile})
	if !strings.HasPrefix(p.URL(), "https://") {
		t.Fatalf("URL %s is not https", p.URL())
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	resp, err := client.Get(p.URL() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/healthz over TLS = %d", resp.StatusCode)
	}
	if !strings.HasPrefix(p.Bus().ClientURL(), "tls://") {
		t.Fatalf("NATS URL %s is not tls://", p.Bus().ClientURL())
	}
}

func TestBadTLSFilesAreClearErrors(t *testing.T) {
	_, err := Start(context.Background(), Config{DataDir: t.TempDir(), HTTP: "127.0.0.1:0", TLSCert: "x.pem", Logger: quietLogger()})
	if codes.Of(err) != codes.ArgError {
		t.Fatalf("cert without key: %v, want 105", err)
	}
	_, err = Start(context.Background(), Config{DataDir: t.TempDir(), HTTP: "127.0.0.1:0", TLSCert: "missing.pem", TLSKey: "missing.key", Logger: quietLogger()})
	if codes.Of(err) != codes.FileNotExist {
		t.Fatalf("missing files: %v, want 513", err)
	}
}

// A PostgreSQL URL nothing answers on refuses the start with 105.
func TestUnreachablePostgresIsRefusedClearly(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	_, err = Start(context.Background(), Config{DataDir: t.TempDir(), HTTP: "127.0.0.1:0", DB: "postgres://iotos:secret@" + addr + "/iotos?connect_timeout=2", Logger: quietLogger()})
	if codes.Of(err) != codes.ArgError || strings.Contains(err.Error(), "secret") {
		t.Fatalf("unreachable postgres URL: %v, want 105 without the password", err)
	}
}

// selfSigned writes a certificate for 127.0.0.1 and returns its files and a pool trusting it.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "iotos test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

func TestShutdownAnswers503WhileDraining(t *testing.T) {
	p := start(t, Config{DataDir: t.TempDir(), NATS: "127.0.0.1:0", AdminPassword: "a-long-password", ReadyDrain: time.Second})
	done := make(chan error, 1)
	go func() { done <- p.Shutdown(context.Background()) }()
	deadline := time.Now().Add(time.Second)
	for {
		resp, err := http.Get(p.URL() + "/readyz")
		if err != nil {
			t.Fatalf("/readyz refused while draining: %v", err)
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusServiceUnavailable {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz stayed %d after Shutdown began", resp.StatusCode)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
