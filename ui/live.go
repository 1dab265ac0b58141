package ui

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"

	"webinarsync/gotowebinar"
	"webinarsync/store"
	"webinarsync/tunnel"
)

// The live board: GET /webinars/{webinarKey}/live shows one session as it
// happens, and its stream (livestream.go) keeps it current.

const (
	// liveWindow: a webinar with a join this recent is live now.
	liveWindow = 10 * time.Minute
	// recentWindow is the "joins in the last 5 minutes" figure's window.
	recentWindow = 5 * time.Minute
	// liveJoinsShown is how many of the latest joins the board lists.
	liveJoinsShown = 50
	// noShowsShown is how many no-shows the board lists; the CSV has all.
	noShowsShown = 100
	// scheduleSlack: a session's first join this long before a scheduled
	// start still belongs to that scheduled time (people come early).
	scheduleSlack = time.Hour
)

// liveURL is a webinar's live board.
func liveURL(key string) string { return webinarURL(key) + "/live" }

// liveSessionURL is the board of one session.
func liveSessionURL(key, session string) string {
	if session == "" {
		return liveURL(key)
	}
	return liveURL(key) + "?" + url.Values{"session": {session}}.Encode()
}

// liveNow reports whether a webinar is happening: someone joined in the
// last ten minutes, or now is inside one of its scheduled times.
func liveNow(w store.Webinar, lastJoin, now time.Time) bool {
	if !lastJoin.IsZero() && now.Sub(lastJoin) < liveWindow && !lastJoin.After(now.Add(liveWindow)) {
		return true
	}
	if webinarDeleted(w) {
		return false
	}
	for _, tr := range sessions(w) {
		if !tr.StartTime.IsZero() && !now.Before(tr.StartTime.Time) && now.Before(tr.EndTime.Time) {
			return true
		}
	}
	return false
}

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

// loadBoard reads a webinar and its joins.
func (s *Server) loadBoard(key string) (*board, error) {
	w, err := s.store.Webinar(key)
	if err != nil {
		return nil, fmt.Errorf("webinar %s: %w", key, err)
	}
	joins, err := s.store.Joins(key, 0)
	if err != nil {
		return nil, fmt.Errorf("joins of %s: %w", key, err)
	}
	return newBoard(w, joins, s.now()), nil
}

func newBoard(w store.Webinar, joins []store.Join, now time.Time) *board {
	b := &board{Now: now, Webinar: w, Joins: joins}
	byKey := map[string]*sessionSeen{}
	people := map[string]map[string]bool{}
	for _, j := range joins {
		ss := byKey[j.SessionKey]
		if ss == nil {
			ss = &sessionSeen{Key: j.SessionKey, First: j.JoinTime, Last: j.JoinTime}
			byKey[j.SessionKey] = ss
			people[j.SessionKey] = map[string]bool{}
		}
		ss.Joins++
		if j.JoinTime.Before(ss.First) {
			ss.First = j.JoinTime
		}
		if j.JoinTime.After(ss.Last) {
			ss.Last = j.JoinTime
		}
		people[j.SessionKey][j.RegistrantKey] = true
	}
	for key, ss := range byKey {
		ss.People = len(people[key])
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
		if key == "" || j.SessionKey == key {
			out = append(out, j)
		}
	}
	return out
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
	Now        time.Time
}

func (b *board) stats(key string) boardStats {
	st := boardStats{Registered: b.Webinar.Registrants, Now: b.Now}
	people := map[string]bool{}
	for _, j := range b.sessionJoins(key) {
		st.Joins++
		people[j.RegistrantKey] = true
		if d := b.Now.Sub(j.JoinTime); d >= -time.Minute && d < recentWindow {
			st.Recent++
		}
	}
	st.Joined = len(people)
	st.NoShows = max(st.Registered-st.Joined, 0)
	if st.Joins == 0 && upcoming(b.Webinar, b.Now) {
		st.Upcoming = firstStart(b.Webinar)
	}
	return st
}

// sessionLive reports whether a session is going on now.
func (b *board) sessionLive(ss sessionSeen) bool {
	if !ss.Last.IsZero() && b.Now.Sub(ss.Last) < liveWindow {
		return true
	}
	tr := ss.Scheduled
	return !tr.StartTime.IsZero() && !b.Now.Before(tr.StartTime.Time) && b.Now.Before(tr.EndTime.Time)
}

// The timeline's drawing area, in SVG user units.
const (
	tlLeft   = 36
	tlRight  = 890
	tlTop    = 14
	tlBase   = 140
	tlMaxBar = 90 // buckets at most; wider spans count per several minutes
)

// timeline is a session's joins per minute, laid out for SVG.
type timeline struct {
	Bars     []tlBar
	Ticks    []tlTick // between the first and last labels
	Max      int
	Unit     string // "minute", "5 minutes"
	From, To string // axis labels
	Label    string // the chart in words, for screen readers
	Empty    bool
}

// tlTick is a time label under the axis.
type tlTick struct {
	X, Label string
}

// tlBar is one bucket's bar.
type tlBar struct {
	X, Y, W, H string
	Class      string
	Title      string
}

// tlSteps are the bucket widths in minutes a timeline may use.
var tlSteps = []int{1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440}

func (b *board) timeline(key string) timeline {
	joins := b.sessionJoins(key)
	if len(joins) == 0 {
		return timeline{Empty: true, Label: "No joins yet."}
	}
	ss := b.session(key)
	start, end := ss.First, ss.Last
	if tr := ss.Scheduled; !tr.StartTime.IsZero() && tr.StartTime.Before(start) {
		start = tr.StartTime.Time
	}
	if b.sessionLive(ss) && b.Now.After(end) {
		end = b.Now
	}
	start = start.UTC().Truncate(time.Minute)
	minutes := int(end.Sub(start)/time.Minute) + 1
	step := tlSteps[len(tlSteps)-1]
	for _, s := range tlSteps {
		if (minutes+s-1)/s <= tlMaxBar {
			step = s
			break
		}
	}
	for (minutes+step-1)/step > tlMaxBar { // a span of months: bad data, still drawn
		step *= 2
	}
	n := (minutes + step - 1) / step
	counts := make([]int, n)
	for _, j := range joins {
		i := int(j.JoinTime.Sub(start) / (time.Duration(step) * time.Minute))
		if i >= 0 && i < n {
			counts[i]++
		}
	}
	tl := timeline{Unit: "minute", Max: 1}
	if step > 1 {
		tl.Unit = fmt.Sprintf("%d minutes", step)
	}
	busiest := 0
	for i, c := range counts {
		tl.Max = max(tl.Max, c)
		if c > counts[busiest] {
			busiest = i
		}
	}
	slot := float64(tlRight-tlLeft) / float64(n)
	gap := math.Min(2, slot*0.2)
	for i, c := range counts {
		at := start.Add(time.Duration(i*step) * time.Minute)
		h := float64(tlBase-tlTop) * float64(c) / float64(tl.Max)
		class := "tl-bar"
		if i == n-1 && b.sessionLive(ss) {
			class += " tl-now"
		}
		tl.Bars = append(tl.Bars, tlBar{
			X:     svgNum(tlLeft + float64(i)*slot + gap/2),
			Y:     svgNum(tlBase - h),
			W:     svgNum(slot - gap),
			H:     svgNum(h),
			Class: class,
			Title: at.Format("15:04") + " UTC: " + plural(c, "join", "joins"),
		})
	}
	last := start.Add(time.Duration(n*step) * time.Minute)
	tl.From, tl.To = clockLabel(start, last), clockLabel(last, start)+" UTC"
	// Ticks on round times, at most about six, clear of the end labels.
	span := last.Sub(start)
	every := time.Duration(tlSteps[len(tlSteps)-1]) * time.Minute
	for _, s := range tlSteps {
		if d := time.Duration(s) * time.Minute; span/d <= 6 {
			every = d
			break
		}
	}
	perMinute := float64(tlRight-tlLeft) / span.Minutes()
	for at := start.Truncate(every).Add(every); at.Before(last); at = at.Add(every) {
		x := tlLeft + at.Sub(start).Minutes()*perMinute
		if x-tlLeft < 60 || tlRight-x < 90 {
			continue
		}
		tl.Ticks = append(tl.Ticks, tlTick{X: svgNum(x), Label: clockLabel(at, start)})
	}
	bStart := start.Add(time.Duration(busiest*step) * time.Minute)
	tl.Label = fmt.Sprintf("Joins per %s from %s to %s UTC; the busiest %s began %s UTC with %s.",
		tl.Unit, tl.From, clockLabel(last, start), strings.TrimPrefix(tl.Unit, "1 "), bStart.Format("15:04"),
		plural(counts[busiest], "join", "joins"))
	return tl
}

// clockLabel is t's time of day, with its date when other is another day.
func clockLabel(t, other time.Time) string {
	t, other = t.UTC(), other.UTC()
	if t.YearDay() != other.YearDay() || t.Year() != other.Year() {
		return t.Format("2 Jan 15:04")
	}
	return t.Format("15:04")
}

func svgNum(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }

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
	Filter      string // the no-shows search
	NoShows     []store.Registrant
	NoShowTotal int // no-shows matching Filter
	Pipe        pipeView
	StreamURL   string
}

// picker reports whether the board offers a choice of sessions.
func (v liveView) picker() bool { return len(v.Sessions) > 1 || v.Scheduled > 1 }

// sessionTitle names the session shown.
func (v liveView) sessionTitle() string {
	for _, ss := range v.Sessions {
		if ss.Key == v.Session {
			return ss.Label()
		}
	}
	return ""
}

// noShowsCSV is the download of the no-shows shown (filter included).
func (v liveView) noShowsCSV() string {
	q := url.Values{}
	if v.Session != "" {
		q.Set("session", v.Session)
	}
	if v.Filter != "" {
		q.Set("q", v.Filter)
	}
	u := webinarURL(v.Webinar.WebinarKey) + "/noshows.csv"
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}

// live serves GET /webinars/{webinarKey}/live.
func (s *Server) live(w http.ResponseWriter, r *http.Request) error {
	key := r.PathValue("webinarKey")
	b, err := s.loadBoard(key)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	picked := strings.TrimSpace(q.Get("session"))
	v := liveView{
		chrome:    s.chrome("Live: "+webinarTitle(b.Webinar), "home"),
		Now:       b.Now,
		Webinar:   b.Webinar,
		Sessions:  b.Sessions,
		Scheduled: len(sessions(b.Webinar)),
		Session:   b.resolve(picked),
		Picked:    picked != "",
		Filter:    strings.TrimSpace(q.Get("q")),
	}
	var last time.Time
	if len(b.Joins) > 0 {
		last = b.Joins[0].JoinTime
	}
	v.LiveNow = liveNow(b.Webinar, last, b.Now)
	v.Stats = b.stats(v.Session)
	v.Timeline = b.timeline(v.Session)
	latest := b.sessionJoins(v.Session)
	if len(latest) > liveJoinsShown {
		latest = latest[:liveJoinsShown]
	}
	if v.Joins, err = s.withOrganizations(key, latest); err != nil {
		return err
	}
	v.NoShows, v.NoShowTotal, err = s.store.Registrants(key, store.RegistrantQuery{
		NotJoined: true, Session: v.Session, Search: v.Filter, Limit: noShowsShown,
	})
	if err != nil {
		return fmt.Errorf("no-shows of %s: %w", key, err)
	}
	if v.Pipe, err = s.pipe(r); err != nil {
		return err
	}
	stream := url.Values{"lastEventId": {strconv.FormatUint(b.maxSeq(), 10)}}
	if v.Session != "" {
		stream.Set("session", v.Session)
	}
	if !v.Picked {
		stream.Set("follow", "1")
	}
	v.StreamURL = liveURL(key) + "/events?" + stream.Encode()
	return s.render(w, r, http.StatusOK, livePage(v))
}

// noShowsCSV serves GET /webinars/{webinarKey}/noshows.csv: the registrants
// who did not join the session (?session=, default the latest), matching ?q=.
func (s *Server) noShowsCSV(w http.ResponseWriter, r *http.Request) error {
	key := r.PathValue("webinarKey")
	q := r.URL.Query()
	session := strings.TrimSpace(q.Get("session"))
	if session == "" {
		b, err := s.loadBoard(key)
		if err != nil {
			return err
		}
		session = b.resolve("")
	} else if _, err := s.store.Webinar(key); err != nil {
		return fmt.Errorf("webinar %s: %w", key, err)
	}
	name := "noshows-" + fileSafe(key)
	if session != "" {
		name += "-session-" + fileSafe(session)
	}
	return s.exportCSV(w, r, key, name+".csv", store.RegistrantQuery{
		NotJoined: true, Session: session, Search: strings.TrimSpace(q.Get("q")),
	})
}

// joinMessage renders a join for the stream.
func (s *Server) joinMessage(j store.Join) (message, error) {
	lj, err := s.withOrganizations(j.WebinarKey, []store.Join{j})
	if err != nil {
		return message{}, err
	}
	html, err := renderString(joinRow(lj[0], s.now()))
	if err != nil {
		return message{}, err
	}
	return message{event: "join", id: j.Seq, data: html, session: j.SessionKey}, nil
}

// boardMessages renders the figures, timeline and no-shows count of a
// session ("" = the latest), and the no-show rows of the registrants added
// who have not joined it.
func (s *Server) boardMessages(b *board, session string, added []string) ([]message, error) {
	session = b.resolve(session)
	lastDelivery, err := s.store.LastDelivery()
	if err != nil {
		return nil, fmt.Errorf("last delivery: %w", err)
	}
	html, err := renderString(boardSwap(b.stats(session), b.timeline(session), b.Now, lastDelivery))
	if err != nil {
		return nil, err
	}
	msgs := []message{{event: "board", data: html}}
	if len(added) == 0 {
		return msgs, nil
	}
	joined := map[string]bool{}
	for _, j := range b.sessionJoins(session) {
		joined[j.RegistrantKey] = true
	}
	for _, key := range added {
		if joined[key] {
			continue
		}
		r, err := s.store.Registrant(b.Webinar.WebinarKey, key)
		if err != nil {
			continue // not materialized under this webinar: nothing to show
		}
		html, err := renderString(noShowRow(r))
		if err != nil {
			return nil, err
		}
		msgs = append(msgs, message{event: "noshow", data: html})
	}
	return msgs, nil
}

// registrantKeyOf reads which registrant a stored registrant.added is about.
func (s *Server) registrantKeyOf(seq uint64) string {
	e, err := s.store.Event(seq)
	if err != nil {
		return ""
	}
	ev, err := gotowebinar.DecodeEvent(e.Raw)
	if err != nil || ev.RegistrantAdded == nil {
		return ""
	}
	return string(ev.RegistrantAdded.RegistrantKey)
}

// renderString renders a fragment for the stream.
func renderString(c templ.Component) (string, error) {
	var buf bytes.Buffer
	if err := c.Render(context.Background(), &buf); err != nil {
		return "", fmt.Errorf("render fragment: %w", err)
	}
	return buf.String(), nil
}

// clock is a join's time: the time of day when it is today, else the date too.
func clock(now, t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	t, now = t.UTC(), now.UTC()
	if t.YearDay() == now.YearDay() && t.Year() == now.Year() {
		return t.Format("15:04:05 UTC")
	}
	return t.Format("Mon 2 Jan, 15:04:05 UTC")
}

// pipeDot colours a pipe state's dot.
func pipeDot(ok bool) string {
	if ok {
		return "dot-ok"
	}
	return "dot-warn"
}

func boolAttr(b bool) string { return strconv.FormatBool(b) }

// pickedSession is the session the board was asked for, "" when it follows the latest.
func pickedSession(v liveView) string {
	if v.Picked {
		return v.Session
	}
	return ""
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
