package ui

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"webinarsync/forward"
	"webinarsync/gotowebinar"
	"webinarsync/store"
)

// eventsPerPage is how many deliveries the event log lists at once.
const eventsPerPage = 50

// Forwarding is forwarding stored events to the organizer's own endpoint
// (package forward): its state, replays, and its settings.
type Forwarding interface {
	State() forward.State
	// Replay queues stored events again, marked as replays.
	Replay(q store.ReplayQuery) (int, error)
	SavedTarget() string
	SaveTarget(target string) error
	Secret() (string, error)
}

// eventsView is the event log page.
type eventsView struct {
	chrome
	Now       time.Time
	Name      string   // the event type shown, "" = all
	Names     []string // the filter's choices
	Before    uint64
	Entries   []eventRow
	OlderURL  string // "" on the last page
	NewestURL string // "" when already showing the newest
	StreamURL string // "" when the page does not follow new events (an older page)
	Replay    bool   // forwarding exists: offer replays
	Replayed  string // what the last replay queued, in words
	Webinars  []store.Webinar
}

// eventRow is one delivery with what the store knows of its webinar and
// person, so the keys come with names.
type eventRow struct {
	store.LogEntry
	WebinarTitle string
	Person       string // "Ada Lovelace (ada@example.com)"; "" when about no one
	Replay       bool   // offer the Replay button
}

// events serves GET /events: the deliveries, newest first.
func (s *Server) events(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	v := eventsView{chrome: s.chrome("Event log", "events"), Now: s.now(), Name: q.Get("name"),
		Replay: s.forward != nil, Replayed: q.Get("replayed")}
	// A before we cannot read is treated as absent: show the newest.
	v.Before, _ = strconv.ParseUint(q.Get("before"), 10, 64)

	stored, err := s.store.EventNames()
	if err != nil {
		return fmt.Errorf("event names: %w", err)
	}
	v.Names = gotowebinar.EventNames()
	for _, n := range append(stored, v.Name) {
		if n != "" && !slices.Contains(v.Names, n) {
			v.Names = append(v.Names, n)
		}
	}

	// One more than a page tells whether there is an older page.
	entries, err := s.store.Events(store.EventQuery{Name: v.Name, Before: v.Before, Limit: eventsPerPage + 1})
	if err != nil {
		return fmt.Errorf("events: %w", err)
	}
	if len(entries) > eventsPerPage {
		entries = entries[:eventsPerPage]
		v.OlderURL = eventsURL(v.Name, entries[len(entries)-1].Seq)
	}
	v.Entries = s.eventRows(entries)
	if v.Before != 0 {
		v.NewestURL = eventsURL(v.Name, 0)
	} else {
		last, err := s.store.LastSeq()
		if err != nil {
			return fmt.Errorf("events: %w", err)
		}
		sq := url.Values{"after": {strconv.FormatUint(last, 10)}}
		if v.Name != "" {
			sq.Set("name", v.Name)
		}
		v.StreamURL = "/events/stream?" + sq.Encode()
	}
	if v.Replay {
		if v.Webinars, err = s.store.Webinars(); err != nil {
			return fmt.Errorf("events: %w", err)
		}
	}
	return s.render(w, r, http.StatusOK, eventsPage(v))
}

// eventRows adds names to entries, reading each webinar once.
func (s *Server) eventRows(entries []store.LogEntry) []eventRow {
	titles := map[string]string{}
	rows := make([]eventRow, len(entries))
	for i, e := range entries {
		rows[i] = s.eventRow(e, titles)
	}
	return rows
}

// eventRow looks up the webinar's title and the person's name. A lookup
// that fails leaves the name out: the keys are still there.
func (s *Server) eventRow(e store.LogEntry, titles map[string]string) eventRow {
	row := eventRow{LogEntry: e, Replay: s.forward != nil}
	if e.WebinarKey != "" {
		title, ok := titles[e.WebinarKey]
		if !ok {
			if w, err := s.store.Webinar(e.WebinarKey); err == nil {
				title = w.Title
			}
			titles[e.WebinarKey] = title
		}
		row.WebinarTitle = title
	}
	ev, err := gotowebinar.DecodeEvent(e.Raw)
	if err != nil {
		return row
	}
	var key, first, last, email string
	switch {
	case ev.RegistrantAdded != nil:
		a := ev.RegistrantAdded
		key, first, last, email = string(a.RegistrantKey), a.FirstName, a.LastName, a.Email
	case ev.RegistrantJoined != nil:
		j := ev.RegistrantJoined
		key, first, last, email = string(j.RegistrantKey), j.FirstName, j.LastName, j.Email
	default:
		return row
	}
	// The stored registrant knows the latest name; the event its own.
	if reg, err := s.store.Registrant(e.WebinarKey, key); err == nil {
		first, last, email = reg.FirstName, reg.LastName, reg.Email
	}
	row.Person = personWords(first, last, email)
	return row
}

// eventStream serves GET /events/stream: the event log's Server-Sent
// Events, an "entry" message (id: the log seq, data: the rendered row)
// per event stored after the page's after (or Last-Event-ID), filtered by
// name like the page.
func (s *Server) eventStream(w http.ResponseWriter, r *http.Request) error {
	if s.streams.ctx.Err() != nil {
		return errStopping
	}
	name := r.URL.Query().Get("name")
	sent, ok := lastEventID(r)
	if !ok {
		sent, _ = strconv.ParseUint(r.URL.Query().Get("after"), 10, 64)
	}
	// Subscribe before the catch-up: an event stored in between is in
	// both and sent once, never in neither.
	feed, cancelSub := s.store.Subscribe()
	defer cancelSub()
	ctx, cancel := s.streamContext(r)
	defer cancel()
	rc := http.NewResponseController(w)
	sw := &sseWriter{w: w, rc: rc}
	defer unblockWrites(ctx, rc)()

	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	if err := s.serveEventStream(ctx, sw, name, sent, feed); err != nil {
		s.log.Debug("ui: event log stream ended", "err", err)
	}
	return nil // once the stream started, an error page cannot follow
}

func (s *Server) serveEventStream(ctx context.Context, sw *sseWriter, name string, sent uint64, feed <-chan store.LogEntry) error {
	if err := sw.write("retry: " + strconv.Itoa(reconnectMillis) + "\n\n"); err != nil {
		return err
	}
	// The feed only wakes the stream: the log, read by seq, says what to
	// send, so entries the feed dropped are still sent, in order.
	catchUp := func() error {
		last, err := s.store.LastSeq()
		if err != nil {
			return err
		}
		titles := map[string]string{}
		for seq := max(sent+1, last-min(last, replayMax)+1); seq <= last; seq++ {
			e, err := s.store.Event(seq)
			if errors.Is(err, store.ErrNotFound) {
				continue // erased since
			}
			if err != nil {
				return err
			}
			if name == "" || e.EventName == name {
				html, err := renderString(eventEntry(s.eventRow(e, titles), s.now()))
				if err != nil {
					return err
				}
				if err := sw.send(message{event: "entry", id: seq, data: html}); err != nil {
					return err
				}
			}
		}
		sent = max(sent, last)
		return nil
	}
	if err := catchUp(); err != nil {
		return err
	}
	heartbeat := time.NewTicker(s.heartbeat)
	defer heartbeat.Stop()
	for {
		var err error
		select {
		case <-ctx.Done():
			return nil
		case _, ok := <-feed:
			if !ok {
				return nil // the store is closing
			}
			err = catchUp()
		case <-heartbeat.C:
			err = sw.write(": heartbeat\n\n")
		}
		if err != nil {
			return err
		}
	}
}

// replay serves POST /events/replay: seq (one event), or webinar and/or
// from–to (dates, the whole days, in UTC). The events go to the outbox
// again, marked as replays.
func (s *Server) replay(w http.ResponseWriter, r *http.Request) error {
	q, err := replayQuery(r)
	if err != nil {
		return &userError{status: http.StatusBadRequest, title: "Nothing replayed", msg: err.Error(), err: err}
	}
	n, err := s.forward.Replay(q)
	switch {
	case errors.Is(err, store.ErrEmptyReplay):
		return &userError{status: http.StatusBadRequest, title: "Nothing replayed",
			msg: "Pick an event, a webinar or dates to replay.", err: err}
	case errors.Is(err, store.ErrNotFound):
		return &userError{status: http.StatusNotFound, title: "Nothing replayed",
			msg: "That event is no longer stored.", err: err}
	case err != nil:
		return fmt.Errorf("replay: %w", err)
	}
	s.log.Info("ui: events queued for forwarding again", "count", n)
	back := url.Values{"replayed": {replayedWords(n, s.forward.State())}}
	http.Redirect(w, r, "/events?"+back.Encode(), http.StatusSeeOther)
	return nil
}

// replayQuery reads the replay form. Dates are whole days: to includes
// its day.
func replayQuery(r *http.Request) (store.ReplayQuery, error) {
	var q store.ReplayQuery
	if v := strings.TrimSpace(r.PostFormValue("seq")); v != "" {
		seq, err := strconv.ParseUint(v, 10, 64)
		if err != nil || seq == 0 {
			return q, errors.New("that is not an event of the log")
		}
		q.Seq = seq
		return q, nil
	}
	q.WebinarKey = strings.TrimSpace(r.PostFormValue("webinar"))
	for _, f := range []struct {
		field string
		dst   *time.Time
		add   int
	}{{"from", &q.From, 0}, {"to", &q.To, 1}} {
		v := strings.TrimSpace(r.PostFormValue(f.field))
		if v == "" {
			continue
		}
		d, err := time.Parse(time.DateOnly, v)
		if err != nil {
			return q, fmt.Errorf("%q is not a date (YYYY-MM-DD)", v)
		}
		*f.dst = d.AddDate(0, 0, f.add)
	}
	return q, nil
}

// eventsURL is the event log filtered by name, before a sequence number.
func eventsURL(name string, before uint64) string {
	v := url.Values{}
	if name != "" {
		v.Set("name", name)
	}
	if before != 0 {
		v.Set("before", strconv.FormatUint(before, 10))
	}
	if len(v) == 0 {
		return "/events"
	}
	return "/events?" + v.Encode()
}

// knownEvent reports whether name is one of GoTo's events, whose webinar
// key leads to a webinar page.
func knownEvent(name string) bool { return slices.Contains(gotowebinar.EventNames(), name) }
