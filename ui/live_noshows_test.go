package ui

import (
	"io"
	"log/slog"
	"testing"
	"time"
)

// A registration streams a no-show row only for an approved registrant:
// a waiting one was never expected and is listed apart on the next load.
func TestNoShowMessages_OnlyApprovedRegistrants(t *testing.T) {
	t.Parallel()
	st := openStore(t)
	put(t, st, testNow, webinarEvent("webinar.created", "ev-w", workshopKey, "Workshop", "NEW", testNow.Add(-time.Hour)))
	put(t, st, testNow, registrantAdded("ev-a", workshopKey, "Workshop", registrant{key: "1", first: "Ada", last: "Lovelace",
		email: "ada@example.com", registered: testNow}))
	put(t, st, testNow, registrantAdded("ev-b", workshopKey, "Workshop", registrant{key: "2", first: "Bo", last: "Waits",
		email: "bo@example.com", status: "Waiting", registered: testNow}))
	s := New(Config{Store: st, Addr: testAddr, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	s.now = func() time.Time { return testNow }
	b, err := s.loadBoard(workshopKey)
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := s.boardMessages(b, "", []string{"1", "2"})
	if err != nil {
		t.Fatal(err)
	}
	var rows []string
	for _, m := range msgs {
		if m.event == "noshow" {
			rows = append(rows, m.data)
		}
	}
	if len(rows) != 1 {
		t.Fatalf("noshow rows = %q, want Ada's alone", rows)
	}
	mustContain(t, rows[0], `<tr id="noshow-1" class="noshow">`)
	// The count is of the approved, as the list and the download.
	mustContain(t, msgs[0].data, `<div data-swap="live-noshow-count">1</div>`)
}

// The board's filter applies to both lists; the count stays the session's.
func TestLivePage_OthersListedApartAndFiltered(t *testing.T) {
	t.Parallel()
	st := openStore(t)
	put(t, st, testNow, webinarEvent("webinar.created", "ev-w", workshopKey, "Workshop", "NEW", testNow.Add(-time.Hour)))
	for _, r := range []registrant{
		{key: "1", first: "Ada", last: "Lovelace", email: "ada@example.com"},
		{key: "2", first: "Bo", last: "Waits", email: "bo@example.com", status: "Waiting"},
		{key: "3", first: "Cy", last: "Gone", email: "cy@example.com", status: "Cancelled"},
		{key: "4", first: "Di", last: "Denied", email: "di@example.com", status: "Denied"},
	} {
		r.registered = testNow
		put(t, st, testNow, registrantAdded("ev-"+r.key, workshopKey, "Workshop", r))
	}
	h := handler(t, Config{Store: st})
	body := get(t, h, "/webinars/"+workshopKey+"/live").Body.String()
	mustContain(t, body,
		`No-shows <span id="live-noshow-count" class="badge badge-none">1</span>`, `id="noshow-1"`,
		// One small table per status, in the store's order, each with its download.
		`<h4 id="others-cancelled">Cancelled`, `id="other-3"`,
		`<h4 id="others-denied">Denied`, `/noshows.csv?status=Denied"`, `id="other-4"`,
		`<h4 id="others-waiting">Waiting`, `id="other-2"`,
	)
	mustNotContain(t, body, `id="noshow-2"`, `id="noshow-3"`, `id="noshow-4"`)

	body = get(t, h, "/webinars/"+workshopKey+"/live?q=waits").Body.String()
	mustContain(t, body, `No-shows <span id="live-noshow-count" class="badge badge-none">1</span>`,
		`No no-shows match “waits”.`, `/noshows.csv?q=waits&amp;status=Waiting"`, `id="other-2"`)
	mustNotContain(t, body, `id="noshow-1"`, `id="other-3"`, `others-denied`)
}
