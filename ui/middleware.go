package ui

import (
	"net"
	"net/http"
	"strings"
)

// contentSecurityPolicy allows only our own files: no inline script or
// style, no framing, forms only to us.
const contentSecurityPolicy = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; " +
	"frame-ancestors 'none'; form-action 'self'; base-uri 'none'"

// securityHeaders sets the headers every response carries.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Frame-Options", "DENY")
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Content-Type-Options", "nosniff")
		next.ServeHTTP(w, r)
	})
}

// checkHost refuses requests not addressed to this computer by a loopback
// name. A web page elsewhere could otherwise point its own host name at
// 127.0.0.1 (DNS rebinding) and read the organizer's data as same-origin.
func (s *Server) checkHost(next http.Handler) http.Handler {
	wantPort := ""
	if _, port, err := net.SplitHostPort(s.addr); err == nil && port != "0" {
		wantPort = port
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !allowedHost(r.Host, wantPort) {
			s.log.Warn("ui: refused a request for another host", "host", r.Host, "path", r.URL.Path, "remote", r.RemoteAddr)
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(http.StatusForbidden)
			where := "127.0.0.1"
			if wantPort != "" {
				where += ":" + wantPort
			}
			_, _ = w.Write([]byte("webinarsync only answers pages addressed to this computer (127.0.0.1, localhost or [::1]), " +
				"and this one was addressed to " + r.Host + ".\nOpen http://" + where + "/ in your browser instead.\n"))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// allowedHost reports whether hostport names this computer by a loopback
// name, on wantPort ("" = any port).
func allowedHost(hostport, wantPort string) bool {
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		// No port given: the browser meant the scheme's default.
		host, port = hostport, "80"
		if strings.HasPrefix(host, "[") && strings.HasSuffix(host, "]") {
			host = host[1 : len(host)-1]
		}
	}
	switch strings.ToLower(host) {
	case "127.0.0.1", "localhost", "::1":
	default:
		return false
	}
	return wantPort == "" || port == wantPort
}

// refuseCrossOrigin answers a state-changing request sent by another site.
func refuseCrossOrigin(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusForbidden)
	_, _ = w.Write([]byte("This form was sent from another website, so webinarsync ignored it.\n" +
		"If you meant to do this, go back to webinarsync and use its own button.\n"))
}
