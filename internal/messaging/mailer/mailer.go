// Package mailer delivers the shop's e-mails: written as .eml files to a
// folder (the developer default, under <data>/mail) or sent over SMTP with
// net/smtp. A message carries its own Message-ID, derived by the caller from
// the event it answers, so a message delivered twice is recognisably the
// same one: the folder keeps one file per id, and mail clients fold SMTP
// duplicates by Message-ID.
package mailer

import (
	"bytes"
	"fmt"
	"mime"
	"strings"
	"time"
)

// Message is one e-mail in plain text.
type Message struct {
	// ID is unique per message and stable across retries (e.g. an event id);
	// it names the file and becomes the Message-ID header.
	ID      string
	From    string
	To      string
	Subject string
	Body    string
	Date    time.Time
}

// Bytes renders the message in RFC 5322 form with CRLF line ends.
func (m Message) Bytes(domain string) []byte {
	var b bytes.Buffer
	h := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	h("Message-ID", "<"+safeName(m.ID)+"@"+domain+">")
	h("Date", m.Date.UTC().Format(time.RFC1123Z))
	h("From", m.From)
	h("To", m.To)
	h("Subject", mime.QEncoding.Encode("utf-8", m.Subject))
	h("MIME-Version", "1.0")
	h("Content-Type", "text/plain; charset=utf-8")
	h("Content-Transfer-Encoding", "8bit")
	b.WriteString("\r\n")
	b.WriteString(strings.ReplaceAll(strings.ReplaceAll(m.Body, "\r\n", "\n"), "\n", "\r\n"))
	return b.Bytes()
}

// safeName keeps letters, digits, '.', '-' and '_' and turns the rest into
// '_', so an id is a valid file name and Message-ID local part.
func safeName(id string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
			return r
		}
		return '_'
	}, id)
}

// validHeader refuses header values that could smuggle extra headers.
func validHeader(vs ...string) error {
	for _, v := range vs {
		if strings.ContainsAny(v, "\r\n") {
			return fmt.Errorf("mailer: header value contains a line break")
		}
	}
	return nil
}
