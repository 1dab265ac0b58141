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

	"webinarsync/store"
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

// errStopping refuses a stream once Close ran.
var errStopping = &userError{status: http.StatusServiceUnavailable, title: "Stopping",
	msg: "webinarsync is stopping, so live updates have ended."}

// liveStream is one open stream: what its tab shows and how far it got.
type liveStream struct {
	srv     *Server
	r       *http.Request
	sw      *sseWriter
	key     string // the webinar
	session string // the session shown; "" before anyone joined
	follow  bool   // the tab shows the latest session
	sent    uint64 // the highest join seq sent, or skipped as not this session's
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
	if _, err := s.knownWebinar(key); err != nil {
		return err
	}
	q := r.URL.Query()
	ls := &liveStream{srv: s, r: r, key: key,
		session: strings.TrimSpace(q.Get("session")), follow: q.Get("follow") == "1"}
	b := s.liveBroker()
	if b == nil {
		return errStopping
	}
	// Subscribe before reading the replay: a join stored in between is
	// then in both, and sent once, never in neither.
	t := b.subscribe(key, ls.session, ls.follow)
	defer b.unsubscribe(t)

	ctx, cancel := s.streamContext(r)
	defer cancel()
	rc := http.NewResponseController(w)
	ls.sw = &sseWriter{w: w, rc: rc}
	defer unblockWrites(ctx, rc)()

	if err := ls.serve(ctx, w, t); err != nil {
		s.log.Debug("ui: live stream ended", "webinar", key, "err", err)
	}
	return nil // once the stream started, an error page cannot follow
}

// streamContext ends with the request, or when Close ends every stream.
func (s *Server) streamContext(r *http.Request) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(r.Context())
	stop := context.AfterFunc(s.streams.ctx, cancel)
	return ctx, func() {
		stop()
		cancel()
	}
}

// unblockWrites makes a write stuck on a browser that stopped reading fail
// at once when ctx ends, else it would outlive the stream's end. Call the
// function it returns before the handler returns: the writer is not to be
// touched after.
func unblockWrites(ctx context.Context, rc *http.ResponseController) (disarm func()) {
	var mu sync.Mutex
	finished := false
	stop := context.AfterFunc(ctx, func() {
		mu.Lock()
		defer mu.Unlock()
		if !finished {
			_ = rc.SetWriteDeadline(time.Now())
		}
	})
	return func() {
		stop()
		mu.Lock()
		finished = true
		mu.Unlock()
	}
}

// serve opens the stream, catches the tab up, then relays the broker's
// messages, with a heartbeat, until ctx ends or the broker drops the tab.
func (ls *liveStream) serve(ctx context.Context, w http.ResponseWriter, t *tab) error {
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no") // a buffering proxy would hold messages back
	w.WriteHeader(http.StatusOK)
	if err := ls.sw.write("retry: " + strconv.Itoa(reconnectMillis) + "\n\n"); err != nil {
		return err
	}
	if err := ls.catchUp(); err != nil {
		return err
	}
	heartbeat := time.NewTicker(ls.srv.heartbeat)
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
			err = ls.relayQueued(t, m)
		case <-heartbeat.C:
			if err = ls.sw.write(": heartbeat\n\n"); err == nil {
				err = ls.refresh()
			}
		}
		if err != nil {
			return err
		}
	}
}

// catchUp replays the joins after the tab's Last-Event-ID, if it sent
// one, then the figures as they are now.
func (ls *liveStream) catchUp() error {
	if resume, ok := lastEventID(ls.r); ok {
		ls.sent = resume
		if err := ls.replay(); err != nil {
			return fmt.Errorf("replay: %w", err)
		}
	}
	return ls.refresh()
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

// replay sends the joins of the session stored after ls.sent, at most
// replayMax of the newest, and moves ls.sent past every join it looked at.
func (ls *liveStream) replay() error {
	joins, err := ls.srv.store.JoinsAfter(ls.key, ls.sent)
	if err != nil {
		return err
	}
	var mine []store.Join
	moved := false
	for _, j := range joins {
		ls.sent = max(ls.sent, j.Seq)
		if showsJoin(ls.session, j.SessionKey) {
			mine = append(mine, j)
		} else {
			moved = moved || ls.follow
		}
	}
	for _, j := range mine[max(len(mine)-replayMax, 0):] {
		m, err := ls.srv.joinMessage(j)
		if err != nil {
			return err
		}
		if err := ls.sw.send(m); err != nil {
			return err
		}
	}
	if moved {
		return ls.sw.send(sessionMessage(ls.key))
	}
	return nil
}

// relay queues a message from the broker for the next flush, but no join
// the replay sent.
func (ls *liveStream) relay(m message) {
	if m.id != 0 {
		if m.id <= ls.sent {
			return
		}
		if len(m.seqs) > 0 && m.seqs[0] <= ls.sent {
			m = joinedAfter(m, ls.sent)
		}
		ls.sent = m.id
		if m.event == "joined" && len(m.keys) == 0 {
			return // every one of them was sent as a row
		}
	}
	ls.sw.put(m)
}

// joinedAfter is a "joined" message without the keys of the joins up to
// seq: a tab that connected during the round was sent those as rows.
func joinedAfter(m message, seq uint64) message {
	var keys []string
	var seqs []uint64
	for i, s := range m.seqs {
		if s > seq {
			keys, seqs = append(keys, m.keys[i]), append(seqs, s)
		}
	}
	return joinedMessage(m.id, keys, seqs)
}

// relayQueued relays m and whatever else the tab has queued, then flushes
// once: a burst of joins costs one network write per tab, not one each.
func (ls *liveStream) relayQueued(t *tab, m message) error {
	ls.relay(m)
	for range tabQueue {
		select {
		case next, ok := <-t.ch:
			if !ok {
				return ls.sw.flush() // dropped: the loop sees the close next
			}
			ls.relay(next)
			continue
		default:
		}
		break
	}
	return ls.sw.flush()
}

// refresh sends the session's figures and timeline and the pipe's state.
func (ls *liveStream) refresh() error {
	b, err := ls.srv.loadBoard(ls.key)
	if err != nil {
		return err
	}
	msgs, err := ls.srv.boardMessages(b, ls.session, nil)
	if err != nil {
		return err
	}
	p, err := ls.srv.pipe(ls.r)
	if err != nil {
		return err
	}
	pm, err := pipeMessage(p)
	if err != nil {
		return err
	}
	return ls.sw.sendAll(append(msgs, pm))
}

// sseWriter writes Server-Sent Events, each flushed at once.
type sseWriter struct {
	w   io.Writer
	rc  *http.ResponseController
	buf []byte // messages put and not yet flushed
}

// sendAll sends msgs in order, stopping at the first failure.
func (sw *sseWriter) sendAll(msgs []message) error {
	for _, m := range msgs {
		if err := sw.send(m); err != nil {
			return err
		}
	}
	return nil
}

// send writes m and flushes it.
func (sw *sseWriter) send(m message) error {
	sw.put(m)
	return sw.flush()
}

// put queues m without writing it: a tab with several messages queued gets
// them in one write to the network (flush sends them).
func (sw *sseWriter) put(m message) {
	sw.buf = append(sw.buf, m.frame()...)
}

func (sw *sseWriter) write(s string) error {
	sw.buf = append(sw.buf, s...)
	return sw.flush()
}

// flush writes what was put in one write and pushes it to the network: with
// hundreds of tabs open, a write per message was the boards' cost to ingest
// (issue 15).
func (sw *sseWriter) flush() error {
	if len(sw.buf) > 0 {
		_ = sw.rc.SetWriteDeadline(time.Now().Add(streamWriteTimeout)) // unsupported by test recorders
		_, err := sw.w.Write(sw.buf)
		sw.buf = sw.buf[:0]
		if cap(sw.buf) > maxKeptBuffer {
			sw.buf = nil // a burst's buffer is not kept for every tab
		}
		if err != nil {
			return err
		}
	}
	return sw.rc.Flush()
}

// maxKeptBuffer is the largest write buffer a stream keeps between writes.
const maxKeptBuffer = 16 << 10
