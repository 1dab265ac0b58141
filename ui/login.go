package ui

import (
	"crypto/subtle"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"

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
// browser to GoTo's login page.
func (s *Server) startLogin(w http.ResponseWriter, r *http.Request) error {
	if !s.login.State().Configured {
		http.Redirect(w, r, "/settings", http.StatusSeeOther)
		return nil
	}
	redirectURI := s.redirectURI(r)
	// The state cookie must live on the host GoTo redirects back to.
	if u, err := url.Parse(redirectURI); err == nil && !strings.EqualFold(u.Host, r.Host) {
		http.Redirect(w, r, u.Scheme+"://"+u.Host+r.URL.RequestURI(), http.StatusSeeOther)
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
	if e := q.Get("error"); e != "" {
		said := e
		if d := q.Get("error_description"); d != "" {
			said += " (" + d + ")"
		}
		return &userError{status: http.StatusBadRequest, title: "GoTo did not log you in",
			msg: "GoTo said: " + said + ". Nothing changed here; you can try again from the home page."}
	}
	state, code := q.Get("state"), q.Get("code")
	c, err := r.Cookie(name)
	if err != nil || state == "" || subtle.ConstantTimeCompare([]byte(c.Value), []byte(state)) != 1 {
		return notStartedHere(err)
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
