package ui

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"webinarsync/gotowebinar/catchup"
	"webinarsync/store"
)

// RegistrantControl changes registrations at GoTo during a session: add
// someone by hand, remove someone. Each change is stored here too.
type RegistrantControl interface {
	// CanChange reports whether there is a GoTo login to act with.
	CanChange() bool
	// Add registers someone at GoTo and returns their registrantKey.
	Add(ctx context.Context, webinarKey string, r catchup.NewRegistrant) (string, error)
	// Remove deletes a registration at GoTo and marks it cancelled here.
	Remove(ctx context.Context, webinarKey, registrantKey string) error
}

// registrantActions is what the webinar page needs to offer the changes.
type registrantActions struct {
	Enabled bool   // a RegistrantControl with a login
	Added   string // the registrant just added, by name
	Removed string // the registrant just removed, by name
}

// actionsFor reads what the webinar page offers and the outcome of the
// last change (?added= / ?removed= after its redirect).
func (s *Server) actionsFor(r *http.Request, webinarKey string) registrantActions {
	a := registrantActions{Enabled: s.registrants != nil && s.registrants.CanChange()}
	name := func(key string) string {
		if key == "" {
			return ""
		}
		reg, err := s.store.Registrant(webinarKey, key)
		if err != nil {
			return key
		}
		return strings.TrimSpace(fullName(reg.FirstName, reg.LastName) + " (" + reg.Email + ")")
	}
	q := r.URL.Query()
	a.Added, a.Removed = name(q.Get("added")), name(q.Get("removed"))
	return a
}

// addRegistrant serves POST /webinars/{webinarKey}/registrants.
func (s *Server) addRegistrant(w http.ResponseWriter, r *http.Request) error {
	key := r.PathValue("webinarKey")
	if _, err := s.store.Webinar(key); err != nil {
		return fmt.Errorf("webinar %s: %w", key, err)
	}
	nr := catchup.NewRegistrant{
		FirstName:    strings.TrimSpace(r.PostFormValue("firstName")),
		LastName:     strings.TrimSpace(r.PostFormValue("lastName")),
		Email:        strings.TrimSpace(r.PostFormValue("email")),
		Organization: strings.TrimSpace(r.PostFormValue("organization")),
		JobTitle:     strings.TrimSpace(r.PostFormValue("jobTitle")),
	}
	if nr.FirstName == "" || nr.LastName == "" || !strings.Contains(nr.Email, "@") {
		return &userError{status: http.StatusBadRequest, title: "Registrant not added",
			msg: "GoTo needs a first name, a last name and an e-mail address. Go back and fill them in."}
	}
	ctx, cancel := accountContext(r)
	defer cancel()
	regKey, err := s.registrants.Add(ctx, key, nr)
	if err != nil {
		return actionFailed("Registrant not added", err, true)
	}
	s.log.Info("ui: registrant added at GoTo", "webinar", key, "registrant", regKey)
	http.Redirect(w, r, webinarURL(key)+"?added="+url.QueryEscape(regKey)+"#registrants-h", http.StatusSeeOther)
	return nil
}

// removeView is the confirmation page for removing a registrant.
type removeView struct {
	chrome
	Webinar    store.Webinar
	Registrant store.Registrant
}

// confirmRemove serves GET /webinars/{webinarKey}/registrants/{registrantKey}/remove:
// the step that asks before anything is deleted at GoTo.
func (s *Server) confirmRemove(w http.ResponseWriter, r *http.Request) error {
	key, regKey := r.PathValue("webinarKey"), r.PathValue("registrantKey")
	wb, err := s.store.Webinar(key)
	if err != nil {
		return fmt.Errorf("webinar %s: %w", key, err)
	}
	reg, err := s.store.Registrant(key, regKey)
	if errors.Is(err, store.ErrNotFound) {
		return &userError{status: http.StatusNotFound, title: "Registrant not found",
			msg: "Webinar " + webinarTitle(wb) + " has no registrant with key " + regKey + "."}
	}
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, removePage(removeView{
		chrome: s.chrome("Remove "+fullName(reg.FirstName, reg.LastName), "home"), Webinar: wb, Registrant: reg,
	}))
}

// removeRegistrant serves POST /webinars/{webinarKey}/registrants/{registrantKey}/remove.
func (s *Server) removeRegistrant(w http.ResponseWriter, r *http.Request) error {
	key, regKey := r.PathValue("webinarKey"), r.PathValue("registrantKey")
	if _, err := s.store.Registrant(key, regKey); err != nil {
		return fmt.Errorf("registrant %s of %s: %w", regKey, key, err)
	}
	ctx, cancel := accountContext(r)
	defer cancel()
	if err := s.registrants.Remove(ctx, key, regKey); err != nil {
		return actionFailed("Registrant not removed", err, false)
	}
	s.log.Info("ui: registrant removed at GoTo", "webinar", key, "registrant", regKey)
	http.Redirect(w, r, webinarURL(key)+"?removed="+url.QueryEscape(regKey)+"#registrants-h", http.StatusSeeOther)
	return nil
}

// actionFailed turns a failed change into a page that says why.
func actionFailed(title string, err error, added bool) error {
	return &userError{status: http.StatusBadGateway, title: title, msg: actionWords(err, added), err: err}
}

// minutes says an attendance time in whole minutes: "42 min".
func minutes(seconds int64) string {
	if seconds > 0 && seconds < 60 {
		return "under a minute"
	}
	return num(int(seconds/60)) + " min"
}

// isCancelledStatus reports whether a registration is cancelled already.
func isCancelledStatus(status string) bool {
	return strings.EqualFold(status, "cancelled") || strings.EqualFold(status, "canceled")
}

// removeURL is a registrant's remove confirmation page.
func removeURL(webinarKey, registrantKey string) string {
	return webinarURL(webinarKey) + "/registrants/" + url.PathEscape(registrantKey) + "/remove"
}

// attendeesCSVURL is a webinar's attendees-per-session download.
func attendeesCSVURL(key string) string { return webinarURL(key) + "/attendees.csv" }

// attendeesCSV serves GET /webinars/{webinarKey}/attendees.csv.
func (s *Server) attendeesCSV(w http.ResponseWriter, r *http.Request) error {
	key := r.PathValue("webinarKey")
	if _, err := s.store.Webinar(key); err != nil {
		return fmt.Errorf("webinar %s: %w", key, err)
	}
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="attendees-`+fileSafe(key)+`.csv"`)
	cw := &countingWriter{w: w}
	err := s.store.ExportAttendeesCSV(cw, key)
	switch {
	case err == nil:
		return nil
	case cw.n == 0:
		return fmt.Errorf("export attendees of %s: %w", key, err)
	case r.Context().Err() != nil:
		return nil
	}
	s.log.Error("ui: attendees CSV failed midway", "webinar", key, "bytesSent", cw.n, "err", err)
	panic(http.ErrAbortHandler)
}
