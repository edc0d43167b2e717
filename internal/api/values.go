package api

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/iotos/iotos/internal/app"
	"github.com/iotos/iotos/internal/codes"
	"github.com/iotos/iotos/internal/store"
)

// values serves ?ids=a,b (full IDs) or ?gateway=gw[&device=dev].
func (s *server) values(w http.ResponseWriter, r *http.Request, u store.User) (any, error) {
	q := r.URL.Query()
	if ids := q.Get("ids"); ids != "" {
		return s.app.CurrentValues(r.Context(), splitIDs(ids))
	}
	if gw := q.Get("gateway"); gw != "" {
		return s.app.ValuesOf(r.Context(), gw, q.Get("device"))
	}
	return nil, codes.New(codes.ArgError, "values: give ids=gw.dev.pt,… or gateway=gw[&device=dev]")
}

func splitIDs(s string) []string {
	var out []string
	for _, id := range strings.Split(s, ",") {
		if id = strings.TrimSpace(id); id != "" {
			out = append(out, id)
		}
	}
	return out
}

func (s *server) readValue(w http.ResponseWriter, r *http.Request, u store.User) (any, error) {
	timeout, err := queryTimeout(r)
	if err != nil {
		return nil, err
	}
	return s.app.ReadValue(r.Context(), r.PathValue("full"), r.URL.Query().Get("source"), timeout)
}

type writeRequest struct {
	Value     json.RawMessage `json:"value"`
	TimeoutMS int64           `json:"timeout_ms"`
}

// writeValue writes through the engine; the reply is the driver's envelope.
func (s *server) writeValue(w http.ResponseWriter, r *http.Request, u store.User) (any, error) {
	var req writeRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return nil, err
	}
	if len(req.Value) == 0 {
		return nil, codes.New(codes.ArgError, "write: value is required")
	}
	v, err := decodeValue(req.Value)
	if err != nil {
		return nil, err
	}
	return s.app.Write(r.Context(), u, r.PathValue("full"), v, msDuration(req.TimeoutMS))
}

// decodeValue keeps numbers exact for the point's type conversion.
func decodeValue(raw json.RawMessage) (any, error) {
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, codes.New(codes.ArgError, "write: value: %v", err)
	}
	return v, nil
}

func (s *server) history(w http.ResponseWriter, r *http.Request, u store.User) (any, error) {
	from, err := queryInt(r, "from")
	if err != nil {
		return nil, err
	}
	to, err := queryInt(r, "to")
	if err != nil {
		return nil, err
	}
	limit, err := queryInt(r, "limit")
	if err != nil {
		return nil, err
	}
	q := r.URL.Query()
	return s.app.History(r.Context(), app.HistoryQuery{
		ID: r.PathValue("full"), From: from, To: to, Limit: clampInt(limit),
		Step: q.Get("step"), Agg: q.Get("agg"),
	})
}

// clampInt keeps a huge limit from overflowing int; the app clamps it.
func clampInt(n int64) int {
	if n > app.MaxHistoryLimit {
		return app.MaxHistoryLimit + 1
	}
	return int(n)
}
