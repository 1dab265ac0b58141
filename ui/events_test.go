package ui

import (
	"bufio"
	"context"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"webinarsync/forward"
	"webinarsync/store"
)

func TestEvents_NewestFirstAndFilter(t *testing.T) {
	t.Parallel()
	st := openStore(t)
	seedLaunch(t, st) // 6 events, the joins last
	h := handler(t, Config{Store: st})

	rec := get(t, h, "/events")
	if rec.Code != http.StatusOK {
		t.Fatalf("status = %d, want 200", rec.Code)
	}
	body := rec.Body.String()
	mustContain(t, body,
		`<option value="registrant.added">registrant.added — Someone registered</option>`,
		`<code>registrant.joined</code>`, `ev-j-2`,
		`<code>registrant.joined</code>`, `ev-j-1`,
		`<code>registrant.added</code>`, `ev-r-2`,
		`<code>webinar.created</code>`, `ev-w-1`,
	)
	mustContain(t, body, `Mon 2 Mar 2026, 08:41 UTC`, `49 min ago`, `href="/webinars/`+launchKey+`"`, `203.0.113.7`)
	mustContain(t, body, `Showing the newest`, `No older events`)

	body = get(t, h, "/events?name=registrant.joined").Body.String()
	mustContain(t, body, `<option value="registrant.joined" selected>`, `Show all`, `ev-j-2`, `ev-j-1`)
	mustNotContain(t, body, `ev-r-0`, `ev-w-1`)

	body = get(t, h, "/events?name=no.such.event").Body.String()
	mustContain(t, body, `<option value="no.such.event" selected>`, `No <code>no.such.event</code> events yet.`)
}

func TestEvents_OlderLinkPagesBack(t *testing.T) {
	t.Parallel()
	st := openStore(t)
	for i := range 60 {
		put(t, st, testNow.Add(time.Duration(i)*time.Second), registrantAdded(fmt.Sprintf("ev-%02d", i), workshopKey, "Workshop",
			registrant{key: fmt.Sprintf("5%019d", i), first: "P", last: fmt.Sprint(i), email: "p@example.com", registered: testNow}))
	}
	h := handler(t, Config{Store: st})

	body := get(t, h, "/events?name=registrant.added").Body.String()
	if n := strings.Count(body, `<details class="log-entry" id="event-`); n != 50 {
		t.Errorf("first page lists %d events, want 50", n)
	}
	mustContain(t, body, `ev-59`, `ev-10`)
	mustNotContain(t, body, `ev-09`)
	i := strings.Index(body, `?before=`)
	older := body[strings.LastIndex(body[:i], `href="`)+len(`href="`):]
	older = html.UnescapeString(older[:strings.Index(older, `"`)])
	if !strings.Contains(older, "name=registrant.added") {
		t.Errorf("Older link %q drops the filter", older)
	}

	body = get(t, h, older).Body.String()
	if n := strings.Count(body, `<details class="log-entry" id="event-`); n != 10 {
		t.Errorf("second page lists %d events, want 10", n)
	}
	mustContain(t, body, `ev-09`, `ev-00`, `← Newest`, `No older events`)
	mustNotContain(t, body, `ev-10`)
}

func TestEvents_RawJSONShown(t *testing.T) {
	t.Parallel()
	st := openStore(t)
	seedLaunch(t, st)
	body := get(t, handler(t, Config{Store: st}), "/events").Body.String()
	// Pretty-printed, the 20-digit keys exactly as GoTo sent them.
	want := html.EscapeString("{\n  \"eventName\": \"registrant.joined\",\n  \"eventVersion\": \"1.0.0\",")
	mustContain(t, body, `<details class="log-entry" id="event-6">`, `<summary`, `Raw JSON`, `<pre><code id="raw-6">`+want)
	mustContain(t, body, html.EscapeString(`"webinarKey": `+launchKey+`,`))
	mustContain(t, body, html.EscapeString(`"Pricing & roadmap"`))
}

func TestEvents_EmptyLogSaysWhatToExpect(t *testing.T) {
	t.Parallel()
	body := get(t, handler(t, Config{Store: openStore(t)}), "/events").Body.String()
	mustContain(t, body, `No events yet.`, `listed here the moment they arrive`)
}

func TestEvents_StreamShowsANewEventAtOnce(t *testing.T) {
	t.Parallel()
	st := openStore(t)
	seedLaunch(t, st)
	srv := httptest.NewServer(handler(t, Config{Store: st, Addr: "127.0.0.1:0"}))
	defer srv.Close()

	page := get(t, handler(t, Config{Store: st}), "/events").Body.String()
	i := strings.Index(page, `data-stream="`)
	if i < 0 {
		t.Fatal("the event log names no stream")
	}
	streamURL := html.UnescapeString(page[i+len(`data-stream="`):])
	streamURL = streamURL[:strings.Index(streamURL, `"`)]

	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+streamURL, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != 200 || ct != "text/event-stream" {
		t.Fatalf("stream: %d %s", resp.StatusCode, ct)
	}
	// Stored after the page was read: only the stream can show it.
	put(t, st, testNow, registrantAdded("ev-live-1", launchKey, "Quarterly Launch",
		registrant{key: "5000000000000000777", first: "Grace", last: "Hopper", email: "grace@example.com", registered: testNow}))

	br := bufio.NewReader(resp.Body)
	var event, data string
	for event != "entry" {
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatalf("stream ended before the new event: %v", err)
		}
		line = strings.TrimRight(line, "\n")
		switch {
		case strings.HasPrefix(line, "event: "):
			event = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: ") && event == "entry":
			data += strings.TrimPrefix(line, "data: ") + "\n"
		case line == "" && event != "entry":
			event = ""
		}
	}
	for !strings.HasSuffix(data, "</details>\n") {
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		data += strings.TrimPrefix(strings.TrimRight(line, "\n"), "data: ") + "\n"
	}
	// Only the new event, with the webinar's title and the person's name.
	mustContain(t, data, `<details class="log-entry" id="event-`, `registrant.added`,
		`Grace Hopper (grace@example.com)`, launchKey, `Quarterly Launch`, `ev-live-1`, `data-copy="raw-`)
	mustNotContain(t, data, `ev-j-2`)
}

func TestEvents_ReplayQueuesAWebinarsEvents(t *testing.T) {
	t.Parallel()
	st := openStore(t)
	seedLaunch(t, st)
	fwd, err := forward.New(forward.Config{Store: st})
	if err != nil {
		t.Fatal(err)
	}
	h := handler(t, Config{Store: st, Forward: fwd})

	body := get(t, h, "/events").Body.String()
	mustContain(t, body, `action="/events/replay"`, `name="seq"`, `>Replay</button>`, `data-copy="raw-`)

	entries, err := st.Events(store.EventQuery{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	for _, e := range entries {
		if e.WebinarKey == launchKey {
			want++
		}
	}
	rec := post(t, h, "/events/replay", url.Values{"webinar": {launchKey}}, nil)
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("POST /events/replay = %d: %s", rec.Code, rec.Body)
	}
	if got := fwd.State().Pending; got != want || want == 0 {
		t.Errorf("queued %d, want the webinar's %d events", got, want)
	}
	mustContain(t, get(t, h, rec.Header().Get("Location")).Body.String(), "queued to be forwarded again")

	// One row's button.
	if rec := post(t, h, "/events/replay", url.Values{"seq": {"1"}}, nil); rec.Code != http.StatusSeeOther {
		t.Errorf("replay of one event = %d", rec.Code)
	}
	if got := fwd.State().Pending; got != want+1 {
		t.Errorf("after one more, %d queued, want %d", got, want+1)
	}
	// From another site: refused.
	if rec := post(t, h, "/events/replay", url.Values{"seq": {"1"}}, map[string]string{"Sec-Fetch-Site": "cross-site"}); rec.Code != http.StatusForbidden {
		t.Errorf("cross-site replay = %d, want 403", rec.Code)
	}
	if rec := post(t, h, "/events/replay", url.Values{}, nil); rec.Code != http.StatusBadRequest {
		t.Errorf("empty replay = %d, want 400", rec.Code)
	}
}
