package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/iotos/iotos/internal/app"
	"github.com/iotos/iotos/internal/codes"
	"github.com/iotos/iotos/internal/model"
)

func init() { commands["table"] = runTable }

const tableUsage = `table validate FILE
       iotos table import --server URL --gateway ID [--dry-run] FILE
       iotos table export --server URL --gateway ID [--format tb|csv|xlsx] [-o FILE]`

// runTable is `iotos table validate|import|export` (docs/tables.md).
func runTable(ctx context.Context, args []string) error {
	return tableCommand{out: os.Stdout, progress: os.Stderr}.run(ctx, args)
}

// tableCommand writes results to out and progress to progress, so tests
// can run it in-process.
type tableCommand struct {
	out, progress io.Writer
}

func (c tableCommand) run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usageError{fmt.Errorf("usage: iotos %s", tableUsage)}
	}
	switch args[0] {
	case "validate":
		return c.validate(args[1:])
	case "import":
		return c.importFile(ctx, args[1:])
	case "export":
		return c.export(ctx, args[1:])
	case "-h", "--help", "help":
		fmt.Fprintf(c.progress, "usage: iotos %s\n", tableUsage)
		return flag.ErrHelp
	}
	return usageError{fmt.Errorf("unknown table command %q; usage: iotos %s", args[0], tableUsage)}
}

// formatOf picks a table format from a file name's extension.
func formatOf(path string) (string, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".tb", ".json":
		return app.FormatTB, nil
	case ".csv":
		return app.FormatCSV, nil
	case ".xlsx":
		return app.FormatXLSX, nil
	}
	return "", usageError{fmt.Errorf("%s: unknown table format (use .tb, .json, .csv or .xlsx)", path)}
}

func decodeTableFile(format string, data []byte) (model.Table, []model.Problem, error) {
	switch format {
	case app.FormatCSV:
		return model.DecodeCSV(data)
	case app.FormatXLSX:
		return model.DecodeXLSX(data)
	}
	return model.DecodeTB(data)
}

// validate checks a file offline with the platform's own decoder and
// validation, printing every problem.
func (c tableCommand) validate(args []string) error {
	fs := newFlags("table validate", "table validate FILE")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError{errors.New("give exactly one FILE")}
	}
	format, err := formatOf(pos[0])
	if err != nil {
		return err
	}
	data, err := os.ReadFile(pos[0])
	if err != nil {
		return codes.New(codes.FileNotExist, "%v", err)
	}
	t, warnings, err := decodeTableFile(format, data)
	if err != nil {
		c.printProblems(pos[0], err)
		return err
	}
	for _, w := range warnings {
		fmt.Fprintf(c.out, "%s: warning: %s\n", pos[0], w)
	}
	fmt.Fprintf(c.out, "%s: valid %s table: %d devices, %d points\n", pos[0], format, len(t.Devices), countPoints(t))
	return nil
}

func countPoints(t model.Table) int {
	n := 0
	for _, dt := range t.Devices {
		n += len(dt.Points)
	}
	return n
}

// printProblems lists a 514's problems one per line.
func (c tableCommand) printProblems(name string, err error) {
	e := codes.From(err)
	ps, _ := e.Data.([]model.Problem)
	if raw, ok := e.Data.(json.RawMessage); ok {
		_ = json.Unmarshal(raw, &ps)
	}
	for _, p := range ps {
		fmt.Fprintf(c.out, "%s: %s\n", name, p)
	}
	if len(ps) > 0 {
		fmt.Fprintf(c.out, "%s: %d problems\n", name, len(ps))
	}
}

// parseInterleaved parses flags given before or after the positional
// arguments (`import FILE --dry-run` as well as `import --dry-run FILE`).
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var flags, pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			pos = append(pos, args[i+1:]...)
			i = len(args)
		case len(a) < 2 || a[0] != '-':
			pos = append(pos, a)
		default:
			flags = append(flags, a)
			name := strings.TrimLeft(a, "-")
			if f := fs.Lookup(name); f != nil && !isBoolFlag(f) && !strings.Contains(name, "=") && i+1 < len(args) {
				flags = append(flags, args[i+1])
				i++
			}
		}
	}
	if err := parseFlags(fs, flags); err != nil {
		return nil, err
	}
	return pos, nil
}

func isBoolFlag(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// remote are the flags of the commands that talk to a platform.
type remote struct {
	server, gateway, token, user string
}

func (r *remote) register(fs *flag.FlagSet) {
	fs.StringVar(&r.server, "server", "", "platform URL, e.g. http://127.0.0.1:8080")
	fs.StringVar(&r.gateway, "gateway", "", "gateway ID (32 hex)")
	fs.StringVar(&r.token, "token", "", "API token (better: IOTOS_TOKEN, flags show in ps)")
	fs.StringVar(&r.user, "user", "", "log in as this user, with the password from IOTOS_PASSWORD")
}

func (r *remote) check() error {
	if r.server == "" || r.gateway == "" {
		return usageError{errors.New("--server and --gateway are required")}
	}
	if !model.IsHexID(r.gateway, model.GatewayIDLen) {
		return usageError{fmt.Errorf("--gateway %q is not a gateway ID (32 hex)", r.gateway)}
	}
	if r.token == "" && r.user == "" {
		return usageError{errors.New("give a token (--token or IOTOS_TOKEN) or --user with IOTOS_PASSWORD")}
	}
	return nil
}

// tableURL is the table endpoint of the gateway with a query.
func (r *remote) tableURL(q url.Values) string {
	return strings.TrimRight(r.server, "/") + "/api/v1/gateways/" + r.gateway + "/table?" + q.Encode()
}

// login returns the token to use: the one given, or a session opened
// with --user and IOTOS_PASSWORD.
func (r *remote) login(ctx context.Context) (string, error) {
	if r.token != "" {
		return r.token, nil
	}
	password, ok := os.LookupEnv("IOTOS_PASSWORD")
	if !ok {
		return "", usageError{errors.New("--user needs the password in IOTOS_PASSWORD")}
	}
	body, _ := json.Marshal(map[string]string{"username": r.user, "password": password})
	req, err := http.NewRequestWithContext(ctx, "POST", strings.TrimRight(r.server, "/")+"/api/v1/login", bytes.NewReader(body))
	if err != nil {
		return "", usageError{err}
	}
	req.Header.Set("Content-Type", "application/json")
	var out struct {
		Token string `json:"token"`
	}
	if err := doEnvelope(req, &out); err != nil {
		return "", err
	}
	return out.Token, nil
}

// doEnvelope sends a request and decodes the reply envelope's data into
// out; a non-zero code is returned as that code's error.
func doEnvelope(req *http.Request, out any) error {
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return codes.New(codes.NoWebSer, "%s %s: %v", req.Method, req.URL.Redacted(), err)
	}
	defer resp.Body.Close()
	return decodeEnvelope(resp, out)
}

func decodeEnvelope(resp *http.Response, out any) error {
	var env struct {
		Code codes.Code      `json:"code"`
		Msg  string          `json:"msg"`
		Data json.RawMessage `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil {
		return codes.New(codes.Unknown, "HTTP %d: the reply is not an envelope: %v", resp.StatusCode, err)
	}
	if env.Code != codes.Success {
		return &codes.Error{Code: env.Code, Msg: env.Msg, Data: env.Data}
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(env.Data, out)
}

// importFile uploads a table file; the format comes from its extension.
func (c tableCommand) importFile(ctx context.Context, args []string) error {
	fs := newFlags("table import", "table import --server URL --gateway ID [--dry-run] FILE")
	var r remote
	r.register(fs)
	dryRun := fs.Bool("dry-run", false, "report what would change without changing anything")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError{errors.New("give exactly one FILE")}
	}
	if err := r.check(); err != nil {
		return err
	}
	format, err := formatOf(pos[0])
	if err != nil {
		return err
	}
	data, err := os.ReadFile(pos[0])
	if err != nil {
		return codes.New(codes.FileNotExist, "%v", err)
	}
	token, err := r.login(ctx)
	if err != nil {
		return err
	}
	q := url.Values{"format": {format}}
	if *dryRun {
		q.Set("dry_run", "1")
	}
	bar := newProgress(c.progress, "upload "+filepath.Base(pos[0]), int64(len(data)))
	req, err := http.NewRequestWithContext(ctx, "PUT", r.tableURL(q), bar.reader(bytes.NewReader(data)))
	if err != nil {
		return usageError{err}
	}
	req.ContentLength = int64(len(data))
	req.Header.Set("Authorization", "Bearer "+token)
	var rep app.ImportReport
	err = doEnvelope(req, &rep)
	bar.done()
	if err != nil {
		c.printProblems(pos[0], err)
		return err
	}
	c.printReport(rep)
	return nil
}

func (c tableCommand) printReport(rep app.ImportReport) {
	verb := "imported"
	if rep.DryRun {
		verb = "dry run, nothing changed"
	}
	fmt.Fprintf(c.out, "%s: devices +%d ~%d -%d (%d unchanged), points +%d ~%d -%d (%d unchanged)\n", verb,
		len(rep.Devices.Added), len(rep.Devices.Changed), len(rep.Devices.Removed), rep.Devices.Unchanged,
		len(rep.Points.Added), len(rep.Points.Changed), len(rep.Points.Removed), rep.Points.Unchanged)
	for _, w := range rep.Warnings {
		fmt.Fprintf(c.out, "warning: %s\n", w)
	}
}

// export downloads a table to a file (written whole, then renamed into
// place, so a failed download never leaves half a file) or to stdout.
func (c tableCommand) export(ctx context.Context, args []string) error {
	fs := newFlags("table export", "table export --server URL --gateway ID [--format tb|csv|xlsx] [-o FILE]")
	var r remote
	r.register(fs)
	format := fs.String("format", "", "tb, csv or xlsx (default: from -o's extension, else tb)")
	outPath := fs.String("o", "", "write to this file instead of stdout")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return usageError{fmt.Errorf("unexpected arguments %q", pos)}
	}
	if err := r.check(); err != nil {
		return err
	}
	f, err := exportFormat(*format, *outPath)
	if err != nil {
		return err
	}
	token, err := r.login(ctx)
	if err != nil {
		return err
	}
	data, err := c.download(ctx, r.tableURL(url.Values{"format": {f}}), token, f)
	if err != nil {
		return err
	}
	if *outPath == "" {
		_, err := c.out.Write(data)
		return err
	}
	if err := writeFileAtomic(*outPath, data); err != nil {
		return codes.New(codes.Unknown, "write %s: %v", *outPath, err)
	}
	fmt.Fprintf(c.progress, "wrote %s (%d bytes)\n", *outPath, len(data))
	return nil
}

func exportFormat(flagValue, outPath string) (string, error) {
	if flagValue == "" && outPath != "" {
		if f, err := formatOf(outPath); err == nil {
			return f, nil
		}
	}
	f, err := app.CheckTableFormat(flagValue)
	if err != nil {
		return "", usageError{err}
	}
	return f, nil
}

// download fetches an export: the file itself for csv/xlsx, the
// envelope's data for tb.
func (c tableCommand) download(ctx context.Context, u, token, format string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", u, nil)
	if err != nil {
		return nil, usageError{err}
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, codes.New(codes.NoWebSer, "GET %s: %v", req.URL.Redacted(), err)
	}
	defer resp.Body.Close()
	if format == app.FormatTB || strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		var doc json.RawMessage
		if err := decodeEnvelope(resp, &doc); err != nil {
			return nil, err
		}
		var pretty bytes.Buffer
		if err := json.Indent(&pretty, doc, "", "  "); err != nil {
			return nil, codes.New(codes.Unknown, "export: %v", err)
		}
		return append(pretty.Bytes(), '\n'), nil
	}
	bar := newProgress(c.progress, "download", resp.ContentLength)
	data, err := io.ReadAll(bar.reader(resp.Body))
	bar.done()
	if err != nil {
		return nil, codes.New(codes.NoWebSer, "download: %v", err)
	}
	return data, nil
}

func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// progress reports a transfer: a redrawn bar on a terminal, a few plain
// lines otherwise (logs and CI keep something readable).
type progress struct {
	w        io.Writer
	label    string
	total    int64
	n        int64
	tty      bool
	lastStep int64
	lastDraw time.Time
}

func newProgress(w io.Writer, label string, total int64) *progress {
	p := &progress{w: w, label: label, total: total, tty: isTerminal(w), lastStep: -1}
	if !p.tty {
		fmt.Fprintf(w, "%s: %s\n", label, sizeText(total))
	}
	return p
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func sizeText(n int64) string {
	if n < 0 {
		return "size unknown"
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}

func (p *progress) reader(r io.Reader) io.Reader { return &progressReader{r: r, p: p} }

type progressReader struct {
	r io.Reader
	p *progress
}

func (pr *progressReader) Read(b []byte) (int, error) {
	n, err := pr.r.Read(b)
	pr.p.add(int64(n))
	return n, err
}

func (p *progress) add(n int64) {
	p.n += n
	if p.total <= 0 {
		return
	}
	pct := p.n * 100 / p.total
	switch {
	case p.tty && time.Since(p.lastDraw) > 100*time.Millisecond:
		p.lastDraw = time.Now()
		const width = 30
		fill := int(pct * width / 100)
		fmt.Fprintf(p.w, "\r%s [%s%s] %3d%% %s", p.label, strings.Repeat("#", fill), strings.Repeat(" ", width-fill), pct, sizeText(p.n))
	case !p.tty && p.total >= 1<<20 && pct/25 > p.lastStep:
		p.lastStep = pct / 25
		fmt.Fprintf(p.w, "%s: %d%%\n", p.label, pct)
	}
}

func (p *progress) done() {
	if p.tty {
		fmt.Fprintf(p.w, "\r%s: %s done%s\n", p.label, sizeText(p.n), strings.Repeat(" ", 30))
		return
	}
	fmt.Fprintf(p.w, "%s: done, %s\n", p.label, sizeText(p.n))
}
