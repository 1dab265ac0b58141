package ui

import (
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

// settingsView is the settings page.
type settingsView struct {
	chrome
	GoToSettings
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
	http.Redirect(w, r, "/settings?saved=1", http.StatusSeeOther)
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
