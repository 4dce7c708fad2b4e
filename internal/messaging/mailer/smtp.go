package mailer

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/smtp"
	"time"
)

// SMTP sends through a relay at Addr (host:port) with net/smtp: STARTTLS
// when the server offers it, and PLAIN authentication when Username is set
// (net/smtp sends credentials only over TLS or to localhost).
type SMTP struct {
	Addr     string
	Username string
	Password string
	// Timeout bounds one delivery (default 10s).
	Timeout time.Duration
}

// Send delivers the message.
func (s SMTP) Send(ctx context.Context, m Message) error {
	if err := validHeader(m.From, m.To, m.Subject); err != nil {
		return err
	}
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", s.Addr)
	if err != nil {
		return fmt.Errorf("mailer: dial %s: %w", s.Addr, err)
	}
	// net/smtp has no context: the deadline on the connection is the bound.
	deadline, _ := ctx.Deadline()
	if err := conn.SetDeadline(deadline); err != nil {
		conn.Close()
		return fmt.Errorf("mailer: %w", err)
	}
	host, _, _ := net.SplitHostPort(s.Addr)
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("mailer: smtp hello: %w", err)
	}
	defer c.Close()
	if err := s.deliver(c, host, m); err != nil {
		return fmt.Errorf("mailer: send %s: %w", m.ID, err)
	}
	return nil
}

func (s SMTP) deliver(c *smtp.Client, host string, m Message) error {
	if ok, _ := c.Extension("STARTTLS"); ok {
		if err := c.StartTLS(&tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}); err != nil {
			return err
		}
	}
	if s.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", s.Username, s.Password, host)); err != nil {
			return fmt.Errorf("auth: %w", err)
		}
	}
	if err := c.Mail(m.From); err != nil {
		return err
	}
	if err := c.Rcpt(m.To); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(m.Bytes("peakshop.local")); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}
