package ui

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"net/http/httptest"

	"webinarsync/gotowebinar"
	"webinarsync/store"
)

const (
	sessionOne = "24681357924681357924" // the session of helpers_test.go's registrantJoined
	sessionTwo = "13579246813579246813"
)

func TestLivePage_ShowsFiguresJoinsTimelineNoShowsAndPipe(t *testing.T) {
	t.Parallel()
	st := openStore(t)
	seedLaunch(t, st)
	rec := get(t, handler(t, Config{Store: st}), "/webinars/"+launchKey+"/live")
	if rec.Code != http.StatusOK {
		t.Fatalf("status = %d, want 200", rec.Code)
	}
	body := rec.Body.String()
	mustContain(t, body,
		`<a href="/webinars/`+launchKey+`">Quarterly Launch — Q1 2026</a>`, `Live board`,
		`data-stream="/webinars/`+launchKey+`/live/events?follow=1&amp;lastEventId=`,
		`Not live right now`,
		// The session shown, as a moment localtime.js can put in the viewer's zone.
		`Session: <time datetime="2026-03-01T15:00:00Z" data-end="2026-03-01T16:00:00Z" data-local="span">`,
		`Live updates need JavaScript; reload the page to refresh.`,
		// The pipe.
		`Tunnel <strong>Off</strong>`, `Webhooks <strong>`, `Last delivery`,
		// The figures of the session.
		`<div class="figure-value">3</div><div class="figure-label">registered</div>`,
		`<div class="figure-value">2</div>`, `joined`,
		`<div class="figure-value">67%</div><div class="figure-label">attendance rate</div>`,
		`<div class="figure-value">0</div><div class="figure-label">joins in the last 5 minutes</div>`,
		// The timeline, drawn by the server.
		`<svg class="timeline" viewBox="0 0 900 170" role="img" aria-label="Joins per minute from 14:55 to 15:03 UTC;`,
		`<rect class="tl-bar"`, `data-local="bar" data-rest="1 join">14:55 UTC: 1 join</title>`,
		// Its labels carry their moments, for localtime.js to show in the viewer's zone.
		`data-at="2026-03-01T14:55:00Z" data-local="tick">14:55</text>`, `data-at="2026-03-01T15:03:00Z" data-local="tick-zone">15:03 UTC</text>`,
		`times in <span data-local="zone">UTC</span>`,
		// The latest joins, newest first, with email and organization.
		`<td class="name">Zoë Ångström</td><td class="email">someone@example.com</td><td>Nordic Ltd</td>`,
		`15:02:00 UTC`,
		`<td class="name">Jürgen Müller</td>`, `Bäckerei Müller GmbH`,
		// The no-shows and their download.
		// 李 is waiting, not approved: never expected, so listed apart, as the download does.
		`No-shows <span id="live-noshow-count" class="badge badge-none">0</span>`,
		`href="/webinars/`+launchKey+`/noshows.csv?session=`+sessionOne+`"`,
		`Every approved registrant has joined.`,
		`<h3 id="others-h">Not approved, not joined</h3>`,
		`<h4 id="others-waiting">Waiting <span class="badge badge-none">1</span></h4>`,
		`href="/webinars/`+launchKey+`/noshows.csv?session=`+sessionOne+`&amp;status=Waiting"`,
		`<tr id="other-33333333333333333333" class="other"><td class="name">李 小龙</td>`,
		`<script src="/assets/live.js?v=`,
	)
	mustNotContain(t, body, `noshow-11111111111111111111`, `noshow-33333333333333333333`, `class="empty-note">No joins yet`, `style=`, `<script>`)
	// The stream picks up after the newest join shown.
	m := regexp.MustCompile(`lastEventId=(\d+)`).FindStringSubmatch(body)
	if m == nil || m[1] == "0" {
		t.Errorf("stream URL has no lastEventId: %v", m)
	}
}

func TestLivePage_EmptyStatesInPlainWords(t *testing.T) {
	t.Parallel()
	st := openStore(t)
	put(t, st, testNow, webinarEvent("webinar.created", "ev-w", workshopKey, "Workshop", "NEW", testNow.Add(time.Hour)))
	h := handler(t, Config{Store: st})
	body := get(t, h, "/webinars/"+workshopKey+"/live").Body.String()
	mustContain(t, body,
		`data-stream="/webinars/`+workshopKey+`/live/events?follow=1&amp;lastEventId=0"`,
		`attendance rate: starts in 1 h`,
		`The timeline starts with the first join.`,
		`No joins yet — people appear here the moment they enter the session.`,
		`No one has registered yet.`,
	)
	mustNotContain(t, body, `<svg class="timeline"`, `Session:`)

	put(t, st, testNow, registrantAdded("ev-r", workshopKey, "Workshop", registrant{key: "1", first: "Ada", last: "Lovelace",
		email: "ada@example.com", registered: testNow}))
	put(t, st, testNow, registrantJoined("ev-j", workshopKey, "1", "Ada", "Lovelace", testNow.Add(-time.Minute)))
	body = get(t, h, "/webinars/"+workshopKey+"/live?q=zzz").Body.String()
	mustContain(t, body, `Live now`, `No no-shows match “zzz”.`)
	body = get(t, h, "/webinars/"+workshopKey+"/live").Body.String()
	mustContain(t, body, `<div class="figure-value">1</div><div class="figure-label">joins in the last 5 minutes</div>`, `Everyone who registered has joined.`)

	if rec := get(t, h, "/webinars/10000000000000000001/live"); rec.Code != http.StatusNotFound {
		t.Errorf("unknown webinar: status %d, want 404", rec.Code)
	}
}

func TestLivePage_SeriesHasSessionPickerDefaultingToTheLatest(t *testing.T) {
	t.Parallel()
	st := openStore(t)
	seedLaunch(t, st) // session one: Jürgen and Zoë
	later := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	second := strings.Replace(registrantJoined("ev-j-3", launchKey, "33333333333333333333", "李", "小龙", later),
		sessionOne, sessionTwo, 1)
	put(t, st, testNow, second)
	h := handler(t, Config{Store: st})

	body := get(t, h, "/webinars/"+launchKey+"/live").Body.String()
	mustContain(t, body,
		`follow=1`, `session=`+sessionTwo,
		`<select name="session">`, `<option value="" selected>The latest session`,
		`<option value="`+sessionTwo+`">Started Mon 2 Mar 2026, 09:00 UTC · 1 person joined</option>`,
		`<option value="`+sessionOne+`">Sun 1 Mar 2026, 15:00–16:00 UTC · 2 people joined</option>`,
		`data-registrant="33333333333333333333"`,
	)
	// Jürgen and Zoë missed the second session.
	mustContain(t, body, `id="noshow-22222222222222222222"`, `id="noshow-11111111111111111111"`)
	mustNotContain(t, body, `data-registrant="22222222222222222222"`)

	body = get(t, h, "/webinars/"+launchKey+"/live?session="+sessionOne).Body.String()
	mustContain(t, body, `<option value="`+sessionOne+`" selected>`, `data-registrant="22222222222222222222"`,
		`<input type="hidden" name="session" value="`+sessionOne+`">`, `id="other-33333333333333333333"`)
	mustNotContain(t, body, `follow=1`, `data-registrant="33333333333333333333"`)
}

func TestNoShowsCSV_SessionAndSearchWithTheRegistrantsColumns(t *testing.T) {
	t.Parallel()
	st := openStore(t)
	seedLaunch(t, st)
	put(t, st, testNow, registrantAdded("ev-evil", launchKey, "Quarterly Launch — Q1 2026", registrant{key: "44444444444444444444",
		first: "=HYPERLINK(1)", last: "Evil", email: "@evil.example", org: "+Corp", registered: testNow}))
	h := handler(t, Config{Store: st})

	rec := get(t, h, "/webinars/"+launchKey+"/noshows.csv")
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "text/csv; charset=utf-8" {
		t.Fatalf("status %d, type %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	name := "2026-03-01 Quarterly Launch - Q1 2026 - no-shows of session " + sessionOne + ".csv"
	if cd := rec.Header().Get("Content-Disposition"); !strings.HasPrefix(cd, `attachment; filename="`+name+`"; filename*=UTF-8''2026-03-01%20Quarterly`) {
		t.Errorf("Content-Disposition = %q", cd)
	}
	rows := readCSV(t, rec.Body)
	header := rows[0]
	if header[0] != "registrantKey" || !slices.Contains(header, "firstJoinTime") || !slices.Contains(header, "How did you hear about us?") {
		t.Errorf("header = %q, want the registrants CSV's", header)
	}
	var names []string
	for _, r := range rows[1:] {
		names = append(names, r[1])
	}
	// 李 is waiting, not approved: never expected, so no no-show.
	if want := []string{"'=HYPERLINK(1)"}; !slices.Equal(names, want) {
		t.Errorf("no-shows = %q, want %q", names, want)
	}
	if got := rows[1][slices.Index(header, "organization")]; got != "'+Corp" {
		t.Errorf("organization = %q, want it neutralized", got)
	}
	rows = readCSV(t, get(t, h, "/webinars/"+launchKey+"/noshows.csv?status=waiting").Body)
	if len(rows) != 2 || rows[1][1] != "李" {
		t.Errorf("?status=waiting: %q, want 李 listed apart", rows)
	}

	rows = readCSV(t, get(t, h, "/webinars/"+launchKey+"/noshows.csv?q=evil&session="+sessionOne).Body)
	if len(rows) != 2 || rows[1][0] != "44444444444444444444" {
		t.Errorf("search evil: %q", rows)
	}
	rows = readCSV(t, get(t, h, "/webinars/"+launchKey+"/noshows.csv?session=999").Body)
	if len(rows) != 4 {
		t.Errorf("a session nobody joined: %d rows, want every approved registrant (3) and the header", len(rows))
	}
	if rec := get(t, h, "/webinars/10000000000000000001/noshows.csv"); rec.Code != http.StatusNotFound {
		t.Errorf("unknown webinar: %d", rec.Code)
	}
}

func TestHome_MarksLiveWebinarsWithABadgeToTheirBoard(t *testing.T) {
	t.Parallel()
	st := openStore(t)
	seedLaunch(t, st) // joins a day before testNow: not live
	put(t, st, testNow, webinarEvent("webinar.created", "ev-w-2", workshopKey, "Running Now", "NEW", testNow.Add(-10*time.Minute)))
	put(t, st, testNow, webinarEvent("webinar.created", "ev-w-3", cancelKey, "Just Joined", "NEW", testNow.Add(48*time.Hour)))
	put(t, st, testNow, registrantJoined("ev-j-9", cancelKey, "9", "Early", "Bird", testNow.Add(-9*time.Minute)))

	body := get(t, handler(t, Config{Store: st}), "/").Body.String()
	// The live ones are pinned at the top, each with a button to its board.
	pinned := func(key, title string) string {
		return `<h3><a href="/webinars/` + key + `">` + title + `</a></h3>`
	}
	button := func(key string) string {
		return `<a class="button button-big" href="/webinars/` + key + `/live">Open live board</a>`
	}
	mustContain(t, body, `<span class="badge badge-live">Live now</span>`, pinned(cancelKey, "Just Joined"), button(cancelKey))
	mustContain(t, body, pinned(workshopKey, "Running Now"), button(workshopKey))
	mustNotContain(t, body, button(launchKey), `href="/webinars/`+launchKey+`/live"`)
	if strings.Count(body, "Live now</span>") != 2 {
		t.Errorf("%d webinars marked live now, want 2", strings.Count(body, "Live now</span>"))
	}
	if strings.Index(body, button(workshopKey)) > strings.Index(body, `id="webinars-h"`) {
		t.Error("the live webinars come after the list; want them pinned at the top")
	}

	body = get(t, handler(t, Config{Store: st}), "/webinars/"+launchKey).Body.String()
	mustContain(t, body, `href="/webinars/`+launchKey+`/live">Open the live board</a>`)
}

func TestLiveNow(t *testing.T) {
	t.Parallel()
	now := testNow
	scheduled := sessionsWebinar(now.Add(-30*time.Minute), now.Add(30*time.Minute))
	for _, tc := range []struct {
		name     string
		w        store.Webinar
		lastJoin time.Time
		want     bool
	}{
		{"join 9 minutes ago", store.Webinar{}, now.Add(-9 * time.Minute), true},
		{"join 11 minutes ago", store.Webinar{}, now.Add(-11 * time.Minute), false},
		{"inside its scheduled time", scheduled, time.Time{}, true},
		{"after its scheduled time", sessionsWebinar(now.Add(-2*time.Hour), now.Add(-time.Hour)), time.Time{}, false},
		{"deleted, though scheduled now", deleted(scheduled), time.Time{}, false},
		{"nothing known", store.Webinar{}, time.Time{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := liveNow(tc.w, tc.lastJoin, now); got != tc.want {
				t.Errorf("liveNow = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestLiveEvents_StreamsEachJoinWithItsSeqAndFreshCounters(t *testing.T) {
	t.Parallel()
	a := newLiveApp(t)
	a.createWebinar(liveWebinar)
	a.register(liveWebinar, person(1))
	a.register(liveWebinar, person(2))

	c := a.openStream(liveEvents+"?follow=1&lastEventId=0", nil)
	if ct := c.header.Get("Content-Type"); ct != "text/event-stream" {
		t.Errorf("Content-Type = %q", ct)
	}
	if cc := c.header.Get("Cache-Control"); cc != "no-cache" {
		t.Errorf("Cache-Control = %q", cc)
	}
	first := c.next(t, "board", 2*time.Second) // the counters on connect
	mustContain(t, first.Data, `data-swap="live-figures"`, `<div class="figure-value">2</div><div class="figure-label">registered</div>`)
	c.next(t, "pipe", time.Second)

	a.join(liveWebinar, sessionOne, person(1), time.Now())
	j := c.next(t, "join", 2*time.Second)
	if seq, err := strconv.ParseUint(j.ID, 10, 64); err != nil || seq == 0 {
		t.Errorf("join id = %q, want its log seq", j.ID)
	}
	mustContain(t, j.Data, `<tr id="join-`+j.ID+`" class="join" data-registrant="`+person(1).Key+`">`,
		`Person Nr1`, `p1@example.com`, `Org 1`, `just now`)
	b := c.next(t, "board", 2*time.Second)
	mustContain(t, b.Data, `<div class="figure-value">1</div>`, `joined`, `50%`,
		`<svg class="timeline"`, `<div data-swap="live-noshow-count">1</div>`)

	// A registration updates the counters and adds a no-show row.
	a.register(liveWebinar, person(3))
	b = c.next(t, "board", 2*time.Second)
	mustContain(t, b.Data, `<div class="figure-value">3</div><div class="figure-label">registered</div>`, `<div data-swap="live-noshow-count">2</div>`)
	ns := c.next(t, "noshow", 2*time.Second)
	mustContain(t, ns.Data, `<tr id="noshow-`+person(3).Key+`" class="noshow">`, `p3@example.com`)
}

func TestLiveEvents_ReplaysJoinsAfterLastEventIDOnce(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		path   string // resume replaced by the seq to resume after
		header map[string]string
	}{
		{"Last-Event-ID header", "?session=" + sessionOne, map[string]string{"Last-Event-ID": "resume"}},
		{"lastEventId parameter", "?session=" + sessionOne + "&lastEventId=resume", nil},
		{"the header wins", "?session=" + sessionOne + "&lastEventId=1", map[string]string{"Last-Event-ID": "resume"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a := newLiveApp(t)
			a.createWebinar(liveWebinar)
			for i := 1; i <= 4; i++ {
				a.join(liveWebinar, sessionOne, person(i), time.Now())
			}
			joins, err := a.st.JoinsAfter(liveWebinar.Key, 0)
			if err != nil || len(joins) != 4 {
				t.Fatalf("JoinsAfter = %d joins, %v", len(joins), err)
			}
			resume := strconv.FormatUint(joins[1].Seq, 10)
			tc.path = strings.ReplaceAll(tc.path, "resume", resume)
			if tc.header != nil {
				tc.header["Last-Event-ID"] = resume
			}
			c := a.openStream(liveEvents+tc.path, tc.header)
			for _, want := range joins[2:] {
				if got := c.next(t, "join", 2*time.Second); got.ID != strconv.FormatUint(want.Seq, 10) {
					t.Fatalf("replayed id %s, want %d", got.ID, want.Seq)
				}
			}
			a.join(liveWebinar, sessionOne, person(9), time.Now())
			if got := c.next(t, "join", 2*time.Second); !strings.Contains(got.Data, "Person Nr9") {
				t.Fatalf("live join after the replay: %s", got.Data)
			}
			c.quietUntil(t, "join", a.barrier(liveWebinar))
		})
	}

	// Without a position, only what comes next.
	a := newLiveApp(t)
	a.createWebinar(liveWebinar)
	a.join(liveWebinar, sessionOne, person(1), time.Now())
	c := a.openStream(liveEvents+"?session="+sessionOne, nil)
	c.next(t, "pipe", time.Second)
	c.quietUntil(t, "join", a.barrier(liveWebinar))
}

// Joins delivered while tabs connect and reconnect: every tab gets every
// join after its position exactly once, in order.
func TestLiveEvents_NoGapNoDuplicateWhileJoinsArrive(t *testing.T) {
	t.Parallel()
	a := newLiveApp(t)
	a.createWebinar(liveWebinar)
	const total, tabs = 60, 6
	var wg sync.WaitGroup
	delivered := make(chan struct{}, total) // one per acknowledged join
	wg.Go(func() {
		for i := range total {
			a.join(liveWebinar, sessionOne, person(i), time.Now())
			delivered <- struct{}{}
		}
	})
	// Tab k connects once k*10 joins are in, while the rest still arrive.
	var clients []*sseClient
	for k := range tabs {
		if k > 0 {
			for range total / tabs {
				<-delivered
			}
		}
		clients = append(clients, a.openStream(liveEvents+"?session="+sessionOne+"&lastEventId=0", nil))
	}
	wg.Wait()
	joins, err := a.st.JoinsAfter(liveWebinar.Key, 0)
	if err != nil || len(joins) != total {
		t.Fatalf("JoinsAfter: %d, %v", len(joins), err)
	}
	barrier := a.barrier(liveWebinar)
	want := map[string]string{} // seq → registrant
	for _, j := range joins {
		want[strconv.FormatUint(j.Seq, 10)] = j.RegistrantKey
	}
	for i, c := range clients {
		// Rows come one by one or in runs; a burst bigger than the list
		// sends only the keys of its older joins. Either way each join
		// comes once, rows in the order stored.
		seen := map[string]bool{} // registrant keys
		last := uint64(0)
		var got []string // what the tab was sent, for the failure message
		defer func() {
			if t.Failed() && len(seen) < total {
				for seq, key := range want {
					if !seen[key] {
						t.Logf("tab %d never got join %s of %s; it got %q", i, seq, key, got)
					}
				}
			}
		}()
		for len(seen) < total {
			e := c.await(t, fmt.Sprintf("tab %d's join %d of %d", i, len(seen)+1, total), 10*time.Second, func(e sseEvent) bool { return e.Event == "join" || e.Event == "joined" })
			got = append(got, e.Event+" "+e.ID+" "+strconv.Itoa(strings.Count(e.Data, `id="join-`))+" rows")
			var keys []string
			if e.Event == "joined" {
				keys = strings.Fields(e.Data)
			}
			for _, row := range strings.Split(e.Data, `id="join-`)[1:] {
				seq, rest, _ := strings.Cut(row, `"`)
				_, rest, _ = strings.Cut(rest, `data-registrant="`)
				key, _, _ := strings.Cut(rest, `"`)
				n, _ := strconv.ParseUint(seq, 10, 64)
				if want[seq] != key || n <= last {
					t.Fatalf("tab %d: row join-%s of %s after join-%d; want stored joins in order", i, seq, key, last)
				}
				last = n
				keys = append(keys, key)
			}
			for _, key := range keys {
				if seen[key] {
					t.Fatalf("tab %d: the join of %s came twice", i, key)
				}
				seen[key] = true
			}
		}
		c.quietUntil(t, "join", barrier)
	}
}

// The bubble's clock jumps to each heartbeat, so the test runs the real
// interval at once.
func TestLiveEvents_SendsHeartbeats(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		a := newLiveAppInProcess(t)
		a.ui.heartbeat = defaultHeartbeat
		a.createWebinar(liveWebinar)
		c := a.openStream(liveEvents, nil)
		c.next(t, "pipe", time.Second)
		start := time.Now()
		for i := range 3 {
			e := c.next(t, "", 2*defaultHeartbeat)
			for e.Comment != "heartbeat" {
				e = c.next(t, "", 2*defaultHeartbeat)
			}
			if got, want := e.At.Sub(start), time.Duration(i+1)*defaultHeartbeat; got != want {
				t.Errorf("heartbeat %d after %v, want %v", i+1, got, want)
			}
			// Each heartbeat refreshes the figures and the pipe.
			c.next(t, "board", time.Second)
			c.next(t, "pipe", time.Second)
		}
	})
}

func TestLiveEvents_EndWhenTheServerCloses(t *testing.T) {
	t.Parallel()
	a := newLiveApp(t)
	a.createWebinar(liveWebinar)
	var clients []*sseClient
	for range 3 {
		clients = append(clients, a.openStream(liveEvents, nil))
	}
	clients[0].next(t, "pipe", time.Second)
	start := time.Now()
	a.ui.Close()
	for i, c := range clients {
		select {
		case <-c.done:
		case <-time.After(2 * time.Second):
			t.Fatalf("stream %d still open 2s after Close", i)
		}
	}
	t.Logf("streams ended %v after Close", time.Since(start))
	// Pages are still served; a new stream is refused in words.
	code, body := a.fetch(liveEvents)
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "webinarsync is stopping") {
		t.Errorf("stream after Close: %d %s", code, body)
	}
}

func TestLiveEvents_EndWhenTheBrowserGoesAway(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		a := newLiveAppInProcess(t)
		a.createWebinar(liveWebinar)
		c := a.openStream(liveEvents, nil)
		c.next(t, "pipe", time.Second)
		if n := a.tabs(); n != 1 {
			t.Fatalf("%d tabs open, want 1", n)
		}
		c.close()
		synctest.Wait() // every goroutine is blocked: the handler returned, unless stuck
		if n := a.tabs(); n != 0 {
			t.Fatalf("the stream's handler still runs after the browser left: %d tabs", n)
		}
	})
}

// tabs counts the tabs the broker serves.
func (a *liveApp) tabs() int {
	b := a.ui.liveBroker()
	b.mu.Lock()
	defer b.mu.Unlock()
	n := 0
	for _, tp := range b.topics {
		n += len(tp.tabs)
	}
	return n
}

// A tab that does not keep up is dropped, so neither the deliveries nor
// the other tabs wait for it; it reconnects with Last-Event-ID and misses
// nothing.
func TestBroker_DropsASlowTabWithoutHoldingUpIngestOrOthers(t *testing.T) {
	t.Parallel()
	a := newLiveApp(t)
	a.createWebinar(liveWebinar)
	fast := a.openStream(liveEvents+"?session="+sessionOne, nil)
	fast.next(t, "pipe", time.Second)
	b := a.ui.liveBroker()
	slow := b.subscribe(liveWebinar.Key, sessionOne, false) // never read

	// Joins flood in until the stuck tab's queue is full: rounds group
	// them, so that takes more than tabQueue joins.
	n := 0
	start := time.Now()
	for b.holds(slow) {
		if time.Since(start) > 10*time.Second {
			t.Fatalf("the slow tab was not dropped after %d joins", n)
		}
		a.join(liveWebinar, sessionOne, person(n), time.Now())
		n++
	}
	ingest := time.Since(start)
	for range slow.ch { // dropped: closed after what it had queued
	}
	fast.joins(t, n, 3*time.Second)
	t.Logf("%d deliveries acknowledged in %v with a stuck tab", n, ingest)

	// Its reconnection catches up from the store: the newest joins, as
	// many as a reconnecting tab is sent.
	again := a.openStream(liveEvents+"?session="+sessionOne, map[string]string{"Last-Event-ID": "0"})
	again.joins(t, min(n, replayMax), 3*time.Second)
	if e := again.next(t, "board", 3*time.Second); !strings.Contains(e.Data, `<div class="figure-value">`+num(n)+`</div><div class="figure-label">joined</div>`) {
		t.Errorf("after reconnecting, the board does not count all %d joins: %s", n, e.Data)
	}
}

func TestLiveEvents_FollowingTabIsToldOfANewSession(t *testing.T) {
	t.Parallel()
	a := newLiveApp(t)
	a.createWebinar(liveWebinar)
	a.join(liveWebinar, sessionOne, person(1), time.Now().Add(-time.Hour))
	follow := a.openStream(liveEvents+"?follow=1&session="+sessionOne, nil)
	pinned := a.openStream(liveEvents+"?session="+sessionOne, nil)
	follow.next(t, "pipe", time.Second)
	pinned.next(t, "pipe", time.Second)

	a.join(liveWebinar, sessionTwo, person(2), time.Now())
	if e := follow.next(t, "session", 2*time.Second); e.Data != "/webinars/"+liveWebinar.Key+"/live" {
		t.Errorf("session message = %q", e.Data)
	}
	pinned.quietUntil(t, "join", a.barrier(liveWebinar))
}

// A join's fragment must survive the SSE framing whatever the names hold.
func TestSSEWriter_SplitsLinesOfData(t *testing.T) {
	t.Parallel()
	rec := httptest.NewRecorder()
	sw := &sseWriter{w: rec, rc: http.NewResponseController(rec)}
	if err := sw.send(message{event: "join", id: 7, data: "a\nb\r\nc\rd"}); err != nil {
		t.Fatal(err)
	}
	if got, want := rec.Body.String(), "event: join\nid: 7\ndata: a\ndata: b\ndata: c\ndata: d\n\n"; got != want {
		t.Errorf("wrote %q, want %q", got, want)
	}
	if !rec.Flushed {
		t.Error("not flushed")
	}
}

func TestTimeline_CountsPerMinuteAndWidensForLongSessions(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	var joins []store.Join
	for i := range 5 {
		joins = append(joins, store.Join{SessionKey: "s", RegistrantKey: fmt.Sprint(i), JoinTime: start.Add(time.Duration(i*20) * time.Second)})
	}
	b := newBoard(store.Webinar{}, joins, start.Add(3*time.Minute))
	tl := b.timeline("s")
	if tl.Unit != "minute" || len(tl.Bars) != 4 || tl.Max != 3 || tl.From != "09:00" || tl.To != "09:04 UTC" {
		t.Errorf("timeline: unit %q, %d bars, max %d, %s–%s", tl.Unit, len(tl.Bars), tl.Max, tl.From, tl.To)
	}
	if !strings.HasSuffix(tl.Bars[3].Class, "tl-now") {
		t.Errorf("the current minute is not marked: %q", tl.Bars[3].Class)
	}

	long := append(joins, store.Join{SessionKey: "s", RegistrantKey: "x", JoinTime: start.Add(5 * time.Hour)})
	tl = newBoard(store.Webinar{}, long, start.Add(6*time.Hour)).timeline("s")
	if tl.Unit != "5 minutes" || len(tl.Bars) > tlMaxBar {
		t.Errorf("5 hours: unit %q, %d bars", tl.Unit, len(tl.Bars))
	}
}

// The join fragment on the page and in the stream is the same row.
func TestJoinRow_SameOnPageAndStream(t *testing.T) {
	t.Parallel()
	a := newLiveApp(t)
	a.createWebinar(liveWebinar)
	a.register(liveWebinar, person(5))
	c := a.openStream(liveEvents+"?lastEventId=0", nil)
	a.join(liveWebinar, sessionOne, person(5), time.Now())
	streamed := c.next(t, "join", 2*time.Second).Data
	_, page := a.fetch("/webinars/" + liveWebinar.Key + "/live")
	row := regexp.MustCompile(`<tr id="join-[^"]+" class="join".*?</tr>`).FindString(page)
	strip := regexp.MustCompile(`>[^<]*ago<|>just now<`)
	if row == "" || strip.ReplaceAllString(row, "><") != strip.ReplaceAllString(streamed, "><") {
		t.Errorf("page row:\n%s\nstream row:\n%s", row, streamed)
	}
}

func sessionsWebinar(start, end time.Time) store.Webinar {
	return store.Webinar{Times: []gotowebinar.TimeRange{{StartTime: gotowebinar.Time{Time: start}, EndTime: gotowebinar.Time{Time: end}}}}
}

func deleted(w store.Webinar) store.Webinar {
	w.Status = "DELETED"
	return w
}
