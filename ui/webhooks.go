package ui

import (
	"net/http"
)

// removeWebhooks serves POST /webhooks/cleanup.
func (s *Server) removeWebhooks(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := accountContext(r)
	defer cancel()
	if err := s.webhooks.Remove(ctx); err != nil {
		return &userError{status: http.StatusBadGateway, title: "Removing the webhooks did not finish",
			msg: "We could not remove our webhooks at GoTo completely; details are in the log. Try again in a moment.", err: err}
	}
	s.log.Info("ui: removed our webhooks at GoTo")
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}

// setUpWebhooks serves POST /webhooks/setup.
func (s *Server) setUpWebhooks(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := accountContext(r)
	defer cancel()
	if err := s.webhooks.SetUp(ctx); err != nil {
		// The status panel says what went wrong, and it is retried.
		s.log.Warn("ui: setting up the webhooks failed", "err", err)
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}

// renewKey serves POST /webhooks/renew-key: GoTo signs with a key we lack,
// so ask it for a new one (older keys keep working for a week).
func (s *Server) renewKey(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := accountContext(r)
	defer cancel()
	if err := s.webhooks.RenewKey(ctx); err != nil {
		return &userError{status: http.StatusBadGateway, title: "The signing key was not renewed",
			msg: renewWords(err), err: err}
	}
	s.log.Info("ui: renewed the webhook signing key at GoTo")
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}
