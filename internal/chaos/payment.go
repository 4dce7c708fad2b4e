package chaos

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// PaymentPath is the chaos-control endpoint for the payment simulator's
// knobs: PUT sets them (PaymentSettings), DELETE restores the values the
// process started with, GET reads them.
const PaymentPath = "/chaos/payment"

// PaymentSettings are the payment simulator's knobs as the chaos-control
// listener takes them. A PUT sets all three; an absent one is zero.
type PaymentSettings struct {
	Latency     Duration `json:"latency"`
	FailureRate float64  `json:"failure_rate"`
	DeclineRate float64  `json:"decline_rate"`
}

// Validate names every field that is out of range.
func (s PaymentSettings) Validate() error {
	var errs []error
	if s.Latency < 0 {
		errs = append(errs, errors.New("latency: must not be negative"))
	}
	if s.FailureRate < 0 || s.FailureRate > 1 {
		errs = append(errs, fmt.Errorf("failure_rate: %v is outside 0..1", s.FailureRate))
	}
	if s.DeclineRate < 0 || s.DeclineRate > 1 {
		errs = append(errs, fmt.Errorf("decline_rate: %v is outside 0..1", s.DeclineRate))
	}
	return errors.Join(errs...)
}

func (s PaymentSettings) String() string {
	return fmt.Sprintf("latency %s, %.0f%% failures, %.0f%% declines", s.Latency.D(), s.FailureRate*100, s.DeclineRate*100)
}

// setPayment sets s on every control listener, trying all of them even when
// one fails.
func (t Targets) setPayment(ctx context.Context, s PaymentSettings) error {
	body, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return t.eachControl(ctx, http.MethodPut, body)
}

// resetPayment restores the start values on every control listener.
func (t Targets) resetPayment(ctx context.Context) error {
	return t.eachControl(ctx, http.MethodDelete, nil)
}

func (t Targets) eachControl(ctx context.Context, method string, body []byte) error {
	var errs []error
	for _, base := range t.Controls {
		if err := t.control(ctx, method, base, body); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (t Targets) control(ctx context.Context, method, base string, body []byte) error {
	url := strings.TrimSuffix(base, "/") + PaymentPath
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, url, err)
	}
	req.Header.Set("Authorization", "Bearer "+t.AdminToken)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	client := t.HTTPClient
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, url, err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	if resp.StatusCode/100 != 2 {
		var p struct {
			Detail string `json:"detail"`
		}
		if json.Unmarshal(msg, &p) == nil && p.Detail != "" {
			msg = []byte(p.Detail)
		}
		return fmt.Errorf("%s %s: %d %s", method, url, resp.StatusCode, bytes.TrimSpace(msg))
	}
	return nil
}
