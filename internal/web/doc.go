// Package web serves what people see in a browser: the storefront (home,
// categories, search, product pages, cart, checkout, order confirmation and
// a live order status page), customer accounts (sign up, sign in, sign out,
// order history), the static assets they use, and the demo catalog's
// generated product images (images.go).
//
// Pages are server-rendered with html/template rather than templ: the
// standard library's contextual escaping is enough for a handful of pages,
// there is no generated code to keep in step, and templates are parsed once
// at start (New fails fast on a broken one). One Go file per page holds its
// handler and view model; its template is templates/<page>.html.
//
// Everything works without JavaScript. htmx 2 (vendored in static/, see its
// README) only enhances: adding to the cart without leaving the product page,
// cart edits without a full reload, stock badges that refresh, and the order
// status stream (server-sent events; without JavaScript the page refreshes
// itself through a <noscript> meta refresh).
//
// Caching is part of the design, because at peak the edge in front must
// absorb the catalog traffic:
//   - Public pages (home, category, search, product) depend on nothing but
//     the URL: no cookie is read and none is set, so a shared cache can keep
//     them. They carry Cache-Control with short lifetimes, an ETag, and a
//     Surrogate-Key header naming the products and categories on the page
//     ("product-12 category-3"), so a change can purge exactly the pages
//     that show it. Rendered bytes are also kept in memory for a second or
//     so (pagecache.go), like the JSON API's product cache.
//   - Session pages (cart, checkout, account, orders) are "private, no-store".
//   - Static assets are fingerprinted and immutable for a year.
//
// Sessions are server-side (account.Service); the browser holds only an
// opaque token in an HttpOnly, SameSite=Lax cookie, Secure over TLS. A token
// is minted when a visitor first needs one but stored only when there is
// something to keep (a cart, a sign-in), so browsing writes nothing.
//
// CSRF: every unsafe request passes net/http's CrossOriginProtection (Fetch
// metadata and Origin checks), and every form on a session page also carries
// a token derived from the session token (HMAC), checked on POST. The one
// exception is "add to cart" on product pages: those pages are
// shared-cache material and cannot hold a per-session token, so that form
// relies on the cross-origin check and the SameSite cookie; the worst a
// forged request could do is add an item to a cart.
package web
