package api

import (
	"encoding/json"
	"net/http"

	"github.com/iotos/iotos/internal/store"
)

type broadcastRequest struct {
	Type      string          `json:"type"`
	Data      json.RawMessage `json:"data"`
	TimeoutMS int64           `json:"timeout_ms"`
}

// broadcast replies with the engine's reply: data maps devices to replies.
func (s *server) broadcast(w http.ResponseWriter, r *http.Request, u store.User) (any, error) {
	var req broadcastRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return nil, err
	}
	return s.app.Broadcast(r.Context(), u, r.PathValue("gw"), req.Type, req.Data, msDuration(req.TimeoutMS))
}

type collectRequest struct {
	Action    string `json:"action"`
	TimeoutMS int64  `json:"timeout_ms"`
}

func (s *server) collect(w http.ResponseWriter, r *http.Request, u store.User) (any, error) {
	var req collectRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return nil, err
	}
	return s.app.Collect(r.Context(), u, r.PathValue("gw"), r.PathValue("dev"), req.Action, msDuration(req.TimeoutMS))
}
