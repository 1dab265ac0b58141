package ui

import (
	"sync"

	"webinarsync/gotowebinar"
	"webinarsync/store"
)

// tabQueue is how many messages a tab may have waiting before it counts as
// slow and is dropped. A burst of joins is a few dozen messages.
const tabQueue = 128

// message is one Server-Sent Events message.
type message struct {
	event   string // SSE event type: "join", "board", "noshow", "session"
	id      uint64 // SSE id (a join's log seq); 0 writes no id line
	data    string // rendered HTML, or a URL for "session"
	session string // the session a join belongs to
}

// tab is one open live board: its stream's queue and what it shows.
type tab struct {
	webinar string
	session string // the session shown; "" = none yet, so every session's joins
	follow  bool   // showing the latest session, not one picked
	ch      chan message
}

// topic is the tabs watching one webinar, and how far they were sent joins.
type topic struct {
	sent uint64 // highest join seq handed to the tabs
	tabs map[*tab]struct{}
}

// broker fans the store's change feed out to the open live boards. One
// goroutine drains the feed and only notes which webinars changed, so it
// keeps up with any delivery rate and ingest never waits for a browser;
// another renders each change once per webinar (and per session shown) and
// hands it to every tab without blocking. A tab whose queue is full is
// dropped: its stream ends, the browser reconnects with Last-Event-ID and
// catches up from the store, so a slow tab costs nobody else anything.
//
// The feed is a wake-up call, not the source: each round reads the joins
// stored after the last one sent (store.JoinsAfter), so entries that arrive
// out of order, or that the feed dropped, are still sent once, in order.
type broker struct {
	srv *Server

	mu      sync.Mutex
	topics  map[string]*topic
	changed map[string][]store.LogEntry // webinars changed since the last round, with their entries
	closed  bool
	cancel  func() // ends the store subscription

	wake     chan struct{} // capacity 1: a round is due
	done     chan struct{} // closed when the broker stops
	workDone chan struct{} // closed when the worker has finished its last round
}

// maxPendingEntries bounds the entries kept per webinar between rounds;
// they only add no-show rows, the counters are recomputed regardless.
const maxPendingEntries = 256

func newBroker(srv *Server) *broker {
	b := &broker{
		srv:      srv,
		topics:   make(map[string]*topic),
		changed:  make(map[string][]store.LogEntry),
		wake:     make(chan struct{}, 1),
		done:     make(chan struct{}),
		workDone: make(chan struct{}),
	}
	feed, cancel := srv.store.Subscribe()
	b.cancel = cancel
	go b.read(feed)
	go b.work()
	return b
}

// subscribe adds a tab. Its channel is closed when the tab is dropped or
// the broker stops; call unsubscribe when the stream ends.
func (b *broker) subscribe(webinar, session string, follow bool) *tab {
	t := &tab{webinar: webinar, session: session, follow: follow, ch: make(chan message, tabQueue)}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		close(t.ch)
		return t
	}
	tp := b.topics[webinar]
	if tp == nil {
		// Joins stored up to now are the stream's replay to send; the
		// broker sends what comes after.
		last, err := b.srv.store.LastSeq()
		if err != nil {
			b.srv.log.Error("ui: live board: reading the last seq", "err", err)
		}
		tp = &topic{sent: last, tabs: make(map[*tab]struct{})}
		b.topics[webinar] = tp
	}
	tp.tabs[t] = struct{}{}
	return t
}

// unsubscribe removes a tab (dropped or not).
func (b *broker) unsubscribe(t *tab) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.removeLocked(t, false)
}

// removeLocked takes t out of its topic, closing its channel when asked.
func (b *broker) removeLocked(t *tab, closeCh bool) {
	tp := b.topics[t.webinar]
	if tp == nil {
		return
	}
	if _, ok := tp.tabs[t]; !ok {
		return
	}
	delete(tp.tabs, t)
	if closeCh {
		close(t.ch)
	}
	if len(tp.tabs) == 0 {
		delete(b.topics, t.webinar)
	}
}

// stop ends the broker and every tab's stream.
func (b *broker) stop() {
	b.cancel() // closes the feed, which ends read, which closes the tabs
	<-b.done
	<-b.workDone // no round may read the store after this: it closes next
}

// read notes each stored entry of a watched webinar and wakes the worker.
func (b *broker) read(feed <-chan store.LogEntry) {
	for e := range feed {
		b.mu.Lock()
		if _, watched := b.topics[e.WebinarKey]; watched {
			pending := b.changed[e.WebinarKey]
			if len(pending) >= maxPendingEntries {
				pending = pending[1:]
			}
			b.changed[e.WebinarKey] = append(pending, e)
		}
		b.mu.Unlock()
		select {
		case b.wake <- struct{}{}:
		default: // a round is already due; it will see this change
		}
	}
	b.mu.Lock()
	b.closed = true
	for _, tp := range b.topics {
		for t := range tp.tabs {
			close(t.ch)
		}
	}
	clear(b.topics)
	b.mu.Unlock()
	close(b.done)
}

// work runs a round per wake-up until the broker stops.
func (b *broker) work() {
	defer close(b.workDone)
	for {
		select {
		case <-b.done:
			return
		case <-b.wake:
		}
		b.mu.Lock()
		changed := b.changed
		b.changed = make(map[string][]store.LogEntry)
		b.mu.Unlock()
		for webinar, entries := range changed {
			b.round(webinar, entries)
		}
	}
}

// round sends a changed webinar's new joins, fresh counters and new
// no-shows to its tabs.
func (b *broker) round(webinar string, entries []store.LogEntry) {
	b.mu.Lock()
	tp := b.topics[webinar]
	if tp == nil {
		b.mu.Unlock()
		return
	}
	after := tp.sent
	shown := map[string]bool{}
	for t := range tp.tabs {
		shown[t.session] = true
	}
	b.mu.Unlock()

	// Joins first: they are what the organizer waits for.
	joins, err := b.srv.store.JoinsAfter(webinar, after)
	if err != nil {
		b.srv.log.Error("ui: live board: reading new joins", "webinar", webinar, "err", err)
		return
	}
	var joinMsgs []message
	for _, j := range joins {
		m, err := b.srv.joinMessage(j)
		if err != nil {
			b.srv.log.Error("ui: live board: rendering a join", "webinar", webinar, "err", err)
			continue
		}
		joinMsgs = append(joinMsgs, m)
	}
	if len(joins) > 0 {
		b.deliver(webinar, joinMsgs, nil, joins[len(joins)-1].Seq)
	}

	// Then the counters, timeline and pipe of each session shown, and the
	// rows of new registrants.
	board, err := b.srv.loadBoard(webinar)
	if err != nil {
		b.srv.log.Error("ui: live board: reading the board", "webinar", webinar, "err", err)
		return
	}
	var added []string
	for _, e := range entries {
		if e.EventName == gotowebinar.EventRegistrantAdded {
			if key := b.srv.registrantKeyOf(e.Seq); key != "" {
				added = append(added, key)
			}
		}
	}
	perSession := map[string][]message{}
	for session := range shown {
		msgs, err := b.srv.boardMessages(board, session, added)
		if err != nil {
			b.srv.log.Error("ui: live board: rendering the counters", "webinar", webinar, "err", err)
			continue
		}
		perSession[session] = msgs
	}
	b.deliver(webinar, nil, perSession, 0)
}

// deliver queues messages on every tab of webinar without waiting: joins
// of the tab's session (every join while it shows none yet), a "session"
// message to a tab following the latest session when another session
// starts, and the messages for the tab's session. A tab that cannot take
// them all is dropped. sent, when above the topic's, becomes its mark.
func (b *broker) deliver(webinar string, joins []message, perSession map[string][]message, sent uint64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	tp := b.topics[webinar]
	if tp == nil {
		return
	}
	from := tp.sent
	if sent > tp.sent {
		tp.sent = sent
	}
tabs:
	for t := range tp.tabs {
		moved := false
		for _, m := range joins {
			switch {
			case m.id <= from: // already sent, by a round or as replay
				continue
			case t.session == "" || m.session == t.session:
			case t.follow && !moved:
				moved = true
				m = message{event: "session", data: liveURL(webinar)}
			default:
				continue
			}
			if !offer(t, m) {
				b.removeLocked(t, true)
				continue tabs
			}
		}
		for _, m := range perSession[t.session] {
			if !offer(t, m) {
				b.removeLocked(t, true)
				continue tabs
			}
		}
	}
}

// offer queues m for t unless t's queue is full.
func offer(t *tab, m message) bool {
	select {
	case t.ch <- m:
		return true
	default:
		return false
	}
}
