package api

import (
	_ "embed"
	"net/http"
)

// openapiDoc is written by hand and kept honest by openapi_test.go, which
// checks that its paths are exactly the routes and that real responses
// validate against its schemas.
//
//go:embed openapi.json
var openapiDoc []byte

// OpenAPI returns the API's OpenAPI 3.1 document.
func OpenAPI() []byte { return openapiDoc }

func serveOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "public, max-age=300")
	writeBytes(w, http.StatusOK, openapiDoc)
}
