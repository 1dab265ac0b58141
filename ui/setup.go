package ui

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"webinarsync/gotowebinar"
	"webinarsync/gotowebinar/login"
	"webinarsync/tunnel"
)

// The setup page walks an organizer from a downloaded binary to the first
// event in three steps (GoTo OAuth client, ngrok tunnel, GoTo login), each
// checked live. Its forms post to the settings handlers, which come back
// here when told so by the form's "next" field.

const (
	setupPath = "/setup"
	// skipSetupParam on / shows the home page even on a first start.
	skipSetupParam = "skipsetup"
	// setupPoll is how often setup.js checks the steps again.
	setupPoll = 2 * time.Second
)

// Where the setup page's forms and login come back to.
const (
	setupNextGoTo  = setupPath + "#step-goto"
	setupNextNgrok = setupPath + "#step-ngrok"
	setupNextLogin = setupPath + "#step-login"
)

// stepState is where a setup step stands.
type stepState string

const (
	stepTodo    stepState = "todo"    // the organizer has something to do
	stepWait    stepState = "wait"    // webinarsync or GoTo is working on it
	stepDone    stepState = "done"    // nothing left to do
	stepProblem stepState = "problem" // something went wrong; the words say what
)

// setupStep is one step's state and what to say about it.
type setupStep struct {
	State  stepState
	Words  string // one or two sentences: where it stands, what to do next
	Detail string // optional: an error as GoTo or ngrok said it
}

// setupView is the setup page.
type setupView struct {
	chrome
	snapshot
	RedirectURI  string
	Saved        string // "goto" or "ngrok": the form just saved
	HasSettings  bool   // the GoTo client can be entered here
	GoTo         GoToSettings
	Ngrok        *NgrokSettings // nil: no ngrok settings
	CanLogin     bool
	LocalTunnel  bool   // this run does not use ngrok (-tunnel local, -public-url, -demo)
	Active       int    // webhooks ACTIVE at GoTo
	PollSeconds  string // data-poll: how often setup.js checks again
	Client       setupStep
	TunnelStep   setupStep
	LoginStep    setupStep
	AllDone      bool
	ShowWebhooks bool // logged in: list the webhooks' states
}

// setup serves GET /setup.
func (s *Server) setup(w http.ResponseWriter, r *http.Request) error {
	snap, err := s.snapshot(r)
	if err != nil {
		return err
	}
	v := setupView{
		chrome:      s.chrome("Setup", "setup"),
		snapshot:    snap,
		RedirectURI: s.redirectURI(r),
		CanLogin:    s.login != nil && s.login.State().Configured,
		PollSeconds: s.pollSeconds(setupPoll),
	}
	switch r.URL.Query().Get("saved") {
	case "goto", "ngrok":
		v.Saved = r.URL.Query().Get("saved")
	}
	if s.login != nil {
		v.HasSettings = true
		v.GoTo = s.goToSettings()
	}
	if s.tunnelSettings != nil {
		ns := s.tunnelSettings.NgrokSettings()
		v.Ngrok = &ns
	}
	v.LocalTunnel = snap.Tunnel.Kind != "" && snap.Tunnel.Kind != "ngrok"
	for _, wh := range snap.Webhooks {
		if strings.EqualFold(wh.ActivationState, gotowebinar.StateActive) {
			v.Active++
		}
	}
	v.Client = clientStep(v)
	v.TunnelStep = tunnelStep(v)
	v.LoginStep = loginStep(v)
	v.ShowWebhooks = v.Login.State == LoginLoggedIn || v.Login.State == LoginDemo
	v.AllDone = v.Client.State == stepDone && v.TunnelStep.State == stepDone && v.LoginStep.State == stepDone
	return s.render(w, r, http.StatusOK, setupPage(v))
}

// clientStep is step 1: the GoTo OAuth client.
func clientStep(v setupView) setupStep {
	switch {
	case v.Demo:
		return setupStep{State: stepDone, Words: "Demo mode: webinarsync set up the built-in simulator's client for you."}
	case v.Login.State == LoginLoggedIn || v.Login.State == LoginExpired:
		return setupStep{State: stepDone, Words: "Your OAuth client works: GoTo logged you in with it."}
	case !v.HasSettings && v.CanLogin:
		return setupStep{State: stepDone, Words: "The OAuth client is set."}
	case !v.HasSettings:
		return setupStep{State: stepProblem, Words: "This webinarsync cannot take a GoTo OAuth client, so it cannot log in to GoTo."}
	}
	id, secret := v.GoTo.ClientID != "", v.GoTo.ClientSecretSet
	switch {
	case id && secret:
		return setupStep{State: stepDone, Words: "Saved. Logging in (step 3) checks that GoTo accepts them."}
	case id:
		return setupStep{State: stepTodo, Words: "The client ID is saved; the client secret is still missing."}
	case secret:
		return setupStep{State: stepTodo, Words: "The client secret is saved; the client ID is still missing."}
	}
	return setupStep{State: stepTodo, Words: "Create an OAuth client at GoTo, then paste its client ID and secret below."}
}

// tunnelStep is step 2: the public address GoTo delivers to.
func tunnelStep(v setupView) setupStep {
	t := v.Tunnel
	if v.LocalTunnel {
		switch t.Phase {
		case tunnel.PhaseOnline:
			words := "This run does not use ngrok: it was started with -tunnel local, -public-url or -demo, and GoTo delivers to the address below."
			if v.Demo {
				words = "Demo mode: the built-in simulator delivers to this computer directly, so no ngrok is needed."
			}
			return setupStep{State: stepDone, Words: words}
		case tunnel.PhaseClosed:
			return setupStep{State: stepProblem, Words: "The webhook listener is closed: webinarsync is stopping."}
		}
		return setupStep{State: stepProblem, Words: "The webhook listener is not running.", Detail: t.Error}
	}
	switch t.Phase {
	case tunnel.PhaseOnline:
		return setupStep{State: stepDone, Words: "Connected. GoTo delivers to the public address below."}
	case tunnel.PhaseConnecting:
		return setupStep{State: stepWait, Words: "Connecting to ngrok…"}
	case tunnel.PhaseReconnecting:
		return setupStep{State: stepWait, Words: "The connection to ngrok dropped; reconnecting…", Detail: t.Error}
	case tunnel.PhaseFailed:
		return setupStep{State: stepProblem, Words: "ngrok did not connect. Check the authtoken and the domain below, then save again.", Detail: t.Error}
	case tunnel.PhaseClosed:
		return setupStep{State: stepProblem, Words: "The tunnel is closed: webinarsync is stopping."}
	}
	if t.Kind == "" {
		return setupStep{State: stepProblem, Words: "This webinarsync runs no tunnel, so GoTo cannot reach it."}
	}
	// Off: no authtoken yet (ngrok's own words say the same, less kindly).
	return setupStep{State: stepTodo, Words: "Paste your ngrok authtoken below (or set NGROK_AUTHTOKEN in the environment); webinarsync connects as soon as you save."}
}

// loginStep is step 3: the GoTo login, the webhooks, the first event.
func loginStep(v setupView) setupStep {
	switch v.Login.State {
	case LoginLoggedIn, LoginDemo:
	case LoginExpired:
		return setupStep{State: stepProblem, Words: "Your GoTo session expired: log in again.", Detail: v.Login.Detail}
	default:
		if !v.CanLogin {
			return setupStep{State: stepTodo, Words: "Finish step 1 first; then log in here."}
		}
		return setupStep{State: stepTodo, Words: "Log in with your GoTo account. webinarsync then sets up its webhooks at GoTo, so GoTo sends it your events."}
	}
	total := len(v.Webhooks)
	switch {
	case v.Tunnel.Phase != tunnel.PhaseOnline:
		return setupStep{State: stepWait, Words: "Logged in. Waiting for step 2: GoTo needs the public address before webinarsync can set up the webhooks."}
	case v.Login.State == LoginLoggedIn && v.Login.Detail != "":
		return setupStep{State: stepProblem, Words: "Logged in, but setting up the webhooks at GoTo went wrong; webinarsync keeps trying.", Detail: v.Login.Detail}
	case total == 0 || v.Active < total:
		return setupStep{State: stepWait, Words: fmt.Sprintf("Logged in. Setting up the webhooks at GoTo: %d of %d active.", v.Active, total)}
	case v.Counts.Events == 0:
		return setupStep{State: stepWait, Words: fmt.Sprintf("All %d webhooks are active. Waiting for the first event: register yourself for one of your webinars to see it arrive.", total)}
	}
	return setupStep{State: stepDone, Words: "Your first event arrived: webinarsync receives your GoTo events."}
}

// stepBadge is a step state in one word.
func stepBadge(st stepState) string {
	switch st {
	case stepDone:
		return "Done"
	case stepWait:
		return "Waiting"
	case stepProblem:
		return "Problem"
	}
	return "To do"
}

func stepBadgeClass(st stepState) string {
	switch st {
	case stepDone:
		return "badge badge-ok"
	case stepProblem:
		return "badge badge-bad"
	case stepWait:
		return "badge badge-warn"
	}
	return "badge badge-none"
}

// firstStart reports whether / should send the organizer to the setup
// page: nothing is configured yet (no GoTo client, no login, no event
// stored, not the demo) and they did not ask to skip it.
func (s *Server) firstStart(r *http.Request) bool {
	if s.demo || s.login == nil || r.URL.Query().Has(skipSetupParam) {
		return false
	}
	if st := s.login.State(); st.Configured || st.Status != login.LoggedOut {
		return false
	}
	if g := s.login.ClientSettings(); g.ClientID != "" || g.ClientSecretSet {
		return false
	}
	c, err := s.store.Counts()
	return err == nil && c.Events == 0
}

// redirectFirstStart sends a first start to the setup page; it reports
// whether it did.
func (s *Server) redirectFirstStart(w http.ResponseWriter, r *http.Request) bool {
	if !s.firstStart(r) {
		return false
	}
	http.Redirect(w, r, setupPath, http.StatusSeeOther)
	return true
}

// afterSave is where a settings form goes once saved: back to its step of
// the setup page when it came from there, else to the settings page. Only
// known places: "next" must not send the browser elsewhere.
func afterSave(r *http.Request) string {
	switch r.PostFormValue("next") {
	case setupNextGoTo:
		return setupPath + "?saved=goto#step-goto"
	case setupNextNgrok:
		return setupPath + "?saved=ngrok#step-ngrok"
	}
	return "/settings?saved=1"
}

// nextCookie remembers, across GoTo's login page, where to go after it.
func nextCookie(redirectURI string) string { return stateCookie(redirectURI) + "_next" }

// rememberNext keeps /login?next=… (known places only) for the callback.
func rememberNext(w http.ResponseWriter, r *http.Request, redirectURI string) {
	if r.URL.Query().Get("next") != setupPath {
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: nextCookie(redirectURI), Value: "setup", Path: CallbackPath,
		MaxAge: loginCookieMaxAge, HttpOnly: true, SameSite: http.SameSiteLaxMode,
	})
}

// afterLogin is where the callback sends the browser once logged in: back
// to the setup page when the login started there, else home.
func afterLogin(w http.ResponseWriter, r *http.Request, redirectURI string) string {
	c, err := r.Cookie(nextCookie(redirectURI))
	if err != nil {
		return "/"
	}
	http.SetCookie(w, &http.Cookie{Name: c.Name, Value: "", Path: CallbackPath, MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	if c.Value == "setup" {
		return setupNextLogin
	}
	return "/"
}

// stepsDone counts the steps with nothing left to do.
func stepsDone(v setupView) int {
	n := 0
	for _, st := range []setupStep{v.Client, v.TunnelStep, v.LoginStep} {
		if st.State == stepDone {
			n++
		}
	}
	return n
}
