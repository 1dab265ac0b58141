package ui

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"webinarsync/store"
	"webinarsync/tunnel"
)

// The live board: GET /webinars/{webinarKey}/live shows one session as it
// happens. Its parts live beside this file: the board model
// (live_board.go), the timeline (live_timeline.go), the no-shows download
// (live_csv.go), the stream's messages (live_messages.go), the stream
// (livestream.go) and the broker that feeds it (broker.go).

const (
	// liveJoinsShown is how many of the latest joins the board lists.
	liveJoinsShown = 50
	// noShowsShown is how many no-shows the board lists; the CSV has all.
	noShowsShown = 100
	// fullJoinsShown is how many joins the full screen lists: as many as
	// fit a projected screen without scrolling.
	fullJoinsShown = 8
)

// liveURL is a webinar's live board.
func liveURL(key string) string { return webinarURL(key) + "/live" }

// liveSessionURL is the board of one session.
func liveSessionURL(key, session string) string {
	q := url.Values{}
	setIf(q, "session", session)
	return withQuery(liveURL(key), q)
}

// setIf sets q's key to value unless value is empty, which the board
// reads as "not given".
func setIf(q url.Values, key, value string) {
	if value != "" {
		q.Set(key, value)
	}
}

// withQuery is u with the query q, if any.
func withQuery(u string, q url.Values) string {
	if len(q) == 0 {
		return u
	}
	return u + "?" + q.Encode()
}

// liveView is the live board page.
type liveView struct {
	chrome
	Now         time.Time
	Webinar     store.Webinar
	LiveNow     bool
	Sessions    []sessionSeen
	Scheduled   int    // scheduled times
	Session     string // the session shown; "" while nobody joined
	Picked      bool   // chosen with ?session, so the board stays on it
	Stats       boardStats
	Joins       []liveJoin // the latest, newest first
	Timeline    timeline
	Filter      string             // the no-shows search
	NoShows     []store.Registrant // approved registrants who did not join: the ones expected
	NoShowTotal int                // no-shows matching Filter
	// Others are the registrants of any other status (waiting, denied,
	// cancelled) who did not join, listed apart as the download does.
	Others    []otherNoShows
	Pipe      pipeView
	StreamURL string
	Full      bool // ?full=1: big numbers and the latest joins, nothing else
}

// live serves GET /webinars/{webinarKey}/live.
func (s *Server) live(w http.ResponseWriter, r *http.Request) error {
	key := r.PathValue("webinarKey")
	b, err := s.loadBoard(key)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	v := newLiveView(b, strings.TrimSpace(q.Get("session")), strings.TrimSpace(q.Get("q")))
	v.chrome = s.chrome("Live: "+webinarTitle(b.Webinar), "home")
	v.Full = q.Get("full") == "1"
	v.chrome.Bare = v.Full
	if err := s.fillLists(&v, b); err != nil {
		return err
	}
	if v.Pipe, err = s.pipe(r); err != nil {
		return err
	}
	if v.Full {
		v.Joins = v.Joins[:min(len(v.Joins), fullJoinsShown)]
		return s.render(w, r, http.StatusOK, liveFullPage(v))
	}
	return s.render(w, r, http.StatusOK, livePage(v))
}

// newLiveView is what the board shows of session picked ("" = the latest)
// that the joins alone tell; fillLists and pipe add the rest.
func newLiveView(b *board, picked, filter string) liveView {
	v := liveView{
		Now:       b.Now,
		Webinar:   b.Webinar,
		LiveNow:   liveNow(b.Webinar, b.lastJoin(), b.Now),
		Sessions:  b.Sessions,
		Scheduled: len(sessions(b.Webinar)),
		Session:   b.resolve(picked),
		Picked:    picked != "",
		Filter:    filter,
	}
	v.Stats = b.stats(v.Session)
	v.Timeline = b.timeline(v.Session)
	v.StreamURL = v.streamURL(b.maxSeq())
	return v
}

// fillLists reads the latest joins, with their organizations, and the
// no-shows matching the filter.
func (s *Server) fillLists(v *liveView, b *board) error {
	key := v.Webinar.WebinarKey
	latest := b.sessionJoins(v.Session)
	latest = latest[:min(len(latest), liveJoinsShown)]
	var err error
	if v.Joins, err = s.withOrganizations(key, latest); err != nil {
		return err
	}
	q := store.NoShowsQuery(v.Session, v.Filter, "")
	q.Limit = noShowsShown
	v.NoShows, v.NoShowTotal, err = s.store.Registrants(key, q)
	if err != nil {
		return fmt.Errorf("no-shows of %s: %w", key, err)
	}
	if v.Filter == "" {
		v.Stats.NoShows = v.NoShowTotal
	} else if v.Stats.NoShows, err = s.noShowCount(key, v.Session); err != nil {
		return err
	}
	statuses, err := s.store.Statuses(key)
	if err != nil {
		return fmt.Errorf("statuses of %s: %w", key, err)
	}
	for _, status := range statuses {
		if strings.EqualFold(status, store.StatusApproved) {
			continue
		}
		q := store.NoShowsQuery(v.Session, v.Filter, status)
		q.Limit = noShowsShown
		o := otherNoShows{Status: status}
		if o.People, o.Total, err = s.store.Registrants(key, q); err != nil {
			return fmt.Errorf("%s registrants of %s who did not join: %w", status, key, err)
		}
		if o.Total > 0 {
			v.Others = append(v.Others, o)
		}
	}
	return nil
}

// otherNoShows are the registrants of one status other than approved who
// did not join: never expected, so no no-shows.
type otherNoShows struct {
	Status string
	People []store.Registrant // up to noShowsShown
	Total  int
}

// noShowCount is how many approved registrants did not join session.
func (s *Server) noShowCount(key, session string) (int, error) {
	q := store.NoShowsQuery(session, "", "")
	q.Limit = 1
	_, n, err := s.store.Registrants(key, q)
	if err != nil {
		return 0, fmt.Errorf("no-shows of %s: %w", key, err)
	}
	return n, nil
}

// streamURL is the board's stream, picking up after seq: the newest join
// the page shows.
func (v liveView) streamURL(seq uint64) string {
	q := url.Values{"lastEventId": {strconv.FormatUint(seq, 10)}}
	setIf(q, "session", v.Session)
	if !v.Picked {
		q.Set("follow", "1")
	}
	return withQuery(liveURL(v.Webinar.WebinarKey)+"/events", q)
}

// fullURL is this board in full screen; normalURL leaves it.
func (v liveView) fullURL() string {
	q := url.Values{}
	setIf(q, "session", pickedSession(v))
	q.Set("full", "1")
	return withQuery(liveURL(v.Webinar.WebinarKey), q)
}

func (v liveView) normalURL() string {
	return liveSessionURL(v.Webinar.WebinarKey, pickedSession(v))
}

// picker reports whether the board offers a choice of sessions.
func (v liveView) picker() bool { return len(v.Sessions) > 1 || v.Scheduled > 1 }

// shownSession is the session shown, if the board shows one.
func (v liveView) shownSession() (sessionSeen, bool) {
	for _, ss := range v.Sessions {
		if ss.Key == v.Session {
			return ss, true
		}
	}
	return sessionSeen{}, false
}

// pickedSession is the session the board was asked for, "" when it follows the latest.
func pickedSession(v liveView) string {
	if v.Picked {
		return v.Session
	}
	return ""
}

// liveJoin is a join as the board lists it.
type liveJoin struct {
	store.Join
	Organization string
}

// withOrganizations adds each joiner's organization, from their registration.
func (s *Server) withOrganizations(key string, joins []store.Join) ([]liveJoin, error) {
	out := make([]liveJoin, 0, len(joins))
	orgs := map[string]string{}
	for _, j := range joins {
		org, ok := orgs[j.RegistrantKey]
		if !ok {
			r, err := s.store.Registrant(key, j.RegistrantKey)
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return nil, fmt.Errorf("registrant %s: %w", j.RegistrantKey, err)
			}
			org = r.Organization
			orgs[j.RegistrantKey] = org
		}
		out = append(out, liveJoin{Join: j, Organization: org})
	}
	return out, nil
}

// pipeView is the state of the path from GoTo to this board.
type pipeView struct {
	Now          time.Time
	Tunnel       tunnel.State
	Webhooks     int
	Active       int
	LastDelivery time.Time
	Ready        bool
	ReadyWords   string
	// RingCentral is set on a RingCentral webinar's board: its
	// subscription, not GoTo's webhooks, is what brings its events.
	RingCentral *RingCentralStatus
}

func (s *Server) pipe(r *http.Request) (pipeView, error) {
	snap, err := s.snapshot(r)
	if err != nil {
		return pipeView{}, err
	}
	p := pipeView{Now: s.now(), Tunnel: snap.Tunnel, Webhooks: len(snap.Webhooks), LastDelivery: snap.LastDelivery}
	for _, wh := range snap.Webhooks {
		if strings.EqualFold(wh.ActivationState, "ACTIVE") {
			p.Active++
		}
	}
	p.Ready, p.ReadyWords = snap.readiness(s.demo)
	if rc := snap.RingCentral; rc != nil && store.ProviderOf(r.PathValue("webinarKey")) != store.ProviderGoTo {
		p.RingCentral = rc
		p.Ready, p.ReadyWords = rc.Subscribed, rc.StateWords
		if rc.Problem != "" {
			p.ReadyWords = rc.Problem
		}
	}
	return p, nil
}

// webhooksWords says how many webhooks deliver.
func (p pipeView) webhooksWords() string {
	switch {
	case p.Webhooks == 0:
		return "none set up"
	case p.Active == p.Webhooks:
		return "all " + itoa(p.Webhooks) + " active"
	}
	return itoa(p.Active) + " of " + itoa(p.Webhooks) + " active"
}

// clock is a join's time: the time of day when it is today, else the date too.
func clock(now, t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	if sameUTCDay(t, now) {
		return t.UTC().Format("15:04:05 UTC")
	}
	return t.UTC().Format("Mon 2 Jan, 15:04:05 UTC")
}

// pipeDot colours a pipe state's dot.
func pipeDot(ok bool) string {
	if ok {
		return "dot-ok"
	}
	return "dot-warn"
}

func boolAttr(b bool) string { return strconv.FormatBool(b) }
