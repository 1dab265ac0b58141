package rcsim

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The event filter paths notifications are sent under.
const (
	eventSessions          = "/webinar/configuration/v1/company/sessions"
	eventSessionState      = "/webinar/runtime/v1/company/sessions/state"
	eventRegistrationState = "/webinar/registration/v1/company/sessions/state"
	eventRegistrants       = "/webinar/registration/v1/company/sessions/registrants"
)

// HostUserID is the user who hosts every generated webinar.
const HostUserID = "77777777"

// Webinar is a webinar of the sim's world.
type Webinar struct {
	ID, Title, Description string
	Created                time.Time
}

// Session is a webinar's session. Status is Scheduled, Active or
// Finished; RingCentral gives a webinar one session for now.
type Session struct {
	ID, WebinarID, Title string
	Status               string
	RuntimeStatus        string // Live while Active
	ScheduledStart       time.Time
	ScheduledDuration    time.Duration
	Start, End           time.Time // when it really ran
	RegistrationOpen     bool
	Created, Modified    time.Time
}

// Registrant is someone registered for a session.
type Registrant struct {
	ID, SessionID                string
	FirstName, LastName, Email   string
	Source                       string
	ParticipantID                string // set once they joined
	Registered, Created, Changed time.Time
}

// Participant is someone who joined a session.
type Participant struct {
	ID, SessionID, RegistrantID string
	FirstName, LastName, Email  string
	Role                        string
	Join, Leave                 time.Time
}

// world is what the REST resources serve, guarded by Sim.mu.
type world struct {
	rng          *rand.Rand
	nextID       int
	webinars     []*Webinar
	sessions     []*Session
	registrants  map[string][]*Registrant // by session, in id order
	participants map[string][]*Participant
}

func newWorld(seed uint64) world {
	return world{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), nextID: 100000000,
		registrants: make(map[string][]*Registrant), participants: make(map[string][]*Participant)}
}

// id returns the next id: nine digits, so text order is number order.
func (w *world) id() string {
	w.nextID += 1 + w.rng.IntN(97)
	return strconv.Itoa(w.nextID)
}

// people to register: names from many places, and how their e-mail is spelled.
var people = []struct{ first, last, mail string }{
	{"Amélie", "Dubois", "amelie.dubois"}, {"Søren", "Kierkegaard", "soren.k"}, {"Łukasz", "Wróbel", "lukasz.wrobel"},
	{"Nguyễn", "Thị Lan", "lan.nguyen"}, {"Ayşe", "Yılmaz", "ayse.yilmaz"}, {"José", "Hernández", "jose.hernandez"},
	{"Zoë", "O'Brien", "zoe.obrien"}, {"Ólafur", "Jónsson", "olafur.jonsson"}, {"Priya", "Raghunathan", "priya.r"},
	{"Kwame", "Mensah", "kwame.mensah"}, {"Yuki", "Tanaka", "yuki.tanaka"}, {"Dmitri", "Ivanov", "d.ivanov"},
	{"Fatima", "Al-Sayed", "fatima.alsayed"}, {"Björn", "Lindqvist", "bjorn.lindqvist"}, {"Chioma", "Okafor", "chioma.okafor"},
	{"Mateus", "Gonçalves", "mateus.goncalves"}, {"Hana", "Novák", "hana.novak"}, {"Wei", "Zhang", "wei.zhang"},
}

var domains = []string{"example.com", "example.org", "example.net"}

// populate makes a believable world around now: a past webinar, one live
// now and one to come, each with registrants; the past and live ones
// with participants.
func (w *world) populate(now time.Time) {
	plans := []struct {
		title, desc string
		start       time.Duration
		status      string
	}{
		{"Quarterly All-Hands", "Results, questions and a look ahead", -26 * time.Hour, "Finished"},
		{"Product Roadmap Live", "What ships next quarter, and why", -10 * time.Minute, "Active"},
		{"Onboarding Clinic", "Your first week with the platform", 50 * time.Hour, "Scheduled"},
	}
	for _, p := range plans {
		created := now.Add(p.start - 14*24*time.Hour)
		_, sess := w.addWebinar(p.title, p.desc, now.Add(p.start).Truncate(time.Minute), time.Hour, created)
		for range 6 + w.rng.IntN(5) {
			w.addRegistrant(sess, "", "", "", created.Add(time.Duration(w.rng.IntN(240))*time.Hour))
		}
		if p.status == "Scheduled" {
			continue
		}
		sess.Status, sess.Start = p.status, sess.ScheduledStart.Add(time.Duration(w.rng.IntN(120))*time.Second)
		if p.status == "Active" {
			sess.RuntimeStatus = "Live"
		} else {
			sess.End = sess.Start.Add(sess.ScheduledDuration)
		}
		for _, r := range w.registrants[sess.ID] {
			if w.rng.IntN(3) > 0 {
				w.join(sess, r, sess.Start.Add(time.Duration(w.rng.IntN(300))*time.Second))
			}
		}
	}
}

func (w *world) addWebinar(title, desc string, start time.Time, d time.Duration, created time.Time) (*Webinar, *Session) {
	web := &Webinar{ID: w.id(), Title: title, Description: desc, Created: created}
	sess := &Session{ID: w.id(), WebinarID: web.ID, Title: title, Status: "Scheduled", ScheduledStart: start,
		ScheduledDuration: d, RegistrationOpen: true, Created: created, Modified: created}
	w.webinars = append(w.webinars, web)
	w.sessions = append(w.sessions, sess)
	return web, sess
}

// addRegistrant registers someone; empty names pick a person.
func (w *world) addRegistrant(sess *Session, first, last, email string, at time.Time) *Registrant {
	if first == "" && last == "" {
		p := people[w.rng.IntN(len(people))]
		first, last = p.first, p.last
		if email == "" {
			email = fmt.Sprintf("%s.%d@%s", p.mail, w.rng.IntN(1000), domains[w.rng.IntN(len(domains))])
		}
	}
	r := &Registrant{ID: w.id(), SessionID: sess.ID, FirstName: first, LastName: last, Email: email,
		Source: []string{"email", "web", "api"}[w.rng.IntN(3)], Registered: at, Created: at, Changed: at}
	w.registrants[sess.ID] = append(w.registrants[sess.ID], r)
	return r
}

func (w *world) join(sess *Session, r *Registrant, at time.Time) *Participant {
	p := &Participant{ID: "p-" + w.id(), SessionID: sess.ID, RegistrantID: r.ID, FirstName: r.FirstName,
		LastName: r.LastName, Email: r.Email, Role: "Attendee", Join: at}
	if !sess.End.IsZero() {
		p.Leave = sess.End.Add(-time.Duration(w.rng.IntN(600)) * time.Second)
	}
	r.ParticipantID = p.ID
	w.participants[sess.ID] = append(w.participants[sess.ID], p)
	return p
}

func (w *world) session(id string) *Session {
	i := slices.IndexFunc(w.sessions, func(s *Session) bool { return s.ID == id })
	if i < 0 {
		return nil
	}
	return w.sessions[i]
}

func (w *world) webinar(id string) *Webinar {
	i := slices.IndexFunc(w.webinars, func(x *Webinar) bool { return x.ID == id })
	if i < 0 {
		return nil
	}
	return w.webinars[i]
}

// ErrUnknown is returned for a session or registrant the sim does not have.
var ErrUnknown = errors.New("rcsim: no such session or registrant")

// Webinars returns the world's webinars.
func (s *Sim) Webinars() []Webinar {
	s.mu.Lock()
	defer s.mu.Unlock()
	return derefAll(s.world.webinars)
}

// Sessions returns the world's sessions.
func (s *Sim) Sessions() []Session {
	s.mu.Lock()
	defer s.mu.Unlock()
	return derefAll(s.world.sessions)
}

// Registrants returns a session's registrants in id order.
func (s *Sim) Registrants(sessionID string) []Registrant {
	s.mu.Lock()
	defer s.mu.Unlock()
	return derefAll(s.world.registrants[sessionID])
}

// Participants returns who joined a session.
func (s *Sim) Participants(sessionID string) []Participant {
	s.mu.Lock()
	defer s.mu.Unlock()
	return derefAll(s.world.participants[sessionID])
}

func derefAll[T any](ps []*T) []T {
	out := make([]T, len(ps))
	for i, p := range ps {
		out[i] = *p
	}
	return out
}

// deliverQuietly delivers n; nobody listening is not a failure.
func (s *Sim) deliverQuietly(ctx context.Context, n Notification) error {
	if err := s.Deliver(ctx, n); err != nil && !errors.Is(err, ErrNoSubscription) {
		return err
	}
	return nil
}

// AddWebinar creates a webinar with one scheduled session and notifies
// the session's creation.
func (s *Sim) AddWebinar(ctx context.Context, title string, start time.Time, d time.Duration) (Webinar, Session, error) {
	s.mu.Lock()
	web, sess := s.world.addWebinar(title, "", start, d, s.now())
	w, ss, body := *web, *sess, sessionBody(web, sess, "Created")
	s.mu.Unlock()
	return w, ss, s.deliverQuietly(ctx, Notification{Event: eventSessions, WebinarID: w.ID, Body: body})
}

// AddRegistrant registers someone for a session (empty names: a
// generated person) and notifies it.
func (s *Sim) AddRegistrant(ctx context.Context, sessionID, first, last, email string) (Registrant, error) {
	s.mu.Lock()
	sess := s.world.session(sessionID)
	if sess == nil {
		s.mu.Unlock()
		return Registrant{}, fmt.Errorf("%w: session %s", ErrUnknown, sessionID)
	}
	r := *s.world.addRegistrant(sess, first, last, email, s.now())
	s.mu.Unlock()
	return r, s.deliverQuietly(ctx, Notification{Event: eventRegistrants, WebinarID: sess.WebinarID, Body: registrantBody(sess, r, "Created")})
}

// AddRegistrants registers n generated people without notifications, for
// tests that page through many.
func (s *Sim) AddRegistrants(sessionID string, n int) ([]Registrant, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sess := s.world.session(sessionID)
	if sess == nil {
		return nil, fmt.Errorf("%w: session %s", ErrUnknown, sessionID)
	}
	out := make([]Registrant, 0, n)
	for range n {
		out = append(out, *s.world.addRegistrant(sess, "", "", "", s.now()))
	}
	return out, nil
}

// StartSession makes a session live and notifies its new state.
func (s *Sim) StartSession(ctx context.Context, sessionID string) error {
	return s.changeSession(ctx, sessionID, func(sess *Session, now time.Time) {
		sess.Status, sess.RuntimeStatus, sess.Start, sess.End = "Active", "Live", now, time.Time{}
	})
}

// EndSession finishes a session, lets its participants leave, and
// notifies its new state.
func (s *Sim) EndSession(ctx context.Context, sessionID string) error {
	return s.changeSession(ctx, sessionID, func(sess *Session, now time.Time) {
		sess.Status, sess.RuntimeStatus, sess.End = "Finished", "", now
		if sess.Start.IsZero() {
			sess.Start = now
		}
		for _, p := range s.world.participants[sess.ID] {
			if p.Leave.IsZero() {
				p.Leave = now
			}
		}
	})
}

func (s *Sim) changeSession(ctx context.Context, sessionID string, change func(*Session, time.Time)) error {
	s.mu.Lock()
	sess := s.world.session(sessionID)
	if sess == nil {
		s.mu.Unlock()
		return fmt.Errorf("%w: session %s", ErrUnknown, sessionID)
	}
	now := s.now()
	change(sess, now)
	sess.Modified = now
	body := stateBody(sess)
	s.mu.Unlock()
	return s.deliverQuietly(ctx, Notification{Event: eventSessionState, WebinarID: sess.WebinarID, Body: body})
}

// SetRegistration opens or closes a session's registration and notifies it.
func (s *Sim) SetRegistration(ctx context.Context, sessionID string, open bool) error {
	s.mu.Lock()
	sess := s.world.session(sessionID)
	if sess == nil {
		s.mu.Unlock()
		return fmt.Errorf("%w: session %s", ErrUnknown, sessionID)
	}
	sess.RegistrationOpen = open
	body := registrationSessionJSON(sess, len(s.world.registrants[sess.ID]))
	body["webinarId"] = sess.WebinarID
	s.mu.Unlock()
	return s.deliverQuietly(ctx, Notification{Event: eventRegistrationState, WebinarID: sess.WebinarID, Body: body})
}

// Join makes a registrant a participant of a live session, as the REST
// API shows it; RingCentral sends no notification for a join.
func (s *Sim) Join(sessionID, registrantID string) (Participant, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sess := s.world.session(sessionID)
	if sess == nil {
		return Participant{}, fmt.Errorf("%w: session %s", ErrUnknown, sessionID)
	}
	i := slices.IndexFunc(s.world.registrants[sessionID], func(r *Registrant) bool { return r.ID == registrantID })
	if i < 0 {
		return Participant{}, fmt.Errorf("%w: registrant %s", ErrUnknown, registrantID)
	}
	return *s.world.join(sess, s.world.registrants[sessionID][i], s.now()), nil
}

// The notification bodies. RingCentral documents none; these reuse the
// field names of its REST models (rc-spec §3.2, INFERRED).

func sessionBody(web *Webinar, sess *Session, eventType string) map[string]any {
	b := sessionJSON(sess, web)
	b["eventType"], b["webinarId"] = eventType, web.ID
	return b
}

func stateBody(sess *Session) map[string]any {
	b := map[string]any{"id": sess.ID, "webinarId": sess.WebinarID, "status": sess.Status,
		"startTime": nullableTime(sess.Start), "endTime": nullableTime(sess.End)}
	if sess.RuntimeStatus != "" {
		b["runtimeStatus"] = sess.RuntimeStatus
	}
	return b
}

func registrantBody(sess *Session, r Registrant, eventType string) map[string]any {
	b := registrantJSON(&r, false)
	b["eventType"], b["sessionId"], b["webinarId"] = eventType, sess.ID, sess.WebinarID
	if r.ParticipantID == "" {
		b["participantId"] = nil
	}
	return b
}

func nullableTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return isoTime(t)
}

// mailLocal is the part of an address before @, for generated join URIs.
func mailLocal(email string) string {
	local, _, _ := strings.Cut(email, "@")
	return local
}
