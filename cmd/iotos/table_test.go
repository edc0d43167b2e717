package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/iotos/iotos/internal/app"
	"github.com/iotos/iotos/internal/codes"
	"github.com/iotos/iotos/internal/model"
	"github.com/iotos/iotos/internal/platform"
)

// runTableCmd runs `iotos table ARGS` in-process and returns its output.
func runTableCmd(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var out, progress bytes.Buffer
	err := tableCommand{out: &out, progress: &progress}.run(context.Background(), args)
	return out.String(), progress.String(), err
}

const goodCSV = "device_id,device_name,driver,point_id,name,type,access,min,max\n" +
	"1a2b3c4d,boiler,simulator,0a01,temp,FLOAT,rw,0,100\n" +
	"1a2b3c4d,boiler,simulator,0a02,state,STRING,r,,\n"

func writeTemp(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestTableValidateGoodFiles(t *testing.T) {
	t.Parallel()
	csvTable, _, err := model.DecodeCSV([]byte(goodCSV))
	if err != nil {
		t.Fatal(err)
	}
	xlsx, err := model.EncodeXLSX(csvTable)
	if err != nil {
		t.Fatal(err)
	}
	tb, err := model.EncodeTB(csvTable)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{writeTemp(t, "t.csv", []byte(goodCSV)), writeTemp(t, "t.xlsx", xlsx), writeTemp(t, "t.tb", tb)} {
		out, _, err := runTableCmd(t, "validate", f)
		if err != nil || !strings.Contains(out, "1 devices, 2 points") {
			t.Fatalf("validate %s: %v\n%s", f, err, out)
		}
	}
}

func TestTableValidateBadFiles(t *testing.T) {
	t.Parallel()
	bad := goodCSV + "1a2b3c4d,boiler,simulator,0a03,temp,DOUBLE,rx,5,1\n"
	out, _, err := runTableCmd(t, "validate", writeTemp(t, "bad.csv", []byte(bad)))
	if codes.From(err).Code != codes.TableNotValid {
		t.Fatalf("want 514, got %v", err)
	}
	for _, want := range []string{"row 4.name:", "row 4.type:", "row 4.access:", "problems"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	out, _, err = runTableCmd(t, "validate", writeTemp(t, "bad.tb", []byte(`{"properties":{"XYZ":{}}}`)))
	if codes.From(err).Code != codes.TableNotValid || !strings.Contains(out, "properties.XYZ") {
		t.Fatalf("bad .tb: %v\n%s", err, out)
	}
	if _, _, err := runTableCmd(t, "validate", writeTemp(t, "t.txt", []byte("x"))); !isUsage(err) {
		t.Fatalf("unknown extension: %v", err)
	}
	if _, _, err := runTableCmd(t, "validate", filepath.Join(t.TempDir(), "missing.csv")); codes.From(err).Code != codes.FileNotExist {
		t.Fatalf("missing file: %v", err)
	}
}

func isUsage(err error) bool {
	_, ok := err.(usageError)
	return ok
}

// startTablePlatform starts a platform in-process with one empty gateway.
func startTablePlatform(t *testing.T) (*platform.Platform, string) {
	t.Helper()
	ctx := context.Background()
	p, err := platform.Start(ctx, platform.Config{
		DataDir: t.TempDir(), HTTP: "127.0.0.1:0", NATS: "127.0.0.1:0", AdminPassword: "table-admin-password",
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Out: io.Discard,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = p.Shutdown(ctx)
	})
	gw, err := p.App().CreateGateway(ctx, app.System, app.GatewayInput{Name: "site"})
	if err != nil {
		t.Fatal(err)
	}
	return p, gw.ID
}

// TestAgainstPlatform shares one in-process platform between the table CLI
// and the stream benchmark: starting one and logging in hash a password,
// which is slow under the race detector.
func TestAgainstPlatform(t *testing.T) {
	p, gw := startTablePlatform(t)
	token, _, err := p.App().Login(context.Background(), "admin", "table-admin-password", "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	t.Run("table import and export", func(t *testing.T) { testImportExport(t, p, gw, token) })
	other, err := p.App().CreateGateway(context.Background(), app.System, app.GatewayInput{Name: "other"})
	if err != nil {
		t.Fatal(err)
	}
	t.Run("table rejected", func(t *testing.T) { testImportRejected(t, p, other.ID, token) })
	t.Run("bench stream", func(t *testing.T) { testBenchStreamSmall(t, p, token) })
}

func testImportExport(t *testing.T, p *platform.Platform, gw, token string) {
	t.Setenv("IOTOS_PASSWORD", "table-admin-password")
	remote := []string{"--server", p.URL(), "--gateway", gw, "--user", "admin"}
	file := writeTemp(t, "points.csv", []byte(goodCSV))

	out, _, err := runTableCmd(t, append([]string{"import", file, "--dry-run"}, remote...)...)
	if err != nil || !strings.Contains(out, "dry run") || !strings.Contains(out, "points +2") {
		t.Fatalf("dry run: %v\n%s", err, out)
	}
	if tb, _ := p.App().ExportTable(context.Background(), app.System, gw, false); strings.Contains(string(tb), "1a2b3c4d") {
		t.Fatal("a dry run changed the table")
	}
	out, progress, err := runTableCmd(t, append([]string{"import"}, append(remote, file)...)...)
	if err != nil || !strings.HasPrefix(out, "imported: devices +1") {
		t.Fatalf("import: %v\n%s", err, out)
	}
	if !strings.Contains(progress, "upload points.csv") || !strings.Contains(progress, "done") {
		t.Fatalf("progress lines: %q", progress)
	}

	// The rest with a token: each --user login costs a bcrypt hash.
	remote = []string{"--server", p.URL(), "--gateway", gw, "--token", token}
	dir := t.TempDir()
	for _, format := range []string{"csv", "xlsx", "tb"} {
		dst := filepath.Join(dir, "export."+format)
		if _, _, err := runTableCmd(t, append([]string{"export", "-o", dst}, remote...)...); err != nil {
			t.Fatalf("export %s: %v", format, err)
		}
		out, _, err := runTableCmd(t, "validate", dst)
		if err != nil || !strings.Contains(out, "1 devices, 2 points") {
			t.Fatalf("validate exported %s: %v\n%s", format, err, out)
		}
		// Importing an export changes nothing.
		out, _, err = runTableCmd(t, append([]string{"import", dst}, remote...)...)
		if err != nil || !strings.Contains(out, "points +0 ~0 -0 (2 unchanged)") {
			t.Fatalf("re-import %s: %v\n%s", format, err, out)
		}
	}
	csvOut, _, err := runTableCmd(t, append([]string{"export", "--format", "csv"}, remote...)...)
	if err != nil || !strings.HasPrefix(csvOut, strings.Join(model.TableColumns, ",")) {
		t.Fatalf("export to stdout: %v\n%s", err, csvOut)
	}
}

func testImportRejected(t *testing.T, p *platform.Platform, gw, token string) {
	t.Setenv("IOTOS_TOKEN", token)
	bad := writeTemp(t, "bad.csv", []byte(goodCSV+"1a2b3c4d,boiler,simulator,0a03,x,DOUBLE\n"))
	out, _, err := runTableCmd(t, "import", "--server", p.URL(), "--gateway", gw, bad)
	if tb, _ := p.App().ExportTable(context.Background(), app.System, gw, false); strings.Contains(string(tb), "1a2b3c4d") {
		t.Fatal("a rejected import changed the table")
	}
	if codes.From(err).Code != codes.TableNotValid || !strings.Contains(out, "row 4.type:") {
		t.Fatalf("want 514 with row 4: %v\n%s", err, out)
	}
	t.Setenv("IOTOS_TOKEN", "wrong")
	_, _, err = runTableCmd(t, "export", "--server", p.URL(), "--gateway", gw)
	if codes.From(err).Code != codes.AccountNotRegister {
		t.Fatalf("bad token: %v", err)
	}
	if _, _, err := runTableCmd(t, "export", "--gateway", gw); !isUsage(err) {
		t.Fatalf("no server: %v", err)
	}
}
