package ui

import (
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"webinarsync/gotowebinar"
	"webinarsync/gotowebinar/login"
)

// CallbackPath is where GoTo redirects the browser after the login; the
// organizer registers http://127.0.0.1:<port>/oauth/callback with GoTo.
const CallbackPath = "/oauth/callback"

// loginCookieMaxAge is as long as a begun login is kept, in seconds.
const loginCookieMaxAge = 600

// redirectURI is the OAuth redirect URI for this UI: its own port on the
// loopback address, as registered in GoTo's developer portal.
func (s *Server) redirectURI(r *http.Request) string {
	host, port, err := net.SplitHostPort(s.addr)
	if err != nil || port == "" || port == "0" {
		// The listen address does not say: the port the browser used.
		if _, p, err := net.SplitHostPort(r.Host); err == nil {
			port = p
		} else {
			port = "80"
		}
	}
	if host != "::1" {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port) + CallbackPath
}

// stateCookie ties GoTo's redirect to the browser that began the login.
// Cookies ignore ports, so the name carries ours.
func stateCookie(redirectURI string) string {
	name := "webinarsync_login"
	if u, err := url.Parse(redirectURI); err == nil && u.Port() != "" {
		name += "_" + u.Port()
	}
	return name
}

// startLogin serves GET /login: it starts the GoTo login and sends the
// browser to GoTo's login page. Only our own pages may start one: another
// site linking here would log the organizer in to an account it chose.
func (s *Server) startLogin(w http.ResponseWriter, r *http.Request) error {
	if !fromOurPage(r) && !s.hops.take(r.URL.Query().Get(hopParam)) {
		return &userError{status: http.StatusForbidden, title: "Log in from webinarsync itself",
			msg: "Another web page tried to start a GoTo login here, so we refused. To log in, use \"Log in with GoTo\" on the home page."}
	}
	if !s.login.State().Configured {
		http.Redirect(w, r, "/settings", http.StatusSeeOther)
		return nil
	}
	redirectURI := s.redirectURI(r)
	// The state cookie must live on the host GoTo redirects back to. That
	// hop is cross-site to the browser (localhost → 127.0.0.1), so it
	// carries a one-time pass from this request, which was ours.
	if u, err := url.Parse(redirectURI); err == nil && !strings.EqualFold(u.Host, r.Host) {
		q := r.URL.Query()
		q.Set(hopParam, s.hops.issue())
		http.Redirect(w, r, u.Scheme+"://"+u.Host+r.URL.Path+"?"+q.Encode(), http.StatusSeeOther)
		return nil
	}
	ctx, cancel := accountContext(r)
	defer cancel()
	authURL, state, err := s.login.Begin(ctx, redirectURI)
	if err != nil {
		return &userError{status: http.StatusBadGateway, title: "Could not start the GoTo login",
			msg: "We could not start the GoTo login: check the OAuth client in Settings. Details are in the log.", err: err}
	}
	http.SetCookie(w, &http.Cookie{
		Name: stateCookie(redirectURI), Value: state, Path: CallbackPath,
		MaxAge: loginCookieMaxAge, HttpOnly: true, SameSite: http.SameSiteLaxMode,
	})
	rememberNext(w, r, redirectURI)
	http.Redirect(w, r, authURL, http.StatusFound)
	return nil
}

// oauthCallback serves GET /oauth/callback: GoTo's redirect after the
// organizer logged in (or refused). It checks the state against the
// browser's cookie, lets the Auth exchange the code, and goes home.
func (s *Server) oauthCallback(w http.ResponseWriter, r *http.Request) error {
	redirectURI := s.redirectURI(r)
	name := stateCookie(redirectURI)
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: CallbackPath, MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})

	q := r.URL.Query()
	state, code := q.Get("state"), q.Get("code")
	c, err := r.Cookie(name)
	if err != nil || state == "" || subtle.ConstantTimeCompare([]byte(c.Value), []byte(state)) != 1 {
		// GoTo's words are shown only for a login we started: anyone can
		// link here with an error of their own making.
		return notStartedHere(err)
	}
	if e := q.Get("error"); e != "" {
		said := e
		if d := q.Get("error_description"); d != "" {
			said += " (" + d + ")"
		}
		return &userError{status: http.StatusBadRequest, title: "GoTo did not log you in",
			msg: "GoTo said: " + said + ". Nothing changed here; you can try again from the home page."}
	}
	if code == "" {
		return &userError{status: http.StatusBadRequest, title: "GoTo did not log you in",
			msg: "GoTo sent you back without a login code. Try again from the home page."}
	}
	ctx, cancel := accountContext(r)
	defer cancel()
	if err := s.login.Finish(ctx, state, code, redirectURI); err != nil {
		if errors.Is(err, login.ErrNotStarted) {
			return notStartedHere(err)
		}
		msg := "We could not get access from GoTo; details are in the log. Try again from the home page."
		if p := gotowebinar.Classify(err); p.Kind == gotowebinar.ProblemLoginRefused {
			msg = describe(p, changingRegistrants, "")
		}
		return &userError{status: http.StatusBadGateway, title: "GoTo did not log you in", msg: msg, err: err}
	}
	s.log.Info("ui: logged in to GoTo")
	http.Redirect(w, r, afterLogin(w, r, redirectURI), http.StatusSeeOther)
	return nil
}

func notStartedHere(err error) error {
	return &userError{status: http.StatusBadRequest, title: "This login did not start here",
		msg: "GoTo's answer does not belong to a login started in this browser in the last ten minutes, so we ignored it. " +
			"Start again with \"Log in with GoTo\".", err: err}
}

// fromOurPage reports whether a navigation came from this UI (or was typed
// in), as the browser's Sec-Fetch-Site says; browsers too old to send it
// are let through.
func fromOurPage(r *http.Request) bool {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "", "none", "same-origin":
		return true
	}
	return false
}

// hopParam carries the one-time pass of the localhost → 127.0.0.1 hop.
const hopParam = "pass"

// hops are one-time passes for the login's cross-site hop to the host GoTo
// redirects back to; each is good once, for a minute.
type hops struct {
	mu     sync.Mutex
	issued map[string]time.Time
}

func (h *hops) issue() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	now := time.Now()
	if h.issued == nil || len(h.issued) >= 16 {
		h.issued = make(map[string]time.Time) // only the newest matters
	}
	pass := rand.Text()
	h.issued[pass] = now.Add(time.Minute)
	return pass
}

func (h *hops) take(pass string) bool {
	if pass == "" {
		return false
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	until, ok := h.issued[pass]
	delete(h.issued, pass)
	return ok && time.Now().Before(until)
}
