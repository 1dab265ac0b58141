package gotosim

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// LoginFlow is a login's two halves on either side of GoTo's login page.
type LoginFlow interface {
	Begin(ctx context.Context, redirectURI string) (authURL, state string, err error)
	Finish(ctx context.Context, state, code, redirectURI string) error
}

// LogIn drives the authorization-code flow against the simulator as a
// browser would, for -demo and tests: open the
// authorize URL (the simulator approves at once), read the code and state
// from its redirect, and finish the login with them.
func LogIn(ctx context.Context, f LoginFlow, redirectURI string) error {
	return LogInVia(ctx, nil, f, redirectURI)
}

// LogInVia is LogIn with the browser's requests sent by hc's transport
// (nil: the default), for tests that serve the simulator in memory.
func LogInVia(ctx context.Context, hc *http.Client, f LoginFlow, redirectURI string) error {
	authURL, _, err := f.Begin(ctx, redirectURI)
	if err != nil {
		return err
	}
	noFollow := &http.Client{
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	if hc != nil {
		noFollow.Transport = hc.Transport
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, authURL, nil)
	if err != nil {
		return fmt.Errorf("login: %w", err)
	}
	resp, err := noFollow.Do(req)
	if err != nil {
		return fmt.Errorf("login: opening the authorize URL: %w", err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || err != nil {
		return fmt.Errorf("login: the simulator answered %d, not a redirect back", resp.StatusCode)
	}
	q := loc.Query()
	if e := q.Get("error"); e != "" {
		return fmt.Errorf("login: the simulator said %s: %s", e, q.Get("error_description"))
	}
	return f.Finish(ctx, q.Get("state"), q.Get("code"), redirectURI)
}
