//go:build unix

package extdriver

import (
	"os/exec"
	"syscall"
)

// isolate puts the child in a process group of its own, so killing it also
// kills whatever it started (a shell script's children).
func isolate(cmd *exec.Cmd) { cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} }

func killTree(cmd *exec.Cmd) {
	if cmd.Process == nil {
		return
	}
	if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); err != nil {
		_ = cmd.Process.Kill()
	}
}
