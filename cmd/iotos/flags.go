package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// newFlags returns a flag set for a subcommand whose usage goes to stderr.
func newFlags(name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: iotos %s\n\nflags (each also as IOTOS_<NAME>, e.g. --data-dir as IOTOS_DATA_DIR):\n", usage)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args, then fills every flag not given on the command
// line from its IOTOS_* environment variable, so a service manager can
// configure iotos without a command line (and secrets stay out of `ps`).
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if set[f.Name] || err != nil {
			return
		}
		if v, ok := os.LookupEnv(envName(f.Name)); ok {
			if e := fs.Set(f.Name, v); e != nil {
				err = fmt.Errorf("%s=%q: %w", envName(f.Name), v, e)
			}
		}
	})
	return err
}

// envName is the environment variable of a flag: --data-dir → IOTOS_DATA_DIR.
func envName(flagName string) string {
	return "IOTOS_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// readSecret returns a secret from a flag value or from a file (one of them).
func readSecret(value, file string) (string, error) {
	if file == "" {
		return value, nil
	}
	if value != "" {
		return "", errors.New("give the secret or its file, not both")
	}
	f, err := os.Open(file)
	if err != nil {
		return "", err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, 1<<16))
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(b)), nil
}
