package gotosim

import (
	"slices"
	"time"
)

// Population describes webinars to add to a Generator without any event,
// as if they happened while nobody listened: what a catch-up sync over the
// REST API has to find.
type Population struct {
	Webinars    int           // how many webinars
	Registrants int           // registrants of each
	Start       time.Time     // the first webinar's start; zero: 30 days ago
	Every       time.Duration // between two webinars' starts; 0: one day
	Sessions    int           // sessions of each webinar, a day apart; 0: 1
	Attend      int           // percent of approved registrants attending each started session
}

// Populate adds the webinars p describes, with their registrants and, for
// sessions that have started, session keys and attendance, and returns
// them. No event is generated for them.
func (g *Generator) Populate(p Population) []Webinar {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.now().UTC()
	start := p.Start.Truncate(time.Second) // GoTo schedules to the second
	if start.IsZero() {
		start = now.Add(-30 * 24 * time.Hour).Truncate(time.Hour)
	}
	every := p.Every
	if every <= 0 {
		every = 24 * time.Hour
	}
	sessions := max(p.Sessions, 1)
	// The featured people belong to the live webinar's first registrations.
	defer func(n int) { g.nAdded = n }(g.nAdded)
	g.nAdded = len(featured)

	var out []Webinar
	for i := range p.Webinars {
		first := start.Add(time.Duration(i) * every)
		var times []Session
		for j := range sessions {
			s := first.Add(time.Duration(j) * 24 * time.Hour)
			sess := Session{Start: s, End: s.Add(time.Hour)}
			if !s.After(now) {
				sess.Key = g.newKey(19) // GoTo names a session once it starts
			}
			times = append(times, sess)
		}
		kind := "single_session"
		if sessions > 1 {
			kind = "sequence"
		}
		qs := liveQuestions
		if i%2 == 1 {
			qs = seriesQuestions
		}
		w := g.newWebinar(Webinar{
			Title:          populationTitles[i%len(populationTitles)],
			Description:    "Recorded while webinarsync was not listening.",
			ExperienceType: "CLASSIC",
			RecurrenceType: kind,
			TimeZone:       "Europe/Berlin",
			Times:          times,
		}, qs, first.Add(-14*24*time.Hour))
		for range p.Registrants {
			r := g.newRegistrant(w, first)
			// Registrations come in over the two weeks before the start.
			r.Registered = first.Add(-time.Duration(1+g.rng.IntN(14*24*60)) * time.Minute)
			w.registrants = append(w.registrants, r)
		}
		for _, sess := range times {
			if sess.Key == "" {
				continue
			}
			for _, r := range w.registrants {
				if r.Status != "Approved" || !g.chance(p.Attend) {
					continue
				}
				joined := sess.Start.Add(time.Duration(g.rng.IntN(10*60)) * time.Second)
				w.noteJoin(sess.Key, r.Key, joined)
				if g.chance(20) {
					// Lost the connection and came back.
					w.noteJoin(sess.Key, r.Key, joined.Add(time.Duration(5+g.rng.IntN(30))*time.Minute))
				}
			}
		}
		out = append(out, cloneWebinar(w.Webinar))
	}
	return out
}

var populationTitles = []string{
	"Quarterly roadmap review",
	"Einführung in Automatisierungen",
	"Security & compliance Q&A",
	"Atelier : tableaux de bord",
	"Customer onboarding clinic",
}

// noteJoin records that registrant joined session at t, for the REST API's
// attendance. The generator's join events call it too, so webhooks and
// REST tell the same story.
func (w *webinarState) noteJoin(sessionKey, registrantKey string, t time.Time) {
	if sessionKey == "" {
		return
	}
	if w.attended == nil {
		w.attended = make(map[string]map[string][]time.Time)
	}
	if w.attended[sessionKey] == nil {
		w.attended[sessionKey] = make(map[string][]time.Time)
	}
	// GoTo's times carry milliseconds; keeping no more makes REST and the
	// webhook's joinTime the same instant.
	w.attended[sessionKey][registrantKey] = append(w.attended[sessionKey][registrantKey], t.Truncate(time.Millisecond))
}

// Registrants returns a webinar's registrants as generated, cancelled ones
// included; nil for an unknown webinar.
func (g *Generator) Registrants(webinarKey string) []Registrant {
	g.mu.Lock()
	defer g.mu.Unlock()
	w := g.webinarLocked(webinarKey)
	if w == nil {
		return nil
	}
	out := make([]Registrant, 0, len(w.registrants))
	for _, r := range w.registrants {
		c := *r
		c.Responses = slices.Clone(r.Responses)
		out = append(out, c)
	}
	return out
}

// Attendance is one registrant's attendance of one session, as GoTo's
// attendees listing reports it.
type Attendance struct {
	RegistrantKey string
	Seconds       int64
	Intervals     [][2]time.Time // join, leave
}

// Attendance returns who attended a webinar's session, as the REST API
// serves it now.
func (g *Generator) Attendance(webinarKey, sessionKey string) []Attendance {
	g.mu.Lock()
	defer g.mu.Unlock()
	w := g.webinarLocked(webinarKey)
	if w == nil {
		return nil
	}
	return w.attendanceLocked(sessionKey, g.now().UTC())
}

func (g *Generator) webinarLocked(key string) *webinarState {
	for _, w := range g.webinars {
		if w.Key == key {
			return w
		}
	}
	return nil
}

// attendanceLocked turns the join times of a session into GoTo's intervals:
// someone who joined again left halfway between the two joins; the last
// stretch ends with the session, or now while it runs.
func (w *webinarState) attendanceLocked(sessionKey string, now time.Time) []Attendance {
	var end time.Time
	for _, s := range w.Times {
		if s.Key == sessionKey {
			end = s.End
		}
	}
	if now.Before(end) {
		end = now.Truncate(time.Millisecond)
	}
	byKey := w.attended[sessionKey]
	var out []Attendance
	for _, r := range w.registrants { // registration order, as GoTo lists them
		var joins []time.Time
		for _, j := range byKey[r.Key] {
			if !j.After(now) { // a join still to come has not happened
				joins = append(joins, j)
			}
		}
		if len(joins) == 0 {
			continue
		}
		slices.SortFunc(joins, func(a, b time.Time) int { return a.Compare(b) })
		a := Attendance{RegistrantKey: r.Key}
		for i, j := range joins {
			leave := end
			if i+1 < len(joins) {
				leave = j.Add(joins[i+1].Sub(j) / 2)
			}
			if leave.Before(j) {
				leave = j
			}
			a.Intervals = append(a.Intervals, [2]time.Time{j, leave})
			a.Seconds += int64(leave.Sub(j) / time.Second)
		}
		out = append(out, a)
	}
	return out
}
