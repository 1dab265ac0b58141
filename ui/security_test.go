package ui

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func TestUI_RefusesForeignHost(t *testing.T) {
	t.Parallel()
	st := openStore(t)
	tests := []struct {
		addr, host string
		want       int
	}{
		{"127.0.0.1:7777", "127.0.0.1:7777", http.StatusOK},
		{"127.0.0.1:7777", "localhost:7777", http.StatusOK},
		{"127.0.0.1:7777", "LOCALHOST:7777", http.StatusOK},
		{"127.0.0.1:7777", "[::1]:7777", http.StatusOK},
		{"127.0.0.1:7777", "evil.example:7777", http.StatusForbidden}, // DNS rebinding
		{"127.0.0.1:7777", "evil.example", http.StatusForbidden},
		{"127.0.0.1:7777", "127.0.0.1:8888", http.StatusForbidden},
		{"127.0.0.1:7777", "localhost.evil.example:7777", http.StatusForbidden},
		{"127.0.0.1:7777", "192.168.1.20:7777", http.StatusForbidden},
		{"127.0.0.1:0", "127.0.0.1:49152", http.StatusOK},
		{"127.0.0.1:0", "localhost:1234", http.StatusOK},
		{"127.0.0.1:0", "evil.example:49152", http.StatusForbidden},
		{"127.0.0.1:80", "localhost", http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.addr+" "+tt.host, func(t *testing.T) {
			h := handler(t, Config{Store: st, Addr: tt.addr})
			for _, path := range []string{"/", "/api/status", "/registrants.csv"} {
				req := httptest.NewRequest(http.MethodGet, path, nil)
				req.Host = tt.host
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != tt.want {
					t.Errorf("GET %s: status = %d, want %d", path, rec.Code, tt.want)
				}
				if tt.want == http.StatusForbidden && !strings.Contains(rec.Body.String(), "only answers pages addressed to this computer") {
					t.Errorf("GET %s: refusal says %q, want plain words", path, rec.Body)
				}
			}
		})
	}
}

func TestUI_RefusesCrossSitePOST(t *testing.T) {
	t.Parallel()
	lg, hooks := loggedIn(), &fakeWebhooks{}
	h := handler(t, Config{Store: openStore(t), Login: lg, Webhooks: hooks})
	form := url.Values{"removeWebhooks": {"on"}}

	for _, header := range []map[string]string{
		{"Sec-Fetch-Site": "cross-site"},
		{"Sec-Fetch-Site": "same-site"},
		{"Origin": "http://evil.example"},
		{"Origin": "http://127.0.0.1:8888"},
	} {
		rec := post(t, h, "/logout", form, header)
		if rec.Code != http.StatusForbidden {
			t.Errorf("POST /logout with %v: status = %d, want 403", header, rec.Code)
		}
		if !strings.Contains(rec.Body.String(), "sent from another website") {
			t.Errorf("POST /logout with %v: body %q, want plain words", header, rec.Body)
		}
	}
	if logouts, _, _ := lg.calls(); logouts != 0 {
		t.Fatalf("Logout called %d times by cross-site requests, want 0", logouts)
	}
	if removed, _ := hooks.calls(); removed != 0 {
		t.Fatalf("webhooks removed %d times by cross-site requests, want 0", removed)
	}

	// The organizer's own form still works.
	for _, header := range []map[string]string{
		{"Sec-Fetch-Site": "same-origin", "Origin": "http://" + testAddr},
		{"Origin": "http://" + testAddr},
		{}, // not a browser: no Origin, no Sec-Fetch-Site
	} {
		if rec := post(t, h, "/logout", form, header); rec.Code != http.StatusSeeOther {
			t.Errorf("POST /logout with %v: status = %d, want 303", header, rec.Code)
		}
	}
}

func TestUI_SetsSecurityHeaders(t *testing.T) {
	t.Parallel()
	st := openStore(t)
	seedLaunch(t, st)
	h := handler(t, Config{Store: st})
	want := map[string]string{
		"X-Frame-Options":         "DENY",
		"Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
		"Referrer-Policy":         "no-referrer",
		"X-Content-Type-Options":  "nosniff",
	}
	requests := []*http.Request{
		httptest.NewRequest(http.MethodGet, "/", nil),
		httptest.NewRequest(http.MethodGet, "/webinars/"+launchKey, nil),
		httptest.NewRequest(http.MethodGet, "/webinars/1", nil), // 404
		httptest.NewRequest(http.MethodGet, "/no/such/page", nil),
		httptest.NewRequest(http.MethodGet, "/events", nil),
		httptest.NewRequest(http.MethodGet, "/api/status", nil),
		httptest.NewRequest(http.MethodGet, "/registrants.csv", nil),
		httptest.NewRequest(http.MethodGet, "/assets/style.css", nil),
		httptest.NewRequest(http.MethodPost, "/logout", nil),
	}
	foreign := httptest.NewRequest(http.MethodGet, "/", nil)
	foreign.Host = "evil.example"
	crossSite := httptest.NewRequest(http.MethodPost, "/logout", nil)
	crossSite.Header.Set("Sec-Fetch-Site", "cross-site")
	for _, req := range requests {
		req.Host = testAddr
	}
	crossSite.Host = testAddr
	for _, req := range append(requests, foreign, crossSite) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		for k, v := range want {
			if got := rec.Header().Get(k); got != v {
				t.Errorf("%s %s (Host %s, status %d): %s = %q, want %q", req.Method, req.URL, req.Host, rec.Code, k, got, v)
			}
		}
	}
}

func TestUI_NoInlineStylesOrScripts(t *testing.T) {
	t.Parallel()
	// The CSP forbids them; a page using them would render broken.
	st := openStore(t)
	seedLaunch(t, st)
	h := handler(t, Config{Store: st, Demo: true, Login: loggedIn(), Webhooks: &fakeWebhooks{}, Sync: &fakeSyncer{}})
	for _, path := range []string{"/", "/webinars/" + launchKey, "/events", "/webinars/1", "/nope"} {
		body := get(t, h, path).Body.String()
		for _, bad := range []string{"<style", " style=", "javascript:"} {
			if strings.Contains(body, bad) {
				t.Errorf("GET %s has %q", path, bad)
			}
		}
		// Scripts only from our own files: <script src=…></script>.
		for rest := body; ; {
			i := strings.Index(rest, "<script")
			if i < 0 {
				break
			}
			tag, after, _ := strings.Cut(rest[i:], ">")
			if !strings.Contains(tag, " src=") || !strings.HasPrefix(after, "</script") {
				t.Errorf("GET %s has an inline script: %.80s", path, rest[i:])
			}
			rest = after
		}
	}
}

func TestUI_HTMLEscapesRegistrantData(t *testing.T) {
	t.Parallel()
	st := openStore(t)
	const evil = `<script>alert(1)</script>`
	put(t, st, testNow, webinarEvent("webinar.created", "ev-w", workshopKey, `<img src=x onerror=alert(1)>`, "NEW", testNow))
	put(t, st, testNow, registrantAdded("ev-r", workshopKey, "x", registrant{
		key: "66666666666666666666", first: evil, last: `"><b>bold</b>`, email: `a@example.com"onmouseover="alert(1)`,
		org: evil, registered: testNow, responses: `[["` + `<i>q</i>` + `","SHORT_ANSWER",["` + `</details><script>alert(2)</script>` + `"]]]`,
	}))
	h := handler(t, Config{Store: st})
	for _, path := range []string{"/", "/webinars/" + workshopKey, "/webinars/" + workshopKey + "?q=%3Cscript%3E", "/events"} {
		body := get(t, h, path).Body.String()
		for _, bad := range []string{"<script>", "<img src=x", "<b>bold</b>", "<i>q</i>", `"onmouseover="`} {
			if strings.Contains(body, bad) {
				t.Errorf("GET %s: has %q unescaped", path, bad)
			}
		}
	}
	body := get(t, h, "/webinars/"+workshopKey).Body.String()
	mustContain(t, body, "&lt;img src=x onerror=alert(1)&gt;", "&lt;script&gt;alert(1)&lt;/script&gt;")
}

func TestUI_UnknownPathIs404Page(t *testing.T) {
	t.Parallel()
	rec := get(t, handler(t, Config{Store: openStore(t)}), "/no/such/page")
	if rec.Code != http.StatusNotFound {
		t.Fatalf("status = %d, want 404", rec.Code)
	}
	mustContain(t, rec.Body.String(), "Page not found", "There is no page at /no/such/page.")
}

func TestUI_StoreFailureIs500WithPlainWords(t *testing.T) {
	t.Parallel()
	st := openStore(t)
	h := handler(t, Config{Store: st})
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/", "/events", "/webinars/" + launchKey} {
		rec := get(t, h, path)
		if rec.Code != http.StatusInternalServerError {
			t.Errorf("GET %s: status = %d, want 500", path, rec.Code)
		}
		mustContain(t, rec.Body.String(), "Something went wrong reading your data; details are in the log.")
	}
	rec := get(t, h, "/api/status")
	if rec.Code != http.StatusInternalServerError || !strings.Contains(rec.Body.String(), `"error": "Something went wrong reading your data`) {
		t.Errorf("GET /api/status: %d %s, want 500 with a JSON error", rec.Code, rec.Body)
	}
}

func TestUI_RoutesOfAMissingDependencyAre404(t *testing.T) {
	t.Parallel()
	st := openStore(t)
	seedLaunch(t, st)
	const reg = "/webinars/" + launchKey + "/registrants"
	routes := []struct{ method, path string }{
		{"POST", "/logout"}, {"GET", "/login"}, {"GET", "/oauth/callback?code=c&state=s"},
		{"GET", "/settings"}, {"POST", "/settings"}, {"POST", "/settings/ngrok"},
		{"POST", "/webhooks/cleanup"}, {"POST", "/webhooks/setup"},
		{"POST", "/sync"}, {"GET", "/sync/progress"},
		{"POST", reg}, {"GET", reg + "/11111111111111111111/remove"}, {"POST", reg + "/11111111111111111111/remove"},
	}
	// Nothing but the store: none of them is there, and no page breaks.
	h := handler(t, Config{Store: st})
	for _, r := range routes {
		var rec *httptest.ResponseRecorder
		if r.method == "GET" {
			rec = get(t, h, r.path)
		} else {
			rec = post(t, h, r.path, url.Values{"firstName": {"A"}, "lastName": {"B"}, "email": {"a@b.c"}}, nil)
		}
		if rec.Code != http.StatusNotFound {
			t.Errorf("%s %s without its dependency = %d, want 404", r.method, r.path, rec.Code)
		}
	}
	for _, path := range []string{"/", "/?skipsetup=1", "/setup", "/api/status", "/webinars/" + launchKey, "/events"} {
		if rec := get(t, h, path); rec.Code != http.StatusOK {
			t.Errorf("GET %s without any dependency = %d, want 200", path, rec.Code)
		}
	}
	// With them all, every route is served.
	all := handler(t, Config{Store: st, Login: loggedIn(), Webhooks: &fakeWebhooks{}, TunnelSettings: &fakeNgrok{},
		Sync: &fakeSyncer{}, Registrants: &fakeRegistrants{canChange: true}})
	for _, r := range routes {
		var rec *httptest.ResponseRecorder
		if r.method == "GET" {
			rec = get(t, all, r.path)
		} else {
			rec = post(t, all, r.path, url.Values{"firstName": {"A"}, "lastName": {"B"}, "email": {"a@b.c"}}, nil)
		}
		if rec.Code == http.StatusNotFound {
			t.Errorf("%s %s with its dependency = 404", r.method, r.path)
		}
	}
}
