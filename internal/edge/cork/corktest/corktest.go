// Package corktest counts write system calls on a listener's connections,
// for the tests that prove a cache hit leaves in one write (package cork's
// own, and serve's).
package corktest

import (
	"net"
	"sync/atomic"
)

// WriteCounter counts the writes made on the connections it accepts. Wrap
// it inside cork.Listener, so it sees what reaches the socket.
type WriteCounter struct {
	net.Listener
	writes atomic.Int64
}

// Writes returns how many writes were made so far.
func (l *WriteCounter) Writes() int64 { return l.writes.Load() }

// Accept counts the accepted connection's writes.
func (l *WriteCounter) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return countedConn{Conn: c, l: l}, nil
}

type countedConn struct {
	net.Conn
	l *WriteCounter
}

func (c countedConn) Write(p []byte) (int, error) {
	c.l.writes.Add(1)
	return c.Conn.Write(p)
}
