package mqtt

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

// mosquittoBin is where Debian's mosquitto package installs the broker.
const mosquittoBin = "/usr/sbin/mosquitto"

// waitTimeout is generous: test machines are shared and slow at times.
const waitTimeout = 20 * time.Second

// broker is a mosquitto process on a free 127.0.0.1 port, with a config
// generated for the test. stop and start again keep the port, as a broker
// restart does.
type broker struct {
	t    testing.TB
	port int
	conf string
	user string // "" allows anonymous clients
	pass string
	tls  string // extra listener lines for TLS; "" for plain MQTT

	mu  sync.Mutex
	cmd *exec.Cmd
	log *bytes.Buffer
}

// startBroker starts mosquitto; with user set, only that user and password
// may connect.
func startBroker(t testing.TB, user, pass string) *broker {
	t.Helper()
	return startBrokerWith(t, &broker{user: user, pass: pass})
}

// startBrokerWith starts mosquitto as b describes.
func startBrokerWith(t testing.TB, b *broker) *broker {
	t.Helper()
	requireTool(t, mosquittoBin)
	b.t, b.port = t, freePort(t)
	b.conf = b.writeConfig()
	b.start()
	t.Cleanup(b.stop)
	return b
}

// requireTool fails the test when a Debian mosquitto tool is missing: these
// tests must run, not skip.
func requireTool(t testing.TB, path string) {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("%s is missing (%v): install it with apt-get install -y mosquitto mosquitto-clients", path, err)
	}
}

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func (b *broker) writeConfig() string {
	dir := b.t.TempDir()
	conf := fmt.Sprintf("listener %d 127.0.0.1\n%spersistence false\nlog_dest stdout\nlog_type all\n", b.port, b.tls)
	if os.Geteuid() == 0 {
		// As root mosquitto would switch to the mosquitto user, which
		// cannot read the test's temporary files.
		conf += "user root\n"
	}
	if b.user == "" {
		conf += "allow_anonymous true\n"
	} else {
		pwFile := filepath.Join(dir, "passwd")
		requireTool(b.t, "/usr/bin/mosquitto_passwd")
		out, err := exec.Command("/usr/bin/mosquitto_passwd", "-b", "-c", pwFile, b.user, b.pass).CombinedOutput()
		if err != nil {
			b.t.Fatalf("mosquitto_passwd: %v: %s", err, out)
		}
		conf += "allow_anonymous false\npassword_file " + pwFile + "\n"
	}
	path := filepath.Join(dir, "mosquitto.conf")
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		b.t.Fatal(err)
	}
	return path
}

func (b *broker) start() {
	b.t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	b.log = &bytes.Buffer{}
	b.cmd = exec.Command(mosquittoBin, "-c", b.conf)
	b.cmd.Stdout, b.cmd.Stderr = b.log, b.log
	if err := b.cmd.Start(); err != nil {
		b.t.Fatalf("start mosquitto: %v", err)
	}
	deadline := time.Now().Add(waitTimeout)
	for {
		c, err := net.DialTimeout("tcp", b.addr(), time.Second)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("mosquitto did not listen on %s: %v\n%s", b.addr(), err, b.log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (b *broker) stop() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.cmd == nil {
		return
	}
	_ = b.cmd.Process.Signal(syscall.SIGTERM)
	_ = b.cmd.Wait()
	b.cmd = nil
	if b.t.Failed() {
		b.t.Logf("mosquitto log:\n%s", b.log)
	}
}

func (b *broker) addr() string { return "127.0.0.1:" + strconv.Itoa(b.port) }

func (b *broker) url() string { return "mqtt://" + b.addr() }

// pub publishes one message with mosquitto_pub.
func (b *broker) pub(topic, msg string, version int) {
	b.t.Helper()
	requireTool(b.t, "/usr/bin/mosquitto_pub")
	args := []string{"-h", "127.0.0.1", "-p", strconv.Itoa(b.port), "-t", topic, "-m", msg, "-q", "1"}
	if version == 5 {
		args = append(args, "-V", "mqttv5")
	}
	if b.user != "" {
		args = append(args, "-u", b.user, "-P", b.pass)
	}
	if out, err := exec.Command("/usr/bin/mosquitto_pub", args...).CombinedOutput(); err != nil {
		b.t.Fatalf("mosquitto_pub %s: %v: %s", topic, err, out)
	}
}
