package api

import "net/http"

// routes lists every endpoint of the API (DESIGN.md §5).
func (s *server) routes() {
	const v1 = "/api/v1"
	s.mux.HandleFunc("GET /healthz", s.healthz)
	s.mux.HandleFunc("GET /readyz", s.readyz)
	s.mux.HandleFunc("/api/", s.notFound)

	s.mux.HandleFunc("POST "+v1+"/login", s.login)
	s.mux.HandleFunc("POST "+v1+"/logout", s.logout)
	s.handle("GET "+v1+"/me", s.me)

	s.handle("GET "+v1+"/gateways", s.listGateways)
	s.handle("POST "+v1+"/gateways", s.createGateway)
	s.handle("GET "+v1+"/gateways/{gw}", s.getGateway)
	s.handle("PUT "+v1+"/gateways/{gw}", s.updateGateway)
	s.handle("DELETE "+v1+"/gateways/{gw}", s.deleteGateway)
	s.handle("POST "+v1+"/gateways/{gw}/key", s.rotateKey)
	s.handle("POST "+v1+"/gateways/{gw}/broadcast", s.broadcast)
	s.mux.HandleFunc("GET "+v1+"/gateways/{gw}/table", s.exportTable) // a file download: writes its own reply
	s.handle("PUT "+v1+"/gateways/{gw}/table", s.importTable)

	const dev = v1 + "/gateways/{gw}/devices"
	s.handle("GET "+dev, s.listDevices)
	s.handle("POST "+dev, s.createDevice)
	s.handle("GET "+dev+"/{dev}", s.getDevice)
	s.handle("PUT "+dev+"/{dev}", s.updateDevice)
	s.handle("DELETE "+dev+"/{dev}", s.deleteDevice)
	s.handle("POST "+dev+"/{dev}/collect", s.collect)
	s.handle("POST "+dev+"/{dev}/browse", s.browse)

	const pt = dev + "/{dev}/points"
	s.handle("GET "+pt, s.listPoints)
	s.handle("POST "+pt, s.createPoint)
	s.handle("GET "+pt+"/{pt}", s.getPoint)
	s.handle("PUT "+pt+"/{pt}", s.updatePoint)
	s.handle("DELETE "+pt+"/{pt}", s.deletePoint)

	s.handle("GET "+v1+"/values", s.values)
	s.mux.HandleFunc("GET "+v1+"/stream", s.stream) // authenticates itself: browsers send ?token=
	s.handle("GET "+v1+"/drivers", s.drivers)
	s.handle("GET "+v1+"/points/{full}/value", s.readValue)
	s.handle("PUT "+v1+"/points/{full}/value", s.writeValue)
	s.handle("GET "+v1+"/points/{full}/history", s.history)

	s.handle("GET "+v1+"/audit", s.audit)

	s.handle("GET "+v1+"/users", s.listUsers)
	s.handle("POST "+v1+"/users", s.createUser)
	s.handle("GET "+v1+"/users/{id}", s.getUser)
	s.handle("PUT "+v1+"/users/{id}", s.updateUser)
	s.handle("DELETE "+v1+"/users/{id}", s.deleteUser)
}

func (s *server) healthz(w http.ResponseWriter, r *http.Request) {
	writeData(w, map[string]string{"status": "ok"})
}

func (s *server) readyz(w http.ResponseWriter, r *http.Request) {
	if !s.ready() {
		writeEnvelopeStatus(w, http.StatusServiceUnavailable, notReady)
		return
	}
	writeData(w, map[string]string{"status": "ready"})
}

func (s *server) notFound(w http.ResponseWriter, r *http.Request) {
	writeError(w, errNoEndpoint(r))
}
