package mailer_test

import (
	"bufio"
	"context"
	"encoding/base64"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/peakshop/peakshop/internal/messaging/mailer"
)

func message() mailer.Message {
	return mailer.Message{ID: "ord1:order.paid", From: "shop@example.com", To: "ada@example.com",
		Subject: "Your order ord1 is confirmed", Body: "Hello Ada,\nthanks.\n", Date: time.Unix(1700000000, 0)}
}

// fakeSMTP accepts one session on loopback and returns what DATA carried,
// after the AUTH command's line when the client authenticated.
func fakeSMTP(t *testing.T) (addr string, got <-chan string) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	ch := make(chan string, 1)
	go func() {
		c, err := l.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		r, w := bufio.NewReader(c), bufio.NewWriter(c)
		say := func(s string) { w.WriteString(s + "\r\n"); w.Flush() }
		say("220 fake ESMTP")
		var data strings.Builder
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			switch cmd := strings.ToUpper(strings.TrimSpace(line)); {
			case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
				say("250-fake")
				say("250 AUTH PLAIN")
			case strings.HasPrefix(cmd, "AUTH"):
				data.WriteString(strings.TrimSpace(line) + "\n")
				say("235 accepted")
			case strings.HasPrefix(cmd, "DATA"):
				say("354 go on")
				for {
					l, err := r.ReadString('\n')
					if err != nil || l == ".\r\n" {
						break
					}
					data.WriteString(l)
				}
				ch <- data.String()
				say("250 queued")
			case strings.HasPrefix(cmd, "QUIT"):
				say("221 bye")
				return
			default:
				say("250 ok")
			}
		}
	}()
	return l.Addr().String(), ch
}

func TestSMTPSendsTheMessage(t *testing.T) {
	addr, got := fakeSMTP(t)
	if err := (mailer.SMTP{Addr: addr, Timeout: 10 * time.Second}).Send(context.Background(), message()); err != nil {
		t.Fatal(err)
	}
	data := <-got
	for _, want := range []string{"Message-ID: <ord1_order.paid@", "To: ada@example.com", "Subject: Your order ord1 is confirmed", "\r\n\r\nHello Ada,\r\nthanks.\r\n"} {
		if !strings.Contains(data, want) {
			t.Errorf("message lacks %q:\n%s", want, data)
		}
	}
}

// Credentials go to a relay on loopback (net/smtp would refuse them in
// the clear anywhere else).
func TestSMTPAuthenticatesWhenGivenAUser(t *testing.T) {
	addr, got := fakeSMTP(t)
	if err := (mailer.SMTP{Addr: addr, Username: "alarms", Password: "s3cret"}).Send(context.Background(), message()); err != nil {
		t.Fatal(err)
	}
	want := "AUTH PLAIN " + base64.StdEncoding.EncodeToString([]byte("\x00alarms\x00s3cret"))
	if data := <-got; !strings.HasPrefix(data, want+"\n") {
		t.Fatalf("session began %q, want %q", data[:min(len(data), 60)], want)
	}
}

func TestDirKeepsOneFilePerMessage(t *testing.T) {
	dir := t.TempDir()
	for range 2 {
		if err := (mailer.Dir{Path: dir}).Send(context.Background(), message()); err != nil {
			t.Fatal(err)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 || entries[0].Name() != "ord1_order.paid.eml" {
		t.Fatalf("folder holds %v", entries)
	}
	b, _ := os.ReadFile(filepath.Join(dir, entries[0].Name()))
	if !strings.Contains(string(b), "From: shop@example.com\r\n") {
		t.Errorf("file:\n%s", b)
	}
}

func TestHeaderInjectionIsRefused(t *testing.T) {
	m := message()
	m.To = "ada@example.com\r\nBcc: everyone@example.com"
	if err := (mailer.Dir{Path: t.TempDir()}).Send(context.Background(), m); err == nil {
		t.Fatal("a To with a line break was accepted")
	}
}
