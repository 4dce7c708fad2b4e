package proxy

import (
	"encoding/json"
	"errors"
	"net/http"
	"time"
)

// AdminHandler serves the load balancer's admin API, meant to be mounted on
// a loopback-only listener (the autoscaler calls it):
//
//	GET  /pools                          pools, targets and their live state
//	POST /pools/{pool}/targets           {"url": "http://127.0.0.1:9003"}
//	POST /pools/{pool}/targets/drain     {"url": "...", "deadline": "30s"}
//	GET  /routes                         the routing table
//	PUT  /routes                         replace the routing table (canary shifts)
func (p *Proxy) AdminHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /pools", func(w http.ResponseWriter, r *http.Request) {
		out := []PoolStatus{}
		for _, pool := range p.order {
			out = append(out, pool.Status())
		}
		writeJSON(w, http.StatusOK, out)
	})
	mux.HandleFunc("POST /pools/{pool}/targets", func(w http.ResponseWriter, r *http.Request) {
		pool, ok := p.pools[r.PathValue("pool")]
		if !ok {
			writeError(w, http.StatusNotFound, "unknown pool")
			return
		}
		var body struct {
			URL string `json:"url"`
		}
		if !decode(w, r, &body) {
			return
		}
		if err := pool.Add(body.URL); err != nil {
			writeError(w, http.StatusBadRequest, err.Error())
			return
		}
		writeJSON(w, http.StatusCreated, pool.Status())
	})
	mux.HandleFunc("POST /pools/{pool}/targets/drain", func(w http.ResponseWriter, r *http.Request) {
		pool, ok := p.pools[r.PathValue("pool")]
		if !ok {
			writeError(w, http.StatusNotFound, "unknown pool")
			return
		}
		var body struct {
			URL      string `json:"url"`
			Deadline string `json:"deadline"`
		}
		if !decode(w, r, &body) {
			return
		}
		deadline := 30 * time.Second
		if body.Deadline != "" {
			d, err := time.ParseDuration(body.Deadline)
			if err != nil || d < 0 {
				writeError(w, http.StatusBadRequest, "bad deadline")
				return
			}
			deadline = d
		}
		left, err := pool.Drain(r.Context(), body.URL, deadline)
		switch {
		case errors.Is(err, ErrUnknownTarget):
			writeError(w, http.StatusNotFound, err.Error())
		case err != nil:
			writeError(w, http.StatusBadRequest, err.Error())
		default:
			writeJSON(w, http.StatusOK, map[string]any{"removed": body.URL, "inflight_left": left})
		}
	})
	mux.HandleFunc("GET /routes", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, p.Routes())
	})
	mux.HandleFunc("PUT /routes", func(w http.ResponseWriter, r *http.Request) {
		var routes []Route
		if !decode(w, r, &routes) {
			return
		}
		if err := p.SetRoutes(routes); err != nil {
			writeError(w, http.StatusBadRequest, err.Error())
			return
		}
		writeJSON(w, http.StatusOK, p.Routes())
	})
	return mux
}

func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		writeError(w, http.StatusBadRequest, "bad JSON body")
		return false
	}
	return true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}
