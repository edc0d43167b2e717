package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/iotos/iotos/internal/bus"
	"github.com/iotos/iotos/internal/codes"
)

var notReady = codes.Envelope{Code: codes.SelfOffline, Msg: "platform not ready"}

func errNoEndpoint(r *http.Request) error {
	return &codes.Error{Code: codes.ArgError, Msg: "no endpoint " + r.Method + " " + r.URL.Path, Status: http.StatusNotFound}
}

func writeData(w http.ResponseWriter, data any) {
	writeEnvelopeStatus(w, http.StatusOK, codes.OK(data))
}

func writeError(w http.ResponseWriter, err error) {
	e := codes.From(err)
	writeEnvelopeStatus(w, codes.StatusOf(e), e.Envelope())
}

// writeReply passes an engine's reply through unchanged: its code, message
// and data are the driver's own, not nested in another envelope.
func writeReply(w http.ResponseWriter, r bus.Reply) {
	if len(r.Data) == 0 {
		r.Data = json.RawMessage("null")
	}
	writeEnvelopeStatus(w, codes.HTTPStatus(r.Code), r)
}

func writeEnvelopeStatus(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b, _ = json.Marshal(codes.Envelope{Code: codes.Unknown, Msg: "reply does not encode", Data: err.Error()})
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

// decodeJSON reads one JSON value strictly: unknown fields, trailing data
// and bodies over the limit are 105. Numbers stay exact (json.Number) so a
// large INT is not rounded through float64.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return badJSON(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return codes.New(codes.ArgError, "malformed JSON: trailing data after the value")
	}
	return nil
}

func badJSON(err error) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return &codes.Error{Code: codes.ArgError, Msg: "request body too large", Status: http.StatusRequestEntityTooLarge}
	}
	if errors.Is(err, io.EOF) {
		return codes.New(codes.ArgError, "malformed JSON: empty body")
	}
	return codes.New(codes.ArgError, "malformed JSON: %v", err)
}

// readBody reads a whole body up to limit (105 beyond it).
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, limit)); err != nil {
		return nil, badJSON(err)
	}
	return buf.Bytes(), nil
}

var errCrossOrigin = codes.New(codes.ObjectNotAuth, "cross-origin request refused")
