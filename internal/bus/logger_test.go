package bus

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

func TestServerLoggerLevels(t *testing.T) {
	var buf bytes.Buffer
	sl := newServerLogger(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	sl.Noticef("ready %d", 1)
	sl.Errorf("%s - authentication error", "cid:1")
	sl.Errorf("disk %s", "gone")
	sl.Fatalf("listen on %s", "port 1")
	for _, want := range []string{"level=INFO msg=\"ready 1\"", "level=WARN msg=\"cid:1 - authentication error\"",
		"level=ERROR msg=\"disk gone\"", "level=ERROR msg=\"listen on port 1\""} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, buf.String())
		}
	}
	if sl.lastFatal() != "listen on port 1" || !sl.debugEnabled() {
		t.Fatalf("lastFatal = %q, debug = %v", sl.lastFatal(), sl.debugEnabled())
	}
}
