// Command iotos is the IOTOS binary: platform, engine, demo, benchmarks.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/iotos/iotos/internal/codes"
)

const usage = `iotos — IoT data acquisition: platform, engine and drivers in one binary

usage: iotos <command> [flags]

commands:
  demo      platform + engine + simulated devices on one machine
  serve     the platform: REST API, console, embedded NATS, storage
  engine    a collection engine for one gateway
  table     point tables: validate, import, export (.tb, CSV, XLSX)
  sim       device simulators (iotos sim modbus)
  bench     built-in benchmarks: ingest, stream, modbus, extdriver
  version   version, commit, Go version

Run 'iotos <command> -h' for its flags.
`

type command func(ctx context.Context, args []string) error

var commands = map[string]command{
	"demo":    runDemo,
	"serve":   runServe,
	"engine":  runEngine,
	"bench":   runBench,
	"sim":     runSim,
	"version": runVersion,
}

func main() {
	os.Exit(run(os.Args[1:]))
}

// run executes a command and returns the exit status: 0 on a clean stop,
// 2 for a usage error, 1 for a fatal error (printed with its code).
func run(args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(os.Stderr, usage)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(os.Stderr, "iotos: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := cmd(ctx, args[1:])
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, new(usageError)):
		fmt.Fprintf(os.Stderr, "iotos %s: %v\n", args[0], err)
		return 2
	}
	e := codes.From(err)
	if e.Code == codes.Unknown {
		fmt.Fprintf(os.Stderr, "iotos %s: code %d: %v\n", args[0], e.Code, err)
	} else {
		fmt.Fprintf(os.Stderr, "iotos %s: %v\n", args[0], e)
	}
	return 1
}

// usageError is a bad command line.
type usageError struct{ error }

func (e usageError) Unwrap() error { return e.error }
