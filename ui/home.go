package ui

import (
	"fmt"
	"net/http"
	"slices"
	"time"

	"webinarsync/store"
	"webinarsync/tunnel"
)

// homePoll is how often refresh.js checks the home page's status again.
const homePoll = 3 * time.Second

// chrome is what every page's frame shows.
type chrome struct {
	Title    string
	Nav      string // "home", "events": the current tab
	Demo     bool
	DataDir  string
	Settings bool // GET /settings exists (there is a login to set up)
	Bare     bool // no header, banner or footer: the live board's full screen
}

func (s *Server) chrome(title, nav string) chrome {
	c := chrome{Title: title, Nav: nav, Demo: s.demo, Settings: s.login != nil}
	if s.store != nil {
		c.DataDir = s.store.Dir()
	}
	return c
}

// homeView is the home page.
type homeView struct {
	chrome
	snapshot
	Now        time.Time
	CanLogin   bool // a Login with a known OAuth client, so /login can start a login
	Ready      bool
	ReadyWords string
	Webinars   []store.Webinar
	Live       map[string]bool // webinarKey → live now (see liveNow)
	LiveNow    []store.Webinar // the webinars live now, pinned at the top
	Upcoming   []store.Webinar // not started yet, soonest first
	Past       []store.Webinar // the rest, newest first

	PollSeconds       string      // data-poll: how often refresh.js checks the status again
	NeedsSettings     bool        // a login exists but its OAuth client is not known yet
	CanManageWebhooks bool        // the buttons to remove or set up our webhooks work
	Sync              *SyncStatus // the catch-up sync; nil without one

	RetentionDays      int  // how long raw events and delivery records are kept
	CanChangeRetention bool // the settings page, which changes it, is served

	RingCentralLogin rcLoginView // which of the RingCentral login's buttons the card shows
}

// home serves GET /: the status panel, the totals and the webinars.
func (s *Server) home(w http.ResponseWriter, r *http.Request) error {
	if s.redirectFirstStart(w, r) {
		return nil
	}
	snap, err := s.snapshot(r)
	if err != nil {
		return err
	}
	webinars, err := s.store.Webinars()
	if err != nil {
		return fmt.Errorf("webinars: %w", err)
	}
	v := homeView{
		chrome:      s.chrome("Webinars", "home"),
		snapshot:    snap,
		Now:         s.now(),
		CanLogin:    s.login != nil && s.login.State().Configured,
		Webinars:    webinars,
		PollSeconds: s.pollSeconds(homePoll),

		RetentionDays:      s.retentionDays(),
		CanChangeRetention: s.login != nil,
		RingCentralLogin:   s.rcLoginView(),
	}
	if v.Live, err = s.liveWebinars(webinars, v.Now); err != nil {
		return err
	}
	v.LiveNow, v.Upcoming, v.Past = splitWebinars(webinars, v.Live, v.Now)
	v.NeedsSettings = s.login != nil && !v.CanLogin
	v.CanManageWebhooks = s.webhooks != nil
	if s.sync != nil {
		st := syncWords(s.sync.Status())
		v.Sync = &st
	}
	v.Ready, v.ReadyWords = snap.readiness(s.demo)
	return s.render(w, r, http.StatusOK, homePage(v))
}

// splitWebinars sorts the webinars the way an organizer looks for them:
// the ones live now, then the ones still to come (soonest first), then the
// rest (in the store's order: newest first). Deleted ones are past.
func splitWebinars(ws []store.Webinar, live map[string]bool, now time.Time) (liveNow, upcoming, past []store.Webinar) {
	for _, w := range ws {
		switch {
		case live[w.WebinarKey]:
			liveNow = append(liveNow, w)
		case !webinarDeleted(w) && !nextStart(w, now).IsZero():
			upcoming = append(upcoming, w)
		default:
			past = append(past, w)
		}
	}
	slices.SortStableFunc(upcoming, func(a, b store.Webinar) int {
		return nextStart(a, now).Compare(nextStart(b, now))
	})
	return liveNow, upcoming, past
}

// nextStart is when the webinar's next session starts, zero when none is
// still to come.
func nextStart(w store.Webinar, now time.Time) time.Time {
	var next time.Time
	for _, tr := range sessions(w) {
		if t := tr.StartTime.Time; t.After(now) && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	return next
}

// statusTrouble reports whether the folded status needs a look: the app
// is not ready to receive, the catch-up sync has a problem, or deliveries
// fail (GoTo signs with a key we lack, or nothing stored this hour but
// failures). Only then does the status open by itself.
func (v homeView) statusTrouble() bool {
	if !v.Ready || v.Deliveries.SignatureFailing {
		return true
	}
	if v.Sync != nil && v.Sync.Problem != "" {
		return true
	}
	d := v.Deliveries.LastHour
	return d.Failed > 0 && d.Stored == 0
}

// loggedIn reports whether there is a GoTo session to log out of.
func (v homeView) loggedIn() bool {
	return v.Login.State == LoginLoggedIn || v.Login.State == LoginDemo
}

func readyClass(ok bool) string {
	if ok {
		return "ready ready-ok"
	}
	return "ready ready-warn"
}

// tunnelWords says where the tunnel is in its life.
func tunnelWords(st tunnel.State) string {
	kind := ""
	switch st.Kind {
	case "ngrok":
		kind = " (ngrok)"
	case "local":
		kind = " (local)"
	}
	switch st.Phase {
	case tunnel.PhaseOnline:
		return "Online" + kind
	case tunnel.PhaseConnecting:
		return "Connecting…" + kind
	case tunnel.PhaseReconnecting:
		return "Reconnecting…" + kind
	case tunnel.PhaseFailed:
		return "Failed" + kind
	case tunnel.PhaseClosed:
		return "Closed" + kind
	case tunnel.PhaseOff, "":
		return "Off"
	}
	return humanize(string(st.Phase)) + kind
}

func tunnelClass(p tunnel.Phase) string {
	switch p {
	case tunnel.PhaseOnline:
		return "ok"
	case tunnel.PhaseConnecting, tunnel.PhaseReconnecting:
		return "pending"
	}
	return "warn"
}
