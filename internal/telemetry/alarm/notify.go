package alarm

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/peakshop/peakshop/internal/messaging/mailer"
)

// Notifier tells people about a change of state.
type Notifier interface {
	Notify(ctx context.Context, r Rule, t Transition) error
}

// Notifiers sends a rule's transitions to its webhooks and e-mail
// addresses, or to the defaults when the rule names none.
type Notifiers struct {
	// Client posts webhooks; nil means a client with a 10 s timeout.
	Client *http.Client
	// SMTP sends e-mail from From; nil leaves e-mail out (with a logged
	// error when a rule asks for it).
	SMTP            *mailer.SMTP
	From            string
	DefaultWebhooks []string
	DefaultEmails   []string
	// Location is the shop's time zone: e-mails give the time of a change
	// in it beside UTC, so whoever reads them at night need not convert.
	// Webhooks carry UTC only (machines read them). Nil means UTC.
	Location *time.Location
}

// Notify delivers t to every destination, trying each webhook up to three
// times; it returns the errors of the destinations that still failed.
func (n *Notifiers) Notify(ctx context.Context, r Rule, t Transition) error {
	hooks, mails := r.Webhooks, r.Emails
	if len(hooks) == 0 {
		hooks = n.DefaultWebhooks
	}
	if len(mails) == 0 {
		mails = n.DefaultEmails
	}
	var errs []error
	for _, u := range hooks {
		if err := n.post(ctx, u, t); err != nil {
			errs = append(errs, err)
		}
	}
	if len(mails) > 0 {
		if n.SMTP == nil {
			errs = append(errs, errors.New("e-mail asked for but no SMTP server configured"))
		} else {
			errs = append(errs, n.mail(ctx, mails, r, t))
		}
	}
	return errors.Join(errs...)
}

// mail sends t to each address as its own message. The Message-ID is the
// same for a retried notification, so mail clients fold repeats.
func (n *Notifiers) mail(ctx context.Context, to []string, r Rule, t Transition) error {
	var errs []error
	for _, rcpt := range to {
		m := mailer.Message{ID: fmt.Sprintf("alarm-%s-%d-%s", t.Alarm, t.At.UnixNano(), rcpt),
			From: n.From, To: rcpt, Subject: subject(t), Body: body(r, t, n.Location), Date: t.At}
		errs = append(errs, n.SMTP.Send(ctx, m))
	}
	return errors.Join(errs...)
}

// post sends t as JSON. Webhook receivers (chat, paging) are often briefly
// unavailable, so it retries twice with a short backoff; bounded, so a dead
// receiver cannot hold back the notifications after it for long.
func (n *Notifiers) post(ctx context.Context, url string, t Transition) error {
	client := n.Client
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	b, err := json.Marshal(t)
	if err != nil {
		return err
	}
	var last error
	for attempt := 0; attempt < 3; attempt++ {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(time.Duration(attempt) * 500 * time.Millisecond):
			}
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(b))
		if err != nil {
			return fmt.Errorf("webhook: %w", err)
		}
		req.Header.Set("Content-Type", "application/json")
		res, err := client.Do(req)
		if err != nil {
			last = err
			continue
		}
		_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
		res.Body.Close()
		if res.StatusCode < 300 {
			return nil
		}
		last = fmt.Errorf("status %d", res.StatusCode)
		if res.StatusCode < 500 && res.StatusCode != http.StatusTooManyRequests {
			break // the receiver refuses this request; retrying will not help
		}
	}
	return fmt.Errorf("webhook %s: %w", redactURL(url), last)
}

func subject(t Transition) string {
	return fmt.Sprintf("[peakshop %s] %s is %s", t.Severity, t.Alarm, t.To)
}

func body(r Rule, t Transition, loc *time.Location) string {
	v := "no data"
	if t.Value != nil {
		v = fmt.Sprintf("%g", *t.Value)
	}
	return fmt.Sprintf("%s changed from %s to %s at %s.\n\n%s\nReason: %s\nLatest value: %s (threshold %s %g)\n",
		t.Alarm, t.From, t.To, when(t.At, loc), r.Description, t.Reason, v, r.Comparison, r.Threshold)
}

// when is at in UTC and, for a shop in another zone, in the shop's time:
// "2026-11-27T23:00:00Z (2026-11-28 00:00:00 CET, Europe/Berlin)".
func when(at time.Time, loc *time.Location) string {
	s := at.UTC().Format(time.RFC3339)
	if loc == nil || loc == time.UTC || loc.String() == "UTC" {
		return s
	}
	return fmt.Sprintf("%s (%s, %s)", s, at.In(loc).Format("2006-01-02 15:04:05 MST"), loc)
}

// redactURL keeps a webhook's host and hides its path: chat webhooks carry
// their secret in the path.
func redactURL(u string) string {
	for i, slashes := 0, 0; i < len(u); i++ {
		if u[i] == '/' {
			if slashes++; slashes == 3 {
				return u[:i] + "/…"
			}
		}
	}
	return u
}
