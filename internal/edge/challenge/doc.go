// Package challenge owns the edge's "show you run JavaScript" answer, the
// "challenge" action of a rate rule: instead of a 429, a client over the
// rule's limit gets a small page whose script does a little work (find a
// counter whose FNV-1a hash with a signed nonce starts with Bits zero
// bits, about 65,000 hashes, a few milliseconds in a browser) and stores
// the answer in a cookie. The edge checks the nonce's HMAC, its expiry, its
// binding to the client address and the work, and then lets that client
// through the rule until the nonce expires.
//
// Be honest about what this buys: it stops naive scripts (curl loops,
// simple scrapers and credential-stuffing tools that do not run
// JavaScript), and makes each fresh pass cost some CPU. It does not stop a
// headless browser or anyone who reads the page and solves the work in a
// few lines of their own code; it is a speed bump, not bot detection. FNV
// rather than SHA-256 is deliberate: crypto.subtle exists only in secure
// contexts (HTTPS or localhost), and the edge also serves plain HTTP
// behind a TLS terminator; the HMAC on the nonce, not the hash, is what
// makes a pass unforgeable.
package challenge
