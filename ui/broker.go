package ui

import (
	"strings"
	"sync"
	"time"

	"webinarsync/gotowebinar"
	"webinarsync/store"
)

// tabQueue is how many messages a tab may have waiting before it counts as
// slow and is dropped. A burst of joins is a few dozen messages.
const tabQueue = 128

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

	// The boards (figures, timeline, no-show rows) are rendered by a
	// worker of their own, at most every boardEvery: rendering reads all a
	// webinar's joins, and a join must never wait behind that (issue 15:
	// with 10,000 joins stored it made joins late by 150 ms).
	boardDue  map[string][]store.LogEntry // webinars whose boards changed, with their entries
	boardWake chan struct{}               // capacity 1
	boardDone chan struct{}
}

// boardEvery is the least time between two renderings of the boards: the
// figures still move twice or more a second, and a flood of joins costs
// a few board renderings a second instead of one per round. Server.boardEvery
// holds it; tests shorten it.
const boardEvery = time.Second

// maxPendingEntries bounds the entries kept per webinar between rounds;
// they only add no-show rows, the counters are recomputed regardless.
const maxPendingEntries = 256

func newBroker(srv *Server) *broker {
	b := &broker{
		srv:       srv,
		topics:    make(map[string]*topic),
		changed:   make(map[string][]store.LogEntry),
		wake:      make(chan struct{}, 1),
		done:      make(chan struct{}),
		workDone:  make(chan struct{}),
		boardDue:  make(map[string][]store.LogEntry),
		boardWake: make(chan struct{}, 1),
		boardDone: make(chan struct{}),
	}
	feed, cancel := srv.store.Subscribe()
	b.cancel = cancel
	go b.read(feed)
	go b.work()
	go b.workBoards()
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
		// broker sends what comes after. The views' mark, not the log's:
		// a join acknowledged but not yet in the views would fall between
		// the replay and the broker.
		last, err := b.srv.store.ViewsSeq()
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
	<-b.boardDone
}

// read notes each stored entry of a watched webinar and wakes the worker;
// when the feed ends, it closes every tab.
func (b *broker) read(feed <-chan store.LogEntry) {
	for e := range feed {
		b.note(e)
		select {
		case b.wake <- struct{}{}:
		default: // a round is already due; it will see this change
		}
	}
	b.closeTabs()
	close(b.done)
}

// note keeps e for the next round if its webinar is watched.
func (b *broker) note(e store.LogEntry) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, watched := b.topics[e.WebinarKey]; !watched {
		return
	}
	pending := b.changed[e.WebinarKey]
	if len(pending) >= maxPendingEntries {
		pending = pending[1:]
	}
	b.changed[e.WebinarKey] = append(pending, e)
}

// closeTabs ends every tab's stream and refuses new ones.
func (b *broker) closeTabs() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	for _, tp := range b.topics {
		for t := range tp.tabs {
			close(t.ch)
		}
	}
	clear(b.topics)
}

// work runs a round per wake-up until the broker stops, at most one every
// joinsEvery: a lone join goes out at once, and a flood goes out as one
// write per tab every joinsEvery instead of one per join (with 100 tabs,
// the per-tab writes were the board's cost to ingest, issue 15).
func (b *broker) work() {
	defer close(b.workDone)
	var last time.Time
	for {
		select {
		case <-b.done:
			return
		case <-b.wake:
		}
		if rest := joinsEvery - time.Since(last); rest > 0 {
			select {
			case <-b.done:
				return
			case <-time.After(rest):
			}
		}
		last = time.Now()
		for webinar, entries := range b.takeChanged() {
			b.round(webinar, entries)
		}
	}
}

// joinsEvery is the least time between two rounds of joins. Each round is
// a network write for every tab: 25 ms made 500 tabs cost ingest 0.6 of
// its rate, 50 ms keeps a join's way to the boards at a p95 of 56 ms.
const joinsEvery = 50 * time.Millisecond

// takeChanged hands over the webinars changed since the last round.
func (b *broker) takeChanged() map[string][]store.LogEntry {
	b.mu.Lock()
	defer b.mu.Unlock()
	changed := b.changed
	b.changed = make(map[string][]store.LogEntry)
	return changed
}

// round sends a changed webinar's new joins, fresh counters and new
// no-shows to its tabs.
func (b *broker) round(webinar string, entries []store.LogEntry) {
	after, _, ok := b.watch(webinar)
	if !ok {
		return
	}
	// Joins now: they are what the organizer waits for.
	if err := b.sendJoins(webinar, after); err != nil {
		b.srv.log.Error("ui: live board: reading new joins", "webinar", webinar, "err", err)
	}
	// The counters, timeline and pipe of each session shown, and the rows
	// of new registrants, by the board worker.
	b.mu.Lock()
	due := append(b.boardDue[webinar], entries...)
	if len(due) > maxPendingEntries {
		due = due[len(due)-maxPendingEntries:]
	}
	b.boardDue[webinar] = due
	b.mu.Unlock()
	select {
	case b.boardWake <- struct{}{}:
	default:
	}
}

// workBoards renders the boards that changed, at most every boardEvery,
// until the broker stops.
func (b *broker) workBoards() {
	defer close(b.boardDone)
	for {
		select {
		case <-b.done:
			return
		case <-b.boardWake:
		}
		b.mu.Lock()
		due := b.boardDue
		b.boardDue = make(map[string][]store.LogEntry)
		b.mu.Unlock()
		// Timed after the views are current: waiting behind a flood's
		// commit is not rendering, and must not slow the boards down.
		if _, err := b.srv.store.ViewsSeq(); err != nil {
			b.srv.log.Error("ui: live board: waiting for the views", "err", err)
		}
		began := time.Now()
		for webinar, entries := range due {
			_, shown, ok := b.watch(webinar)
			if !ok {
				continue
			}
			if err := b.sendBoards(webinar, shown, b.addedRegistrants(entries)); err != nil {
				b.srv.log.Error("ui: live board: reading the board", "webinar", webinar, "err", err)
			}
		}
		// A board reads all its webinar's joins: with tens of thousands
		// stored that takes a while, and it must stay a small share of
		// the machine, whatever the webinar's size (issue 15).
		rest := min(max(b.srv.boardEvery, boardShare*time.Since(began)), maxBoardEvery*b.srv.boardEvery)
		select {
		case <-b.done:
			return
		case <-time.After(rest):
		}
	}
}

// boardShare bounds the time spent rendering boards to one part in
// boardShare: a rendering that took 100 ms waits 2 s for the next, but
// never more than maxBoardEvery times boardEvery.
const (
	boardShare    = 20
	maxBoardEvery = 5
)

// watch is how far a webinar's tabs were sent joins, and the sessions
// they show; ok is false once no tab watches it.
func (b *broker) watch(webinar string) (after uint64, shown map[string]bool, ok bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	tp := b.topics[webinar]
	if tp == nil {
		return 0, nil, false
	}
	shown = map[string]bool{}
	for t := range tp.tabs {
		shown[t.session] = true
	}
	return tp.sent, shown, true
}

// sendJoins renders the joins stored after seq after, once for all tabs,
// and delivers them. A join that fails to render is logged and skipped.
func (b *broker) sendJoins(webinar string, after uint64) error {
	joins, err := b.srv.store.JoinsAfter(webinar, after)
	if err != nil || len(joins) == 0 {
		return err
	}
	var msgs []message
	for _, j := range joins {
		m, err := b.srv.joinMessage(j)
		if err != nil {
			b.srv.log.Error("ui: live board: rendering a join", "webinar", webinar, "err", err)
			continue
		}
		msgs = append(msgs, m)
	}
	b.deliver(webinar, msgs, nil, joins[len(joins)-1].Seq)
	return nil
}

// joinsPerMessage is how many join messages a round sends one by one; a
// bigger burst (a webinar's start, GoTo redelivering after an outage) goes
// out as runs of rows, so it fits a tab's queue instead of getting every
// tab dropped as if it were slow.
const joinsPerMessage = 32

// inRuns merges consecutive joins of the same session into messages of
// several rows when there are more than joinsPerMessage, at most about
// joinsPerMessage messages in all. Each run keeps its last join's id, so
// ids still only increase on every tab.
func inRuns(msgs []message) []message {
	if len(msgs) <= joinsPerMessage {
		return msgs
	}
	size := (len(msgs) + joinsPerMessage - 1) / joinsPerMessage
	var out []message
	for i := 0; i < len(msgs); {
		run := msgs[i]
		n := 1
		for i+n < len(msgs) && n < size && msgs[i+n].session == run.session {
			run.data += msgs[i+n].data
			run.id = msgs[i+n].id
			n++
		}
		out = append(out, run)
		i += n
	}
	return out
}

// sendBoards renders the board messages of each session shown, once per
// session, and delivers them.
func (b *broker) sendBoards(webinar string, shown map[string]bool, added []string) error {
	board, err := b.srv.loadBoard(webinar)
	if err != nil {
		return err
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
	return nil
}

// addedRegistrants are the registrants the registrant.added entries are
// about: their no-show rows are new on the boards.
func (b *broker) addedRegistrants(entries []store.LogEntry) []string {
	var added []string
	for _, e := range entries {
		if e.EventName != gotowebinar.EventRegistrantAdded {
			continue
		}
		if key := b.registrantKeyOf(e.Seq); key != "" {
			added = append(added, key)
		}
	}
	return added
}

// registrantKeyOf reads which registrant a stored registrant.added is
// about: the feed's entries leave the event's body out.
func (b *broker) registrantKeyOf(seq uint64) string {
	e, err := b.srv.store.Event(seq)
	if err != nil {
		return ""
	}
	ev, err := gotowebinar.DecodeEvent(e.Raw)
	if err != nil || ev.RegistrantAdded == nil {
		return ""
	}
	return string(ev.RegistrantAdded.RegistrantKey)
}

// deliver queues messages on every tab of webinar without waiting: the
// joins the tab is to see (tabJoins) and the messages for its session. A
// tab that cannot take them all is dropped. sent, when above the topic's,
// becomes its mark.
func (b *broker) deliver(webinar string, joins []message, perSession map[string][]message, sent uint64) {
	// Encoded once here, not once per tab (issue 15: 500 boards).
	for _, msgs := range perSession {
		encodeOnce(msgs)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	tp := b.topics[webinar]
	if tp == nil {
		return
	}
	from := tp.sent
	tp.sent = max(tp.sent, sent)
	// Tabs that show the same session get the same joins: shaped and
	// encoded once for all of them.
	type shows struct {
		session string
		follow  bool
	}
	shaped := map[shows][]message{}
	for t := range tp.tabs {
		k := shows{t.session, t.follow}
		msgs, ok := shaped[k]
		if !ok {
			msgs = forTab(tabJoins(t, webinar, joins, from))
			encodeOnce(msgs)
			shaped[k] = msgs
		}
		if !offerAll(t, msgs) || !offerAll(t, perSession[t.session]) {
			b.removeLocked(t, true)
		}
	}
}

// rowsPerRound is how many join rows a round sends a tab. A flood bigger
// than that (thousands a second, or GoTo redelivering after an outage)
// sends the newest rows and, for the others, just who joined (a "joined"
// message of registrant keys, so their no-show rows go): nobody reads
// hundreds of rows a second, and with hundreds of tabs those bytes were
// the live boards' cost to ingest (issue 15). A webinar's start, a few
// hundred joins over seconds, still shows every row.
const rowsPerRound = 10

// forTab shapes a round's joins for a tab: all of them as rows up to
// rowsPerRound, else the newest rowsPerRound rows after the keys of the
// older ones.
func forTab(msgs []message) []message {
	n := 0
	for _, m := range msgs {
		if m.event != "join" {
			return inRuns(msgs) // a session change in the round: keep it simple
		}
		n++
	}
	if n <= rowsPerRound {
		return inRuns(msgs)
	}
	older, newest := msgs[:n-rowsPerRound], msgs[n-rowsPerRound:]
	keys, seqs := make([]string, len(older)), make([]uint64, len(older))
	for i, m := range older {
		keys[i], seqs[i] = m.person, m.id
	}
	return append([]message{joinedMessage(older[len(older)-1].id, keys, seqs)}, inRuns(newest)...)
}

// joinedMessage says who joined, as registrant keys, for joins whose rows
// a tab is not sent; id is the last of their seqs.
func joinedMessage(id uint64, keys []string, seqs []uint64) message {
	return message{event: "joined", id: id, data: strings.Join(keys, " "), keys: keys, seqs: seqs}
}

// tabJoins are the joins after seq from that t is to see: those of its
// session (every join while it shows none yet), and for a tab following
// the latest session, one "session" message when another session starts.
func tabJoins(t *tab, webinar string, joins []message, from uint64) []message {
	var out []message
	moved := false
	for _, m := range joins {
		switch {
		case m.id <= from: // already sent, by a round or as replay
		case showsJoin(t.session, m.session):
			out = append(out, m)
		case t.follow && !moved:
			moved = true
			out = append(out, sessionMessage(webinar))
		}
	}
	return out
}

// offerAll queues msgs for t, in order, unless t's queue fills up.
func offerAll(t *tab, msgs []message) bool {
	for _, m := range msgs {
		select {
		case t.ch <- m:
		default:
			return false
		}
	}
	return true
}
