package chaos

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestMain turns the test binary into a long sleeper when asked, so the
// process tests have a real child to kill, freeze and restart.
func TestMain(m *testing.M) {
	if os.Getenv("CHAOS_TEST_SLEEPER") == "1" {
		time.Sleep(time.Minute) // bounded: an orphan ends by itself
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func startSleeper(tb testing.TB, name string) *OSProcess {
	tb.Helper()
	p, err := StartProcess(context.Background(), name, []string{os.Args[0], "-test.run=^$"}, []string{"CHAOS_TEST_SLEEPER=1"}, nil)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := p.Stop(2 * time.Second); err != nil {
			tb.Error(err)
		}
	})
	return p
}

// procState is the state letter in /proc/PID/stat: R or S running, T
// stopped, Z zombie; "" when the process is gone.
func procState(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return ""
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 || i+2 >= len(s) {
		return ""
	}
	return s[i+2 : i+3]
}

// waitState polls until pid's state is one of want.
func waitState(tb testing.TB, pid int, want string) {
	tb.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for {
		st := procState(pid)
		if strings.Contains(want, st) && (st != "" || want == "") {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("pid %d is in state %q, want one of %q", pid, st, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestProcessFreezeThaw(t *testing.T) {
	p := startSleeper(t, "worker")
	waitState(t, p.PID(), "RS")
	if err := p.Freeze(); err != nil {
		t.Fatal(err)
	}
	waitState(t, p.PID(), "Tt")
	if p.Running() || !p.Frozen() {
		t.Errorf("frozen process: Running %t, Frozen %t", p.Running(), p.Frozen())
	}
	if err := p.Thaw(); err != nil {
		t.Fatal(err)
	}
	waitState(t, p.PID(), "RS")
	if !p.Running() {
		t.Error("thawed process does not report running")
	}
}

func TestProcessKillRestart(t *testing.T) {
	p := startSleeper(t, "worker")
	old := p.PID()
	if err := p.Kill(); err != nil {
		t.Fatal(err)
	}
	if procState(old) != "" {
		t.Errorf("killed pid %d still exists (state %q)", old, procState(old))
	}
	if p.Running() {
		t.Error("killed process reports running")
	}
	if err := p.Restart(context.Background()); err != nil {
		t.Fatal(err)
	}
	if p.PID() == old {
		t.Error("restart kept the old pid")
	}
	waitState(t, p.PID(), "RS")
	// Restarting a frozen process must not leave a stopped orphan.
	if err := p.Freeze(); err != nil {
		t.Fatal(err)
	}
	frozen := p.PID()
	if err := p.Restart(context.Background()); err != nil {
		t.Fatal(err)
	}
	if procState(frozen) != "" {
		t.Errorf("the frozen pid %d survived a restart", frozen)
	}
	waitState(t, p.PID(), "RS")
}

func TestProcessFromPIDFile(t *testing.T) {
	child := startSleeper(t, "edge")
	pidfile := filepath.Join(t.TempDir(), "edge.pid")
	if err := os.WriteFile(pidfile, []byte(strconv.Itoa(child.PID())+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	p, err := FindProcess("edge", pidfile)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Freeze(); err != nil {
		t.Fatal(err)
	}
	waitState(t, child.PID(), "Tt")
	if err := p.Thaw(); err != nil {
		t.Fatal(err)
	}
	waitState(t, child.PID(), "RS")
	if err := p.Kill(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-child.Exited():
	case <-time.After(3 * time.Second):
		t.Fatal("SIGKILL by PID file did not end the process")
	}
	// Nobody restarts it: Restart gives up when its context ends.
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if err := p.Restart(ctx); !errors.Is(err, ErrNotRestartable) {
		t.Errorf("Restart with no supervisor: %v, want ErrNotRestartable", err)
	}
	// A supervisor starts a new one and rewrites the PID file: Restart
	// adopts it, and faults reach the new process.
	next := startSleeper(t, "edge-2")
	go func() {
		time.Sleep(200 * time.Millisecond)
		_ = os.WriteFile(pidfile, []byte(strconv.Itoa(next.PID())), 0o600)
	}()
	ctx2, cancel2 := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel2()
	if err := p.Restart(ctx2); err != nil {
		t.Fatalf("Restart with a supervisor: %v", err)
	}
	if p.PID() != next.PID() {
		t.Errorf("adopted pid %d, want %d", p.PID(), next.PID())
	}
	if err := p.Freeze(); err != nil {
		t.Fatal(err)
	}
	waitState(t, next.PID(), "Tt")
	_ = p.Thaw()

	if _, err := FindProcess("x", filepath.Join(t.TempDir(), "missing.pid")); err == nil {
		t.Error("FindProcess with a missing file: no error")
	}
	bad := filepath.Join(t.TempDir(), "bad.pid")
	_ = os.WriteFile(bad, []byte("one"), 0o600)
	if _, err := FindProcess("x", bad); err == nil {
		t.Error("FindProcess with a non-number: no error")
	}
}
