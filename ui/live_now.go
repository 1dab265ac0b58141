package ui

import (
	"fmt"
	"time"

	"webinarsync/store"
)

// Which webinars are live now: the home page marks them with a badge that
// opens their board.

// liveNow reports whether a webinar is happening: someone joined in the
// last ten minutes, or now is inside one of its scheduled times.
func liveNow(w store.Webinar, lastJoin, now time.Time) bool {
	// A join stamped far in the future is a bad clock, not a live webinar.
	if !lastJoin.IsZero() && now.Sub(lastJoin) < liveWindow && !lastJoin.After(now.Add(liveWindow)) {
		return true
	}
	if webinarDeleted(w) {
		return false
	}
	for _, tr := range sessions(w) {
		if during(tr, now) {
			return true
		}
	}
	return false
}

// liveWebinars marks the webinars that are live now.
func (s *Server) liveWebinars(ws []store.Webinar, now time.Time) (map[string]bool, error) {
	last, err := s.store.LastJoinTimes()
	if err != nil {
		return nil, fmt.Errorf("last joins: %w", err)
	}
	live := map[string]bool{}
	for _, w := range ws {
		if liveNow(w, last[w.WebinarKey], now) {
			live[w.WebinarKey] = true
		}
	}
	return live, nil
}

// liveList is the webinars live now, in the list's order.
func (v homeView) liveList() []store.Webinar {
	var out []store.Webinar
	for _, w := range v.Webinars {
		if v.Live[w.WebinarKey] {
			out = append(out, w)
		}
	}
	return out
}
