// Package httpstatus owns the one ResponseWriter wrapper that remembers the
// status a handler answered with, for the middlewares that count or trace
// requests (the API's metrics, the telemetry spans).
package httpstatus

import "net/http"

// Recorder wraps a ResponseWriter and remembers the first status written.
// Unwrap lets http.ResponseController reach the connection's Flush and
// deadlines; Flush keeps streamed responses (server-sent events) flowing.
type Recorder struct {
	http.ResponseWriter
	status int
}

// WriteHeader records the status and passes it on.
func (r *Recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

// Write records an implicit 200 and passes the bytes on.
func (r *Recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// Flush flushes the wrapped writer when it can.
func (r *Recorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap returns the wrapped writer.
func (r *Recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// Status is the status answered: 200 when the handler wrote nothing.
func (r *Recorder) Status() int {
	if r.status == 0 {
		return http.StatusOK
	}
	return r.status
}
