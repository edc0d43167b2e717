package api

import (
	"net/http"

	"github.com/iotos/iotos/internal/store"
)

type browseRequest struct {
	Root      string `json:"root"`
	Depth     int    `json:"depth"`
	TimeoutMS int64  `json:"timeout_ms"`
}

// browse replies with the engine's reply: data lists the device's nodes
// below root (see driver.BrowseNode). The body may be empty: the top, one
// level deep.
func (s *server) browse(w http.ResponseWriter, r *http.Request, u store.User) (any, error) {
	var req browseRequest
	if r.ContentLength != 0 {
		if err := decodeJSON(w, r, &req); err != nil {
			return nil, err
		}
	}
	return s.app.Browse(r.Context(), u, r.PathValue("gw"), r.PathValue("dev"), req.Root, req.Depth, msDuration(req.TimeoutMS))
}
