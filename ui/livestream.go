package ui

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

const (
	// defaultHeartbeat is how often an idle stream sends a comment, so
	// proxies and browsers keep it open, and refreshes the pipe's state.
	defaultHeartbeat = 15 * time.Second
	// streamWriteTimeout ends a stream whose browser stopped reading.
	streamWriteTimeout = 10 * time.Second
	// replayMax bounds the joins a reconnecting tab is sent; the board
	// lists fewer, and the counters carry the totals.
	replayMax = 200
	// reconnectMillis is how soon a browser reconnects a dropped stream.
	reconnectMillis = 1000
)

// streams is what the live streams share: the broker, started with the
// first stream, and the context that ends them all when the server stops.
type streams struct {
	ctx    context.Context
	cancel context.CancelFunc

	mu     sync.Mutex
	broker *broker
}

func newStreams() *streams {
	ctx, cancel := context.WithCancel(context.Background())
	return &streams{ctx: ctx, cancel: cancel}
}

// Close ends every live stream and stops their broker. http.Server's
// Shutdown waits for handlers to return but does not cancel them, so the
// app calls Close when it shuts down, e.g. with
// uiHTTPServer.RegisterOnShutdown(uiServer.Close). Pages are still served.
func (s *Server) Close() {
	s.streams.cancel()
	s.streams.mu.Lock()
	b := s.streams.broker
	s.streams.mu.Unlock()
	if b != nil {
		b.stop()
	}
}

// liveBroker starts the broker with the first stream; nil once Close ran.
func (s *Server) liveBroker() *broker {
	s.streams.mu.Lock()
	defer s.streams.mu.Unlock()
	if s.streams.ctx.Err() != nil {
		return nil
	}
	if s.streams.broker == nil {
		s.streams.broker = newBroker(s)
	}
	return s.streams.broker
}

// lastEventID is where a stream resumes: the Last-Event-ID header a
// reconnecting EventSource sends, else the page's lastEventId parameter.
func lastEventID(r *http.Request) (uint64, bool) {
	for _, v := range []string{r.Header.Get("Last-Event-ID"), r.URL.Query().Get("lastEventId")} {
		if n, err := strconv.ParseUint(strings.TrimSpace(v), 10, 64); err == nil {
			return n, true
		}
	}
	return 0, false
}

// liveEvents serves GET /webinars/{webinarKey}/live/events, the board's
// Server-Sent Events stream: a "join" message (id: the log seq, data: the
// join's table row) per join of the session shown, "board" messages with
// the figures and timeline, "noshow" rows for new registrants, "pipe" with
// the state of the tunnel and webhooks, and a "session" message telling a
// tab that follows the latest session that a new one started. With a
// Last-Event-ID it first replays the joins stored after it.
//
// Query: session (the session shown; "" before anyone joined), follow=1
// (the tab shows the latest session), lastEventId.
func (s *Server) liveEvents(w http.ResponseWriter, r *http.Request) error {
	key := r.PathValue("webinarKey")
	if _, err := s.store.Webinar(key); err != nil {
		return fmt.Errorf("webinar %s: %w", key, err)
	}
	q := r.URL.Query()
	session, follow := strings.TrimSpace(q.Get("session")), q.Get("follow") == "1"
	resume, replay := lastEventID(r)

	b := s.liveBroker()
	if b == nil {
		return &userError{status: http.StatusServiceUnavailable, title: "Stopping",
			msg: "webinarsync is stopping, so live updates have ended."}
	}
	// Subscribe before reading the replay: a join stored in between is
	// then in both, and sent once, never in neither.
	t := b.subscribe(key, session, follow)
	defer b.unsubscribe(t)

	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	defer context.AfterFunc(s.streams.ctx, cancel)()

	rc := http.NewResponseController(w)
	sw := &sseWriter{w: w, rc: rc}
	// A write stuck on a browser that stopped reading would outlive the
	// stream's end; a past deadline makes it fail at once.
	var mu sync.Mutex
	finished := false
	stopUnblock := context.AfterFunc(ctx, func() {
		mu.Lock()
		defer mu.Unlock()
		if !finished {
			_ = rc.SetWriteDeadline(time.Now())
		}
	})
	defer func() {
		stopUnblock()
		mu.Lock()
		finished = true
		mu.Unlock()
	}()

	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no") // a buffering proxy would hold messages back
	w.WriteHeader(http.StatusOK)
	if err := sw.write("retry: " + strconv.Itoa(reconnectMillis) + "\n\n"); err != nil {
		return nil
	}

	sent := resume
	if replay {
		var err error
		if sent, err = s.replay(sw, key, session, follow, resume); err != nil {
			s.log.Debug("ui: live stream: replay ended", "webinar", key, "err", err)
			return nil
		}
	}
	if err := s.refresh(sw, r, key, session); err != nil {
		s.log.Debug("ui: live stream ended", "webinar", key, "err", err)
		return nil
	}

	heartbeat := time.NewTicker(s.heartbeat)
	defer heartbeat.Stop()
	for {
		var err error
		select {
		case <-ctx.Done():
			return nil
		case m, ok := <-t.ch:
			if !ok {
				// Dropped as too slow, or the app stops: the browser
				// reconnects with Last-Event-ID and catches up.
				return nil
			}
			if m.id != 0 {
				if m.id <= sent {
					continue // replayed already
				}
				sent = m.id
			}
			err = sw.send(m)
		case <-heartbeat.C:
			if err = sw.write(": heartbeat\n\n"); err == nil {
				err = s.refresh(sw, r, key, session)
			}
		}
		if err != nil {
			s.log.Debug("ui: live stream ended", "webinar", key, "err", err)
			return nil
		}
	}
}

// replay sends the joins of the session stored after seq resume, at most
// replayMax of the newest, and returns the highest seq it looked at.
func (s *Server) replay(sw *sseWriter, key, session string, follow bool, resume uint64) (uint64, error) {
	joins, err := s.store.JoinsAfter(key, resume)
	if err != nil {
		return resume, err
	}
	sent := resume
	var mine []message
	moved := false
	for _, j := range joins {
		sent = max(sent, j.Seq)
		if session != "" && j.SessionKey != session {
			moved = moved || follow
			continue
		}
		m, err := s.joinMessage(j)
		if err != nil {
			return sent, err
		}
		mine = append(mine, m)
	}
	if len(mine) > replayMax {
		mine = mine[len(mine)-replayMax:]
	}
	for _, m := range mine {
		if err := sw.send(m); err != nil {
			return sent, err
		}
	}
	if moved {
		return sent, sw.send(message{event: "session", data: liveURL(key)})
	}
	return sent, nil
}

// refresh sends the session's figures and timeline and the pipe's state.
func (s *Server) refresh(sw *sseWriter, r *http.Request, key, session string) error {
	b, err := s.loadBoard(key)
	if err != nil {
		return err
	}
	msgs, err := s.boardMessages(b, session, nil)
	if err != nil {
		return err
	}
	p, err := s.pipe(r)
	if err != nil {
		return err
	}
	html, err := renderString(pipeStrip(p))
	if err != nil {
		return err
	}
	for _, m := range append(msgs, message{event: "pipe", data: html}) {
		if err := sw.send(m); err != nil {
			return err
		}
	}
	return nil
}

// sseWriter writes Server-Sent Events, each flushed at once.
type sseWriter struct {
	w  io.Writer
	rc *http.ResponseController
}

// send writes m: its event type, its id, and its data one line per
// "data:" field, as the format requires for text with line breaks.
func (sw *sseWriter) send(m message) error {
	var b strings.Builder
	if m.event != "" {
		b.WriteString("event: " + m.event + "\n")
	}
	if m.id != 0 {
		b.WriteString("id: " + strconv.FormatUint(m.id, 10) + "\n")
	}
	data := strings.ReplaceAll(strings.ReplaceAll(m.data, "\r\n", "\n"), "\r", "\n")
	for line := range strings.SplitSeq(data, "\n") {
		b.WriteString("data: " + line + "\n")
	}
	b.WriteString("\n")
	return sw.write(b.String())
}

func (sw *sseWriter) write(s string) error {
	_ = sw.rc.SetWriteDeadline(time.Now().Add(streamWriteTimeout)) // unsupported by test recorders
	if _, err := io.WriteString(sw.w, s); err != nil {
		return err
	}
	return sw.rc.Flush()
}
