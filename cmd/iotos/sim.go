package main

import (
	"context"
	"fmt"
	"time"

	"github.com/iotos/iotos/drivers/modbus/sim"
)

func runSim(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "modbus" {
		return usageError{fmt.Errorf("which simulator? iotos sim modbus [flags]")}
	}
	fs := newFlags("sim modbus", "sim modbus [flags]")
	devices := fs.Int("devices", 1, "number of simulated devices, on consecutive ports")
	host := fs.String("host", "127.0.0.1", "listen host")
	port := fs.Int("port", 5020, "port of the first device")
	registers := fs.Int("registers", 1000, "addresses per area (holding, input, coils, discrete)")
	delay := fs.Duration("delay", 0, "delay added to every request, e.g. 10ms")
	httpAddr := fs.String("http", "", "listen address of the JSON request counters (GET /stats), e.g. 127.0.0.1:5080")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	s, err := sim.Start(sim.Options{Devices: *devices, Host: *host, Port: *port, Registers: *registers, Delay: *delay, HTTP: *httpAddr})
	if err != nil {
		return err
	}
	defer s.Close()
	for i, a := range s.Addrs() {
		fmt.Printf("modbus device %d at tcp://%s (unit 1)\n", i, a)
	}
	if a := s.HTTPAddr(); a != "" {
		fmt.Printf("request counters at http://%s/stats\n", a)
	}
	<-ctx.Done()
	st := s.Stats()
	var req uint64
	for _, d := range st {
		req += d.Requests
	}
	fmt.Printf("served %d requests in total; stopped at %s\n", req, time.Now().UTC().Format(time.RFC3339))
	return nil
}
