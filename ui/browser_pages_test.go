package ui

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"webinarsync/store"
)

// The home, webinar and event log pages and the CSV link in a real browser,
// over a real store filled with events as GoTo delivers them. The browser
// helpers are in browser_helpers_test.go.

// upcomingKey is a webinar that has not started at testNow.
const upcomingKey = "70000000000000000007"

const (
	workshopTitle = "Datenschutz & KI – Workshop für Einsteiger"
	upcomingTitle = "Frühjahrsempfang 2026 — Kundenabend 🎉"
	workshopQ     = "Welche Themen interessieren Sie?"
)

// pagesSite is the UI on an httptest server over a store holding three
// webinars: the Quarterly Launch of seedLaunch (3 registered, 2 joined), a
// workshop with 67 registrants over two pages, and one that starts in two
// weeks.
type pagesSite struct {
	url      string
	workshop []registrant     // in the order they registered
	joined   map[string]bool  // workshop registrant keys that joined
	newest   string           // the body of the last delivery
	newestAt time.Time        // when it arrived
	statuses map[string][]int // workshop status → indexes into workshop
}

// uuidKey is an eventKey in GoTo's form.
func uuidKey(n int) string {
	return fmt.Sprintf("%08x-4b1d-4e5f-9a7b-%012x", 0x5eed0000+n, n)
}

// joinedEvent is a registrant.joined body for any webinar.
func joinedEvent(eventKey, webinarKey, title string, r registrant, at time.Time) string {
	return fmt.Sprintf(`{"eventName":"registrant.joined","eventVersion":"1.0.0","product":"g2w","eventKey":%q,`+
		`"timestamp":%q,"webinarKey":%s,"webinarTitle":%s,"sessionKey":24681357924681357924,`+
		`"registrantKey":%s,"firstName":%s,"lastName":%s,"email":%s,"joinTime":%q}`,
		eventKey, at.Format(time.RFC3339), webinarKey, jsonText(title), r.key,
		jsonText(r.first), jsonText(r.last), jsonText(r.email), at.Format(time.RFC3339))
}

// thePagesSite is the pages site of the test binary. The tests only read
// it, so the first to need it builds it (0.4 s of fsynced writes) and it
// serves all of them until TestMain ends.
func thePagesSite(t *testing.T) *pagesSite {
	t.Helper()
	pagesSiteOnce.mu.Lock()
	defer pagesSiteOnce.mu.Unlock()
	if !pagesSiteOnce.tried {
		pagesSiteOnce.tried = true
		pagesSiteOnce.site = newPagesSite(t)
	}
	if pagesSiteOnce.site == nil {
		t.Fatal("building the pages site failed in another test")
	}
	return pagesSiteOnce.site
}

var pagesSiteOnce struct {
	mu    sync.Mutex
	tried bool
	site  *pagesSite // nil when building it failed
}

// newPagesSite fills a store and serves the UI over it until TestMain ends.
func newPagesSite(t *testing.T) *pagesSite {
	t.Helper()
	dir, err := os.MkdirTemp("", "webinarsync-pages-")
	if err != nil {
		t.Fatal(err)
	}
	atExit(func() { _ = os.RemoveAll(dir) })
	st, err := store.Open(dir, store.Options{NoSync: true}) // read by the browser tests: no durability tested
	if err != nil {
		t.Fatalf("store.Open: %v", err)
	}
	atExit(func() { _ = st.Close() })
	site := &pagesSite{joined: map[string]bool{}, statuses: map[string][]int{}}
	n := 0
	next := func() string { n++; return uuidKey(n) }

	// The workshop: 64 people with names from across Europe and Asia, and
	// three Müllers planted for the search (two by name, one by company).
	start := time.Date(2026, 2, 24, 14, 0, 0, 0, time.UTC)
	at := testNow.Add(-10 * 24 * time.Hour)
	put(t, st, at, webinarEvent("webinar.created", next(), workshopKey, workshopTitle, "NEW", start))
	firsts := []string{"Aiko", "Björn", "Chloé", "Dağhan", "Émilie", "Fatoumata", "Grzegorz", "Hélène", "Ingrid",
		"José", "Kåre", "Łucja", "Mateus", "Nguyễn", "Olga", "Pål", "Renée", "Søren", "Tomás", "Ülkü", "Wojciech", "Yusuf", "Zuzana"}
	lasts := []string{"Andersson", "Bianchi", "Çelik", "Dubois", "Eriksen", "Fernández", "García", "Horváth", "Ivanović",
		"Jansen", "Kowalski", "Lefèvre", "Novák", "Okafor", "Pérez", "Quispe", "Rossi", "Schröder", "Tanaka", "Virtanen", "Wójcik", "Yılmaz", "Zhang"}
	orgs := []string{"Nordlicht AG", "Café Olé SARL", "Søndergaard A/S", "東京ワークス株式会社", "Stadtwerke Köln", "Acme GmbH"}
	answers := []string{"Datenschutz", "KI im Alltag", "Recht & Compliance"}
	regBase := time.Date(2026, 2, 1, 8, 0, 0, 0, time.UTC)
	for i := range 64 {
		r := registrant{
			key:   fmt.Sprintf("7%019d", 1234567890123456789+int64(i)*7919),
			first: firsts[i%len(firsts)], last: lasts[(i*7)%len(lasts)],
			email: fmt.Sprintf("teilnehmer%02d@example.org", i), org: orgs[i%len(orgs)],
			status: "Approved", registered: regBase.Add(time.Duration(i) * 5 * time.Hour),
		}
		switch {
		case i%6 == 2:
			r.status = "Waiting"
		case i%13 == 5:
			r.status = "Cancelled"
		}
		if i%4 == 1 {
			r.responses = fmt.Sprintf(`[[%q,"SHORT_ANSWER",[%q]]]`, workshopQ, answers[i%len(answers)])
		}
		site.workshop = append(site.workshop, r)
	}
	site.workshop = append(site.workshop,
		registrant{key: "79999999999999999901", first: "Anna", last: "Müller", email: "anna.mueller@example.de",
			org: "Stadtwerke Köln", status: "Approved", registered: regBase.Add(330 * time.Hour)},
		registrant{key: "79999999999999999902", first: "Thomas", last: "Müller-Lüdenscheidt", email: "t.ml@example.de",
			org: "Lüdenscheidt Consulting", status: "Waiting", registered: regBase.Add(331 * time.Hour)},
		registrant{key: "79999999999999999903", first: "Petra", last: "Schmidt", email: "petra@mueller-soehne.de",
			org: "Müller & Söhne KG", status: "Approved", registered: regBase.Add(332 * time.Hour)},
	)
	for i, r := range site.workshop {
		at = at.Add(time.Minute)
		put(t, st, at, registrantAdded(next(), workshopKey, workshopTitle, r))
		site.statuses[r.status] = append(site.statuses[r.status], i)
	}
	for i, r := range site.workshop {
		if i%3 == 0 && r.status != "Cancelled" {
			at = at.Add(time.Second)
			put(t, st, at, joinedEvent(next(), workshopKey, workshopTitle, r, start.Add(time.Duration(i%20)*time.Minute)))
			site.joined[r.key] = true
		}
	}

	// The Quarterly Launch, delivered in the last hour.
	seedLaunch(t, st)

	// A webinar in two weeks, with its first registrations; the last one
	// is the newest delivery of all.
	at = testNow.Add(-30 * time.Minute)
	put(t, st, at, webinarEvent("webinar.created", next(), upcomingKey, upcomingTitle, "NEW", testNow.Add(14*24*time.Hour)))
	put(t, st, at.Add(time.Minute), registrantAdded(next(), upcomingKey, upcomingTitle, registrant{
		key: "70000000000000000101", first: "Ólafur", last: "Sigurðsson", email: "olafur@example.is", org: "Reykjavík Events ehf.",
		registered: at.Add(time.Minute),
	}))
	site.newestAt = testNow.Add(-2 * time.Minute)
	site.newest = registrantAdded(next(), upcomingKey, upcomingTitle, registrant{
		key: "70000000000000000102", first: "Saoirse", last: "Ní Bhriain", email: "saoirse@example.ie", org: "Ceol & Caint Teo",
		registered: site.newestAt,
		responses:  `[["Dietary requirements?","SHORT_ANSWER",["Vegetarisch, bitte"]]]`,
	})
	put(t, st, site.newestAt, site.newest)

	ui := New(Config{Store: st, Addr: "127.0.0.1:0", Logger: slog.New(slog.DiscardHandler)})
	ui.now = func() time.Time { return testNow }
	srv := httptest.NewServer(ui.Handler())
	// Close ends the event log's open stream first, as the app does on shutdown.
	atExit(func() { ui.Close(); srv.Close() })
	site.url = srv.URL
	return site
}

// tableRows reads the visible text of each cell of the rows matching sel.
func tableRows(t *testing.T, ctx context.Context, sel string) [][]string {
	t.Helper()
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[[][]string](fmt.Sprintf(
		`Array.from(document.querySelectorAll(%q), tr => Array.from(tr.cells, c => c.innerText.trim()))`, sel)))
	if err != nil {
		t.Fatalf("reading %s: %v", sel, err)
	}
	return rows
}

// text is the visible text of the first element matching sel.
func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("reading %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

func TestBrowser_HomeListsWebinarsWithCounts(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("starts a browser")
	}
	site := thePagesSite(t)
	ctx, problems := browser(t)

	if err := chromedp.Do(ctx,
		chromedp.Navigate(site.url+"/"),
		chromedp.WaitVisible(chromedp.CSS(`table.webinars`)),
	); err != nil {
		t.Fatalf("opening the home page: %v (page problems: %q)", err, problems())
	}

	// Totals: 3 webinars; 67 + 3 + 2 registrants; the workshop's joins and
	// the Launch's two.
	figures := text(t, ctx, `section.figures`)
	for _, want := range []string{"3\nwebinars", "72\nregistrants", fmt.Sprintf("%d\njoins", len(site.joined)+2)} {
		if !strings.Contains(figures, want) {
			t.Errorf("the totals read %q, want %q in them", figures, want)
		}
	}

	// One row per webinar, the latest start first: title, 20-digit key,
	// registered, joined, and the attendance bar (or when it starts).
	rows := tableRows(t, ctx, `table.webinars tbody tr`)
	workshopPct := (len(site.joined)*100 + len(site.workshop)/2) / len(site.workshop)
	want := []struct {
		title, key, registered, joined, attendance string
	}{
		{upcomingTitle, upcomingKey, "2", "0", "starts in 14 days"},
		{"Quarterly Launch — Q1 2026", launchKey, "3", "2", "67%"},
		{workshopTitle, workshopKey, "67", fmt.Sprint(len(site.joined)), fmt.Sprintf("%d%%", workshopPct)},
	}
	if len(rows) != len(want) {
		t.Fatalf("the list has %d rows, want %d: %q", len(rows), len(want), rows)
	}
	for i, w := range want {
		r := rows[i]
		if len(r) != 6 {
			t.Fatalf("row %d has %d cells, want 6: %q", i, len(r), r)
		}
		if !strings.HasPrefix(r[0], w.title) || !strings.Contains(r[0], w.key) {
			t.Errorf("row %d: first cell %q, want the title %q and the key %s", i, r[0], w.title, w.key)
		}
		if r[3] != w.registered || r[4] != w.joined {
			t.Errorf("row %d (%s): registered %q, joined %q; want %s and %s", i, w.title, r[3], r[4], w.registered, w.joined)
		}
		if r[5] != w.attendance {
			t.Errorf("row %d (%s): attendance %q, want %q", i, w.title, r[5], w.attendance)
		}
	}

	// The bars are drawn (SVG, as the CSP forbids inline styles): the fill
	// covers the share of the track that joined.
	type bar struct {
		Label        string
		Track, Fill  float64
		LinkedToPage string
	}
	bars, err := chromedp.Run(ctx, chromedp.Evaluate[[]bar](`Array.from(document.querySelectorAll("table.webinars tbody tr"), tr => {
		const svg = tr.querySelector("svg.bar");
		return {
			Label: svg ? svg.getAttribute("aria-label") : "",
			Track: svg ? svg.querySelector(".bar-track").getBoundingClientRect().width : 0,
			Fill: svg ? svg.querySelector(".bar-fill").getBoundingClientRect().width : 0,
			LinkedToPage: tr.querySelector("a.title").getAttribute("href"),
		};
	})`))
	if err != nil {
		t.Fatal(err)
	}
	wantBars := []struct {
		label, href string
		share       float64
	}{
		{"", "/webinars/" + upcomingKey, 0},
		{"67% of registrants joined", "/webinars/" + launchKey, 0.67},
		{fmt.Sprintf("%d%% of registrants joined", workshopPct), "/webinars/" + workshopKey, float64(workshopPct) / 100},
	}
	for i, w := range wantBars {
		b := bars[i]
		if b.Label != w.label || b.LinkedToPage != w.href {
			t.Errorf("row %d: bar %q linking to %q, want %q and %q", i, b.Label, b.LinkedToPage, w.label, w.href)
		}
		if w.label == "" {
			continue
		}
		if b.Track < 40 {
			t.Errorf("row %d: the bar is %.1f px wide; it is not drawn", i, b.Track)
		} else if got := b.Fill / b.Track; got < w.share-0.02 || got > w.share+0.02 {
			t.Errorf("row %d: the fill covers %.2f of the bar, want %.2f", i, got, w.share)
		}
	}

	// The stylesheet applied: the page is not unstyled.
	if font, err := chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.body).fontFamily`)); err != nil || strings.HasPrefix(font, `"Times`) || font == "" {
		t.Errorf("body font %q (%v): the stylesheet did not apply", font, err)
	}
	noPageProblems(t, problems)
	screenshot(t, ctx, "home")
}

func TestBrowser_WebinarSearchNarrowsTheTable(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("starts a browser")
	}
	site := thePagesSite(t)
	ctx, problems := browser(t)
	page := site.url + "/webinars/" + workshopKey

	if err := chromedp.Do(ctx,
		chromedp.Navigate(page),
		chromedp.WaitVisible(chromedp.CSS(`table.registrants`)),
	); err != nil {
		t.Fatalf("opening the webinar page: %v (page problems: %q)", err, problems())
	}
	if h1 := text(t, ctx, `h1`); h1 != workshopTitle {
		t.Errorf("heading %q, want %q", h1, workshopTitle)
	}
	if got := text(t, ctx, `p.showing`); got != "Showing 1–50 of 67" {
		t.Errorf("unfiltered: %q, want Showing 1–50 of 67", got)
	}
	if got := text(t, ctx, `nav.pager`); !strings.Contains(got, "Page 1 of 2") {
		t.Errorf("pager %q, want Page 1 of 2", got)
	}
	if rows := tableRows(t, ctx, `table.registrants tbody tr`); len(rows) != 50 {
		t.Errorf("page 1 lists %d rows, want 50", len(rows))
	}
	screenshot(t, ctx, "webinar")

	// Next → shows the rest.
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`nav.pager a[rel="next"]`))); err != nil {
		t.Fatalf("following Next: %v", err)
	}
	if got := text(t, ctx, `p.showing`); got != "Showing 51–67 of 67" {
		t.Errorf("page 2: %q, want Showing 51–67 of 67", got)
	}
	if rows := tableRows(t, ctx, `table.registrants tbody tr`); len(rows) != 17 {
		t.Errorf("page 2 lists %d rows, want 17", len(rows))
	}

	// Typing a name (with an umlaut, in lower case) and pressing Enter
	// leaves the two Müllers and the one at Müller & Söhne.
	if err := chromedp.Do(ctx, chromedp.Navigate(page)); err != nil {
		t.Fatal(err)
	}
	resp, err := chromedp.RunResponse(ctx, chromedp.SendKeys(chromedp.CSS(`input[name="q"]`), "müller"+kb.Enter))
	if err != nil {
		t.Fatalf("searching: %v (page problems: %q)", err, problems())
	}
	if !strings.Contains(resp.URL, "q=m%C3%BCller") {
		t.Errorf("the search went to %s, want q=m%%C3%%BCller in it", resp.URL)
	}
	rows := tableRows(t, ctx, `table.registrants tbody tr`)
	var names []string
	for _, r := range rows {
		names = append(names, r[0]+" <"+r[1]+"> "+r[2])
	}
	wantNames := []string{ // newest registration first
		"Petra Schmidt <petra@mueller-soehne.de> Müller & Söhne KG",
		"Thomas Müller-Lüdenscheidt <t.ml@example.de> Lüdenscheidt Consulting",
		"Anna Müller <anna.mueller@example.de> Stadtwerke Köln",
	}
	if !slices.Equal(names, wantNames) {
		t.Errorf("searching müller lists\n%q\nwant\n%q", names, wantNames)
	}
	if got := text(t, ctx, `p.showing`); got != "Showing 1–3 of 3" {
		t.Errorf("searched: %q, want Showing 1–3 of 3", got)
	}
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("nav.pager").length`)); err != nil || n != 0 {
		t.Errorf("one page of matches still has a pager (%d, %v)", n, err)
	}
	if v, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(`input[name="q"]`))); err != nil || v != "müller" {
		t.Errorf("the search box holds %q (%v), want müller kept", v, err)
	}
	screenshot(t, ctx, "webinar-search")

	// The status filter, through Clear and the select.
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`form.filters a`))); err != nil {
		t.Fatalf("clearing the search: %v", err)
	}
	if v, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(`input[name="q"]`))); err != nil || v != "" {
		t.Errorf("after Clear the search box holds %q (%v)", v, err)
	}
	if _, err := chromedp.RunResponse(ctx,
		chromedp.SetValue(chromedp.CSS(`select[name="status"]`), "Waiting"),
		chromedp.Click(chromedp.CSS(`form.filters button[type="submit"]`)),
	); err != nil {
		t.Fatalf("filtering by status: %v", err)
	}
	waiting := len(site.statuses["Waiting"])
	if got, want := text(t, ctx, `p.showing`), fmt.Sprintf("Showing 1–%d of %d", waiting, waiting); got != want {
		t.Errorf("waiting: %q, want %q", got, want)
	}
	rows = tableRows(t, ctx, `table.registrants tbody tr`)
	if len(rows) != waiting {
		t.Errorf("status Waiting lists %d rows, want %d", len(rows), waiting)
	}
	for _, r := range rows {
		if r[3] != "Waiting" {
			t.Errorf("status Waiting lists %q with status %q", r[0], r[3])
		}
	}
	if v, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(`select[name="status"]`))); err != nil || v != "Waiting" {
		t.Errorf("the status select shows %q (%v), want Waiting kept", v, err)
	}
	noPageProblems(t, problems)
}

func TestBrowser_CSVDownloadLinkServesTheCSV(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("starts a browser")
	}
	site := thePagesSite(t)
	ctx, problems := browser(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(site.url+"/webinars/"+workshopKey)); err != nil {
		t.Fatalf("opening the webinar page: %v", err)
	}
	link := `a[download]`
	if got := text(t, ctx, link); got != "Download CSV" {
		t.Fatalf("the download link reads %q", got)
	}
	href, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(link), "href"))
	if err != nil || href.Value != "/webinars/"+workshopKey+"/registrants.csv" {
		t.Fatalf("the download link goes to %q (%v)", href.Value, err)
	}

	// Click it, as the organizer does, and let the browser save the file.
	dir := t.TempDir()
	c := chromedp.FromContext(ctx)
	began := chromedp.BrowserEvents(ctx, cdpbrowser.DownloadWillBegin)
	progress := chromedp.BrowserEvents(ctx, cdpbrowser.DownloadProgress)
	if _, err := chromedp.CallBrowser(ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
		Behavior:         cdpbrowser.SetDownloadBehaviorBehaviorAllowAndName,
		BrowserContextID: c.BrowserContextID,
		DownloadPath:     dir,
		EventsEnabled:    new(true),
	}); err != nil {
		t.Fatalf("allowing downloads: %v", err)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(link))); err != nil {
		t.Fatal(err)
	}
	var suggested, guid string
	for ev, err := range began {
		if err != nil {
			t.Fatalf("no download began: %v (page problems: %q)", err, problems())
		}
		suggested, guid = ev.SuggestedFilename, ev.GUID
		break
	}
	// Named by date and title, in UTF-8 (RFC 6266 filename*).
	if want := "2026-02-24 Datenschutz & KI – Workshop für Einsteiger – registrants.csv"; suggested != want {
		t.Errorf("the browser names the file %q, want %q", suggested, want)
	}
	for ev, err := range progress {
		if err != nil {
			t.Fatalf("the download did not finish: %v", err)
		}
		if ev.GUID != guid {
			continue
		}
		if ev.State == cdpbrowser.DownloadProgressStateCanceled {
			t.Fatal("the browser canceled the download")
		}
		if ev.State == cdpbrowser.DownloadProgressStateCompleted {
			break
		}
	}
	body, err := os.ReadFile(filepath.Join(dir, guid))
	if err != nil {
		t.Fatal(err)
	}

	// The CSV: the header, then every registrant with its 20-digit key
	// intact, UTF-8 names, whether they joined, and the custom question.
	rows := readCSV(t, bytes.NewReader(body))
	header := rows[0]
	if got := strings.Join(header, ","); !strings.HasPrefix(got, "registrantKey,firstName,lastName,email,") {
		t.Errorf("header %q, want it to start registrantKey,firstName,lastName,email", got)
	}
	col := func(name string) int {
		i := slices.Index(header, name)
		if i < 0 {
			t.Fatalf("header %q lacks %s", header, name)
		}
		return i
	}
	joinedCol, orgCol, qCol := col("joined"), col("organization"), col(workshopQ)
	if len(rows)-1 != len(site.workshop) {
		t.Fatalf("the CSV has %d registrants, want %d", len(rows)-1, len(site.workshop))
	}
	byKey := map[string][]string{}
	for _, r := range rows[1:] {
		byKey[r[0]] = r
	}
	for _, r := range site.workshop {
		row, ok := byKey[r.key]
		if !ok {
			t.Errorf("the CSV lacks registrant %s (%s %s)", r.key, r.first, r.last)
			continue
		}
		if row[1] != r.first || row[2] != r.last || row[3] != r.email || row[orgCol] != r.org {
			t.Errorf("row %s reads %q, want %s, %s, %s, %s", r.key, row[:4], r.first, r.last, r.email, r.org)
		}
		if want := fmt.Sprint(site.joined[r.key]); row[joinedCol] != want {
			t.Errorf("row %s: joined %q, want %s", r.key, row[joinedCol], want)
		}
		if r.responses != "" && row[qCol] == "" {
			t.Errorf("row %s lacks the answer to %q", r.key, workshopQ)
		}
	}
	noPageProblems(t, problems)
}

func TestBrowser_EventLogShowsRawJSONOnDemand(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("starts a browser")
	}
	site := thePagesSite(t)
	ctx, problems := browser(t)
	if err := chromedp.Do(ctx,
		chromedp.Navigate(site.url+"/events"),
		chromedp.WaitVisible(chromedp.CSS(`details.log-entry`)),
	); err != nil {
		t.Fatalf("opening the event log: %v (page problems: %q)", err, problems())
	}
	entries, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("details.log-entry").length`))
	if err != nil || entries != eventsPerPage {
		t.Errorf("the log lists %d deliveries (%v), want a page of %d", entries, err, eventsPerPage)
	}

	// The newest delivery is on top, closed: its JSON is not shown yet.
	var newest struct {
		EventKey string `json:"eventKey"`
	}
	if err := json.Unmarshal([]byte(site.newest), &newest); err != nil {
		t.Fatal(err)
	}
	first := `details.log-entry:first-of-type`
	summary := text(t, ctx, first+` summary`)
	for _, want := range []string{"registrant.added", upcomingKey, newest.EventKey, "203.0.113.7"} {
		if !strings.Contains(summary, want) {
			t.Errorf("the top row reads %q, want %q in it", summary, want)
		}
	}
	shown := `document.querySelector("` + first + ` pre").checkVisibility()`
	if vis, err := chromedp.Run(ctx, chromedp.Evaluate[bool](shown)); err != nil || vis {
		t.Errorf("the raw JSON shows before it is asked for (%v)", err)
	}

	// A click on the row opens it, with the JSON indented as it arrived:
	// the same fields in the same order, keys beyond 2^64 untouched.
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(first+` summary`)),
		chromedp.WaitVisible(chromedp.CSS(first+`[open] pre`)),
	); err != nil {
		t.Fatalf("opening the row: %v", err)
	}
	got, err := chromedp.Run(ctx, chromedp.TextContent(chromedp.CSS(first+` pre`)))
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	if err := json.Indent(&want, []byte(site.newest), "", "  "); err != nil {
		t.Fatal(err)
	}
	if got != want.String() {
		t.Errorf("the raw JSON reads\n%s\nwant\n%s", got, want.String())
	}
	for _, w := range []string{"\n  \"webinarKey\": " + upcomingKey + ",", "\n  \"registrantKey\": 70000000000000000102,", `"lastName": "Ní Bhriain"`} {
		if !strings.Contains(got, w) {
			t.Errorf("the raw JSON lacks %q", w)
		}
	}
	if head := text(t, ctx, first+` .raw-head`); !strings.HasPrefix(head, "Raw JSON") {
		t.Errorf("the raw block is headed %q", head)
	}
	// Only that row opened.
	if open, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("details.log-entry[open]").length`)); err != nil || open != 1 {
		t.Errorf("%d rows open (%v), want 1", open, err)
	}
	noPageProblems(t, problems)
	screenshot(t, ctx, "events")
}
