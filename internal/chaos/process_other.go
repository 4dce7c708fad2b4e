//go:build !linux

package chaos

import "syscall"

// childAttr starts a child in its own process group (see process_linux.go).
func childAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }
