package catchup

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"webinarsync/record"
	"webinarsync/ringcentral"
	"webinarsync/store"
)

// rateLimitRounds is how many more times a read that RingCentral still
// answers 429 after the Client's own retries is asked again. The Client
// keeps the group closed for the penalty, so each round waits it out
// first; a longer storm stops the pass, and the next pass starts over.
const rateLimitRounds = 3

// listed is a webinar with its sessions, as RingCentral lists them.
type listed struct {
	key      string // namespaced
	webinar  ringcentral.Webinar
	sessions []ringcentral.Session
}

// pass lists and merges the webinars, then goes webinar by webinar
// (running and nearest first) through registrants and attendance. A
// webinar RingCentral refuses is skipped; anything else stops the pass.
func (c *CatchUp) pass(ctx context.Context) error {
	items, err := c.list(ctx)
	if err != nil {
		return err
	}
	for i, it := range items {
		if err := ctx.Err(); err != nil {
			return err
		}
		c.progress(func(st *Status) {
			st.Phase = Phase{Step: Registrants, WebinarKey: it.key, Webinar: it.webinar.Title, Done: i, Total: len(items)}
		})
		err := c.webinar(ctx, it)
		switch {
		case err == nil:
		case ringcentral.Isolated(err) && ctx.Err() == nil:
			c.log.Warn("ringcentral catch-up: skipping a webinar RingCentral refused", "webinar", it.key, "err", err)
			c.progress(func(st *Status) {
				st.Skipped = append(st.Skipped, Skipped{WebinarKey: it.key, Webinar: it.webinar.Title, Problem: ringcentral.Classify(err)})
			})
		default:
			return err
		}
	}
	c.progress(func(st *Status) { st.Phase.Done = len(items) })
	return nil
}

// list lists the webinars and every session, and merges the webinars with
// their scheduled times.
func (c *CatchUp) list(ctx context.Context) ([]listed, error) {
	var ws []ringcentral.Webinar
	err := c.retry(ctx, func() (err error) { ws, err = c.client.Webinars(ctx); return err })
	if err != nil {
		return nil, fmt.Errorf("listing the RingCentral webinars: %w", err)
	}
	// One listing of all sessions, not one per webinar: RingCentral has no
	// per-webinar listing, so each per-webinar call would list them all.
	var ss []ringcentral.Session
	err = c.retry(ctx, func() (err error) { ss, err = c.client.Sessions(ctx, ""); return err })
	if err != nil {
		return nil, fmt.Errorf("listing the RingCentral sessions: %w", err)
	}
	items := make([]listed, 0, len(ws))
	records := make([]record.Webinar, 0, len(ws))
	for _, w := range ws {
		it := listed{key: store.ProviderKey(Provider, w.ID), webinar: w}
		// A session of a webinar not listed (made between the two
		// listings) waits for the next pass.
		for _, s := range ss {
			if s.WebinarID == w.ID {
				it.sessions = append(it.sessions, s)
			}
		}
		items = append(items, it)
		records = append(records, webinarRecord(it))
	}
	res, err := c.store.MergeWebinars(records, time.Now())
	if err != nil {
		return nil, fmt.Errorf("merging the RingCentral webinars: %w", err)
	}
	c.progress(func(st *Status) {
		st.Merged.Webinars, st.Changed.Webinars = len(records), res.Added+res.Changed
		st.Phase.Total = len(items)
	})
	return nearestFirst(items, time.Now()), nil
}

// webinarRecord is a webinar as the store takes it: its sessions'
// scheduled times, in the zone of its first.
func webinarRecord(it listed) record.Webinar {
	w := record.Webinar{Key: it.key, Title: it.webinar.Title, Description: it.webinar.Description}
	for _, s := range it.sessions {
		if s.ScheduledStartTime.IsZero() {
			continue
		}
		w.Times = append(w.Times, record.Span{Start: s.ScheduledStartTime,
			End: s.ScheduledStartTime.Add(s.ScheduledDuration), TimeZone: s.TimeZone})
	}
	slices.SortFunc(w.Times, func(a, b record.Span) int { return a.Start.Compare(b.Start) })
	for _, t := range w.Times {
		w.TimeZone = cmp.Or(w.TimeZone, t.TimeZone)
	}
	return w
}

// nearestFirst orders webinars so that those running, then those nearest
// to now, come first (an organizer looks at those); one without sessions
// goes last.
func nearestFirst(items []listed, now time.Time) []listed {
	const unknown = time.Duration(1<<63 - 1)
	distance := func(it listed) time.Duration {
		d := unknown
		for _, s := range it.sessions {
			if s.Status == ringcentral.SessionActive {
				return 0
			}
			if !s.ScheduledStartTime.IsZero() {
				d = min(d, now.Sub(s.ScheduledStartTime).Abs())
			}
		}
		return d
	}
	slices.SortStableFunc(items, func(a, b listed) int { return cmp.Compare(distance(a), distance(b)) })
	return items
}

// webinar merges a webinar's registrants, then the attendance of its
// sessions held or running (an Active one too, so who is there so far
// shows).
func (c *CatchUp) webinar(ctx context.Context, it listed) error {
	for _, s := range it.sessions {
		if err := c.registrants(ctx, it.key, s); err != nil {
			return err
		}
	}
	c.progress(func(st *Status) { st.Phase.Step = Attendance })
	for _, s := range it.sessions {
		if s.Status != ringcentral.SessionFinished && s.Status != ringcentral.SessionActive {
			continue
		}
		if err := c.attendance(ctx, it, s); err != nil {
			return err
		}
	}
	return nil
}

// registrants lists a session's registrants (every page) and merges them
// at once, so a listing asked again after a rate limit counts once.
func (c *CatchUp) registrants(ctx context.Context, webinarKey string, s ringcentral.Session) error {
	var regs []ringcentral.Registrant
	err := c.retry(ctx, func() (err error) { regs, err = c.client.Registrants(ctx, s.ID, true); return err })
	if err != nil {
		return fmt.Errorf("listing the registrants of RingCentral session %s: %w", s.ID, err)
	}
	records := make([]record.Registrant, 0, len(regs))
	for _, r := range regs {
		records = append(records, registrantRecord(r))
	}
	res, err := c.store.MergeRegistrants(webinarKey, records, time.Now(), false)
	if err != nil {
		return fmt.Errorf("merging the registrants of RingCentral session %s: %w", s.ID, err)
	}
	c.progress(func(st *Status) {
		st.Merged.Registrants += len(records)
		st.Changed.Registrants += res.Added + res.Changed
	})
	return nil
}

// registrantRecord is a RingCentral registrant as the store takes it.
func registrantRecord(r ringcentral.Registrant) record.Registrant {
	rec := record.Registrant{
		Key:     store.ProviderKey(Provider, r.ID),
		Profile: record.Profile{FirstName: r.FirstName, LastName: r.LastName, Email: r.Email},
		// RingCentral has no approval step: a registration it lists is
		// approved (a cancelled one is no longer listed).
		Status:       "Approved",
		RegisteredAt: r.RegistrationTime,
		Source:       r.Source,
		JoinURL:      r.JoinURI,
	}
	if rec.RegisteredAt.IsZero() {
		rec.RegisteredAt = r.CreationTime
	}
	for _, a := range r.Questionnaire {
		// A registrant's answers name the question by id only: its text
		// is in the registration form's settings, which we do not read.
		answers := a.AnswerIDs
		if strings.TrimSpace(a.AnswerText) != "" {
			answers = []string{a.AnswerText}
		}
		rec.Responses = append(rec.Responses, record.Response{Question: a.QuestionID, Answers: slices.Clone(answers)})
	}
	return rec
}

// attendance merges who attended a session, as RingCentral's history
// service tells it: when it really ran, and its participants.
func (c *CatchUp) attendance(ctx context.Context, it listed, s ringcentral.Session) error {
	var h ringcentral.HistorySession
	err := c.retry(ctx, func() (err error) { h, err = c.client.HistorySession(ctx, it.webinar.ID, s.ID); return err })
	if err != nil {
		return fmt.Errorf("reading RingCentral session %s as it ran: %w", s.ID, err)
	}
	var ps []ringcentral.Participant
	err = c.retry(ctx, func() (err error) { ps, err = c.client.Participants(ctx, it.webinar.ID, s.ID); return err })
	if err != nil {
		return fmt.Errorf("listing the participants of RingCentral session %s: %w", s.ID, err)
	}
	sess := record.Session{Key: store.ProviderKey(Provider, s.ID), Start: h.StartTime, End: h.EndTime,
		Attended: cmp.Or(h.UniqueAttendeeCount, h.AttendeeCount)}
	attendees := attendeeRecords(ps)
	before, err := c.held(it.key, sess.Key)
	if err != nil {
		return err
	}
	if err := c.store.MergeSessionAttendance(it.key, sess, attendees, time.Now()); err != nil {
		return fmt.Errorf("merging the attendance of RingCentral session %s: %w", s.ID, err)
	}
	after, err := c.held(it.key, sess.Key)
	if err != nil {
		return err
	}
	sessionChanged, attendeesChanged := before.diff(after)
	c.progress(func(st *Status) {
		st.Merged.Sessions++
		st.Merged.Attendees += len(attendees)
		st.Changed.Attendees += attendeesChanged
		if sessionChanged {
			st.Changed.Sessions++
		}
	})
	return nil
}

// attendeeRecords are the participants with the role Attendee (panelists,
// co-hosts and hosts are not attendees), one per person: keyed by their
// registration when they have one, else by their participant id (they
// joined without registering, and still attended).
func attendeeRecords(ps []ringcentral.Participant) []record.Attendee {
	var out []record.Attendee
	at := map[string]int{}
	for _, p := range ps {
		if !strings.EqualFold(p.Role, "Attendee") {
			continue
		}
		key := store.ProviderKey(Provider, "participant-"+p.ID)
		if p.RegistrantID != "" {
			key = store.ProviderKey(Provider, p.RegistrantID)
		}
		span := record.Span{Start: p.JoinTime, End: p.LeaveTime}
		if i, ok := at[key]; ok {
			// Joined twice (two devices): the earliest join to the latest
			// leave, as RingCentral reports each participant.
			a := &out[i]
			a.Intervals[0] = union(a.Intervals[0], span)
			a.Seconds = seconds(a.Intervals[0])
			continue
		}
		at[key] = len(out)
		out = append(out, record.Attendee{RegistrantKey: key, FirstName: p.FirstName, LastName: p.LastName,
			Email: p.Email, Seconds: seconds(span), Intervals: []record.Span{span}})
	}
	return out
}

// seconds is the time from join to leave. RingCentral gives only the
// earliest join and the latest leave, so it is an upper bound: the gaps of
// someone who left and came back are in it. Someone still there (no leave
// yet) has 0 until they leave, so a pass during a session writes only when
// someone comes or goes.
func seconds(s record.Span) int64 {
	if s.Start.IsZero() || s.End.IsZero() || s.End.Before(s.Start) {
		return 0
	}
	return int64(s.End.Sub(s.Start) / time.Second)
}

func union(a, b record.Span) record.Span {
	if a.Start.IsZero() || (!b.Start.IsZero() && b.Start.Before(a.Start)) {
		a.Start = b.Start
	}
	if b.End.After(a.End) {
		a.End = b.End
	}
	return a
}

// heldSession is a session and its attendance as the store holds them,
// each as JSON, to count what a merge changed.
type heldSession struct {
	session string
	rows    map[string]string // registrant key → attendance
}

func (c *CatchUp) held(webinarKey, sessionKey string) (heldSession, error) {
	h := heldSession{rows: map[string]string{}}
	sessions, err := c.store.Sessions(webinarKey)
	if errors.Is(err, store.ErrNotFound) {
		return h, nil
	}
	if err != nil {
		return h, fmt.Errorf("reading the stored sessions of %s: %w", webinarKey, err)
	}
	rows, err := c.store.Attendance(webinarKey)
	if err != nil {
		return h, fmt.Errorf("reading the stored attendance of %s: %w", webinarKey, err)
	}
	for _, s := range sessions {
		if s.SessionKey == sessionKey {
			h.session = asJSON(s)
		}
	}
	for _, a := range rows {
		if a.SessionKey == sessionKey {
			h.rows[a.RegistrantKey] = asJSON(a)
		}
	}
	return h, nil
}

// diff says whether the session changed from h to after, and how many
// attendance rows came, went or changed.
func (h heldSession) diff(after heldSession) (sessionChanged bool, rows int) {
	for k, v := range after.rows {
		if h.rows[k] != v {
			rows++
		}
	}
	for k := range h.rows {
		if _, ok := after.rows[k]; !ok {
			rows++
		}
	}
	return h.session != after.session, rows
}

func asJSON(v any) string {
	b, _ := json.Marshal(v) // the store's records always marshal
	return string(b)
}

// retry makes call, and again while RingCentral refuses it for the rate
// limit, up to rateLimitRounds more times.
func (c *CatchUp) retry(ctx context.Context, call func() error) error {
	for round := 0; ; round++ {
		err := call()
		if err == nil || round >= rateLimitRounds || ctx.Err() != nil ||
			ringcentral.Classify(err).Kind != ringcentral.ProblemRateLimited {
			return err
		}
		c.log.Info("ringcentral catch-up: still rate limited; waiting it out", "round", round+1, "err", err)
	}
}
