package dashboards

import (
	"net/http"
	"strings"
)

// contentSecurityPolicy lets pages load scripts, styles and images from this server only and
// run no inline script or style: charts are JSON data blocks drawn by /assets/gongkai.js, so
// data that slipped past escaping could still not run. Pages may not be framed.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// secureHeaders are set on every response, pages, API, downloads, assets and errors alike.
func secureHeaders(h http.Header) {
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
}

// crossOrigin refuses state-changing requests that a browser says come from another site
// (Sec-Fetch-Site, else an Origin that is not this host): a page elsewhere cannot make a
// clerk's browser post here. Requests without either header are not from a browser
// (ingest --server, curl) and pass to the token check.
var crossOrigin = http.NewCrossOriginProtection()

// fileName is the last element of a stored source path: pages name a report's file, never
// where it lies on the server.
func fileName(p string) string {
	if i := strings.LastIndexAny(p, `/\`); i >= 0 {
		return p[i+1:]
	}
	return p
}
