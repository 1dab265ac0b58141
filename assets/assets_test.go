package assets

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestHandler_ServesVersionedFilesForAYear(t *testing.T) {
	h := Handler()
	path := Path("style.css")
	if !strings.HasPrefix(path, "/assets/style.css?v=") {
		t.Fatalf("Path(style.css) = %q, want a versioned URL", path)
	}

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET %s: status %d", path, rec.Code)
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/css") {
		t.Errorf("Content-Type = %q, want text/css", ct)
	}
	if cc := rec.Header().Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
		t.Errorf("Cache-Control = %q", cc)
	}
	if rec.Body.Len() == 0 {
		t.Error("empty style sheet")
	}

	// Without the current version the browser must revalidate, and can.
	etag := rec.Header().Get("ETag")
	req := httptest.NewRequest(http.MethodGet, "/assets/style.css", nil)
	req.Header.Set("If-None-Match", etag)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusNotModified || rec.Header().Get("Cache-Control") != "no-cache" {
		t.Errorf("revalidation: status %d, Cache-Control %q; want 304, no-cache", rec.Code, rec.Header().Get("Cache-Control"))
	}
}

func TestHandler_NoListingsNoStrangers(t *testing.T) {
	h := Handler()
	for _, path := range []string{"/assets/", "/assets/nope.css", "/assets/../assets.go"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != http.StatusNotFound && rec.Code/100 != 3 {
			t.Errorf("GET %s: status %d, want 404", path, rec.Code)
		}
	}
}
