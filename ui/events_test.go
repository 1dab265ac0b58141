package ui

import (
	"fmt"
	"html"
	"net/http"
	"strings"
	"testing"
	"time"
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
	if n := strings.Count(body, `<details class="log-entry">`); n != 50 {
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
	if n := strings.Count(body, `<details class="log-entry">`); n != 10 {
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
	mustContain(t, body, `<details class="log-entry">`, `<summary`, `Raw JSON`, `<pre><code>`+want)
	mustContain(t, body, html.EscapeString(`"webinarKey": `+launchKey+`,`))
	mustContain(t, body, html.EscapeString(`"Pricing & roadmap"`))
}

func TestEvents_EmptyLogSaysWhatToExpect(t *testing.T) {
	t.Parallel()
	body := get(t, handler(t, Config{Store: openStore(t)}), "/events").Body.String()
	mustContain(t, body, `No events yet.`, `listed here the moment they arrive`)
}
