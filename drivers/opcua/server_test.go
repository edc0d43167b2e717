package opcua

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The tests run a real OPC UA server: testdata/server/server.js on
// node-opcua, listening on 127.0.0.1. Its node_modules are installed with
// `npm ci` the first time they are missing (scripts/test.sh does the same).

const (
	serverDir     = "testdata/server"
	serverTimeout = 90 * time.Second // node-opcua starts slowly on a busy machine
)

var (
	pkiDir     string // the servers' certificate store, shared so a key is made once
	installErr error
	installed  sync.Once
	shared     *opcServer
	sharedErr  error
	sharedOnce sync.Once
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "iotos-opcua-pki-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	pkiDir = dir
	code := m.Run()
	if shared != nil {
		shared.kill()
	}
	os.RemoveAll(dir)
	os.Exit(code)
}

// opcServer is a node-opcua server process.
type opcServer struct {
	port int
	cmd  *exec.Cmd
	done chan struct{}
}

func (s *opcServer) endpoint() string {
	return fmt.Sprintf("opc.tcp://127.0.0.1:%d/iotos", s.port)
}

// sharedServer returns the server most tests use, started once.
func sharedServer(t *testing.T) *opcServer {
	t.Helper()
	sharedOnce.Do(func() { shared, sharedErr = launch(freePort(t)) })
	if sharedErr != nil {
		t.Fatal(sharedErr)
	}
	return shared
}

// startServer starts a server of the test's own, killed when it ends.
func startServer(t *testing.T) *opcServer {
	t.Helper()
	s, err := launch(freePort(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.kill)
	return s
}

// launch runs server.js on port and waits for its "ready" line.
func launch(port int) (*opcServer, error) {
	if err := installServer(); err != nil {
		return nil, err
	}
	cmd := exec.Command("node", "server.js", fmt.Sprint(port), pkiDir)
	cmd.Dir = serverDir
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting the OPC UA test server: %w", err)
	}
	s := &opcServer{port: port, cmd: cmd, done: make(chan struct{})}
	ready := make(chan struct{})
	go func() {
		defer close(s.done)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if strings.TrimSpace(sc.Text()) == "ready" {
				close(ready)
			}
		}
		_ = cmd.Wait()
	}()
	select {
	case <-ready:
		return s, nil
	case <-s.done:
		return nil, fmt.Errorf("the OPC UA test server on port %d exited before it was ready (see stderr)", port)
	case <-time.After(serverTimeout):
		s.kill()
		return nil, fmt.Errorf("the OPC UA test server on port %d was not ready within %v", port, serverTimeout)
	}
}

// kill stops the server the hard way, as a crash or a power cut would.
func (s *opcServer) kill() {
	_ = s.cmd.Process.Signal(syscall.SIGKILL)
	<-s.done
}

// installServer checks for node and npm and installs node-opcua from the
// lock file when node_modules is missing.
func installServer() error {
	installed.Do(func() {
		for _, tool := range []string{"node", "npm"} {
			if _, err := exec.LookPath(tool); err != nil {
				installErr = fmt.Errorf("the OPC UA tests need %s (Debian: apt-get install nodejs npm; Node 20 or later): %v", tool, err)
				return
			}
		}
		if _, err := os.Stat(filepath.Join(serverDir, "node_modules", "node-opcua")); err == nil {
			return
		}
		cmd := exec.Command("npm", "ci", "--no-audit", "--no-fund")
		cmd.Dir = serverDir
		if out, err := cmd.CombinedOutput(); err != nil {
			installErr = fmt.Errorf("npm ci in %s: %v\n%s", serverDir, err, out)
		}
	})
	return installErr
}

// freePort returns a loopback port nothing listens on, below the kernel's
// ephemeral range (32768 and up by default): the driver redials a stopped
// server's port while it is down, and a dial to a free ephemeral port can
// connect to itself and take the port the restarted server needs.
func freePort(t testing.TB) int {
	t.Helper()
	for range 100 {
		port := 20000 + rand.IntN(12000)
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err == nil {
			ln.Close()
			return port
		}
	}
	t.Fatal("no free port in 20000-31999")
	return 0
}
