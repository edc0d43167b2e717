package extdriver

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/iotos/iotos/pkg/driver"
	"github.com/iotos/iotos/pkg/wire"
)

// maxLogLine caps one stderr line kept for the log; the rest is dropped so
// a runaway child cannot grow the engine's memory.
const maxLogLine = 8 << 10

// child is one running driver process.
type child struct {
	cmd     *exec.Cmd
	stdin   io.WriteCloser
	peer    *wire.Peer
	started time.Time

	exited chan struct{} // closed once the process is reaped
	mu     sync.Mutex
	reason error // why it stopped
}

// startChild runs prog and completes the handshake. The peer is served by
// handler; it is not running Init yet.
func startChild(ctx context.Context, prog program, dir string, handler wire.Handler, log *slog.Logger) (*child, error) {
	cmd := exec.Command(prog.path, prog.args...)
	cmd.Dir = dir
	cmd.Env = append(baseEnv(), prog.env...)
	cmd.WaitDelay = closeGrace // a grandchild holding the pipes cannot block Wait
	isolate(cmd)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		code := driver.CodeNetError
		if errors.Is(err, exec.ErrNotFound) || errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) {
			code = 513 // an installation problem, not a passing failure
		}
		return nil, driver.Errorf(code, "starting %s: %v", prog.desc, err)
	}
	c := &child{cmd: cmd, stdin: stdin, peer: wire.NewPeer(stdout, stdin, handler), started: time.Now(), exited: make(chan struct{})}
	logsDone := make(chan struct{})
	go func() { defer close(logsDone); pumpLogs(stderr, log) }()
	if err := c.handshake(ctx); err != nil {
		c.kill()
		_ = c.reap(logsDone)
		return nil, fmt.Errorf("%s: %w", prog.desc, err)
	}
	go c.serve(logsDone)
	return c, nil
}

func (c *child) handshake(ctx context.Context) error {
	done := make(chan error, 1)
	go func() { _, err := c.peer.ReadHello(); done <- err }()
	select {
	case err := <-done:
		if errors.Is(err, io.EOF) {
			return &wire.Error{Code: 504, Msg: "the process ended before its hello line (its stderr is in the log)"}
		}
		return err
	case <-ctx.Done():
		c.kill()
		<-done
		return &wire.Error{Code: 519, Msg: "no hello line before the deadline"}
	}
}

// serve reads frames until the stream ends or is corrupt, then reaps the
// process. Junk on stdout kills the child: its stream can no longer be
// trusted to be in sync.
func (c *child) serve(logsDone <-chan struct{}) {
	err := c.peer.Run(context.Background())
	if errors.Is(err, wire.ErrClosed) {
		// The child closed stdout: give it the grace period to exit on its
		// own (and log why), then make sure it is gone.
		t := time.AfterFunc(closeGrace, c.kill)
		defer t.Stop()
	} else {
		c.kill()
	}
	werr := c.reap(logsDone)
	var r error
	switch {
	case !errors.Is(err, wire.ErrClosed):
		r = err
	case werr != nil:
		r = fmt.Errorf("process exited: %w", werr)
	default:
		r = errors.New("process exited")
	}
	c.setReason(r)
	close(c.exited)
}

// setReason records why the child is being stopped, before killing it.
func (c *child) setReason(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.reason == nil {
		c.reason = err
	}
}

// Reason is why the child stopped (valid once exited is closed).
func (c *child) Reason() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.reason
}

func (c *child) kill() { killTree(c.cmd) }

// reap waits for the process. Its stderr is drained first, so the last log
// lines are kept, but not for longer than the grace period: Wait then
// closes the pipe a lingering grandchild may still hold.
func (c *child) reap(logsDone <-chan struct{}) error {
	t := time.NewTimer(closeGrace)
	defer t.Stop()
	select {
	case <-logsDone:
	case <-t.C:
	}
	err := c.cmd.Wait()
	<-logsDone
	return err
}

// stop asks the child to close, then ends its input, then kills it if it
// is still there after the grace period.
func (c *child) stop(closeCall func(context.Context) error) {
	ctx, cancel := context.WithTimeout(context.Background(), closeGrace)
	defer cancel()
	_ = closeCall(ctx)
	_ = c.stdin.Close()
	select {
	case <-c.exited:
	case <-ctx.Done():
		c.kill()
		<-c.exited
	}
}

// pumpLogs maps the child's stderr lines to log levels by their prefix:
// "DEBUG ", "INFO ", "WARN ", "ERROR ". Other lines are logged at info.
func pumpLogs(r io.Reader, log *slog.Logger) {
	br := bufio.NewReaderSize(r, 4<<10)
	var line []byte
	for {
		frag, isPrefix, err := br.ReadLine()
		if len(line) < maxLogLine {
			line = append(line, frag[:min(len(frag), maxLogLine-len(line))]...)
		}
		if err != nil {
			if len(line) > 0 {
				logLine(log, string(line))
			}
			return
		}
		if !isPrefix {
			logLine(log, string(line))
			line = line[:0]
		}
	}
}

var levelPrefixes = []struct {
	prefix string
	level  slog.Level
}{{"DEBUG ", slog.LevelDebug}, {"INFO ", slog.LevelInfo}, {"WARN ", slog.LevelWarn}, {"WARNING ", slog.LevelWarn}, {"ERROR ", slog.LevelError}}

func logLine(log *slog.Logger, line string) {
	level := slog.LevelInfo
	for _, p := range levelPrefixes {
		if rest, ok := strings.CutPrefix(line, p.prefix); ok {
			level, line = p.level, rest
			break
		}
	}
	log.Log(context.Background(), level, line, "stream", "stderr")
}
