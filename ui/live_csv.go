package ui

import (
	"net/url"
)

// The board's download: the no-shows of the session shown, as the
// registrants CSV with the same columns (served by noShows in csv.go).

// noShowsCSVURL is the download of the no-shows shown (filter included).
func (v liveView) noShowsCSVURL() string {
	q := url.Values{}
	setIf(q, "session", v.Session)
	setIf(q, "q", v.Filter)
	return withQuery(webinarURL(v.Webinar.WebinarKey)+"/noshows.csv", q)
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

// othersCSVURL is the download of the registrants of status who did not
// join the session shown (filter included).
func (v liveView) othersCSVURL(status string) string {
	q := url.Values{}
	setIf(q, "session", v.Session)
	setIf(q, "q", v.Filter)
	q.Set("status", status)
	return withQuery(webinarURL(v.Webinar.WebinarKey)+"/noshows.csv", q)
}
