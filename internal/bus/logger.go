package bus

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
)

// serverLogger routes the embedded server's log lines to slog. The server
// calls Fatalf when it cannot start (a port in use); the default NATS logger
// would exit the process, this one only logs and remembers the message so
// NewServer can return it as an error.
type serverLogger struct {
	l *slog.Logger

	mu    sync.Mutex
	fatal string
}

func newServerLogger(l *slog.Logger) *serverLogger {
	return &serverLogger{l: l.With("component", "nats")}
}

func (s *serverLogger) debugEnabled() bool {
	return s.l.Enabled(context.Background(), slog.LevelDebug)
}

func (s *serverLogger) lastFatal() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fatal
}

func (s *serverLogger) Noticef(format string, v ...any) { s.l.Info(fmt.Sprintf(format, v...)) }
func (s *serverLogger) Warnf(format string, v ...any)   { s.l.Warn(fmt.Sprintf(format, v...)) }
func (s *serverLogger) Debugf(format string, v ...any)  { s.l.Debug(fmt.Sprintf(format, v...)) }
func (s *serverLogger) Tracef(format string, v ...any)  { s.l.Debug(fmt.Sprintf(format, v...)) }

// Errorf logs at error level, except refused logins: a wrong or rotated
// key is the client's problem, already logged with its gateway by Check.
func (s *serverLogger) Errorf(format string, v ...any) {
	msg := fmt.Sprintf(format, v...)
	if strings.Contains(msg, "authentication error") {
		s.l.Warn(msg)
		return
	}
	s.l.Error(msg)
}

func (s *serverLogger) Fatalf(format string, v ...any) {
	msg := fmt.Sprintf(format, v...)
	s.mu.Lock()
	s.fatal = msg
	s.mu.Unlock()
	s.l.Error(msg)
}
