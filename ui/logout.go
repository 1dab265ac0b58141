package ui

import (
	"net/http"
)

// logout serves POST /logout: it ends the GoTo session, removing our
// webhooks at GoTo too when the organizer ticked the box.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	if s.account != nil {
		removeWebhooks := r.PostFormValue("removeWebhooks") == "on"
		ctx, cancel := accountContext(r)
		defer cancel()
		if err := s.account.Logout(ctx, removeWebhooks); err != nil {
			return &userError{
				status: http.StatusBadGateway,
				title:  "Logging out did not finish",
				msg:    "We could not log you out of GoTo completely; details are in the log. Try again in a moment.",
				err:    err,
			}
		}
		s.log.Info("ui: logged out of GoTo", "removeWebhooks", removeWebhooks)
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}
