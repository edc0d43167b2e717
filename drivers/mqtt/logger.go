package mqtt

import (
	"fmt"
	"log/slog"
	"strings"
)

// slogPrinter routes paho.golang's Println/Printf logging into the device's
// logger, at warn level since only its error loggers are wired.
type slogPrinter struct{ l *slog.Logger }

func (p slogPrinter) Println(v ...any) {
	p.l.Warn(strings.TrimSuffix(fmt.Sprintln(v...), "\n"), "lib", "paho.golang")
}

func (p slogPrinter) Printf(format string, v ...any) {
	p.l.Warn(fmt.Sprintf(format, v...), "lib", "paho.golang")
}
