package extdriver

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iotos/iotos/pkg/driver"
)

func TestRefusesPathsAndCommandLines(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "ok.py"), []byte("x = 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		ref, cfg string
	}{
		{"python/../ok.X", `{}`},
		{"python/ok.X/../../y", `{}`},
		{"python/os.path.X", `{}`},
		{"python/ok", `{}`},
		{"python/1ok.X", `{}`},
		{"exec/../../bin/sh", `{}`},
		{"exec/sub/prog", `{}`},
		{"exec/..", `{}`},
		{"exec//bin/sh", `{}`},
		{"exec/sh -c id", `{}`},
		{"shell/ok", `{}`},
		{"/usr/bin/python3", `{}`},
		{"python/ok.X", `{"env": {"LD_PRELOAD": "/tmp/x.so"}}`},
		{"python/ok.X", `{"env": {"PYTHONSTARTUP": "/tmp/x.py"}}`},
		{"python/ok.X", `{"env": {"A-B": "1"}}`},
		{"python/ok.X", `{"args": ["-c", "import os"]}`},
	}
	for _, c := range cases {
		d := New(Options{DriversDir: dir, Ref: c.ref, SDKDir: dir})
		err := d.Init(newRecHost(), testDevice(c.cfg))
		if code := errCode(err); code != driver.CodeArgError {
			t.Errorf("Init(%q, %s) = %v, want code 105", c.ref, c.cfg, err)
		}
	}
}

func TestMissingProgramIs513(t *testing.T) {
	d := New(Options{DriversDir: t.TempDir(), Ref: "exec/absent"})
	err := d.Init(newRecHost(), testDevice(`{}`))
	if code := errCode(err); code != 513 || !strings.Contains(err.Error(), "absent") {
		t.Fatalf("Init = %v, want 513 naming the program", err)
	}
}

func TestAcceptsNamesArgsAndEnv(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "dr_x.py"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "probe"), nil, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ ref, cfg string }{
		{"python/dr_x.XDriver", `{"env": {"IOTOS_MODE": "sim"}, "host": "10.0.0.1"}`},
		{"exec/probe", `{"args": ["--port", "/dev/ttyS0"], "env": {"MODE": "a b"}}`},
	} {
		if err := New(Options{DriversDir: dir, Ref: c.ref, SDKDir: dir}).Init(newRecHost(), testDevice(c.cfg)); err != nil {
			t.Errorf("Init(%q) = %v", c.ref, err)
		}
	}
}
