package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// consoleChromium is Debian's chromium, which the console tests drive.
const consoleChromium = "/usr/bin/chromium"

// consoleBrowser starts chromium headless with a fresh profile; a missing
// chromium fails the test with how to install it.
func consoleBrowser(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(consoleChromium); err != nil {
		t.Fatalf("the console test needs Debian's chromium at %s (apt-get install -y chromium): %v", consoleChromium, err)
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(consoleChromium),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1440, 900),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true))
	ctx, cancel := chromedp.NewContext(actx, chromedp.WithErrorf(t.Logf))
	if err := chromedp.Do(ctx); err != nil {
		cancel()
		cancelAlloc()
		t.Fatalf("start chromium: %v", err)
	}
	t.Cleanup(func() { cancel(); cancelAlloc() })
	return ctx
}

// consoleStep runs browser actions within a minute and fails the test with
// the step's name and the page's text.
func consoleStep(t *testing.T, ctx context.Context, name string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if err := chromedp.Do(sctx, actions...); err != nil {
		t.Fatalf("%s: %v\npage: %s", name, err, consoleText(ctx))
	}
}

// consoleWait polls a JavaScript condition in the page until it holds.
func consoleWait(t *testing.T, ctx context.Context, name, js string) {
	t.Helper()
	eventually(t, 60*time.Second, name, func() bool {
		sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		ok, err := chromedp.Run(sctx, chromedp.Evaluate[bool](js))
		return err == nil && ok
	})
}

// consoleCount is how many elements match a CSS selector now.
func consoleCount(t *testing.T, ctx context.Context, selector string) int {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	n, err := chromedp.Run(sctx, chromedp.Evaluate[int](fmt.Sprintf("document.querySelectorAll(%q).length", selector)))
	if err != nil {
		t.Fatalf("counting %s: %v", selector, err)
	}
	return n
}

func consoleText(ctx context.Context) string {
	sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	s, _ := chromedp.Run(sctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ''`))
	return s
}

// TestConsoleBrowseAddsPoints drives the console in chromium against the
// real binaries and a real OPC UA server: on an OPC UA device with no
// points, Browse lists the Objects folder; Plant and Limits are opened one
// level at a time (nothing below a node is asked for before it is opened);
// three variables are ticked and added. The points exist with the names,
// types, access and node configs the server's nodes call for, show in the
// point table, and the engine reads their values. A viewer gets no Browse
// button, and a device whose driver cannot browse shows none either.
func TestConsoleBrowseAddsPoints(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: builds and runs the binary")
	}
	requireOPCUAServer(t)
	bctx := consoleBrowser(t)
	srv := startOPCUAServer(t, opcuaPort(t), t.TempDir())
	c, gw := runGatewayEngine(t, "opcua-browse", strings.Replace(browseTB, "ENDPOINT", srv.endpoint(), 1))
	dev := "/api/v1/gateways/" + gw + "/devices/4e000001"
	eventually(t, 60*time.Second, "the engine to connect the OPC UA device", func() bool {
		_, env := c.do("POST", dev+"/browse", nil)
		return env.Code == 0
	})

	consoleStep(t, bctx, "log in",
		chromedp.Navigate(c.base+"/"),
		chromedp.WaitVisible(chromedp.CSS(`input[name=username]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name=username]`), "admin"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "pw-for-test"),
		chromedp.Click(chromedp.CSS(`form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#whoami`)))
	node := func(id string) string { return fmt.Sprintf(`[data-node=%q]`, id) }
	consoleStep(t, bctx, "open the browse panel",
		chromedp.Navigate(c.base+"/#/gateways/"+gw+"/devices/4e000001"),
		chromedp.WaitVisible(chromedp.CSS(`#browse-device`)),
		chromedp.Click(chromedp.CSS(`#browse-device`)),
		chromedp.WaitVisible(chromedp.CSS(`dialog[open] `+node("ns=2;s=Plant"))))
	if consoleCount(t, bctx, `#browse-tree [data-node="ns=2;s=Temperature"]`) != 0 {
		t.Fatalf("Plant's children were in the page before Plant was opened")
	}
	consoleStep(t, bctx, "open Plant and Limits",
		chromedp.Click(chromedp.CSS(node("ns=2;s=Plant")+` > .node button[data-expand]`)),
		chromedp.WaitVisible(chromedp.CSS(node("ns=2;s=Temperature"))),
		chromedp.Click(chromedp.CSS(node("ns=2;s=Limits")+` > .node button[data-expand]`)),
		chromedp.WaitVisible(chromedp.CSS(node("ns=2;s=Limits.High"))))
	if consoleCount(t, bctx, `[data-node="ns=2;s=Limits"] > .node input[data-pick], [data-node="ns=2;s=Plant"] > .node input[data-pick]`) != 0 {
		t.Fatalf("objects can be ticked as points")
	}
	consoleStep(t, bctx, "tick three variables",
		chromedp.Click(chromedp.CSS(node("ns=2;s=Temperature")+` > .node input[data-pick]`)),
		chromedp.Click(chromedp.CSS(node("ns=2;s=Running")+` > .node input[data-pick]`)),
		chromedp.Click(chromedp.CSS(node("ns=2;s=Limits.High")+` > .node input[data-pick]`)))
	consoleWait(t, bctx, "three selected", `document.querySelector('#browse-count').textContent === '3 selected'`)
	consoleStep(t, bctx, "add the points",
		chromedp.Click(chromedp.CSS(`dialog[open] button[data-action=add]`)),
		chromedp.WaitNotPresent(chromedp.CSS(`dialog[open]`)))
	consoleWait(t, bctx, "the new points in the point table",
		`['Temperature', 'Running', 'Limits_High'].every(n => [...document.querySelectorAll('#points input[name=name]')].some(i => i.value === n))`)

	var points []struct {
		ID         string          `json:"id"`
		Name       string          `json:"name"`
		Type       string          `json:"type"`
		Access     string          `json:"access"`
		IntervalMS int             `json:"interval_ms"`
		Config     json.RawMessage `json:"config"`
	}
	c.ok("GET", dev+"/points", nil, &points)
	want := map[string][3]string{
		"Temperature": {"FLOAT", "r", "ns=2;s=Temperature"},
		"Running":     {"BOOL", "rw", "ns=2;s=Running"},
		"Limits_High": {"FLOAT", "rw", "ns=2;s=Limits.High"},
	}
	if len(points) != len(want) {
		t.Fatalf("the device has %d points after adding 3: %+v", len(points), points)
	}
	ids := map[string]string{}
	for _, p := range points {
		w, ok := want[p.Name]
		var cfg map[string]any
		_ = json.Unmarshal(p.Config, &cfg)
		if !ok || p.Type != w[0] || p.Access != w[1] || cfg["node"] != w[2] || len(cfg) != 1 || p.IntervalMS != 1000 {
			t.Errorf("point %+v (config %s), want %v polled every 1000 ms", p, p.Config, w)
		}
		ids[p.Name] = p.ID
	}
	// The engine reads the added points from the server.
	eventually(t, 60*time.Second, "the added points' values on the platform", func() bool {
		run := currentValue(t, c, gw+".4e000001."+ids["Running"])
		high := currentValue(t, c, gw+".4e000001."+ids["Limits_High"])
		temp := currentValue(t, c, gw+".4e000001."+ids["Temperature"])
		return run.Quality == "good" && run.Value == false && high.Quality == "good" && temp.Quality == "good"
	})

	// Added again, a node gets a name of its own.
	consoleStep(t, bctx, "browse again and add Temperature once more",
		chromedp.Click(chromedp.CSS(`#browse-device`)),
		chromedp.WaitVisible(chromedp.CSS(`dialog[open] `+node("ns=2;s=Plant"))),
		chromedp.Click(chromedp.CSS(node("ns=2;s=Plant")+` > .node button[data-expand]`)),
		chromedp.WaitVisible(chromedp.CSS(node("ns=2;s=Temperature"))),
		chromedp.Click(chromedp.CSS(node("ns=2;s=Temperature")+` > .node input[data-pick]`)),
		chromedp.Click(chromedp.CSS(`dialog[open] button[data-action=add]`)),
		chromedp.WaitNotPresent(chromedp.CSS(`dialog[open]`)))
	consoleWait(t, bctx, "Temperature_2 in the point table",
		`[...document.querySelectorAll('#points input[name=name]')].some(i => i.value === 'Temperature_2')`)

	// No Browse where the driver cannot browse, nor for a viewer.
	consoleStep(t, bctx, "open the simulator device",
		chromedp.Navigate(c.base+"/#/gateways/"+gw+"/devices/4e000002"),
		chromedp.WaitVisible(chromedp.CSS(`#add-point`)))
	consoleWait(t, bctx, "no Browse on the simulator device", `!document.querySelector('#browse-device')`)
	c.ok("POST", "/api/v1/users", map[string]string{"name": "vera", "password": "vera-viewer-pw-1", "role": "viewer"}, nil)
	consoleStep(t, bctx, "log in as a viewer",
		chromedp.Click(chromedp.CSS(`#logout`)),
		chromedp.WaitVisible(chromedp.CSS(`input[name=username]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name=username]`), "vera"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "vera-viewer-pw-1"),
		chromedp.Click(chromedp.CSS(`form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#whoami`)),
		chromedp.Navigate(c.base+"/#/gateways/"+gw+"/devices/4e000001"),
		chromedp.WaitVisible(chromedp.CSS(`#points`)))
	consoleWait(t, bctx, "the viewer's device page loaded", `document.querySelectorAll('#points input[name=name]').length === 4`)
	consoleWait(t, bctx, "no Browse for a viewer", `!document.querySelector('#browse-device')`)
}
