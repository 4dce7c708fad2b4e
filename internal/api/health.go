package api

import (
	"context"
	"net/http"
	"time"
)

// healthz says the process is alive; it touches nothing, so a slow database
// does not get healthy instances killed.
func (s *Server) healthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	writeBytes(w, http.StatusOK, []byte("{\"status\":\"ok\"}\n"))
}

// readyz says whether this instance should get traffic: its database answers.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Cache-Control", "no-store")
	if err := s.Ready(ctx); err != nil {
		s.Logger.WarnContext(ctx, "not ready", "err", err)
		writeBytes(w, http.StatusServiceUnavailable, []byte("{\"status\":\"unavailable\"}\n"))
		return
	}
	writeBytes(w, http.StatusOK, []byte("{\"status\":\"ready\"}\n"))
}
