package ui

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"webinarsync/gotowebinar"
	"webinarsync/store"
)

// deliveriesPerPage is how many requests the Deliveries page lists.
const deliveriesPerPage = 100

// deliveryFilter is what the Deliveries page shows: an outcome ("" all,
// "kept" every refused or failed one, or one gotowebinar.Result) and an
// event name.
type deliveryFilter struct {
	Outcome string
	Event   string
}

func filterOf(r *http.Request) deliveryFilter {
	q := r.URL.Query()
	return deliveryFilter{Outcome: strings.TrimSpace(q.Get("outcome")), Event: strings.TrimSpace(q.Get("event"))}
}

func (f deliveryFilter) query() store.DeliveryQuery {
	q := store.DeliveryQuery{EventName: f.Event, Limit: deliveriesPerPage}
	switch f.Outcome {
	case "":
	case "kept":
		kept := true
		q.Kept = &kept
	default:
		q.Result = gotowebinar.Result(f.Outcome)
	}
	return q
}

// shows reports whether a record belongs on a page with this filter.
func (f deliveryFilter) shows(rec store.DeliveryRecord) bool {
	switch {
	case f.Event != "" && rec.EventName != f.Event:
		return false
	case f.Outcome == "kept":
		return rec.Kept()
	case f.Outcome != "":
		return string(rec.Result) == f.Outcome
	}
	return true
}

func (f deliveryFilter) values() url.Values {
	v := url.Values{}
	if f.Outcome != "" {
		v.Set("outcome", f.Outcome)
	}
	if f.Event != "" {
		v.Set("event", f.Event)
	}
	return v
}

// deliveriesView is the Deliveries page.
type deliveriesView struct {
	chrome
	Now     time.Time
	Filter  deliveryFilter
	Names   []string
	Rows    []deliveryRow
	Stream  string // the SSE stream's URL, filter and resume point included
	Dropped int64
}

// deliveryRow is one request as the table shows it.
type deliveryRow struct {
	ID        uint64
	At        time.Time
	Result    string // the gotowebinar.Result, for styling and tests
	Words     string // what became of it, in words
	EventName string
	EventKey  string
	From      string
	Bytes     int
	Seq       uint64 // the stored event, 0 when none
}

func rowOf(rec store.DeliveryRecord) deliveryRow {
	from := rec.RemoteAddr
	if rec.ForwardedFor != "" {
		from = rec.ForwardedFor
	}
	return deliveryRow{ID: rec.ID, At: rec.At, Result: string(rec.Result), Words: deliveryRecordWords(rec),
		EventName: rec.EventName, EventKey: rec.EventKey, From: from, Bytes: rec.Bytes, Seq: rec.Seq}
}

// records is the delivery record, nil when the app has none (then the
// Deliveries routes are not served).
func (s *Server) records() DeliveryRecords {
	r, _ := s.deliveries.(DeliveryRecords)
	return r
}

// deliveriesPage serves GET /deliveries: every request to the webhook
// path, newest first, kept current over /deliveries/events.
func (s *Server) deliveriesPage(w http.ResponseWriter, r *http.Request) error {
	recs := s.records()
	v := deliveriesView{chrome: s.chrome("Deliveries", "deliveries"), Now: s.now(), Filter: filterOf(r),
		Names: gotowebinar.EventNames()}
	if v.Filter.Event != "" && !slices.Contains(v.Names, v.Filter.Event) {
		v.Names = append(v.Names, v.Filter.Event)
	}
	list, err := recs.List(v.Filter.query())
	if err != nil {
		return fmt.Errorf("deliveries: %w", err)
	}
	var newest uint64
	for _, rec := range list {
		v.Rows = append(v.Rows, rowOf(rec))
		newest = max(newest, rec.ID)
	}
	// The stream resumes after the newest listed: nothing is in neither.
	q := v.Filter.values()
	q.Set("lastEventId", strconv.FormatUint(newest, 10))
	v.Stream = "/deliveries/events?" + q.Encode()
	return s.render(w, r, http.StatusOK, deliveriesPage(v))
}

// deliveryEvents serves GET /deliveries/events, the page's Server-Sent
// Events stream: a "delivery" message (id: the record's id, data: its
// table row) for each new record the filter shows, and for a record
// "Verify again" changed. With a Last-Event-ID it first sends the records
// after it, so a reconnecting tab misses nothing.
func (s *Server) deliveryEvents(w http.ResponseWriter, r *http.Request) error {
	recs := s.records()
	f := filterOf(r)
	if s.streams.ctx.Err() != nil {
		return errStopping
	}
	// Subscribe before the catch-up: a record written in between is in
	// both and sent once, never in neither.
	ids, cancelSub := recs.SubscribeDeliveries()
	defer cancelSub()
	ctx, cancel := s.streamContext(r)
	defer cancel()
	rc := http.NewResponseController(w)
	sw := &sseWriter{w: w, rc: rc}
	defer unblockWrites(ctx, rc)()
	if err := s.serveDeliveries(ctx, w, r, sw, f, ids); err != nil {
		s.log.Debug("ui: deliveries stream ended", "err", err)
	}
	return nil // once the stream started, an error page cannot follow
}

func (s *Server) serveDeliveries(ctx context.Context, w http.ResponseWriter, r *http.Request, sw *sseWriter, f deliveryFilter, ids <-chan uint64) error {
	recs := s.records()
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	if err := sw.write("retry: " + strconv.Itoa(reconnectMillis) + "\n\n"); err != nil {
		return err
	}
	sent, _ := lastEventID(r)
	catchUp := func() error {
		q := f.query()
		q.After, q.Limit = sent, replayMax
		list, err := recs.List(q)
		if err != nil {
			return err
		}
		for i := len(list) - 1; i >= 0; i-- {
			if err := s.sendDelivery(r, sw, list[i], list[i].ID); err != nil {
				return err
			}
			sent = max(sent, list[i].ID)
		}
		return nil
	}
	if err := catchUp(); err != nil {
		return err
	}
	heartbeat := time.NewTicker(s.heartbeat)
	defer heartbeat.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case id, ok := <-ids:
			if !ok {
				return nil
			}
			if id > sent {
				// New: read everything after sent, which also covers ids
				// this subscriber missed while it was behind.
				if err := catchUp(); err != nil {
					return err
				}
				continue
			}
			// An older record changed (Verify again): send it again.
			rec, err := recs.Delivery(id)
			if errors.Is(err, store.ErrNotFound) || (err == nil && !f.shows(rec)) {
				continue
			}
			if err != nil {
				return err
			}
			if err := s.sendDelivery(r, sw, rec, 0); err != nil {
				return err
			}
		case <-heartbeat.C:
			if err := sw.write(": heartbeat\n\n"); err != nil {
				return err
			}
		}
	}
}

// sendDelivery sends one record's row, with id as the SSE id (where a
// reconnecting tab resumes); 0 for a changed older row, which must not
// move the resume point back.
func (s *Server) sendDelivery(r *http.Request, sw *sseWriter, rec store.DeliveryRecord, id uint64) error {
	var buf bytes.Buffer
	if err := deliveryRowView(rowOf(rec)).Render(r.Context(), &buf); err != nil {
		return fmt.Errorf("render delivery %d: %w", rec.ID, err)
	}
	return sw.send(message{event: "delivery", id: id, data: buf.String()})
}

// deliveryView is one delivery's detail page.
type deliveryView struct {
	chrome
	Now          time.Time
	Row          deliveryRow
	Rec          store.DeliveryRecord
	Why          string   // why it was refused or not stored, "" for a stored one
	Alternatives []string // the other schemes that match, in words
	HexShaped    bool     // refused unread, but its signature is shaped like hex
	Headers      [][2]string
	Body         string // pretty-printed when it is JSON
	Curl         string // re-sends the body to the webhook URL; "" without a body
	Recheck      string // what Verify again found, in words; "" before it ran
	RecheckOK    bool
	CanVerify    bool
}

// deliveryID reads the {id} of the path, or answers 404.
func deliveryID(r *http.Request) (uint64, error) {
	id, err := strconv.ParseUint(r.PathValue("id"), 10, 64)
	if err != nil || id == 0 {
		return 0, errNoDelivery
	}
	return id, nil
}

var errNoDelivery = &userError{status: http.StatusNotFound, title: "Delivery not found",
	msg: "This delivery is not in the record: refused ones are kept for a while, then make room for newer ones."}

// deliveryPage serves GET /deliveries/{id}.
func (s *Server) deliveryPage(w http.ResponseWriter, r *http.Request) error {
	v, err := s.deliveryDetail(r)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, deliveryPage(v))
}

// verifyDelivery serves POST /deliveries/{id}/verify: "Verify again" with
// today's keys. A pass stores the event like any delivery; a failure
// stores nothing.
func (s *Server) verifyDelivery(w http.ResponseWriter, r *http.Request) error {
	id, err := deliveryID(r)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
	defer cancel()
	res, err := s.records().VerifyAgain(ctx, id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return errNoDelivery
	case errors.Is(err, store.ErrNotVerifiable):
		return &userError{status: http.StatusConflict, title: "Nothing to verify", msg: recheckUnverifiableWords, err: err}
	case err != nil:
		return fmt.Errorf("verify delivery %d: %w", id, err)
	}
	v, err := s.deliveryDetail(r)
	if err != nil {
		return err
	}
	v.Recheck, v.RecheckOK = recheckWords(res)
	if res.Check == nil {
		s.log.Info("ui: a refused delivery verified with today's keys and was stored", "delivery", id, "new", res.Stored)
	}
	return s.render(w, r, http.StatusOK, deliveryPage(v))
}

func (s *Server) deliveryDetail(r *http.Request) (deliveryView, error) {
	id, err := deliveryID(r)
	if err != nil {
		return deliveryView{}, err
	}
	rec, err := s.records().Delivery(id)
	if errors.Is(err, store.ErrNotFound) {
		return deliveryView{}, errNoDelivery
	}
	if err != nil {
		return deliveryView{}, fmt.Errorf("delivery %d: %w", id, err)
	}
	v := deliveryView{chrome: s.chrome("Delivery "+strconv.FormatUint(id, 10), "deliveries"), Now: s.now(),
		Row: rowOf(rec), Rec: rec, CanVerify: rec.Kept() && len(rec.Body) > 0 && rec.Provider == ""}
	if rec.Kept() {
		v.Why = refusalWords(rec.Outcome())
		v.Alternatives = alternativeWords(s.records().Alternatives(rec))
		v.HexShaped = len(rec.Body) == 0 && gotowebinar.LooksHex(rec.Signature)
	}
	names := make([]string, 0, len(rec.Header))
	for name := range rec.Header {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		for _, val := range rec.Header[name] {
			v.Headers = append(v.Headers, [2]string{name, val})
		}
	}
	v.Body = prettyBody(rec.Body)
	if len(rec.Body) > 0 {
		snap, err := s.snapshot(r)
		if err != nil {
			return v, err
		}
		v.Curl = curlCommand(snap.WebhookURL, rec)
	}
	return v, nil
}

// prettyBody indents a JSON body; anything else is shown as it came.
func prettyBody(body []byte) string {
	var buf bytes.Buffer
	if json.Indent(&buf, body, "", "  ") == nil {
		return buf.String()
	}
	return string(body)
}

// curlCommand re-sends a kept body to the webhook URL with the headers
// that are checked, so a fix can be tried against the real path.
func curlCommand(webhookURL string, rec store.DeliveryRecord) string {
	if webhookURL == "" {
		webhookURL = "https://YOUR-PUBLIC-URL" + gotowebinar.WebhookPath
	}
	h := http.Header(rec.Header)
	parts := []string{"curl -sS -X POST " + shellQuote(webhookURL), "-H 'Content-Type: application/json'"}
	if ts := h.Get(gotowebinar.HeaderSignatureTimestamp); ts != "" {
		parts = append(parts, "-H "+shellQuote(gotowebinar.HeaderSignatureTimestamp+": "+ts))
	}
	if rec.Signature != "" {
		parts = append(parts, "-H "+shellQuote(gotowebinar.HeaderSignature+": "+rec.Signature))
	}
	parts = append(parts, "--data-binary "+shellQuote(string(rec.Body)))
	return strings.Join(parts, " \\\n  ")
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
