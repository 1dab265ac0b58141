package ui

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"webinarsync/forward"
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

// OrganizerKeyStatus is the organizer key the catch-up sync and the
// registrant changes need, as the settings page and /api/status show it.
type OrganizerKeyStatus struct {
	Key    string `json:"key"`              // "" when not known
	Source string `json:"source,omitempty"` // "token", "identity", "admin" or "settings"
	From   string `json:"from,omitempty"`   // the source in words, e.g. "from your GoTo profile"
	// Missing says, when the key is not known, why and what to do.
	Missing string `json:"missing,omitempty"`
	// Looking: GoTo is being asked for it now.
	Looking bool `json:"looking,omitempty"`
}

// Pasteable reports whether the settings page offers the field: no key
// is known, or the known one was pasted there. GoTo's own word is not
// overruled.
func (k OrganizerKeyStatus) Pasteable() bool {
	return !k.Looking && (k.Key == "" || k.Source == string(login.KeyFromSettings))
}

// organizerKey is the logged-in organizer's key for the pages; nil when
// logged out (or without a login).
func (s *Server) organizerKey() *OrganizerKeyStatus {
	if s.login == nil {
		return nil
	}
	st := s.login.State()
	if st.Status == login.LoggedOut {
		return nil
	}
	k := organizerKeyWords(st)
	return &k
}

// settingsView is the settings page.
type settingsView struct {
	chrome
	GoToSettings
	Ngrok        *NgrokSettings      // nil: no tunnel settings
	OrganizerKey *OrganizerKeyStatus // nil: logged out
	RedirectURI  string
	Saved        bool
	Keys         []signingKey
	Now          time.Time
	Forward      *forwardSettings // nil: no forwarding in this app
	// RetentionDays is how long raw events and delivery records are kept.
	RetentionDays int
	// RingCentral is the RingCentral section; nil when the app has none.
	RingCentral *rcSettingsView
}

// forwardSettings is the forwarding section of the settings page.
type forwardSettings struct {
	Saved    string // the address saved here
	Target   string // the address in use: -forward-to wins over Saved
	FromFlag bool
	Secret   string // what the organizer's endpoint verifies signatures with
}

// settingsPage serves GET /settings.
func (s *Server) settingsPage(w http.ResponseWriter, r *http.Request) error {
	v := settingsView{
		chrome:       s.chrome("Settings", "settings"),
		GoToSettings: s.goToSettings(),
		OrganizerKey: s.organizerKey(),
		RedirectURI:  s.redirectURI(r),
		Saved:        r.URL.Query().Get("saved") == "1",
		Keys:         s.signingKeys(),
		Now:          s.now(),

		RetentionDays: s.retentionDays(),
	}
	if s.tunnelSettings != nil {
		ns := s.tunnelSettings.NgrokSettings()
		v.Ngrok = &ns
	}
	if s.forward != nil {
		secret, err := s.forward.Secret()
		if err != nil {
			return fmt.Errorf("settings: %w", err)
		}
		st := s.forward.State()
		v.Forward = &forwardSettings{Saved: s.forward.SavedTarget(), Target: st.Target, FromFlag: st.FromFlag, Secret: secret}
	}
	if s.rcSettings != nil {
		v.RingCentral = &rcSettingsView{Settings: s.rcSettings.Settings(), RedirectURI: s.rcRedirectURI(r), Demo: s.demo}
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

// saveOrganizerKey serves POST /settings/organizer: the organizer key
// pasted because GoTo named none ("" forgets it).
func (s *Server) saveOrganizerKey(w http.ResponseWriter, r *http.Request) error {
	err := s.login.SetOrganizerKey(r.PostFormValue("organizerKey"))
	switch {
	case errors.Is(err, login.ErrBadOrganizerKey):
		return &userError{status: http.StatusBadRequest, title: "Organizer key not saved", msg: badOrganizerKeyWords, err: err}
	case err != nil:
		return &userError{status: http.StatusInternalServerError, title: "Organizer key not saved",
			msg: "We could not save the organizer key; details are in the log.", err: err}
	}
	s.log.Info("ui: organizer key saved")
	http.Redirect(w, r, "/settings?saved=1#organizer-key", http.StatusSeeOther)
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

// saveForward serves POST /settings/forward: the forwarding address
// ("" stops forwarding, unless -forward-to is set).
func (s *Server) saveForward(w http.ResponseWriter, r *http.Request) error {
	err := s.forward.SaveTarget(r.PostFormValue("target"))
	switch {
	case errors.Is(err, forward.ErrBadTarget):
		return &userError{status: http.StatusBadRequest, title: "Forwarding address not saved",
			msg: "The forwarding address must be a full http:// or https:// URL, such as https://hooks.zapier.com/hooks/catch/…", err: err}
	case err != nil:
		return &userError{status: http.StatusInternalServerError, title: "Forwarding address not saved",
			msg: "We could not save the forwarding address; details are in the log.", err: err}
	}
	s.log.Info("ui: forwarding address saved")
	http.Redirect(w, r, "/settings?saved=1#forward", http.StatusSeeOther)
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
