// Package stripetest runs stripe-mock, Stripe's official API mock, on
// loopback for the tests of the packages that talk to Stripe (the gateway,
// and the shop wired with --payments=stripe). It is imported by tests only.
package stripetest

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"
)

// Version is the stripe-mock release the tests run (issue #7).
const Version = "v0.203.0"

// install is the one piece of package state: the install is a build that
// takes seconds, so a test process does it once, whatever its tests ask.
var install struct {
	once sync.Once
	bin  string
	err  error
}

// binary installs stripe-mock once per test process into the user's cache
// (reused across runs: the install is a build), and returns its path.
func binary() (string, error) {
	install.once.Do(func() {
		dir, err := os.UserCacheDir()
		if err != nil {
			dir = os.TempDir()
		}
		gobin := filepath.Join(dir, "peakshop", "stripe-mock-"+Version)
		install.bin = filepath.Join(gobin, "stripe-mock")
		if _, err := os.Stat(install.bin); err == nil {
			return
		}
		cmd := exec.Command("go", "install", "github.com/stripe/stripe-mock@"+Version)
		cmd.Env = append(os.Environ(), "GOBIN="+gobin)
		if out, err := cmd.CombinedOutput(); err != nil {
			install.err = fmt.Errorf("%w\n%s", err, out)
		}
	})
	return install.bin, install.err
}

// Start runs a stripe-mock on 127.0.0.1 (both its HTTP and HTTPS listeners,
// so it opens nothing on other interfaces), stopped when tb ends, and
// returns its HTTP base URL. It skips tb when stripe-mock cannot be
// installed (no module proxy, say) or started.
func Start(tb testing.TB) string {
	tb.Helper()
	bin, err := binary()
	if err != nil {
		tb.Skipf("stripe-mock %s could not be installed, skipping: %v", Version, err)
	}
	var lastErr error
	for range 3 { // a port picked free may be taken before stripe-mock binds it
		url, err := run(tb, bin)
		if err == nil {
			return url
		}
		lastErr = err
	}
	tb.Skipf("stripe-mock did not start, skipping: %v", lastErr)
	return ""
}

func run(tb testing.TB, bin string) (string, error) {
	httpPort, err := freePort()
	if err != nil {
		return "", err
	}
	httpsPort, err := freePort()
	if err != nil {
		return "", err
	}
	cmd := exec.Command(bin, "-http-addr", "127.0.0.1:"+httpPort, "-https-addr", "127.0.0.1:"+httpsPort)
	if err := cmd.Start(); err != nil {
		return "", err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stop := func() {
		_ = cmd.Process.Kill()
		<-exited
	}
	addr := "127.0.0.1:" + httpPort
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		select {
		case err := <-exited:
			return "", fmt.Errorf("stripe-mock exited: %v", err)
		default:
		}
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			stop()
			return "", errors.New("stripe-mock did not listen within 30s")
		}
	}
	tb.Cleanup(stop)
	return "http://" + addr, nil
}

func freePort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return strconv.Itoa(l.Addr().(*net.TCPAddr).Port), nil
}
