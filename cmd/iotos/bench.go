package main

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"sort"
	"strings"
	"time"
)

// benchScenarios holds the built-in benchmarks; each bench_<name>.go file
// registers its own in init().
var benchScenarios = map[string]func(ctx context.Context, args []string) error{}

func runBench(ctx context.Context, args []string) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		names := make([]string, 0, len(benchScenarios))
		for n := range benchScenarios {
			names = append(names, n)
		}
		sort.Strings(names)
		return usageError{fmt.Errorf("which benchmark? one of: %s", strings.Join(names, ", "))}
	}
	f, ok := benchScenarios[args[0]]
	if !ok {
		return usageError{fmt.Errorf("unknown benchmark %q", args[0])}
	}
	host, _ := os.Hostname()
	fmt.Printf("# iotos bench %s — %s, %s, %d CPUs, %s %s/%s\n", args[0], time.Now().UTC().Format("2006-01-02 15:04 MST"),
		host, runtime.NumCPU(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return f(ctx, args[1:])
}

// latencies collects durations and reports percentiles.
type latencies []time.Duration

func (l latencies) percentile(p float64) time.Duration {
	if len(l) == 0 {
		return 0
	}
	s := append(latencies(nil), l...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := int(p / 100 * float64(len(s)-1))
	return s[i]
}

// rssMiB is the process's resident set size, from /proc (0 where unavailable).
func rssMiB() float64 {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			var kb float64
			fmt.Sscanf(strings.TrimSpace(rest), "%f", &kb)
			return kb / 1024
		}
	}
	return 0
}

// startCPUProfile profiles the process into file until the returned stop.
func startCPUProfile(file string) (stop func(), err error) {
	f, err := os.Create(file)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}
