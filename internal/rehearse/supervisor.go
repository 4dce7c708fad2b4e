package rehearse

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/peakshop/peakshop/internal/chaos"
)

// ShopConfig is the shop a rehearsal starts for itself.
type ShopConfig struct {
	// Binary is the peakshop executable to run (os.Executable by default:
	// the rehearsal runs the shop it was built with).
	Binary string
	// Dir holds the data folder; "" makes a temporary one, removed by Stop.
	Dir string
	// DB is the database URL; "" is SQLite in the data folder. With a
	// PostgreSQL URL serve and the worker each reach it through a fault
	// link of their own, "app-db" and "worker-db".
	DB string
	// NATS is an external JetStream server's URL; "" starts one in this
	// process (loopback, a random port, its store in the data folder).
	NATS string
	// CheckoutMode is sync (default) or queued.
	CheckoutMode string
	// Log receives the processes' output besides their log files.
	Log io.Writer
}

// Shop is a shop the rehearsal started: serve (edge in front, pipeline off)
// and a separate worker, each reaching NATS (and PostgreSQL, when it is the
// database) through fault links of its own.
type Shop struct {
	BaseURL    string
	AdminToken string
	DataDir    string
	DSN        string // the database, as the audit reads it (no link)
	NATSURL    string // JetStream, as the audit reads it (no link)
	Ledger     string // the payment simulator's ledger, shared by serve and worker
	Processes  map[string]*chaos.OSProcess
	Links      map[string]*chaos.Link
	Controls   []string

	tmp      bool
	ns       *server.Server
	logFiles []*os.File
	stopOnce sync.Once
	stopErr  error
}

// Targets is what the chaos run may act on.
func (s *Shop) Targets() chaos.Targets {
	t := chaos.Targets{BaseURL: s.BaseURL, Processes: map[string]chaos.Process{}, Links: s.Links,
		Controls: s.Controls, AdminToken: s.AdminToken, NATSURL: s.NATSURL}
	for n, p := range s.Processes {
		t.Processes[n] = p
	}
	return t
}

// StartShop starts NATS (unless given), the links, serve and the worker, and
// waits until the shop answers /readyz. On error everything started is
// stopped again.
func StartShop(ctx context.Context, cfg ShopConfig) (_ *Shop, err error) {
	s := &Shop{Processes: map[string]*chaos.OSProcess{}, Links: map[string]*chaos.Link{}}
	defer func() {
		if err != nil {
			s.Stop()
		}
	}()
	if cfg.Binary == "" {
		if cfg.Binary, err = os.Executable(); err != nil {
			return nil, fmt.Errorf("rehearse: find the peakshop binary: %w", err)
		}
	}
	if s.DataDir = cfg.Dir; s.DataDir == "" {
		if s.DataDir, err = os.MkdirTemp("", "peakshop-rehearse-"); err != nil {
			return nil, fmt.Errorf("rehearse: data folder: %w", err)
		}
		s.tmp = true
	} else if err = os.MkdirAll(s.DataDir, 0o755); err != nil {
		return nil, fmt.Errorf("rehearse: data folder: %w", err)
	}
	if s.AdminToken, err = randomToken(); err != nil {
		return nil, err
	}
	s.DSN, s.Ledger = cfg.DB, filepath.Join(s.DataDir, "payments-sim.db")
	if s.DSN == "" {
		s.DSN = "sqlite:" + filepath.Join(s.DataDir, "shop.db")
	}
	if s.NATSURL = cfg.NATS; s.NATSURL == "" {
		if s.ns, s.NATSURL, err = startNATS(filepath.Join(s.DataDir, "nats")); err != nil {
			return nil, err
		}
	}
	natsHost, err := hostPort(s.NATSURL)
	if err != nil {
		return nil, err
	}
	for _, name := range []string{"app-nats", "worker-nats"} {
		if s.Links[name], err = chaos.NewLink(name, "127.0.0.1:0", natsHost); err != nil {
			return nil, err
		}
	}
	dbl, dsns, err := dbLinks(s.DSN)
	if err != nil {
		return nil, err
	}
	maps.Copy(s.Links, dbl)
	ports, err := freePorts(3)
	if err != nil {
		return nil, err
	}
	s.BaseURL = "http://" + ports[0]
	s.Controls = []string{"http://" + ports[1], "http://" + ports[2]}
	mode := cfg.CheckoutMode
	if mode == "" {
		mode = "sync"
	}
	common := []string{"--data", s.DataDir, "--log-level", "warn", "--payment-ledger", s.Ledger}
	serve := append([]string{cfg.Binary, "serve", "--addr", ports[0], "--db", dsns["app"], "--pipeline=false",
		"--nats", "nats://" + s.Links["app-nats"].Addr(), "--chaos-addr", ports[1], "--checkout-mode", mode,
		"--edge-trust-loopback-forwarded"}, common...)
	worker := append([]string{cfg.Binary, "worker", "--db", dsns["worker"],
		"--nats", "nats://" + s.Links["worker-nats"].Addr(), "--chaos-addr", ports[2], "--checkout-mode", mode}, common...)
	env := []string{"PEAKSHOP_ADMIN_TOKEN=" + s.AdminToken}
	// serve first: it migrates and seeds the demo catalog, which the
	// worker's own migration step must not race on SQLite.
	if err := s.start(ctx, "app", serve, env, cfg.Log); err != nil {
		return nil, err
	}
	if err := s.waitReady(ctx, "app", s.BaseURL+"/readyz", 3*time.Minute); err != nil {
		return nil, err
	}
	if err := s.start(ctx, "worker", worker, env, cfg.Log); err != nil {
		return nil, err
	}
	if err := s.waitReady(ctx, "worker", s.Controls[1]+"/", time.Minute); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Shop) start(ctx context.Context, name string, argv, env []string, log io.Writer) error {
	f, err := os.Create(filepath.Join(s.DataDir, name+".log"))
	if err != nil {
		return fmt.Errorf("rehearse: %s log: %w", name, err)
	}
	s.logFiles = append(s.logFiles, f)
	var out io.Writer = f
	if log != nil {
		out = io.MultiWriter(f, log)
	}
	p, err := chaos.StartProcess(ctx, name, argv, env, out)
	if err != nil {
		return err
	}
	s.Processes[name] = p
	return nil
}

// waitReady polls url until it answers (any status for a control listener,
// 200 for /readyz), the process exits or the wait runs out.
func (s *Shop) waitReady(ctx context.Context, name, u string, limit time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	c := &http.Client{Timeout: 2 * time.Second}
	anyStatus := !strings.HasSuffix(u, "/readyz")
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if res, err := c.Do(req); err == nil {
			res.Body.Close()
			if anyStatus || res.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-s.Processes[name].Exited():
			return fmt.Errorf("rehearse: %s exited during start; see %s:\n%s", name,
				filepath.Join(s.DataDir, name+".log"), tail(filepath.Join(s.DataDir, name+".log"), 2000))
		case <-ctx.Done():
			return fmt.Errorf("rehearse: %s not ready at %s within %s: %w", name, u, limit, ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// Stop ends the processes (SIGTERM, then SIGKILL after 20 s), the links and
// NATS, and removes a temporary data folder. It is safe to call twice.
func (s *Shop) Stop() error {
	s.stopOnce.Do(func() {
		var errs []error
		var wg sync.WaitGroup
		var mu sync.Mutex
		for _, p := range s.Processes {
			wg.Go(func() {
				if err := p.Stop(20 * time.Second); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		for _, l := range s.Links {
			errs = append(errs, l.Close())
		}
		if s.ns != nil {
			s.ns.Shutdown()
			s.ns.WaitForShutdown()
		}
		for _, f := range s.logFiles {
			errs = append(errs, f.Close())
		}
		if s.tmp {
			errs = append(errs, os.RemoveAll(s.DataDir))
		}
		s.stopErr = errors.Join(errs...)
	})
	return s.stopErr
}

// startNATS runs a JetStream server in this process on a random loopback
// port, with no signal handlers of its own (the rehearsal owns SIGINT).
func startNATS(dir string) (*server.Server, string, error) {
	ns, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: server.RANDOM_PORT, JetStream: true,
		StoreDir: dir, NoSigs: true, NoLog: true, MaxPayload: 8 << 20})
	if err != nil {
		return nil, "", fmt.Errorf("rehearse: nats: %w", err)
	}
	go ns.Start()
	if !ns.ReadyForConnections(30 * time.Second) {
		ns.Shutdown()
		return nil, "", errors.New("rehearse: nats did not start within 30s")
	}
	return ns, ns.ClientURL(), nil
}

func hostPort(natsURL string) (string, error) {
	u, err := url.Parse(natsURL)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("rehearse: NATS URL %q: want nats://host:port", natsURL)
	}
	if u.Port() == "" {
		return u.Host + ":4222", nil
	}
	return u.Host, nil
}

// freePorts asks the kernel for n free loopback ports. They are free when
// returned, and the processes bind them a moment later; nothing else on a
// rehearsal machine races for ephemeral ports that fast.
func freePorts(n int) ([]string, error) {
	var out []string
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("rehearse: free port: %w", err)
		}
		ls = append(ls, l)
		out = append(out, l.Addr().String())
	}
	return out, nil
}

func randomToken() (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("rehearse: admin token: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// tail returns up to the last n bytes of a file, for error messages.
func tail(path string, n int64) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return ""
	}
	off := max(st.Size()-n, 0)
	b := make([]byte, st.Size()-off)
	_, _ = f.ReadAt(b, off)
	return string(b)
}
