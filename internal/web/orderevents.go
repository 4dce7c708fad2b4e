package web

import (
	"bufio"
	"bytes"
	"net/http"
	"time"
)

// orderEvents serves /orders/{id}/events, a server-sent events stream of
// the order's status block. It rereads the order through order.Service every
// StatusPoll and sends the block when it changed. A stream lasts at most
// StatusStreamMax; the browser's EventSource then reconnects by itself, so
// streams never pile up across a deploy.
func (s *Server) orderEvents(w http.ResponseWriter, r *http.Request) {
	o, _, ok := s.readableOrder(w, r)
	if !ok {
		return
	}
	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // proxies must pass events at once
	w.WriteHeader(http.StatusOK)

	ctx := r.Context()
	deadline := time.NewTimer(s.StatusStreamMax)
	defer deadline.Stop()
	tick := time.NewTicker(s.StatusPoll)
	defer tick.Stop()
	var last []byte
	for {
		frag, err := s.renderFragment("order", "status", o)
		if err != nil {
			s.Logger.ErrorContext(ctx, "render order status event", "order_id", o.ID, "err", err)
			return
		}
		if !bytes.Equal(frag, last) {
			_ = rc.SetWriteDeadline(time.Now().Add(10 * time.Second))
			if err := writeEvent(w, "status", frag); err != nil {
				return
			}
			if err := rc.Flush(); err != nil {
				return
			}
			last = frag
		}
		select {
		case <-ctx.Done():
			return
		case <-deadline.C:
			return
		case <-tick.C:
		}
		next, err := s.Orders.Order(ctx, o.ID)
		if err != nil {
			if ctx.Err() == nil {
				s.Logger.WarnContext(ctx, "order status stream: read order", "order_id", o.ID, "err", err)
			}
			return
		}
		o = next
	}
}

// writeEvent writes one event; every line of data gets its own "data:"
// field, as the format requires.
func writeEvent(w http.ResponseWriter, event string, data []byte) error {
	bw := bufio.NewWriter(w)
	bw.WriteString("retry: 3000\nevent: " + event + "\n")
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), len(data)+1)
	for sc.Scan() {
		bw.WriteString("data: ")
		bw.Write(sc.Bytes())
		bw.WriteByte('\n')
	}
	bw.WriteByte('\n')
	return bw.Flush()
}
