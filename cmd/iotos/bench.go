package main

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"sort"
	"strconv"
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

// userHZ is the unit of /proc/<pid>/stat's CPU times on Linux.
const userHZ = 100

// procCPU is a process's CPU time (user + system) from /proc/<pid>/stat;
// 0 where /proc is not available.
func procCPU(pid string) time.Duration {
	raw, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return 0
	}
	// The command name may hold spaces; fields count from after its ')'.
	i := strings.LastIndexByte(string(raw), ')')
	f := strings.Fields(string(raw[i+1:]))
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * time.Second / userHZ
}

// selfCPU is this process's CPU time so far.
func selfCPU() time.Duration { return procCPU("self") }

// procStatusMiB is a memory line of /proc/<pid>/status in MiB (pid "self"
// for this process): VmRSS (now) or VmHWM (peak). 0 where /proc is not
// available.
func procStatusMiB(pid, field string) float64 {
	raw, err := os.ReadFile("/proc/" + pid + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if rest, ok := strings.CutPrefix(line, field); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}
