package ui

import (
	"context"
	"crypto/subtle"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"webinarsync/ringcentral"
	rclogin "webinarsync/ringcentral/login"
)

// RingCentral's browser login (authorization code with PKCE) and its
// logout, modelled on GoTo's (login.go, logout.go).

// The RingCentral login's routes. The organizer registers
// http://127.0.0.1:<port>/oauth/ringcentral/callback as the redirect URI
// of their RingCentral app.
const (
	RingCentralLoginPath    = "/login/ringcentral"
	RingCentralCallbackPath = "/oauth/ringcentral/callback"
	RingCentralLogoutPath   = "/logout/ringcentral"
)

// RingCentralLogin is the organizer's RingCentral login as these routes
// drive it; *rclogin.Login is one.
type RingCentralLogin interface {
	State() rclogin.State
	Start(redirectURI string) (authURL string, err error)
	Finish(ctx context.Context, state, code string) error
	Logout(ctx context.Context) error
}

// ringCentralCleanup is the RingCentral side when it can delete our
// subscription at RingCentral; only then does the logout form offer to.
type ringCentralCleanup interface {
	Cleanup(ctx context.Context) error
}

// rcLoginView is what the RingCentral card offers about the login.
type rcLoginView struct {
	CanLogIn              bool // "Log in with RingCentral": a client id is set, and logged out or expired
	CanLogOut             bool // "Log out": logged in
	CanRemoveSubscription bool // the logout form's box to delete our subscription first
}

// rcLoginView says which of the login's buttons the card shows.
func (s *Server) rcLoginView() rcLoginView {
	if s.rcLogin == nil {
		return rcLoginView{}
	}
	st := s.rcLogin.State()
	_, cleans := s.ringCentral.(ringCentralCleanup)
	return rcLoginView{
		CanLogIn:              st.Configured && (st.Status == rclogin.LoggedOut || st.Status == rclogin.Expired),
		CanLogOut:             st.Status == rclogin.LoggedIn,
		CanRemoveSubscription: st.Status == rclogin.LoggedIn && cleans,
	}
}

// rcRedirectURI is GoTo's redirect URI with RingCentral's path: the same
// loopback host and port, registered the same way.
func (s *Server) rcRedirectURI(r *http.Request) string {
	return strings.TrimSuffix(s.redirectURI(r), CallbackPath) + RingCentralCallbackPath
}

// rcStateCookie ties RingCentral's redirect to the browser that began the
// login. Cookies ignore ports, so the name carries ours.
func rcStateCookie(redirectURI string) string {
	name := "webinarsync_rclogin"
	if u, err := url.Parse(redirectURI); err == nil && u.Port() != "" {
		name += "_" + u.Port()
	}
	return name
}

// hopToRedirectHost sends the browser to the host RingCentral redirects
// back to, when it is not the one asked (localhost → 127.0.0.1), so the
// state cookie lands where the callback reads it. The hop is cross-site
// to the browser, so it carries a one-time pass from this request, which
// was ours. It reports whether it redirected.
func (s *Server) hopToRedirectHost(w http.ResponseWriter, r *http.Request, redirectURI string) bool {
	u, err := url.Parse(redirectURI)
	if err != nil || strings.EqualFold(u.Host, r.Host) {
		return false
	}
	q := r.URL.Query()
	q.Set(hopParam, s.hops.issue())
	http.Redirect(w, r, u.Scheme+"://"+u.Host+r.URL.Path+"?"+q.Encode(), http.StatusSeeOther)
	return true
}

// startRingCentralLogin serves GET /login/ringcentral: it starts the
// browser login and sends the browser to RingCentral's login page. Only
// our own pages may start one, as with GoTo's.
func (s *Server) startRingCentralLogin(w http.ResponseWriter, r *http.Request) error {
	if !fromOurPage(r) && !s.hops.take(r.URL.Query().Get(hopParam)) {
		return &userError{status: http.StatusForbidden, title: "Log in from webinarsync itself",
			msg: "Another web page tried to start a RingCentral login here, so we refused. " +
				"To log in, use \"Log in with RingCentral\" on the home page."}
	}
	redirectURI := s.rcRedirectURI(r)
	if !s.rcLogin.State().Configured {
		return rcNoClient(redirectURI, nil)
	}
	if s.hopToRedirectHost(w, r, redirectURI) {
		return nil
	}
	authURL, err := s.rcLogin.Start(redirectURI)
	if errors.Is(err, rclogin.ErrNoClient) {
		return rcNoClient(redirectURI, err)
	}
	if err != nil {
		return &userError{status: http.StatusInternalServerError, title: "Could not start the RingCentral login",
			msg: "We could not start the RingCentral login; details are in the log. Try again in a moment.",
			err: err}
	}
	u, err := url.Parse(authURL)
	if err != nil || u.Query().Get("state") == "" {
		return &userError{status: http.StatusInternalServerError, title: "Could not start the RingCentral login",
			msg: "We could not start the RingCentral login; details are in the log. Try again in a moment.",
			err: errors.Join(errors.New("the RingCentral authorize URL carries no state"), err)}
	}
	http.SetCookie(w, &http.Cookie{
		Name: rcStateCookie(redirectURI), Value: u.Query().Get("state"), Path: RingCentralCallbackPath,
		MaxAge: loginCookieMaxAge, HttpOnly: true, SameSite: http.SameSiteLaxMode,
	})
	http.Redirect(w, r, authURL, http.StatusFound)
	return nil
}

// rcNoClient says that a browser login needs the app's credentials first.
func rcNoClient(redirectURI string, err error) error {
	return &userError{status: http.StatusConflict, title: "The RingCentral login is not set up",
		msg: "To log in to RingCentral, webinarsync needs your RingCentral app's client id and secret: enter them on the Settings page " +
			"(or set RINGCENTRAL_CLIENT_ID and RINGCENTRAL_CLIENT_SECRET), and register " + redirectURI + " as the app's redirect URI. " +
			"Or log in without a browser: add a JWT credential from RingCentral's developer console there as well (or in RINGCENTRAL_JWT).",
		err: err}
}

// ringCentralCallback serves GET /oauth/ringcentral/callback: RingCentral's
// redirect after the organizer logged in (or refused). It checks the state
// against the browser's cookie, lets the login exchange the code (with its
// PKCE verifier), and goes home.
func (s *Server) ringCentralCallback(w http.ResponseWriter, r *http.Request) error {
	redirectURI := s.rcRedirectURI(r)
	name := rcStateCookie(redirectURI)
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: RingCentralCallbackPath, MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteLaxMode})

	q := r.URL.Query()
	state, code := q.Get("state"), q.Get("code")
	c, err := r.Cookie(name)
	if err != nil || state == "" || subtle.ConstantTimeCompare([]byte(c.Value), []byte(state)) != 1 {
		// RingCentral's words are shown only for a login we started:
		// anyone can link here with an error of their own making.
		return s.rcTryAgain(w, r, rcNotStartedHere, err)
	}
	if e := q.Get("error"); e != "" {
		return s.rcTryAgain(w, r, rcDenied(e, q.Get("error_description")), nil)
	}
	if code == "" {
		return s.rcTryAgain(w, r, rcLoginTrouble{title: rcNotLoggedInTitle,
			msg: "RingCentral sent you back without a login code, so nothing changed."}, nil)
	}
	ctx, cancel := accountContext(r)
	defer cancel()
	if err := s.rcLogin.Finish(ctx, state, code); err != nil {
		if errors.Is(err, rclogin.ErrNotStarted) {
			return s.rcTryAgain(w, r, rcNotStartedHere, err)
		}
		return &userError{status: http.StatusBadGateway, title: rcNotLoggedInTitle,
			msg: rcFinishWords(ringcentral.Classify(err), redirectURI), err: err}
	}
	s.log.Info("ui: logged in to RingCentral")
	http.Redirect(w, r, "/#status", http.StatusSeeOther)
	return nil
}

// rcLoginTrouble is why a callback did not log in, for a page that offers
// to log in again.
type rcLoginTrouble struct{ title, msg string }

const rcNotLoggedInTitle = "RingCentral did not log you in"

// rcNotStartedHere: the redirect names a login this browser did not start
// here, started too long ago, or finished already.
var rcNotStartedHere = rcLoginTrouble{title: "This login did not start here",
	msg: "RingCentral's answer does not belong to a login started in this browser in the last ten minutes, " +
		"so we ignored it and nothing changed."}

// rcDenied says what RingCentral sent back instead of a code: most often
// the organizer declined to allow access.
func rcDenied(code, description string) rcLoginTrouble {
	if code == "access_denied" {
		return rcLoginTrouble{title: rcNotLoggedInTitle,
			msg: "You did not allow webinarsync into your RingCentral account, so nothing changed. " +
				"To log in, allow access on RingCentral's page."}
	}
	said := code
	if description != "" {
		said += " (" + description + ")"
	}
	return rcLoginTrouble{title: rcNotLoggedInTitle, msg: "RingCentral said: " + said + ". Nothing changed here."}
}

// rcTryAgain answers a callback that did not log in with a page that says
// why and offers to log in again. A stranger's link ends up here too, so
// it is refused quietly.
func (s *Server) rcTryAgain(w http.ResponseWriter, r *http.Request, why rcLoginTrouble, err error) error {
	s.log.Debug("ui: RingCentral login not finished", "path", r.URL.Path, "why", why.title, "err", err)
	return s.render(w, r, http.StatusBadRequest, rcTryAgainPage(s.chrome(why.title, ""), http.StatusBadRequest, why.title, why.msg))
}

// rcFinishWords says why RingCentral would not exchange the code.
func rcFinishWords(p ringcentral.Problem, redirectURI string) string {
	switch p.Kind {
	case ringcentral.ProblemLoginRefused, ringcentral.ProblemLoginExpired:
		return "RingCentral refused the login" + reasonSuffix(p.Reason) + ". Check that the client id and secret on the Settings page " +
			"(or in RINGCENTRAL_CLIENT_ID and RINGCENTRAL_CLIENT_SECRET) are your RingCentral app's and that its redirect URI is " +
			redirectURI + ", then log in again from the home page."
	case ringcentral.ProblemRateLimited:
		return "RingCentral asked us to slow down: wait a minute, then log in again from the home page."
	case ringcentral.ProblemDown:
		return "RingCentral is having trouble (it answered with an error): log in again from the home page in a few minutes."
	case ringcentral.ProblemUnreachable, ringcentral.ProblemTimeout:
		return "RingCentral could not be reached: check this computer's internet connection, then log in again from the home page."
	}
	return "We could not get access from RingCentral; details are in the log. Log in again from the home page."
}

// logoutRingCentral serves POST /logout/ringcentral: it ends the
// RingCentral login (forgotten here, revoked there), deleting our
// subscription first when the organizer ticked the box, and stays logged
// in if that fails so they can try again.
func (s *Server) logoutRingCentral(w http.ResponseWriter, r *http.Request) error {
	cleaner, canClean := s.ringCentral.(ringCentralCleanup)
	removeSubscription := canClean && r.PostFormValue("removeSubscription") == "on"
	ctx, cancel := accountContext(r)
	defer cancel()
	if removeSubscription {
		if err := cleaner.Cleanup(ctx); err != nil && !errors.Is(err, ringcentral.ErrNotLoggedIn) {
			return &userError{status: http.StatusBadGateway, title: "Logging out did not finish",
				msg: "We could not delete our subscription at RingCentral, so you are still logged in. " +
					rcProblemWords(ringcentral.Classify(err)) + " To log out anyway, leave the box unticked.", err: err}
		}
	}
	if err := s.rcLogin.Logout(ctx); err != nil {
		return &userError{status: http.StatusInternalServerError, title: "Logging out did not finish",
			msg: "We could not forget your RingCentral login; details are in the log. Try again in a moment.", err: err}
	}
	s.log.Info("ui: logged out of RingCentral", "removeSubscription", removeSubscription)
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}
