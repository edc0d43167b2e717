// Package sim is a Modbus TCP simulator for tests, the demo and benchmarks:
// many devices on consecutive ports, values that change over time, writes
// that stick, an optional per-request delay and per-device counters, served
// as JSON over HTTP when asked.
//
// Every device answers any unit ID and has Options.Registers addresses in
// each area: holding registers count up every 100 ms (offset by address),
// input registers follow a one-minute sine wave, coils toggle every 100 ms
// and discrete inputs every second. Written holding registers and coils keep
// the written value. Reads beyond Registers get an illegal-data-address
// exception.
package sim

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strconv"
	"time"

	mb "github.com/simonvetter/modbus"
)

// Options configure a simulator.
type Options struct {
	Devices   int           // number of devices (default 1)
	Host      string        // listen host (default 127.0.0.1)
	Port      int           // first port; devices listen on consecutive ports; 0 picks free ports
	Registers int           // addresses per area (default 1000, at most 65536)
	Delay     time.Duration // added to every request, to simulate slow devices
	HTTP      string        // optional listen address of the JSON stats endpoint
	Logger    *log.Logger   // receives the Modbus library's log lines (default: discarded)
}

// DeviceStats are one device's counters.
type DeviceStats struct {
	Port      int    `json:"port"`
	Requests  uint64 `json:"requests"`  // requests received, reads and writes
	Registers uint64 `json:"registers"` // registers and bits read or written
	Writes    uint64 `json:"writes"`    // write requests
}

// Sim is a running simulator.
type Sim struct {
	opts    Options
	devices []*device
	servers []*mb.ModbusServer
	http    *http.Server
	httpLn  net.Listener
}

// Start starts every device (and the stats endpoint); on error nothing is
// left running.
func Start(opts Options) (*Sim, error) {
	if err := opts.normalize(); err != nil {
		return nil, err
	}
	s := &Sim{opts: opts}
	for i := range opts.Devices {
		if err := s.startDevice(i); err != nil {
			s.Close()
			return nil, err
		}
	}
	if opts.HTTP != "" {
		if err := s.serveHTTP(); err != nil {
			s.Close()
			return nil, err
		}
	}
	return s, nil
}

func (o *Options) normalize() error {
	if o.Devices == 0 {
		o.Devices = 1
	}
	if o.Host == "" {
		o.Host = "127.0.0.1"
	}
	if o.Registers == 0 {
		o.Registers = 1000
	}
	if o.Logger == nil {
		o.Logger = log.New(io.Discard, "", 0)
	}
	switch {
	case o.Devices < 0:
		return fmt.Errorf("sim: devices %d: want 1 or more", o.Devices)
	case o.Registers < 0 || o.Registers > 0x10000:
		return fmt.Errorf("sim: registers %d: want 1-65536", o.Registers)
	case o.Port < 0 || o.Port > 0 && o.Port+o.Devices-1 > 0xFFFF:
		return fmt.Errorf("sim: ports %d-%d out of range", o.Port, o.Port+o.Devices-1)
	case o.Delay < 0:
		return fmt.Errorf("sim: delay must not be negative")
	}
	return nil
}

func (s *Sim) startDevice(i int) error {
	port := s.opts.Port + i
	if s.opts.Port == 0 {
		p, err := freePort(s.opts.Host)
		if err != nil {
			return err
		}
		port = p
	}
	d := newDevice(port, s.opts.Registers, s.opts.Delay)
	srv, err := mb.NewServer(&mb.ServerConfiguration{
		URL: "tcp://" + net.JoinHostPort(s.opts.Host, strconv.Itoa(port)), MaxClients: 64, Logger: s.opts.Logger,
	}, d)
	if err != nil {
		return fmt.Errorf("sim: device %d: %w", i, err)
	}
	if err := srv.Start(); err != nil {
		return fmt.Errorf("sim: device %d port %d: %w", i, port, err)
	}
	s.devices = append(s.devices, d)
	s.servers = append(s.servers, srv)
	return nil
}

// freePort asks the kernel for a free port. The library binds by address,
// so the port is released and bound again; another process could take it
// in between, which Start then reports.
func freePort(host string) (int, error) {
	ln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		return 0, fmt.Errorf("sim: free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// Addrs returns each device's host:port, in device order.
func (s *Sim) Addrs() []string {
	out := make([]string, len(s.devices))
	for i, d := range s.devices {
		out[i] = net.JoinHostPort(s.opts.Host, strconv.Itoa(d.port))
	}
	return out
}

// Stats returns every device's counters, in device order.
func (s *Sim) Stats() []DeviceStats {
	out := make([]DeviceStats, len(s.devices))
	for i, d := range s.devices {
		out[i] = d.stats()
	}
	return out
}

// HTTPAddr is the stats endpoint's listen address, or "" without one.
func (s *Sim) HTTPAddr() string {
	if s.httpLn == nil {
		return ""
	}
	return s.httpLn.Addr().String()
}

func (s *Sim) serveHTTP() error {
	ln, err := net.Listen("tcp", s.opts.HTTP)
	if err != nil {
		return fmt.Errorf("sim: stats endpoint: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /stats", s.handleStats)
	s.httpLn = ln
	s.http = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go s.http.Serve(ln)
	return nil
}

func (s *Sim) handleStats(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(s.Stats())
}

// Close stops every device and the stats endpoint.
func (s *Sim) Close() error {
	var errs []error
	for _, srv := range s.servers {
		errs = append(errs, srv.Stop())
	}
	if s.http != nil {
		errs = append(errs, s.http.Close())
	}
	return errors.Join(errs...)
}
