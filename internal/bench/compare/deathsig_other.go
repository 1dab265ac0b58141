//go:build !linux

package main

import "os/exec"

// dieWithParent has no kernel help off Linux: there the receivers end only
// through stop.
func dieWithParent(*exec.Cmd) {}
