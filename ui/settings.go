package ui

import (
	"context"
	"net/http"
)

// Settings is the GoTo OAuth client as the settings page reads and writes
// it. Values from the environment win over saved ones and are not saved.
type Settings interface {
	GoToSettings() GoToSettings
	// SaveGoToSettings keeps the client id and secret; an empty secret
	// keeps the saved one.
	SaveGoToSettings(clientID, clientSecret string) error
}

// GoToSettings is what the settings page shows. It never holds the whole
// client secret: only whether one is set and its last characters.
type GoToSettings struct {
	ClientID            string
	ClientIDFromEnv     bool // GOTO_CLIENT_ID is set
	ClientSecretSet     bool
	ClientSecretHint    string // the secret's last 4 characters, "" when too short to hint at safely
	ClientSecretFromEnv bool   // GOTO_CLIENT_SECRET is set
	AuthURL             string
	TokenURL            string
	APIURL              string
	Simulator           bool // the values belong to the built-in simulator
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
	if s.settings == nil {
		return s.notFound(w, r)
	}
	v := settingsView{
		chrome:       s.chrome("Settings", "settings"),
		GoToSettings: s.settings.GoToSettings(),
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
	if s.settings == nil {
		return s.notFound(w, r)
	}
	if err := s.settings.SaveGoToSettings(r.PostFormValue("clientId"), r.PostFormValue("clientSecret")); err != nil {
		return &userError{status: http.StatusInternalServerError, title: "Settings not saved",
			msg: "We could not save your settings; details are in the log.", err: err}
	}
	s.log.Info("ui: GoTo settings saved")
	http.Redirect(w, r, afterSave(r), http.StatusSeeOther)
	return nil
}

// saveNgrokSettings serves POST /settings/ngrok.
func (s *Server) saveNgrokSettings(w http.ResponseWriter, r *http.Request) error {
	if s.tunnelSettings == nil {
		return s.notFound(w, r)
	}
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
