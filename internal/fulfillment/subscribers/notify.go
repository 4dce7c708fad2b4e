package subscribers

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"text/template"

	"github.com/peakshop/peakshop/internal/domain/event"
	"github.com/peakshop/peakshop/internal/domain/order"
	"github.com/peakshop/peakshop/internal/messaging/mailer"
)

//go:embed templates/*.tmpl
var templateFiles embed.FS

// notifiedTypes are the events a shopper hears about.
func notifiedTypes() []event.Type {
	return []event.Type{event.OrderPaid, event.OrderShipped, event.OrderCancelled}
}

// notifier renders and sends order e-mails. Each type has its own template
// file defining "subject" and "body", parsed once at start so a broken
// template stops the worker instead of dead-lettering every order.
type notifier struct {
	d    Deps
	tmpl map[event.Type]*template.Template
}

// mailData is what a template sees.
type mailData struct {
	Order     order.Order
	Total     string
	Reason    string
	Tracking  string
	Warehouse string
}

func newNotifier(d Deps) (*notifier, error) {
	n := &notifier{d: d, tmpl: map[event.Type]*template.Template{}}
	for _, t := range notifiedTypes() {
		tm, err := template.New("").Option("missingkey=error").ParseFS(templateFiles, "templates/"+string(t)+".tmpl")
		if err != nil {
			return nil, fmt.Errorf("subscribers: template %s: %w", t, err)
		}
		n.tmpl[t] = tm
	}
	return n, nil
}

// handle sends the e-mail for one event, once. The address is read from the
// order, not the event, so events need carry no personal data. The record is
// written after the send: a crash between the two sends the same message id
// again, which the folder mailer stores once and mail clients fold.
func (n *notifier) handle(ctx context.Context, e event.Event) error {
	done, err := n.d.Ledger.Processed(ctx, Notifications, e.ID)
	if err != nil || done {
		return err
	}
	m, err := n.render(ctx, e)
	if err != nil {
		return err
	}
	if m.To == "" {
		n.d.Logger.WarnContext(ctx, "order has no e-mail address; nothing sent", "order_id", e.Key, "event_id", e.ID)
	} else if err := n.d.Mailer.Send(ctx, m); err != nil {
		return fmt.Errorf("notify %s: %w", e.ID, err)
	}
	_, err = n.d.Ledger.MarkProcessed(ctx, Notifications, e.ID, n.d.Now())
	return err
}

func (n *notifier) render(ctx context.Context, e event.Event) (mailer.Message, error) {
	var od event.OrderData
	if err := e.Decode(&od); err != nil {
		return mailer.Message{}, err
	}
	o, err := n.d.Orders.Order(ctx, e.Key)
	if err != nil {
		return mailer.Message{}, fmt.Errorf("notify %s: read order: %w", e.ID, err)
	}
	tm := n.tmpl[e.Type]
	if tm == nil {
		return mailer.Message{}, errors.New("notify: no template for " + string(e.Type))
	}
	data := mailData{Order: o, Total: o.Total.String(), Reason: od.Reason, Tracking: od.Tracking, Warehouse: od.Warehouse}
	if data.Reason == "" {
		data.Reason = o.Reason
	}
	var subject, body bytes.Buffer
	if err := tm.ExecuteTemplate(&subject, "subject", data); err != nil {
		return mailer.Message{}, fmt.Errorf("notify %s: %w", e.ID, err)
	}
	if err := tm.ExecuteTemplate(&body, "body", data); err != nil {
		return mailer.Message{}, fmt.Errorf("notify %s: %w", e.ID, err)
	}
	return mailer.Message{ID: e.ID, From: n.d.From, To: o.Email, Subject: subject.String(), Body: body.String(), Date: e.OccurredAt}, nil
}
