// Command barehandler is the baseline of the product-read benchmark: a bare
// net/http server that answers every request with the same bytes and headers
// the shop sent for one product, so wrk measures what the shop adds.
package main

import (
	"flag"
	"log"
	"net/http"
	"os"
	"strconv"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:18081", "listen address")
	file := flag.String("body", "", "file with the response body")
	flag.Parse()
	body, err := os.ReadFile(*file)
	if err != nil {
		log.Fatal(err)
	}
	n := strconv.Itoa(len(body))
	log.Fatal(http.ListenAndServe(*addr, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Content-Length", n)
		h.Set("Cache-Control", "public, max-age=5, stale-while-revalidate=30")
		h.Set("ETag", `"baseline"`)
		_, _ = w.Write(body)
	})))
}
