package http

import (
	"bytes"
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/iotos/iotos/pkg/driver"
)

// stall answers after release is closed or the client gives up; headFirst
// sends the status and part of the body before stalling.
func stall(release chan struct{}, headFirst bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if headFirst {
			_, _ = w.Write([]byte(`{"v": `))
			w.(http.Flusher).Flush()
		}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}
}

// TestTimeout: a server that does not answer, or stops mid-body, fails
// the read with 519 once the device's timeout passes.
func TestTimeout(t *testing.T) {
	for _, headFirst := range []bool{false, true} {
		t.Run("headFirst="+strconv.FormatBool(headFirst), func(t *testing.T) {
			release := make(chan struct{})
			rec := newRecorder(t, stall(release, headFirst))
			t.Cleanup(func() { close(release) })
			dev := device(`{"url": "`+rec.srv.URL+`", "timeout": "300ms"}`, pt("0001", driver.Int, driver.Read, `{"path": "$.v"}`))
			_, err := readAll(t, start(t, dev), dev)
			wantCode(t, err, driver.CodeTimeout, "timed out", rec.srv.URL)
		})
	}
}

// TestCallerDeadline: the caller's deadline bounds a request as well as
// the device's timeout, and reports 519 too.
func TestCallerDeadline(t *testing.T) {
	release := make(chan struct{})
	rec := newRecorder(t, stall(release, false))
	t.Cleanup(func() { close(release) })
	dev := device(`{"url": "`+rec.srv.URL+`", "timeout": "1m"}`, pt("0001", driver.Int, driver.Read, `{"path": "$.v"}`))
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err := start(t, dev).ReadNow(ctx, dev.Points[0])
	wantCode(t, err, driver.CodeTimeout, "timed out")
}

// TestSlowResponse: a body that trickles in within the timeout is read.
func TestSlowResponse(t *testing.T) {
	rec := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		for _, part := range []string{`{"v"`, `: 4`, `2}`} {
			_, _ = w.Write([]byte(part))
			w.(http.Flusher).Flush()
			time.Sleep(20 * time.Millisecond)
		}
	})
	dev := device(`{"url": "`+rec.srv.URL+`", "timeout": "20s"}`, pt("0001", driver.Int, driver.Read, `{"path": "$.v"}`))
	got, err := readAll(t, start(t, dev), dev)
	if err != nil || got["0001"].Value != int64(42) {
		t.Fatalf("slow read: %v %+v", err, got)
	}
}

// TestResponseSizeLimit: a body over the limit fails with 1301 whether the
// server announces its length or streams it; one at the limit is read.
func TestResponseSizeLimit(t *testing.T) {
	body := func(n int) []byte { // {"v":"xxx…"} of exactly n bytes
		return []byte(`{"v":"` + strings.Repeat("x", n-8) + `"}`)
	}
	cases := []struct {
		name    string
		limit   string // max_response_size, "" for the default
		size    int
		chunked bool
		ok      bool
	}{
		{"at the limit", `, "max_response_size": 1024`, 1024, false, true},
		{"announced", `, "max_response_size": 1024`, 1025, false, false},
		{"streamed", `, "max_response_size": 1024`, 4096, true, false},
		{"default limit streamed", "", defaultMaxResponseSize + 1, true, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			payload := body(c.size)
			rec := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
				if !c.chunked {
					w.Header().Set("Content-Length", strconv.Itoa(len(payload)))
					_, _ = w.Write(payload)
					return
				}
				for rest := payload; len(rest) > 0; {
					n := min(len(rest), 64<<10)
					if _, err := w.Write(rest[:n]); err != nil {
						return
					}
					w.(http.Flusher).Flush()
					rest = rest[n:]
				}
			})
			dev := device(`{"url": "`+rec.srv.URL+`"`+c.limit+`}`, pt("0001", driver.String, driver.Read, `{"path": "$.v"}`))
			got, err := readAll(t, start(t, dev), dev)
			if c.ok {
				if err != nil || !bytes.Equal([]byte(got["0001"].Value.(string)), payload[6:len(payload)-2]) {
					t.Fatalf("read at the limit: %v", err)
				}
				return
			}
			wantCode(t, err, CodeResponseTooLarge, "max_response_size")
		})
	}
}
