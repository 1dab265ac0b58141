package ui

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"webinarsync/gotowebinar"
	"webinarsync/store"
)

// The board model: a webinar's joins grouped into sessions, and the figures
// of one session. The page (live.go) and the stream (livestream.go,
// broker.go) both render from it, so they always agree.

const (
	// liveWindow: a webinar with a join this recent is live now.
	liveWindow = 10 * time.Minute
	// recentWindow is the "joins in the last 5 minutes" figure's window.
	recentWindow = 5 * time.Minute
	// scheduleSlack: a session's first join this long before a scheduled
	// start still belongs to that scheduled time (people come early).
	scheduleSlack = time.Hour
)

// sessionSeen is one session of a webinar as its joins show it.
type sessionSeen struct {
	Key         string
	First, Last time.Time // first and latest join
	Joins       int
	People      int
	Scheduled   gotowebinar.TimeRange // the scheduled time it falls in; zero if none
}

// Label names the session in the picker.
func (s sessionSeen) Label() string {
	if !s.Scheduled.StartTime.IsZero() {
		return span(s.Scheduled.StartTime.Time, s.Scheduled.EndTime.Time)
	}
	return "Started " + when(s.First)
}

// board is what a live board is computed from: the webinar and all its joins.
type board struct {
	Now      time.Time
	Webinar  store.Webinar
	Joins    []store.Join // newest join time first
	Sessions []sessionSeen
}

// knownWebinar reads a webinar; a missing one is store.ErrNotFound, a 404.
func (s *Server) knownWebinar(key string) (store.Webinar, error) {
	w, err := s.store.Webinar(key)
	if err != nil {
		return w, fmt.Errorf("webinar %s: %w", key, err)
	}
	return w, nil
}

// loadBoard reads a webinar and its joins.
func (s *Server) loadBoard(key string) (*board, error) {
	w, err := s.knownWebinar(key)
	if err != nil {
		return nil, err
	}
	joins, err := s.store.Joins(key, 0)
	if err != nil {
		return nil, fmt.Errorf("joins of %s: %w", key, err)
	}
	return newBoard(w, joins, s.now()), nil
}

func newBoard(w store.Webinar, joins []store.Join, now time.Time) *board {
	b := &board{Now: now, Webinar: w, Joins: joins}
	for _, ss := range groupSessions(joins) {
		ss.Scheduled = scheduledFor(w, ss.First)
		b.Sessions = append(b.Sessions, *ss)
	}
	// Latest session first.
	slices.SortFunc(b.Sessions, func(x, y sessionSeen) int {
		if c := y.First.Compare(x.First); c != 0 {
			return c
		}
		return strings.Compare(x.Key, y.Key)
	})
	return b
}

// groupSessions sums up the joins of each session, in no particular order.
func groupSessions(joins []store.Join) []*sessionSeen {
	byKey := map[string]*sessionSeen{}
	people := map[string]map[string]bool{}
	var out []*sessionSeen
	for _, j := range joins {
		ss := byKey[j.SessionKey]
		if ss == nil {
			ss = &sessionSeen{Key: j.SessionKey, First: j.JoinTime, Last: j.JoinTime}
			byKey[j.SessionKey] = ss
			people[j.SessionKey] = map[string]bool{}
			out = append(out, ss)
		}
		ss.Joins++
		if j.JoinTime.Before(ss.First) {
			ss.First = j.JoinTime
		}
		if j.JoinTime.After(ss.Last) {
			ss.Last = j.JoinTime
		}
		people[j.SessionKey][j.RegistrantKey] = true
		ss.People = len(people[j.SessionKey])
	}
	return out
}

// showsJoin reports whether a board showing session lists a join of
// joinSession: every join while it shows none yet ("").
func showsJoin(session, joinSession string) bool {
	return session == "" || joinSession == session
}

// during reports whether now is inside the scheduled time tr.
func during(tr gotowebinar.TimeRange, now time.Time) bool {
	return !tr.StartTime.IsZero() && !now.Before(tr.StartTime.Time) && now.Before(tr.EndTime.Time)
}

// scheduledFor is the scheduled time a session whose first join was at
// first belongs to: the latest one starting at most scheduleSlack after it
// and not over before it.
func scheduledFor(w store.Webinar, first time.Time) gotowebinar.TimeRange {
	var best gotowebinar.TimeRange
	for _, tr := range sessions(w) {
		start, end := tr.StartTime.Time, tr.EndTime.Time
		if start.IsZero() || first.Before(start.Add(-scheduleSlack)) || (!end.IsZero() && first.After(end)) {
			continue
		}
		if best.StartTime.IsZero() || start.After(best.StartTime.Time) {
			best = tr
		}
	}
	return best
}

// resolve turns a requested session into the one shown: the latest when
// none is asked for ("" while nobody has joined).
func (b *board) resolve(session string) string {
	if session == "" && len(b.Sessions) > 0 {
		return b.Sessions[0].Key
	}
	return session
}

// session returns what the joins say about a session (zero if none yet).
func (b *board) session(key string) sessionSeen {
	for _, ss := range b.Sessions {
		if ss.Key == key {
			return ss
		}
	}
	return sessionSeen{Key: key}
}

// sessionJoins are the joins of a session, newest first; every join when
// key is "" (nobody has joined yet, so there are none).
func (b *board) sessionJoins(key string) []store.Join {
	var out []store.Join
	for _, j := range b.Joins {
		if showsJoin(key, j.SessionKey) {
			out = append(out, j)
		}
	}
	return out
}

// lastJoin is the newest join's time, zero before the first.
func (b *board) lastJoin() time.Time {
	if len(b.Joins) == 0 {
		return time.Time{}
	}
	return b.Joins[0].JoinTime
}

// maxSeq is the newest delivery among the webinar's joins: the stream
// picks up after it.
func (b *board) maxSeq() uint64 {
	var m uint64
	for _, j := range b.Joins {
		m = max(m, j.Seq)
	}
	return m
}

// boardStats are the big numbers of one session.
type boardStats struct {
	Registered int
	Joined     int // distinct registrants who joined the session
	Joins      int // joins, rejoins included
	Recent     int // joins in the last five minutes
	NoShows    int
	Upcoming   time.Time // the first scheduled start, while in the future and nobody joined
	Unknown    bool      // nobody joined and no session has started: no rate to show
	Now        time.Time
}

func (b *board) stats(key string) boardStats {
	st := boardStats{Registered: b.Webinar.Registrants, Now: b.Now}
	people := map[string]bool{}
	for _, j := range b.sessionJoins(key) {
		st.Joins++
		people[j.RegistrantKey] = true
		// A minute ahead still counts: GoTo's clock and ours differ a little.
		if d := b.Now.Sub(j.JoinTime); d >= -time.Minute && d < recentWindow {
			st.Recent++
		}
	}
	st.Joined = len(people)
	st.NoShows = max(st.Registered-st.Joined, 0)
	if st.Joins == 0 && upcoming(b.Webinar, b.Now) {
		st.Upcoming = firstStart(b.Webinar)
	}
	st.Unknown = st.Joins == 0 && st.Upcoming.IsZero() && !attendanceKnown(b.Webinar, b.Now)
	return st
}

// sessionLive reports whether a session is going on now.
func (b *board) sessionLive(ss sessionSeen) bool {
	if !ss.Last.IsZero() && b.Now.Sub(ss.Last) < liveWindow {
		return true
	}
	return during(ss.Scheduled, b.Now)
}
