package ui

import (
	"errors"
	"net/http"

	"webinarsync/gotowebinar"
)

// logout serves POST /logout: it ends the GoTo session, removing our
// webhooks at GoTo first when the organizer ticked the box, and stays
// logged in if that fails so they can try again.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	removeWebhooks := r.PostFormValue("removeWebhooks") == "on" && s.webhooks != nil
	if removeWebhooks {
		ctx, cancel := accountContext(r)
		defer cancel()
		if err := s.webhooks.Remove(ctx); err != nil && !errors.Is(err, gotowebinar.ErrNotLoggedIn) {
			return &userError{status: http.StatusBadGateway, title: "Logging out did not finish",
				msg: "We could not remove our webhooks at GoTo, so you are still logged in: " +
					describe(gotowebinar.Classify(err), removingWebhooks, ""), err: err}
		}
	}
	if err := s.login.Logout(); err != nil {
		return &userError{status: http.StatusInternalServerError, title: "Logging out did not finish",
			msg: "We could not forget your GoTo login; details are in the log. Try again in a moment.", err: err}
	}
	s.log.Info("ui: logged out of GoTo", "removeWebhooks", removeWebhooks)
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}
