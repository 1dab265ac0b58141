package ui

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"webinarsync/store"
)

func TestWebinarPage_ShowsNumbersAndRegistrants(t *testing.T) {
	t.Parallel()
	st := openStore(t)
	seedLaunch(t, st)
	rec := get(t, handler(t, Config{Store: st}), "/webinars/"+launchKey)
	if rec.Code != http.StatusOK {
		t.Fatalf("status = %d, want 200", rec.Code)
	}
	mustContain(t, rec.Body.String(),
		`Quarterly Launch — Q1 2026</h1>`,
		`href="/webinars/`+launchKey+`/registrants.csv"`, `Download CSV`,
		`<div class="figure-value">3</div><div class="figure-label">registered</div>`,
		`<div class="figure-value">2</div><div class="figure-label">joined</div>`,
		`<div class="figure-value">67%</div><div class="figure-label">attendance rate</div>`,
		// The status breakdown, each status a link to its registrants, and the latest joins.
		`Registration status`, `seg-approved`, `width="66.67"`, `?status=Approved`, `Approved`, `2`, `Waiting`, `1`,
		`Latest joins`, `Zoë Ångström`, `Jürgen Müller`,
		`Showing 1–3 of 3`,
		// Newest registration first by default.
		`<td class="name">李 小龙</td>`, `<td class="name">Zoë Ångström</td>`, `<td class="name">Jürgen Müller</td>`,
		`juergen@example.de`, `Bäckerei Müller GmbH`,
		// Dates in the table, short: no weekday.
		`>1 Feb 2026, 08:00 UTC</time>`,
		`Yes`, `first`, `>1 Mar 2026, 14:55 UTC</time>`,
		`<summary>2 answers</summary>`, `How did you hear about us?`, `Newsletter`, `Pricing &amp; roadmap`,
	)
}

func TestWebinarPage_SearchFiltersRegistrants(t *testing.T) {
	t.Parallel()
	st := openStore(t)
	seedLaunch(t, st)
	h := handler(t, Config{Store: st})

	body := get(t, h, "/webinars/"+launchKey+"?q=m%C3%BCller").Body.String()
	mustContain(t, body, `value="müller"`, `Clear`, `Showing 1–1 of 1`, `<td class="name">Jürgen Müller</td>`)
	mustNotContain(t, body, `<td class="name">Zoë Ångström</td>`, `李 小龙`)

	body = get(t, h, "/webinars/"+launchKey+"?status=waiting").Body.String()
	mustContain(t, body, `<option value="Waiting" selected>`, `Showing 1–1 of 1`, `<td class="name">李 小龙</td>`)
	mustNotContain(t, body, `<td class="name">Jürgen Müller</td>`)

	body = get(t, h, "/webinars/"+launchKey+"?q=nobody-by-this-name").Body.String()
	mustContain(t, body, `No registrants match`, `“nobody-by-this-name”`, `Show everyone`)
}

func TestWebinarPage_SortsByRegistrationDate(t *testing.T) {
	t.Parallel()
	st := openStore(t)
	seedLaunch(t, st)
	h := handler(t, Config{Store: st})

	body := get(t, h, "/webinars/"+launchKey).Body.String()
	mustContain(t, body, `aria-sort="descending"`, `href="/webinars/`+launchKey+`?sort=registered_asc"`)

	body = get(t, h, "/webinars/"+launchKey+"?sort=registered_asc&q=e").Body.String()
	mustContain(t, body,
		// The form keeps the order when the search changes.
		`<input type="hidden" name="sort" value="registered_asc">`,
		// The header link flips the order and keeps the search.
		`aria-sort="ascending"`, `href="/webinars/`+launchKey+`?q=e"`,
		`<td class="name">Jürgen Müller</td>`, `<td class="name">Zoë Ångström</td>`,
	)
}

func TestWebinarPage_PaginatesFiftyPerPage(t *testing.T) {
	t.Parallel()
	st := openStore(t)
	put(t, st, testNow, webinarEvent("webinar.created", "ev-w", workshopKey, "Big Workshop", "NEW", testNow.Add(24*time.Hour)))
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 120 {
		status := "Approved"
		if i%2 == 1 {
			status = "Waiting"
		}
		put(t, st, testNow, registrantAdded(fmt.Sprintf("ev-%03d", i), workshopKey, "Big Workshop", registrant{
			key: fmt.Sprintf("4%019d", i), first: "Person", last: fmt.Sprintf("Nr%03d", i),
			email: fmt.Sprintf("p%03d@example.com", i), org: "Acme", status: status,
			registered: base.Add(time.Duration(i) * time.Hour),
		}))
	}
	h := handler(t, Config{Store: st})

	body := get(t, h, "/webinars/"+workshopKey).Body.String()
	mustContain(t, body, `Showing 1–50 of 120`, `Page 1 of 3`, `href="/webinars/`+workshopKey+`?page=2"`)
	if n := strings.Count(body, `<td class="name">`); n != 50 {
		t.Errorf("page 1 lists %d registrants, want 50", n)
	}

	body = get(t, h, "/webinars/"+workshopKey+"?page=2").Body.String()
	mustContain(t, body, `Showing 51–100 of 120`, `Nr069`, `Nr020`)
	mustNotContain(t, body, `Nr070`, `Nr019`)

	// Prev and next keep the search, the status and the order.
	q := url.Values{"q": {"person"}, "status": {"Waiting"}, "sort": {"registered_asc"}, "page": {"1"}}
	body = get(t, h, "/webinars/"+workshopKey+"?"+q.Encode()).Body.String()
	mustContain(t, body, `Showing 1–50 of 60`, `Nr001`,
		`href="`+html.EscapeString("/webinars/"+workshopKey+"?page=2&q=person&sort=registered_asc&status=Waiting")+`"`)
	mustNotContain(t, body, `Nr000`)
	body = get(t, h, "/webinars/"+workshopKey+"?"+strings.Replace(q.Encode(), "page=1", "page=2", 1)).Body.String()
	mustContain(t, body, `Showing 51–60 of 60`,
		`href="`+html.EscapeString("/webinars/"+workshopKey+"?q=person&sort=registered_asc&status=Waiting")+`" rel="prev"`)

	// A page past the end shows the last one.
	body = get(t, h, "/webinars/"+workshopKey+"?page=99").Body.String()
	mustContain(t, body, `Showing 101–120 of 120`, `Page 3 of 3`)
}

func TestWebinarPage_UnknownKeyIs404(t *testing.T) {
	t.Parallel()
	rec := get(t, handler(t, Config{Store: openStore(t)}), "/webinars/10000000000000000001")
	if rec.Code != http.StatusNotFound {
		t.Fatalf("status = %d, want 404", rec.Code)
	}
	mustContain(t, rec.Body.String(), `We have no webinar with key 10000000000000000001.`, `Back to your webinars`)
}

func TestDrawDays_OneBarPerDayScaledToTheBusiest(t *testing.T) {
	t.Parallel()
	day := func(d int) time.Time { return time.Date(2026, 2, d, 0, 0, 0, 0, time.UTC) }
	c := drawDays([]store.DayCount{{Day: day(1), Count: 2}, {Day: day(2)}, {Day: day(3), Count: 4}})
	if len(c.Bars) != 3 || c.Max != 4 {
		t.Fatalf("%d bars, max %d; want 3 and 4", len(c.Bars), c.Max)
	}
	if c.Bars[2].H != svgNum(tlBase-tlTop) || c.Bars[1].H != "0.0" || c.Bars[0].H != svgNum(float64(tlBase-tlTop)/2) {
		t.Errorf("bar heights %s, %s, %s; want half, none, full", c.Bars[0].H, c.Bars[1].H, c.Bars[2].H)
	}
	if c.From != "1 Feb" || c.To != "3 Feb" || !strings.Contains(c.Label, "the busiest day, Tue 3 Feb, had 4 registrations") {
		t.Errorf("labels %q–%q, %q", c.From, c.To, c.Label)
	}
	if c.Bars[0].Title != "Sun 1 Feb: 2 registrations" {
		t.Errorf("first bar's title %q", c.Bars[0].Title)
	}
	if one := drawDays([]store.DayCount{{Day: day(1), Count: 5}}); one.To != "" || len(one.Bars) != 1 {
		t.Errorf("one day: To %q, %d bars; want no end label and one bar", one.To, len(one.Bars))
	}
	if none := drawDays(nil); none.Days != 0 {
		t.Error("no registrations draw a chart")
	}
}

func TestWebinarPage_ChartsRegistrationsPerDayAndSaysLiveNow(t *testing.T) {
	t.Parallel()
	st := openStore(t)
	seedLaunch(t, st) // registrations on 1, 2 and 3 Feb; joins a day before testNow
	body := get(t, handler(t, Config{Store: st}), "/webinars/"+launchKey).Body.String()
	mustContain(t, body, `<h2 id="per-day-h">Registrations per day</h2>`,
		`aria-label="Registrations per day (UTC) from 1 Feb 2026 to 3 Feb 2026; the busiest day, Sun 1 Feb, had 1 registration."`,
		`<title>Tue 3 Feb: 1 registration</title>`)
	mustNotContain(t, body, `Live now`)

	put(t, st, testNow, registrantJoined("ev-j-9", launchKey, "33333333333333333333", "李", "小龙", testNow.Add(-2*time.Minute)))
	body = get(t, handler(t, Config{Store: st}), "/webinars/"+launchKey).Body.String()
	mustContain(t, body, `<a class="badge badge-live" href="/webinars/`+launchKey+`/live">Live now</a>`,
		`<a class="button button-big" href="/webinars/`+launchKey+`/live">Open the live board</a>`)
}
