package app

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/peakshop/peakshop/internal/chaos"
	"github.com/peakshop/peakshop/internal/payments/simulator"
	"github.com/peakshop/peakshop/internal/platform/jsonbody"
	"github.com/peakshop/peakshop/internal/platform/problem"
)

// ChaosFlags registers --chaos-addr (serve and worker). A non-loopback
// address is refused while parsing, before anything is opened.
func (c *Config) ChaosFlags(fs *flag.FlagSet) {
	fs.Func("chaos-addr", "loopback address (127.0.0.1:PORT) of the admin-only chaos-control listener for 'peakshop chaos'; empty is off", func(v string) error {
		if v != "" {
			if err := loopbackOnly(v); err != nil {
				return err
			}
		}
		c.ChaosAddr = v
		return nil
	})
}

// chaosControl is the loopback listener through which `peakshop chaos` turns
// the payment simulator's knobs in a running serve or worker. It is off
// unless --chaos-addr is given, binds loopback addresses only (a fault
// switch must never face the network) and wants the admin token on every
// request.
type chaosControl struct {
	srv     *http.Server
	ln      net.Listener
	served  chan struct{}
	sim     *simulator.Simulator // nil when the shop charges a real provider
	isAdmin func(string) bool
	logger  *slog.Logger

	mu      sync.Mutex
	start   chaos.PaymentSettings // the values the process started with, restored by DELETE
	current chaos.PaymentSettings
}

// startChaosControl starts the listener when cfg.ChaosAddr is set and
// returns nil otherwise. isAdmin checks bearer tokens; nil (the worker,
// which has no admin store) checks against cfg.AdminToken or else
// PEAKSHOP_ADMIN_TOKEN, and refuses to start without one. gateway is the
// process's payment gateway: only the simulator has knobs.
func startChaosControl(cfg Config, isAdmin func(string) bool, gateway any, logger *slog.Logger) (*chaosControl, error) {
	if cfg.ChaosAddr == "" {
		return nil, nil
	}
	if err := loopbackOnly(cfg.ChaosAddr); err != nil {
		return nil, err
	}
	if isAdmin == nil {
		tok := cfg.AdminToken
		if tok == "" {
			tok = os.Getenv("PEAKSHOP_ADMIN_TOKEN")
		}
		if tok == "" {
			return nil, errors.New("--chaos-addr needs the admin token in PEAKSHOP_ADMIN_TOKEN: the control listener never runs open")
		}
		want := sha256.Sum256([]byte(tok))
		isAdmin = func(t string) bool {
			got := sha256.Sum256([]byte(t))
			return subtle.ConstantTimeCompare(got[:], want[:]) == 1
		}
	}
	ln, err := net.Listen("tcp", cfg.ChaosAddr)
	if err != nil {
		return nil, fmt.Errorf("chaos control: listen on %s: %w", cfg.ChaosAddr, err)
	}
	// The name may have resolved to something else than asked (localhost).
	if ta, ok := ln.Addr().(*net.TCPAddr); !ok || !ta.IP.IsLoopback() {
		ln.Close()
		return nil, fmt.Errorf("--chaos-addr %s: bound to %s, which is not loopback", cfg.ChaosAddr, ln.Addr())
	}
	c := &chaosControl{ln: ln, served: make(chan struct{}), isAdmin: isAdmin, logger: logger}
	if sim, ok := gateway.(*simulator.Simulator); ok && sim != nil {
		c.sim = sim
		c.start = chaos.PaymentSettings{Latency: chaos.Duration(cfg.PaymentLatency), FailureRate: cfg.PaymentFailureRate}
		c.current = c.start
	}
	c.srv = &http.Server{Handler: c.routes(), ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second,
		WriteTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
	go func() {
		defer close(c.served)
		if err := c.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("chaos control stopped", "err", err)
		}
	}()
	logger.Warn("chaos control listening: payment faults can be injected with the admin token", "addr", "http://"+c.Addr())
	return c, nil
}

// loopbackOnly refuses an address whose host is not a loopback IP or
// "localhost"; an empty host (":9000") would listen on every interface.
func loopbackOnly(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--chaos-addr %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("--chaos-addr %q: the chaos-control listener binds loopback addresses only (127.0.0.1:PORT or [::1]:PORT)", addr)
	}
	return nil
}

// Addr is the address the listener is bound to.
func (c *chaosControl) Addr() string { return c.ln.Addr().String() }

// close stops the listener, restoring the knobs' start values first so a
// fault cannot outlive the control that set it. Safe on nil.
func (c *chaosControl) close() {
	if c == nil {
		return
	}
	c.set(c.start)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = c.srv.Shutdown(ctx)
	<-c.served
}

func (c *chaosControl) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+chaos.PaymentPath, c.getPayment)
	mux.HandleFunc("PUT "+chaos.PaymentPath, c.putPayment)
	mux.HandleFunc("DELETE "+chaos.PaymentPath, c.deletePayment)
	mux.HandleFunc(chaos.PaymentPath, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", "GET, PUT, DELETE")
		problem.Write(w, problem.New(http.StatusMethodNotAllowed, "use GET, PUT or DELETE"))
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		problem.Write(w, problem.New(http.StatusNotFound, "no such chaos control"))
	})
	return c.auth(mux)
}

// auth wants the admin token on every request, before anything else, so an
// unauthenticated caller learns nothing (not even which paths exist).
func (c *chaosControl) auth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || tok == "" || !c.isAdmin(tok) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="peakshop-chaos"`)
			problem.Write(w, problem.New(http.StatusUnauthorized, "the chaos control wants Authorization: Bearer <admin token>"))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// simulatorMissing answers 409 when the process charges a real provider.
func (c *chaosControl) simulatorMissing(w http.ResponseWriter) bool {
	if c.sim != nil {
		return false
	}
	problem.Write(w, problem.New(http.StatusConflict, "this process charges a real payment provider, not the simulator; payment faults need the simulator (use a link fault on the provider's connection instead)"))
	return true
}

func (c *chaosControl) getPayment(w http.ResponseWriter, r *http.Request) {
	if c.simulatorMissing(w) {
		return
	}
	c.mu.Lock()
	s := c.current
	c.mu.Unlock()
	writeChaosJSON(w, s)
}

func (c *chaosControl) putPayment(w http.ResponseWriter, r *http.Request) {
	if c.simulatorMissing(w) {
		return
	}
	var in struct {
		Latency     string  `json:"latency"`
		FailureRate float64 `json:"failure_rate"`
		DeclineRate float64 `json:"decline_rate"`
	}
	if err := jsonbody.Decode(w, r, &in, 4<<10); err != nil {
		var je *jsonbody.Error
		if !errors.As(err, &je) {
			je = &jsonbody.Error{Status: http.StatusBadRequest, Detail: "the body is not valid JSON"}
		}
		p := problem.New(je.Status, je.Detail)
		if je.Field != "" {
			p.Errors = []problem.Field{{Name: je.Field, Reason: je.Detail}}
		}
		problem.Write(w, p)
		return
	}
	s := chaos.PaymentSettings{FailureRate: in.FailureRate, DeclineRate: in.DeclineRate}
	var fields []problem.Field
	if in.Latency != "" {
		d, err := time.ParseDuration(in.Latency)
		if err != nil {
			fields = append(fields, problem.Field{Name: "latency", Reason: fmt.Sprintf("want a duration like \"2s\", got %q", in.Latency)})
		}
		s.Latency = chaos.Duration(d)
	}
	if s.Latency < 0 {
		fields = append(fields, problem.Field{Name: "latency", Reason: "must not be negative"})
	}
	if s.FailureRate < 0 || s.FailureRate > 1 {
		fields = append(fields, problem.Field{Name: "failure_rate", Reason: "must be between 0 and 1"})
	}
	if s.DeclineRate < 0 || s.DeclineRate > 1 {
		fields = append(fields, problem.Field{Name: "decline_rate", Reason: "must be between 0 and 1"})
	}
	if len(fields) > 0 {
		p := problem.New(http.StatusUnprocessableEntity, "the payment settings are invalid; nothing was changed")
		p.Errors = fields
		problem.Write(w, p)
		return
	}
	c.set(s)
	c.logger.Warn("chaos: payment simulator knobs set", "latency", s.Latency.D().String(), "failure_rate", s.FailureRate, "decline_rate", s.DeclineRate)
	writeChaosJSON(w, s)
}

func (c *chaosControl) deletePayment(w http.ResponseWriter, r *http.Request) {
	if c.simulatorMissing(w) {
		return
	}
	c.set(c.start)
	c.logger.Info("chaos: payment simulator knobs restored")
	writeChaosJSON(w, c.start)
}

// set turns all three knobs; a no-op without the simulator.
func (c *chaosControl) set(s chaos.PaymentSettings) {
	if c.sim == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sim.SetLatency(s.Latency.D())
	c.sim.SetFailureRate(s.FailureRate)
	c.sim.SetDeclineRate(s.DeclineRate)
	c.current = s
}

func writeChaosJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(v)
}

// ChaosAddr is the chaos-control listener's bound address, "" when off.
func (a *App) ChaosAddr() string {
	if a.chaos == nil {
		return ""
	}
	return a.chaos.Addr()
}
