package mqtt

import (
	"crypto/tls"
	"crypto/x509"
	"os"
)

// loadTLS builds the TLS configuration of an mqtts:// device from its files,
// at Init, so a missing or malformed file is a configuration error the user
// sees at once rather than a connection that keeps failing.
func loadTLS(s settings) (*tls.Config, error) {
	if s.url.Scheme != "mqtts" {
		return nil, nil
	}
	cfg := &tls.Config{ServerName: s.url.Hostname(), MinVersion: tls.VersionTLS12}
	if s.caFile != "" {
		pem, err := os.ReadFile(s.caFile)
		if err != nil {
			return nil, argError("ca_file: %v", err)
		}
		cfg.RootCAs = x509.NewCertPool()
		if !cfg.RootCAs.AppendCertsFromPEM(pem) {
			return nil, argError("ca_file %s: no PEM certificate in it", s.caFile)
		}
	}
	if s.certFile != "" {
		cert, err := tls.LoadX509KeyPair(s.certFile, s.keyFile)
		if err != nil {
			return nil, argError("cert_file/key_file: %v", err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg, nil
}
