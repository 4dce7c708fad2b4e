package chaos

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	toxiproxy "github.com/Shopify/toxiproxy/v2"
	"github.com/Shopify/toxiproxy/v2/toxics"
	"github.com/rs/zerolog"
)

// Link is a TCP fault proxy between a client and a server: the client
// connects to Addr instead of the server. It is a toxiproxy proxy used as a
// library, without toxiproxy's HTTP API, so nothing but this process can
// turn its faults on.
type Link struct {
	name   string
	proxy  *toxiproxy.Proxy
	mu     sync.Mutex // serialises fault changes, so Restore and a fault cannot interleave
	closed bool
	cuts   int // cut faults in force; the link is re-enabled when the last is undone
	seq    int // numbers toxics, so two faults of one kind can overlap
}

// NewLink starts a proxy listening on listen ("127.0.0.1:0" picks a port)
// that forwards every connection to upstream.
func NewLink(name, listen, upstream string) (*Link, error) {
	if name == "" || listen == "" || upstream == "" {
		return nil, fmt.Errorf("chaos: link needs a name, a listen address and an upstream")
	}
	// The ApiServer is only the container toxiproxy's proxies report
	// metrics and logs to; its HTTP API is never started.
	srv := toxiproxy.NewServer(toxiproxy.NewMetricsContainer(nil), zerolog.Nop())
	p := toxiproxy.NewProxy(srv, name, listen, upstream)
	if err := p.Start(); err != nil {
		return nil, fmt.Errorf("chaos: link %s: listen on %s: %w", name, listen, err)
	}
	return &Link{name: name, proxy: p}, nil
}

// Name is the link's name in experiments ("app-nats").
func (l *Link) Name() string { return l.name }

// Addr is the address clients should connect to.
func (l *Link) Addr() string {
	l.proxy.Lock()
	defer l.proxy.Unlock()
	return l.proxy.Listen
}

// Upstream is the address the link forwards to.
func (l *Link) Upstream() string {
	l.proxy.Lock()
	defer l.proxy.Unlock()
	return l.proxy.Upstream
}

// Enabled reports whether the link accepts and forwards connections (false
// while cut).
func (l *Link) Enabled() bool {
	l.proxy.Lock()
	defer l.proxy.Unlock()
	return l.proxy.Enabled
}

// Toxics lists the names of the faults active on the link.
func (l *Link) Toxics() []string {
	var names []string
	for _, t := range l.proxy.Toxics.GetToxicArray() {
		if w, ok := t.(*toxics.ToxicWrapper); ok {
			names = append(names, w.Name)
		}
	}
	return names
}

// AddLatency delays data in both directions by latency ± jitter. It
// returns the fault's id for Remove.
func (l *Link) AddLatency(latency, jitter time.Duration) (string, error) {
	attrs := fmt.Sprintf(`{"latency":%d,"jitter":%d}`, latency.Milliseconds(), jitter.Milliseconds())
	return l.addBoth("latency", "latency", 1, attrs)
}

// AddResets resets a share rate (0..1) of connections: toxiproxy deals each
// connection once, when the fault starts or when it opens, and a dealt one
// is closed at once. It returns the fault's id for Remove.
func (l *Link) AddResets(rate float64) (string, error) {
	return l.addBoth("errors", "reset_peer", rate, `{"timeout":0}`)
}

// AddBlackhole drops all data in both directions while connections stay
// open, as a silently broken route would. It returns the fault's id for
// Remove; removing it closes the connections it held, as toxiproxy does.
func (l *Link) AddBlackhole() (string, error) {
	return l.addBoth("blackhole", "timeout", 1, `{"timeout":0}`)
}

// Cut stops the proxy: existing connections are closed and new ones
// refused. Uncut re-enables it once every Cut has been undone.
func (l *Link) Cut() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return fmt.Errorf("chaos: link %s is closed", l.name)
	}
	l.cuts++
	l.proxy.Stop()
	return nil
}

// Uncut undoes one Cut; the link listens again on the same address when no
// cut is left.
func (l *Link) Uncut() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil
	}
	if l.cuts > 0 {
		l.cuts--
	}
	if l.cuts > 0 {
		return nil
	}
	return l.enableLocked()
}

func (l *Link) enableLocked() error {
	if l.Enabled() {
		return nil
	}
	if err := l.proxy.Start(); err != nil {
		return fmt.Errorf("chaos: link %s: re-enable on %s: %w", l.name, l.Addr(), err)
	}
	return nil
}

// Restore removes every fault and re-enables a cut link on its address.
func (l *Link) Restore() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil
	}
	l.proxy.Toxics.ResetToxics(context.Background())
	l.cuts = 0
	return l.enableLocked()
}

// Remove takes off the fault id returned by AddLatency, AddResets or
// AddBlackhole. Removing one that is gone already is not an error.
func (l *Link) Remove(name string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil
	}
	var errs []string
	for _, dir := range []string{"upstream", "downstream"} {
		if err := l.proxy.Toxics.RemoveToxic(context.Background(), name+"_"+dir); err != nil && err != toxiproxy.ErrToxicNotFound {
			errs = append(errs, err.Error())
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("chaos: link %s: remove %s: %s", l.name, name, strings.Join(errs, "; "))
	}
	return nil
}

func (l *Link) addBoth(kind, typ string, toxicity float64, attrs string) (string, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return "", fmt.Errorf("chaos: link %s is closed", l.name)
	}
	l.seq++
	name := fmt.Sprintf("%s-%d", kind, l.seq)
	for _, dir := range []string{"upstream", "downstream"} {
		body := fmt.Sprintf(`{"name":%q,"type":%q,"stream":%q,"toxicity":%g,"attributes":%s}`, name+"_"+dir, typ, dir, toxicity, attrs)
		if _, err := l.proxy.Toxics.AddToxicJson(strings.NewReader(body)); err != nil {
			// Half a fault is worse than none: take back the direction added.
			for _, d := range []string{"upstream", "downstream"} {
				_ = l.proxy.Toxics.RemoveToxic(context.Background(), name+"_"+d)
			}
			return "", fmt.Errorf("chaos: link %s: add %s: %w", l.name, kind, err)
		}
	}
	return name, nil
}

// Close stops the proxy for good and closes its connections.
func (l *Link) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil
	}
	l.closed = true
	l.proxy.Toxics.ResetToxics(context.Background())
	l.proxy.Stop()
	return nil
}
