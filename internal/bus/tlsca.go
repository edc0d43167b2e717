package bus

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io/fs"
	"os"

	"github.com/iotos/iotos/internal/codes"
)

// clientTLS builds the engine's TLS configuration trusting the CA in
// caFile. It is read once, up front: a missing or unreadable CA is a setup
// mistake to report at start, not a connection failure to retry forever.
func clientTLS(caFile string) (*tls.Config, error) {
	pemData, err := os.ReadFile(caFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, codes.New(codes.FileNotExist, "TLS CA file %s does not exist", caFile)
	}
	if err != nil {
		return nil, codes.New(codes.ArgError, "TLS CA file %s: %v", caFile, err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pemData) {
		return nil, codes.New(codes.ArgError, "TLS CA file %s holds no PEM certificate", caFile)
	}
	return &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}, nil
}
