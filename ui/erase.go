package ui

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"webinarsync/store"
)

// Erasing a person, deleting a webinar, and the retention period: each
// asks first on a page of its own, then acts on a POST (cross-origin
// protected like every POST) and says in plain words what it did.

// eraseWait bounds an erasure or deletion with its compaction. It runs on
// when the browser leaves: a half-done erasure is no use to anyone.
const eraseWait = 2 * time.Minute

func eraseContext(r *http.Request) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(r.Context()), eraseWait)
}

// eraseView is the page that asks before a person is erased.
type eraseView struct {
	chrome
	Email      string              // the address erased everywhere; "" for a registration without one
	Name       string              // their name, when known
	Matches    []store.PersonMatch // their registrations, in every webinar
	Webinar    *store.Webinar      // the webinar page it was asked from, if any
	Registrant *store.Registrant   // the registration it was asked from, if any
	Action     string              // where the form posts
}

// confirmErase serves GET /webinars/{webinarKey}/registrants/{registrantKey}/erase.
func (s *Server) confirmErase(w http.ResponseWriter, r *http.Request) error {
	key, regKey := r.PathValue("webinarKey"), r.PathValue("registrantKey")
	wb, reg, err := s.pathRegistrant(key, regKey)
	if err != nil {
		return err
	}
	v := eraseView{Name: fullName(reg.FirstName, reg.LastName), Webinar: &wb, Registrant: &reg, Action: eraseURL(key, regKey)}
	if addr, err := store.NormalizeAddress(reg.Email); err == nil {
		v.Email = reg.Email
		if v.Matches, err = s.store.FindPerson(addr); err != nil {
			return err
		}
	} else {
		v.Matches = []store.PersonMatch{{Webinar: wb, Registrant: reg}}
	}
	v.chrome = s.chrome("Erase "+cmpName(v.Name, v.Email), "home")
	return s.render(w, r, http.StatusOK, erasePage(v))
}

// eraseRegistrant serves POST /webinars/{webinarKey}/registrants/{registrantKey}/erase.
func (s *Server) eraseRegistrant(w http.ResponseWriter, r *http.Request) error {
	key, regKey := r.PathValue("webinarKey"), r.PathValue("registrantKey")
	wb, reg, err := s.pathRegistrant(key, regKey)
	if err != nil {
		return err
	}
	ctx, cancel := eraseContext(r)
	defer cancel()
	er, err := s.store.EraseRegistrant(ctx, key, regKey)
	if err != nil && !errors.Is(err, store.ErrNotCompacted) {
		return err
	}
	s.log.Info("ui: person erased", "webinar", key, "registrant", regKey, "registrations", er.Registrants,
		"events", er.Events, "compacted", er.Compacted)
	who := cmpName(fullName(reg.FirstName, reg.LastName), reg.Email)
	return s.render(w, r, http.StatusOK, erasedPage(erasedView{
		chrome: s.chrome("Erased", "home"), Title: erasedTitle(er, who), Lines: erasureWords(er, true),
		Back: webinarURL(key), BackWords: "Back to " + webinarTitle(wb),
	}))
}

// eraseByAddress serves POST /erase: the settings page's form. Without
// confirm it shows what would be erased and asks; with it, it erases.
func (s *Server) eraseByAddress(w http.ResponseWriter, r *http.Request) error {
	email := strings.TrimSpace(r.PostFormValue("email"))
	addr, err := store.NormalizeAddress(email)
	if err != nil {
		return &userError{status: http.StatusBadRequest, title: "Nothing erased", msg: noAddressWords, err: err}
	}
	if r.PostFormValue("confirm") == "" {
		matches, err := s.store.FindPerson(addr)
		if err != nil {
			return err
		}
		v := eraseView{chrome: s.chrome("Erase "+email, "settings"), Email: email, Matches: matches, Action: "/erase"}
		if len(matches) > 0 {
			v.Name = fullName(matches[0].Registrant.FirstName, matches[0].Registrant.LastName)
		}
		return s.render(w, r, http.StatusOK, erasePage(v))
	}
	ctx, cancel := eraseContext(r)
	defer cancel()
	er, err := s.store.ErasePerson(ctx, addr)
	if err != nil && !errors.Is(err, store.ErrNotCompacted) {
		return err
	}
	s.log.Info("ui: person erased by address", "registrations", er.Registrants, "events", er.Events, "compacted", er.Compacted)
	v := erasedView{chrome: s.chrome("Erased", "settings"), Title: erasedTitle(er, email), Lines: erasureWords(er, true),
		Back: "/", BackWords: "Back to your webinars"}
	if s.login != nil { // the settings page is served
		v.Back, v.BackWords = "/settings#privacy", "Back to the settings"
	}
	return s.render(w, r, http.StatusOK, erasedPage(v))
}

// apiErase serves POST /api/erase (form value email): what `webinarsync
// erase` asks of the running app, answered with the store.Erasure as JSON.
func (s *Server) apiErase(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := eraseContext(r)
	defer cancel()
	er, err := s.store.ErasePerson(ctx, r.PostFormValue("email"))
	switch {
	case errors.Is(err, store.ErrNoAddress):
		return &userError{status: http.StatusBadRequest, title: "Nothing erased", msg: noAddressWords, err: err}
	case err != nil && !errors.Is(err, store.ErrNotCompacted):
		return err
	}
	s.log.Info("ui: person erased for the command line", "registrations", er.Registrants, "events", er.Events, "compacted", er.Compacted)
	writeJSON(w, http.StatusOK, er)
	return nil
}

// deleteView is the page that asks before a webinar is deleted.
type deleteView struct {
	chrome
	Webinar store.Webinar
}

// confirmDeleteWebinar serves GET /webinars/{webinarKey}/delete.
func (s *Server) confirmDeleteWebinar(w http.ResponseWriter, r *http.Request) error {
	key := r.PathValue("webinarKey")
	wb, err := s.store.Webinar(key)
	if err != nil {
		return fmt.Errorf("webinar %s: %w", key, err)
	}
	return s.render(w, r, http.StatusOK, deleteWebinarPage(deleteView{
		chrome: s.chrome("Delete "+webinarTitle(wb), "home"), Webinar: wb,
	}))
}

// deleteWebinar serves POST /webinars/{webinarKey}/delete.
func (s *Server) deleteWebinar(w http.ResponseWriter, r *http.Request) error {
	key := r.PathValue("webinarKey")
	wb, err := s.store.Webinar(key)
	if err != nil {
		return fmt.Errorf("webinar %s: %w", key, err)
	}
	ctx, cancel := eraseContext(r)
	defer cancel()
	er, err := s.store.DeleteWebinar(ctx, key)
	if err != nil && !errors.Is(err, store.ErrNotCompacted) {
		return err
	}
	s.log.Info("ui: webinar deleted", "webinar", key, "registrants", er.Registrants, "events", er.Events, "compacted", er.Compacted)
	return s.render(w, r, http.StatusOK, erasedPage(erasedView{
		chrome: s.chrome("Deleted", "home"), Title: "Deleted " + webinarTitle(wb), Lines: erasureWords(er, false),
		Back: "/", BackWords: "Back to your webinars",
	}))
}

// erasedView says what an erasure or deletion did.
type erasedView struct {
	chrome
	Title     string
	Lines     []string
	Back      string
	BackWords string
}

// saveRetention serves POST /settings/retention.
func (s *Server) saveRetention(w http.ResponseWriter, r *http.Request) error {
	days, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("days")))
	if err == nil {
		err = s.store.SetRetention(days)
	} else {
		err = fmt.Errorf("%q: %w", r.PostFormValue("days"), store.ErrRetentionRange)
	}
	switch {
	case errors.Is(err, store.ErrRetentionRange):
		return &userError{status: http.StatusBadRequest, title: "Retention not saved", msg: retentionRangeWords, err: err}
	case err != nil:
		return &userError{status: http.StatusInternalServerError, title: "Retention not saved",
			msg: "We could not save the retention period; details are in the log.", err: err}
	}
	s.log.Info("ui: retention saved", "days", days)
	http.Redirect(w, r, "/settings?saved=1#privacy", http.StatusSeeOther)
	return nil
}

// retentionDays is the retention period the pages show.
func (s *Server) retentionDays() int {
	ret, err := s.store.Retention()
	if err != nil {
		s.log.Warn("ui: reading the retention period", "err", err)
	}
	return ret.Days
}

// pathRegistrant reads the webinar and registrant a page's path names; a
// registrant the webinar lacks is a 404 in words.
func (s *Server) pathRegistrant(key, regKey string) (store.Webinar, store.Registrant, error) {
	wb, err := s.store.Webinar(key)
	if err != nil {
		return wb, store.Registrant{}, fmt.Errorf("webinar %s: %w", key, err)
	}
	reg, err := s.store.Registrant(key, regKey)
	if errors.Is(err, store.ErrNotFound) {
		return wb, reg, &userError{status: http.StatusNotFound, title: "Registrant not found",
			msg: "Webinar " + webinarTitle(wb) + " has no registrant with key " + regKey + "."}
	}
	return wb, reg, err
}

// cmpName is a person's name, or their address when the name is unknown.
func cmpName(name, email string) string {
	if strings.TrimSpace(name) != "" {
		return name
	}
	if email != "" {
		return email
	}
	return "this registrant"
}

// eraseURL is a registrant's erase confirmation page.
func eraseURL(webinarKey, registrantKey string) string {
	return webinarURL(webinarKey) + "/registrants/" + url.PathEscape(registrantKey) + "/erase"
}

// deleteWebinarURL is a webinar's delete confirmation page.
func deleteWebinarURL(webinarKey string) string { return webinarURL(webinarKey) + "/delete" }
