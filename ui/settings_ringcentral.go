package ui

import (
	"cmp"
	"context"
	"errors"
	"net/http"

	"webinarsync/ringcentral"
	rclogin "webinarsync/ringcentral/login"
)

// RingCentralSettingsPath is where the settings page's RingCentral form
// posts.
const RingCentralSettingsPath = "/settings/ringcentral"

// RingCentralSettings is the app's RingCentral credentials as the
// settings page reads and writes them; *rclogin.Login is one. Values from
// the environment win and are not saved.
type RingCentralSettings interface {
	Settings() rclogin.Settings
	SetSettings(rclogin.SettingsUpdate) error
	// LogInWithJWT logs in with the JWT credential, right after one is saved.
	LogInWithJWT(ctx context.Context) error
}

// rcSettingsView is the RingCentral section of the settings page: never a
// whole secret or JWT, only whether one is set and its last characters.
type rcSettingsView struct {
	rclogin.Settings
	RedirectURI string
	Demo        bool // the values belong to the built-in stand-in
}

// NextStart says the saved server URL differs from the one in use, which
// the app's RingCentral client keeps until the next start.
func (v rcSettingsView) NextStart() bool {
	return !v.ServerURLFromEnv && cmp.Or(v.SavedServerURL, ringcentral.DefaultServerURL) != v.ServerURL
}

// Saved reports whether the page holds anything to forget.
func (v rcSettingsView) Saved() bool {
	return v.SavedServerURL != "" || (!v.ClientIDFromEnv && v.ClientID != "") ||
		(!v.ClientSecretFromEnv && v.ClientSecretSet) || (!v.JWTFromEnv && v.JWTSet)
}

// saveRingCentralSettings serves POST /settings/ringcentral. A JWT typed
// here, or one already set while logged out, logs in right away, so the
// home page shows the result.
func (s *Server) saveRingCentralSettings(w http.ResponseWriter, r *http.Request) error {
	u := rclogin.SettingsUpdate{ClientID: r.PostFormValue("clientId"), ClientSecret: r.PostFormValue("clientSecret"),
		JWT: r.PostFormValue("jwt"), ServerURL: r.PostFormValue("serverUrl"), Forget: r.PostFormValue("forget") == "1"}
	err := s.rcSettings.SetSettings(u)
	switch {
	case errors.Is(err, rclogin.ErrBadServerURL):
		return &userError{status: http.StatusBadRequest, title: "RingCentral settings not saved",
			msg: "The server URL must be a full address such as https://platform.ringcentral.com, or empty for RingCentral's own.", err: err}
	case err != nil:
		return &userError{status: http.StatusInternalServerError, title: "RingCentral settings not saved",
			msg: "We could not save your RingCentral settings; details are in the log.", err: err}
	}
	s.log.Info("ui: RingCentral settings saved", "forget", u.Forget)
	if u.Forget {
		s.forgetRingCentralLogin(r)
	}
	if !u.Forget && s.wantsJWTLogin(u) {
		ctx, cancel := accountContext(r)
		defer cancel()
		if err := s.rcSettings.LogInWithJWT(ctx); err != nil {
			return &userError{status: http.StatusBadGateway, title: "Saved, but the JWT login failed",
				msg: "Your RingCentral settings are saved, but logging in with the JWT credential failed. " +
					rcProblemWords(ringcentral.Classify(err)) + " Check the client id, secret and JWT on the settings page.", err: err}
		}
		s.log.Info("ui: logged in to RingCentral with the JWT credential")
	}
	http.Redirect(w, r, "/settings?saved=1#ringcentral", http.StatusSeeOther)
	return nil
}

// forgetRingCentralLogin logs out of RingCentral when its credentials are
// forgotten: our subscription would otherwise deliver to a path that now
// answers 404 until RingCentral blacklisted it. It is deleted first, while
// the login still works; a failure of either is logged, not shown.
func (s *Server) forgetRingCentralLogin(r *http.Request) {
	if s.rcLogin == nil || s.rcLogin.State().Status == rclogin.LoggedOut {
		return
	}
	ctx, cancel := accountContext(r)
	defer cancel()
	if c, ok := s.ringCentral.(ringCentralCleanup); ok {
		if err := c.Cleanup(ctx); err != nil {
			s.log.Warn("ui: could not delete our RingCentral subscription when its settings were forgotten", "err", err)
		}
	}
	if err := s.rcLogin.Logout(ctx); err != nil {
		s.log.Warn("ui: could not log out of RingCentral when its settings were forgotten", "err", err)
	}
}

// wantsJWTLogin: a JWT was typed, or one is set and nobody is logged in,
// and there is a client id to log in with.
func (s *Server) wantsJWTLogin(u rclogin.SettingsUpdate) bool {
	if s.rcLogin == nil {
		return false
	}
	st := s.rcLogin.State()
	typed := u.JWT != ""
	return st.Configured && st.JWT && (typed || st.Status != rclogin.LoggedIn)
}

// rcHintPlaceholder says whether a secret or JWT is set without showing it.
func rcHintPlaceholder(set bool, hint string) string {
	switch {
	case set && hint != "":
		return "saved, ending in …" + hint
	case set:
		return "saved"
	}
	return "not set"
}
