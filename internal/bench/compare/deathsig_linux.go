package main

import (
	"os/exec"
	"syscall"
)

// dieWithParent has the kernel end cmd if this program dies without
// stopping it (killed, or a crash), so no receiver outlives a run.
func dieWithParent(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
}
