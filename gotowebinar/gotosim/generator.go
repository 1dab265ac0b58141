package gotosim

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"time"
)

// BurstSize is how many events a Generator hands out before its steady
// pace: three webinar.created, then fifteen registrant.added.
const BurstSize = 18

const burstRegistrants = BurstSize - 3

// historySize bounds the events kept for redeliveries.
const historySize = 64

// Generator makes a realistic, varied stream of GoTo Webinar event bodies.
// The first BurstSize events create three webinars (one live now, one next
// week, a two-session series) and fifteen registrations; after that each
// Next is mostly a registration or a join to the live webinar, sometimes a
// webinar change, a new webinar or a deletion, and rarely a redelivery of
// an earlier event with the same eventKey, as GoTo's retries do. When the
// live webinar's hour is over, a new live one is created.
//
// Everything but the times is determined by the seed. The spellings GoTo's
// documents disagree on (see Form) vary from event to event, so a receiver
// meets all of them within a short run. A Generator is safe for concurrent
// use.
type Generator struct {
	mu  sync.Mutex
	rng *rand.Rand
	now func() time.Time

	organizerKey, accountKey string
	used                     map[string]bool // keys handed out, so none repeats

	started  bool
	queue    [][]byte // burst events not yet handed out
	webinars []*webinarState
	live     *webinarState
	extra    *webinarState // a webinar created after the burst, deleted later
	history  [][]byte      // recent bodies, for redeliveries

	nAdded, nJoined, nChanged, nLive int
}

type webinarState struct {
	Webinar
	questions   []question
	emptyFields bool // this webinar's form sends unasked fields as ""
	registrants []*Registrant
	joins       map[string]int // registrantKey → joins so far
	deleted     bool
	attended    map[string]map[string][]time.Time // sessionKey → registrantKey → join times, for the REST API (resources.go)
}

// NewGenerator returns a Generator whose choices follow seed (0 picks one
// from the clock) and whose times follow now (nil means time.Now).
func NewGenerator(seed int64, now func() time.Time) *Generator {
	if seed == 0 {
		seed = time.Now().UnixNano()
	}
	if now == nil {
		now = time.Now
	}
	g := &Generator{
		rng:  rand.New(rand.NewPCG(uint64(seed), uint64(seed)^0x9e3779b97f4a7c15)),
		now:  now,
		used: make(map[string]bool),
	}
	g.organizerKey = g.newKey(19)
	g.accountKey = g.newKey(19)
	return g
}

// OrganizerKey is the organizer all generated webinars belong to.
func (g *Generator) OrganizerKey() string { return g.organizerKey }

// AccountKey is the organizer's account.
func (g *Generator) AccountKey() string { return g.accountKey }

// Pending reports how many events of the initial burst are still to come;
// callers pace those faster than the rest.
func (g *Generator) Pending() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.started {
		return BurstSize
	}
	return len(g.queue)
}

// Webinars returns the webinars generated so far, deleted ones included.
func (g *Generator) Webinars() []Webinar {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := make([]Webinar, 0, len(g.webinars))
	for _, w := range g.webinars {
		out = append(out, cloneWebinar(w.Webinar))
	}
	return out
}

// Next returns the next event body; it is the caller's to keep.
func (g *Generator) Next() []byte {
	g.mu.Lock()
	defer g.mu.Unlock()
	// A copy, so a caller that edits a body cannot change a later redelivery.
	return slices.Clone(g.next())
}

func (g *Generator) next() []byte {
	if !g.started {
		g.started = true
		g.queue = g.burst()
	}
	var body []byte
	if len(g.queue) > 0 {
		body, g.queue = g.queue[0], g.queue[1:]
		return body
	}
	if now := g.now().UTC(); now.After(g.live.Times[0].End) {
		// The live webinar is over; a long demo gets a new one.
		w := g.newLive(now.Truncate(time.Minute), now)
		body = WebinarCreatedJSON(g.eventKey(), now, w.Webinar, Form{KeysAsStrings: g.chance(15)})
		g.remember(body)
		return body
	}
	redelivery := false
	switch r := g.rng.IntN(100); {
	case r < 3 && len(g.history) > 0:
		// GoTo retries a delivery it believes failed with the same body.
		body = g.history[g.rng.IntN(len(g.history))]
		redelivery = true
	case r < 10:
		body = g.changeWebinar()
	case r < 12:
		body = g.extraLifecycle()
	case r < 55:
		body = g.addRegistrant(g.pickWebinarForRegistration())
	default:
		body = g.join()
	}
	if !redelivery {
		g.remember(body)
	}
	return body
}

// burst builds the initial events: three webinars, then registrations
// spread over them, most for the live one so joins can follow.
func (g *Generator) burst() [][]byte {
	now := g.now().UTC()
	g.newLive(now.Truncate(time.Minute).Add(-10*time.Minute), now.Add(-3*time.Second))

	nextWeek := now.Add(7 * 24 * time.Hour).Truncate(time.Hour)
	g.newWebinar(Webinar{
		Title:          "Données clients & RGPD : le guide pratique",
		Description:    "Ce que le RGPD exige de vos formulaires d'inscription, en 45 minutes.",
		ExperienceType: "BROADCAST",
		RecurrenceType: "single_session",
		TimeZone:       "Europe/Paris",
		Times:          []Session{{Start: nextWeek, End: nextWeek.Add(45 * time.Minute)}},
	}, nil, now.Add(-2*time.Second)).emptyFields = true

	first := now.Add(2 * 24 * time.Hour).Truncate(24 * time.Hour).Add(15 * time.Hour)
	g.newWebinar(Webinar{
		Title:          "Onboarding Academy (2-part series)",
		Description:    "Part 1: setting up your workspace. Part 2: reports and automations.",
		ExperienceType: "CLASSIC",
		RecurrenceType: "series",
		RecurrenceKey:  g.newKey(19),
		TimeZone:       "America/New_York",
		Times: []Session{
			{Start: first, End: first.Add(90 * time.Minute)},
			{Start: first.Add(7 * 24 * time.Hour), End: first.Add(7*24*time.Hour + 90*time.Minute)},
		},
	}, seriesQuestions, now.Add(-time.Second))

	var out [][]byte
	for _, w := range g.webinars {
		out = append(out, WebinarCreatedJSON(g.eventKey(), now, w.Webinar, Form{KeysAsStrings: g.chance(15)}))
	}
	for i := range burstRegistrants {
		// Half for the live webinar, the rest alternating between the others.
		w := g.live
		if i%2 == 1 {
			w = g.webinars[1+(i/2)%2]
		}
		out = append(out, g.addRegistrant(w))
	}
	for _, b := range out {
		g.remember(b)
	}
	return out
}

// newLive creates the webinar whose session runs from start for an hour;
// joins go to it.
func (g *Generator) newLive(start, created time.Time) *webinarState {
	t := liveTitles[g.nLive%len(liveTitles)]
	g.nLive++
	g.live = g.newWebinar(Webinar{
		Title:          t.title,
		Description:    t.description,
		ExperienceType: "CLASSIC",
		RecurrenceType: "single_session",
		TimeZone:       "Europe/Berlin",
		Times:          []Session{{Key: g.newKey(19), Start: start, End: start.Add(time.Hour)}},
	}, liveQuestions, created)
	return g.live
}

func (g *Generator) newWebinar(w Webinar, qs []question, created time.Time) *webinarState {
	w.Key = g.newKey(19)
	w.OrganizerKey = g.organizerKey
	w.AccountKey = g.accountKey
	w.Created = created
	ws := &webinarState{Webinar: w, questions: qs, joins: make(map[string]int)}
	g.webinars = append(g.webinars, ws)
	return ws
}

func (g *Generator) pickWebinarForRegistration() *webinarState {
	if g.chance(70) && !g.live.deleted {
		return g.live
	}
	var open []*webinarState
	for _, w := range g.webinars {
		if !w.deleted {
			open = append(open, w)
		}
	}
	return open[g.rng.IntN(len(open))]
}

func (g *Generator) addRegistrant(w *webinarState) []byte {
	now := g.now().UTC()
	r := g.newRegistrant(w, now)
	w.registrants = append(w.registrants, r)
	// Rotate the spellings so every one shows up within a few events.
	f := Form{
		KeysAsStrings: g.chance(15),
		IndustryLower: (g.nAdded/2)%2 == 1,
		EmptyFields:   w.emptyFields,
		Responses:     []ResponsesForm{ResponsesTuples, ResponsesObjects, ResponsesTuples, ResponsesObjects, ResponsesString}[g.nAdded%5],
	}
	g.nAdded++
	return RegistrantAddedJSON(g.eventKey(), now, w.Webinar, *r, f)
}

func (g *Generator) newRegistrant(w *webinarState, now time.Time) *Registrant {
	var first, last name
	var loc locale
	if g.nAdded < len(featured) {
		p := featured[g.nAdded]
		first, last, loc = p.first, p.last, locales[p.locale]
	} else {
		loc = locales[g.rng.IntN(len(locales))]
		first, last = pick(g, loc.firsts), pick(g, loc.lasts)
	}
	org := pick(g, organizations)
	local := first.ascii + "." + last.ascii
	if g.chance(25) {
		local += fmt.Sprint(g.rng.IntN(90) + 10)
	}
	c := pick(g, loc.cities)
	r := &Registrant{
		Key:        g.registrantKey(),
		FirstName:  first.text,
		LastName:   last.text,
		Email:      local + "@" + org.domain,
		Status:     "Approved",
		Registered: now.Add(-time.Duration(g.rng.IntN(3000)) * time.Millisecond),
	}
	switch n := g.rng.IntN(100); {
	case n < 8:
		r.Status = "Waiting"
	case n < 13:
		r.Status = "Cancelled"
	case n < 15:
		r.Status = "Denied"
	}
	if r.Status == "Approved" {
		r.JoinURL = "https://global.gotowebinar.com/join/" + w.Key + "/" + r.Key
	}
	// Registration forms ask for more or less; leave some fields out.
	if g.chance(70) {
		r.Phone = fmt.Sprintf("%s %03d %04d", loc.phone, g.rng.IntN(1000), g.rng.IntN(10000))
	}
	if g.chance(50) {
		r.Address = c.street
		r.ZipCode = c.zip
	}
	if g.chance(80) {
		r.City, r.State, r.Country = c.name, c.state, loc.country
	}
	r.Organization = org.name
	r.JobTitle = pick(g, jobTitles)
	if t, ok := localTitles[loc.country]; ok && g.chance(40) {
		r.JobTitle = t
	}
	if g.chance(75) {
		r.Industry = pick(g, industries)
	}
	r.Comments = pick(g, comments)
	if g.chance(60) {
		r.NumberOfEmployees = pick(g, employeeCounts)
		r.PurchasingRole = pick(g, purchasingRoles)
		r.PurchasingTimeFrame = pick(g, timeFrames)
	}
	r.RegistrationSource = pick(g, registrationSources)
	for _, q := range w.questions {
		if q.kind == "SHORT_ANSWER" && g.chance(30) {
			continue // short answers are often left blank
		}
		a := Answer{Question: q.text, Type: q.kind, Answers: []string{pick(g, q.choices)}}
		if q.multi && g.chance(50) {
			if second := pick(g, q.choices); second != a.Answers[0] {
				a.Answers = append(a.Answers, second)
			}
		}
		r.Responses = append(r.Responses, a)
	}
	return r
}

// join makes an approved registrant of the live webinar join its session;
// now and then someone who joined before reconnects.
func (g *Generator) join() []byte {
	w := g.live
	var fresh, again []*Registrant
	for _, r := range w.registrants {
		if r.Status != "Approved" {
			continue
		}
		if w.joins[r.Key] == 0 {
			fresh = append(fresh, r)
		} else {
			again = append(again, r)
		}
	}
	var r *Registrant
	switch {
	case len(again) > 0 && (len(fresh) == 0 || g.chance(15)):
		if len(fresh) == 0 && !g.chance(30) {
			// Everyone is in: registrations go on instead.
			return g.addRegistrant(w)
		}
		r = again[g.rng.IntN(len(again))]
	case len(fresh) > 0:
		r = fresh[g.rng.IntN(len(fresh))]
	default:
		return g.addRegistrant(w)
	}
	w.joins[r.Key]++
	now := g.now().UTC()
	f := Form{KeysAsStrings: g.chance(15), JoinTimeMillis: g.nJoined%2 == 1}
	g.nJoined++
	joined := now.Add(-time.Duration(g.rng.IntN(2000)) * time.Millisecond)
	w.noteJoin(w.Times[0].Key, r.Key, joined)
	return RegistrantJoinedJSON(g.eventKey(), now, w.Webinar, w.Times[0].Key, *r, joined, f)
}

// changeWebinar edits a webinar the way organizers do: a retitle, a new
// description, or a move of a future one.
func (g *Generator) changeWebinar() []byte {
	var open []*webinarState
	for _, w := range g.webinars {
		if !w.deleted {
			open = append(open, w)
		}
	}
	w := open[g.rng.IntN(len(open))]
	now := g.now().UTC()
	switch {
	case w != g.live && g.chance(50):
		shift := 30 * time.Minute
		if g.chance(50) {
			shift = -shift
		}
		for i := range w.Times {
			w.Times[i].Start = w.Times[i].Start.Add(shift)
			w.Times[i].End = w.Times[i].End.Add(shift)
		}
	case g.chance(50):
		w.Description = strings.TrimSuffix(w.Description, " (Agenda updated.)") + " (Agenda updated.)"
	default:
		w.Title = strings.TrimSuffix(w.Title, " [updated]") + " [updated]"
	}
	g.nChanged++
	f := Form{KeysAsStrings: g.chance(15), TimesAsPairs: g.nChanged%3 == 0}
	return WebinarChangedJSON(g.eventKey(), now, w.Webinar, "UPDATED", f)
}

// extraLifecycle creates a short-lived webinar, or deletes the one it
// created, so webinar.created and status DELETED occur after the burst.
func (g *Generator) extraLifecycle() []byte {
	now := g.now().UTC()
	if g.extra != nil {
		w := g.extra
		w.deleted = true
		g.extra = nil
		return WebinarChangedJSON(g.eventKey(), now, w.Webinar, "DELETED", Form{KeysAsStrings: g.chance(15)})
	}
	day := now.Add(3 * 24 * time.Hour).Truncate(24 * time.Hour).Add(9 * time.Hour)
	var times []Session
	for i := range 3 {
		s := day.Add(time.Duration(i) * 24 * time.Hour)
		times = append(times, Session{Start: s, End: s.Add(30 * time.Minute)})
	}
	w := g.newWebinar(Webinar{
		Title:          "Office hours: ask us anything",
		Description:    "Three short drop-in sessions with the support team.",
		ExperienceType: "CLASSIC",
		RecurrenceType: "sequence",
		TimeZone:       "Asia/Tokyo",
		Times:          times,
	}, nil, now)
	g.extra = w
	return WebinarCreatedJSON(g.eventKey(), now, w.Webinar, Form{KeysAsStrings: g.chance(15)})
}

func (g *Generator) remember(body []byte) {
	g.history = append(g.history, body)
	if len(g.history) > historySize {
		g.history = g.history[len(g.history)-historySize:]
	}
}

// registrantKey is usually 19 digits; one in four is a 20-digit key
// starting with 9, beyond uint64, as GoTo's samples show.
func (g *Generator) registrantKey() string {
	if g.chance(25) {
		return g.newKey(20)
	}
	return g.newKey(19)
}

// newKey returns an unused key of n digits (19 or 20). Every such key is
// above 2^53, so float64 JSON decoders lose digits; a 20-digit one starts
// with 9 and so is above the uint64 range too.
func (g *Generator) newKey(n int) string {
	for {
		b := make([]byte, n)
		if n >= 20 {
			b[0] = '9'
		} else {
			b[0] = byte('1' + g.rng.IntN(8))
		}
		for i := 1; i < n; i++ {
			b[i] = byte('0' + g.rng.IntN(10))
		}
		if k := string(b); !g.used[k] {
			g.used[k] = true
			return k
		}
	}
}

// eventKey returns a random UUID-shaped string, as GoTo's eventKeys are.
func (g *Generator) eventKey() string {
	hi, lo := g.rng.Uint64(), g.rng.Uint64()
	hi = hi&^0xf000 | 0x4000     // version 4
	lo = lo&^(0xc<<60) | 0x8<<60 // RFC 4122 variant
	return fmt.Sprintf("%08x-%04x-%04x-%04x-%012x",
		hi>>32, (hi>>16)&0xffff, hi&0xffff, lo>>48, lo&0xffffffffffff)
}

func (g *Generator) chance(percent int) bool { return g.rng.IntN(100) < percent }

func pick[T any](g *Generator, from []T) T { return from[g.rng.IntN(len(from))] }

func cloneWebinar(w Webinar) Webinar {
	w.Times = append([]Session(nil), w.Times...)
	return w
}
