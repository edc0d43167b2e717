package extdriver

import (
	"os"
	"path/filepath"
	"testing"
)

func TestUnpackSDKWritesTheWholePackage(t *testing.T) {
	dir := t.TempDir()
	for range 2 { // unpacking over an earlier copy replaces it
		got, err := UnpackSDK(dir)
		if err != nil || got != dir {
			t.Fatalf("UnpackSDK = %q, %v", got, err)
		}
	}
	for _, f := range []string{"driver.py", "iotos/__init__.py", "iotos/run.py", "iotos/wire.py", "iotos/collect.py"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
	left, _ := filepath.Glob(filepath.Join(dir, "iotos", ".unpack-*"))
	if len(left) > 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
}
