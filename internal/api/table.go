package api

import (
	"encoding/json"
	"net/http"

	"github.com/iotos/iotos/internal/codes"
	"github.com/iotos/iotos/internal/store"
)

// tableFormat reads ?format=, defaulting to tb; CSV and XLSX are not
// available yet.
func tableFormat(r *http.Request) error {
	switch f := r.URL.Query().Get("format"); f {
	case "", "tb":
		return nil
	default:
		return codes.New(codes.ArgError, "table format %q is not supported yet (use tb)", f)
	}
}

// exportTable replies with the .tb document as the envelope's data.
func (s *server) exportTable(w http.ResponseWriter, r *http.Request, u store.User) (any, error) {
	if err := tableFormat(r); err != nil {
		return nil, err
	}
	tb, err := s.app.ExportTable(r.Context(), u, r.PathValue("gw"), queryBool(r, "reveal"))
	if err != nil {
		return nil, err
	}
	return json.RawMessage(tb), nil
}

// importTable takes the .tb file itself as the request body.
func (s *server) importTable(w http.ResponseWriter, r *http.Request, u store.User) (any, error) {
	if err := tableFormat(r); err != nil {
		return nil, err
	}
	body, err := readBody(w, r, maxTableBody)
	if err != nil {
		return nil, err
	}
	return s.app.ImportTable(r.Context(), u, r.PathValue("gw"), body, queryBool(r, "dry_run"))
}
