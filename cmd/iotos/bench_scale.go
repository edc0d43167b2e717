package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/iotos/iotos/internal/app"
	"github.com/iotos/iotos/internal/bus"
	"github.com/iotos/iotos/internal/model"
	"github.com/iotos/iotos/internal/platform"
)

func init() { benchScenarios["scale"] = benchScale }

// Targets of DESIGN §9 for one gateway of 1,000,000 points.
const (
	scaleLoadTarget = 5 * time.Second
	scaleRSSTarget  = 1024.0 // MiB, platform + engine
)

// scaleOptions is one scale run: a gateway of points spread over simulator
// devices, imported over REST and loaded by an engine child.
type scaleOptions struct {
	points, devices int
	cycles          []int // refreshcycles in ms, assigned round-robin to points
	steady          time.Duration
	timeout         time.Duration
	dir             string
	memProfile      string
	cpuProfile      string
	inProcess       bool
}

// scaleResult is what one scale run measured; the parent reads it back from
// the child's result file.
type scaleResult struct {
	Points, Devices int
	TBBytes         int64
	Floor           time.Duration // encoding/json of the file into plain structs
	Decode          time.Duration // model.DecodeTB: the model with every object's raw JSON
	Import          time.Duration // PUT /table over HTTP until the reply
	ReplyBytes      int64
	ImportPeakMiB   float64 // this process's VmHWM over the import (the .tb held by the bench included)
	AfterImportMiB  float64 // VmRSS once the bench dropped its copy of the file
	FirstValue      time.Duration
	AllOnline       time.Duration // every device reported online in the engine's status
	Load            time.Duration // every point has a first value on the platform
	LoadCPU         scaleCPU      // CPU time each process used during the load
	Platform        scaleRSS
	Engine          scaleRSS
	HeapMiB         float64 // Go heap in use in this process after the steady phase
	BenchDataMiB    float64 // what the bench itself keeps during load and steady
	Stored          int64   // samples stored during the steady phase
	Steady          time.Duration
	Backlog         int64 // outbox batches waiting at the end of the steady phase
	Overruns        int64
	Warnings        []string
}

// scaleCPU is the CPU time of the two processes over a phase: on a shared
// machine it tells the cost of the load from the time spent waiting.
type scaleCPU struct{ Platform, Engine time.Duration }

// scaleRSS is a process's memory at the two moments measured, and its peak
// since the engine started.
type scaleRSS struct{ Load, Steady, Peak float64 }

func (r scaleResult) rssSum() float64 { return r.Platform.Peak + r.Engine.Peak }

func benchScale(ctx context.Context, args []string) error {
	fs := newFlags("bench scale", "bench scale [flags]")
	o := scaleOptions{}
	fs.IntVar(&o.points, "points", 1000000, "points in the gateway")
	fs.IntVar(&o.devices, "devices", 1000, "simulator devices the points are spread over")
	cycles := fs.String("cycles", "10000,30000,60000,120000", "refreshcycles in ms, given to the points in turn")
	fs.DurationVar(&o.steady, "steady", 30*time.Second, "steady-state phase after the load, before the second RSS reading")
	fs.DurationVar(&o.timeout, "timeout", 5*time.Minute, "give up on a load that takes longer")
	fs.StringVar(&o.dir, "dir", "", "working directory (default: a temporary one, removed afterwards)")
	baseline := fs.Bool("baseline", true, "also run one tenth of --points and --devices first, in the same run")
	one := fs.Bool("one", false, "run a single scale in this process (the bench runs each scale so, so that RSS is per scale)")
	result := fs.String("result", "", "with --one: write the measurements to this JSON file")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "with --one: write a CPU profile of the platform process to this file")
	fs.StringVar(&o.memProfile, "memprofile", "", "with --one: write a heap profile of the platform process after the load to this file")
	fs.BoolVar(&o.inProcess, "engine-in-process", false, "with --one: run the engine inside this process (for --cpuprofile; RSS is then one figure for both)")
	keep := fs.Bool("keep", false, "keep the working directory")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	var err error
	if o.cycles, err = parseCycles(*cycles); err != nil {
		return usageError{err}
	}
	if o.points < 1 || o.devices < 1 || o.points < o.devices || (o.points+o.devices-1)/o.devices > 0xffff {
		return usageError{fmt.Errorf("--points %d over --devices %d: want at least one and at most 65535 points per device", o.points, o.devices)}
	}
	if o.dir == "" {
		if o.dir, err = os.MkdirTemp("", "iotos-bench-scale-"); err != nil {
			return err
		}
		if !*keep {
			defer os.RemoveAll(o.dir)
		}
	}
	if *one {
		r, err := runScale(ctx, o)
		if err != nil {
			return err
		}
		raw, _ := json.Marshal(r)
		if *result != "" {
			return os.WriteFile(*result, raw, 0o600)
		}
		return nil
	}
	return scaleParent(ctx, o, *cycles, *baseline)
}

func parseCycles(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		ms, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || ms <= 0 {
			return nil, fmt.Errorf("--cycles %q: want positive milliseconds separated by commas", s)
		}
		out = append(out, ms)
	}
	return out, nil
}

// scaleParent runs the baseline and the main scale, each in a child bench
// process of its own, so that one's memory never counts in the other's.
func scaleParent(ctx context.Context, o scaleOptions, cycles string, baseline bool) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	fmt.Printf("each scale runs in its own process: platform (REST, NATS, SQLite) and bench in one, `iotos engine` as its child\n")
	fmt.Printf("table load = from starting the engine process until every point of every device has a first value in the platform's\n")
	fmt.Printf("             last-value cache, i.e. stored durably in history (the engine fetches the tables, starts every device,\n")
	fmt.Printf("             polls each point once and its outbox delivers); the engine's own start-up is included\n")
	fmt.Printf("load average before the run: %s\n\n", benchLoadAverage())
	var runs []scaleOptions
	if baseline {
		b := o
		b.points, b.devices = max(o.points/10, 1), max(o.devices/10, 1)
		runs = append(runs, b)
	}
	runs = append(runs, o)
	var results []scaleResult
	for i, r := range runs {
		file := filepath.Join(o.dir, fmt.Sprintf("result-%d.json", i))
		args := []string{"bench", "scale", "--one", "--result", file,
			"--points", strconv.Itoa(r.points), "--devices", strconv.Itoa(r.devices), "--cycles", cycles,
			"--steady", r.steady.String(), "--timeout", r.timeout.String(), "--dir", filepath.Join(o.dir, fmt.Sprintf("run-%d", i))}
		if err := runScaleChild(ctx, self, args); err != nil {
			return err
		}
		raw, err := os.ReadFile(file)
		if err != nil {
			return err
		}
		var res scaleResult
		if err := json.Unmarshal(raw, &res); err != nil {
			return fmt.Errorf("scale result %s: %w", file, err)
		}
		results = append(results, res)
	}
	printScaleTable(results)
	fmt.Printf("\nload average after the run: %s\n", benchLoadAverage())
	return scaleVerdict(results[len(results)-1])
}

// runScaleChild runs one scale and passes its report through, without the
// header every bench prints.
func runScaleChild(ctx context.Context, self string, args []string) error {
	cmd := exec.CommandContext(ctx, self, args...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if line := sc.Text(); !strings.HasPrefix(line, "# iotos bench ") {
			fmt.Println(line)
		}
	}
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("scale run %s: %w", strings.Join(args[2:], " "), err)
	}
	return nil
}

func printScaleTable(rs []scaleResult) {
	fmt.Printf("%-44s", "")
	for _, r := range rs {
		fmt.Printf("%16s", fmt.Sprintf("%d pts", r.Points))
	}
	if len(rs) == 2 {
		fmt.Printf("%10s", "ratio")
	}
	fmt.Println()
	row := func(name string, f func(scaleResult) float64, unit string) {
		fmt.Printf("%-44s", name)
		for _, r := range rs {
			fmt.Printf("%16s", fmt.Sprintf("%.2f %s", f(r), unit))
		}
		if len(rs) == 2 && f(rs[0]) > 0 {
			fmt.Printf("%9.1f×", f(rs[1])/f(rs[0]))
		}
		fmt.Println()
	}
	secs := func(f func(scaleResult) time.Duration) func(scaleResult) float64 {
		return func(r scaleResult) float64 { return f(r).Seconds() }
	}
	row(".tb size", func(r scaleResult) float64 { return float64(r.TBBytes) / (1 << 20) }, "MiB")
	row("floor: encoding/json into plain structs", secs(func(r scaleResult) time.Duration { return r.Floor }), "s")
	row("model.DecodeTB", secs(func(r scaleResult) time.Duration { return r.Decode }), "s")
	row("import: PUT /table over HTTP", secs(func(r scaleResult) time.Duration { return r.Import }), "s")
	row("engine start → first value stored", secs(func(r scaleResult) time.Duration { return r.FirstValue }), "s")
	row("engine start → every device online", secs(func(r scaleResult) time.Duration { return r.AllOnline }), "s")
	row("table load: engine start → every value", secs(func(r scaleResult) time.Duration { return r.Load }), "s")
	row("  CPU of the platform process during it", secs(func(r scaleResult) time.Duration { return r.LoadCPU.Platform }), "s")
	row("  CPU of the engine during it", secs(func(r scaleResult) time.Duration { return r.LoadCPU.Engine }), "s")
	row("platform process RSS after load", func(r scaleResult) float64 { return r.Platform.Load }, "MiB")
	row("platform process RSS after steady", func(r scaleResult) float64 { return r.Platform.Steady }, "MiB")
	row("platform process peak (engine running)", func(r scaleResult) float64 { return r.Platform.Peak }, "MiB")
	row("platform process peak during import", func(r scaleResult) float64 { return r.ImportPeakMiB }, "MiB")
	row("engine RSS after load", func(r scaleResult) float64 { return r.Engine.Load }, "MiB")
	row("engine RSS after steady", func(r scaleResult) float64 { return r.Engine.Steady }, "MiB")
	row("engine peak", func(r scaleResult) float64 { return r.Engine.Peak }, "MiB")
	row("platform + engine peaks", scaleResult.rssSum, "MiB")
	row("steady: samples stored /s", func(r scaleResult) float64 { return float64(r.Stored) / r.Steady.Seconds() }, "")
}

// scaleVerdict prints the §9 targets for the main run and fails the command
// when one is missed, so a script running the bench notices.
func scaleVerdict(r scaleResult) error {
	var missed []string
	fmt.Printf("\ntargets for %d points (DESIGN §9):\n", r.Points)
	mark := func(ok bool) string {
		if ok {
			return "met"
		}
		return "MISSED"
	}
	loadOK := r.Load < scaleLoadTarget
	fmt.Printf("  table load %.2f s < %v: %s\n", r.Load.Seconds(), scaleLoadTarget, mark(loadOK))
	if !loadOK {
		missed = append(missed, fmt.Sprintf("table load %.2f s (want < %v)", r.Load.Seconds(), scaleLoadTarget))
	}
	rssOK := r.rssSum() < scaleRSSTarget
	fmt.Printf("  platform + engine RSS %.0f MiB (sum of the peaks while the engine ran) < %.0f MiB: %s\n", r.rssSum(), scaleRSSTarget, mark(rssOK))
	if !rssOK {
		missed = append(missed, fmt.Sprintf("RSS %.0f MiB (want < %.0f)", r.rssSum(), scaleRSSTarget))
	}
	if r.BenchDataMiB >= 1 {
		fmt.Printf("  (the platform process's figures include %.0f MiB of the bench's own bookkeeping)\n", r.BenchDataMiB)
	}
	if r.Overruns > 0 {
		fmt.Printf("  note: the engine logged %d poll overruns\n", r.Overruns)
	}
	if len(missed) > 0 {
		return errors.New("scale bench: targets missed: " + strings.Join(missed, "; "))
	}
	return nil
}

// scaleRun is one scale in this process.
type scaleRun struct {
	o     scaleOptions
	p     *platform.Platform
	gw    string
	key   string
	token string
	http  *http.Client
	res   scaleResult
}

func runScale(ctx context.Context, o scaleOptions) (scaleResult, error) {
	if o.cpuProfile != "" {
		stop, err := startCPUProfile(o.cpuProfile)
		if err != nil {
			return scaleResult{}, err
		}
		defer stop()
	}
	s := &scaleRun{o: o, http: &http.Client{Timeout: 10 * time.Minute}}
	s.res.Points, s.res.Devices = o.points, o.devices
	fmt.Printf("## %d points: %d simulator devices × %d points, refreshcycles %v ms\n", o.points, o.devices, o.points/o.devices, o.cycles)
	p, err := startModbusPlatform(ctx, o.dir)
	if err != nil {
		return scaleResult{}, err
	}
	s.p = p
	defer stopModbusPlatform(p)
	if err := s.importTable(ctx); err != nil {
		return scaleResult{}, err
	}
	if err := s.loadAndSteady(ctx); err != nil {
		return scaleResult{}, err
	}
	return s.res, nil
}

// importTable makes the gateway, generates its table and imports it over
// REST, timing the decodes it is made of on the side.
func (s *scaleRun) importTable(ctx context.Context) error {
	gw, err := s.p.App().CreateGateway(ctx, app.System, app.GatewayInput{Name: "bench-scale"})
	if err != nil {
		return err
	}
	s.gw, s.key = gw.ID, gw.Key
	if s.token, err = s.login(ctx); err != nil {
		return err
	}
	tb := scaleTable(s.gw, s.o)
	s.res.TBBytes = int64(len(tb))
	if s.res.Floor, err = decodeFloor(tb); err != nil {
		return err
	}
	start := time.Now()
	if _, _, err := model.DecodeTB(tb); err != nil {
		return fmt.Errorf("the generated table does not decode: %w", err)
	}
	s.res.Decode = time.Since(start)
	// The decodes above are the bench's own work: their memory goes back
	// to the system before the import's peak is measured.
	debug.FreeOSMemory()
	resetPeakRSS()
	start = time.Now()
	reply, err := s.put(ctx, "/api/v1/gateways/"+s.gw+"/table", tb)
	s.res.Import = time.Since(start)
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	s.res.ReplyBytes = int64(len(reply))
	if err := checkImport(reply, s.o.points); err != nil {
		return err
	}
	s.res.ImportPeakMiB = procStatusMiB("self", "VmHWM:")
	tb, reply = nil, nil
	runtime.GC()
	debug.FreeOSMemory()
	s.res.AfterImportMiB = procStatusMiB("self", "VmRSS:")
	fmt.Printf("  .tb %.1f MiB; floor (encoding/json) %v; model.DecodeTB %v; PUT /table %v (reply %.1f MiB); RSS peak %.0f MiB, %.0f MiB after\n",
		float64(s.res.TBBytes)/(1<<20), s.res.Floor.Round(time.Millisecond), s.res.Decode.Round(time.Millisecond),
		s.res.Import.Round(time.Millisecond), float64(s.res.ReplyBytes)/(1<<20), s.res.ImportPeakMiB, s.res.AfterImportMiB)
	return nil
}

// checkImport reads the import reply: success, and every point added.
func checkImport(reply []byte, points int) error {
	var env struct {
		Code int    `json:"code"`
		Msg  string `json:"msg"`
		Data struct {
			Points struct {
				Added []json.RawMessage `json:"added"`
			} `json:"points"`
		} `json:"data"`
	}
	if err := json.Unmarshal(reply, &env); err != nil {
		return fmt.Errorf("import reply: %w", err)
	}
	if env.Code != 0 {
		return fmt.Errorf("import: code %d: %s", env.Code, env.Msg)
	}
	if len(env.Data.Points.Added) != points {
		return fmt.Errorf("import added %d points, want %d", len(env.Data.Points.Added), points)
	}
	return nil
}

// scaleTable writes the gateway's .tb: devices of the simulator driver,
// points of mixed types (FLOAT 40 %, INT 30 %, BOOL 20 %, STRING 10 %),
// every tenth writable, refreshcycles given round-robin. It is written out
// directly rather than through maps so that generating a million points
// costs the bench little.
func scaleTable(gw string, o scaleOptions) []byte {
	per := o.points / o.devices
	var b bytes.Buffer
	b.Grow(o.points * 120)
	fmt.Fprintf(&b, `{"id":%q,"name":"bench-scale","description":"%d points","properties":{`, gw, o.points)
	n := 0
	for d := 0; d < o.devices; d++ {
		count := per
		if d < o.points%o.devices {
			count++
		}
		if d > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"%08x":{"name":"dev%d","description":"","config":{"driver":"simulator","param":{"seed":%d}},"data":{`, d+1, d, d)
		for p := 0; p < count; p++ {
			if p > 0 {
				b.WriteByte(',')
			}
			cycle := o.cycles[n%len(o.cycles)]
			rw := "1"
			if p%10 == 9 {
				rw = "0"
			}
			fmt.Fprintf(&b, `"%04x":{"name":"p%d","valuetype":`, p+1, p)
			switch p % 10 {
			case 0, 1, 2, 3:
				fmt.Fprintf(&b, `"FLOAT","readwrite":%q,"refreshcycle":"%d","unit":"°C","config":{"param":{"change":"random","min":0,"max":100}}}`, rw, cycle)
			case 4, 5, 6:
				fmt.Fprintf(&b, `"INT","readwrite":%q,"refreshcycle":"%d","unit":"","sensibility":"0"}`, rw, cycle)
			case 7, 8:
				fmt.Fprintf(&b, `"BOOL","readwrite":%q,"refreshcycle":"%d"}`, rw, cycle)
			default:
				fmt.Fprintf(&b, `"STRING","readwrite":%q,"refreshcycle":"%d","defaultvalue":"auto"}`, rw, cycle)
			}
			n++
		}
		b.WriteString("}}")
	}
	b.WriteString("}}")
	return b.Bytes()
}

// decodeFloor is the time encoding/json takes to decode the file into plain
// structs of the .tb's fields: what any import must at least spend.
func decodeFloor(tb []byte) (time.Duration, error) {
	type point struct {
		Name, Valuetype, Readwrite, Refreshcycle, Unit, Sensibility, Defaultvalue string
		Config                                                                    json.RawMessage
	}
	type device struct {
		Name, Description string
		Config            json.RawMessage
		Data              map[string]point
	}
	var t struct {
		ID, Name, Description string
		Properties            map[string]device
	}
	start := time.Now()
	err := json.Unmarshal(tb, &t)
	return time.Since(start), err
}

func (s *scaleRun) login(ctx context.Context) (string, error) {
	body, _ := json.Marshal(map[string]string{"username": "admin", "password": "bench-admin-password"})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.p.URL()+"/api/v1/login", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	raw, err := s.do(req)
	if err != nil {
		return "", err
	}
	var env struct {
		Code int
		Msg  string
		Data struct{ Token string }
	}
	if err := json.Unmarshal(raw, &env); err != nil || env.Code != 0 {
		return "", fmt.Errorf("login: code %d %s %v", env.Code, env.Msg, err)
	}
	return env.Data.Token, nil
}

func (s *scaleRun) put(ctx context.Context, path string, body []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, s.p.URL()+path, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+s.token)
	return s.do(req)
}

func (s *scaleRun) do(req *http.Request) ([]byte, error) {
	resp, err := s.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

// loadAndSteady starts the engine, waits for the table load, then lets it
// run steadily and reads the memory of both processes at each end.
func (s *scaleRun) loadAndSteady(ctx context.Context) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	pending := newPendingValues(s.gw, s.o)
	s.res.BenchDataMiB = float64(pending.bytes()) / (1 << 20)
	runtime.GC()
	resetPeakRSS()
	a := s.p.App()
	storedBefore := a.IngestStats().Samples
	cpuBefore := selfCPU()
	start := time.Now()
	var eng scaleEngineProc
	if s.o.inProcess {
		eng, err = startInProcessEngine(ctx, s.p.Bus().ClientURL(), s.gw, s.key, filepath.Join(s.o.dir, "engine"))
	} else {
		eng, err = startBenchEngine(self, s.p.Bus().ClientURL(), s.gw, s.key, filepath.Join(s.o.dir, "engine"))
	}
	if err != nil {
		return err
	}
	defer eng.stop()
	deadline := start.Add(s.o.timeout)
	var onlineChecked, valuesChecked time.Time
	var checkCost time.Duration
	for s.res.Load == 0 {
		if err := sleepOrDone(ctx, 20*time.Millisecond); err != nil {
			return err
		}
		if eng.exited() {
			return fmt.Errorf("the engine exited during the load; it said: %s", strings.Join(eng.said(), " | "))
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("table load: %d of %d points have no value after %v; the engine said: %s",
				pending.left, s.o.points, s.o.timeout, strings.Join(eng.said(), " | "))
		}
		stored := a.IngestStats().Samples - storedBefore
		if stored > 0 && s.res.FirstValue == 0 {
			s.res.FirstValue = time.Since(start)
		}
		// Engines report device states at most once a second, so a
		// device list read every 200 ms is precise enough and costs the
		// platform little.
		if s.res.AllOnline == 0 && time.Since(onlineChecked) > 200*time.Millisecond {
			onlineChecked = time.Now()
			if s.allOnline(ctx) {
				s.res.AllOnline = time.Since(start)
			}
		}
		// A point's first value is a stored sample, so the cache is only
		// scanned once there are at least as many as points waiting, and
		// at most every 200 ms or four times the last scan's cost, so the
		// bench's own bookkeeping stays a small part of the platform
		// process's CPU. The load time is then known to within that.
		if stored >= int64(pending.left) && time.Since(valuesChecked) >= max(200*time.Millisecond, 4*checkCost) {
			valuesChecked = time.Now()
			left := pending.check(a)
			checkCost = time.Since(valuesChecked)
			if left == 0 {
				s.res.Load = time.Since(start)
			}
		}
	}
	for s.res.AllOnline == 0 && time.Now().Before(deadline) {
		if s.allOnline(ctx) {
			s.res.AllOnline = time.Since(start)
			break
		}
		if err := sleepOrDone(ctx, 20*time.Millisecond); err != nil {
			return err
		}
	}
	s.res.LoadCPU = scaleCPU{Platform: selfCPU() - cpuBefore, Engine: eng.cpu()}
	s.res.Platform.Load, s.res.Engine.Load = procStatusMiB("self", "VmRSS:"), eng.status("VmRSS:")
	fmt.Printf("  table load %v (first value %v, every device online %v); RSS platform %.0f MiB, engine %.0f MiB\n",
		s.res.Load.Round(time.Millisecond), s.res.FirstValue.Round(time.Millisecond), s.res.AllOnline.Round(time.Millisecond),
		s.res.Platform.Load, s.res.Engine.Load)
	fmt.Printf("  CPU used until then: platform process %.2f s, engine %.2f s (load average now %s)\n",
		s.res.LoadCPU.Platform.Seconds(), s.res.LoadCPU.Engine.Seconds(), benchLoadAverage())
	if s.o.memProfile != "" {
		if err := writeHeapProfile(s.o.memProfile); err != nil {
			return err
		}
	}
	steadyStart, before := time.Now(), a.IngestStats().Samples
	if err := sleepOrDone(ctx, s.o.steady); err != nil {
		return err
	}
	s.res.Steady, s.res.Stored = time.Since(steadyStart), a.IngestStats().Samples-before
	s.res.Platform.Steady, s.res.Engine.Steady = procStatusMiB("self", "VmRSS:"), eng.status("VmRSS:")
	s.res.Platform.Peak, s.res.Engine.Peak = procStatusMiB("self", "VmHWM:"), eng.status("VmHWM:")
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	s.res.HeapMiB = float64(ms.HeapInuse) / (1 << 20)
	if gv, err := a.GetGateway(ctx, s.gw); err == nil {
		s.res.Backlog = gv.Engine.OutboxBatches
	}
	s.res.Overruns, s.res.Warnings = eng.overrunCount(), eng.said()
	fmt.Printf("  steady %v: %.0f samples stored /s, outbox backlog %d batches, %d poll overruns\n",
		s.res.Steady.Round(time.Second), float64(s.res.Stored)/s.res.Steady.Seconds(), s.res.Backlog, s.res.Overruns)
	fmt.Printf("  RSS after steady: platform %.0f MiB (peak %.0f, Go heap in use %.0f), engine %.0f MiB (peak %.0f)\n",
		s.res.Platform.Steady, s.res.Platform.Peak, s.res.HeapMiB, s.res.Engine.Steady, s.res.Engine.Peak)
	for _, w := range s.res.Warnings {
		fmt.Printf("  engine said: %s\n", w)
	}
	fmt.Println()
	return eng.stop()
}

// allOnline reports whether the engine's last status has every device
// online.
func (s *scaleRun) allOnline(ctx context.Context) bool {
	devs, err := s.p.App().ListDevices(ctx, app.System, s.gw, false)
	if err != nil || len(devs) != s.o.devices {
		return false
	}
	for _, d := range devs {
		if !d.Online {
			return false
		}
	}
	return true
}

// pendingValues tracks the points without a first value on the platform,
// compactly: the IDs are rebuilt from indexes when checked.
type pendingValues struct {
	gw      string
	per     []int     // points of each device
	missing [][]int32 // per device, the point indexes still without a value
	left    int
}

func newPendingValues(gw string, o scaleOptions) *pendingValues {
	pv := &pendingValues{gw: gw, per: make([]int, o.devices), missing: make([][]int32, o.devices), left: o.points}
	for d := range pv.per {
		pv.per[d] = o.points / o.devices
		if d < o.points%o.devices {
			pv.per[d]++
		}
		pv.missing[d] = make([]int32, pv.per[d])
		for p := range pv.missing[d] {
			pv.missing[d][p] = int32(p)
		}
	}
	return pv
}

func (pv *pendingValues) bytes() int { return 4*pv.left + 32*len(pv.per) }

// check drops the points that now have a value and returns how many are
// left.
func (pv *pendingValues) check(a *app.App) int {
	ids := make([]string, 0, 1024)
	var buf []byte
	for d, pts := range pv.missing {
		if len(pts) == 0 {
			continue
		}
		ids = ids[:0]
		for _, p := range pts {
			buf = append(buf[:0], pv.gw...)
			buf = appendHex(append(buf, '.'), uint64(d+1), 8)
			buf = appendHex(append(buf, '.'), uint64(p+1), 4)
			ids = append(ids, string(buf))
		}
		vals, err := a.CurrentValues(context.Background(), ids)
		if err != nil {
			return pv.left
		}
		keep := pts[:0]
		for i, v := range vals {
			if v.TS == 0 {
				keep = append(keep, pts[i])
			}
		}
		pv.left -= len(pts) - len(keep)
		pv.missing[d] = keep
	}
	return pv.left
}

// appendHex appends v as lowercase hex, zero-padded to width digits.
func appendHex(b []byte, v uint64, width int) []byte {
	for i := width - 1; i >= 0; i-- {
		b = append(b, "0123456789abcdef"[(v>>(4*uint(i)))&0xf])
	}
	return b
}

// scaleEngineProc is the engine under measurement: a child process, or for
// profiling a goroutine of this process.
type scaleEngineProc interface {
	cpu() time.Duration
	exited() bool
	said() []string
	overrunCount() int64
	status(field string) float64
	stop() error
}

// inProcessEngine is the engine run inside the bench process, so that one
// CPU profile covers platform and engine.
type inProcessEngine struct {
	cancel context.CancelFunc
	done   chan struct{}
	err    error
}

func startInProcessEngine(ctx context.Context, server, gw, key, dataDir string) (*inProcessEngine, error) {
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	link, err := bus.DialEngine(ctx, bus.EngineOptions{URL: server, Gateway: gw, Key: key, Logger: log})
	if err != nil {
		return nil, err
	}
	ectx, cancel := context.WithCancel(ctx)
	e := &inProcessEngine{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(e.done)
		defer link.Close()
		e.err = runEngineOn(ectx, engineSetup{gateway: gw, dataDir: dataDir, outboxMax: 256 << 20, link: link, log: log})
	}()
	return e, nil
}

func (e *inProcessEngine) exited() bool {
	select {
	case <-e.done:
		return true
	default:
		return false
	}
}
func (e *inProcessEngine) said() []string {
	if e.exited() && e.err != nil {
		return []string{e.err.Error()}
	}
	return nil
}
func (e *inProcessEngine) overrunCount() int64         { return 0 }
func (e *inProcessEngine) cpu() time.Duration          { return 0 }
func (e *inProcessEngine) status(field string) float64 { return 0 }
func (e *inProcessEngine) stop() error {
	e.cancel()
	<-e.done
	return e.err
}

func (e *benchEngine) overrunCount() int64 { return e.overruns.Load() }

// resetPeakRSS starts this process's VmHWM afresh from its current RSS
// (Linux: "5" to clear_refs), so each phase's peak is its own.
func resetPeakRSS() {
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}

func writeHeapProfile(file string) error {
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	defer f.Close()
	runtime.GC()
	return pprof.WriteHeapProfile(f)
}
