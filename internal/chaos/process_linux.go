package chaos

import "syscall"

// childAttr starts a child in its own process group, and has the kernel kill
// it if chaos itself dies without undoing (SIGKILL, OOM): a supervised shop
// must not outlive its supervisor.
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
