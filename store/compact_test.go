package store

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"webinarsync/gotowebinar"
)

// GoTo is told to come back (503 with Retry-After) for a delivery that
// meets a compaction, and its retry is stored.
func TestReceiver_AnswersBusyWith503AndRetryAfterWhileTheFileIsCompacted(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	rc := gotowebinar.NewReceiver(func() [][]byte { return [][]byte{[]byte("k")} }, s, nil)
	body := addedBody("a1", "111", "9001", "2025-06-01T10:01:00Z")
	send := func() *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodPost, gotowebinar.WebhookPath, strings.NewReader(body))
		r.Header.Set(gotowebinar.HeaderSignatureTimestamp, "1710946862345")
		r.Header.Set(gotowebinar.HeaderSignature, gotowebinar.Sign([]byte("k"), "1710946862345", []byte(body)))
		w := httptest.NewRecorder()
		rc.ServeHTTP(w, r)
		return w
	}
	s.swap.Lock() // as Compact holds it
	w := send()
	s.swap.Unlock()
	if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") == "" {
		t.Errorf("delivery during a compaction = %d, Retry-After %q; want 503 with Retry-After", w.Code, w.Header().Get("Retry-After"))
	}
	if w := send(); w.Code != http.StatusOK {
		t.Errorf("the retry = %d %s, want 200", w.Code, w.Body)
	}
	if c := mustCounts(t, s); c.Events != 1 {
		t.Errorf("events = %d, want 1", c.Events)
	}
}
