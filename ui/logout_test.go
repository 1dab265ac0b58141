package ui

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"testing"
)

func TestLogout_CallsAccountAndRedirects(t *testing.T) {
	account := &fakeAccount{login: LoginStatus{State: LoginLoggedIn, Organizer: "grace@example.com"}}
	h := handler(t, Config{Store: openStore(t), Account: account, Auth: &fakeAuth{configured: true}})

	for _, form := range []url.Values{{"removeWebhooks": {"on"}}, {}} {
		rec := post(t, h, "/logout", form, map[string]string{"Sec-Fetch-Site": "same-origin"})
		if rec.Code != http.StatusSeeOther {
			t.Fatalf("status = %d, want 303", rec.Code)
		}
		if loc := rec.Header().Get("Location"); loc != "/" {
			t.Errorf("Location = %q, want /", loc)
		}
	}
	if got, want := account.calls(), []bool{true, false}; !slices.Equal(got, want) {
		t.Errorf("Logout(removeWebhooks) calls = %v, want %v", got, want)
	}

	// Logged out, the home page says so, offers to log in and no logout.
	account.login = LoginStatus{State: LoginLoggedOut}
	body := get(t, h, "/").Body.String()
	mustContain(t, body, "Not logged in", `href="/login"`)
	mustNotContain(t, body, `action="/logout"`)
}

func TestLogout_WithoutAccountJustRedirects(t *testing.T) {
	rec := post(t, handler(t, Config{Store: openStore(t)}), "/logout", nil, nil)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/" {
		t.Errorf("got %d to %q, want 303 to /", rec.Code, rec.Header().Get("Location"))
	}
}

// failingAccount is logged in but cannot log out.
type failingAccount struct{ fakeAccount }

func (*failingAccount) Logout(context.Context, bool) error {
	return errors.New("DELETE /webhooks: 503 Service Unavailable")
}

func TestLogout_FailureSaysSoInPlainWords(t *testing.T) {
	h := handler(t, Config{Store: openStore(t), Account: &failingAccount{}})
	rec := post(t, h, "/logout", url.Values{"removeWebhooks": {"on"}}, nil)
	if rec.Code != http.StatusBadGateway {
		t.Errorf("status = %d, want 502", rec.Code)
	}
	mustContain(t, rec.Body.String(), "We could not log you out of GoTo completely")
	mustNotContain(t, rec.Body.String(), "503 Service Unavailable")
}
