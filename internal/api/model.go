package api

import (
	"net/http"

	"github.com/iotos/iotos/internal/app"
	"github.com/iotos/iotos/internal/store"
)

func (s *server) listGateways(w http.ResponseWriter, r *http.Request, u store.User) (any, error) {
	return s.app.ListGateways(r.Context())
}

func (s *server) createGateway(w http.ResponseWriter, r *http.Request, u store.User) (any, error) {
	var in app.GatewayInput
	if err := decodeJSON(w, r, &in); err != nil {
		return nil, err
	}
	return s.app.CreateGateway(r.Context(), u, in)
}

func (s *server) getGateway(w http.ResponseWriter, r *http.Request, u store.User) (any, error) {
	return s.app.GetGateway(r.Context(), r.PathValue("gw"))
}

func (s *server) updateGateway(w http.ResponseWriter, r *http.Request, u store.User) (any, error) {
	var in app.GatewayInput
	if err := decodeJSON(w, r, &in); err != nil {
		return nil, err
	}
	return s.app.UpdateGateway(r.Context(), u, r.PathValue("gw"), in)
}

func (s *server) deleteGateway(w http.ResponseWriter, r *http.Request, u store.User) (any, error) {
	return nil, s.app.DeleteGateway(r.Context(), u, r.PathValue("gw"))
}

type keyReply struct {
	ID  string `json:"id"`
	Key string `json:"key"`
}

func (s *server) rotateKey(w http.ResponseWriter, r *http.Request, u store.User) (any, error) {
	gw := r.PathValue("gw")
	key, err := s.app.RotateKey(r.Context(), u, gw)
	if err != nil {
		return nil, err
	}
	return keyReply{ID: gw, Key: key}, nil
}

func (s *server) listDevices(w http.ResponseWriter, r *http.Request, u store.User) (any, error) {
	return s.app.ListDevices(r.Context(), u, r.PathValue("gw"), queryBool(r, "reveal"))
}

func (s *server) createDevice(w http.ResponseWriter, r *http.Request, u store.User) (any, error) {
	var in app.DeviceInput
	if err := decodeJSON(w, r, &in); err != nil {
		return nil, err
	}
	return s.app.CreateDevice(r.Context(), u, r.PathValue("gw"), in)
}

func (s *server) getDevice(w http.ResponseWriter, r *http.Request, u store.User) (any, error) {
	return s.app.GetDevice(r.Context(), u, r.PathValue("gw"), r.PathValue("dev"), queryBool(r, "reveal"))
}

func (s *server) updateDevice(w http.ResponseWriter, r *http.Request, u store.User) (any, error) {
	var in app.DeviceInput
	if err := decodeJSON(w, r, &in); err != nil {
		return nil, err
	}
	return s.app.UpdateDevice(r.Context(), u, r.PathValue("gw"), r.PathValue("dev"), in)
}

func (s *server) deleteDevice(w http.ResponseWriter, r *http.Request, u store.User) (any, error) {
	return nil, s.app.DeleteDevice(r.Context(), u, r.PathValue("gw"), r.PathValue("dev"))
}

func (s *server) listPoints(w http.ResponseWriter, r *http.Request, u store.User) (any, error) {
	return s.app.ListPoints(r.Context(), r.PathValue("gw"), r.PathValue("dev"))
}

func (s *server) createPoint(w http.ResponseWriter, r *http.Request, u store.User) (any, error) {
	var in app.PointInput
	if err := decodeJSON(w, r, &in); err != nil {
		return nil, err
	}
	return s.app.CreatePoint(r.Context(), u, r.PathValue("gw"), r.PathValue("dev"), in)
}

func (s *server) getPoint(w http.ResponseWriter, r *http.Request, u store.User) (any, error) {
	return s.app.GetPoint(r.Context(), r.PathValue("gw"), r.PathValue("dev"), r.PathValue("pt"))
}

func (s *server) updatePoint(w http.ResponseWriter, r *http.Request, u store.User) (any, error) {
	var in app.PointInput
	if err := decodeJSON(w, r, &in); err != nil {
		return nil, err
	}
	return s.app.UpdatePoint(r.Context(), u, r.PathValue("gw"), r.PathValue("dev"), r.PathValue("pt"), in)
}

func (s *server) deletePoint(w http.ResponseWriter, r *http.Request, u store.User) (any, error) {
	return nil, s.app.DeletePoint(r.Context(), u, r.PathValue("gw"), r.PathValue("dev"), r.PathValue("pt"))
}
