package engine

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// lockFileName is the file in the engine's directory that is held locked
// while an engine uses the directory.
const lockFileName = "engine.lock"

// errLocked is returned when another engine holds the directory.
var errLocked = errors.New("directory is in use by another engine")

// dirLock is an exclusive lock on the engine's directory, held for the
// engine's lifetime; the operating system releases it when the process dies,
// so a crash never leaves a stale lock behind.
type dirLock struct{ f *os.File }

func lockDir(dir string) (*dirLock, error) {
	path := filepath.Join(dir, lockFileName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if err := lockFile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return &dirLock{f: f}, nil
}

func (l *dirLock) release() error {
	if err := unlockFile(l.f); err != nil {
		l.f.Close()
		return err
	}
	return l.f.Close()
}
