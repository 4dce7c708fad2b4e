package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
)

//go:embed static/*.js static/*.css
var staticFiles embed.FS

// asset is one embedded file under its fingerprinted name.
type asset struct {
	body, gz []byte // gz is nil when compressing does not pay
	header   http.Header
	gzHeader http.Header
}

// assets maps fingerprinted names (site.3f9a12bc.css) to files, and logical
// names (site.css) to the URLs pages link to. A new build changes the hash,
// so a year-long immutable lifetime is safe.
type assets struct {
	byName map[string]*asset
	urls   map[string]string
}

func newAssets() (*assets, error) {
	a := &assets{byName: map[string]*asset{}, urls: map[string]string{}}
	err := fs.WalkDir(staticFiles, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := staticFiles.ReadFile(p)
		if err != nil {
			return err
		}
		name := path.Base(p)
		sum := sha256.Sum256(body)
		hash := hex.EncodeToString(sum[:])[:10]
		ext := path.Ext(name)
		fp := strings.TrimSuffix(name, ext) + "." + hash + ext
		ctype := mime.TypeByExtension(ext)
		if ctype == "" {
			return fmt.Errorf("no content type for %s", name)
		}
		f := &asset{body: body, header: assetHeader(ctype, hash, len(body), "")}
		if gz := gzipped(body); len(gz) < len(body)*9/10 {
			f.gz, f.gzHeader = gz, assetHeader(ctype, hash, len(gz), "gzip")
		}
		a.byName[fp] = f
		a.urls[name] = "/static/" + fp
		return nil
	})
	return a, err
}

// assetHeader is built once per file, so serving allocates no header values.
func assetHeader(ctype, hash string, n int, encoding string) http.Header {
	h := http.Header{
		"Content-Type":           {ctype},
		"Cache-Control":          {"public, max-age=31536000, immutable"},
		"Etag":                   {`"` + hash + encoding + `"`},
		"Content-Length":         {strconv.Itoa(n)},
		"Vary":                   {"Accept-Encoding"},
		"X-Content-Type-Options": {"nosniff"},
	}
	if encoding != "" {
		h["Content-Encoding"] = []string{encoding}
	}
	return h
}

func gzipped(b []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression) // the level is valid
	_, _ = zw.Write(b)                                       // writes to memory do not fail
	_ = zw.Close()
	return buf.Bytes()
}

// url returns the fingerprinted URL of a logical name; templates call it.
func (a *assets) url(name string) (string, error) {
	u, ok := a.urls[name]
	if !ok {
		return "", fmt.Errorf("no asset named %q", name)
	}
	return u, nil
}

func (a *assets) serve(w http.ResponseWriter, r *http.Request) {
	f, ok := a.byName[r.PathValue("file")]
	if !ok {
		// An old fingerprint after a deploy, or a guess: plain 404, never
		// cached long, so a rollback can serve it again.
		w.Header().Set("Cache-Control", "public, max-age=60")
		http.Error(w, "no such file", http.StatusNotFound)
		return
	}
	body, hdr := f.body, f.header
	if f.gz != nil && acceptsGzip(r) {
		body, hdr = f.gz, f.gzHeader
	}
	h := w.Header()
	for k, v := range hdr {
		h[k] = v
	}
	if etagMatches(r.Header.Get("If-None-Match"), hdr["Etag"][0]) {
		h.Del("Content-Length")
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(enc), "gzip") {
			continue
		}
		q, found := strings.CutPrefix(strings.ReplaceAll(params, " ", ""), "q=")
		if v, err := strconv.ParseFloat(q, 64); !found || err != nil || v > 0 {
			return true
		}
	}
	return false
}
