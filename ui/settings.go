package ui

import (
	"context"
	"net/http"

	"webinarsync/gotowebinar/login"
)

// GoToSettings is what the settings page shows of the OAuth client: never
// the whole secret, only whether one is set and its last characters.
type GoToSettings struct {
	login.ClientSettings
	Simulator bool // the values belong to the built-in simulator
}

// goToSettings reads the OAuth client for the settings and setup pages.
func (s *Server) goToSettings() GoToSettings {
	return GoToSettings{ClientSettings: s.login.ClientSettings(), Simulator: s.demo}
}

// TunnelSettings is the ngrok tunnel as the settings page reads and
// writes it. Values from the environment win and are not saved.
type TunnelSettings interface {
	NgrokSettings() NgrokSettings
	// SaveNgrokSettings keeps the authtoken (empty keeps the saved one) and
	// the static domain, and reconnects a running ngrok tunnel with them.
	SaveNgrokSettings(ctx context.Context, authtoken, domain string) error
}

// NgrokSettings is what the settings page shows; never the whole token.
type NgrokSettings struct {
	TokenSet      bool
	TokenHint     string // the token masked, e.g. "2ab…xyz9"
	TokenFromEnv  bool   // NGROK_AUTHTOKEN is set
	Domain        string
	DomainFromEnv bool // NGROK_DOMAIN is set
	InUse         bool // the app runs the ngrok tunnel now (else: at the next start with -tunnel ngrok)
}

// settingsView is the settings page.
type settingsView struct {
	chrome
	GoToSettings
	Ngrok       *NgrokSettings // nil: no tunnel settings
	RedirectURI string
	Saved       bool
}

// settingsPage serves GET /settings.
func (s *Server) settingsPage(w http.ResponseWriter, r *http.Request) error {
	v := settingsView{
		chrome:       s.chrome("Settings", "settings"),
		GoToSettings: s.goToSettings(),
		RedirectURI:  s.redirectURI(r),
		Saved:        r.URL.Query().Get("saved") == "1",
	}
	if s.tunnelSettings != nil {
		ns := s.tunnelSettings.NgrokSettings()
		v.Ngrok = &ns
	}
	return s.render(w, r, http.StatusOK, settingsPage(v))
}

// saveSettings serves POST /settings.
func (s *Server) saveSettings(w http.ResponseWriter, r *http.Request) error {
	if err := s.login.SaveClientSettings(r.PostFormValue("clientId"), r.PostFormValue("clientSecret")); err != nil {
		return &userError{status: http.StatusInternalServerError, title: "Settings not saved",
			msg: "We could not save your settings; details are in the log.", err: err}
	}
	s.log.Info("ui: GoTo settings saved")
	http.Redirect(w, r, afterSave(r), http.StatusSeeOther)
	return nil
}

// saveNgrokSettings serves POST /settings/ngrok.
func (s *Server) saveNgrokSettings(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := accountContext(r)
	defer cancel()
	if err := s.tunnelSettings.SaveNgrokSettings(ctx, r.PostFormValue("authtoken"), r.PostFormValue("domain")); err != nil {
		return &userError{status: http.StatusInternalServerError, title: "ngrok settings not saved",
			msg: "We could not save or apply your ngrok settings; details are in the log.", err: err}
	}
	s.log.Info("ui: ngrok settings saved")
	http.Redirect(w, r, afterSave(r), http.StatusSeeOther)
	return nil
}

// secretPlaceholder says whether a secret is set without showing it.
func secretPlaceholder(s GoToSettings) string {
	switch {
	case s.ClientSecretSet && s.ClientSecretHint != "":
		return "saved, ending in …" + s.ClientSecretHint
	case s.ClientSecretSet:
		return "saved"
	}
	return "not set"
}

// tokenPlaceholder says whether an ngrok token is saved without showing it.
func tokenPlaceholder(n NgrokSettings) string {
	if n.TokenSet {
		return "saved: " + n.TokenHint
	}
	return "not set"
}
