package challenge

import (
	"html/template"
	"net/http"
	"time"

	"github.com/peakshop/peakshop/internal/edge/reqid"
)

// page is deliberately tiny and self-contained (no external script, so a
// Content-Security-Policy of the shop cannot break it). GET and HEAD
// reload; other methods go back so the shopper submits the form again
// rather than the browser replaying a POST.
var page = template.Must(template.New("challenge").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="robots" content="noindex">
<title>One moment</title></head>
<body><p id="m">Checking your browser, one moment…</p>
<noscript><p>Please enable JavaScript to continue.</p></noscript>
<p><small>request id: {{.ID}}</small></p>
<script>
(function(){
  var nonce = {{.Nonce}}, bits = {{.Bits}};
  function h(s){var x=0x811c9dc5;for(var i=0;i<s.length;i++){x^=s.charCodeAt(i);x=Math.imul(x,0x01000193)>>>0;}return x>>>0;}
  var limit = Math.pow(2, 32-bits), i = 0;
  while (h(nonce+"."+i) >= limit) i++;
  document.cookie = {{.Cookie}} + "=" + nonce + "." + i + "; Max-Age={{.MaxAge}}; Path=/; SameSite=Lax";
  if ({{.Reload}}) { location.reload(); } else { document.getElementById("m").textContent = "Thanks, please send that again."; history.back(); }
})();
</script></body></html>
`))

// Serve answers r with the challenge page for client: 403, never cached.
func (c *Challenger) Serve(w http.ResponseWriter, r *http.Request, client string, now time.Time) {
	id := reqid.From(r)
	h := w.Header()
	if id != "" {
		h.Set(reqid.Header, id)
	}
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusForbidden)
	if r.Method == http.MethodHead {
		return
	}
	// The template escapes each value for its JavaScript context.
	_ = page.Execute(w, map[string]any{
		"ID": id, "Nonce": c.nonce(client, now), "Bits": c.bits, "Cookie": CookieName,
		"MaxAge": int(c.pass.Seconds()), "Reload": r.Method == http.MethodGet,
	})
}
