package main

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"log/slog"

	"github.com/iotos/iotos/internal/app"
	"github.com/iotos/iotos/internal/platform"
)

// demoTable is the demo gateway's point table, in the original .tb format.
//
//go:embed demo.tb
var demoTable []byte

const demoGateway = "demo"

func runDemo(ctx context.Context, args []string) error {
	fs := newFlags("demo", "demo [flags]")
	var pf platformFlags
	pf.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := pf.config()
	if err != nil {
		return err
	}
	p, err := platform.Start(ctx, cfg)
	if err != nil {
		return err
	}
	gw, key, err := seedDemo(ctx, p.App(), cfg.Logger)
	if err != nil {
		_ = p.Shutdown(context.Background())
		return fmt.Errorf("seed the demo: %w", err)
	}
	link, err := p.Bus().EngineLinkInProcess(gw, key, cfg.Logger.With("component", "bus"))
	if err != nil {
		_ = p.Shutdown(context.Background())
		return fmt.Errorf("demo engine link: %w", err)
	}
	engineDone := make(chan error, 1)
	engineCtx, stopEngine := context.WithCancel(context.Background())
	go func() {
		engineDone <- runEngineOn(engineCtx, engineSetup{
			gateway: gw, dataDir: cfg.DataDir, outboxMax: 64 << 20, link: link, log: cfg.Logger,
			metrics: p.Metrics(),
		})
	}()

	fmt.Printf("\nIOTOS demo is running.\n  console:  %s/\n  API:      %s/api/v1\n  login:    admin / %s\n  gateway:  %s (%s), engine in this process\n  NATS:     nats://%s for more engines\nStop with Ctrl-C.\n\n",
		p.URL(), p.URL(), passwordHint(cfg.AdminPassword), demoGateway, gw, cfg.NATS)

	var engineErr error
	select {
	case <-ctx.Done():
	case engineErr = <-engineDone:
		engineDone <- engineErr
	}
	stopEngine()
	engineErr = <-engineDone
	_ = link.Close()
	return errors.Join(engineErr, waitAndStop(ctx, p, cfg.Logger))
}

func passwordHint(given string) string {
	if given != "" {
		return "the password given with --admin-password (on first start)"
	}
	return "the password printed above on first start"
}

// seedDemo makes the demo gateway and its simulated device on first run and
// gives the in-process engine a fresh key on every run, so no key is kept on
// disk.
func seedDemo(ctx context.Context, a *app.App, log *slog.Logger) (gw, key string, err error) {
	gws, err := a.ListGateways(ctx)
	if err != nil {
		return "", "", err
	}
	for _, g := range gws {
		if g.Name == demoGateway {
			key, err := a.RotateKey(ctx, app.System, g.ID)
			return g.ID, key, err
		}
	}
	created, err := a.CreateGateway(ctx, app.System, app.GatewayInput{Name: demoGateway, Description: "simulated devices of iotos demo"})
	if err != nil {
		return "", "", err
	}
	if _, err := a.ImportTable(ctx, app.System, created.ID, demoTable, false); err != nil {
		return "", "", fmt.Errorf("demo table: %w", err)
	}
	log.Info("seeded the demo gateway", "gateway", created.ID)
	return created.ID, created.Key, nil
}
