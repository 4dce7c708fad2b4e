package chaos

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Process is something chaos can kill, freeze and bring back.
type Process interface {
	Name() string
	Kill() error   // SIGKILL
	Freeze() error // SIGSTOP
	Thaw() error   // SIGCONT
	Restart(ctx context.Context) error
}

// ErrNotRestartable is returned by Restart on a process chaos did not start
// itself (found by PID file) when its supervisor did not bring it back.
var ErrNotRestartable = errors.New("chaos: process was not started by chaos and its supervisor did not restart it")

// OSProcess is an operating-system process: either one chaos started (an
// *exec.Cmd it can start again with the same arguments) or one found by PID
// file, which chaos can kill and freeze but only its supervisor (systemd,
// a container runtime) can start again; Restart then waits for that.
type OSProcess struct {
	name    string
	argv    []string
	env     []string
	logTo   io.Writer
	pidfile string

	mu      sync.Mutex
	cmd     *exec.Cmd // nil for a PID-file process
	pid     int
	exited  chan struct{} // closed when the current child has been reaped
	frozen  bool
	stopped bool // Stop was called: no more restarts
}

// StartProcess starts cmd (argv) with env added to this process's
// environment, output to logTo (nil discards). The process lives until Kill
// or Stop, not until ctx ends: ctx only bounds the start.
func StartProcess(ctx context.Context, name string, cmd []string, env []string, logTo io.Writer) (*OSProcess, error) {
	if len(cmd) == 0 {
		return nil, fmt.Errorf("chaos: process %s: empty command", name)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("chaos: start %s: %w", name, err)
	}
	p := &OSProcess{name: name, argv: append([]string(nil), cmd...), env: append([]string(nil), env...), logTo: logTo}
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.startLocked(); err != nil {
		return nil, err
	}
	return p, nil
}

// FindProcess returns the process whose PID is in pidfile. It can be killed,
// frozen and thawed; Restart waits for its supervisor to start it again.
func FindProcess(name, pidfile string) (*OSProcess, error) {
	pid, err := readPID(pidfile)
	if err != nil {
		return nil, fmt.Errorf("chaos: process %s: %w", name, err)
	}
	// Signal 0 checks the process exists and may be signalled by us.
	if err := syscall.Kill(pid, 0); err != nil {
		return nil, fmt.Errorf("chaos: process %s (pid %d): %w", name, pid, err)
	}
	return &OSProcess{name: name, pid: pid, pidfile: pidfile}, nil
}

func readPID(pidfile string) (int, error) {
	b, err := os.ReadFile(pidfile)
	if err != nil {
		return 0, err
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 1 {
		return 0, fmt.Errorf("%s holds no usable pid", pidfile)
	}
	return pid, nil
}

// awaitSupervisor waits until the PID file names a living process other
// than the one killed, and adopts it.
func (p *OSProcess) awaitSupervisor(ctx context.Context) error {
	p.mu.Lock()
	old := p.pid
	p.mu.Unlock()
	for {
		if pid, err := readPID(p.pidfile); err == nil && pid != old && syscall.Kill(pid, 0) == nil {
			p.mu.Lock()
			p.pid, p.frozen = pid, false
			p.mu.Unlock()
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("chaos: restart %s: %w (waited for a new pid in %s)", p.name, ErrNotRestartable, p.pidfile)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func (p *OSProcess) startLocked() error {
	c := exec.Command(p.argv[0], p.argv[1:]...)
	c.Env = append(os.Environ(), p.env...)
	out := p.logTo
	if out == nil {
		out = io.Discard
	}
	c.Stdout, c.Stderr = out, out
	// Its own process group, so a terminal's Ctrl-C reaches chaos (which
	// undoes its faults and then stops the child) rather than the child first.
	c.SysProcAttr = childAttr()
	if err := c.Start(); err != nil {
		return fmt.Errorf("chaos: start %s: %w", p.name, err)
	}
	exited := make(chan struct{})
	go func() {
		_ = c.Wait() // the exit status of a process we killed says nothing new
		close(exited)
	}()
	p.cmd, p.pid, p.exited, p.frozen = c, c.Process.Pid, exited, false
	return nil
}

// Name is the process's name in experiments ("app", "worker", "edge").
func (p *OSProcess) Name() string { return p.name }

// PID is the current process id.
func (p *OSProcess) PID() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.pid
}

// Running reports whether the process exists and is not frozen.
func (p *OSProcess) Running() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.aliveLocked() && !p.frozen
}

// Frozen reports whether chaos has stopped the process with SIGSTOP.
func (p *OSProcess) Frozen() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.frozen
}

func (p *OSProcess) aliveLocked() bool {
	if p.exited != nil {
		select {
		case <-p.exited:
			return false
		default:
			return true
		}
	}
	return syscall.Kill(p.pid, 0) == nil
}

func (p *OSProcess) signal(sig syscall.Signal) error {
	if err := syscall.Kill(p.pid, sig); err != nil {
		return fmt.Errorf("chaos: %s %s (pid %d): %w", sig, p.name, p.pid, err)
	}
	return nil
}

// Kill sends SIGKILL and, for a child, waits until it is reaped, so a
// Restart right after cannot find the old one still holding its port.
func (p *OSProcess) Kill() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.aliveLocked() {
		return nil
	}
	if err := p.signal(syscall.SIGKILL); err != nil {
		return err
	}
	p.frozen = false // a killed process is not frozen any more
	if p.exited != nil {
		select {
		case <-p.exited:
		case <-time.After(10 * time.Second):
			return fmt.Errorf("chaos: %s (pid %d) did not exit after SIGKILL", p.name, p.pid)
		}
	}
	return nil
}

// Freeze sends SIGSTOP: the process holds its sockets but answers nothing.
func (p *OSProcess) Freeze() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.signal(syscall.SIGSTOP); err != nil {
		return err
	}
	p.frozen = true
	return nil
}

// Thaw sends SIGCONT.
func (p *OSProcess) Thaw() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.aliveLocked() {
		p.frozen = false
		return nil
	}
	if err := p.signal(syscall.SIGCONT); err != nil {
		return err
	}
	p.frozen = false
	return nil
}

// Restart kills the process if it still runs and starts it again with the
// same arguments. For a process found by PID file it waits, until ctx ends,
// for the supervisor to have started a new one (a new pid in the file).
func (p *OSProcess) Restart(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("chaos: restart %s: %w", p.name, err)
	}
	if p.argv == nil {
		if err := p.Kill(); err != nil {
			return err
		}
		return p.awaitSupervisor(ctx)
	}
	if err := p.Kill(); err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopped {
		return fmt.Errorf("chaos: restart %s: process was stopped", p.name)
	}
	return p.startLocked()
}

// Stop ends a process chaos started: SIGCONT (a frozen process cannot act on
// SIGTERM), SIGTERM, and SIGKILL after grace. It is for the owner's cleanup,
// not a fault; a PID-file process is left alone.
func (p *OSProcess) Stop(grace time.Duration) error {
	p.mu.Lock()
	p.stopped = true
	if p.exited == nil || !p.aliveLocked() {
		p.mu.Unlock()
		return nil
	}
	_ = syscall.Kill(p.pid, syscall.SIGCONT)
	p.frozen = false
	_ = syscall.Kill(p.pid, syscall.SIGTERM)
	exited, pid := p.exited, p.pid
	p.mu.Unlock()
	select {
	case <-exited:
		return nil
	case <-time.After(grace):
	}
	_ = syscall.Kill(pid, syscall.SIGKILL)
	select {
	case <-exited:
		return nil
	case <-time.After(10 * time.Second):
		return fmt.Errorf("chaos: %s (pid %d) did not exit after SIGKILL", p.name, pid)
	}
}

// Exited is closed when the current child exits (nil for a PID-file process).
func (p *OSProcess) Exited() <-chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.exited
}
