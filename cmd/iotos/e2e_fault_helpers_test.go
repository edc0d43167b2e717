package main

import (
	"bufio"
	"database/sql"
	"encoding/binary"
	"fmt"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite" // read the engine's outbox file as the engine left it
)

// faultRig is a platform process with one gateway whose table is a single
// ascending counter polled every 10 ms: a gap or a repeat in its history
// is a lost or duplicated sample.
type faultRig struct {
	srv       *proc
	c         *client
	gw, key   string
	nats      string // the platform's NATS address
	serveArgs []string
	point     string // full ID of the counter
}

func newFaultRig(t *testing.T, table string) *faultRig {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end: builds and runs the binary")
	}
	httpAddr, natsAddr := freeAddr(t), freeAddr(t)
	r := &faultRig{nats: natsAddr}
	r.serveArgs = []string{"serve", "--data-dir", t.TempDir(), "--http", httpAddr, "--nats", natsAddr, "--admin-password", "fault-pw"}
	r.srv = startProc(t, nil, r.serveArgs...)
	base := "http://" + httpAddr
	waitReady(t, base, r.srv)
	r.c = &client{t: t, base: base}
	r.c.login("admin", "fault-pw")
	var gw struct{ ID, Key string }
	r.c.ok("POST", "/api/v1/gateways", map[string]string{"name": "fault"}, &gw)
	r.c.ok("PUT", "/api/v1/gateways/"+gw.ID+"/table", table, nil)
	r.gw, r.key, r.point = gw.ID, gw.Key, gw.ID+".0c0c0c0c.00c1"
	return r
}

// engine starts an engine for the rig's gateway dialing server, on dataDir.
func (r *faultRig) engine(t *testing.T, server, dataDir string, extra ...string) *proc {
	args := append([]string{"engine", "--server", "nats://" + server, "--gateway", r.gw, "--data-dir", dataDir}, extra...)
	return startProc(t, []string{"IOTOS_GATEWAY_KEY=" + r.key}, args...)
}

// waitHistoryPast waits until the counter's history holds a sample newer
// than ms (Unix ms) and returns the history sorted by time.
func (r *faultRig) waitHistoryPast(t *testing.T, ms int64, timeout time.Duration) []histSample {
	t.Helper()
	var h []histSample
	eventually(t, timeout, fmt.Sprintf("history past %d", ms), func() bool {
		h = fetchHistory(t, r.c, r.point)
		sortByTimeAndValue(h)
		return len(h) > 0 && h[len(h)-1].TS > ms
	})
	return h
}

// sortByTimeAndValue orders a counter's history by time, and by value among
// samples of one millisecond (the counter only ascends within a run); the
// platform orders equal times by arrival, which windowed delivery may mix.
func sortByTimeAndValue(h []histSample) {
	sort.Slice(h, func(i, j int) bool {
		if h[i].TS != h[j].TS {
			return h[i].TS < h[j].TS
		}
		return h[i].Value < h[j].Value
	})
}

// segments splits a counter's history into runs of consecutive values and
// fails on a repeated timestamp (a sample stored twice).
func segments(t *testing.T, h []histSample) [][]histSample {
	t.Helper()
	var out [][]histSample
	for i, s := range h {
		// Two polls may fall in one millisecond, so only the same value at the
		// same time is a sample stored twice.
		if i > 0 && s == h[i-1] {
			t.Fatalf("sample stored twice: ts %d value %v", s.TS, s.Value)
		}
		if i == 0 || s.Value != h[i-1].Value+1 {
			out = append(out, nil)
		}
		out[len(out)-1] = append(out[len(out)-1], s)
	}
	return out
}

// outboxSample is one sample as the engine appended it to its outbox.
type outboxSample struct {
	TS    int64
	Value float64
}

// readOutbox opens the engine's outbox file as a crashed engine left it,
// checks its integrity and returns the samples still waiting for an
// acknowledgement.
func readOutbox(t *testing.T, dataDir, gw string) []outboxSample {
	t.Helper()
	path := filepath.Join(dataDir, "engine", gw, "outbox.db")
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var integrity string
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&integrity); err != nil || integrity != "ok" {
		t.Fatalf("outbox %s integrity: %q %v", path, integrity, err)
	}
	rows, err := db.Query(`SELECT seq, n, payload FROM batches ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []outboxSample
	for rows.Next() {
		var seq, n int64
		var payload []byte
		if err := rows.Scan(&seq, &n, &payload); err != nil {
			t.Fatal(err)
		}
		batch, err := decodeOutboxPayload(payload)
		if err != nil || int64(len(batch)) != n {
			t.Fatalf("outbox row %d: %d samples (n=%d), err %v", seq, len(batch), n, err)
		}
		out = append(out, batch...)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// decodeOutboxPayload reads the outbox's documented row format (version 1:
// uvarint count, then per sample str(P) varint(T) str(Q) varint(C) tag
// value) independently of the engine's own decoder, keeping numeric values.
func decodeOutboxPayload(b []byte) ([]outboxSample, error) {
	if len(b) == 0 || b[0] != 1 {
		return nil, fmt.Errorf("payload version %v", b[:min(1, len(b))])
	}
	d := payloadReader{b: b[1:]}
	n := d.uvarint()
	var out []outboxSample
	for i := uint64(0); i < n && d.err == nil; i++ {
		d.str() // point
		ts := d.varint()
		d.str() // quality
		d.varint()
		out = append(out, outboxSample{TS: ts, Value: d.value()})
	}
	return out, d.err
}

type payloadReader struct {
	b   []byte
	err error
}

func (d *payloadReader) take(n int) []byte {
	if d.err != nil || n > len(d.b) {
		d.err = fmt.Errorf("payload truncated")
		return make([]byte, n)
	}
	out := d.b[:n]
	d.b = d.b[n:]
	return out
}

func (d *payloadReader) uvarint() uint64 {
	v, k := binary.Uvarint(d.b)
	if k <= 0 {
		d.err = fmt.Errorf("bad uvarint")
		return 0
	}
	d.b = d.b[k:]
	return v
}

func (d *payloadReader) varint() int64 {
	v, k := binary.Varint(d.b)
	if k <= 0 {
		d.err = fmt.Errorf("bad varint")
		return 0
	}
	d.b = d.b[k:]
	return v
}

func (d *payloadReader) str() string { return string(d.take(int(d.uvarint()))) }

func (d *payloadReader) value() float64 {
	switch tag := d.take(1)[0]; tag {
	case 0, 1, 2:
		return float64(tag - 1) // nil reads as -1; the counter is never nil
	case 3:
		return float64(d.varint())
	case 4:
		return float64(d.uvarint())
	case 5:
		return math.Float64frombits(binary.LittleEndian.Uint64(d.take(8)))
	case 6:
		return float64(math.Float32frombits(binary.LittleEndian.Uint32(d.take(4))))
	case 7, 8:
		v, err := strconv.ParseFloat(d.str(), 64)
		if err != nil {
			d.err = err
		}
		return v
	default:
		d.err = fmt.Errorf("unknown value tag %d", tag)
		return 0
	}
}

// scrape reads one unlabelled (or fully labelled, as written) metric from
// a Prometheus text endpoint.
func scrape(t *testing.T, url, name string) float64 {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("scrape %s: %v", url, err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if rest, ok := strings.CutPrefix(line, name+" "); ok {
			v, err := strconv.ParseFloat(strings.TrimSpace(rest), 64)
			if err != nil {
				t.Fatalf("metric %s: %v", line, err)
			}
			return v
		}
	}
	t.Fatalf("metric %s not found at %s", name, url)
	return 0
}

// longTests reports whether IOTOS_LONG_TESTS asks for the long variants.
func longTests() bool { return os.Getenv("IOTOS_LONG_TESTS") != "" }
