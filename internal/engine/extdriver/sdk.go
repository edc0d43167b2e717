package extdriver

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	pysdk "github.com/iotos/iotos/sdk/python"
)

// UnpackSDK writes the Python SDK embedded in the binary into dir and
// returns the directory to put on PYTHONPATH (dir itself). Files are
// written to a temporary name and renamed, so engines unpacking at the same
// time, or a driver starting meanwhile, never see a half-written module.
func UnpackSDK(dir string) (string, error) {
	err := fs.WalkDir(pysdk.FS, ".", func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		target := filepath.Join(dir, filepath.FromSlash(path))
		if e.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := pysdk.FS.ReadFile(path)
		if err != nil {
			return err
		}
		return writeAtomic(target, data)
	})
	if err != nil {
		return "", fmt.Errorf("unpacking the Python SDK into %s: %w", dir, err)
	}
	return dir, nil
}

func writeAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".unpack-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name()) // no-op after the rename
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Chmod(f.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
