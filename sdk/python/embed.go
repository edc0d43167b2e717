// Package pysdk embeds the Python driver SDK so a binary-only install can
// unpack it and run Python drivers.
package pysdk

import "embed"

// FS holds iotos/*.py and driver.py, paths relative to sdk/python.
//
//go:embed iotos/*.py driver.py
var FS embed.FS
