package api

import (
	"net/http"
	"testing"

	"github.com/iotos/iotos/internal/bus"
	"github.com/iotos/iotos/internal/codes"
)

func TestValuesShape(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := e.seed()
	_, err := e.app.Batch(t.Context(), s.gw, bus.Batch{Epoch: "v", Seq: 1, Samples: []bus.WireSample{
		{P: s.dev + "." + s.temp, V: 21.5, T: 1700000000123},
		{P: s.dev + "." + s.count, V: float64(7), T: 1700000000124},
	}})
	if err != nil {
		t.Fatal(err)
	}
	var got []map[string]any
	e.ok(e.do("GET", "/api/v1/values?ids="+s.full(s.temp)+","+s.full(s.count)+","+s.full(s.state), e.token, nil), &got)
	if len(got) != 3 {
		t.Fatalf("values %v", got)
	}
	if got[0]["id"] != s.full(s.temp) || got[0]["value"] != 21.5 || got[0]["ts"] != 1700000000123.0 || got[0]["quality"] != "good" {
		t.Fatalf("FLOAT sample %v", got[0])
	}
	if got[1]["value"] != 7.0 {
		t.Fatalf("INT sample %v", got[1])
	}
	if got[2]["value"] != nil || got[2]["quality"] != "uncertain" {
		t.Fatalf("never reported %v", got[2])
	}
	e.ok(e.do("GET", "/api/v1/values?gateway="+s.gw+"&device="+s.dev, e.token, nil), &got)
	if len(got) != 4 || got[0]["id"] != s.full(s.temp) {
		t.Fatalf("device values %v", got)
	}
	e.want(e.do("GET", "/api/v1/values?gateway="+s.gw+"&device=0000ffff", e.token, nil), codes.DeviceNotExist, http.StatusNotFound)
	e.want(e.do("GET", "/api/v1/values?ids=nope", e.token, nil), codes.PointNotExist, http.StatusBadRequest)
	e.want(e.do("GET", "/api/v1/values", e.token, nil), codes.ArgError, http.StatusBadRequest)
}

func TestHistoryEndpoint(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := e.seed()
	var ws []bus.WireSample
	for i := 0; i < 10; i++ {
		ws = append(ws, bus.WireSample{P: s.dev + "." + s.temp, V: float64(i), T: int64(1000 * i)})
	}
	if _, err := e.app.Batch(t.Context(), s.gw, bus.Batch{Epoch: "h", Seq: 1, Samples: ws}); err != nil {
		t.Fatal(err)
	}
	var h struct {
		Samples   []map[string]any `json:"samples"`
		Truncated bool             `json:"truncated"`
	}
	e.ok(e.do("GET", "/api/v1/points/"+s.full(s.temp)+"/history?limit=99999999999", e.token, nil), &h)
	if len(h.Samples) != 10 || h.Truncated {
		t.Fatalf("huge limit clamps: %d %v", len(h.Samples), h.Truncated)
	}
	e.ok(e.do("GET", "/api/v1/points/"+s.full(s.temp)+"/history?from=2000&limit=3", e.token, nil), &h)
	if len(h.Samples) != 3 || !h.Truncated || h.Samples[0]["ts"] != 2000.0 {
		t.Fatalf("limited %+v", h)
	}
	e.ok(e.do("GET", "/api/v1/points/"+s.full(s.temp)+"/history?step=5s&agg=max", e.token, nil), &h)
	if len(h.Samples) != 2 || h.Samples[0]["value"] != 4.0 || h.Samples[1]["ts"] != 5000.0 {
		t.Fatalf("downsampled %+v", h)
	}
	e.want(e.do("GET", "/api/v1/points/"+s.full(s.temp)+"/history?from=yesterday", e.token, nil), codes.ArgError, http.StatusBadRequest)
}
