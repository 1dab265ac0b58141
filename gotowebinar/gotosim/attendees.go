package gotosim

import "net/http"

// listWebinarAttendees serves GET …/webinars/{webinarKey}/attendees
// (getAttendeesForAllWebinarSessions): who attended any started session of
// the webinar, one row per registrant and session, paged by page and size
// in GoTo's HAL shape. Rows go session by session in the order they began,
// and within one in registration order, so pages are stable while nothing
// changes.
func (s *Sim) listWebinarAttendees(w http.ResponseWriter, r *http.Request) {
	if !s.organizer(w, r) {
		return
	}
	page, size, ok := paging(w, r, "size")
	if !ok {
		return
	}
	g := s.gen
	g.mu.Lock()
	ws := s.webinarFor(w, r)
	if ws == nil {
		g.mu.Unlock()
		return
	}
	now := g.now().UTC()
	var all []map[string]any
	for _, sess := range startedSessions(ws, now) {
		for _, a := range ws.attendanceLocked(sess.Key, now) {
			all = append(all, attendeeJSON(ws, sess.Key, a))
		}
	}
	g.mu.Unlock()
	body := map[string]any{"page": pageJSON(page, size, len(all))}
	if items := window(all, page, size); len(items) > 0 {
		// GoTo leaves _embedded out of an empty page.
		body["_embedded"] = map[string]any{"attendeeParticipationResponses": items}
	}
	writeJSON(w, http.StatusOK, body)
}
