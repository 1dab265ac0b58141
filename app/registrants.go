package app

import (
	"context"
	"errors"
	"net/http"
	"time"

	"webinarsync/gotowebinar"
	"webinarsync/ui"
)

// Registrant changes an organizer makes during a session (ui.RegistrantControl):
// made at GoTo first, then stored here, so this computer never shows a
// change GoTo did not make.

// CanChangeRegistrants reports whether a login can make changes at GoTo.
func (a *goToAccount) CanChangeRegistrants() bool {
	_, ok := a.organizerKey()
	return ok
}

// AddRegistrant registers someone at GoTo, then stores them with what
// GoTo answers for them (status, join link, registration time).
func (a *goToAccount) AddRegistrant(ctx context.Context, webinarKey string, nr ui.NewRegistrant) (string, error) {
	org, ok := a.organizerKey()
	if !ok {
		return "", &ui.ActionError{Words: "Log in to GoTo first: webinarsync registers people at GoTo, not only here.", Err: errNotLoggedIn}
	}
	created, err := a.client.CreateRegistrant(ctx, org, gotowebinar.Key(webinarKey), gotowebinar.NewRegistrant{
		FirstName: nr.FirstName, LastName: nr.LastName, Email: nr.Email, Organization: nr.Organization, JobTitle: nr.JobTitle,
		Source: "webinarsync (added by the organizer)",
	}, false)
	if err != nil {
		return "", &ui.ActionError{Words: registrantActionWords(err, "registered"), Err: err}
	}
	now := time.Now()
	reg, err := a.client.GetRegistrant(ctx, org, gotowebinar.Key(webinarKey), created.RegistrantKey)
	detailed := err == nil
	if !detailed {
		// Registered at GoTo all the same: store what we sent; the next
		// sync completes it.
		a.log.Warn("reading back a registrant we added", "webinar", webinarKey, "registrant", created.RegistrantKey, "err", err)
		reg = gotowebinar.Registrant{
			RegistrantKey: created.RegistrantKey, FirstName: nr.FirstName, LastName: nr.LastName, Email: nr.Email,
			Organization: nr.Organization, JobTitle: nr.JobTitle, JoinURL: created.JoinURL,
			RegistrationDate: gotowebinar.Time{Time: now},
		}
	}
	if _, err := a.store.MergeRegistrants(webinarKey, []gotowebinar.Registrant{reg}, now, detailed); err != nil {
		return "", &ui.ActionError{Words: "GoTo registered them, but saving them here failed; the next sync adds them.", Err: err}
	}
	a.log.Info("registrant added at GoTo", "webinar", webinarKey, "registrant", created.RegistrantKey)
	return string(created.RegistrantKey), nil
}

// RemoveRegistrant deletes a registration at GoTo, then marks it
// cancelled here (everything known about them stays).
func (a *goToAccount) RemoveRegistrant(ctx context.Context, webinarKey, registrantKey string) error {
	org, ok := a.organizerKey()
	if !ok {
		return &ui.ActionError{Words: "Log in to GoTo first: the registration is removed at GoTo, not only here.", Err: errNotLoggedIn}
	}
	err := a.client.DeleteRegistrant(ctx, org, gotowebinar.Key(webinarKey), gotowebinar.Key(registrantKey))
	if err != nil && !gotowebinar.IsNotFound(err) { // already gone at GoTo: mark it here too
		return &ui.ActionError{Words: registrantActionWords(err, "removed"), Err: err}
	}
	if err := a.store.MarkRegistrantRemoved(webinarKey, registrantKey, time.Now()); err != nil {
		return &ui.ActionError{Words: "GoTo removed them, but marking them here failed; details are in the log.", Err: err}
	}
	a.log.Info("registrant removed at GoTo", "webinar", webinarKey, "registrant", registrantKey)
	return nil
}

// registrantActionWords says why GoTo did not register or remove someone.
func registrantActionWords(err error, done string) string {
	var apiErr *gotowebinar.APIError
	switch {
	case errors.As(err, &apiErr) && apiErr.Status == http.StatusConflict:
		return "GoTo says this e-mail address is registered already."
	case errors.As(err, &apiErr) && apiErr.Status == http.StatusBadRequest && apiErr.Message != "":
		return "GoTo refused: " + apiErr.Message + "."
	case gotowebinar.IsNotFound(err):
		return "GoTo does not know this webinar (cancelled, or of another organizer)."
	}
	return "They were not " + done + " at GoTo: " + syncProblemWords(err)
}
