package ui

import (
	"net/http"
	"net/url"
	"strings"

	"webinarsync/store"
)

// The board's download: the no-shows of the session shown, as the
// registrants CSV (exportCSV) with the same columns.

// noShowsCSVURL is the download of the no-shows shown (filter included).
func (v liveView) noShowsCSVURL() string {
	q := url.Values{}
	setIf(q, "session", v.Session)
	setIf(q, "q", v.Filter)
	return withQuery(webinarURL(v.Webinar.WebinarKey)+"/noshows.csv", q)
}

// noShowsCSV serves GET /webinars/{webinarKey}/noshows.csv: the registrants
// who did not join the session (?session=, default the latest), matching ?q=.
func (s *Server) noShowsCSV(w http.ResponseWriter, r *http.Request) error {
	key := r.PathValue("webinarKey")
	q := r.URL.Query()
	session, err := s.csvSession(key, strings.TrimSpace(q.Get("session")))
	if err != nil {
		return err
	}
	return s.exportCSV(w, r, key, noShowsFilename(key, session), store.RegistrantQuery{
		NotJoined: true, Session: session, Search: strings.TrimSpace(q.Get("q")),
	})
}

// csvSession is the session a download is of: the one asked for, else the
// latest, as on the board. It fails for an unknown webinar.
func (s *Server) csvSession(key, session string) (string, error) {
	if session != "" {
		_, err := s.knownWebinar(key)
		return session, err
	}
	b, err := s.loadBoard(key) // only to find the latest session
	if err != nil {
		return "", err
	}
	return b.resolve(""), nil
}

// noShowsFilename names the download after the webinar and session, so
// the downloads of a series' sessions do not overwrite one another.
func noShowsFilename(key, session string) string {
	name := "noshows-" + fileSafe(key)
	if session != "" {
		name += "-session-" + fileSafe(session)
	}
	return name + ".csv"
}
