package web_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// csvPoints is the size of the table the console imports.
const csvPoints = 1000

// engineCommand is how the console shows a new gateway's key.
var engineCommand = regexp.MustCompile(`IOTOS_GATEWAY_KEY='([^']+)' iotos engine --server \S+ --gateway ([0-9a-f]{32})`)

// TestConsoleOperatorJourney drives the console in chromium the way an
// operator would: log in, create a gateway and a simulator device from the
// spec-generated form, import a 1,000-point CSV table after a dry run, watch
// live values change, write a value through the in-page confirmation and
// find it in the audit log; then a viewer sees no write controls and the
// API refuses the viewer's write.
func TestConsoleOperatorJourney(t *testing.T) {
	p := startPlatform(t)
	ctx := browser(t)
	shots := newShots(t, "journey")
	url := p.URL()

	login(t, ctx, shots, url, "admin", adminPassword)
	shots.save(t, ctx, "gateways-empty")

	step(t, ctx, shots, "create gateway",
		chromedp.Click(css(`#new-gateway`)),
		chromedp.WaitVisible(css(`dialog[open] input[name=name]`)),
		chromedp.SendKeys(css(`dialog[open] input[name=name]`), "plant-1"),
		chromedp.SendKeys(css(`dialog[open] input[name=description]`), "line 1 packaging"),
		chromedp.Click(css(`dialog[open] button[data-action=ok]`)),
		chromedp.WaitVisible(css(`#engine-command`)))
	shots.save(t, ctx, "gateway-key-shown-once")
	cmd, err := chromedp.Run(ctx, chromedp.Text(css(`#engine-command`)))
	if err != nil {
		t.Fatal(err)
	}
	m := engineCommand.FindStringSubmatch(cmd)
	if m == nil {
		t.Fatalf("engine command %q does not carry the key and gateway ID", cmd)
	}
	key, gw := m[1], m[2]
	startEngine(t, p, gw, key)
	step(t, ctx, shots, "close key dialog", chromedp.Click(css(`dialog[open] button[data-action=ok]`)))
	waitFor(t, ctx, shots, "gateway listed online",
		fmt.Sprintf(`!!document.querySelector('tr[data-gateway=%q] .badge.on')`, gw))
	shots.save(t, ctx, "gateway-online")

	step(t, ctx, shots, "create device from the driver form",
		chromedp.Navigate(url+"/#/gateways/"+gw),
		chromedp.WaitVisible(css(`#new-device`)),
		chromedp.Click(css(`#new-device`)),
		chromedp.WaitVisible(css(`dialog[open] input[name="config.seed"]`)),
		chromedp.SendKeys(css(`dialog[open] input[name=name]`), "sim1"),
		chromedp.SendKeys(css(`dialog[open] input[name="config.seed"]`), "7"),
		chromedp.SendKeys(css(`dialog[open] input[name="config.latency"]`), "bogus"),
		chromedp.Click(css(`dialog[open] button[data-action=ok]`)),
		chromedp.WaitVisible(css(`dialog[open] input[name="config.latency"].invalid`)))
	shots.save(t, ctx, "device-form-validation")
	step(t, ctx, shots, "fix and save the device",
		chromedp.SetValue(css(`dialog[open] input[name="config.latency"]`), "5ms"),
		chromedp.Click(css(`dialog[open] button[data-action=ok]`)),
		chromedp.WaitNotPresent(css(`dialog[open]`)))
	waitFor(t, ctx, shots, "device listed", `[...document.querySelectorAll('#devices tr[data-device]')].some(r => r.textContent.includes('sim1'))`)
	dev, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('#devices tr[data-device]').dataset.device`))
	if err != nil {
		t.Fatal(err)
	}
	shots.save(t, ctx, "device-created")

	csvFile := writeCSV(t, dev, csvPoints)
	step(t, ctx, shots, "dry-run the CSV import",
		chromedp.Click(css(`#import-table`)),
		chromedp.WaitVisible(css(`dialog[open] input[name=table-file]`)),
		chromedp.SetUploadFiles(css(`dialog[open] input[name=table-file]`), []string{csvFile}),
		chromedp.SetValue(css(`dialog[open] select[name=table-format]`), "csv"),
		chromedp.Click(css(`dialog[open] button[data-action=check]`)),
		chromedp.WaitVisible(css(`#table-summary`)))
	shots.save(t, ctx, "import-dry-run")
	summary, err := chromedp.Run(ctx, chromedp.Text(css(`#table-summary`)))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(summary, fmt.Sprintf("Points: %d added", csvPoints)) {
		t.Fatalf("dry run summary %q does not announce %d new points", summary, csvPoints)
	}
	step(t, ctx, shots, "import the CSV",
		chromedp.Click(css(`dialog[open] button[data-action=ok]`)),
		chromedp.WaitNotPresent(css(`dialog[open]`)))

	exported, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(
		`import('/static/api.js').then(m => m.download('/gateways/%s/table?format=csv')).then(b => b.text())`, gw), chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Count(exported, "\n"); !strings.HasPrefix(exported, "device_id,") || lines != csvPoints+1 {
		t.Fatalf("console's CSV export has %d lines, want a header and %d points:\n%.300s", lines, csvPoints, exported)
	}

	full := fmt.Sprintf("%s.%s.0001", gw, dev)
	setpoint := fmt.Sprintf("%s.%s.%04x", gw, dev, csvPoints)
	step(t, ctx, shots, "open the live view",
		chromedp.Navigate(url+"/#/live/"+gw),
		chromedp.WaitVisible(css(fmt.Sprintf(`[data-point=%q]`, full))))
	waitFor(t, ctx, shots, "first live value", fmt.Sprintf(`/^\d/.test(document.querySelector('[data-point=%q]').textContent)`, full))
	first, err := chromedp.Run(ctx, chromedp.Text(css(fmt.Sprintf(`[data-point=%q]`, full))))
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, shots, "live value changes",
		fmt.Sprintf(`(() => { const t = document.querySelector('[data-point=%q]').textContent; return /^\d/.test(t) && t !== %q })()`, full, first))
	shots.save(t, ctx, "live-values")

	step(t, ctx, shots, "write asks for confirmation",
		chromedp.SendKeys(css(fmt.Sprintf(`input[data-write=%q]`, setpoint)), "42.5"+kb.Enter),
		chromedp.WaitVisible(css(`dialog[open] button[data-action=ok]`)))
	shots.save(t, ctx, "write-confirmation")
	step(t, ctx, shots, "confirm the write", chromedp.Click(css(`dialog[open] button[data-action=ok]`)))
	waitFor(t, ctx, shots, "driver result shown",
		fmt.Sprintf(`document.querySelector('[data-write-result=%q]').textContent.startsWith('OK')`, setpoint))
	waitFor(t, ctx, shots, "written value shown live",
		fmt.Sprintf(`document.querySelector('[data-point=%q]').textContent === '42.5'`, setpoint))
	shots.save(t, ctx, "write-done")

	step(t, ctx, shots, "history chart",
		chromedp.Navigate(url+"/#/history/"+full),
		chromedp.WaitVisible(css(`#chart canvas`)))
	waitFor(t, ctx, shots, "history has samples", `/^[1-9]\d* samples/.test(document.querySelector('#history-info').textContent)`)
	shots.save(t, ctx, "history")

	step(t, ctx, shots, "point table",
		chromedp.Navigate(url+"/#/gateways/"+gw+"/devices/"+dev),
		chromedp.WaitVisible(css(`#points [data-point-row="0001"] input[name=min]`)),
		chromedp.SetValue(css(`#points [data-point-row="0001"] input[name=max]`), "5"),
		chromedp.SendKeys(css(`#points [data-point-row="0001"] input[name=min]`), "10\t"),
		chromedp.WaitVisible(css(`#points [data-point-row="0001"] input[name=min].invalid`)))
	shots.save(t, ctx, "point-table-inline-validation")
	waitFor(t, ctx, shots, "validation reason shown", `document.querySelector('#grid-problem').textContent.includes('greater than max')`)

	step(t, ctx, shots, "audit view", chromedp.Navigate(url+"/#/audit"), chromedp.WaitVisible(css(`#audit tr[data-audit]`)))
	waitFor(t, ctx, shots, "write in the audit log", fmt.Sprintf(
		`[...document.querySelectorAll('#audit tr[data-audit]')].some(r => r.textContent.includes(%q) && r.textContent.includes('write') && r.textContent.includes('42.5') && r.textContent.includes('admin'))`, setpoint))
	shots.save(t, ctx, "audit")

	step(t, ctx, shots, "create a viewer",
		chromedp.Navigate(url+"/#/users"),
		chromedp.WaitVisible(css(`#new-user`)),
		chromedp.Click(css(`#new-user`)),
		chromedp.WaitVisible(css(`dialog[open] input[name=new-username]`)),
		chromedp.SendKeys(css(`dialog[open] input[name=new-username]`), "vera"),
		chromedp.SendKeys(css(`dialog[open] input[name=new-password]`), "vera-viewer-pw-1"),
		chromedp.SetValue(css(`dialog[open] select[name=new-role]`), "viewer"),
		chromedp.Click(css(`dialog[open] button[data-action=ok]`)),
		chromedp.WaitVisible(css(`tr[data-user=vera]`)))
	shots.save(t, ctx, "users")
	step(t, ctx, shots, "log out", chromedp.Click(css(`#logout`)), chromedp.WaitVisible(css(`input[name=username]`)))

	login(t, ctx, shots, url, "vera", "vera-viewer-pw-1")
	step(t, ctx, shots, "viewer opens the live view",
		chromedp.Navigate(url+"/#/live/"+gw),
		chromedp.WaitVisible(css(fmt.Sprintf(`[data-point=%q]`, setpoint))))
	waitFor(t, ctx, shots, "viewer sees values", fmt.Sprintf(`/^\d/.test(document.querySelector('[data-point=%q]').textContent)`, full))
	shots.save(t, ctx, "viewer-live")
	hidden, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelectorAll('input[data-write]').length === 0 && !document.querySelector('#new-gateway')`))
	if err != nil || !hidden {
		t.Fatalf("a viewer sees write controls (err %v)", err)
	}
	code, err := chromedp.Run(ctx, chromedp.Evaluate[int](fmt.Sprintf(
		`fetch('/api/v1/points/%s/value', {method: 'PUT', headers: {'Content-Type': 'application/json'}, body: '{"value": 1}'}).then(r => r.json()).then(e => e.code)`, setpoint),
		chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if code != 112 {
		t.Fatalf("a viewer's write got code %d, want 112 (ObjectNotAuth)", code)
	}
}

// writeCSV makes a point table for device dev: n-1 ascending FLOAT points
// polled every second and one writable setpoint.
func writeCSV(t *testing.T, dev string, n int) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("device_id,device_name,driver,device_config,point_id,name,type,access,unit,min,max,interval_ms,config\n")
	for i := 1; i < n; i++ {
		fmt.Fprintf(&b, `%s,sim1,simulator,"{""seed"":7}",%04x,p%04d,FLOAT,r,bar,,,1000,"{""change"":""ascending"",""min"":0,""max"":1000000,""step"":1}"`+"\n", dev, i, i)
	}
	fmt.Fprintf(&b, `%s,sim1,simulator,"{""seed"":7}",%04x,setpoint,FLOAT,rw,bar,0,100,1000,"{""change"":""constant""}"`+"\n", dev, n)
	file := filepath.Join(t.TempDir(), "plant-1.csv")
	if err := os.WriteFile(file, []byte(b.String()), 0o640); err != nil {
		t.Fatal(err)
	}
	return file
}
