// Package cork owns one system call per small HTTP/1.1 response: a
// connection wrapper that, when a handler asks it to, holds the response's
// writes and sends them together once net/http has finished the response.
//
// Why: net/http's server writes through a 4 KB connection buffer, so a
// response whose headers and body pass 4 KB (a 5.6 KB product page from
// the cache) costs two write system calls, and on loopback or a LAN each
// write is a trip through the TCP stack and a wake-up of the reader.
// nginx sends such a response with one writev. The edge's cache hits are
// complete in memory before the first byte is written, so holding them is
// safe; streamed responses (the proxy on a miss) are never held, since
// their flushes must reach the client at once.
//
// The signal that a response is done is net/http's own: after finishing
// each HTTP/1.x response it clears the write deadline, and the wrapper
// sends what it holds at that call, still under the request's deadline.
// Close sends it too. HTTP/2 (h2c) requests are never held.
package cork

import (
	"context"
	"io"
	"net"
	"net/http"
	"sync"
	"time"
)

// MaxHold is the largest response held back. Past it the saved system call
// is small next to the copy (a bigger body goes out in one direct write
// after the first 4 KB anyway).
const MaxHold = 64 << 10

// Listener wraps accepted connections so handlers can hold their writes.
// Serve it with an http.Server whose ConnContext is ConnContext.
type Listener struct{ net.Listener }

// Accept implements net.Listener.
func (l Listener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &Conn{Conn: c}, nil
}

// Conn is an accepted connection whose writes can be held for one response.
type Conn struct {
	net.Conn

	// mu guards the fields below: the serving goroutine writes, but
	// Server.Shutdown or a timeout may Close from another goroutine.
	mu     sync.Mutex
	corked bool
	held   *[]byte
	err    error // a failed held write, reported by the next Write
}

var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 8<<10); return &b }}

type connKey struct{}

// ConnContext is an http.Server.ConnContext that lets Hold find the
// connection from a request.
func ConnContext(ctx context.Context, c net.Conn) context.Context {
	if cc, ok := c.(*Conn); ok {
		return context.WithValue(ctx, connKey{}, cc)
	}
	return ctx
}

// Hold asks r's connection to keep the response's writes until net/http
// has finished it, then send them in one system call. Call it only before
// writing a complete response of n body bytes that needs no flush on the
// way (a stored object). It does nothing for HTTP/2, for bodies over
// MaxHold, or on servers not set up with Listener and ConnContext.
func Hold(r *http.Request, n int) {
	if r.ProtoMajor != 1 || n > MaxHold {
		return
	}
	if c, ok := r.Context().Value(connKey{}).(*Conn); ok {
		c.mu.Lock()
		c.corked = true
		c.mu.Unlock()
	}
}

// Write implements net.Conn: while corked it appends to the held bytes
// (net/http reuses p), otherwise it writes through.
func (c *Conn) Write(p []byte) (int, error) {
	c.mu.Lock()
	if err := c.err; err != nil {
		c.mu.Unlock()
		return 0, err
	}
	if !c.corked {
		c.mu.Unlock()
		return c.Conn.Write(p)
	}
	if c.held == nil {
		c.held = bufPool.Get().(*[]byte)
	}
	if len(*c.held)+len(p) <= maxHeld {
		*c.held = append(*c.held, p...)
		c.mu.Unlock()
		return len(p), nil
	}
	c.mu.Unlock()
	// Bigger than promised (huge headers): send it all now, in order.
	if err := c.flush(); err != nil {
		return 0, err
	}
	return c.Conn.Write(p)
}

// maxHeld bounds the held bytes: the largest held body plus its headers.
const maxHeld = MaxHold + 16<<10

// flush sends the held bytes in one write and uncorks. The lock is not
// held across the write, so a Close from another goroutine (server
// shutdown) never waits on a slow client.
func (c *Conn) flush() error {
	c.mu.Lock()
	b := c.held
	c.held, c.corked = nil, false
	c.mu.Unlock()
	if b == nil {
		return nil
	}
	var err error
	if len(*b) > 0 {
		_, err = c.Conn.Write(*b)
	}
	*b = (*b)[:0]
	if cap(*b) <= maxHeld {
		bufPool.Put(b)
	}
	if err != nil {
		c.mu.Lock()
		if c.err == nil {
			c.err = err
		}
		c.mu.Unlock()
	}
	return err
}

// SetWriteDeadline sends the held response first: net/http calls it when
// a response is finished (and before the next one), and the bytes must
// leave under the deadline that was set for them.
func (c *Conn) SetWriteDeadline(t time.Time) error {
	if err := c.flush(); err != nil {
		return err
	}
	return c.Conn.SetWriteDeadline(t)
}

// SetDeadline sends the held response first, as SetWriteDeadline does.
func (c *Conn) SetDeadline(t time.Time) error {
	if err := c.flush(); err != nil {
		return err
	}
	return c.Conn.SetDeadline(t)
}

// Close sends the held response, then closes.
func (c *Conn) Close() error {
	c.flush()
	return c.Conn.Close()
}

// CloseWrite sends the held response, then shuts the write side, as
// net/http does before closing a connection whose request it refused.
func (c *Conn) CloseWrite() error {
	if err := c.flush(); err != nil {
		return err
	}
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// ReadFrom keeps the TCP connection's ReadFrom (splice, sendfile) for
// responses copied from a reader; they are never held.
func (c *Conn) ReadFrom(r io.Reader) (int64, error) {
	if err := c.flush(); err != nil {
		return 0, err
	}
	return io.Copy(c.Conn, r)
}
