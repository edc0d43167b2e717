package mqtt

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/iotos/iotos/pkg/driver"
	"github.com/iotos/iotos/pkg/driver/drivertest"
)

// testPKI is a CA with a server certificate for 127.0.0.1 and a client
// certificate, written as PEM files.
type testPKI struct {
	ca, serverCert, serverKey, clientCert, clientKey string
}

func newTestPKI(t *testing.T) testPKI {
	t.Helper()
	dir := t.TempDir()
	caKey, caTmpl := newKey(t), &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "iotos test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	p := testPKI{ca: writePEM(t, dir, "ca.pem", "CERTIFICATE", caDER)}
	p.serverCert, p.serverKey = issue(t, dir, "server", ca, caKey, x509.ExtKeyUsageServerAuth)
	p.clientCert, p.clientKey = issue(t, dir, "client", ca, caKey, x509.ExtKeyUsageClientAuth)
	return p
}

func newKey(t *testing.T) *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func issue(t *testing.T, dir, name string, ca *x509.Certificate, caKey *ecdsa.PrivateKey, usage x509.ExtKeyUsage) (string, string) {
	key := newKey(t)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{usage},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return writePEM(t, dir, name+".pem", "CERTIFICATE", der), writePEM(t, dir, name+"-key.pem", "PRIVATE KEY", keyDER)
}

func writePEM(t *testing.T, dir, name, typ string, der []byte) string {
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestMutualTLS: over mqtts with a client certificate the driver connects,
// writes and receives its own message back; without the certificate the
// broker refuses it and Connect fails with 504.
func TestMutualTLS(t *testing.T) {
	pki := newTestPKI(t)
	b := startBrokerWith(t, &broker{tls: "cafile " + pki.ca + "\ncertfile " + pki.serverCert +
		"\nkeyfile " + pki.serverKey + "\nrequire_certificate true\n"})
	url := "mqtts://" + b.addr()
	versions(t, func(t *testing.T, version int) {
		pt := point(t, "0001", driver.Int, driver.ReadWrite, map[string]any{"topic": "tls/echo", "write_topic": "tls/echo"})
		m, host := connected(t, device(t, map[string]any{"url": url, "version": version, "qos": 1,
			"ca_file": pki.ca, "cert_file": pki.clientCert, "key_file": pki.clientKey}, pt))
		ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
		defer cancel()
		if _, err := m.Write(ctx, pt, int64(9)); err != nil {
			t.Fatalf("Write over TLS: %v", err)
		}
		waitSample(t, host, "0001", valueIs(int64(9)))

		anon := New()
		if err := anon.Init(drivertest.NewHost(t), device(t, map[string]any{"url": url, "version": version, "ca_file": pki.ca}, pt)); err != nil {
			t.Fatal(err)
		}
		defer anon.Close()
		if err := anon.(driver.Connector).Connect(ctx); drivertest.ErrorCode(err) != driver.CodeNetError {
			t.Fatalf("Connect without a client certificate: %v, want a 504", err)
		}
	})
}
