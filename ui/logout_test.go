package ui

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"webinarsync/gotowebinar"
	"webinarsync/gotowebinar/login"
)

func TestLogout_LogsOutAndRedirects(t *testing.T) {
	t.Parallel()
	lg, hooks := loggedIn(), &fakeWebhooks{}
	h := handler(t, Config{Store: openStore(t), Login: lg, Webhooks: hooks})

	for _, form := range []url.Values{{"removeWebhooks": {"on"}}, {}} {
		rec := post(t, h, "/logout", form, map[string]string{"Sec-Fetch-Site": "same-origin"})
		if rec.Code != http.StatusSeeOther {
			t.Fatalf("status = %d, want 303", rec.Code)
		}
		if loc := rec.Header().Get("Location"); loc != "/" {
			t.Errorf("Location = %q, want /", loc)
		}
	}
	// The box ticked removes the webhooks first; both times the login ends.
	if logouts, _, _ := lg.calls(); logouts != 2 {
		t.Errorf("%d logouts, want 2", logouts)
	}
	if removed, _ := hooks.calls(); removed != 1 {
		t.Errorf("webhooks removed %d times, want once (only with the box ticked)", removed)
	}

	// Logged out, the home page says so, offers to log in and no logout.
	body := get(t, h, "/").Body.String()
	mustContain(t, body, "Not logged in", `href="/login"`)
	mustNotContain(t, body, `action="/logout"`, "Grace Hopper")
}

func TestLogout_WithoutWebhooksStillLogsOut(t *testing.T) {
	t.Parallel()
	lg := loggedIn()
	h := handler(t, Config{Store: openStore(t), Login: lg})
	rec := post(t, h, "/logout", url.Values{"removeWebhooks": {"on"}}, nil)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/" {
		t.Errorf("got %d to %q, want 303 to /", rec.Code, rec.Header().Get("Location"))
	}
	if logouts, _, _ := lg.calls(); logouts != 1 || lg.State().Status != login.LoggedOut {
		t.Errorf("%d logouts, state %v; want logged out", logouts, lg.State().Status)
	}
}

func TestLogout_WithoutALoginIsNotThere(t *testing.T) {
	t.Parallel()
	rec := post(t, handler(t, Config{Store: openStore(t)}), "/logout", nil, nil)
	if rec.Code != http.StatusNotFound {
		t.Errorf("POST /logout without a login = %d, want 404", rec.Code)
	}
}

func TestLogout_NotLoggedInAtGoToStillLogsOut(t *testing.T) {
	t.Parallel()
	lg := loggedIn()
	hooks := &fakeWebhooks{removeErr: fmt.Errorf("cleanup: %w", gotowebinar.ErrNotLoggedIn)}
	h := handler(t, Config{Store: openStore(t), Login: lg, Webhooks: hooks})
	if rec := post(t, h, "/logout", url.Values{"removeWebhooks": {"on"}}, nil); rec.Code != http.StatusSeeOther {
		t.Errorf("status = %d, want 303: nothing to remove without a login", rec.Code)
	}
	if logouts, _, _ := lg.calls(); logouts != 1 {
		t.Errorf("%d logouts, want 1", logouts)
	}
}

func TestLogout_FailureSaysSoInPlainWords(t *testing.T) {
	t.Parallel()
	lg := loggedIn()
	hooks := &fakeWebhooks{removeErr: &gotowebinar.APIError{Method: "DELETE", Path: "/webhooks", Status: http.StatusServiceUnavailable}}
	h := handler(t, Config{Store: openStore(t), Login: lg, Webhooks: hooks})
	rec := post(t, h, "/logout", url.Values{"removeWebhooks": {"on"}}, nil)
	if rec.Code != http.StatusBadGateway {
		t.Errorf("status = %d, want 502", rec.Code)
	}
	mustContain(t, rec.Body.String(), "Logging out did not finish",
		"We could not remove our webhooks at GoTo, so you are still logged in",
		"GoTo had a problem on its side (HTTP 503); try again in a moment.")
	mustNotContain(t, rec.Body.String(), "503 Service Unavailable", "DELETE /webhooks")
	// Still logged in, so the organizer can try again.
	if logouts, _, _ := lg.calls(); logouts != 0 || lg.State().Status != login.LoggedIn {
		t.Errorf("%d logouts after the removal failed, want none", logouts)
	}
	mustContain(t, get(t, h, "/").Body.String(), `action="/logout"`)

	// Forgetting the login fails: that too in words.
	lg.logoutErr = errors.New("store: disk full")
	rec = post(t, h, "/logout", url.Values{}, nil)
	if rec.Code != http.StatusInternalServerError {
		t.Errorf("status = %d, want 500", rec.Code)
	}
	mustContain(t, rec.Body.String(), "We could not forget your GoTo login; details are in the log.")
	mustNotContain(t, rec.Body.String(), "disk full")
}
