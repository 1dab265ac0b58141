package catchup

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"time"

	"webinarsync/gotowebinar"
	"webinarsync/store"
)

// Registrants makes the registrant changes an organizer asks for during a
// session: at GoTo first, then here, so this computer never shows a
// change GoTo did not make.
type Registrants struct {
	store  *store.Store
	client *gotowebinar.Client
	login  Login
	log    *slog.Logger
}

// NewRegistrants builds Registrants over the same store, client and login
// as the sync.
func NewRegistrants(c Config) *Registrants {
	return &Registrants{store: c.Store, client: c.Client, login: c.Login, log: cmp.Or(c.Logger, slog.New(slog.DiscardHandler))}
}

// NewRegistrant is what the organizer fills in.
type NewRegistrant struct {
	FirstName, LastName, Email, Organization, JobTitle string
}

// SavedAtGoToOnly: GoTo made the change, but keeping it here failed; the
// next sync brings it.
type SavedAtGoToOnly struct{ Err error }

func (e *SavedAtGoToOnly) Error() string {
	return "GoTo made the change, but storing it here failed: " + e.Err.Error()
}
func (e *SavedAtGoToOnly) Unwrap() error { return e.Err }

// CanChange reports whether a login can make changes at GoTo.
func (r *Registrants) CanChange() bool {
	_, ok := r.login.OrganizerKey()
	return ok
}

// organizer is the organizer key to act as.
func (r *Registrants) organizer() (gotowebinar.Key, error) {
	org, ok := r.login.OrganizerKey()
	if !ok {
		return "", gotowebinar.ErrNotLoggedIn
	}
	return org, nil
}

// Add registers someone at GoTo, then stores them with what GoTo answers
// for them (status, join link, registration time).
func (r *Registrants) Add(ctx context.Context, webinarKey string, nr NewRegistrant) (string, error) {
	org, err := r.organizer()
	if err != nil {
		return "", err
	}
	created, err := r.client.CreateRegistrant(ctx, org, gotowebinar.Key(webinarKey), gotowebinar.NewRegistrant{
		FirstName: nr.FirstName, LastName: nr.LastName, Email: nr.Email, Organization: nr.Organization, JobTitle: nr.JobTitle,
		Source: "webinarsync (added by the organizer)",
	}, false)
	if err != nil {
		return "", fmt.Errorf("registering at GoTo: %w", err)
	}
	now := time.Now()
	reg, err := r.client.GetRegistrant(ctx, org, gotowebinar.Key(webinarKey), created.RegistrantKey)
	detailed := err == nil
	if !detailed {
		// Registered at GoTo all the same: store what we sent; the next
		// sync completes it.
		r.log.Warn("reading back a registrant we added", "webinar", webinarKey, "registrant", created.RegistrantKey, "err", err)
		reg = gotowebinar.Registrant{
			RegistrantKey: created.RegistrantKey, FirstName: nr.FirstName, LastName: nr.LastName, Email: nr.Email,
			Organization: nr.Organization, JobTitle: nr.JobTitle, JoinURL: created.JoinURL,
			RegistrationDate: gotowebinar.Time{Time: now},
		}
	}
	if _, err := r.store.MergeRegistrants(webinarKey, []gotowebinar.Registrant{reg}, now, detailed); err != nil {
		return "", &SavedAtGoToOnly{Err: err}
	}
	r.log.Info("registrant added at GoTo", "webinar", webinarKey, "registrant", created.RegistrantKey)
	return string(created.RegistrantKey), nil
}

// Remove deletes a registration at GoTo, then marks it cancelled here
// (everything known about them stays).
func (r *Registrants) Remove(ctx context.Context, webinarKey, registrantKey string) error {
	org, err := r.organizer()
	if err != nil {
		return err
	}
	err = r.client.DeleteRegistrant(ctx, org, gotowebinar.Key(webinarKey), gotowebinar.Key(registrantKey))
	if err != nil && !gotowebinar.IsNotFound(err) { // already gone at GoTo: mark it here too
		return fmt.Errorf("removing at GoTo: %w", err)
	}
	if err := r.store.MarkRegistrantRemoved(webinarKey, registrantKey, time.Now()); err != nil {
		return &SavedAtGoToOnly{Err: err}
	}
	r.log.Info("registrant removed at GoTo", "webinar", webinarKey, "registrant", registrantKey)
	return nil
}
