package web

import "net/http"

// routes lists every address the storefront answers. Anything else gets the
// helpful 404 page.
func (s *Server) routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", s.home)
	mux.HandleFunc("GET /c/{slug}", s.category)
	mux.HandleFunc("GET /search", s.search)
	mux.HandleFunc("GET /products/{slug}", s.product)
	mux.HandleFunc("GET /products/{slug}/stock", s.stock)
	mux.HandleFunc("GET /cart", s.cartPage)
	mux.HandleFunc("POST /cart/items", s.addToCart)
	mux.HandleFunc("POST /cart/items/{sku}", s.updateCartLine)
	mux.HandleFunc("GET /checkout", s.checkoutPage)
	mux.HandleFunc("POST /checkout", s.placeOrder)
	mux.HandleFunc("GET /orders/{id}/confirmation", s.confirmation)
	mux.HandleFunc("GET /orders/{id}", s.orderStatus)
	mux.HandleFunc("GET /orders/{id}/events", s.orderEvents)
	mux.HandleFunc("GET /account", s.accountPage)
	mux.HandleFunc("GET /account/signin", s.signInPage)
	mux.HandleFunc("POST /account/signin", s.signIn)
	mux.HandleFunc("GET /account/signup", s.signUpPage)
	mux.HandleFunc("POST /account/signup", s.signUp)
	mux.HandleFunc("POST /account/signout", s.signOut)
	mux.HandleFunc("GET /static/{file}", s.assets.serve)
	s.adminRoutes(mux)
	mux.HandleFunc("/", s.notFound)
}
