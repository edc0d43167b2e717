package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/iotos/iotos/internal/app"
	"github.com/iotos/iotos/internal/store"
)

// tableContentTypes are the media types of exported table files.
var tableContentTypes = map[string]string{
	app.FormatCSV:  "text/csv; charset=utf-8",
	app.FormatXLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

// exportTable replies with the .tb document as the envelope's data, or with
// a CSV or XLSX file itself (?format=csv|xlsx), as a download. Errors stay
// envelopes whatever the format, so it writes its own reply rather than
// going through handle.
func (s *server) exportTable(w http.ResponseWriter, r *http.Request) {
	u, err := s.authenticate(r)
	if err != nil {
		writeError(w, err)
		return
	}
	format, err := app.CheckTableFormat(r.URL.Query().Get("format"))
	if err != nil {
		writeError(w, err)
		return
	}
	gw := r.PathValue("gw")
	out, err := s.app.ExportTableAs(r.Context(), u, gw, format, queryBool(r, "reveal"))
	switch {
	case err != nil:
		writeError(w, err)
	case format == app.FormatTB:
		writeData(w, json.RawMessage(out))
	default:
		h := w.Header()
		h.Set("Content-Type", tableContentTypes[format])
		h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.%s"`, gw, format))
		h.Set("Content-Length", strconv.Itoa(len(out)))
		h.Set("Cache-Control", "no-store")
		h.Set("X-Content-Type-Options", "nosniff")
		_, _ = w.Write(out)
	}
}

// importTable takes the table file itself as the request body, in the
// format named by ?format= (default tb).
func (s *server) importTable(w http.ResponseWriter, r *http.Request, u store.User) (any, error) {
	format, err := app.CheckTableFormat(r.URL.Query().Get("format"))
	if err != nil {
		return nil, err
	}
	body, err := readBody(w, r, maxTableBody)
	if err != nil {
		return nil, err
	}
	return s.app.ImportTableAs(r.Context(), u, r.PathValue("gw"), format, body, queryBool(r, "dry_run"))
}
