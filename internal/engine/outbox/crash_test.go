package outbox

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// crashChildEnv names the outbox directory a re-executed test binary
// appends to until it is killed.
const crashChildEnv = "IOTOS_OUTBOX_CRASH_CHILD"

func TestMain(m *testing.M) {
	if dir := os.Getenv(crashChildEnv); dir != "" {
		crashChild(dir)
		return
	}
	goleak.VerifyTestMain(m) // the flusher and every send must end by Close
}

// crashChild appends continuously and prints "first last" after every
// committed append, until it is killed.
func crashChild(dir string) {
	report := func(first, last uint64) { fmt.Fprintf(os.Stdout, "%d %d\n", first, last) }
	o, err := open(dir, Options{FlushInterval: 2 * time.Millisecond, MaxBatch: 40}, report)
	if err != nil {
		fmt.Fprintln(os.Stderr, "crash child:", err)
		os.Exit(2)
	}
	for i := 0; ; i++ {
		o.Add(paddedSamples(i*57, 57))
		time.Sleep(time.Millisecond)
	}
}

func TestSurvivesSIGKILLDuringAppends(t *testing.T) {
	dir := t.TempDir()
	var committed [][2]uint64
	epoch := ""
	for kill := range 20 {
		reported := runAndKill(t, dir, 3+kill%7)
		if len(reported) > 0 && len(committed) > 0 && reported[0][0] <= committed[len(committed)-1][1] {
			t.Fatalf("kill %d: seq %d reused", kill, reported[0][0])
		}
		committed = append(committed, reported...)
		epoch = checkAfterKill(t, dir, committed, epoch, kill)
	}
}

// runAndKill starts a child, SIGKILLs it after it reported `after` commits
// and returns every commit it reported before dying.
func runAndKill(t *testing.T, dir string, after int) [][2]uint64 {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+dir)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	reported, killed := killAfter(t, cmd, lines, after)
	err = cmd.Wait()
	if !killed {
		t.Fatalf("crash child exited by itself: %v", err)
	}
	return reported
}

// killAfter reads the child's reports, SIGKILLs it at the after-th and
// keeps reading until its stdout closes, so every report it wrote counts.
func killAfter(t *testing.T, cmd *exec.Cmd, lines <-chan string, after int) (reported [][2]uint64, killed bool) {
	t.Helper()
	timeout := time.After(waitTimeout)
	for {
		select {
		case line, ok := <-lines:
			if !ok {
				return reported, killed
			}
			reported = append(reported, parseCommit(t, line))
			if !killed && len(reported) >= after {
				killed = true
				if err := cmd.Process.Kill(); err != nil { // SIGKILL
					t.Fatal(err)
				}
			}
		case <-timeout:
			cmd.Process.Kill()
			t.Fatal("crash child did not report commits in time")
		}
	}
}

func parseCommit(t *testing.T, line string) [2]uint64 {
	t.Helper()
	var c [2]uint64
	if _, err := fmt.Sscanf(line, "%d %d", &c[0], &c[1]); err != nil {
		t.Fatalf("crash child printed %q: %v", line, err)
	}
	return c
}

// checkAfterKill opens the outbox as a restarted engine would and checks
// integrity, the epoch and that every reported commit is present.
func checkAfterKill(t *testing.T, dir string, committed [][2]uint64, epoch string, kill int) string {
	t.Helper()
	o, err := Open(dir, Options{})
	if err != nil {
		t.Fatalf("kill %d: Open: %v", kill, err)
	}
	defer o.Close()
	var check string
	if err := o.db.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Fatalf("kill %d: integrity_check %q, %v", kill, check, err)
	}
	if epoch != "" && o.Epoch() != epoch {
		t.Fatalf("kill %d: epoch changed from %s to %s", kill, epoch, o.Epoch())
	}
	var missing []string
	for _, c := range committed {
		var n int
		err := o.db.QueryRow(`SELECT COUNT(*) FROM batches WHERE seq BETWEEN ? AND ?`, c[0], c[1]).Scan(&n)
		if err != nil {
			t.Fatal(err)
		}
		if uint64(n) != c[1]-c[0]+1 {
			missing = append(missing, fmt.Sprintf("%d-%d", c[0], c[1]))
		}
	}
	if len(missing) > 0 {
		t.Fatalf("kill %d: committed batches missing: %s", kill, strings.Join(missing, ", "))
	}
	if last := committed[len(committed)-1][1]; o.Stats().LastSeq < last {
		t.Fatalf("kill %d: LastSeq %d below the reported %d", kill, o.Stats().LastSeq, last)
	}
	return o.Epoch()
}
